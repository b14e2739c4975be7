"""The dossier pages through the test client: receiving a dossier (good and bad input), a dossier's
page with its control sheet and process, the applicant's details for those handling it only (each
reading recorded once), every action through its form (allowed, and refused with its message on the
page and nothing written), the ledger's filters and pages, its Excel file, the auditor reading
everything and changing nothing, another commune's dossier not found, and the code format."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.db import db
from qms.dossiers import services
from qms.dossiers.models import Dossier, DossierStatus, Handover, Timeliness
from qms.nonconformities.models import NcSource
from qms.nonconformities.services import find_opened_from
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.documents.views_support import html, ids, signed_in, submit
from tests.dossiers.conftest import procedure, vn


@pytest.fixture
def client_class():
    """Requests run in contexts of their own, as in production (see IsolatedClient)."""
    return IsolatedClient


class Clock:
    """A clock the test moves: utcnow() answers `now` (Vietnam time given, UTC answered)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now.astimezone(dt.UTC)

    def set(self, *args):
        self.now = vn(*args)


@pytest.fixture
def clock():
    """Monday 07/12/2026 09:00 in Vietnam, until the test moves it."""
    moving = Clock(vn(2026, 12, 7, 9, 0))
    with clock_at(moving):
        yield moving


def events(action=None):
    stmt = select(func.count()).select_from(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.session.scalar(stmt)


def text(response):
    """The page with its HTML entities read (an apostrophe may be written &#39;)."""
    return unescape(html(response))


def dossier_count():
    return db.session.scalar(select(func.count()).select_from(Dossier))


def fresh(dossier):
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def lines_of(dossier):
    return db.session.scalar(select(func.count()).select_from(Handover).where(Handover.dossier_id == dossier.id))


def act(client, dossier, path, data=None):
    # the token from the ledger: the dossier's page would record a reading of the applicant
    return submit(client, f"/dossiers/{dossier.code}/{path}", data or {}, page="/dossiers/")


def refused(client, dossier, path, data, status, message):
    """The action is refused with `status`, its message on the page again, nothing written."""
    before, state, lines = events(), fresh(dossier).status, lines_of(dossier)
    response = act(client, dossier, path, data)
    assert response.status_code == status, html(response)[:3000]
    assert message in text(response), text(response)[:3000]
    assert events() == before and fresh(dossier).status is state and lines_of(dossier) == lines
    return response


def post_forms(page):
    """The actions of the POST forms on a page (but the language and sign-out forms)."""
    return [
        action
        for action in re.findall(r'<form method="post" action="([^"]+)"', page)
        if action not in ("/language", "/logout")
    ]


# --- receiving a dossier ------------------------------------------------------------------------------


def test_receive_a_dossier_through_the_page(app, catalogue, clock):
    client = signed_in(app, catalogue.staff)
    page = html(client.get("/dossiers/new?procedure=1.001193"))
    birth = procedure("1.001193")
    # the procedures in force by name and code, the one asked for chosen, its papers offered
    assert "Đăng ký khai sinh (1.001193)" in page and "Chứng thực chữ ký (2.000884)" in page
    assert re.search(rf'<option selected value="{birth.id}">|<option value="{birth.id}" selected', page)
    assert f'value="{birth.id}:1"' in page and "Giấy chứng sinh" in page
    assert 'value="09:00"' in page  # the time of receipt: now
    clock.set(2026, 12, 7, 9, 20)
    response = submit(
        client,
        "/dossiers/new",
        {
            "procedure": str(birth.id),
            "channel": "online",
            "applicant_name": "Nguyễn Thị Hoa",
            "applicant_phone": "0912 345 678",
            "applicant_address": "Thôn 3",
            "requirements": [f"{birth.id}:1"],
            "other_components": "Bản sao CCCD của mẹ\n\n  Giấy đăng ký kết hôn  ",
            "received_time": "08:45",  # taken at the desk before
        },
        page="/dossiers/new",
    )
    assert response.status_code == 303, html(response)[:3000]
    (dossier,) = db.session.scalars(select(Dossier))
    assert response.headers["Location"] == f"/dossiers/{dossier.code}"
    assert dossier.code == "TTHCC-a-261207-001" and dossier.channel.value == "online"
    assert dossier.received_at == vn(2026, 12, 7, 8, 45) and dossier.due_date == dt.date(2026, 12, 7)
    assert dossier.components == ["Giấy chứng sinh", "Bản sao CCCD của mẹ", "Giấy đăng ký kết hôn"]
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.applicant_address) == (
        "Nguyễn Thị Hoa",
        "0912 345 678",
        "Thôn 3",
    )
    shown = html(client.get(response.headers["Location"]))
    assert "Dossier TTHCC-a-261207-001 has been received; the result is due on 07/12/2026." in shown
    # the time left as the form gave it: received now
    clock.set(2026, 12, 7, 9, 30)
    submit(
        client,
        "/dossiers/new",
        {
            "procedure": str(procedure("2.000884").id),
            "channel": "in_person",
            "applicant_name": "Lê Văn C",
            "received_time": "09:30",
        },
        page="/dossiers/new",
    )
    second = db.session.scalar(select(Dossier).where(Dossier.serial == 2))
    assert second.received_at == vn(2026, 12, 7, 9, 30) and second.due_date == dt.date(2026, 12, 9)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applicant_name": "  "}, "Enter the applicant's name."),
        ({"procedure": ""}, "Choose the procedure."),
        ({"procedure": "999999"}, "Not a valid choice."),
        ({"channel": "fax"}, "Not a valid choice."),
        ({"applicant_phone": "abc"}, "The phone number is not valid."),
        ({"received_time": "25:99"}, "Enter the time as HH:MM, for example 08:30."),
        ({"received_time": "11:00"}, "A dossier cannot be received in the future."),
    ],
)
def test_bad_input_on_receipt_is_refused_with_its_reason_and_nothing_written(app, catalogue, clock, changes, message):
    client = signed_in(app, catalogue.staff)
    data = {
        "procedure": str(procedure("2.000884").id),
        "channel": "in_person",
        "applicant_name": "Trần Văn B",
        "received_time": "09:00",
        **changes,
    }
    before = events()
    response = submit(client, "/dossiers/new", data, page="/dossiers/new")
    assert response.status_code == 400, html(response)[:3000]
    assert message in text(response)
    assert dossier_count() == 0 and events() == before


def test_a_procedure_without_a_process_in_force_cannot_be_chosen(app, catalogue, clock, make_user):
    from qms.auth.services import create_commune

    other = create_commune(None, code="XA-C", name="UBND xã C")
    db.session.commit()
    lonely = make_user("staff", commune=other, username="c_staff")
    page = html(signed_in(app, lonely).get("/dossiers/new"))
    assert 'id="no-procedures"' in page and "Đăng ký khai sinh" not in page


def test_only_those_who_receive_open_the_receipt_form(app, catalogue, clock):
    assert signed_in(app, catalogue.auditor).get("/dossiers/new").status_code == 403
    assert signed_in(app, catalogue.admin).get("/dossiers/new").status_code == 403
    assert signed_in(app, catalogue.leader).get("/dossiers/new").status_code == 200


# --- a dossier's page -----------------------------------------------------------------------------------


def test_the_page_shows_where_the_dossier_stands_and_its_control_sheet(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))  # 2.000884: receive (2 h, due 10:00), then sign (1 day)
    services.hand_over(catalogue.staff, dossier, to_user=catalogue.leader, notes="Đủ giấy tờ")  # 09:00
    db.session.commit()
    page = html(signed_in(app, catalogue.leader).get(f"/dossiers/{dossier.code}"))
    assert dossier.code in page and "Chứng thực chữ ký" in page
    assert 'href="/procedures/2.000884"' in page
    assert "07/12/2026 08:00" in page and "09/12/2026" in page  # received, due
    assert "dossier-status-in_progress" in page and "In person" in page
    # the step in progress, who holds it, when it is due (1 working day from 09:00)
    assert "Step in progress: Ký chứng thực, held by A leader, since 07/12/2026 09:00." in page
    assert "This step is due by 08/12/2026 09:00." in page
    assert re.search(r'class="[^"]*step-done[^"]*" id="step-receive"', page)
    assert re.search(r'class="[^"]*step-current[^"]*" id="step-sign"', page)
    # the control sheet's line: what, from, to, when, notes, the step's due time, its timeliness
    line = re.search(r'<tr id="line-1">(.*?)</tr>', page, re.S).group(1)
    for expected in (
        "Handed over",
        "Tiếp nhận, kiểm tra giấy tờ",
        "A staff",
        "A leader",
        "07/12/2026 09:00",
        "Đủ giấy tờ",
        "07/12/2026 10:00",
        "timeliness-on_time",
    ):
        assert expected in line, expected


def test_another_communes_dossier_is_not_found(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))
    assert signed_in(app, catalogue.other_staff).get(f"/dossiers/{dossier.code}").status_code == 404
    assert signed_in(app, catalogue.staff).get("/dossiers/TTHCC-a-000000-999").status_code == 404


def test_the_applicant_is_shown_to_the_handler_only_and_each_reading_is_recorded(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0), applicant_address="Xóm Bãi")
    path = f"/dossiers/{dossier.code}"
    for reader in (catalogue.auditor, catalogue.qo, catalogue.leader):
        client = signed_in(app, reader)
        before = events()
        page = html(client.get(path))
        assert 'id="applicant-hidden"' in page, reader.username
        assert "Nguyễn Văn An" not in page and "0912 345 678" not in page and "Xóm Bãi" not in page
        assert events() == before
    handler = signed_in(app, catalogue.staff)
    for reading in (1, 2):
        page = html(handler.get(path))
        assert "Nguyễn Văn An" in page and "0912 345 678" in page and "Xóm Bãi" in page
        assert events("dossier.applicant_read") == reading
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.applicant_read")).first()
    assert event.actor_id == catalogue.staff.id and event.entity_id == str(dossier.id)
    # handed to the leader, the leader handles it too
    services.hand_over(catalogue.staff, fresh(dossier), to_user=catalogue.leader)
    db.session.commit()
    assert "Xóm Bãi" in html(signed_in(app, catalogue.leader).get(path))
    assert events("dossier.applicant_read") == 3


# --- the actions ---------------------------------------------------------------------------------------


def test_hand_over_through_its_form(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))
    staff = signed_in(app, catalogue.staff)
    page = html(staff.get(f"/dossiers/{dossier.code}"))
    assert {"handover-form", "supplement-form", "refuse-form", "withdraw-form"} <= ids(page)
    assert "result-form" not in ids(page) and "apology-form" not in ids(page)
    refused(staff, dossier, "hand-over", {"to_user": ""}, 400, "Choose who receives the dossier.")
    refused(staff, dossier, "hand-over", {"to_user": "abc"}, 400, "Choose who receives the dossier.")
    refused(staff, dossier, "hand-over", {"to_user": str(catalogue.other_staff.id)}, 400, "Not a valid choice.")
    response = act(staff, dossier, "hand-over", {"to_user": str(catalogue.leader.id), "notes": "Chuyển ký"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#control-sheet")
    dossier = fresh(dossier)
    assert dossier.holder_id == catalogue.leader.id and dossier.step_id == "sign" and lines_of(dossier) == 1
    assert "The dossier has been handed over to A leader." in html(staff.get(f"/dossiers/{dossier.code}"))
    # no longer the holder: refused before anything
    before = events()
    assert act(staff, dossier, "hand-over", {"to_user": str(catalogue.qo.id)}).status_code == 403
    assert events() == before


def test_supplement_requested_and_received_through_their_forms(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))
    staff = signed_in(app, catalogue.staff)
    refused(staff, dossier, "supplement", {"items": "  \n "}, 400, "List what the citizen must supplement.")
    assert act(staff, dossier, "supplement", {"items": "Bản sao CCCD\nGiấy ủy quyền"}).status_code == 303
    dossier = fresh(dossier)
    assert dossier.status is DossierStatus.supplement and dossier.supplement_items == ["Bản sao CCCD", "Giấy ủy quyền"]
    page = html(staff.get(f"/dossiers/{dossier.code}"))
    assert "supplement-received-form" in ids(page) and "handover-form" not in ids(page)
    assert "Bản sao CCCD" in page
    refused(
        staff,
        dossier,
        "hand-over",
        {"to_user": str(catalogue.leader.id)},
        409,
        "The dossier waits for the citizen's supplement; record it first.",
    )
    clock.set(2026, 12, 9, 14, 0)  # back on Wednesday: 2 working days paused
    staff = signed_in(app, catalogue.staff)  # (the session of Monday has been idle too long)
    response = act(staff, dossier, "supplement-received", {"notes": "Đã nhận đủ"})
    assert response.status_code == 303
    dossier = fresh(dossier)
    assert dossier.status is DossierStatus.in_progress and dossier.due_date == dt.date(2026, 12, 11)
    assert "the result is now due on 11/12/2026" in html(staff.get(f"/dossiers/{dossier.code}"))
    refused(
        staff, dossier, "supplement", {"items": "Khác"}, 409, "A supplement can be requested only once for a dossier."
    )
    refused(staff, dossier, "supplement-received", {}, 409, "This dossier is not waiting for a supplement.")


def test_result_and_return_through_their_forms(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))
    staff = signed_in(app, catalogue.staff)
    refused(staff, dossier, "result", {}, 409, "The result is recorded at the last step (Ký chứng thực).")
    refused(staff, dossier, "return", {}, 409, "The result is not ready yet.")
    act(staff, dossier, "hand-over", {"to_user": str(catalogue.leader.id)})
    leader = signed_in(app, catalogue.leader)
    page = html(leader.get(f"/dossiers/{dossier.code}"))
    assert "result-form" in ids(page) and "handover-form" not in ids(page)
    clock.set(2026, 12, 8, 15, 0)
    leader = signed_in(app, catalogue.leader)
    assert act(leader, dossier, "result", {"notes": "Đã ký"}).status_code == 303
    dossier = fresh(dossier)
    assert dossier.status is DossierStatus.result_ready and dossier.timeliness is Timeliness.early
    assert "return-form" in ids(html(leader.get(f"/dossiers/{dossier.code}")))
    assert act(leader, dossier, "return", {}).status_code == 303
    dossier = fresh(dossier)
    assert dossier.status is DossierStatus.returned and lines_of(dossier) == 3
    page = html(leader.get(f"/dossiers/{dossier.code}"))
    # handling has ended: the only form left is the citizen's rating, for whoever returned the result
    assert post_forms(page) == [f"/dossiers/{dossier.code}/rating"] and "timeliness-early" in page
    assert 'class="list-group-item d-flex justify-content-between align-items-start gap-2 step-done' in page


def test_refuse_and_withdraw_through_their_forms(app, catalogue, receive, clock):
    first, second = receive(vn(2026, 12, 7, 8, 0)), receive(vn(2026, 12, 7, 8, 30))
    qo = signed_in(app, catalogue.qo)  # the quality officer may act for an absent holder
    refused(qo, first, "refuse", {"reason": " "}, 400, "Give the reason for refusing.")
    assert act(qo, first, "refuse", {"reason": "Không thuộc thẩm quyền của xã"}).status_code == 303
    assert fresh(first).status is DossierStatus.refused
    assert "Không thuộc thẩm quyền của xã" in html(qo.get(f"/dossiers/{first.code}"))
    refused(qo, first, "withdraw", {"reason": "x"}, 409, "This dossier is no longer being handled.")
    refused(qo, second, "withdraw", {"reason": ""}, 400, "Give the citizen's reason for withdrawing.")
    assert act(qo, second, "withdraw", {"reason": "Công dân xin rút"}).status_code == 303
    assert fresh(second).status is DossierStatus.withdrawn and fresh(second).withdraw_reason == "Công dân xin rút"


def test_the_apology_letter_through_its_form(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))  # due 09/12
    clock.set(2026, 12, 8, 9, 0)
    assert "apology-form" not in ids(html(signed_in(app, catalogue.staff).get(f"/dossiers/{dossier.code}")))
    assert act(signed_in(app, catalogue.staff), dossier, "apology", {}).status_code == 403
    leader = signed_in(app, catalogue.leader)
    assert "apology-form" in ids(html(leader.get(f"/dossiers/{dossier.code}")))
    good = {"reason": "Cần xác minh thêm", "new_due_date": "14/12/2026", "password": PASSWORD}
    refused(leader, dossier, "apology", {**good, "reason": ""}, 400, "Give the reason for the delay.")
    refused(leader, dossier, "apology", {**good, "new_due_date": "31/02/2026"}, 400, "Enter the date as dd/mm/yyyy.")
    refused(
        leader,
        dossier,
        "apology",
        {**good, "new_due_date": "13/12/2026"},
        400,
        "The new return date must be a working day after the due date.",
    )
    # a wrong password signs nothing (the attempt itself is recorded, as every wrong password is)
    response = act(leader, dossier, "apology", {**good, "password": "wrong"})
    assert response.status_code == 403 and "The password is wrong; nothing was signed." in text(response)
    assert fresh(dossier).apology_signed_at is None and fresh(dossier).due_date == dt.date(2026, 12, 9)
    assert act(leader, dossier, "apology", good).status_code == 303
    dossier = fresh(dossier)
    assert dossier.due_date == dt.date(2026, 12, 14)
    page = html(leader.get(f"/dossiers/{dossier.code}"))
    assert "Originally due on 09/12/2026." in page and "New return date 14/12/2026" in page
    assert "Cần xác minh thêm" in page and "apology-form" not in ids(page)
    assert find_opened_from(catalogue.commune.id, dossier).source is NcSource.late_dossier


def test_the_auditor_reads_everything_and_changes_nothing(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))
    auditor = signed_in(app, catalogue.auditor)
    ledger = html(auditor.get("/dossiers/"))
    assert dossier.code in ledger and "receive-dossier" not in ids(ledger)
    page = html(auditor.get(f"/dossiers/{dossier.code}"))
    assert post_forms(page) == [] and "Nguyễn Văn An" not in page
    before = events()
    for path, data in (
        ("hand-over", {"to_user": str(catalogue.leader.id)}),
        ("supplement", {"items": "x"}),
        ("supplement-received", {}),
        ("refuse", {"reason": "x"}),
        ("result", {}),
        ("return", {}),
        ("withdraw", {"reason": "x"}),
        ("apology", {"reason": "x", "new_due_date": "14/12/2026", "password": PASSWORD}),
    ):
        assert act(auditor, dossier, path, data).status_code == 403, path
    for path in ("/dossiers/new", "/dossiers/settings"):
        assert submit(auditor, path, {"applicant_name": "x", "code_format": "X-{nnn}"}).status_code == 403
    assert events() == before and dossier_count() == 1 and lines_of(dossier) == 0


def test_the_trail_names_a_dossiers_steps_as_its_process_map_does(app, catalogue, receive, clock):
    dossier = receive(vn(2026, 12, 7, 8, 0))  # 2.000884: receive, then sign
    services.hand_over(catalogue.staff, fresh(dossier), to_user=catalogue.leader)
    db.session.commit()
    page = html(signed_in(app, catalogue.auditor).get("/audit/?entity_type=dossiers"))
    assert '<span title="receive">Tiếp nhận, kiểm tra giấy tờ</span>' in page
    assert '<span title="sign">Ký chứng thực</span>' in page


# --- the ledger ----------------------------------------------------------------------------------------


def test_the_ledger_filters_by_procedure_status_period_and_lateness(app, catalogue, receive, clock):
    overdue = receive(vn(2026, 12, 1, 9, 0))  # due 03/12, still open on 07/12
    refused_one = receive(vn(2026, 12, 2, 9, 0))
    services.refuse_dossier(catalogue.staff, refused_one, reason="Thiếu thẩm quyền")
    birth = receive(vn(2026, 12, 7, 8, 0), code="1.001193")
    signature = receive(vn(2026, 12, 7, 8, 30))
    db.session.commit()
    client = signed_in(app, catalogue.staff)
    every = html(client.get("/dossiers/"))
    assert all(d.code in every for d in (overdue, refused_one, birth, signature)) and "4 dossiers" in every
    assert every.index(signature.code) < every.index(birth.code) < every.index(overdue.code)  # newest first
    assert re.search(rf'<tr id="dossier-{overdue.id}">.*?timeliness-overdue', every, re.S)
    by_procedure = html(client.get(f"/dossiers/?procedure={procedure('1.001193').id}"))
    assert birth.code in by_procedure and signature.code not in by_procedure
    by_status = html(client.get("/dossiers/?status=refused"))
    assert refused_one.code in by_status and overdue.code not in by_status
    period = html(client.get("/dossiers/?received_from=01/12/2026&received_to=02/12/2026"))
    assert overdue.code in period and refused_one.code in period and birth.code not in period
    late = html(client.get("/dossiers/?late=1"))
    assert overdue.code in late and "1 dossier" in late and signature.code not in late
    assert client.get("/dossiers/?status=nonsense").status_code == 400
    assert client.get("/dossiers/?received_from=31/12/2026&received_to=01/12/2026").status_code == 400
    assert client.get("/dossiers/?received_from=32/01/2026").status_code == 400
    assert client.get("/dossiers/?page=x").status_code == 400


def test_the_ledger_is_paginated_by_fifty(app, catalogue, clock):
    signature = procedure("2.000884")
    for n in range(52):
        services.receive_dossier(
            catalogue.staff,
            catalogue.commune,
            procedure=signature,
            channel="in_person",
            applicant_name=f"Người {n}",
            received_at=vn(2026, 12, 7, 7, 0) + dt.timedelta(minutes=n),
        )
    db.session.commit()
    client = signed_in(app, catalogue.staff)
    first = html(client.get("/dossiers/"))
    assert first.count('<tr id="dossier-') == 50 and "52 dossiers" in first and "?page=2" in first
    second = html(client.get("/dossiers/?page=2"))
    assert second.count('<tr id="dossier-') == 2 and "TTHCC-a-261207-001" in second


def test_the_ledger_as_an_excel_file(app, catalogue, receive, clock):
    from qms.dossiers.exports import vietnamese
    from qms.dossiers.labels import STATUS_LABELS

    first = receive(vn(2026, 12, 1, 9, 0))  # due 03/12: overdue
    second = receive(vn(2026, 12, 7, 8, 0), code="1.001193")
    services.hand_over(catalogue.staff, second, to_user=catalogue.leader)
    # a dossier imported from the provincial system keeps its code, here one that reads like a formula
    imported = services.receive_dossier(
        catalogue.staff,
        catalogue.commune,
        procedure=procedure("2.000884"),
        channel="online",
        applicant_name="Phạm D",
        received_at=vn(2026, 12, 7, 8, 30),
        code="=1+2",
    )
    db.session.commit()
    client = signed_in(app, catalogue.auditor)
    response = client.get("/dossiers/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "ỦY BAN NHÂN DÂN" and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in rows[0]
    assert rows[5][0] == "SỔ THEO DÕI HỒ SƠ"
    assert rows[9][:3] == ["STT", "Mã hồ sơ", "Thủ tục hành chính"]
    body = rows[10:]
    assert [r[1] for r in body] == [imported.code, second.code, first.code]
    assert body[1][:4] == [2, second.code, "Đăng ký khai sinh (1.001193)", "07/12/2026 08:00"]
    assert body[1][4] == dt.datetime(2026, 12, 7) and body[1][5] == vietnamese(STATUS_LABELS, DossierStatus.in_progress)
    assert body[1][6] == "Thẩm định hồ sơ, dự thảo Giấy khai sinh – A leader"
    assert body[2][7] == "Quá hạn (chưa giải quyết)"
    # the imported code stays text, never a formula
    code_cell = sheet.cell(row=11, column=2)
    assert code_cell.value == "=1+2" and code_cell.data_type == "s" and code_cell.quotePrefix
    # the page's filters apply, and say so under the title
    late = load_workbook(io.BytesIO(client.get("/dossiers/export.xlsx?late=1").get_data())).active
    assert [row[1].value for row in late.iter_rows(min_row=11)] == [first.code]
    assert late.cell(row=8, column=1).value == "Chỉ những hồ sơ trễ hạn"
    assert client.get("/dossiers/export.xlsx?status=x").status_code == 400


def test_an_empty_ledger_file_says_so(app, catalogue, clock):
    response = signed_in(app, catalogue.staff).get("/dossiers/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.cell(row=11, column=1).value == "Không có hồ sơ nào."


# --- the code format --------------------------------------------------------------------------------


def test_the_quality_officer_sets_the_code_format(app, catalogue, receive, clock):
    receive(vn(2026, 12, 7, 8, 0))
    qo = signed_in(app, catalogue.qo)
    page = html(qo.get("/dossiers/settings"))
    assert "{unit}-{yymmdd}-{nnn}" in page and "TTHCC-a-261207-002" in page
    before = events()
    response = submit(qo, "/dossiers/settings", {"code_format": "HS-{yyyy}"}, page="/dossiers/settings")
    assert response.status_code == 400 and "The dossier code format needs one daily serial" in html(response)
    assert events() == before
    response = submit(
        qo, "/dossiers/settings", {"code_format": "HS/{yyyy}/{nnnn}", "reason": "Theo tỉnh"}, page="/dossiers/settings"
    )
    assert response.status_code == 303
    assert "HS/2026/0002" in html(qo.get("/dossiers/settings"))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.code_format_changed")).one()
    assert event.actor_id == catalogue.qo.id and event.reason == "Theo tỉnh"
    db.session.expire_all()
    assert receive(vn(2026, 12, 7, 9, 0)).code == "HS/2026/0002"
    # a code with slashes has its page and actions
    staff = signed_in(app, catalogue.staff)
    assert staff.get("/dossiers/HS/2026/0002").status_code == 200
    assert signed_in(app, catalogue.staff).get("/dossiers/settings").status_code == 403
