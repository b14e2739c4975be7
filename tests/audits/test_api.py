"""The JSON API of internal audits (/api/v1/audit-programmes, /api/v1/audits), through the test client
with bearer tokens: the lists with their filters and cursor, one audit whole (checklist, findings with
their NCs, signed records that verify), recording a finding (the team only; the NC in the answer; a
refused field named), planning an audit with impartiality refused with every reason, another
commune's audit never found, the auditor reading everything and refused every write, and the OpenAPI
document describing every route."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from qms.audits import services
from qms.audits.models import Audit, AuditFinding, AuditProgramme, AuditStatus
from qms.auth.services import create_api_token
from qms.db import db
from qms.nonconformities.models import Nonconformity
from tests.audits.conftest import YEAR
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient, events, head_seq
from tests.files.samples import docx_bytes

API = "/api/v1"


@pytest.fixture
def client_class():
    return IsolatedClient


@pytest.fixture
def tokens(audit_world):
    """Bearer headers of the commune's people (answering in English), and of another commune's
    quality officer."""
    out = {}
    for name in ("qo", "leader", "staff", "auditor", "kiem", "tra", "other_qo"):
        user = audit_world[name]
        user.locale = "en"
        _token, plain = create_api_token(user, user, "test")
        out[name] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return out


@pytest.fixture
def started(audit_world, approved):
    """The approved programme's audit, its plan signed and approved, started by its lead auditor."""
    w = audit_world
    audit = approved[0].audits[0]
    services.sign_plan(w.kiem, audit, PASSWORD)
    services.approve_plan(w.leader, audit, PASSWORD)
    services.start_audit(w.kiem, audit)
    db.session.commit()
    return audit


def get(client, headers, path, expect=200):
    response = client.get(f"{API}{path}", headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def post(client, headers, path, body, expect):
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code == expect, response.get_json()
    return response


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- the OpenAPI document -------------------------------------------------------------------------------


def test_the_openapi_document_describes_every_route(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/audit-programmes": {"get"},
        "/api/v1/audits": {"get"},
        "/api/v1/audits/{audit_id}": {"get"},
        "/api/v1/audits/{audit_id}/findings": {"post"},
        "/api/v1/audit-programmes/{year}/audits": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert operation["summary"] and operation["tags"] == ["internal audits"]
    finding = paths["/api/v1/audits/{audit_id}/findings"]["post"]
    assert set(finding["requestBody"]["content"]["application/json"]["schema"]["required"]) == {
        "clause",
        "grade",
        "description",
    }
    assert {"201", "403", "404", "422"} <= set(finding["responses"])
    assert "Roles:" in finding["description"] and "auditor" not in finding["description"].split("Roles:")[1]
    detail = paths["/api/v1/audits/{audit_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert {"checklist", "findings", "records"} <= set(detail["schema"]["properties"])


# --- the programmes --------------------------------------------------------------------------------------


def test_the_programmes_with_their_approval_and_audits(client, audit_world, approved, tokens):
    programme, _signature = approved
    found = get(client, tokens["staff"], "/audit-programmes")["programmes"]
    assert [p["year"] for p in found] == [YEAR]
    listed = found[0]
    assert (listed["revision"], listed["status"], listed["status_label"]) == (1, "approved", "Approved")
    assert listed["approved_by"] == {"id": audit_world.leader.id, "full_name": audit_world.leader.full_name}
    assert listed["approved_at"] and listed["approval_holds"] is True and listed["audit_count"] == 1
    assert [(a["code"], a["status"]) for a in listed["audits"]] == [(f"ĐGNB-{YEAR}-01", "planned")]
    assert get(client, tokens["staff"], f"/audit-programmes?year={YEAR - 1}")["programmes"] == []
    assert get(client, tokens["staff"], "/audit-programmes?status=draft")["programmes"] == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?year=abc", "bad_year"),
        ("?year=1900", "bad_year"),
        ("?status=open", "bad_status"),
        ("?page=2", "unknown_parameter"),
    ],
)
def test_a_bad_filter_of_the_programmes_is_refused(client, tokens, query, code):
    assert get(client, tokens["staff"], f"/audit-programmes{query}", expect=400)["error"] == code


# --- the audits ------------------------------------------------------------------------------------------


def test_the_audits_filtered_and_paged(client, audit_world, plan, tokens):
    w = audit_world
    first = plan()
    second = plan(title="Đánh giá quá trình lãnh đạo", procedures=[], system_processes=["leadership"], team=[])
    services.cancel_audit(w.qo, first, "Trùng lịch tiếp công dân")
    db.session.commit()
    listed = get(client, tokens["staff"], "/audits")
    assert [a["code"] for a in listed["audits"]] == [second.code, first.code], "the latest planned first"
    audit = listed["audits"][1]
    assert audit["status"] == "cancelled" and audit["status_label"] == "Cancelled"
    assert audit["clauses"] == ["7.5", "8.5"] and audit["cancel_reason"] == "Trùng lịch tiếp công dân"
    assert audit["processes"] == [{"key": f"procedure:{w.certification.id}", "name": "2.000884 – Chứng thực chữ ký"}]
    assert audit["lead_auditor"]["full_name"] == "Phạm Văn Kiểm"
    assert {(m["full_name"], m["is_lead"]) for m in audit["team"]} == {("Phạm Văn Kiểm", True), ("Đỗ Thu Tra", False)}
    assert (audit["planned_start"], audit["planned_end"]) == (f"{YEAR}-03-10", f"{YEAR}-03-11")
    assert listed["audits"][0]["processes"][0]["key"] == "system:leadership"

    assert [a["code"] for a in get(client, tokens["staff"], "/audits?status=planned")["audits"]] == [second.code]
    assert get(client, tokens["staff"], f"/audits?year={YEAR + 1}")["audits"] == []
    assert [a["code"] for a in get(client, tokens["staff"], "/audits?auditor=a_tra")["audits"]] == [first.code]

    page = get(client, tokens["staff"], "/audits?limit=1")
    assert [a["code"] for a in page["audits"]] == [second.code] and page["next_cursor"]
    rest = client.get(page["next"], headers=tokens["staff"]).get_json()
    assert [a["code"] for a in rest["audits"]] == [first.code] and rest["next"] is None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?status=done", "bad_status"),
        ("?auditor=nobody", "bad_auditor"),
        ("?cursor=abc", "bad_cursor"),
        ("?limit=0", "bad_limit"),
        ("?clause=8.5", "unknown_parameter"),
    ],
)
def test_a_bad_filter_of_the_audits_is_refused(client, tokens, query, code):
    assert get(client, tokens["staff"], f"/audits{query}", expect=400)["error"] == code


def test_an_audit_whole_with_its_checklist_findings_and_signed_records(client, audit_world, started, tokens):
    w, audit = audit_world, started
    item = audit.items[0]
    services.answer_item(w.tra, item, result="minor", notes="Sổ theo dõi thiếu 3 hồ sơ tháng 2")
    services.attach_evidence(w.tra, item, filename="so-theo-doi.docx", data=docx_bytes("Sổ theo dõi"))
    services.record_finding(w.kiem, audit, clause="7.5", grade="observation", description="Mẫu phiếu cũ")
    db.session.commit()

    found = get(client, tokens["auditor"], f"/audits/{audit.id}")
    assert found["code"] == audit.code and found["status"] == "in_progress" and found["started_at"]
    answered = found["checklist"][0]
    assert (answered["clause"], answered["text"], answered["result"]) == (item.clause, item.text, "minor")
    assert answered["question"] == {"key": item.question.key, "version": item.question.version}
    assert answered["notes"] == "Sổ theo dõi thiếu 3 hồ sơ tháng 2" and answered["answered_by"]["id"] == w.tra.id
    assert [(a["filename"], a["sha256"]) for a in answered["attachments"]] == [
        (a.filename, a.sha256) for a in item.attachments
    ]
    assert all(i["result"] is None for i in found["checklist"][1:]), "the other questions are not answered yet"

    by_grade = {f["grade"]: f for f in found["findings"]}
    nc = db.session.get(Nonconformity, item.finding.nc_id)
    assert answered["finding_id"] == by_grade["minor"]["id"]
    assert by_grade["minor"]["nonconformity"]["number"] == nc.number
    assert by_grade["minor"]["nonconformity"]["status"] == nc.status.value
    assert by_grade["observation"]["nonconformity"] is None and by_grade["observation"]["decision"] is None

    (plan_record,) = found["records"]
    assert plan_record["kind"] == "plan" and plan_record["revision"] == 1 and len(plan_record["sha256"]) == 64
    signed = {s["meaning"]: s for s in plan_record["signatures"]}
    assert signed["audit_plan_signed"]["signer"]["full_name"] == "Phạm Văn Kiểm"
    assert signed["audit_plan_approved"]["signer"]["id"] == w.leader.id
    assert all(s["valid"] and s["sealed"] and s["covers_current_state"] for s in signed.values())


def test_a_tampered_signed_record_no_longer_verifies(client, audit_world, approved, tokens):
    w = audit_world
    audit = approved[0].audits[0]
    services.sign_plan(w.kiem, audit, PASSWORD)
    db.session.commit()
    record = audit.records[0]
    record.state = {**record.state, "title": "Một tiêu đề khác"}
    db.session.commit()
    (signature,) = get(client, tokens["staff"], f"/audits/{audit.id}")["records"][0]["signatures"]
    assert signature["sealed"] is True and signature["covers_current_state"] is False and signature["valid"] is False


def test_another_communes_audit_is_not_found(client, approved, tokens):
    audit = approved[0].audits[0]
    assert get(client, tokens["other_qo"], f"/audits/{audit.id}", expect=404)["error"] == "not_found"
    assert get(client, tokens["other_qo"], "/audits")["audits"] == []
    assert get(client, tokens["other_qo"], "/audit-programmes")["programmes"] == []
    seq = head_seq()
    body = {"clause": "8.5", "grade": "minor", "description": "Không có"}
    post(client, tokens["other_qo"], f"/audits/{audit.id}/findings", body, 404)
    assert events(after=seq) == []
    assert get(client, tokens["staff"], "/audits/999999", expect=404)["error"] == "not_found"


def test_the_auditor_reads_everything_and_changes_nothing(client, audit_world, approved, tokens):
    audit = approved[0].audits[0]
    assert get(client, tokens["auditor"], "/audit-programmes")["programmes"]
    assert get(client, tokens["auditor"], "/audits")["audits"]
    assert get(client, tokens["auditor"], f"/audits/{audit.id}")["id"] == audit.id
    seq = head_seq()
    finding = {"clause": "8.5", "grade": "minor", "description": "Không có"}
    assert post(client, tokens["auditor"], f"/audits/{audit.id}/findings", finding, 403).get_json()["error"] == (
        "forbidden"
    )
    planned = _plan_body(audit_world)
    assert post(client, tokens["auditor"], f"/audit-programmes/{YEAR}/audits", planned, 403).get_json()["error"] == (
        "forbidden"
    )
    assert events(after=seq) == []


# --- recording a finding -------------------------------------------------------------------------------


def test_a_team_member_records_a_finding_and_gets_its_nc(client, audit_world, started, tokens):
    audit = started
    ncs = count(Nonconformity)
    body = {"clause": "8.5.1", "grade": "major", "description": "Trả kết quả không qua sổ theo dõi"}
    response = post(client, tokens["tra"], f"/audits/{audit.id}/findings", body, 201)
    answer = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/audits/{audit.id}")
    assert (answer["clause"], answer["grade"], answer["grade_label"]) == ("8.5.1", "major", "Major nonconformity")
    assert answer["recorded_by"]["id"] == audit_world.tra.id
    assert count(Nonconformity) == ncs + 1
    nc = db.session.get(Nonconformity, db.session.get(AuditFinding, answer["id"]).nc_id)
    assert answer["nonconformity"]["id"] == nc.id and answer["nonconformity"]["number"] == nc.number
    assert answer["nonconformity"]["links"]["self"] == f"/api/v1/nonconformities/{nc.id}"
    recorded = [e["action"] for e in events()]
    assert recorded[-3:] == ["audit.finding_recorded", "nc.opened_from_elsewhere", "audit.finding_nc_linked"]

    observation = {"clause": "7.5", "grade": "observation", "description": "Nên số hóa sổ"}
    answer = post(client, tokens["kiem"], f"/audits/{audit.id}/findings", observation, 201).get_json()
    assert answer["nonconformity"] is None and count(Nonconformity) == ncs + 1


def test_someone_off_the_team_is_refused_with_the_reason(client, started, tokens):
    audit = started
    seq = head_seq()
    body = {"clause": "8.5", "grade": "minor", "description": "Thiếu"}
    refused = post(client, tokens["qo"], f"/audits/{audit.id}/findings", body, 403).get_json()
    assert refused == {"error": "forbidden", "message": "Only the audit's team records its findings."}
    assert events(after=seq) == [] and count(AuditFinding) == 0


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"clause": "4.1", "grade": "minor", "description": "Thiếu"}, 422, "clause_outside_scope", "clause"),
        ({"clause": "11", "grade": "minor", "description": "Thiếu"}, 422, "invalid_clause", "clause"),
        ({"clause": "8.5", "grade": "serious", "description": "Thiếu"}, 422, "invalid_choice", "grade"),
        ({"clause": "8.5", "grade": "minor", "description": "  "}, 422, "description_required", "description"),
        ({"clause": "8.5", "grade": "minor", "description": "Thiếu", "nc": 1}, 400, "unknown_field", None),
        ({"clause": 85, "grade": "minor", "description": "Thiếu"}, 400, "bad_field", None),
        ([1, 2], 400, "bad_json", None),
    ],
)
def test_a_bad_finding_is_refused_naming_the_field(client, started, tokens, body, status, code, field):
    audit = started
    seq, ncs = head_seq(), count(Nonconformity)
    refused = post(client, tokens["tra"], f"/audits/{audit.id}/findings", body, status).get_json()
    assert refused["error"] == code and refused["message"]
    assert refused.get("field") == field
    assert events(after=seq) == [] and count(AuditFinding) == 0 and count(Nonconformity) == ncs


def test_a_finding_sent_as_a_form_is_refused(client, started, tokens):
    audit = started
    response = client.post(f"{API}/audits/{audit.id}/findings", data={"clause": "8.5"}, headers=tokens["tra"])
    assert response.status_code == 400 and response.get_json()["error"] == "json_required"


# --- planning --------------------------------------------------------------------------------------------


def _plan_body(w, **changes):
    body = {
        "title": "Đánh giá quy trình khai sinh",
        "clauses": ["8.5", "7.5"],
        "planned_start": f"{YEAR}-06-02",
        "planned_end": f"{YEAR}-06-03",
        "lead_auditor": "a_kiem",
        "team": [w.tra.id],
        "procedures": ["1.001193"],
        "criteria": "TCVN ISO 9001:2015; QT-07",
    }
    body.update(changes)
    return body


def test_the_quality_officer_plans_an_audit(client, audit_world, tokens):
    w = audit_world
    response = post(client, tokens["qo"], f"/audit-programmes/{YEAR}/audits", _plan_body(w), 201)
    planned = response.get_json()
    audit = db.session.get(Audit, planned["id"])
    assert response.headers["Location"].endswith(f"/api/v1/audits/{audit.id}")
    assert planned["code"] == f"ĐGNB-{YEAR}-01" and audit.status is AuditStatus.planned
    assert planned["processes"] == [{"key": f"procedure:{w.birth.id}", "name": "1.001193 – Đăng ký khai sinh"}]
    assert planned["lead_auditor"]["id"] == w.kiem.id and audit.lead_auditor_id == w.kiem.id
    assert {m.user_id for m in audit.team} == {w.kiem.id, w.tra.id}
    assert planned["clauses"] == ["7.5", "8.5"], "in the standard's order"


def test_an_auditor_who_is_not_impartial_is_refused_with_every_reason(client, audit_world, tokens):
    w = audit_world
    body = _plan_body(w, units=["VP"], system_processes=["documents"], lead_auditor=w.qo.username, team=["a_kiem"])
    seq, programmes = head_seq(), count(AuditProgramme)
    refused = post(client, tokens["qo"], f"/audit-programmes/{YEAR}/audits", body, 422).get_json()
    assert refused["error"] == "not_impartial"
    reasons = refused["reasons"]
    assert any(w.kiem.full_name in r and "Văn phòng HĐND và UBND" in r for r in reasons), reasons
    assert any(w.qo.full_name in r and "Control of documented information" in r for r in reasons), reasons
    assert len(reasons) >= 2 and all(r in refused["message"] for r in reasons)
    assert events(after=seq) == [] and count(Audit) == 0 and count(AuditProgramme) == programmes


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"title": ""}, 422, "title_required", "title"),
        ({"clauses": ["12.1"]}, 422, "invalid_clause", "clauses"),
        ({"planned_end": f"{YEAR}-06-01"}, 422, "invalid_dates", "planned_end"),
        ({"planned_start": "02/06/2026"}, 400, "bad_field", None),
        ({"lead_auditor": "nobody"}, 400, "unknown_user", None),
        ({"lead_auditor": None}, 400, "bad_field", None),
        ({"procedures": ["9.999999"]}, 400, "unknown_procedure", None),
        ({"units": ["XX"]}, 400, "unknown_unit", None),
        ({"procedures": [], "system_processes": []}, 422, "processes_required", "procedures"),
        ({"system_processes": ["cooking"]}, 422, "invalid_process", "system_processes"),
        ({"scope": "all"}, 400, "unknown_field", None),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(client, audit_world, tokens, changes, status, code, field):
    seq = head_seq()
    refused = post(client, tokens["qo"], f"/audit-programmes/{YEAR}/audits", _plan_body(audit_world, **changes), status)
    assert refused.get_json()["error"] == code and refused.get_json().get("field") == field
    assert events(after=seq) == [] and count(Audit) == 0


def test_planning_outside_the_years_is_refused(client, audit_world, tokens):
    refused = post(client, tokens["qo"], "/audit-programmes/1990/audits", _plan_body(audit_world), 422).get_json()
    assert (refused["error"], refused["field"]) == ("invalid_year", "year")


def test_only_the_quality_officer_plans(client, audit_world, tokens):
    seq = head_seq()
    post(client, tokens["leader"], f"/audit-programmes/{YEAR}/audits", _plan_body(audit_world), 403)
    assert events(after=seq) == [] and count(Audit) == 0


def test_planning_after_approval_revises_the_programme(client, audit_world, approved, tokens):
    post(client, tokens["qo"], f"/audit-programmes/{YEAR}/audits", _plan_body(audit_world), 201)
    (listed,) = get(client, tokens["staff"], "/audit-programmes")["programmes"]
    assert (listed["revision"], listed["status"], listed["approval_holds"], listed["audit_count"]) == (
        2,
        "draft",
        False,
        2,
    )
    assert listed["approved_by"] is None


def test_a_date_outside_the_programmes_year_is_refused(client, audit_world, tokens):
    body = _plan_body(audit_world, planned_start=f"{YEAR + 1}-01-05", planned_end=f"{YEAR + 1}-01-06")
    refused = post(client, tokens["qo"], f"/audit-programmes/{YEAR}/audits", body, 422).get_json()
    assert refused["error"] == "invalid_dates" and str(YEAR) in refused["message"]
    assert dt.date.fromisoformat(body["planned_start"]).year == YEAR + 1
