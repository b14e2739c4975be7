"""The lists of document control: documents (filtered, paginated), the current forms staff work
from, the master lists of internal and external documents (page, .docx, .xlsx) and the documents
due for periodic review."""

from io import BytesIO

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.auth.models import AUDITOR, LEADER, QUALITY_OFFICER
from qms.core.access import SIGNED_IN, allow
from qms.core.calendar import local_today
from qms.core.lists import Page, filter_args, page_number, read_filters
from qms.documents import exports, queries
from qms.documents import forms as f
from qms.documents import permissions as perm
from qms.documents.labels import STATUS_LABELS
from qms.documents.views import bp, unit_choices_with


@bp.get("/")
@allow(SIGNED_IN)
def list_documents():
    statuses = list(queries.STATUS_FILTERS) if perm.sees_history(current_user) else []
    form = read_filters(
        f.FilterForm,
        request.args,
        choices={
            "status": [SelectChoice("", _l("All statuses"))] + [SelectChoice(s, STATUS_LABELS[s]) for s in statuses],
            "unit": unit_choices_with(_l("All units")),
        },
    )
    if form.errors:
        return render_template("documents/list.html", form=form, page=Page(items=[], total=0)), 400
    page = queries.list_documents(
        current_user,
        kind=form.kind.data or None,
        status=form.status.data or None,
        unit_id=form.unit.data or None,
        q=form.q.data,
        page=page_number(request.args),
    )
    page.args = filter_args(form)
    return render_template("documents/list.html", form=form, page=page)


@bp.get("/forms")
@allow(SIGNED_IN)
def current_forms():
    """The current forms: an index of fields and procedures with counts; one field's files (?field=,
    a page at a time), one procedure's (?procedure=, its document id) or a search's (?q=). Each asks
    the database only for what it shows: a search and a procedure's page need no index."""
    form = read_filters(f.SearchForm, request.args)
    q = (form.q.data or "").strip() if not form.errors else ""
    commune_id = current_user.commune_id
    number = page_number(request.args)
    other = _("Other")
    index, chosen_field, chosen_group, page = [], None, None, None
    if q:
        page = queries.search_current_files(commune_id, q, page=number)
        page.args = {"q": q}
    elif "procedure" in request.args:
        value = request.args["procedure"]
        group_id = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
        rows = queries.current_files(commune_id, group_ids=[group_id]) if group_id else []
        if not rows:
            abort(404)
        chosen_field, chosen_group = queries.group_entry(rows, no_field_label=other)
        page = Page(items=rows, per_page=len(rows), total=len(rows))
    else:
        index = queries.current_index(commune_id, no_field_label=other)
        if "field" in request.args:
            chosen_field = next((entry for entry in index if entry.name == request.args["field"]), None)
            if chosen_field is None:
                abort(404)
            pages = queries.field_pages(chosen_field)
            if number > len(pages):
                abort(404)
            rows = queries.current_files(commune_id, group_ids=pages[number - 1])
            # pages are cut at procedures, not at a fixed number of files: the pager counts pages
            page = Page(items=rows, per_page=1, number=number, total=len(pages), args={"field": chosen_field.name})
    if page is not None and number > page.pages:
        abort(404)
    return render_current_forms(form, q, index, chosen_field, chosen_group, page), 400 if form.errors else 200


def render_current_forms(form, q, index, chosen_field=None, chosen_group=None, page=None):
    """The page from what the queries gave (no SQL: the benchmark renders it from prepared lists)."""
    return render_template(
        "documents/current_forms.html",
        form=form,
        q=q,
        index=index,
        chosen_field=chosen_field,
        chosen_group=chosen_group,
        page=page,
        groups=queries.group_current_files(page.items, no_field_label=_("Other")) if page else [],
        list_procedures=sum(len(entry.groups) for entry in index) <= queries.INDEX_LIMIT,
    )


MASTER_LISTS = {"internal": False, "external": True}
MASTER_LIST_FILES = {
    "docx": (exports.master_list_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (exports.master_list_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
MASTER_LIST_NAMES = {"internal": "Danh_muc_tai_lieu_noi_bo", "external": "Danh_muc_tai_lieu_ben_ngoai"}


@bp.get("/master-list")
@allow(SIGNED_IN)
def master_list():
    """The master list of internal or external documents (?which=), as a page or, with ?format=docx
    or xlsx, as the file auditors ask for. The rows hold effective versions of active documents only,
    and name only documents the reader may see, so staff see in it nothing they may not see elsewhere."""
    which = request.args.get("which", "internal")
    file_format = request.args.get("format", "")
    if which not in MASTER_LISTS or (file_format and file_format not in MASTER_LIST_FILES):
        abort(404)
    external = MASTER_LISTS[which]
    rows = exports.master_list_rows(current_user, external)
    today = local_today()
    if file_format:
        build, media_type = MASTER_LIST_FILES[file_format]
        data = build(current_user.commune, rows, external, today)
        return send_file(
            BytesIO(data),
            mimetype=media_type,
            as_attachment=True,
            max_age=0,
            download_name=f"{MASTER_LIST_NAMES[which]}_{today:%Y%m%d}.{file_format}",
        )
    return render_template("documents/master_list.html", rows=rows, which=which, external=external)


@bp.get("/periodic-review")
@allow(QUALITY_OFFICER, LEADER, AUDITOR)
def periodic_review():
    today = local_today()
    versions = queries.due_for_review(current_user.commune_id, today)
    return render_template("documents/periodic_review.html", versions=versions, today=today)
