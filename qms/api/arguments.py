"""The query-string arguments of the API's lists, checked the same way for every area: an unknown
parameter or value answers 400 with the reason rather than being ignored (refuse), and the
cursor of a list is opaque to clients (the time and id of the last row of the page)."""

import base64
import binascii
import datetime as dt
import json

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from qms.db import DomainError


def refuse(message, code, status=400):
    raise DomainError(message, code=code, status=status)


def refuse_unknown_parameters(known):
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        refuse(
            _l(
                "Unknown parameter %(names)s; the filters are %(known)s.",
                names=", ".join(unknown),
                known=", ".join(known),
            ),
            "unknown_parameter",
        )


def choice_arg(name, enum_cls):
    """The value of `name`, one of the enum's values, or None when not given."""
    value = request.args.get(name) or None
    values = [m.value for m in enum_cls]
    if value is not None and value not in values:
        refuse(
            _l("Unknown %(name)s %(value)s; use one of %(values)s.", name=name, value=value, values=", ".join(values)),
            f"bad_{name}",
        )
    return value


def flag_arg(name, message) -> bool:
    """true/false/1/0 (default false); anything else refused with `message`."""
    value = (request.args.get(name) or "false").lower()
    if value not in ("true", "false", "1", "0"):
        refuse(message, f"bad_{name}")
    return value in ("true", "1")


def date_arg(name, years=None):
    """An ISO date (yyyy-mm-dd), or None when not given; `years` (first, last) bounds its year and
    then only the ten-character form is taken."""
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if years is not None and day is not None and (len(value) != 10 or not years[0] <= day.year <= years[1]):
        day = None
    if day is None:
        refuse(_l("%(name)s must be an ISO date, for example 2026-03-31.", name=name), f"bad_{name}")
    return day


def limit_arg(default, maximum):
    raw = request.args.get("limit") or ""
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        refuse(_l("limit must be a whole number from 1 to %(max)d.", max=maximum), "bad_limit")
    return int(raw)


def encode_cursor(moment, row_id) -> str:
    """Where the next page starts: after the row of that time and id (opaque to clients)."""
    raw = json.dumps([moment.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decoded_cursor():
    """(time, id) of the `cursor` argument, None without one; a cursor no list gave is refused."""
    raw = request.args.get("cursor") or ""
    if not raw:
        return None
    try:
        moment, row_id = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        moment = dt.datetime.fromisoformat(moment)
        if not isinstance(row_id, int) or isinstance(row_id, bool) or moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        refuse(_l("The cursor is not one this list gave; start again without it."), "bad_cursor")
    return moment, row_id


def cursor_page(found, limit, moment, endpoint) -> dict:
    """The answer of a list walked with a cursor, from the rows read for it (up to limit + 1: one more
    says there is a next page): the page's rows, the limit, the next page's cursor (after its last row,
    whose time `moment(row)` gives) and that page's URL, with the same filters."""
    page, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor(moment(page[-1]), page[-1].id) if more else None
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return {
        "rows": page,
        "limit": limit,
        "next_cursor": next_cursor,
        "next": url_for(endpoint, cursor=next_cursor, **args) if more else None,
    }
