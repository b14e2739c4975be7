"""The register: reporting an NC, opening one from another area (once per source record), its number,
editing where it was found, the handler, the correction and disposition (ISO 8.7), the decision on a
corrective action, evidence files and links between similar NCs."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from qms.audit.services import diff, record_event
from qms.core.calendar import to_local, utcnow
from qms.db import DomainError, db, enum_choice, insert_numbered
from qms.files.services import receive_upload
from qms.nonconformities import permissions as perm
from qms.nonconformities.models import (
    Disposition,
    NcAttachment,
    NcLink,
    NcRound,
    NcSource,
    NcStatus,
    Nonconformity,
    Severity,
)
from qms.nonconformities.services.common import (
    check_row_version,
    flush,
    require,
    required_text,
    settle_status,
    text,
    touch,
)
from qms.nonconformities.settings import nc_settings

TITLE_MAX = 300
CLAUSE_MAX = 20
STEP_MAX = 200
DOSSIER_MAX = 60
NUMBER_ATTEMPTS = 5


def source_of(value) -> NcSource:
    return enum_choice(NcSource, value, _l("Unknown source of a nonconformity."))


def severity_of(value) -> Severity:
    return enum_choice(Severity, value, _l("Choose the severity: major, minor or observation."))


def _in_commune(record, commune_id, message):
    if record is not None and record.commune_id != commune_id:
        raise DomainError(message, code="other_commune")


def _where(commune_id, *, unit, procedure, document, process_step, dossier_code, clause):
    """Validated 'where it was found' fields (each optional)."""
    _in_commune(unit, commune_id, _l("The unit belongs to another commune."))
    _in_commune(procedure, commune_id, _l("The procedure belongs to another commune."))
    _in_commune(document, commune_id, _l("The document belongs to another commune."))
    if procedure is not None and getattr(procedure.kind, "value", procedure.kind) != "procedure":
        raise DomainError(_l("Choose a procedure (QT) as the process."), code="not_a_procedure")
    return {
        "unit_id": unit.id if unit else None,
        "procedure_id": procedure.id if procedure else None,
        "document_id": document.id if document else None,
        "process_step": text(process_step, STEP_MAX),
        "dossier_code": text(dossier_code, DOSSIER_MAX),
        "clause": _clause(clause),
    }


def _clause(value):
    value = text(value)
    if len(value) > CLAUSE_MAX or (value and not all(part.isdigit() for part in value.split("."))):
        raise DomainError(
            _l("Write the ISO 9001 clause as numbers and dots, for example 8.5.1."), code="invalid_clause"
        )
    if value and not 4 <= int(value.split(".")[0]) <= 10:
        raise DomainError(_l("ISO 9001 requirements are in clauses 4 to 10."), code="invalid_clause")
    return value


def _insert(nc, commune):
    """Insert with the next number of its year, in the commune's format."""
    number_format = nc_settings(commune).number_format
    return insert_numbered(
        nc,
        scope=(Nonconformity.commune_id == commune.id, Nonconformity.year == nc.year),
        field="number",
        number=lambda serial: number_format.render(year=nc.year, serial=serial),
        refusal=lambda: DomainError(
            _l("Could not give the nonconformity a number; try again."), code="number_taken", status=409
        ),
        attempts=NUMBER_ATTEMPTS,
    )


def _new_nc(actor, commune, *, source, severity, title, description, detected_by, detected_at, where, source_ref):
    detected_at = detected_at or utcnow()
    if detected_at > utcnow() + dt.timedelta(minutes=5):
        raise DomainError(_l("The nonconformity cannot be detected in the future."), code="invalid_date")
    _in_commune(detected_by, commune.id, _l("The person who detected it belongs to another commune."))
    nc = Nonconformity(
        commune_id=commune.id,
        year=to_local(detected_at).year,
        title=required_text(title, _l("Enter the title."), code="title_required", limit=TITLE_MAX),
        description=text(description),
        source=source_of(source),
        source_ref=source_ref,
        severity=severity_of(severity),
        status=NcStatus.new,
        detected_by_id=detected_by.id,
        detected_at=detected_at,
        recorded_by_id=actor.id if actor else None,
        **where,
    )
    _insert(nc, commune)
    nc.rounds.append(NcRound(number=1, opened_at=utcnow()))
    settle_status(nc, {})
    flush()
    changes = {
        "number": (None, nc.number),
        "title": (None, nc.title),
        "source": (None, nc.source),
        "severity": (None, nc.severity),
        "status": (None, nc.status),
        "detected_by_id": (None, nc.detected_by_id),
        "detected_at": (None, nc.detected_at),
    }
    changes.update(
        {key: (None, value) for key, value in where.items() if value not in (None, "")}
        | ({"description": (None, nc.description)} if nc.description else {})
        | ({"source_ref": (None, source_ref)} if source_ref else {})
    )
    return nc, changes


def report_nc(
    actor,
    commune,
    *,
    title,
    description="",
    source=NcSource.staff_report,
    severity=Severity.minor,
    clause="",
    unit=None,
    procedure=None,
    process_step="",
    document=None,
    dossier_code="",
    detected_by=None,
    detected_at=None,
):
    """Record a nonconformity someone found (staff, leader, quality officer). Numbered in the commune's
    format for the year it was detected (SKPH-2026-001). Raises DomainError for a missing title, an
    unknown source or severity, a clause outside 4-10, or a record of another commune."""
    require(perm.report_refusal(actor, commune))
    where = _where(
        commune.id,
        unit=unit,
        procedure=procedure,
        document=document,
        process_step=process_step,
        dossier_code=dossier_code,
        clause=clause,
    )
    nc, changes = _new_nc(
        actor,
        commune,
        source=source,
        severity=severity,
        title=title,
        description=description,
        detected_by=detected_by or actor,
        detected_at=detected_at,
        where=where,
        source_ref=None,
    )
    record_event(actor, "nc.reported", nc, changes=changes)
    return nc


def source_ref_of(record) -> str:
    """How an NC names the record of another area it was opened from: "<record type> <id>"."""
    if isinstance(record, str):
        return record
    return f"{record.__tablename__} {record.id}"


def find_opened_from(commune_id, record):
    """The NC opened from that record of another area, or None."""
    return db.session.scalar(
        select(Nonconformity).where(
            Nonconformity.commune_id == commune_id, Nonconformity.source_ref == source_ref_of(record)
        )
    )


def open_from_elsewhere(
    actor,
    commune,
    *,
    source,
    record,
    title,
    description="",
    severity=Severity.minor,
    detected_by,
    detected_at=None,
    clause="",
    unit=None,
    procedure=None,
    process_step="",
    document=None,
    dossier_code="",
):
    """Open an NC from another area's record (a late dossier, an audit finding, a citizen's feedback):
    the one way in for procedure handling, internal audits and the feedback box. `record` is the ORM
    row (or its "<record type> <id>"); actor None is the system (a job). Calling it again for the
    same record returns the same NC, never a second one. Returns (nc, created)."""
    found = find_opened_from(commune.id, record)
    if found is not None:
        return found, False
    where = _where(
        commune.id,
        unit=unit,
        procedure=procedure,
        document=document,
        process_step=process_step,
        dossier_code=dossier_code,
        clause=clause,
    )
    source_ref = source_ref_of(record)
    try:
        with db.session.begin_nested():
            nc, changes = _new_nc(
                actor,
                commune,
                source=source,
                severity=severity,
                title=title,
                description=description,
                detected_by=detected_by,
                detected_at=detected_at,
                where=where,
                source_ref=source_ref,
            )
            record_event(actor, "nc.opened_from_elsewhere", nc, changes=changes)
    except DomainError as exc:
        if exc.code != "number_taken" and exc.status != 409:
            raise
        found = find_opened_from(commune.id, record)
        if found is None:
            raise
        return found, False
    return nc, True


# --- editing --------------------------------------------------------------------------------------


def update_nc(
    actor,
    nc,
    *,
    title,
    description,
    severity,
    clause="",
    unit=None,
    procedure=None,
    process_step="",
    document=None,
    dossier_code="",
    expected_row_version=None,
):
    """Correct what was recorded about an open NC (title, description, severity, where it was found)."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    where = _where(
        nc.commune_id,
        unit=unit,
        procedure=procedure,
        document=document,
        process_step=process_step,
        dossier_code=dossier_code,
        clause=clause,
    )
    changes = diff(
        nc,
        title=required_text(title, _l("Enter the title."), code="title_required", limit=TITLE_MAX),
        description=text(description),
        severity=severity_of(severity),
        **where,
    )
    settle_status(nc, changes)
    if changes:
        flush()
        record_event(actor, "nc.updated", nc, changes=changes)
    return changes


def assign_handler(actor, nc, handler, *, expected_row_version=None):
    """The quality officer names who leads the handling of an NC (None: the quality officer)."""
    check_row_version(nc, expected_row_version)
    require(perm.decide_refusal(actor, nc))
    if handler is not None and (handler.commune_id != nc.commune_id or handler.is_read_only or not handler.is_active):
        raise DomainError(
            _l("Choose an active member of the commune who can act (not an auditor)."), code="invalid_user"
        )
    changes = diff(nc, handler_id=handler.id if handler else None)
    if changes:
        flush()
        record_event(actor, "nc.handler_assigned", nc, changes=changes)
    return changes


# --- ISO 8.7: correction and disposition -------------------------------------------------------------


def record_correction(actor, nc, *, what, by, due_on=None, done=False, expected_row_version=None):
    """The immediate correction: what, who does it, by when, and whether it is done (when it is
    marked done, now). Raises DomainError without the text or the person."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    what = required_text(what, _l("Say what the correction is."), code="correction_required")
    if by is None:
        raise DomainError(_l("Choose who makes the correction."), code="correction_by_required")
    _in_commune(by, nc.commune_id, _l("The person belongs to another commune."))
    if due_on is not None and not isinstance(due_on, dt.date):
        raise DomainError(_l("Enter the date as dd/mm/yyyy."), code="invalid_date")
    done_at = (nc.correction_done_at or utcnow()) if done else None
    changes = diff(nc, correction=what, correction_by_id=by.id, correction_due_on=due_on, correction_done_at=done_at)
    settle_status(nc, changes)
    if changes:
        flush()
        record_event(actor, "nc.correction_recorded", nc, changes=changes)
    return changes


def record_disposition(actor, nc, *, disposition, expected_row_version=None):
    """What was done with the nonconforming output (corrected, suspended, citizen informed, accepted
    by concession), with who decided and when."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    disposition = enum_choice(Disposition, disposition, _l("Choose what was done with the nonconforming output."))
    changes = diff(nc, disposition=disposition, disposition_by_id=actor.id, disposition_at=utcnow())
    flush()
    record_event(actor, "nc.disposition_recorded", nc, changes=changes)
    return changes


def decide_action_needed(actor, nc, *, needed, reason="", expected_row_version=None):
    """ISO 10.2.1 b): is a corrective action needed? When it is not, the reason is required. Once the
    round's analysis is accepted the decision stands (reopen the NC to change it)."""
    check_row_version(nc, expected_row_version)
    require(perm.manage_refusal(actor, nc))
    current = nc.current_round
    if current is not None and current.analysis_accepted_at is not None:
        raise DomainError(
            _l("The analysis of this round is accepted: the decision on a corrective action stands."),
            code="analysis_accepted",
            status=409,
        )
    reason = text(reason)
    if not needed and not reason:
        raise DomainError(_l("Say why no corrective action is needed."), code="reason_required")
    changes = diff(nc, action_needed=bool(needed), no_action_reason="" if needed else reason)
    settle_status(nc, changes)
    if changes:
        flush()
        record_event(actor, "nc.action_decided", nc, changes=changes, reason=reason)
    return changes


# --- evidence and links ----------------------------------------------------------------------------------


def attach_evidence(actor, nc, *, filename, data, action=None, review=None):
    """An evidence file (image, PDF, .docx, .xlsx) through the shared upload checks; to the NC, or to
    one of its action items or reviews. Raises UploadRefused saying why a file is not accepted."""
    if (
        action is not None
        and action.nonconformity_id != nc.id
        or review is not None
        and review.nonconformity_id != nc.id
    ):
        raise DomainError(_l("That item belongs to another nonconformity."), code="other_nc")
    if action is not None and actor is not None and actor.id == action.owner_id and not actor.is_read_only:
        require(perm.complete_refusal(actor, action))
    elif review is not None and actor is not None and actor.id == review.reviewer_id:
        require(perm.review_refusal(actor, review))
    elif action is None and review is None and _reporting(actor, nc):
        pass  # the evidence of a report, added by whoever reported it
    else:
        require(perm.manage_refusal(actor, nc))
    checked = receive_upload(filename, data)
    attachment = NcAttachment(
        nonconformity=nc,
        action_id=action.id if action else None,
        review_id=review.id if review else None,
        **checked.stored_fields,
        added_by_id=actor.id,
        added_at=utcnow(),
    )
    db.session.add(attachment)
    touch(nc)
    flush()
    record_event(
        actor,
        "nc.evidence_attached",
        nc,
        changes={"file": (None, attachment.filename), "sha256": (None, attachment.sha256)}
        | ({"action": (None, action.id)} if action else {})
        | ({"review": (None, review.id)} if review else {}),
    )
    return attachment


def _reporting(actor, nc) -> bool:
    """The person who reported the NC, while nobody has acted on it yet (status new)."""
    return (
        actor is not None
        and not actor.is_read_only
        and actor.id == nc.recorded_by_id
        and nc.status is NcStatus.new
        and perm.report_refusal(actor, actor.commune) is None
    )


def link_similar(actor, nc, other, *, note=""):
    """Link two NCs that are similar or could recur one from the other (shown on both)."""
    require(perm.manage_refusal(actor, nc))
    if other is None or other.commune_id != nc.commune_id:
        raise DomainError(_l("Choose a nonconformity of this commune."), code="not_found", status=404)
    if other.id == nc.id:
        raise DomainError(_l("A nonconformity cannot be linked to itself."), code="same_nc")
    first, second = sorted((nc.id, other.id))
    exists = db.session.scalar(select(NcLink.id).where(NcLink.first_id == first, NcLink.second_id == second))
    if exists:
        raise DomainError(_l("These nonconformities are already linked."), code="already_linked", status=409)
    link = NcLink(commune_id=nc.commune_id, first_id=first, second_id=second, note=text(note), linked_by_id=actor.id)
    db.session.add(link)
    touch(nc)
    flush()
    record_event(actor, "nc.linked", nc, changes={"similar": (None, other.number), "note": (None, link.note)})
    return link


def unlink_similar(actor, nc, other):
    require(perm.manage_refusal(actor, nc))
    first, second = sorted((nc.id, other.id))
    link = db.session.scalar(select(NcLink).where(NcLink.first_id == first, NcLink.second_id == second))
    if link is None:
        raise DomainError(_l("These nonconformities are not linked."), code="not_linked", status=404)
    db.session.delete(link)
    touch(nc)
    flush()
    record_event(actor, "nc.unlinked", nc, changes={"similar": (other.number, None)})


def similar_ncs(nc) -> list:
    """The NCs linked to this one, either way."""
    rows = db.session.scalars(select(NcLink).where(or_(NcLink.first_id == nc.id, NcLink.second_id == nc.id)))
    ids = [link.second_id if link.first_id == nc.id else link.first_id for link in rows]
    if not ids:
        return []
    return list(db.session.scalars(select(Nonconformity).where(Nonconformity.id.in_(ids)).order_by(Nonconformity.id)))
