"""Findings: the audit team records them on the audit's clauses; a major or minor nonconformity opens
an NC at once (source: internal audit), once, linked both ways; observations and opportunities for
improvement are decided, with the reason, by the quality officer or a leader."""

import pytest
from sqlalchemy import func, select

from qms.audits import services
from qms.audits.models import AuditFinding, Decision, Grade
from qms.db import DomainError, db
from qms.nonconformities.models import NcSource, Nonconformity, Severity
from qms.nonconformities.services import find_opened_from
from tests.core.support import events


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value.code


def nc_count():
    return db.session.scalar(select(func.count()).select_from(Nonconformity))


def test_a_major_finding_opens_its_nonconformity_at_once(audit_world, started):
    w = audit_world
    audit = started
    before = nc_count()
    finding = services.record_finding(
        w.tra, audit, clause="8.5", grade="major", description="Hồ sơ trả kết quả không ghi phiếu kiểm soát"
    )
    db.session.commit()
    assert nc_count() == before + 1
    nc = db.session.get(Nonconformity, finding.nc_id)
    assert (nc.source, nc.severity, nc.clause) == (NcSource.internal_audit, Severity.major, "8.5")
    assert nc.source_ref == f"audit_findings {finding.id}", "the NC names the finding it was opened from"
    assert find_opened_from(w.commune.id, finding).id == nc.id
    assert nc.procedure_id == w.documents["QT-10"].id, "the audit's one procedure: its process document"
    assert audit.code in nc.title and nc.detected_by_id == w.tra.id
    assert [e["changes"]["nc_id"] for e in events("audit.finding_nc_linked")] == [[None, nc.id]]


def test_opening_the_nc_again_gives_the_same_one(audit_world, started):
    w = audit_world
    audit = started
    finding = services.record_finding(w.kiem, audit, clause="7.5", grade="minor", description="Mẫu cũ còn dùng")
    db.session.commit()
    count = nc_count()
    again = services.link_nc(w.kiem, finding)
    db.session.commit()
    assert again.id == finding.nc_id and nc_count() == count
    assert len(events("audit.finding_nc_linked")) == 1, "nothing changed, nothing recorded"
    assert db.session.get(Nonconformity, finding.nc_id).severity is Severity.minor


def test_an_nc_finding_names_the_unit_when_the_scope_has_one(audit_world, plan, start):
    w = audit_world
    audit = start(plan(procedures=[w.birth, w.certification], units=[w.unit]))
    finding = services.record_finding(w.kiem, audit, clause="8.5.1", grade="minor", description="Không niêm yết")
    db.session.commit()
    nc = db.session.get(Nonconformity, finding.nc_id)
    assert (nc.unit_id, nc.procedure_id) == (w.unit.id, None)


def test_observations_open_no_nc_and_are_decided_with_a_reason(audit_world, started):
    w = audit_world
    audit = started
    count = nc_count()
    finding = services.record_finding(w.kiem, audit, clause="7.5", grade="improvement", description="Số hoá sổ")
    db.session.commit()
    assert finding.nc_id is None and nc_count() == count
    assert refusal(lambda: services.decide_finding(w.qo, finding, accepted=True, reason=" ")) == "reason_required"
    assert refusal(lambda: services.decide_finding(w.staff, finding, accepted=True, reason="Tốt")) == "forbidden"
    services.decide_finding(w.leader, finding, accepted=False, reason="Chưa có kinh phí năm nay")
    db.session.commit()
    finding = db.session.get(AuditFinding, finding.id)
    assert (finding.decision, finding.decided_by_id, finding.decision_reason) == (
        Decision.not_accepted,
        w.leader.id,
        "Chưa có kinh phí năm nay",
    )
    assert refusal(lambda: services.decide_finding(w.qo, finding, accepted=True, reason="Lại")) == "decided"
    major = services.record_finding(w.kiem, audit, clause="7.5", grade=Grade.major, description="Không kiểm soát")
    assert refusal(lambda: services.decide_finding(w.qo, major, accepted=True, reason="x")) == "not_decidable"


def test_only_the_team_records_findings_on_the_audits_clauses(audit_world, started):
    w = audit_world
    audit = started
    assert refusal(lambda: services.record_finding(w.qo, audit, clause="8.5", grade="minor", description="x")) == (
        "forbidden"
    )
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="9.2", grade="minor", description="x")) == (
        "clause_outside_scope"
    )
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="8.9", grade="minor", description="x")) == (
        "invalid_clause"
    )
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="8.5", grade="severe", description="x")) == (
        "invalid_choice"
    )
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="8.5", grade="minor", description="")) == (
        "description_required"
    )
    assert refusal(lambda: services.record_finding(w.kiem, audit, clause="8", grade="minor", description="x")) == (
        "clause_outside_scope"
    ), "the section is wider than the audit's 8.5"
    assert db.session.scalar(select(func.count()).select_from(AuditFinding)) == 0
    assert (
        services.record_finding(w.kiem, audit, clause="8.5.1", grade="observation", description="x").clause == "8.5.1"
    )
