"""The JSON API of dossiers (/api/v1/dossiers), through the test client with bearer tokens: receiving
one dossier and a batch whose bad items are refused one by one while the good ones are kept, the
idempotent code of a dossier from another system, every step with its refusals (status, code,
nothing changed), the applicant's details only for those handling the dossier with each reading
recorded, the ledger's filters and cursor, the auditor refused every write, another commune's
dossiers never found, and the OpenAPI document describing every route."""

import pytest
from sqlalchemy import func, select

from qms.auth.services import create_api_token
from qms.core.calendar import clock_at
from qms.db import db
from qms.dossiers.models import Dossier
from qms.nonconformities.models import NcSource
from qms.nonconformities.services import find_opened_from
from qms.processes.models import ProcessMapVersion
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient, events, head_seq
from tests.dossiers.conftest import vn

API = "/api/v1/dossiers"
MONDAY = vn(2026, 12, 7, 9, 0)  # 2.000884 (2 working days) received now is due Wednesday 09/12


@pytest.fixture
def client_class():
    """Each request in its own app context, as in production (no user or session carried over)."""
    return IsolatedClient


@pytest.fixture
def tokens(catalogue):
    """A bearer token per person; the API answers in its user's language: these tests read English."""
    out = {}
    for name in ("qo", "qo2", "leader", "staff", "staff2", "auditor", "admin", "other_qo", "other_staff"):
        catalogue[name].locale = "en"
        _token, plain = create_api_token(catalogue[name], catalogue[name], "test")
        out[name] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return out


def dossier_count():
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Dossier)).scalar_one()


def item(procedure="2.000884", **fields):
    values = {
        "procedure": procedure,
        "channel": "in_person",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912 345 678", "address": "Thôn 3"},
        "components": ["Giấy đề nghị chứng thực", "Bản sao CCCD"],
    }
    values.update(fields)
    return values


def send(client, headers, body, path="", at=MONDAY, expect=None):
    with clock_at(at):
        response = client.post(API + path, json=body, headers=headers)
    if expect is not None:
        assert response.status_code == expect, response.get_json()
    return response


def receive(client, headers, at=MONDAY, **fields):
    return send(client, headers, item(**fields), at=at, expect=201).get_json()["dossier"]


def get(client, headers, path="", expect=200, at=MONDAY, **params):
    with clock_at(at):
        response = client.get(API + path, headers=headers, query_string=params)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def step(client, headers, code, name, expect=200, at=MONDAY, **body):
    response = send(client, headers, body, path=f"/{code}/{name}", at=at)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def assert_refused(client, headers, code, name, status, error, words, at=MONDAY, **body):
    """POST a step that must be refused: its status, code and message; the dossier and the audit trail
    stay as they were (read by the auditor, who sees no personal data and records nothing)."""
    before_record, before_events = get(client, AUDITOR, f"/{code}", at=at), head_seq()
    answer = step(client, headers, code, name, expect=status, at=at, **body)
    assert answer["error"] == error and words in answer["message"], answer
    assert head_seq() == before_events
    assert get(client, AUDITOR, f"/{code}", at=at) == before_record
    return answer


AUDITOR = {}  # set by the autouse fixture below: the auditor's headers, for reading without a trace


@pytest.fixture(autouse=True)
def _auditor_reads(tokens):
    AUDITOR.clear()
    AUDITOR.update(tokens["auditor"])


# --- receiving ------------------------------------------------------------------------------------


def test_one_dossier_is_received_with_its_code_due_date_and_process(client, tokens, catalogue):
    before = head_seq()
    response = send(client, tokens["staff"], item(), expect=201)
    answer = response.get_json()
    dossier = answer["dossier"]
    assert answer["created"] is True and response.headers["Location"] == f"{API}/TTHCC-a-261207-001"
    assert dossier["code"] == "TTHCC-a-261207-001"
    assert dossier["received_at"] == "2026-12-07T02:00:00+00:00"
    assert (dossier["effective_receipt_date"], dossier["due_date"]) == ("2026-12-07", "2026-12-09")
    assert dossier["status"] == "in_progress" and dossier["late"] is False and dossier["timeliness"] is None
    assert dossier["step"]["id"] == "receive" and dossier["step"]["due_at"] == "2026-12-07T04:00:00+00:00"
    assert dossier["holder"]["username"] == catalogue.staff.username
    assert dossier["received_by"]["username"] == catalogue.staff.username
    assert dossier["components"] == ["Giấy đề nghị chứng thực", "Bản sao CCCD"]
    mapped = db.session.scalar(select(ProcessMapVersion).join(Dossier).where(Dossier.code == dossier["code"]))
    assert dossier["process"]["digest"] == mapped.digest and len(mapped.digest) == 64
    assert dossier["process"]["document_version"] == {
        "code": "QT-10",
        "issue_no": 1,
        "issue_label": "01",
        "status": "effective",
    }
    assert [s["id"] for s in dossier["process"]["steps"]] == ["receive", "sign"]
    assert dossier["applicant"] is None and dossier["control_sheet"] == []  # never echoed back
    assert [e["action"] for e in events(after=before)] == ["dossier.received"]


def test_a_time_without_an_offset_is_vietnam_time(client, tokens):
    # 14:30 in Vietnam is before the 15:00 cut-off: due that Friday; read as UTC it would be 21:30, after it
    early = receive(client, tokens["staff"], procedure="1.001193", received_at="2026-12-04T14:30")
    assert early["received_at"] == "2026-12-04T07:30:00+00:00" and early["due_date"] == "2026-12-04"
    late = receive(client, tokens["staff"], procedure="1.001193", received_at="2026-12-04T15:01:00+07:00")
    assert (late["effective_receipt_date"], late["due_date"]) == ("2026-12-07", "2026-12-07")


def test_a_batch_keeps_its_good_items_and_reports_each_bad_one(client, tokens):
    before, count = head_seq(), dossier_count()
    batch = [
        item(),
        item(procedure="9.999999"),
        item(channel="fax"),
        item(procedure="1.001193", code="000.00.15.H12-261207-0001"),
        item(applicant={"name": " "}),
        item(colour="blue"),
        item(received_at="2099-01-01T08:00:00+07:00"),
    ]
    answer = send(client, tokens["staff"], batch, expect=200).get_json()
    assert (answer["received"], answer["existing"], answer["refused"]) == (2, 0, 5)
    assert [i["index"] for i in answer["items"]] == list(range(7))
    assert answer["items"][0]["code"] == "TTHCC-a-261207-001" and answer["items"][0]["created"] is True
    assert answer["items"][3]["code"] == "000.00.15.H12-261207-0001"
    errors = {i["index"]: i["error"] for i in answer["items"] if "error" in i}
    assert {k: e["code"] for k, e in errors.items()} == {
        1: "unknown_procedure",
        2: "invalid_channel",
        4: "applicant_required",
        5: "unknown_field",
        6: "future",
    }
    assert "9.999999" in errors[1]["message"] and "colour" in errors[5]["message"]
    assert dossier_count() == count + 2
    assert [e["action"] for e in events(after=before)] == ["dossier.received"] * 2
    assert get(client, tokens["staff"], "/TTHCC-a-261207-001")["status"] == "in_progress"


BAD_BODIES = [
    ([], "empty_batch"),
    ([item()] * 501, "batch_too_large"),
    ([item(), "not an object"], "bad_json"),
    ("a dossier", "bad_json"),
    (item(colour="blue"), "unknown_field"),
    (item(applicant={"name": "An", "email": "an@example.com"}), "unknown_field"),
    (item(applicant="Nguyễn Văn An"), "bad_field"),
    (item(components="CCCD"), "bad_field"),
    (item(received_at="07/12/2026 09:00"), "bad_field"),
    (item(received_at="1899-12-07T09:00"), "bad_field"),
    (item(received_at="2026-12-08T09:00:00+07:00"), "future"),
    (item(procedure="9.999999"), "unknown_procedure"),
    (item(procedure=""), "procedure_required"),
    (item(code="H" * 61), "bad_field"),
    (item(channel="fax"), "invalid_channel"),
    (item(applicant={"phone": "abc", "name": "An"}), "invalid_phone"),
]


def test_a_bad_body_is_refused_with_its_reason_and_writes_nothing(client, tokens):
    before, count = head_seq(), dossier_count()
    for body, error in BAD_BODIES:
        answer = send(client, tokens["staff"], body, expect=400).get_json()
        assert answer["error"] == error and answer["message"], (body, answer)
    with clock_at(MONDAY):
        response = client.post(API, data="procedure=2.000884", headers=tokens["staff"])
    assert response.status_code == 400 and response.get_json()["error"] == "json_required"
    assert head_seq() == before and dossier_count() == count


def test_a_code_from_another_system_is_kept_and_received_once(client, tokens, catalogue):
    code = "HS/2026/000123"  # its slashes are part of the code, in the URL too
    first = send(client, tokens["staff"], item(code=code), expect=201).get_json()
    assert first["created"] is True and first["dossier"]["code"] == code
    before, count = head_seq(), dossier_count()
    again = send(client, tokens["staff2"], item(code=f" {code} ", channel="online"), expect=200).get_json()
    assert again["created"] is False and again["dossier"]["code"] == code
    assert again["dossier"]["channel"] == "in_person"  # the dossier recorded, not the one sent again
    assert head_seq() == before and dossier_count() == count
    batch = send(client, tokens["staff"], [item(code=code), item(code="HS/2026/000124")], expect=200).get_json()
    assert (batch["received"], batch["existing"], batch["refused"]) == (1, 1, 0)
    assert batch["items"][0] == {"index": 0, "code": code, "created": False, "links": {"self": f"{API}/{code}"}}
    assert get(client, tokens["auditor"], f"/{code}")["code"] == code


def test_only_receivers_receive(client, tokens):
    count, before = dossier_count(), head_seq()
    for who in ("auditor", "admin"):
        answer = send(client, tokens[who], item(), expect=403).get_json()
        assert answer["error"] == "forbidden"
        assert send(client, tokens[who], [item()], expect=403).get_json()["error"] == "forbidden"
    assert dossier_count() == count and head_seq() == before
    for who in ("leader", "qo"):
        receive(client, tokens[who])
    assert dossier_count() == count + 2


# --- the steps ------------------------------------------------------------------------------------


def test_a_dossier_walks_every_step_to_its_return(client, tokens, catalogue):
    code = receive(client, tokens["staff"], procedure="1.001193")["code"]  # receive, appraise, sign, return
    at = vn(2026, 12, 7, 9, 30)
    assert_refused(client, tokens["staff"], code, "handover", 400, "unknown_user", "nobody", at=at, to="nobody")
    other = catalogue.other_staff.username
    assert_refused(client, tokens["staff"], code, "handover", 400, "unknown_user", other, at=at, to=other)
    assert_refused(
        client, tokens["staff"], code, "handover", 400, "not_a_handler", "does not handle", at=at, to="a_auditor"
    )
    assert_refused(client, tokens["staff"], code, "handover", 400, "bad_field", "to is required", at=at)
    assert_refused(
        client, tokens["staff"], code, "handover", 400, "unknown_field", "who", at=at, to="a_staff2", who="me"
    )
    assert_refused(client, tokens["staff"], code, "result", 409, "not_last_step", "last step", at=at)
    assert_refused(client, tokens["staff"], code, "return", 409, "not_ready", "not ready", at=at)
    assert_refused(client, tokens["staff"], code, "supplement-received", 409, "not_waiting", "not waiting", at=at)

    sheet = step(client, tokens["staff"], code, "handover", at=at, to="a_staff2", notes="Đủ giấy tờ")
    assert sheet["holder"]["username"] == "a_staff2" and sheet["step"]["id"] == "appraise"
    (line,) = sheet["control_sheet"]
    assert line["kind"] == "handover" and line["step"] == {"id": "receive", "name": "Tiếp nhận, kiểm tra hồ sơ"}
    assert line["from"]["username"] == "a_staff" and line["to"]["username"] == "a_staff2"
    assert line["notes"] == "Đủ giấy tờ" and line["timeliness"] == "on_time"
    assert line["step_due_at"] == "2026-12-07T03:00:00+00:00"  # the receive step: 1 working hour from 09:00

    # the staff member no longer holds it
    assert_refused(client, tokens["staff"], code, "supplement", 403, "forbidden", "holding", at=at, items=["CCCD"])
    assert_refused(client, tokens["staff2"], code, "supplement", 400, "items_required", "supplement", at=at, items=[])
    assert_refused(client, tokens["staff2"], code, "supplement", 400, "bad_field", "items", at=at, items="CCCD")
    waiting = step(client, tokens["staff2"], code, "supplement", at=at, items=["Giấy chứng sinh bản chính"])
    assert waiting["status"] == "supplement" and waiting["supplement"]["items"] == ["Giấy chứng sinh bản chính"]
    assert waiting["step"]["due_at"] is None  # the clock stands still
    assert_refused(client, tokens["staff2"], code, "handover", 409, "not_open", "supplement", at=at, to="a_leader")
    back = step(client, tokens["staff2"], code, "supplement-received", at=vn(2026, 12, 8, 9, 0), notes="Đã bổ sung")
    assert back["status"] == "in_progress" and back["paused_days"] == 1 and back["due_date"] == "2026-12-08"
    at = vn(2026, 12, 8, 9, 30)
    assert_refused(client, tokens["staff2"], code, "supplement", 409, "once", "only once", at=at, items=["Khác"])

    step(client, tokens["staff2"], code, "handover", at=at, to="a_leader")
    step(client, tokens["leader"], code, "handover", at=vn(2026, 12, 8, 10, 0), to="a_staff")
    assert_refused(client, tokens["staff"], code, "handover", 409, "last_step", "last step", at=at, to="a_leader")
    done = step(client, tokens["staff"], code, "result", at=vn(2026, 12, 8, 10, 30))
    assert done["status"] == "result_ready" and done["timeliness"] == "on_time" and done["step"] is None
    assert_refused(client, tokens["staff"], code, "result", 409, "not_open", "no longer", at=at)
    returned = step(client, tokens["staff"], code, "return", at=vn(2026, 12, 8, 11, 0))
    assert returned["status"] == "returned" and returned["holder"] is None
    assert [line["kind"] for line in returned["control_sheet"]] == [
        "handover",
        "supplement_requested",
        "supplement_received",
        "handover",
        "handover",
        "result_ready",
        "returned",
    ]
    assert_refused(client, tokens["staff"], code, "refusal", 403, "forbidden", "holding", at=at, reason="Muộn")
    assert_refused(client, tokens["qo"], code, "refusal", 409, "not_open", "no longer", at=at, reason="Muộn")


def test_a_late_result_opens_a_nonconformity(client, tokens, catalogue):
    code = receive(client, tokens["staff"])["code"]  # due Wednesday 09/12
    step(client, tokens["staff"], code, "handover", at=vn(2026, 12, 7, 10, 0), to="a_leader")
    late = step(client, tokens["leader"], code, "result", at=vn(2026, 12, 10, 8, 0))
    assert late["timeliness"] == "late" and late["late"] is True
    nc = find_opened_from(catalogue.commune.id, db.session.scalar(select(Dossier).where(Dossier.code == code)))
    assert nc.source is NcSource.late_dossier and nc.dossier_code == code


def test_a_refusal_and_a_withdrawal_need_their_reason_and_end_the_dossier(client, tokens):
    refused = receive(client, tokens["staff"])["code"]
    assert_refused(client, tokens["staff"], refused, "refusal", 400, "reason_required", "reason", reason="  ")
    assert_refused(client, tokens["staff"], refused, "refusal", 400, "bad_field", "text", reason=42)
    answer = step(client, tokens["staff"], refused, "refusal", reason="Không thuộc thẩm quyền của xã")
    assert answer["status"] == "refused" and answer["refusal_reason"] == "Không thuộc thẩm quyền của xã"
    assert answer["completed_at"] and answer["holder"] is None

    withdrawn = receive(client, tokens["staff"])["code"]
    assert_refused(client, tokens["staff"], withdrawn, "withdrawal", 400, "reason_required", "reason")
    # the quality officer may act for an absent holder
    answer = step(client, tokens["qo"], withdrawn, "withdrawal", reason="Công dân đổi ý")
    assert answer["status"] == "withdrawn" and answer["withdraw_reason"] == "Công dân đổi ý"
    assert_refused(client, tokens["qo"], withdrawn, "withdrawal", 409, "not_open", "no longer", reason="Lại")


def test_a_leader_signs_the_apology_letter_once_with_a_new_date(client, tokens, catalogue):
    code = receive(client, tokens["staff"])["code"]  # due Wednesday 09/12
    at = vn(2026, 12, 8, 9, 0)
    good = {"reason": "Cần xác minh thêm", "new_due_date": "2026-12-14", "password": PASSWORD}
    # only a leader: anyone else is refused before the body is read
    for who in ("staff", "qo"):
        assert_refused(client, tokens[who], code, "extension", 403, "forbidden", "Only a leader", at=at, password="")

    def refused(error, words, **changed):
        assert_refused(client, tokens["leader"], code, "extension", 400, error, words, at=at, **{**good, **changed})

    refused("password_required", "password", password="")
    refused("reason_required", "reason", reason="")
    refused("invalid_date", "working day", new_due_date="2026-12-13")  # a Sunday
    refused("invalid_date", "working day", new_due_date="2026-12-08")  # before the due date
    refused("bad_field", "ISO date", new_due_date="14/12/2026")
    refused("unknown_field", "signer", signer="a_leader")
    # a wrong password signs nothing, but the attempt is recorded
    before = head_seq()
    wrong = step(client, tokens["leader"], code, "extension", expect=403, at=at, **{**good, "password": "wrong"})
    assert wrong["error"] == "bad_password"
    assert get(client, AUDITOR, f"/{code}", at=at)["apology"] is None and head_seq() > before

    answer = step(client, tokens["leader"], code, "extension", at=at, **good)
    assert answer["due_date"] == "2026-12-14" and answer["late"] is False
    apology = answer["apology"]
    assert apology["reason"] == "Cần xác minh thêm" and apology["new_due_date"] == "2026-12-14"
    assert apology["signed_by"]["username"] == "a_leader" and apology["signature_valid"] is True
    assert answer["control_sheet"][-1]["kind"] == "extended"
    nc = find_opened_from(catalogue.commune.id, db.session.scalar(select(Dossier).where(Dossier.code == code)))
    assert nc.source is NcSource.late_dossier
    assert_refused(client, tokens["leader"], code, "extension", 409, "once", "only once", at=at, **good)


def test_too_late_for_an_apology_letter(client, tokens):
    code = receive(client, tokens["staff"])["code"]  # due Wednesday 09/12
    good = {"reason": "Cần xác minh thêm", "new_due_date": "2026-12-14", "password": PASSWORD}
    at = vn(2026, 12, 9, 8)  # the due date itself: too late
    assert_refused(client, tokens["leader"], code, "extension", 409, "too_late", "before the due date", at=at, **good)


def test_an_unknown_step_or_dossier_is_not_found(client, tokens):
    code = receive(client, tokens["staff"])["code"]
    before = head_seq()
    for path in (f"/{code}/approve", f"/{code}/hand-over", "/TTHCC-a-261207-999/approve"):
        answer = send(client, tokens["staff"], {"reason": "x"}, path=path, expect=404).get_json()
        assert answer["error"] == "unknown_step" and "handover, supplement" in answer["message"], path
    for path in ("/TTHCC-a-261207-999/refusal", f"/{code}x/refusal"):
        assert send(client, tokens["staff"], {"reason": "x"}, path=path, expect=404).get_json()["error"] == "not_found"
    assert get(client, tokens["staff"], "/TTHCC-a-261207-999", expect=404)["error"] == "not_found"
    assert head_seq() == before


# --- personal data --------------------------------------------------------------------------------


def test_the_applicant_is_shown_to_those_handling_the_dossier_and_each_reading_recorded(client, tokens, catalogue):
    code = receive(client, tokens["staff"])["code"]
    applicant = {"name": "Nguyễn Văn An", "phone": "0912 345 678", "address": "Thôn 3"}
    before = head_seq()
    for who in ("auditor", "qo", "leader", "staff2", "admin"):
        assert get(client, tokens[who], f"/{code}")["applicant"] is None, who
    assert head_seq() == before  # nothing shown, nothing recorded

    assert get(client, tokens["staff"], f"/{code}")["applicant"] == applicant
    (event,) = events(after=before)
    assert event["action"] == "dossier.applicant_read" and event["actor_id"] == catalogue.staff.id
    assert event["entity_type"] == "dossiers" and event["changes"] == {}
    # once handed over, the receiver and the new holder both handle it
    step(client, tokens["staff"], code, "handover", at=vn(2026, 12, 7, 9, 30), to="a_leader")
    seen = head_seq()
    assert get(client, tokens["leader"], f"/{code}")["applicant"] == applicant
    assert get(client, tokens["staff"], f"/{code}")["applicant"] == applicant
    assert [(e["action"], e["actor_id"]) for e in events(after=seen)] == [
        ("dossier.applicant_read", catalogue.leader.id),
        ("dossier.applicant_read", catalogue.staff.id),
    ]
    # neither the list nor a step's answer gives them
    listed = get(client, tokens["staff"])["dossiers"]
    assert all("applicant" not in d for d in listed)
    assert "Nguyễn Văn An" not in str(listed)


# --- the list -------------------------------------------------------------------------------------


@pytest.fixture
def ledger(client, tokens):
    """Six dossiers: four of 2.000884 and two of 1.001193 received from Tuesday 01/12 to Monday 07/12;
    the first (due Thursday 03/12) still open, so late on Monday; one refused."""
    codes = {}
    for name, procedure, received in (
        ("overdue", "2.000884", "2026-12-01T09:00"),
        ("tue", "1.001193", "2026-12-01T10:00"),
        ("thu", "2.000884", "2026-12-03T09:00"),
        ("fri", "1.001193", "2026-12-04T09:00"),
        ("refused", "2.000884", "2026-12-04T10:00"),
        ("mon", "2.000884", "2026-12-07T08:00"),
    ):
        codes[name] = receive(client, tokens["staff"], procedure=procedure, received_at=received)["code"]
    step(client, tokens["staff"], codes["refused"], "refusal", reason="Không thuộc thẩm quyền")
    return codes


def listed(client, headers, **params):
    return [d["code"] for d in get(client, headers, **params)["dossiers"]]


def test_the_list_filters_as_the_ledger_newest_first(client, tokens, ledger):
    order = ["mon", "refused", "fri", "thu", "tue", "overdue"]
    assert listed(client, tokens["auditor"]) == [ledger[n] for n in order]
    assert listed(client, tokens["staff"], procedure="1.001193") == [ledger["fri"], ledger["tue"]]
    assert listed(client, tokens["staff"], status="refused") == [ledger["refused"]]
    assert listed(client, tokens["staff"], received_from="2026-12-03", received_to="2026-12-04") == [
        ledger[n] for n in ("refused", "fri", "thu")
    ]
    # late: still being handled past the due date (the same-day ones of Tuesday and Friday too)
    assert listed(client, tokens["staff"], late="true") == [ledger[n] for n in ("fri", "tue", "overdue")]
    assert listed(client, tokens["staff"], late="false") == [ledger[n] for n in order]
    summary = get(client, tokens["staff"], status="refused")["dossiers"][0]
    assert summary["status"] == "refused" and summary["procedure"] == {"code": "2.000884", "name": "Chứng thực chữ ký"}
    assert summary["links"] == {"self": f"{API}/{ledger['refused']}", "page": f"/dossiers/{ledger['refused']}"}
    overdue = get(client, tokens["staff"], late="true", procedure="2.000884")["dossiers"]
    assert [(d["code"], d["late"], d["due_date"]) for d in overdue] == [(ledger["overdue"], True, "2026-12-03")]
    assert get(client, tokens["staff"], status="in_progress", procedure="2.000884")["dossiers"][0]["late"] is False


def test_the_cursor_walks_the_list_a_page_at_a_time(client, tokens, ledger, catalogue):
    seen, params = [], {"limit": "2"}
    while True:
        page = get(client, tokens["auditor"], **params)
        seen += [d["code"] for d in page["dossiers"]]
        if page["next_cursor"] is None:
            assert page["next"] is None
            break
        assert page["limit"] == 2 and page["next"].startswith(f"{API}?")
        params = {"limit": "2", "cursor": page["next_cursor"]}
        # a dossier received meanwhile does not shift the pages
        if len(seen) == 2:
            receive(client, tokens["staff"], at=vn(2026, 12, 7, 9, 30))
    assert seen == [ledger[n] for n in ("mon", "refused", "fri", "thu", "tue", "overdue")]
    filtered = get(client, tokens["auditor"], procedure="2.000884", limit="1")
    assert "procedure=2.000884" in filtered["next"] and "limit=1" in filtered["next"]


BAD_PARAMETERS = [
    ({"colour": "blue"}, "unknown_parameter"),
    ({"status": "lost"}, "bad_status"),
    ({"procedure": "9.999999"}, "bad_procedure"),
    ({"received_from": "07/12/2026"}, "bad_received_from"),
    ({"received_to": "2026-13-01"}, "bad_received_to"),
    ({"received_from": "2026-12-07", "received_to": "2026-12-01"}, "bad_period"),
    ({"late": "maybe"}, "bad_late"),
    ({"cursor": "not-a-cursor"}, "bad_cursor"),
    ({"cursor": "WyIyMDI2LTEyLTA3VDAyOjAwOjAwIiwgMV0"}, "bad_cursor"),  # a time without its zone
    ({"limit": "0"}, "bad_limit"),
    ({"limit": "201"}, "bad_limit"),
]


def test_a_bad_parameter_answers_400_with_the_reason(client, tokens):
    for params, error in BAD_PARAMETERS:
        answer = get(client, tokens["staff"], expect=400, **params)
        assert answer["error"] == error and answer["message"], (params, answer)


# --- who may do what --------------------------------------------------------------------------------


STEPS = ("handover", "supplement", "supplement-received", "refusal", "result", "return", "withdrawal", "extension")


def test_the_auditor_reads_and_changes_nothing(app, client, tokens):
    code = receive(client, tokens["staff"])["code"]
    writes = sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API)
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    )
    assert writes == [(API, "POST"), (f"{API}/<path:code>/<step>", "POST")]
    steps = STEPS
    before, count = head_seq(), dossier_count()
    assert get(client, tokens["auditor"], f"/{code}")["code"] == code
    assert listed(client, tokens["auditor"]) == [code]
    assert send(client, tokens["auditor"], item(), expect=403).get_json()["error"] == "forbidden"
    bodies = {"handover": {"to": "a_leader"}, "refusal": {"reason": "x"}, "withdrawal": {"reason": "x"}}
    for name in steps:
        answer = send(client, tokens["auditor"], bodies.get(name, {}), path=f"/{code}/{name}", expect=403).get_json()
        assert answer["error"] == "forbidden", name
    assert head_seq() == before and dossier_count() == count


def test_another_communes_dossier_is_never_found(app, client, tokens):
    code = receive(client, tokens["staff"])["code"]
    before = head_seq()
    assert get(client, tokens["other_qo"], f"/{code}", expect=404)["error"] == "not_found"
    assert listed(client, tokens["other_staff"]) == []
    for name in STEPS:
        if name == "extension":
            continue  # b's leader is not among the tokens; the route refuses others before looking
        body = {"handover": {"to": "b_leader"}, "supplement": {"items": ["x"]}}.get(name, {"reason": "x"})
        send(client, tokens["other_qo"], body, path=f"/{code}/{name}", expect=404)
    # a's code received again in b is b's own dossier, not a's
    mine = send(client, tokens["other_staff"], item(procedure="2.000884", code=code), expect=400).get_json()
    assert mine["error"] == "unknown_procedure"  # b has no such procedure: nothing of a's shows through
    assert head_seq() == before


# --- the OpenAPI document ---------------------------------------------------------------------------


def test_the_openapi_document_describes_the_dossier_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths[API]) == {"get", "post"}
    assert set(paths[f"{API}/{{code}}"]) == {"get"}
    steps = paths[f"{API}/{{code}}/{{step}}"]["post"]
    (step,) = [p for p in steps["parameters"] if p["name"] == "step"]
    assert step["in"] == "path" and step["schema"]["enum"] == list(STEPS)
    bodies = {b["title"]: b for b in steps["requestBody"]["content"]["application/json"]["schema"]["oneOf"]}
    assert list(bodies) == list(STEPS)
    assert set(bodies["extension"]["required"]) == {"reason", "new_due_date", "password"}
    assert bodies["handover"]["required"] == ["to"] and bodies["handover"]["additionalProperties"] is False
    assert {"200", "400", "403", "404", "409"} <= set(steps["responses"])
    assert all(f"* `{name}`" in steps["description"] for name in STEPS)
    receipt = paths[API]["post"]
    assert {"200", "201", "400", "409"} <= set(receipt["responses"])
    one, batch = receipt["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert one["required"] == ["procedure", "channel", "applicant"] and batch["maxItems"] == 500
    detail = paths[f"{API}/{{code}}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"applicant", "control_sheet", "process", "due_date", "holder", "step"} <= set(detail["properties"])
    assert [p["name"] for p in paths[API]["get"]["parameters"]] == [
        "procedure",
        "status",
        "received_from",
        "received_to",
        "late",
        "cursor",
        "limit",
    ]
