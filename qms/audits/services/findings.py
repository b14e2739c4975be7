"""An audit's findings: graded by the audit team (ISO 19011 practice). A major or minor nonconformity
opens an NC at once through the nonconformities' service (source: internal audit), linked both ways:
the finding keeps the NC, the NC names the finding as the record it was opened from. Observations and
opportunities for improvement are tracked to a decision: accepted or not, by whom, why."""

from flask_babel import lazy_gettext as _l

from qms.audit.services import diff, record_event
from qms.audits import permissions as perm
from qms.audits.models import NC_GRADES, AuditFinding, AuditStatus, Decision, Grade
from qms.audits.services.common import clause_in_scope, flush, require, required_text
from qms.auth.models import Commune, Unit
from qms.core.calendar import utcnow
from qms.db import DomainError, db, enum_choice
from qms.documents.models import Document
from qms.nonconformities.models import NcSource, Severity
from qms.nonconformities.services import open_from_elsewhere
from qms.processes.models import Procedure

NC_TITLE_MAX = 300


def grade_of(value) -> Grade:
    return enum_choice(
        Grade, value, _l("Choose the grade: major or minor nonconformity, observation or opportunity for improvement.")
    )


def _open_nc(actor, audit, finding):
    """The NC a major or minor finding opens (the same one if it was opened already): where it was
    found is the audit's unit or procedure when its scope has exactly one."""
    procedures = [p.procedure_id for p in audit.processes if p.procedure_id is not None]
    procedure = None
    if len(procedures) == 1 and len(audit.processes) == 1:
        procedure = db.session.get(Procedure, procedures[0])
    unit = db.session.get(Unit, audit.units[0].unit_id) if len(audit.units) == 1 else None
    title = f"{audit.code}: {finding.description}"
    if len(title) > NC_TITLE_MAX:
        title = title[: NC_TITLE_MAX - 1] + "…"
    nc, _created = open_from_elsewhere(
        actor,
        db.session.get(Commune, audit.commune_id),
        source=NcSource.internal_audit,
        record=finding,
        title=title,
        description=finding.description,
        severity=Severity(finding.grade.value),
        detected_by=actor,
        detected_at=finding.recorded_at,
        clause=finding.clause,
        unit=unit,
        # the NC's process is the procedure's process document (a QT)
        procedure=_process_document(procedure),
    )
    return nc


def _process_document(procedure):
    if procedure is None:
        return None
    return db.session.get(Document, procedure.process_document_id)


def record_finding(actor, audit, *, clause, grade, description):
    """A member of the audit's team records a finding on a clause of the audit's scope. A major or
    minor nonconformity opens an NC at once (returned linked: finding.nc_id). Refused (DomainError)
    for someone not on the team, an audit not in progress, a clause outside the scope, an unknown
    grade or an empty description."""
    require(perm.record_finding_refusal(actor, audit))
    if audit.status is not AuditStatus.in_progress:
        raise DomainError(
            _l("Findings are recorded while the audit is in progress."), code="not_in_progress", status=409
        )
    finding = AuditFinding(
        commune_id=audit.commune_id,
        audit_id=audit.id,
        clause=clause_in_scope(audit, clause),
        grade=grade_of(grade),
        description=required_text(description, _l("Describe the finding."), code="description_required"),
        recorded_by_id=actor.id,
        recorded_at=utcnow(),
    )
    db.session.add(finding)
    flush()
    record_event(
        actor,
        "audit.finding_recorded",
        finding,
        changes={
            "audit_id": (None, audit.id),
            "clause": (None, finding.clause),
            "grade": (None, finding.grade),
            "description": (None, finding.description),
        },
    )
    if finding.grade in NC_GRADES:
        link_nc(actor, finding)
    return finding


def link_nc(actor, finding):
    """Open the finding's NC, or find the one opened already (idempotent: one NC per finding), and keep
    it on the finding."""
    if finding.grade not in NC_GRADES:
        raise DomainError(_l("Only a major or minor nonconformity opens a nonconformity."), code="not_an_nc")
    nc = _open_nc(actor, finding.audit, finding)
    if finding.nc_id != nc.id:
        changes = diff(finding, nc_id=nc.id)
        flush()
        record_event(actor, "audit.finding_nc_linked", finding, changes=changes)
    return nc


def decide_finding(actor, finding, *, accepted, reason):
    """The quality officer or a leader decides on an observation or opportunity for improvement:
    accepted or not, and why (required). Refused for a nonconformity finding, for one decided already
    and without a reason."""
    require(perm.decide_finding_refusal(actor, finding))
    if finding.grade in NC_GRADES:
        raise DomainError(
            _l("A nonconformity finding is handled as its nonconformity, not by a decision."), code="not_decidable"
        )
    if finding.decision is not None:
        raise DomainError(_l("This finding has been decided already."), code="decided", status=409)
    reason = required_text(reason, _l("Say why."), code="reason_required")
    changes = diff(
        finding,
        decision=Decision.accepted if accepted else Decision.not_accepted,
        decision_reason=reason,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    )
    flush()
    record_event(actor, "audit.finding_decided", finding, changes=changes)
    return finding
