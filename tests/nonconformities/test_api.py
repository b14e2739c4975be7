"""The JSON API of nonconformities (/api/v1/nonconformities), through the test client with bearer
tokens: the register with its filters and cursor, reporting, the whole record, every step from a
report to a signed closure, every gate answering 409 with its code and message and changing nothing,
bad bodies, wrong passwords, concurrent changes, other communes, the auditor refused every write
(from the URL map), and the OpenAPI document describing every route with its body."""

import datetime as dt
import io

import pytest
from flask_babel import force_locale

from qms.auth.services import create_api_token
from qms.core.calendar import local_midnight, local_today
from qms.db import db
from qms.nonconformities import services
from qms.nonconformities.models import Nonconformity
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient, events, head_seq
from tests.files.samples import docx_bytes
from tests.nonconformities.conftest import walk_nc

API = "/api/v1/nonconformities"


@pytest.fixture
def client_class():
    """Each request in its own app context, as in production (no user or session carried over)."""
    return IsolatedClient


@pytest.fixture(autouse=True)
def english(people):
    """The API answers in its user's language: these tests read English."""
    for value in people.values():
        if hasattr(value, "locale"):
            value.locale = "en"
    db.session.commit()


@pytest.fixture
def tokens(people):
    out = {}
    for name in ("qo", "qo2", "leader", "staff", "staff2", "auditor", "admin", "other_qo", "other_staff"):
        _token, plain = create_api_token(people[name], people[name], "test")
        out[name] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return out


def post(client, headers, path, body=None, **kw):
    return client.post(path if path.startswith("/") else f"{API}/{path}", json=body or {}, headers=headers, **kw)


def step(client, headers, nc, name, expect=200, **body):
    response = post(client, headers, f"{nc.id}/{name}", body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def record(client, headers, nc):
    response = client.get(f"{API}/{nc.id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def english_message(message):
    with force_locale("en"):
        return str(message)


# --- the register ---------------------------------------------------------------------------------------


def numbers(response):
    assert response.status_code == 200, response.get_json()
    return [nc["number"] for nc in response.get_json()["nonconformities"]]


def test_the_list_filters_as_the_register(client, people, tokens, make_nc, make_unit):
    other_unit = make_unit(people.commune, code="VH-XH")
    audit = make_nc(source="internal_audit", severity="major", unit=other_unit)
    feedback = make_nc(source="citizen_feedback", severity="observation", unit=people.unit)
    walked = walk_nc(make_nc(), people, to="accepted")
    early = make_nc(detected_at=local_midnight(local_today() - dt.timedelta(days=40)))
    late = make_nc()
    services.record_correction(
        people.qo, late, what="Gọi lại", by=people.staff, due_on=local_today() - dt.timedelta(days=1)
    )
    services.report_nc(people.other_staff, people.other_commune, title="Của xã khác")
    db.session.commit()
    get = lambda query="": client.get(f"{API}{query}", headers=tokens["staff"])  # noqa: E731
    assert set(numbers(get())) == {nc.number for nc in (audit, feedback, walked, early, late)}
    assert numbers(get("?source=internal_audit")) == [audit.number]
    assert numbers(get("?severity=observation")) == [feedback.number]
    assert numbers(get("?status=action_plan")) == [walked.number]
    assert numbers(get(f"?unit={other_unit.code}")) == [audit.number]
    assert numbers(get(f"?unit={people.unit.id}")) == [feedback.number]
    assert numbers(get("?overdue=true")) == [late.number]
    day = (local_today() - dt.timedelta(days=40)).isoformat()
    assert numbers(get(f"?detected_from={day}&detected_to={day}")) == [early.number]
    assert early.number not in numbers(get(f"?detected_from={(local_today() - dt.timedelta(days=39)).isoformat()}"))
    item = next(i for i in get("?source=internal_audit").get_json()["nonconformities"])
    assert item == {
        "id": audit.id,
        "number": audit.number,
        "title": audit.title,
        "status": "new",
        "source": "internal_audit",
        "severity": "major",
        "unit": {"id": other_unit.id, "code": "VH-XH", "name": other_unit.name},
        "detected_at": audit.detected_at.isoformat(),
        "links": {"self": f"{API}/{audit.id}", "page": f"/nc/{audit.id}"},
    }


def test_paging_with_the_cursor_walks_every_nc_once(client, people, tokens, make_nc):
    made = [make_nc(detected_at=local_midnight(local_today()) - dt.timedelta(hours=3)) for _ in range(3)]
    made += [make_nc(source="internal_audit") for _ in range(2)]
    make_nc(source="other")
    seen, url, pages = [], f"{API}?limit=2&source=staff_report", 0
    while url:
        body = client.get(url, headers=tokens["qo"]).get_json()
        assert len(body["nonconformities"]) <= 2 and body["limit"] == 2
        seen += [nc["number"] for nc in body["nonconformities"]]
        url, pages = body["next"], pages + 1
        if url:
            assert "source=staff_report" in url and body["next_cursor"] in url
    assert pages == 2 and sorted(seen) == sorted(nc.number for nc in made[:3])
    first = client.get(f"{API}?limit=4", headers=tokens["qo"]).get_json()
    rest = client.get(f"{API}?limit=4&cursor={first['next_cursor']}", headers=tokens["qo"]).get_json()
    walked = [nc["number"] for nc in first["nonconformities"] + rest["nonconformities"]]
    assert len(walked) == 6 == len(set(walked)) and rest["next_cursor"] is None and rest["next"] is None
    assert client.get(API, headers=tokens["qo"]).get_json()["limit"] == 50


@pytest.mark.parametrize(
    "query, code",
    [
        ("?colour=red", "unknown_parameter"),
        ("?status=open", "bad_status"),
        ("?source=rumour", "bad_source"),
        ("?severity=huge", "bad_severity"),
        ("?unit=NOWHERE", "bad_unit"),
        ("?overdue=maybe", "bad_overdue"),
        ("?detected_from=31/12/2026", "bad_detected_from"),
        ("?detected_from=2026-02-01&detected_to=2026-01-01", "bad_period"),
        ("?cursor=not-a-cursor", "bad_cursor"),
        ("?limit=0", "bad_limit"),
        ("?limit=201", "bad_limit"),
    ],
)
def test_a_bad_filter_is_refused_with_its_reason(client, tokens, query, code):
    response = client.get(f"{API}{query}", headers=tokens["staff"])
    assert response.status_code == 400 and response.get_json()["error"] == code, response.get_json()
    assert response.get_json()["message"]


# --- reporting ----------------------------------------------------------------------------------------


def test_report_answers_201_with_number_and_status(client, people, tokens, make_procedure):
    procedure = make_procedure(code="QT-05")
    body = {
        "title": "Trả kết quả muộn hồ sơ khai sinh",
        "description": "Trả muộn 2 ngày",
        "source": "citizen_feedback",
        "severity": "major",
        "clause": "8.5.1",
        "unit": people.unit.code,
        "procedure": "QT-05",
        "document": "QT-05",
        "process_step": "Bước 3",
        "dossier_code": "TTHCC-260301-0001",
        "detected_at": "2026-03-02T08:30:00",
    }
    before = head_seq()
    response = post(client, tokens["staff"], API, body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    nc = db.session.get(Nonconformity, answer["id"])
    assert answer == {"id": nc.id, "number": "SKPH-2026-001", "status": "new"}
    assert response.headers["Location"] == f"{API}/{nc.id}"
    assert (nc.unit_id, nc.procedure_id, nc.document_id) == (people.unit.id, procedure.id, procedure.id)
    assert nc.detected_by_id == people.staff.id and nc.dossier_code == "TTHCC-260301-0001"
    assert nc.detected_at == dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 08:30 in Vietnam
    assert [e["action"] for e in events(after=before)] == ["nc.reported"]
    by_id = post(client, tokens["staff"], API, {"title": "Theo mã đơn vị", "unit": people.unit.id})
    assert by_id.status_code == 201 and db.session.get(Nonconformity, by_id.get_json()["id"]).unit_id == people.unit.id
    whole = record(client, tokens["staff"], nc)
    assert whole["procedure"] == {"code": "QT-05", "title": procedure.title} and whole["clause"] == "8.5.1"


@pytest.mark.parametrize(
    "body, content_type, code, words",
    [
        ("{not json", "application/json", "bad_json", "not a JSON object"),
        ('["a list"]', "application/json", "bad_json", "not a JSON object"),
        ("title=x", "application/x-www-form-urlencoded", "json_required", "Send the body as JSON"),
        ('{"description": "no title"}', "application/json", "title_required", "Enter the title"),
        ('{"title": "   "}', "application/json", "title_required", "Enter the title"),
        ('{"title": "x", "source": "rumour"}', "application/json", "invalid_choice", "Unknown source"),
        ('{"title": "x", "severity": "huge"}', "application/json", "invalid_choice", "severity"),
        ('{"title": "x", "colour": "red"}', "application/json", "unknown_field", "colour"),
        ('{"title": 5}', "application/json", "bad_field", "title must be text"),
        ('{"title": "x", "unit": "NOWHERE"}', "application/json", "unknown_unit", "NOWHERE"),
        ('{"title": "x", "procedure": "QT-99"}', "application/json", "unknown_document", "QT-99"),
        ('{"title": "x", "clause": "11.1"}', "application/json", "invalid_clause", "clauses 4 to 10"),
        ('{"title": "x", "detected_at": "yesterday"}', "application/json", "bad_field", "ISO date and time"),
    ],
)
def test_a_bad_report_is_refused_400_and_records_nothing(client, tokens, body, content_type, code, words):
    before = head_seq()
    response = client.post(API, data=body, content_type=content_type, headers=tokens["staff"])
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == code and words in response.get_json()["message"]
    assert head_seq() == before and db.session.query(Nonconformity).count() == 0


def test_a_unit_or_document_of_another_commune_is_not_found(client, people, tokens, make_unit):
    from qms.documents import services as documents

    documents.create_document(people.other_qo, people.other_commune, code="QT-77", title="Của xã B", kind="procedure")
    other_unit = make_unit(people.other_commune, code="B-ONLY")
    for field, value, code in (("procedure", "QT-77", "unknown_document"), ("unit", other_unit.id, "unknown_unit")):
        response = post(client, tokens["staff"], API, {"title": "x", field: value})
        assert response.status_code == 400 and response.get_json()["error"] == code


# --- the whole record, and the way to a signed closure through the API -----------------------------------


def test_every_step_through_the_api_to_a_signed_closure(client, people, tokens, make_nc, effective_procedure):
    qo = tokens["qo"]
    nc = make_nc()
    other = make_nc(title="Hồ sơ tương tự")
    assert record(client, qo, nc)["next_step"]["step"] == "correction"
    body = step(client, qo, nc, "handler", handler=people.staff2.username)
    assert body["handler"]["id"] == people.staff2.id
    assert body["next_step"]["people"] == [{"id": people.staff2.id, "full_name": people.staff2.full_name}]
    handler = tokens["staff2"]
    body = step(
        client, handler, nc, "correction", what="Gọi điện xin lỗi", by=people.staff.id, due_on=local_today().isoformat()
    )
    assert body["status"] == "correction" and body["correction"]["due_on"] == local_today().isoformat()
    body = step(client, handler, nc, "correction", what="Gọi điện xin lỗi", by="a_staff", done=True)
    assert body["correction"]["done_at"] and body["status"] == "analysis"
    assert (
        step(client, handler, nc, "disposition", disposition="citizen_informed")["disposition"]["value"]
        == "citizen_informed"
    )
    assert step(client, handler, nc, "action-needed", needed=True)["decision"]["action_needed"] is True
    step(client, handler, nc, "whys", 201, question="Vì sao trả muộn?", answer="Không ai theo dõi hạn")
    step(client, handler, nc, "causes", 201, category="method", description="Quy trình thiếu bước", is_root=True)
    body = step(client, handler, nc, "links", 201, other=other.number, note="Cùng nguyên nhân")
    assert body["similar"] == [
        {"id": other.id, "number": other.number, "title": other.title, "links": {"self": f"{API}/{other.id}"}}
    ]
    assert record(client, qo, other)["similar"][0]["number"] == nc.number  # both ways
    assert body["next_step"]["step"] == "accept-analysis" and body["next_step"]["by_quality_officer"]
    body = step(client, qo, nc, "accept-analysis", password=PASSWORD, comment="Đủ căn cứ")
    assert body["status"] == "action_plan" and body["rounds"][0]["analysis_accepted_by"]["id"] == people.qo.id
    due = (local_today() + dt.timedelta(days=7)).isoformat()
    step(client, handler, nc, "items", 201, what="Phân công người theo dõi hạn", owner="a_staff", due_on=due)
    body = step(
        client,
        handler,
        nc,
        "items",
        201,
        what="Sửa quy trình",
        owner=people.leader.id,
        due_on=due,
        document=effective_procedure.code,
    )
    first, second = body["rounds"][0]["items"]
    assert second["document"] == {"code": effective_procedure.code, "title": effective_procedure.title}
    assert second["change_request"]["status"] == "open" and second["change_request"]["new_version"] is None
    assert body["status"] == "actions" and body["next_step"]["step"] == "complete"
    assert body["next_step"]["url"] == f"{API}/{nc.id}/items/{first['id']}/complete"
    step(client, tokens["staff"], nc, f"items/{first['id']}/complete", result="Đã phân công")
    step(client, tokens["leader"], nc, f"items/{second['id']}/complete", result="Đã sửa")
    evidence = client.post(
        f"{API}/{nc.id}/evidence",
        data={"file": (io.BytesIO(docx_bytes("Biên bản")), "bien-ban.docx"), "action_id": str(first["id"])},
        headers=tokens["staff"],
        content_type="multipart/form-data",
    )
    assert evidence.status_code == 201, evidence.get_json()
    body = step(client, handler, nc, "review", planned_on=local_today().isoformat(), reviewer=people.qo2.id)
    review = body["rounds"][0]["reviews"][0]
    assert body["next_step"]["url"] == f"{API}/{nc.id}/reviews/{review['id']}"
    body = step(client, tokens["qo2"], nc, f"reviews/{review['id']}", result="effective", notes="Không còn hồ sơ trễ")
    assert body["next_step"]["step"] == "close"
    body = step(
        client,
        qo,
        nc,
        "close",
        password=PASSWORD,
        risks_need_update=False,
        documents_need_update=True,
        documents=[effective_procedure.code],
    )
    assert body["status"] == "closed" and body["next_step"] is None
    assert body["closing"]["documents_to_update"] == [
        {"code": effective_procedure.code, "title": effective_procedure.title}
    ]
    assert [s["meaning"] for s in body["signatures"]] == ["analysis_accepted", "closed"]
    assert all(s["valid"] for s in body["signatures"]) and body["signatures"][-1]["covers_current_state"]
    assert body["signatures"][0]["signer"]["id"] == people.qo.id and body["signatures"][0]["comment"] == "Đủ căn cứ"
    assert body["evidence"][0]["filename"] == "bien-ban.docx" and body["evidence"][0]["action_id"] == first["id"]
    assert body["rounds"][0]["whys"][0]["answer"] == "Không ai theo dõi hạn"
    assert body["rounds"][0]["causes"][0] == {**body["rounds"][0]["causes"][0], "category": "method", "is_root": True}
    body = step(client, qo, nc, "reopen", password=PASSWORD, reason="Lại có hồ sơ trễ")
    assert body["status"] == "analysis" and body["round_no"] == 2 and len(body["rounds"]) == 2
    body = step(client, qo, nc, "cancel", password=PASSWORD, reason="Trùng với SKPH khác")
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Trùng với SKPH khác"
    assert [s["meaning"] for s in body["signatures"]] == ["analysis_accepted", "closed", "reopened", "cancelled"]


def test_not_effective_opens_a_second_round_through_the_api(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    db.session.commit()
    body = step(client, tokens["leader"], nc, f"reviews/{review.id}", result="not_effective", notes="Vẫn trễ")
    assert body["round_no"] == 2 and body["rounds"][1]["opened_reason"] == "Vẫn trễ"
    assert body["rounds"][0]["reviews"][0]["result"] == "not_effective" and body["status"] == "analysis"


# --- gates: 409 with the gate's code and message, and nothing changed -------------------------------------


def assert_refused(client, headers, nc, name, status, code, words, **body):
    """POST a step that must be refused; the record and the audit trail stay as they were."""
    before_record, before_events = record(client, headers, nc), head_seq()
    response = post(client, headers, f"{nc.id}/{name}", body)
    answer = response.get_json()
    assert response.status_code == status and answer["error"] == code, answer
    assert words in answer["message"], answer["message"]
    assert head_seq() == before_events
    assert record(client, headers, nc) == before_record
    return answer["message"]


def test_no_action_plan_before_the_analysis_is_accepted(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    due = (local_today() + dt.timedelta(days=7)).isoformat()
    message = assert_refused(
        client,
        tokens["qo"],
        nc,
        "items",
        409,
        "gate_analysis_not_accepted",
        "No action plan before the root cause",
        what="Phân công",
        owner=people.staff.id,
        due_on=due,
    )
    with force_locale("en"):
        assert (
            message
            == "No action plan before the root cause is recorded and the analysis accepted by the quality officer."
        )


def test_the_analysis_is_not_accepted_without_a_root_cause(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="decided")
    assert_refused(
        client,
        tokens["qo"],
        nc,
        "accept-analysis",
        409,
        "gate_root_cause_missing",
        "at least one why",
        password=PASSWORD,
    )
    services.add_why(people.qo, nc, answer="Không ai theo dõi")
    db.session.commit()
    assert_refused(
        client,
        tokens["qo"],
        nc,
        "accept-analysis",
        409,
        "gate_root_cause_missing",
        "marked as the root cause",
        password=PASSWORD,
    )


def test_no_items_when_no_action_is_needed(client, people, tokens, make_nc):
    nc = make_nc(severity="observation")
    services.decide_action_needed(people.qo, nc, needed=False, reason="Khuyến nghị")
    db.session.commit()
    due = (local_today() + dt.timedelta(days=7)).isoformat()
    assert_refused(
        client,
        tokens["qo"],
        nc,
        "items",
        409,
        "gate_no_action_needed",
        "No corrective action was decided",
        what="x",
        owner=people.staff.id,
        due_on=due,
    )


def test_an_accepted_analysis_no_longer_changes(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="accepted")
    qo = tokens["qo"]
    assert_refused(client, qo, nc, "whys", 409, "gate_analysis_accepted", "can no longer change", answer="Thêm")
    assert_refused(
        client,
        qo,
        nc,
        "causes",
        409,
        "gate_analysis_accepted",
        "can no longer change",
        category="people",
        description="x",
    )
    assert_refused(
        client, qo, nc, "accept-analysis", 409, "gate_analysis_accepted", "already accepted", password=PASSWORD
    )
    assert_refused(
        client,
        qo,
        nc,
        "action-needed",
        409,
        "analysis_accepted",
        "decision on a corrective action stands",
        needed=False,
        reason="x",
    )


def test_no_closing_before_every_gate(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="actions")
    message = assert_refused(
        client,
        tokens["qo"],
        nc,
        "close",
        409,
        "gate_not_ready_to_close",
        "cannot be closed yet",
        password=PASSWORD,
        risks_need_update=False,
        documents_need_update=False,
    )
    assert "every action item done" in message and "effectiveness review" in message
    fresh = make_nc()
    message = assert_refused(
        client,
        tokens["qo"],
        fresh,
        "close",
        409,
        "gate_not_ready_to_close",
        "the correction is recorded",
        password=PASSWORD,
        risks_need_update=False,
        documents_need_update=False,
    )


def test_items_reviews_and_decisions_refused_at_the_wrong_moment(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    qo = tokens["qo"]
    item = nc.actions[0]
    assert_refused(
        client, tokens["staff"], nc, f"items/{item.id}/complete", 409, "gate_item_done", "already done", result="Lại"
    )
    assert_refused(
        client,
        qo,
        nc,
        "review",
        409,
        "reviewer_owns_item",
        "owns an action item",
        planned_on=local_today().isoformat(),
        reviewer=people.staff.id,
    )
    assert_refused(
        client, qo, nc, "reopen", 409, "gate_not_closed", "Only a closed nonconformity", password=PASSWORD, reason="x"
    )
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    services.record_review(people.leader, review, result="effective")
    db.session.commit()
    assert_refused(
        client,
        tokens["leader"],
        nc,
        f"reviews/{review.id}",
        409,
        "gate_review_done",
        "already has its result",
        result="effective",
    )
    early = walk_nc(make_nc(), people, to="accepted")
    assert_refused(
        client,
        qo,
        early,
        "review",
        409,
        "gate_no_actions",
        "Plan the action items",
        planned_on=local_today().isoformat(),
        reviewer=people.leader.id,
    )
    services.cancel_nc(people.qo, early, password=PASSWORD, reason="Trùng")
    db.session.commit()
    assert_refused(
        client, qo, early, "cancel", 409, "gate_not_open", "already closed or cancelled", password=PASSWORD, reason="x"
    )
    assert_refused(
        client,
        qo,
        early,
        "close",
        409,
        "gate_not_open",
        "already closed or cancelled",
        password=PASSWORD,
        risks_need_update=False,
        documents_need_update=False,
    )


def test_linking_twice_is_refused(client, people, tokens, make_nc):
    nc, other = make_nc(), make_nc()
    step(client, tokens["qo"], nc, "links", 201, other=other.id)
    assert_refused(client, tokens["qo"], other, "links", 409, "already_linked", "already linked", other=nc.id)


# --- refusals that are not gates ------------------------------------------------------------------------


def test_a_wrong_password_signs_nothing_and_is_recorded(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    before_record, before = record(client, tokens["qo"], nc), head_seq()
    response = post(client, tokens["qo"], f"{nc.id}/accept-analysis", {"password": "wrong"})
    assert response.status_code == 403 and response.get_json()["error"] == "bad_password"
    assert "nothing was signed" in response.get_json()["message"]
    assert [e["action"] for e in events(after=before)] == ["signature.password_refused"]
    assert record(client, tokens["qo"], nc) == before_record
    missing = post(client, tokens["qo"], f"{nc.id}/accept-analysis", {})
    assert missing.status_code == 400 and missing.get_json()["error"] == "password_required"


@pytest.mark.parametrize(
    "name, body, code",
    [
        ("correction", {"what": "x"}, "correction_by_required"),
        ("correction", {"what": "x", "by": "nobody"}, "unknown_user"),
        ("correction", {"what": "x", "by": 1.5}, "bad_field"),
        ("correction", {"what": "x", "by": "a_staff", "due_on": "31/12/2026"}, "bad_field"),
        ("correction", {"what": "x", "by": "a_staff", "done": "yes"}, "bad_field"),
        ("disposition", {"disposition": "burnt"}, "invalid_choice"),
        ("action-needed", {}, "bad_field"),
        ("action-needed", {"needed": False}, "reason_required"),
        ("whys", {"question": "Vì sao?"}, "answer_required"),
        ("causes", {"category": "weather", "description": "x"}, "invalid_choice"),
        ("handler", {}, "bad_field"),
        ("links", {}, "bad_field"),
        ("whys", {"answer": "x", "row_version": "one"}, "bad_field"),
    ],
)
def test_a_bad_step_body_is_refused_400(client, people, tokens, make_nc, name, body, code):
    nc = make_nc()
    before = head_seq()
    response = post(client, tokens["qo"], f"{nc.id}/{name}", body)
    assert response.status_code == 400 and response.get_json()["error"] == code, response.get_json()
    assert head_seq() == before


def test_a_stale_row_version_is_a_conflict(client, people, tokens, make_nc):
    nc = make_nc()
    seen = record(client, tokens["qo"], nc)["row_version"]
    step(client, tokens["qo"], nc, "whys", 201, answer="Một", row_version=seen)
    before = record(client, tokens["qo"], nc)
    response = post(client, tokens["qo"], f"{nc.id}/whys", {"answer": "Hai", "row_version": seen})
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    assert record(client, tokens["qo"], nc) == before and before["row_version"] > seen


def test_steps_that_are_not_the_users_are_refused_403(client, people, tokens, make_nc):
    nc = make_nc()
    assert_refused(
        client,
        tokens["staff"],
        nc,
        "whys",
        403,
        "forbidden",
        "Only the quality officer or the person handling",
        answer="x",
    )
    assert_refused(client, tokens["leader"], nc, "accept-analysis", 403, "forbidden", "permission", password=PASSWORD)


def test_another_communes_nc_is_not_found(client, people, tokens, make_nc):
    nc = make_nc()
    assert client.get(f"{API}/{nc.id}", headers=tokens["other_qo"]).status_code == 404
    assert nc.number not in numbers(client.get(API, headers=tokens["other_qo"]))
    before = head_seq()
    for name, body in (("whys", {"answer": "x"}), ("cancel", {"password": PASSWORD, "reason": "x"})):
        response = post(client, tokens["other_qo"], f"{nc.id}/{name}", body)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    link = post(
        client,
        tokens["qo"],
        f"{nc.id}/links",
        {"other": services.report_nc(people.other_staff, people.other_commune, title="B").id},
    )
    assert link.status_code == 404
    db.session.rollback()
    assert head_seq() == before


# --- the auditor reads everything and changes nothing ------------------------------------------------------


def nc_writes(app):
    """Every rule of this area that changes something, from the URL map."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(API) and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        ),
        key=lambda rule: rule.rule,
    )


def test_the_auditor_reads_everything_and_is_refused_every_write(app, client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    db.session.commit()
    auditor = tokens["auditor"]
    assert nc.number in numbers(client.get(API, headers=auditor))
    assert record(client, auditor, nc)["number"] == nc.number
    values = {"nc_id": nc.id, "item_id": nc.actions[0].id, "review_id": review.id}
    rules = nc_writes(app)
    assert len(rules) >= 17, [r.rule for r in rules]
    before, snapshot = head_seq(), record(client, auditor, nc)
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments}) for rule in rules]
    for url in urls:
        body = {"title": "x", "password": PASSWORD, "answer": "x", "reason": "x", "result": "effective"}
        response = client.post(url, json=body, headers=auditor)
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden", url
    assert head_seq() == before and record(client, auditor, nc) == snapshot


# --- the OpenAPI document -----------------------------------------------------------------------------------


def test_the_openapi_document_describes_every_route_with_its_body(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = {path: item for path, item in document["paths"].items() if path.startswith(API)}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.rule.endswith("/evidence-pack"):  # the evidence area's
            continue
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths[path][method.lower()]
            assert operation["tags"] == ["nonconformities"] and operation["summary"]
            if method == "POST":
                body = operation["requestBody"]["content"]
                schema = next(iter(body.values()))["schema"]
                assert schema["properties"], path
                if "application/json" in body and path != API:
                    assert "409" in operation["responses"] and "row_version" in schema["properties"], path
    steps = paths[API + "/{nc_id}/accept-analysis"]["post"]
    assert "password" in steps["requestBody"]["content"]["application/json"]["schema"]["required"]
    assert "gate_root_cause_missing" in steps["responses"]["409"]["description"]
    assert "quality_officer" in steps["description"]  # the roles, from @allow


def test_an_item_or_review_of_another_nc_is_not_found(client, people, tokens, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    other = make_nc()
    db.session.commit()
    before = head_seq()
    for path, body in (
        (f"{other.id}/items/{nc.actions[0].id}/complete", {"result": "x"}),
        (f"{other.id}/reviews/{review.id}", {"result": "effective"}),
    ):
        response = post(client, tokens["qo"], path, body)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found", path
    assert head_seq() == before


def test_a_refused_evidence_file_leaves_nothing(client, people, tokens, make_nc):
    nc = make_nc()
    before, snapshot = head_seq(), record(client, tokens["qo"], nc)
    for data, content_type, code in (
        ({"file": (io.BytesIO(b"MZ\x90\x00 not a document"), "virus.exe")}, "multipart/form-data", "unsupported_type"),
        ({"file": (io.BytesIO(b""), "empty.docx")}, "multipart/form-data", "empty"),
        ({"action_id": "1"}, "multipart/form-data", "file_required"),
    ):
        response = client.post(f"{API}/{nc.id}/evidence", data=data, headers=tokens["qo"], content_type=content_type)
        assert response.status_code == 400 and response.get_json()["error"] == code, response.get_json()
    not_multipart = post(client, tokens["qo"], f"{nc.id}/evidence", {"file": "x"})
    assert not_multipart.status_code == 400 and not_multipart.get_json()["error"] == "multipart_required"
    assert head_seq() == before and record(client, tokens["qo"], nc) == snapshot
