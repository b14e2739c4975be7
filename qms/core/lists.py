"""One way to page and filter the lists of every area (documents, forms, the audit trail, users).

A list page reads its filters from the query string with a form (`read_filters`: a GET form, no CSRF
token), asks its area's queries for
one `Page` (`paginate` counts and numbers the pages of a SELECT; a list too long to count, such as
the audit trail, is walked with a cursor and gives a `Page` with `next_cursor`), and renders it with
the macros of templates/_macros/lists.html (`filter_form`, `pager`). Views write no paging and no
SQL of their own.
"""

import functools
import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from wtforms.fields.choices import SelectChoice

from qms.core.forms import Form, SelectField
from qms.db import DomainError, db

PER_PAGE = 50
MAX_PAGE = 100_000


@dataclass
class Page:
    """One page of a list. Numbered pages know their total; cursor pages know where the next one
    starts (next_cursor) and whether they are the first."""

    items: list
    per_page: int = PER_PAGE
    number: int = 1
    total: int | None = None
    next_cursor: int | None = None
    is_first: bool = True
    args: dict = field(default_factory=dict)  # the filters, kept in the links to other pages

    @property
    def pages(self) -> int:
        return max(1, math.ceil((self.total or 0) / self.per_page))

    def numbers(self):
        """The page numbers a pager shows: the first and last three and two around this one, with
        None where numbers are left out."""
        shown, previous = [], 0
        for n in range(1, self.pages + 1):
            if n <= 3 or n > self.pages - 3 or abs(n - self.number) <= 2:
                if previous and n != previous + 1:
                    shown.append(None)
                shown.append(n)
                previous = n
        return shown


def page_number(args, name="page") -> int:
    """The page asked for (?page=), 1 when none; DomainError (400) for anything but a whole number
    from 1 on."""
    value = (args.get(name) or "").strip()
    if not value:
        return 1
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise DomainError(_l("The page number is not valid."), code="bad_page")
    return int(value)


def paginate(stmt, *, page=1, per_page=PER_PAGE, scalars=True, short=False, params=None) -> Page:
    """Count the rows of `stmt` (a SELECT, ordered; `params`: the values of its bound parameters)
    and fetch page `page` of them.

    short: the list holds at most a few thousand rows (a commune's documents), so the page's rows
    carry the count (a window function): one statement instead of two, itself built once for a
    statement built once. A long list (dossiers) is counted apart, so that its page is found
    without materialising and sorting every row."""
    params = dict(params or {})
    offset = (page - 1) * per_page
    if short:
        rows = db.session.execute(_counted_page(stmt), {**params, "page_limit": per_page, "page_offset": offset}).all()
        if rows or page == 1:
            items = [row[0] if scalars else row[:-1] for row in rows]
            return Page(items=items, per_page=per_page, number=page, total=rows[0][-1] if rows else 0)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()), params)
    fetch = stmt.limit(per_page).offset(offset)
    items = list(db.session.scalars(fetch, params) if scalars else db.session.execute(fetch, params))
    return Page(items=items, per_page=per_page, number=page, total=total)


@functools.lru_cache(maxsize=64)
def _counted_page(stmt):
    """`stmt` with its count beside each row and its page's bounds bound (page_limit, page_offset)."""
    return stmt.add_columns(func.count().over()).limit(bindparam("page_limit")).offset(bindparam("page_offset"))


RUNS_PER_PAGE = 20  # a history of runs sits under the page that starts them


def newest_first(model, commune_id, *, page=1, per_page=RUNS_PER_PAGE) -> Page:
    """One page of a commune's runs of some work (`model` with commune_id and started_at, such as the
    imports of documents or dossiers), the newest first."""
    stmt = select(model).where(model.commune_id == commune_id).order_by(model.started_at.desc(), model.id.desc())
    return paginate(stmt, page=page, per_page=per_page)


def page_of(items, *, page=1, per_page=PER_PAGE) -> Page:
    """Page `page` of a list already read whole (a short list filtered in Python, such as the
    procedures of a commune searched without diacritics); DomainError (404) past its last page."""
    items = list(items)
    result = Page(
        items=items[(page - 1) * per_page : page * per_page], per_page=per_page, number=page, total=len(items)
    )
    if page > result.pages:
        raise DomainError(_l("There is no such page."), code="not_found", status=404)
    return result


class FilterForm(Form):
    """The filters of a list, read from the query string: no CSRF token (a GET changes nothing)."""

    class Meta:
        csrf = False


def read_filters(form_class, args, *, choices=None, open_choices=()) -> FilterForm:
    """The list's filter form filled from the query string and validated (form.errors says what is
    wrong). choices: {field name: choices} known only now (the commune's units). open_choices:
    select fields that also take values they do not list (the trail's "user.*" from a link); such a
    value is added to the choices, so that the page shows it."""
    form = form_class(args)
    for name, listed in (choices or {}).items():
        form[name].choices = listed
    for item in form:
        if item.name in open_choices and isinstance(item, SelectField) and item.data not in (None, ""):
            values = {str(choice.value) for choice in item.iter_choices()}
            if str(item.data) not in values:
                item.choices = list(item.choices or []) + [SelectChoice(item.data, str(item.data))]
    form.validate()
    return form


def filter_args(form) -> dict:
    """The filled-in filters as query-string arguments (to keep them in the pager's links)."""
    return {item.name: item.data for item in form if item.data not in (None, "", [])}
