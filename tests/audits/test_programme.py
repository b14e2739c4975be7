"""The yearly audit programme: the quality officer plans its audits (coded ĐGNB-<year>-<nn>, scope,
clauses, dates and team checked), a leader approves it with a signature (the password typed again; a
wrong one recorded and counted toward the lock-out), and a change after approval is the programme's
next revision, to be signed again, while the earlier signature still verifies against what it sealed.
The auditor role changes nothing."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from qms.audits import permissions as perm
from qms.audits import services
from qms.audits.models import Audit, AuditProgramme, AuditStatus, ProgrammeStatus
from qms.auth.models import LoginAttempt
from qms.db import DomainError, db
from qms.signatures.services import signatures_of, verify
from tests.audits.conftest import YEAR
from tests.conftest import PASSWORD
from tests.core.support import events


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value.code


def test_the_programme_of_a_year_is_created_once_as_a_draft(audit_world):
    w = audit_world
    programme = services.programme_for(w.qo, w.commune, YEAR)
    db.session.commit()
    assert (programme.year, programme.revision, programme.status) == (YEAR, 1, ProgrammeStatus.draft)
    assert services.programme_for(w.qo, w.commune, YEAR).id == programme.id
    assert db.session.scalar(select(func.count()).select_from(AuditProgramme)) == 1
    assert [e["changes"]["year"] for e in events("audit_programme.created")] == [[None, YEAR]]
    assert refusal(lambda: services.programme_for(w.staff, w.commune, YEAR + 1)) == "forbidden"
    assert refusal(lambda: services.programme_for(w.qo, w.commune, 1800)) == "invalid_year"


def test_audits_are_coded_per_year_and_their_fields_checked(audit_world, plan):
    w = audit_world
    first, second = plan(), plan(title="Đánh giá hộ tịch", procedures=[w.birth], clauses=["9", "4.4", "8.5"])
    assert (first.code, second.code) == (f"ĐGNB-{YEAR}-01", f"ĐGNB-{YEAR}-02")
    assert second.clauses == ["4.4", "8.5", "9"], "in the standard's order"
    assert sorted((m.user_id, m.is_lead) for m in first.team) == sorted([(w.kiem.id, True), (w.tra.id, False)])
    planned = events("audit.planned")[0]["changes"]
    assert planned["code"] == [None, first.code] and planned["processes"] == [None, [f"procedure:{w.certification.id}"]]
    assert refusal(lambda: plan(clauses=["11.1"])) == "invalid_clause"
    assert refusal(lambda: plan(clauses=[])) == "clauses_required"
    assert refusal(lambda: plan(planned_start=dt.date(YEAR + 1, 1, 5), planned_end=dt.date(YEAR + 1, 1, 6))) == (
        "invalid_dates"
    )
    assert refusal(lambda: plan(planned_end=dt.date(YEAR, 3, 1))) == "invalid_dates"
    assert refusal(lambda: plan(procedures=[], system_processes=[])) == "processes_required"
    assert refusal(lambda: plan(system_processes=["nothing"])) == "invalid_process"
    assert refusal(lambda: plan(lead_auditor=w.auditor)) == "read_only"
    assert refusal(lambda: plan(title=" ")) == "title_required"
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 2


def test_a_leader_approves_with_a_signature(audit_world, approved):
    w = audit_world
    programme, signature = approved
    assert (programme.status, programme.revision, programme.approved_by_id) == (
        ProgrammeStatus.approved,
        1,
        w.leader.id,
    )
    revision = services.current_revision(programme)
    assert signatures_of(revision) == [signature] and signature.signer_id == w.leader.id
    assert verify(signature).valid and services.approval_holds(programme)
    assert revision.state == services.programme_state(programme)
    assert revision.state["audits"][0]["code"] == f"ĐGNB-{YEAR}-01"
    (event,) = events("audit_programme.approved")
    assert event["changes"]["signature"] == [None, signature.seal]
    assert refusal(lambda: services.approve_programme(w.leader, programme, PASSWORD)) == "approved"


def test_only_a_leader_approves_and_the_password_is_checked(audit_world, plan):
    w = audit_world
    programme = plan().programme
    assert refusal(lambda: services.approve_programme(w.qo, programme, PASSWORD)) == "forbidden"
    with pytest.raises(DomainError) as wrong:
        services.approve_programme(w.leader, programme, "wrong password")
    assert wrong.value.code == "bad_password"
    db.session.commit()  # the failed attempt is kept, nothing else
    failed = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.purpose == "signature", LoginAttempt.user_id == w.leader.id)
    )
    assert db.session.scalar(failed) == 1
    programme = db.session.get(AuditProgramme, programme.id)
    assert programme.status is ProgrammeStatus.draft and programme.revisions == []
    for _attempt in range(10):  # the lock-out of sign-in failures applies to signatures too
        with pytest.raises(DomainError) as wrong:
            services.approve_programme(w.leader, programme, "wrong password")
        db.session.commit()
        if wrong.value.code == "locked":
            break
    assert wrong.value.code == "locked"
    assert refusal(lambda: services.approve_programme(w.leader, programme, PASSWORD)) == "locked"


def test_an_empty_programme_cannot_be_approved(audit_world, plan):
    w = audit_world
    audit = plan()
    services.cancel_audit(w.qo, audit, "Trùng với đợt đánh giá của tỉnh")
    db.session.commit()
    assert refusal(lambda: services.approve_programme(w.leader, audit.programme, PASSWORD)) == "empty"


def test_a_change_after_approval_is_a_new_revision_signed_again(audit_world, approved, plan):
    w = audit_world
    programme, first = approved
    audit = programme.audits[0]
    services.change_audit(
        w.qo,
        audit,
        title=audit.title,
        clauses=audit.clauses,
        planned_start=dt.date(YEAR, 4, 1),
        planned_end=dt.date(YEAR, 4, 2),
        lead_auditor=w.kiem,
        team=[w.tra],
        procedures=[w.certification],
        criteria=audit.criteria,
    )
    db.session.commit()
    assert (programme.status, programme.revision) == (ProgrammeStatus.draft, 2)
    (revised,) = events("audit_programme.revised")
    assert revised["changes"]["revision"] == [1, 2]
    changed = events("audit.changed")[0]["changes"]
    assert changed["planned_start"] == [f"{YEAR}-03-10", f"{YEAR}-04-01"]
    assert not services.approval_holds(programme)
    assert verify(first).valid, "the first revision's signature still verifies against what it sealed"
    second = services.approve_programme(w.leader, programme, PASSWORD)
    db.session.commit()
    assert (programme.status, programme.revision) == (ProgrammeStatus.approved, 2)
    assert [r.revision for r in programme.revisions] == [1, 2]
    assert verify(first).valid and verify(second).valid and first.signed_digest != second.signed_digest
    assert programme.revisions[1].state["audits"][0]["planned_start"] == f"{YEAR}-04-01"
    # a change that changes nothing is no revision; adding or cancelling an audit is one
    services.change_audit(
        w.qo,
        audit,
        title=audit.title,
        clauses=audit.clauses,
        planned_start=audit.planned_start,
        planned_end=audit.planned_end,
        lead_auditor=w.kiem,
        team=[w.tra],
        procedures=[w.certification],
        criteria=audit.criteria,
    )
    assert programme.revision == 2 and programme.status is ProgrammeStatus.approved
    plan(title="Đánh giá hộ tịch", procedures=[w.birth])
    assert (programme.revision, programme.status) == (3, ProgrammeStatus.draft)
    services.approve_programme(w.leader, programme, PASSWORD)
    services.cancel_audit(w.qo, audit, "Gộp vào đợt đánh giá tháng 9")
    db.session.commit()
    assert (programme.revision, programme.status, audit.status) == (4, ProgrammeStatus.draft, AuditStatus.cancelled)
    assert all(verify(s).valid for r in programme.revisions for s in signatures_of(r))


def test_a_tampered_revision_no_longer_verifies(audit_world, approved):
    programme, signature = approved
    revision = services.current_revision(programme)
    revision.state = {**revision.state, "revision": 9}
    db.session.commit()
    assert not verify(signature).valid and not services.approval_holds(programme)


def test_the_auditor_role_may_change_nothing(audit_world, approved, started):
    w = audit_world
    programme, _signature = approved
    audit = started
    finding = services.record_finding(w.kiem, audit, clause="8.5", grade="observation", description="Sổ theo dõi")
    db.session.commit()
    auditor = w.auditor
    assert not perm.can_plan(auditor, programme) and not perm.can_approve(auditor, programme)
    assert not perm.can_record_finding(auditor, audit) and not perm.can_decide_finding(auditor, finding)
    assert perm.can_view(auditor, programme) and perm.can_view(auditor, audit)
    assert refusal(lambda: services.programme_for(auditor, w.commune, YEAR + 1)) == "forbidden"
    for call in (
        lambda: services.add_audit(
            auditor,
            programme,
            title="x",
            clauses=["8.5"],
            planned_start=dt.date(YEAR, 5, 1),
            planned_end=dt.date(YEAR, 5, 1),
            lead_auditor=w.kiem,
            procedures=[w.birth],
        ),
        lambda: services.cancel_audit(auditor, audit, "x"),
        lambda: services.approve_programme(auditor, programme, PASSWORD),
        lambda: services.record_finding(auditor, audit, clause="8.5", grade="minor", description="x"),
        lambda: services.decide_finding(auditor, finding, accepted=True, reason="x"),
        lambda: services.sign_plan(auditor, audit, PASSWORD),
        lambda: services.approve_plan(auditor, audit, PASSWORD),
        lambda: services.start_audit(auditor, audit),
        lambda: services.answer_item(auditor, audit.items[0], result="conform", notes=""),
        lambda: services.add_own_question(auditor, audit, clause="8.5", text="x"),
        lambda: services.set_checklist(auditor, audit, []),
        lambda: services.add_question(auditor, w.commune.id, clause="8.5", text="x"),
        lambda: services.write_report(auditor, audit, summary="x", strengths="", conclusions="x"),
        lambda: services.sign_report(auditor, audit, PASSWORD),
        lambda: services.close_audit(auditor, audit),
    ):
        assert refusal(call) == "forbidden"


def test_a_change_while_a_leader_approves_conflicts(audit_world, plan):
    """The leader approved what they saw (row_version); a change made meanwhile makes it a conflict."""
    w = audit_world
    programme = plan().programme
    seen = programme.row_version
    plan(title="Đánh giá hộ tịch", procedures=[w.birth])
    assert programme.row_version > seen
    code = refusal(lambda: services.approve_programme(w.leader, programme, PASSWORD, expected_row_version=seen))
    assert code == "conflict"
    assert db.session.get(AuditProgramme, programme.id).status is ProgrammeStatus.draft
