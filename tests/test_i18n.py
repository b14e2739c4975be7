"""The Vietnamese catalogue is complete: every message in the code and templates has a translation
that keeps its placeholders; and dates are shown dd/mm/yyyy in Vietnam time."""

import datetime as dt
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def source_messages():
    found = {}
    for directory in ("qms", "templates"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / directory,
            method_map=[("**.py", "python"), ("**.html", "jinja2")],
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith("."),
        ):  # _macros/ too
            msgid = message[0] if isinstance(message, tuple) else message  # a plural is keyed by its singular
            if msgid:
                found.setdefault(msgid, f"{directory}/{filename}:{lineno}")
    return found


def catalogue():
    with open(ROOT / "qms/translations/vi/LC_MESSAGES/messages.po", "rb") as fh:
        return read_po(fh, locale="vi")


def test_every_message_has_a_vietnamese_translation():
    cat = catalogue()
    missing = []
    for msgid, where in sorted(source_messages().items()):
        entry = cat.get(msgid)
        text = entry.string if entry is not None else ""
        if isinstance(text, tuple):
            text = text[0]
        if entry is None or not text or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} messages lack a Vietnamese translation:\n" + "\n".join(missing[:50])


def test_translations_keep_their_placeholders():
    wrong = []
    for message in catalogue():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != expected:
                wrong.append(f"{ids[0]!r} -> {s!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_dates_are_day_month_year_in_vietnam_time(app):
    from qms.core.calendar import format_date, format_datetime

    moment = dt.datetime(2026, 11, 25, 18, 30, tzinfo=dt.UTC)  # 01:30 next day in Vietnam
    assert format_datetime(moment) == "26/11/2026 01:30"
    assert format_date(moment) == "26/11/2026"
    assert format_date(dt.date(2026, 1, 5)) == "05/01/2026"


def test_pages_are_vietnamese_by_default_and_english_per_user(app, make_user):
    from tests.conftest import login
    from tests.core.support import IsolatedClient

    app.test_client_class = IsolatedClient  # each request in its own context, as in production
    make_user("staff", username="vi_user")
    make_user("staff", username="en_user", locale="en")
    client = app.test_client()
    login(client, "vi_user")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng xuất" in page
    other = app.test_client()
    login(other, "en_user")
    page = other.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign out" in page


def test_the_built_in_messages_of_forms_are_translated_too(app):
    """WTForms ships no Vietnamese: its messages come from the qms catalogue (qms.core.forms)."""
    from flask_babel import force_locale
    from werkzeug.datastructures import MultiDict

    from qms.documents.forms import FilterForm

    with app.test_request_context(), force_locale("vi"):
        form = FilterForm(formdata=MultiDict({"q": "x" * 300, "kind": "no-such-kind"}))
        assert not form.validate()
        assert form.errors["q"] == ["Không được dài quá 200 ký tự."]
        assert form.errors["kind"] == ["Lựa chọn không hợp lệ."]
    with app.test_request_context(), force_locale("en"):
        form = FilterForm(formdata=MultiDict({"q": "x" * 300}))
        assert not form.validate() and form.errors["q"] == ["Field cannot be longer than 200 characters."]
