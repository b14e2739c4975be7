"""The working-day calendar the administrator keeps: the services' rules (a refusal changes nothing and
records nothing), the page (the year's days and its months), the `qms calendar` commands and the API
(a due date counted across Tết 2026 and after the 15:00 cut-off; bad parameters answer 400)."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from qms.admin import calendar
from qms.audit.labels import change_value
from qms.auth import services as accounts
from qms.cli import main
from qms.core.calendar import is_working_day
from qms.core.calendar_days import CalendarDay, DayKind, forget_adjustments
from qms.core.labels import Names, action_label, field_label, record_label
from qms.db import DomainError, db
from tests.conftest import cli_error
from tests.core.support import events, head_seq, post, signed_in_client

OFFICIAL_2026 = 24  # rows the migration ships for 2026 (qms/migrations/versions/20261206_0010_*)
MAKE_UP = dt.date(2026, 1, 10)  # Saturday, worked for Friday 02/01/2026
FREE_WEEKDAY = dt.date(2027, 2, 1)  # a Monday, no public holiday, no entry
FREE_SATURDAY = dt.date(2027, 2, 20)
ADD = dict(name="Nghỉ thêm dịp Tết Đinh Mùi", announced_by="Công văn 1/VPCP-KGVX ngày 02/01/2027")


def rows():
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(CalendarDay)).scalar_one()


def stored(day):
    with db.engine.connect() as conn:
        return conn.execute(select(CalendarDay.kind, CalendarDay.name).where(CalendarDay.day == day)).one_or_none()


def working(day):
    forget_adjustments()  # requests and commands change the calendar in contexts of their own
    return is_working_day(day)


@pytest.fixture
def admin(world):
    return world["a"]["users"]["administrator"]


# --- the services ----------------------------------------------------------------------------------


def test_an_administrator_adds_a_day_off_and_a_working_day(app, admin):
    assert working(FREE_WEEKDAY) and not working(FREE_SATURDAY)
    seq = head_seq()
    off = calendar.add_calendar_day(admin, day=FREE_WEEKDAY, kind="day_off", **ADD)
    worked = calendar.add_calendar_day(
        admin, day=FREE_SATURDAY, kind=DayKind.working_day, name="  Làm bù cho ngày 01/02/2027 ", announced_by="CV 1"
    )
    db.session.commit()
    assert (off.kind, off.created_by_id, worked.name) == (DayKind.day_off, admin.id, "Làm bù cho ngày 01/02/2027")
    assert not is_working_day(FREE_WEEKDAY) and is_working_day(FREE_SATURDAY)  # forgotten, read again
    added = events("calendar.day_added", after=seq)
    assert [(e["entity_type"], e["entity_id"], e["actor_id"]) for e in added] == [
        ("calendar_days", "2027-02-01", admin.id),
        ("calendar_days", "2027-02-20", admin.id),
    ]
    assert added[0]["changes"] == {
        "day": [None, "2027-02-01"],
        "kind": [None, "day_off"],
        "name": [None, ADD["name"]],
        "announced_by": [None, ADD["announced_by"]],
    }


def test_the_installation_administrator_keeps_the_calendar_too(app, world):
    keeper = world["a"]["users"]["installation_admin"]
    calendar.add_calendar_day(keeper, day=FREE_WEEKDAY, kind="day_off", **ADD)
    db.session.commit()
    assert stored(FREE_WEEKDAY).kind is DayKind.day_off


@pytest.mark.parametrize(
    "who, changes, code, words",
    [
        ("staff", {}, "forbidden", None),
        ("quality_officer", {}, "forbidden", None),
        ("auditor", {}, "forbidden", None),
        ("leader", {}, "forbidden", None),
        ("administrator", {"name": "   "}, "name_required", None),
        ("administrator", {"announced_by": ""}, "announced_by_required", None),
        ("administrator", {"name": "x" * 201}, "name_too_long", "200"),
        ("administrator", {"kind": "holiday"}, "bad_kind", None),
        ("administrator", {"day": None}, "day_required", None),
        ("administrator", {"day": dt.date(1999, 12, 31)}, "day_out_of_range", "2000"),
        ("administrator", {"day": MAKE_UP}, "day_taken", "Làm bù cho ngày 2/1/2026"),
        ("administrator", {"day": dt.date(2027, 3, 7)}, "pointless", "Chủ Nhật"),  # a Sunday
        ("administrator", {"day": dt.date(2027, 9, 2)}, "pointless", "Quốc khánh"),  # a public holiday
        ("administrator", {"day": dt.date(2027, 2, 3), "kind": "working_day"}, "pointless", "03/02/2027"),
    ],
)
def test_a_refused_day_changes_nothing_and_records_nothing(app, world, who, changes, code, words):
    actor = world["a"]["users"][who]
    before, seq = rows(), head_seq()
    arguments = {"day": FREE_WEEKDAY, "kind": "day_off", **ADD, **changes}
    with pytest.raises(DomainError) as refused:
        calendar.add_calendar_day(actor, **arguments)
    db.session.rollback()
    assert refused.value.code == code
    assert refused.value.status == {"forbidden": 403, "day_taken": 409}.get(code, 400)
    if words:
        assert words in str(refused.value.message)
    assert rows() == before and head_seq() == seq
    assert working(FREE_WEEKDAY) and working(MAKE_UP)


def test_removing_a_day_records_what_it_was_and_why(app, admin):
    assert working(MAKE_UP)
    seq = head_seq()
    calendar.remove_calendar_day(admin, calendar.find_entry(MAKE_UP), reason="Chính phủ hủy lịch làm bù")
    db.session.commit()
    assert stored(MAKE_UP) is None and not is_working_day(MAKE_UP)
    [removed] = events("calendar.day_removed", after=seq)
    assert (removed["entity_id"], removed["reason"]) == ("2026-01-10", "Chính phủ hủy lịch làm bù")
    assert removed["changes"] == {
        "day": ["2026-01-10", None],
        "kind": ["working_day", None],
        "name": ["Làm bù cho ngày 2/1/2026", None],
        "announced_by": ["Công văn 12729/VPCP-KGVX ngày 25/12/2025", None],
    }


@pytest.mark.parametrize("who, reason, code", [("administrator", " ", "reason_required"), ("staff", "x", "forbidden")])
def test_a_refused_removal_changes_nothing(app, world, who, reason, code):
    before, seq = rows(), head_seq()
    with pytest.raises(DomainError) as refused:
        calendar.remove_calendar_day(world["a"]["users"][who], calendar.find_entry(MAKE_UP), reason=reason)
    db.session.rollback()
    assert refused.value.code == code
    assert rows() == before and head_seq() == seq and working(MAKE_UP)


def test_the_trail_shows_the_calendar_in_words(app, admin):
    assert action_label("calendar.day_added") != "calendar.day_added"
    assert action_label("calendar.day_removed") != "calendar.day_removed"
    assert record_label("calendar_days") != "calendar_days"
    for field in ("day", "kind", "name", "announced_by"):
        assert field_label(field, "calendar_days") != field
    assert field_label("kind", "calendar_days") != field_label("kind")  # not a document's kind
    assert change_value("working_day", "kind") != "working_day"
    assert change_value("2026-01-10", "day") == "10/01/2026"
    names = Names(admin.commune_id)
    assert names.record("calendar_days", "2026-01-10") == "10/01/2026 – Làm bù cho ngày 2/1/2026"
    assert names.record("calendar_days", "2027-02-01") == "01/02/2027"  # removed, or never added


# --- the page --------------------------------------------------------------------------------------


def cell(html, day):
    """The classes of a day's cell in the month view."""
    found = re.search(rf'<td class="([^"]*)" id="day-{day}"', html)
    assert found, f"no cell for {day}"
    return found.group(1).split()


def caption(html, month):
    found = re.search(rf'id="month-{month}">\s*<caption[^>]*>(.*?)</caption>', html, re.S)
    assert found, f"no month {month}"
    return re.sub(r"<[^>]+>", "", found.group(1))


@pytest.mark.parametrize("who", ["staff", "auditor", "quality_officer", "installation_admin"])
def test_everyone_reads_the_calendar_and_only_administrators_are_offered_changes(app, world, who):
    client = signed_in_client(app, f"a_{who}")
    response = client.get("/admin/calendar?year=2026")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<tr id="entry-2026-') == OFFICIAL_2026
    assert "Tết Nguyên đán Bính Ngọ" in html and "Công văn 12729/VPCP-KGVX ngày 25/12/2025" in html
    row = re.search(r'<tr id="entry-2026-01-10">(.*?)</tr>', html, re.S).group(1)
    assert "10/01/2026" in row and "Thứ Bảy" in row and "Làm bù cho ngày 2/1/2026" in row
    offered = 'id="add-day-form"' in html or "/admin/calendar/days/remove" in html
    assert offered is (who == "installation_admin")
    assert 'href="/admin/calendar"' in html  # the menu entry


def test_the_month_view_marks_weekends_holidays_and_announced_days(app, world):
    client = signed_in_client(app, "a_staff")
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert all(f'id="month-{m}"' in html for m in range(1, 13))
    assert "cal-make-up" in cell(html, "2026-01-10")  # make-up Saturday
    assert "cal-day-off" in cell(html, "2026-01-02")  # swapped Friday
    assert "cal-day-off" in cell(html, "2026-02-17")  # Tết, announced
    assert "cal-weekend" in cell(html, "2026-01-17")
    assert "cal-working" in cell(html, "2026-01-05")
    assert "cal-make-up" in cell(html, "2026-11-24")  # the package's holiday, worked
    # January 2026: 22 weekdays, less 1 and 2 January, plus Saturday 10 January
    assert re.search(r"\b21\b", caption(html, 1))
    later = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "cal-holiday" in cell(later, "2027-02-08")  # Tết 2027: only the package knows it yet
    assert '<tr id="entry-' not in later and 'id="entries-table"' not in later
    for look, _label in calendar.LEGEND:
        assert f'cal-swatch {look}"' in html


@pytest.mark.parametrize("query", ["?year=abc", "?year=1800", "?year=20266"])
def test_a_year_that_cannot_be_read_is_said_and_this_year_shown(app, world, query):
    client = signed_in_client(app, "a_staff")
    response = client.get("/admin/calendar" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "month-12" in html


def test_another_year_is_chosen_with_the_selector(app, world):
    client = signed_in_client(app, "a_staff")
    html = client.get("/admin/calendar?year=2025").get_data(as_text=True)
    assert "Tết Nguyên đán Ất Tỵ" in html and "Bính Ngọ" not in html
    assert '<option selected value="2025">' in html or 'value="2025" selected' in html


@pytest.fixture
def admin_client(app, world):
    return signed_in_client(app, "a_administrator")


def add_form(**changes):
    return {"day": "01/02/2027", "kind": "day_off", **ADD, **changes}


def test_adding_a_day_through_the_page(admin_client, world):
    seq = head_seq()
    response = post(admin_client, "/admin/calendar/days?year=2027", add_form(), page="/admin/calendar?year=2027")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/calendar?year=2027#entries")
    assert stored(FREE_WEEKDAY) == (DayKind.day_off, ADD["name"])
    [added] = events("calendar.day_added", after=seq)
    assert added["actor_id"] == world["a"]["users"]["administrator"].id and added["request_id"]
    html = admin_client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert '<tr id="entry-2027-02-01">' in html and "cal-day-off" in cell(html, "2027-02-01")
    assert "01/02/2027" in html  # the flash message and the row


@pytest.mark.parametrize(
    "changes, field, status",
    [
        ({"name": " "}, "name", 400),
        ({"announced_by": ""}, "announced_by", 400),
        ({"day": "31/02/2027"}, "day", 400),
        ({"day": ""}, "day", 400),
        ({"kind": "holiday"}, "kind", 400),
        ({"day": "10/01/2026"}, "day", 409),  # the make-up Saturday is in already
        ({"day": "07/03/2027"}, "day", 400),  # a Sunday off: pointless
        ({"day": "2027-02-03", "kind": "working_day"}, "day", 400),  # a Wednesday worked: pointless
    ],
)
def test_a_refused_day_is_said_on_the_form_and_nothing_is_written(admin_client, changes, field, status):
    before, seq = rows(), head_seq()
    response = post(admin_client, "/admin/calendar/days?year=2027", add_form(**changes), page="/admin/calendar")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html)
    assert f'id="{field}-error"' in html
    assert rows() == before and head_seq() == seq


def test_a_pointless_day_says_why_in_vietnamese(admin_client):
    response = post(admin_client, "/admin/calendar/days", add_form(day="07/03/2027"), page="/admin/calendar")
    assert "07/03/2027" in response.get_data(as_text=True) and "Chủ Nhật" in response.get_data(as_text=True)


def test_removing_a_day_through_the_page(admin_client):
    seq = head_seq()
    page = "/admin/calendar?year=2026"
    html = admin_client.get(page).get_data(as_text=True)
    assert re.search(r'<form [^>]*action="/admin/calendar/days/remove" id="remove-2026-01-10"', html)
    response = post(
        admin_client, "/admin/calendar/days/remove", {"day": "2026-01-10", "reason": "Lịch làm bù bị hủy"}, page=page
    )
    assert response.status_code == 303
    assert stored(MAKE_UP) is None and not working(MAKE_UP)
    [removed] = events("calendar.day_removed", after=seq)
    assert removed["reason"] == "Lịch làm bù bị hủy" and removed["changes"]["kind"] == ["working_day", None]
    assert "cal-weekend" in cell(admin_client.get(page).get_data(as_text=True), "2026-01-10")


def test_a_removal_without_a_reason_is_refused_on_its_row(admin_client):
    before, seq = rows(), head_seq()
    response = post(
        admin_client, "/admin/calendar/days/remove", {"day": "2026-01-10", "reason": " "}, page="/admin/calendar"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="remove-2026-01-10-reason-error"' in html
    assert re.search(r'<details class="cal-remove" open>\s*<summary[^>]*>[^<]*</summary>\s*<form[^>]*2026-01-10', html)
    assert rows() == before and head_seq() == seq


@pytest.mark.parametrize("day", ["2027-01-04", "10/01/2026", "x", ""])
def test_removing_a_day_not_in_the_calendar_is_not_found(admin_client, day):
    seq = head_seq()
    response = post(admin_client, "/admin/calendar/days/remove", {"day": day, "reason": "r"}, page="/admin/calendar")
    assert response.status_code == 404 and head_seq() == seq


def test_staff_may_not_change_the_calendar(app, world):
    client = signed_in_client(app, "a_staff")
    before, seq = rows(), head_seq()
    assert post(client, "/admin/calendar/days", add_form()).status_code == 403
    assert post(client, "/admin/calendar/days/remove", {"day": "2026-01-10", "reason": "r"}).status_code == 403
    assert rows() == before and head_seq() == seq


# --- the commands ----------------------------------------------------------------------------------


def test_calendar_list_prints_the_years_days(runner, world):
    result = runner.invoke(main, args=["calendar", "list", "--year", "2026"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == OFFICIAL_2026 + 1 and lines[-1] == f"{OFFICIAL_2026} day(s) announced for 2026."
    assert (
        "10/01/2026\tThứ Bảy\tworking_day\tLàm bù cho ngày 2/1/2026\tCông văn 12729/VPCP-KGVX ngày 25/12/2025" in lines
    )
    empty = runner.invoke(main, args=["calendar", "list", "--year", "2030"])
    assert empty.exit_code == 0 and empty.stdout == "0 day(s) announced for 2030.\n"


def test_calendar_add_and_remove(runner, world):
    seq = head_seq()
    args = ["--name", ADD["name"], "--announced-by", ADD["announced_by"], "--as", "a_administrator"]
    added = runner.invoke(main, args=["calendar", "add", "01/02/2027", "day_off", *args])
    assert added.exit_code == 0, added.stderr
    assert added.stdout == f"Added 01/02/2027: day_off, {ADD['name']}\n"
    iso = runner.invoke(main, args=["calendar", "add", "2027-02-20", "working_day", *args])
    assert iso.exit_code == 0, iso.stderr
    assert stored(FREE_WEEKDAY).kind is DayKind.day_off and stored(FREE_SATURDAY).kind is DayKind.working_day
    assert not working(FREE_WEEKDAY) and working(FREE_SATURDAY)
    removed = runner.invoke(
        main, args=["calendar", "remove", "20/02/2027", "--reason", "Nhập nhầm", "--as", "a_installation_admin"]
    )
    assert removed.exit_code == 0, removed.stderr
    assert removed.stdout == "Removed 20/02/2027 from the calendar\n" and stored(FREE_SATURDAY) is None
    recorded = events(after=seq)
    assert [e["action"] for e in recorded] == ["calendar.day_added", "calendar.day_added", "calendar.day_removed"]
    assert all(e["ip"] == "cli" for e in recorded) and recorded[-1]["reason"] == "Nhập nhầm"


@pytest.mark.parametrize(
    "args, stderr",
    [
        (
            ["add", "31/02/2027", "day_off", "--name", "n", "--announced-by", "a", "--as", "a_administrator"],
            "not a date",
        ),
        (["add", "01/02/2027", "day_off", "--name", "n", "--announced-by", "a", "--as", "nobody"], "no active user"),
        (["add", "01/02/2027", "day_off", "--name", "n", "--announced-by", "a", "--as", "a_staff"], None),
        (["add", "10/01/2026", "working_day", "--name", "n", "--announced-by", "a", "--as", "a_administrator"], None),
        (["add", "07/03/2027", "day_off", "--name", "n", "--announced-by", "a", "--as", "a_administrator"], None),
        (["add", "01/02/2027", "day_off", "--name", " ", "--announced-by", "a", "--as", "a_administrator"], None),
        (["remove", "01/02/2027", "--reason", "r", "--as", "a_administrator"], "not in the calendar"),
        (["remove", "10/01/2026", "--reason", " ", "--as", "a_administrator"], None),
        (["remove", "10/01/2026", "--reason", "r", "--as", "a_auditor"], None),
        (["list", "--year", "1800"], "2000 to 2100"),
    ],
)
def test_calendar_refusals_go_to_stderr_and_write_nothing(runner, world, args, stderr):
    before, seq = rows(), head_seq()
    result = runner.invoke(main, args=["calendar", *args])
    assert result.exit_code == 1 and result.stdout == ""
    assert cli_error(result).startswith("Error: ")
    if stderr:
        assert stderr in result.stderr
    assert rows() == before and head_seq() == seq


# --- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(app, world):
    """A test client and the headers of a staff member's API token."""
    user = world["a"]["users"]["staff"]
    _token, plain = accounts.create_api_token(user, user, "calendar")
    db.session.commit()
    return app.test_client(), {"Authorization": f"Bearer {plain}"}


def due(api, **query):
    client, headers = api
    return client.get("/api/v1/calendar/due-date", query_string=query, headers=headers)


@pytest.mark.parametrize(
    "query, effective, due_on",
    [
        # Friday 13/02/2026 before the cut-off; Tết from Saturday 14 to Sunday 22: the next working day is 23/02
        ({"received": "2026-02-13T10:00", "days": 1}, "2026-02-13", "2026-02-23"),
        ({"received": "2026-02-13T10:00", "days": 0}, "2026-02-13", "2026-02-13"),
        # 15:30 is after the cut-off: counted from Monday 23/02
        ({"received": "2026-02-13T15:30", "days": 0}, "2026-02-23", "2026-02-23"),
        ({"received": "2026-02-13T15:30:00+07:00", "days": 3}, "2026-02-23", "2026-02-26"),
        ({"received": "2026-02-13T08:30:00Z", "days": 3}, "2026-02-23", "2026-02-26"),  # 15:30 in Vietnam
        ({"received": "2026-02-13T15:00:59", "days": 0}, "2026-02-13", "2026-02-13"),  # within the cut-off minute
        ({"received": "2026-02-13T15:30", "days": 0, "cutoff": "16:00"}, "2026-02-13", "2026-02-13"),
        ({"received": "2026-02-13T23:00", "days": 0, "cutoff": "none"}, "2026-02-13", "2026-02-13"),
        # after the cut-off on Friday 09/01/2026: Saturday 10/01 is a make-up working day
        ({"received": "2026-01-09T16:00", "days": 1}, "2026-01-10", "2026-01-12"),
        ({"received": "2026-02-14", "days": 5}, "2026-02-23", "2026-03-02"),  # a date alone: received on Tết
    ],
)
def test_the_due_date(api, query, effective, due_on):
    response = due(api, **query)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "due_date": due_on,
        "effective_receipt_date": effective,
        "working_days": query["days"],
    }


def test_an_unencoded_plus_is_read_as_the_offset(api):
    client, headers = api
    response = client.get("/api/v1/calendar/due-date?received=2026-02-13T15:30:00+07:00&days=3", headers=headers)
    assert response.status_code == 200 and response.get_json()["due_date"] == "2026-02-26"


@pytest.mark.parametrize(
    "query, code",
    [
        ({"days": 1}, "missing_received"),
        ({"received": "", "days": 1}, "missing_received"),
        ({"received": "yesterday", "days": 1}, "bad_received"),
        ({"received": "13/02/2026 10:00", "days": 1}, "bad_received"),
        ({"received": "1900-01-01T10:00", "days": 1}, "bad_received"),
        ({"received": "2026-02-13T10:00"}, "missing_days"),
        ({"received": "2026-02-13T10:00", "days": -1}, "bad_days"),
        ({"received": "2026-02-13T10:00", "days": 366}, "bad_days"),
        ({"received": "2026-02-13T10:00", "days": "2.5"}, "bad_days"),
        ({"received": "2026-02-13T10:00", "days": "٣"}, "bad_days"),  # a digit, but not 0-9
        ({"received": "2026-02-13T10:00", "days": 1, "cutoff": "25:00"}, "bad_cutoff"),
        ({"received": "2026-02-13T10:00", "days": 1, "cutoff": "3pm"}, "bad_cutoff"),
        ({"received": "2026-02-13T10:00", "days": 1, "limit": 3}, "unknown_parameter"),
    ],
)
def test_a_bad_parameter_answers_400_with_the_reason(api, query, code):
    response = due(api, **query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == code and body["message"]


def test_the_calendar_api_needs_a_token(app, world):
    response = app.test_client().get("/api/v1/calendar/due-date?received=2026-02-13T10:00&days=1")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_the_days_of_a_year(api):
    client, headers = api
    body = client.get("/api/v1/calendar/days?year=2026", headers=headers).get_json()
    assert body["year"] == 2026 and len(body["days"]) == OFFICIAL_2026
    assert {
        "date": "2026-01-10",
        "kind": "working_day",
        "name": "Làm bù cho ngày 2/1/2026",
        "announced_by": "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    } in body["days"]
    assert [d["date"] for d in body["days"]] == sorted(d["date"] for d in body["days"])
    assert client.get("/api/v1/calendar/days?year=2030", headers=headers).get_json() == {"year": 2030, "days": []}
    for bad in ("?year=26", "?year=abc", "?year=1999", "?month=1"):
        response = client.get("/api/v1/calendar/days" + bad, headers=headers)
        assert response.status_code == 400 and response.get_json()["error"] in ("bad_year", "unknown_parameter")
