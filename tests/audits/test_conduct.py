"""Conducting an audit: the lead auditor signs its plan and a leader approves it; it starts only when
the programme and the plan, as they are now, are approved; the lead auditor signs the report once
every checklist question has its result; closing needs that signed report. The plan and the report
are .docx files kept with the state they show, sealed by their signatures."""

import io

import docx
import pytest
from sqlalchemy import func, select

from qms.audits import services
from qms.audits.models import AuditRecord, AuditStatus, ChecklistResult, RecordKind
from qms.db import DomainError, db
from qms.files.services import read_stored
from qms.nonconformities.models import Nonconformity
from qms.signatures.services import signatures_of, verify
from tests.conftest import PASSWORD
from tests.core.support import events


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value.code


def reason(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return str(caught.value)


def test_the_audit_starts_only_with_the_programme_and_its_plan_approved_as_they_are(audit_world, plan):
    w = audit_world
    audit = plan()
    # the refusals in the commune's language: the programme first, then the plan
    assert reason(lambda: services.start_audit(w.kiem, audit)).startswith("Lãnh đạo phải phê duyệt chương trình")
    services.approve_programme(w.leader, audit.programme, PASSWORD)
    db.session.commit()
    assert "trưởng đoàn ký" in reason(lambda: services.start_audit(w.kiem, audit))
    services.sign_plan(w.kiem, audit, PASSWORD)
    db.session.commit()
    assert refusal(lambda: services.start_audit(w.kiem, audit)) == "cannot_start", "signed, not approved"
    services.approve_plan(w.leader, audit, PASSWORD)
    db.session.commit()
    assert services.plan_holds(audit)
    services.start_audit(w.qo, audit)
    db.session.commit()
    assert audit.status is AuditStatus.in_progress and audit.started_by_id == w.qo.id
    assert [e["changes"]["audit_status"] for e in events("audit.started")] == [["planned", "in_progress"]]
    assert audit.items, "the checklist took the library's questions of the audit's clauses"
    assert {item.clause for item in audit.items} == {"7.5", "8.5"}


def test_who_signs_and_approves_the_plan(audit_world, plan):
    w = audit_world
    audit = plan()
    for person in (w.tra, w.qo, w.leader, w.auditor):  # a team member, the planner, a leader, the auditor
        assert refusal(lambda p=person: services.sign_plan(p, audit, PASSWORD)) == "forbidden"
    assert refusal(lambda: services.approve_plan(w.leader, audit, PASSWORD)) == "plan_not_signed"
    services.sign_plan(w.kiem, audit, PASSWORD)
    db.session.commit()
    assert refusal(lambda: services.sign_plan(w.kiem, audit, PASSWORD)) == "signed"
    for person in (w.kiem, w.qo, w.auditor):
        assert refusal(lambda p=person: services.approve_plan(p, audit, PASSWORD)) == "forbidden"
    assert refusal(lambda: services.approve_plan(w.leader, audit, "wrong password")) == "bad_password"
    assert services.plan_approval(audit) is None, "a wrong password signs nothing"
    services.approve_plan(w.leader, audit, PASSWORD)
    db.session.commit()
    record = services.latest_record(audit, RecordKind.plan)
    meanings = sorted(s.meaning for s in signatures_of(record))
    assert meanings == ["audit_plan_approved", "audit_plan_signed"]
    assert all(verify(s, record).valid for s in signatures_of(record))
    assert refusal(lambda: services.approve_plan(w.leader, audit, PASSWORD)) == "approved"


def test_the_plan_docx_shows_the_plan_that_was_signed(audit_world, plan):
    w = audit_world
    audit = plan()
    services.sign_plan(w.kiem, audit, PASSWORD)
    db.session.commit()
    record = services.latest_record(audit, RecordKind.plan)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(read_stored(record.sha256))).paragraphs)
    assert "KẾ HOẠCH ĐÁNH GIÁ NỘI BỘ" in text.upper()
    assert record.state["code"] == audit.code and record.state["lead_auditor"] == w.kiem.full_name
    assert record.filename.endswith(".docx")


def test_a_plan_changed_after_signing_is_signed_and_approved_again(audit_world, plan, start):
    w = audit_world
    audit = plan()
    services.approve_programme(w.leader, audit.programme, PASSWORD)
    services.sign_plan(w.kiem, audit, PASSWORD)
    services.approve_plan(w.leader, audit, PASSWORD)
    db.session.commit()
    services.change_audit(
        w.qo,
        audit,
        title=audit.title,
        clauses=["8.5"],
        planned_start=audit.planned_start,
        planned_end=audit.planned_end,
        lead_auditor=w.kiem,
        team=[w.tra],
        procedures=[w.certification],
        criteria=audit.criteria,
    )
    db.session.commit()
    assert not services.plan_holds(audit) and not services.plan_is_current(audit)
    assert refusal(lambda: services.approve_plan(w.leader, audit, PASSWORD)) == "plan_not_signed"
    start(audit)
    assert audit.status is AuditStatus.in_progress
    plans = db.session.scalars(select(AuditRecord).where(AuditRecord.kind == RecordKind.plan)).all()
    assert [p.revision for p in plans] == [1, 2]
    assert plans[0].state["clauses"] == ["7.5", "8.5"] and plans[1].state["clauses"] == ["8.5"]
    assert all(verify(s, plans[0]).valid for s in signatures_of(plans[0])), "the first plan's signatures hold"


def answer_all(audit, person, result=ChecklistResult.conform, notes="Đã xem sổ theo dõi"):
    for item in audit.items:
        if item.result is None:
            services.answer_item(person, item, result=result, notes=notes)


def test_the_report_is_signed_when_the_checklist_is_answered_and_the_audit_closes_after(audit_world, started):
    w = audit_world
    audit = started
    assert reason(lambda: services.sign_report(w.kiem, audit, PASSWORD)).endswith("chưa có kết quả.")
    services.answer_item(w.tra, audit.items[0], result="minor", notes="Sổ tiếp nhận thiếu chữ ký")
    answer_all(audit, w.tra)
    db.session.commit()
    assert "tóm tắt và kết luận" in reason(lambda: services.sign_report(w.kiem, audit, PASSWORD))
    assert refusal(lambda: services.write_report(w.tra, audit, summary="x", strengths="", conclusions="y")) == (
        "forbidden"
    )
    services.write_report(
        w.kiem,
        audit,
        summary="Quy trình được áp dụng",
        strengths="Cán bộ nắm vững quy trình",
        conclusions="Phù hợp, một điểm không phù hợp nhẹ",
    )
    db.session.commit()
    assert refusal(lambda: services.close_audit(w.qo, audit)) == "not_reported"
    assert refusal(lambda: services.sign_report(w.qo, audit, PASSWORD)) == "forbidden"
    services.sign_report(w.kiem, audit, PASSWORD)
    db.session.commit()
    assert audit.status is AuditStatus.reported and audit.reported_at is not None
    record = services.latest_record(audit, RecordKind.report)
    assert services.report_signature(audit) is not None
    assert record.state["reported_at"] == audit.reported_at.isoformat(), "the report is dated the day it was signed"
    finding = record.state["findings"][0]
    assert (finding["grade"], finding["clause"]) == ("minor", audit.items[0].clause)
    assert finding["nc_code"] == db.session.get(Nonconformity, audit.findings[0].nc_id).number
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(read_stored(record.sha256))).paragraphs)
    assert "Sổ tiếp nhận thiếu chữ ký" in body or any(
        "Sổ tiếp nhận thiếu chữ ký" in cell.text
        for table in docx.Document(io.BytesIO(read_stored(record.sha256))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert refusal(lambda: services.answer_item(w.tra, audit.items[1], result="conform", notes="")) == (
        "not_in_progress"
    ), "a reported audit's checklist no longer changes"
    for person in (w.tra, w.auditor, w.staff):
        assert refusal(lambda p=person: services.close_audit(p, audit)) == "forbidden"
    services.close_audit(w.qo, audit)
    db.session.commit()
    assert audit.status is AuditStatus.closed and audit.closed_by_id == w.qo.id
    follow = services.follow_up(audit)
    assert [(f.grade.value, nc.number) for f, nc in follow] == [("minor", finding["nc_code"])]


def test_findings_are_recorded_only_while_the_audit_is_in_progress(audit_world, approved):
    w = audit_world
    audit = approved[0].audits[0]
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="8.5", grade="minor", description="x")) == (
        "not_in_progress"
    )
    assert db.session.scalar(select(func.count()).select_from(Nonconformity)) == 0


def test_conducting_an_audit_keeps_the_programmes_approval(audit_world, plan):
    """Starting, reporting and closing audits is no change to the programme the leader approved: the
    second audit starts after the first has, and the approval still holds; a cancellation still is."""
    w = audit_world
    first, second = plan(), plan(title="Đánh giá quy trình hộ tịch", procedures=[w.birth])
    services.approve_programme(w.leader, first.programme, PASSWORD)
    for audit in (first, second):
        services.sign_plan(w.kiem, audit, PASSWORD)
        services.approve_plan(w.leader, audit, PASSWORD)
    db.session.commit()
    services.start_audit(w.qo, first)
    db.session.commit()
    assert services.approval_holds(first.programme)
    services.start_audit(w.qo, second)
    db.session.commit()
    assert second.status is AuditStatus.in_progress and services.approval_holds(second.programme)
    third = plan(title="Đánh giá kiểm soát tài liệu", procedures=[], system_processes=["documents"])
    assert not services.approval_holds(third.programme), "a new audit is a new revision"
