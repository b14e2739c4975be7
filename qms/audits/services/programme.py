"""The yearly audit programme and its audits: planning (add, change, cancel an audit), and the leader's
signed approval.

A programme's content is its audits. Approving it seals a revision: a row holding the programme's
canonical state (programme_state), signed by the leader. Any change to its audits after approval puts
the programme back to draft as its next revision (audit_programme.revised), which needs a signature
of its own; the signatures of earlier revisions stay on their rows and still verify against what they
sealed.
"""

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import attributes

from qms.audit.services import diff, record_event
from qms.audits import library
from qms.audits import permissions as perm
from qms.audits.models import (
    Audit,
    AuditMeaning,
    AuditProcess,
    AuditProgramme,
    AuditProgrammeRevision,
    AuditStatus,
    AuditTeamMember,
    AuditUnit,
    ProgrammeStatus,
)
from qms.audits.processes import SYSTEM_PROCESSES
from qms.audits.services.common import check_row_version, flush, require, required_text, text
from qms.audits.services.impartiality import require_impartial
from qms.auth.models import Unit
from qms.core.calendar import utcnow
from qms.core.codes import CodeFormat
from qms.core.digests import record_digest
from qms.db import DomainError, db, insert_numbered
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes

CODE_FORMAT = "ĐGNB-{yyyy}-{nn}"
TITLE_MAX = 300
FIRST_YEAR, LAST_YEAR = 2000, 2100


# --- the programme's state, as its approval seals it ----------------------------------------------


def audit_state(audit) -> dict:
    return {
        "code": audit.code,
        "title": audit.title,
        "status": audit.status.value,
        "criteria": audit.criteria,
        "clauses": list(audit.clauses or []),
        "processes": sorted(p.key for p in audit.processes),
        "units": sorted(u.unit_id for u in audit.units),
        "planned_start": audit.planned_start.isoformat(),
        "planned_end": audit.planned_end.isoformat(),
        "lead_auditor_id": audit.lead_auditor_id,
        "team": sorted(m.user_id for m in audit.team),
    }


def programme_state(programme) -> dict:
    """What the leader's signature covers: the year, the revision and each audit of the programme."""
    return {
        "year": programme.year,
        "revision": programme.revision,
        "audits": [audit_state(audit) for audit in programme.audits],
    }


register_subject(
    AuditProgrammeRevision.__tablename__,
    AuditProgrammeRevision,
    content_digest=lambda revision: record_digest(revision.state),
    identity=lambda revision: (str(revision.programme_id), str(revision.revision)),
)


def current_revision(programme) -> AuditProgrammeRevision | None:
    """The approved revision the programme is at, when it is approved."""
    if programme.status is not ProgrammeStatus.approved:
        return None
    return next((r for r in programme.revisions if r.revision == programme.revision), None)


def _as_planned(state) -> dict:
    """A programme's state as planning sees it: an audit is planned or cancelled; conducting it
    (started, reported, closed) does not change the programme the leader approved."""
    cancelled = AuditStatus.cancelled.value
    return {
        **state,
        "audits": [{**audit, "status": audit["status"] == cancelled} for audit in state["audits"]],
    }


def approval_holds(programme) -> bool:
    """Whether the programme is approved and still holds what its approval sealed (its audits being
    conducted since is no change to it)."""
    revision = current_revision(programme)
    return revision is not None and record_digest(_as_planned(programme_state(programme))) == record_digest(
        _as_planned(revision.state)
    )


# --- the programme ---------------------------------------------------------------------------------


def audit_by_code(commune_id, code) -> Audit | None:
    """The commune's audit coded `code` (ĐGNB-2026-01), or None."""
    return db.session.scalar(select(Audit).where(Audit.commune_id == commune_id, Audit.code == code.strip()))


def find_programme(commune, year) -> AuditProgramme | None:
    return db.session.scalar(
        select(AuditProgramme).where(AuditProgramme.commune_id == commune.id, AuditProgramme.year == year)
    )


def programme_for(actor, commune, year) -> AuditProgramme:
    """The commune's programme of `year`, created as a draft (revision 1) the first time the quality
    officer plans that year."""
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(_l("Choose the year of the programme."), code="invalid_year")
    found = find_programme(commune, year)
    if found is not None:
        return found
    programme = AuditProgramme(commune_id=commune.id, year=year)
    require(perm.plan_refusal(actor, programme))
    programme.revision, programme.status = 1, ProgrammeStatus.draft
    programme.created_by_id = actor.id
    db.session.add(programme)
    flush()
    record_event(
        actor,
        "audit_programme.created",
        programme,
        changes={"year": (None, year), "revision": (None, 1), "programme_status": (None, ProgrammeStatus.draft)},
    )
    return programme


def _revise(actor, programme):
    """A change to the programme's audits. The programme's row is updated whatever its status, so that
    a leader approving it at the same moment conflicts (its row_version) instead of sealing a state
    that no longer holds; an approved programme goes back to draft as its next revision."""
    attributes.flag_modified(programme, "notes")
    if programme.status is not ProgrammeStatus.approved:
        return
    old = programme.revision
    programme.revision = old + 1
    programme.status = ProgrammeStatus.draft
    programme.approved_at = programme.approved_by_id = None
    record_event(
        actor,
        "audit_programme.revised",
        programme,
        changes={"revision": (old, old + 1), "programme_status": (ProgrammeStatus.approved, ProgrammeStatus.draft)},
    )


def approve_programme(actor, programme, password, *, expected_row_version=None):
    """A leader approves the programme as it is now, with a signature (the password typed again,
    checked before anything is written; a wrong one is recorded and counts toward the lock-out).
    Seals a new revision row; returns the signature. Raises DomainError when the actor is not a
    leader, the programme is already approved or has no audit planned."""
    require(perm.approve_refusal(actor, programme))
    check_row_version(programme, expected_row_version)
    if programme.status is ProgrammeStatus.approved:
        raise DomainError(_l("This revision of the programme is already approved."), code="approved", status=409)
    if not any(audit.is_active for audit in programme.audits):
        raise DomainError(_l("Plan at least one audit before approving the programme."), code="empty", status=409)
    confirm_password(actor, password, meaning=AuditMeaning.programme_approved.value, subject=programme)
    now = utcnow()
    revision = AuditProgrammeRevision(
        commune_id=programme.commune_id,
        programme_id=programme.id,
        revision=programme.revision,
        state=programme_state(programme),
        approved_at=now,
        approved_by_id=actor.id,
    )
    programme.revisions.append(revision)
    flush()
    signature = sign(actor, revision, AuditMeaning.programme_approved.value)
    # the programme's status has a field of its own on the trail: "approved" means another thing for a document
    changes = {"programme_status": (programme.status, ProgrammeStatus.approved), "revision": (None, programme.revision)}
    programme.status, programme.approved_at, programme.approved_by_id = ProgrammeStatus.approved, now, actor.id
    flush()
    record_event(actor, "audit_programme.approved", programme, changes={**changes, **signature_changes(signature)})
    return signature


# --- an audit's fields --------------------------------------------------------------------------------


def _clauses(values) -> list:
    """Clause numbers of the standard (sections 4 to 10 or their sub-clauses), in the standard's order."""
    known = [h.number for h in library.SECTIONS] + [h.number for h in library.CLAUSES]
    chosen = {str(v).strip() for v in values or () if str(v).strip()}
    unknown = sorted(chosen - set(known))
    if unknown:
        raise DomainError(
            _l("Not a clause of ISO 9001 from 4 to 10: %(clauses)s.", clauses=", ".join(unknown)), code="invalid_clause"
        )
    if not chosen:
        raise DomainError(_l("Choose the clauses the audit covers."), code="clauses_required")
    order = {number: i for i, number in enumerate(h.number for h in library.CLAUSES)}
    for section in library.SECTIONS:
        order[section.number] = order[f"{section.number}.1"] - 0.5
    return sorted(chosen, key=order.__getitem__)


def _dates(programme, start, end):
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise DomainError(_l("Enter the planned dates."), code="dates_required")
    if end < start:
        raise DomainError(_l("The audit cannot end before it starts."), code="invalid_dates")
    if start.year != programme.year or end.year != programme.year:
        raise DomainError(
            _l("The audit's dates must fall in %(year)d, the programme's year.", year=programme.year),
            code="invalid_dates",
        )
    return start, end


def _person(user, commune_id, message):
    if user is None or user.commune_id != commune_id or not user.is_active:
        raise DomainError(message, code="person_required")
    if user.is_read_only:
        raise DomainError(
            _l(
                "%(person)s holds only the auditor's read-only role and could not record findings.",
                person=user.full_name,
            ),
            code="read_only",
        )
    return user


def _scope(commune_id, procedures, system_processes, units):
    for procedure in procedures:
        if procedure.commune_id != commune_id:
            raise DomainError(_l("The procedure belongs to another commune."), code="other_commune")
    for unit in units:
        if unit.commune_id != commune_id:
            raise DomainError(_l("The unit belongs to another commune."), code="other_commune")
    unknown = sorted(set(system_processes) - set(SYSTEM_PROCESSES))
    if unknown:
        raise DomainError(_l("Unknown process: %(keys)s.", keys=", ".join(unknown)), code="invalid_process")
    if not procedures and not system_processes:
        raise DomainError(_l("Choose the processes the audit covers."), code="processes_required")
    return (
        sorted({p.id for p in procedures}),
        sorted(set(system_processes)),
        sorted({u.id for u in units}),
    )


def _unit_codes(unit_ids) -> list:
    return sorted(db.session.get(Unit, i).code for i in unit_ids)


def _set_scope(audit, procedure_ids, system_keys, unit_ids) -> dict:
    changes = {}
    old_processes = sorted(p.key for p in audit.processes)
    wanted = [AuditProcess(procedure_id=i) for i in procedure_ids] + [
        AuditProcess(system_process=k) for k in system_keys
    ]
    new_processes = sorted(p.key for p in wanted)
    if old_processes != new_processes:
        keep = {p.key: p for p in audit.processes}
        audit.processes = [keep.get(p.key, p) for p in wanted]
        changes["processes"] = (old_processes or None, new_processes)
    old_units = sorted(u.unit_id for u in audit.units)
    if old_units != unit_ids:
        keep = {u.unit_id: u for u in audit.units}
        codes = _unit_codes(old_units)
        audit.units = [keep.get(i) or AuditUnit(unit_id=i) for i in unit_ids]
        changes["units"] = (codes or None, _unit_codes(unit_ids))  # by code, as an account's units are
    return changes


def _set_team(audit, lead, members) -> dict:
    """The lead auditor and the other members (the lead is a member, flagged)."""
    old = sorted(m.user_id for m in audit.team)
    wanted = {lead.id: True} | {m.id: False for m in members if m.id != lead.id}
    keep = {m.user_id: m for m in audit.team}
    team = []
    for user_id, is_lead in wanted.items():
        member = keep.get(user_id) or AuditTeamMember(user_id=user_id)
        member.is_lead = is_lead
        team.append(member)
    audit.team = team
    new = sorted(wanted)
    changes = {}
    if old != new:
        changes["team"] = (old or None, new)
    return changes


def _team_users(audit, lead, members):
    seen, users = set(), []
    for user in (lead, *members):
        if user.id not in seen:
            seen.add(user.id)
            users.append(user)
    return users


def _insert(audit, programme):
    code_format = CodeFormat(CODE_FORMAT, "")
    return insert_numbered(
        audit,
        scope=(Audit.commune_id == programme.commune_id, Audit.year == programme.year),
        field="code",
        number=lambda serial: code_format.render(year=programme.year, serial=serial),
        refusal=lambda: DomainError(_l("Could not give the audit a code; try again."), code="code_taken", status=409),
    )


# --- planning -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What a planned audit's form gave, read and checked (add_audit, change_audit)."""

    title: str
    clauses: list
    planned_start: object
    planned_end: object
    lead: object
    members: list
    procedure_ids: list
    system_keys: list
    unit_ids: list


def _read_plan(
    programme, title, clauses, planned_start, planned_end, lead_auditor, team, procedures, system_processes, units
) -> _Plan:
    commune_id = programme.commune_id
    title = required_text(title, _l("Enter the title."), code="title_required", limit=TITLE_MAX)
    clauses = _clauses(clauses)
    planned_start, planned_end = _dates(programme, planned_start, planned_end)
    lead = _person(lead_auditor, commune_id, _l("Choose the lead auditor."))
    members = [_person(m, commune_id, _l("Choose the members of the audit team.")) for m in team]
    scope = _scope(commune_id, list(procedures), list(system_processes), list(units))
    return _Plan(title, clauses, planned_start, planned_end, lead, members, *scope)


def add_audit(
    actor,
    programme,
    *,
    title,
    clauses,
    planned_start,
    planned_end,
    lead_auditor,
    team=(),
    procedures=(),
    system_processes=(),
    units=(),
    criteria="",
):
    """Plan an audit in the programme: its scope (procedures' processes, system processes, units and
    clauses), criteria, dates, lead auditor and team, coded ĐGNB-<year>-<nn>. Refused (DomainError)
    when the actor does not plan, a field is missing or wrong, or a chosen auditor is not impartial
    (every reason given). An approved programme becomes its next revision, to be approved again."""
    require(perm.plan_refusal(actor, programme))
    plan = _read_plan(
        programme, title, clauses, planned_start, planned_end, lead_auditor, team, procedures, system_processes, units
    )
    audit = Audit(
        commune_id=programme.commune_id,
        programme_id=programme.id,  # not the relationship: the row enters the session numbered (_insert)
        year=programme.year,
        title=plan.title,
        criteria=text(criteria),
        clauses=plan.clauses,
        planned_start=plan.planned_start,
        planned_end=plan.planned_end,
        lead_auditor_id=plan.lead.id,
        status=AuditStatus.planned,
        created_by_id=actor.id,
    )
    scope = _set_scope(audit, plan.procedure_ids, plan.system_keys, plan.unit_ids)
    team_changes = _set_team(audit, plan.lead, plan.members)
    require_impartial(audit, _team_users(audit, plan.lead, plan.members))
    _insert(audit, programme)
    if audit not in programme.audits:
        programme.audits.append(audit)
    _revise(actor, programme)
    flush()
    changes = {
        "code": (None, audit.code),
        "title": (None, audit.title),
        "clauses": (None, audit.clauses),
        "planned_start": (None, audit.planned_start),
        "planned_end": (None, audit.planned_end),
        "lead_auditor_id": (None, audit.lead_auditor_id),
        "audit_status": (None, audit.status),
    }
    if audit.criteria:
        changes["criteria"] = (None, audit.criteria)
    record_event(actor, "audit.planned", audit, changes={**changes, **scope, **team_changes})
    return audit


def change_audit(
    actor,
    audit,
    *,
    title,
    clauses,
    planned_start,
    planned_end,
    lead_auditor,
    team=(),
    procedures=(),
    system_processes=(),
    units=(),
    criteria="",
    expected_row_version=None,
):
    """Change a planned audit (title, criteria, scope, clauses, dates, lead auditor, team); the whole
    team's impartiality is checked again against the new scope. Refused as add_audit is, and for an
    audit that is no longer planned. An approved programme becomes its next revision."""
    programme = audit.programme
    require(perm.plan_refusal(actor, programme))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.planned:
        raise DomainError(_l("Only a planned audit can be changed."), code="not_planned", status=409)
    plan = _read_plan(
        programme, title, clauses, planned_start, planned_end, lead_auditor, team, procedures, system_processes, units
    )
    changes = diff(
        audit,
        title=plan.title,
        criteria=text(criteria),
        clauses=plan.clauses,
        planned_start=plan.planned_start,
        planned_end=plan.planned_end,
        lead_auditor_id=plan.lead.id,
    )
    changes.update(_set_scope(audit, plan.procedure_ids, plan.system_keys, plan.unit_ids))
    changes.update(_set_team(audit, plan.lead, plan.members))
    if not changes:
        return audit
    require_impartial(audit, _team_users(audit, plan.lead, plan.members))
    audit.updated_at, audit.updated_by_id = utcnow(), actor.id
    _revise(actor, programme)
    flush()
    record_event(actor, "audit.changed", audit, changes=changes)
    return audit


def cancel_audit(actor, audit, reason, *, expected_row_version=None):
    """Cancel a planned audit, with the reason; it stays in the programme, marked cancelled. An approved
    programme becomes its next revision."""
    programme = audit.programme
    require(perm.plan_refusal(actor, programme))
    check_row_version(audit, expected_row_version)
    if audit.status is not AuditStatus.planned:
        raise DomainError(_l("Only a planned audit can be cancelled."), code="not_planned", status=409)
    reason = required_text(reason, _l("Say why the audit is cancelled."), code="reason_required")
    changes = {"audit_status": (audit.status, AuditStatus.cancelled), "cancel_reason": (None, reason)}
    audit.status, audit.cancel_reason = AuditStatus.cancelled, reason
    audit.updated_at, audit.updated_by_id = utcnow(), actor.id
    _revise(actor, programme)
    flush()
    record_event(actor, "audit.cancelled", audit, changes=changes)
    return audit
