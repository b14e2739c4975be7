"""Reading nonconformities: the register (filtered, paginated, with its counts per status), the
choices the forms offer (people, units, procedures, documents), an NC's timeline from its audit
events, and the lists of the home pages. Every query is scoped to one commune."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from qms.audit.models import AuditEvent
from qms.audit.queries import changes_of
from qms.auth.models import Unit, User
from qms.core.calendar import local_midnight, local_today
from qms.core.lists import paginate
from qms.core.names import by_name
from qms.db import db
from qms.documents.models import ChangeRequest, Document, DocumentKind, DocumentStatus, DocumentVersion
from qms.nonconformities.models import (
    OPEN_STATUSES,
    NcAction,
    NcReview,
    NcRound,
    NcSource,
    NcStatus,
    Nonconformity,
    ReviewResult,
    Severity,
)
from qms.signatures.models import Signature


@dataclass
class RegisterFilters:
    """The register's filters (each optional); the pages, the API and the exports read it alike."""

    status: NcStatus | None = None
    source: NcSource | None = None
    severity: Severity | None = None
    unit_id: int | None = None
    overdue: bool = False
    detected_from: dt.date | None = None  # Vietnamese days, both ends included
    detected_to: dt.date | None = None


def overdue_condition(today):
    """An open NC with its correction, an action item or its effectiveness review past its date."""
    late_item = exists().where(
        NcAction.nonconformity_id == Nonconformity.id, NcAction.done_at.is_(None), NcAction.due_on < today
    )
    late_review = exists().where(
        NcReview.nonconformity_id == Nonconformity.id, NcReview.result.is_(None), NcReview.planned_on < today
    )
    late_correction = and_(Nonconformity.correction_due_on < today, Nonconformity.correction_done_at.is_(None))
    return and_(Nonconformity.status.in_(OPEN_STATUSES), or_(late_correction, late_item, late_review))


def _filtered(stmt, commune_id, filters, *, with_status=True):
    f = filters or RegisterFilters()
    stmt = stmt.where(Nonconformity.commune_id == commune_id)
    if with_status and f.status is not None:
        stmt = stmt.where(Nonconformity.status == f.status)
    if f.source is not None:
        stmt = stmt.where(Nonconformity.source == f.source)
    if f.severity is not None:
        stmt = stmt.where(Nonconformity.severity == f.severity)
    if f.unit_id:
        stmt = stmt.where(Nonconformity.unit_id == f.unit_id)
    if f.overdue:
        stmt = stmt.where(overdue_condition(local_today()))
    if f.detected_from:
        stmt = stmt.where(Nonconformity.detected_at >= local_midnight(f.detected_from))
    if f.detected_to:
        stmt = stmt.where(Nonconformity.detected_at < local_midnight(f.detected_to + dt.timedelta(days=1)))
    return stmt


def register_query(commune_id, filters=None):
    """SELECT the commune's NCs the filters choose, the latest detected first (then the highest id)."""
    return _filtered(select(Nonconformity), commune_id, filters).order_by(
        Nonconformity.detected_at.desc(), Nonconformity.id.desc()
    )


def after(stmt, detected_at, nc_id):
    """The rows of register_query's `stmt` that come after the row (detected_at, nc_id): a cursor
    that holds when several NCs were detected at the same moment."""
    return stmt.where(
        or_(
            Nonconformity.detected_at < detected_at,
            and_(Nonconformity.detected_at == detected_at, Nonconformity.id < nc_id),
        )
    )


def register_page(commune_id, filters, *, page=1):
    """One page of the register: the NCs with their unit (joined), and the total; two queries."""
    stmt = register_query(commune_id, filters).options(joinedload(Nonconformity.unit))
    return paginate(stmt, page=page)


def status_counts(commune_id, filters) -> dict:
    """{status: count} of the NCs the other filters choose (one GROUP BY)."""
    stmt = _filtered(
        select(Nonconformity.status, func.count()).group_by(Nonconformity.status),
        commune_id,
        filters,
        with_status=False,
    )
    return dict(db.session.execute(stmt).all())


# --- choices -------------------------------------------------------------------------------------


def people(commune_id, *, acting=False):
    """The commune's active accounts, by name; acting: those who can act (not read-only auditors)."""
    found = db.session.scalars(
        select(User).where(User.commune_id == commune_id, User.is_active_account).options(selectinload(User.roles))
    )
    return by_name(u for u in found if not (acting and u.is_read_only))


def units(commune_id):
    return list(
        db.session.scalars(select(Unit).where(Unit.commune_id == commune_id, Unit.is_active).order_by(Unit.name))
    )


def procedures(commune_id):
    """The commune's procedures (QT) in use, by code."""
    return list(
        db.session.scalars(
            select(Document)
            .where(
                Document.commune_id == commune_id,
                Document.kind == DocumentKind.procedure,
                Document.status == DocumentStatus.active,
            )
            .order_by(Document.code)
        )
    )


def documents(commune_id, ids=()):
    """The commune's documents in use, by code (and those of `ids` whatever their state)."""
    condition = Document.status == DocumentStatus.active
    if ids:
        condition = or_(condition, Document.id.in_(list(ids)))
    return list(
        db.session.scalars(select(Document).where(Document.commune_id == commune_id, condition).order_by(Document.code))
    )


def naming_document(commune_id, document_id) -> list:
    """The commune's NCs about a document: those that name it as their document or their process,
    by number."""
    return list(
        db.session.scalars(
            select(Nonconformity)
            .where(
                Nonconformity.commune_id == commune_id,
                or_(Nonconformity.document_id == document_id, Nonconformity.procedure_id == document_id),
            )
            .order_by(Nonconformity.year, Nonconformity.serial)
        )
    )


def nc_by_number(commune_id, number):
    return db.session.scalar(
        select(Nonconformity).where(Nonconformity.commune_id == commune_id, Nonconformity.number == number.strip())
    )


# --- one NC --------------------------------------------------------------------------------------


def load_story(nc):
    """Load what the NC page shows of the NC in a few queries (rounds with their whys and causes,
    items with their owners, reviews with their reviewers, evidence)."""
    db.session.execute(
        select(Nonconformity)
        .where(Nonconformity.id == nc.id)
        .options(
            selectinload(Nonconformity.rounds).selectinload(NcRound.whys),
            selectinload(Nonconformity.rounds).selectinload(NcRound.causes),
            selectinload(Nonconformity.rounds).selectinload(NcRound.analysis_accepted_by),
            selectinload(Nonconformity.actions).selectinload(NcAction.owner),
            selectinload(Nonconformity.reviews).selectinload(NcReview.reviewer),
            selectinload(Nonconformity.attachments),
        )
    ).all()
    return nc


def change_requests_of(nc) -> dict:
    """{change request id: (change request, the version drafted from it or None)} of the NC's items
    that revise a document (read through document control's models)."""
    ids = [a.change_request_id for a in nc.actions if a.change_request_id]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ChangeRequest, DocumentVersion)
        .outerjoin(DocumentVersion, DocumentVersion.id == ChangeRequest.draft_version_id)
        .where(ChangeRequest.id.in_(ids))
        .options(selectinload(ChangeRequest.document))
    ).all()
    return {request.id: (request, version) for request, version in rows}


def signatures(nc) -> list:
    return list(
        db.session.scalars(
            select(Signature)
            .where(Signature.subject_type == Nonconformity.__tablename__, Signature.subject_id == nc.id)
            .order_by(Signature.id)
        )
    )


# What the timeline leaves out of an event's changes: seals and digests (the trail shows them), the
# number (given once, in the page's title), times (the event's own time says when).
HIDDEN_CHANGES = frozenset({"signature", "signed_digest", "sha256", "meaning", "action", "review", "number"})


@dataclass
class TimelineEntry:
    event: AuditEvent
    changes: dict  # {field: (old, new)} worth reading on the page


def _worth_reading(event, field, pair) -> bool:
    if field in HIDDEN_CHANGES or field.endswith("_at"):
        return False
    return not (field.endswith("_by_id") and pair[1] == event.actor_id)  # "by" the one who acted


def timeline(nc) -> list:
    """The NC's story, oldest first: its audit events (one per step, who and when, with the values
    it changed). One indexed query (commune, record type, record id, sequence)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.commune_id == nc.commune_id,
            AuditEvent.entity_type == Nonconformity.__tablename__,
            AuditEvent.entity_id == str(nc.id),
        )
        .order_by(AuditEvent.seq)
    )
    return [TimelineEntry(e, {k: v for k, v in changes_of(e).items() if _worth_reading(e, k, v)}) for e in events]


# --- home pages ----------------------------------------------------------------------------------

HOME_LIMIT = 30


def open_items_of(user):
    """Action items `user` owns, not done, on open NCs: the earliest due first (overdue ones lead)."""
    return list(
        db.session.scalars(
            select(NcAction)
            .join(Nonconformity, Nonconformity.id == NcAction.nonconformity_id)
            .where(
                NcAction.owner_id == user.id,
                NcAction.done_at.is_(None),
                Nonconformity.commune_id == user.commune_id,
                Nonconformity.status.in_(OPEN_STATUSES),
            )
            .options(selectinload(NcAction.nonconformity))
            .order_by(NcAction.due_on, NcAction.id)
            .limit(HOME_LIMIT)
        )
    )


def reviews_of(user):
    """Effectiveness reviews `user` is to record, on open NCs: the earliest planned first."""
    return list(
        db.session.scalars(
            select(NcReview)
            .join(Nonconformity, Nonconformity.id == NcReview.nonconformity_id)
            .where(
                NcReview.reviewer_id == user.id,
                NcReview.result.is_(None),
                Nonconformity.commune_id == user.commune_id,
                Nonconformity.status.in_(OPEN_STATUSES),
            )
            .options(selectinload(NcReview.nonconformity))
            .order_by(NcReview.planned_on, NcReview.id)
            .limit(HOME_LIMIT)
        )
    )


def waiting_for_decision(commune_id):
    """Open NCs waiting for the quality officer: an analysis with a root cause to accept, or an
    effective review recorded (ready to close)."""
    unaccepted_round = (
        select(NcRound.id)
        .where(
            NcRound.nonconformity_id == Nonconformity.id,
            NcRound.number == Nonconformity.round_no,
            NcRound.analysis_accepted_at.is_(None),
        )
        .exists()
    )
    effective = (
        select(NcReview.id)
        .join(NcRound, NcRound.id == NcReview.round_id)
        .where(
            NcReview.nonconformity_id == Nonconformity.id,
            NcRound.number == Nonconformity.round_no,
            NcReview.result == ReviewResult.effective,
        )
        .exists()
    )
    return list(
        db.session.scalars(
            select(Nonconformity)
            .where(
                Nonconformity.commune_id == commune_id,
                or_(
                    and_(
                        Nonconformity.status == NcStatus.analysis,
                        Nonconformity.action_needed.is_(True),
                        unaccepted_round,
                    ),
                    and_(Nonconformity.status == NcStatus.effectiveness_review, effective),
                    and_(Nonconformity.status == NcStatus.analysis, Nonconformity.action_needed.is_(False)),
                ),
            )
            .order_by(Nonconformity.detected_at)
            .limit(HOME_LIMIT)
        )
    )


def overdue_items(commune_id, today):
    """Action items past their due date, on open NCs of the commune: the most overdue first."""
    return list(
        db.session.scalars(
            select(NcAction)
            .join(Nonconformity, Nonconformity.id == NcAction.nonconformity_id)
            .where(
                Nonconformity.commune_id == commune_id,
                Nonconformity.status.in_(OPEN_STATUSES),
                NcAction.done_at.is_(None),
                NcAction.due_on < today,
            )
            .options(selectinload(NcAction.nonconformity), selectinload(NcAction.owner))
            .order_by(NcAction.due_on, NcAction.id)
            .limit(HOME_LIMIT)
        )
    )


def next_serial(commune_id, year) -> int:
    """The serial number the next NC detected in `year` gets (as report_nc numbers it)."""
    last = db.session.scalar(
        select(func.max(Nonconformity.serial)).where(Nonconformity.commune_id == commune_id, Nonconformity.year == year)
    )
    return (last or 0) + 1


def documents_by_id(commune_id, ids) -> dict:
    if not ids:
        return {}
    found = db.session.scalars(select(Document).where(Document.commune_id == commune_id, Document.id.in_(list(ids))))
    return {d.id: d for d in found}


def open_counts(commune_id, severity=Severity.major) -> list:
    """The commune's open NCs of a severity, counted by where they were found: [(procedure's process
    document id or None, clause, count)] (internal audits weigh their programme by them)."""
    columns = (Nonconformity.procedure_id, Nonconformity.clause)
    return [
        tuple(row)
        for row in db.session.execute(
            select(*columns, func.count())
            .where(
                Nonconformity.commune_id == commune_id,
                Nonconformity.severity == severity,
                Nonconformity.status.in_(OPEN_STATUSES),
            )
            .group_by(*columns)
        )
    ]
