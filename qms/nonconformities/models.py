"""Nonconformities and corrective actions (ISO 9001 8.7 and 10.2).

A nonconformity (sự không phù hợp, SKPH) is recorded with where it was found, corrected and disposed
of (8.7), and, when a corrective action is needed, analysed in rounds (10.2): each round has its
5-Whys chain and fishbone causes, its action items and its effectiveness review. A review found
"not effective" opens the next round on the same NC; earlier rounds stay as they were.
"""

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import Unit, User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column


class NcSource(enum.Enum):
    internal_audit = "internal_audit"
    external_audit = "external_audit"
    late_dossier = "late_dossier"
    monitoring = "monitoring"  # a measure below its target (ISO 9001 9.1: the on-time rate of a month)
    citizen_feedback = "citizen_feedback"  # feedback or complaint
    staff_report = "staff_report"
    management_review = "management_review"
    other = "other"


class Severity(enum.Enum):
    major = "major"
    minor = "minor"
    observation = "observation"


class NcStatus(enum.Enum):
    new = "new"
    correction = "correction"  # correction in progress
    analysis = "analysis"  # under analysis (is an action needed, root cause)
    action_plan = "action_plan"  # analysis accepted: action items being planned
    actions = "actions"  # action items in progress
    effectiveness_review = "effectiveness_review"  # every item done: effectiveness to be reviewed
    closed = "closed"
    cancelled = "cancelled"


OPEN_STATUSES = tuple(s for s in NcStatus if s not in (NcStatus.closed, NcStatus.cancelled))


class Disposition(enum.Enum):
    """What was done with the nonconforming output (ISO 9001 8.7.1)."""

    corrected = "corrected"
    suspended = "suspended"
    citizen_informed = "citizen_informed"
    concession = "concession"  # accepted by concession


class CauseCategory(enum.Enum):
    """The six branches of the fishbone (Ishikawa) diagram."""

    people = "people"
    method = "method"
    equipment = "equipment"
    materials = "materials"
    measurement = "measurement"
    environment = "environment"


class ReviewResult(enum.Enum):
    effective = "effective"
    not_effective = "not_effective"


class NcMeaning(enum.Enum):
    """The meanings of the quality officer's signed decisions on an NC."""

    analysis_accepted = "analysis_accepted"
    closed = "closed"
    reopened = "reopened"
    cancelled = "cancelled"


class Nonconformity(db.Model):
    __tablename__ = "nonconformities"
    __table_args__ = (
        UniqueConstraint("commune_id", "number"),
        UniqueConstraint("commune_id", "year", "serial"),
        # one NC per record of another area (a late dossier, an audit finding, a citizen's feedback)
        UniqueConstraint("commune_id", "source_ref"),
        Index("ix_nonconformities_commune_status", "commune_id", "status"),
        # the register's order (the latest detected first) and the period filter, from the index
        Index("ix_nonconformities_commune_detected", "commune_id", "detected_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    number: Mapped[str] = mapped_column(String(40))  # SKPH-2026-001, unique per commune
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()  # the number's sequence within the commune and year
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[NcSource] = mapped_column(enum_column(NcSource, length=30))
    # the record of another area it was opened from ("<record type> <id>"), None for a report
    source_ref: Mapped[str | None] = mapped_column(String(120))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, length=30))
    status: Mapped[NcStatus] = mapped_column(enum_column(NcStatus, length=30), default=NcStatus.new)
    clause: Mapped[str] = mapped_column(String(20), default="")  # ISO 9001 clause, e.g. 8.5.1
    # where it was found (each optional)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # the process (a QT)
    process_step: Mapped[str] = mapped_column(String(200), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    dossier_code: Mapped[str] = mapped_column(String(60), default="")
    detected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # who leads its handling (assigned by the quality officer; the quality officer until then)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # ISO 8.7: the immediate correction and the disposition of the output
    correction: Mapped[str] = mapped_column(Text, default="")
    correction_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_due_on: Mapped[dt.date | None] = mapped_column(Date)
    correction_done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disposition: Mapped[Disposition | None] = mapped_column(enum_column(Disposition, length=30))
    disposition_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    disposition_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # ISO 10.2: is a corrective action needed (None: not decided yet); the reason when it is not
    action_needed: Mapped[bool | None] = mapped_column(Boolean)
    no_action_reason: Mapped[str] = mapped_column(Text, default="")
    round_no: Mapped[int] = mapped_column(default=1)  # the round of analysis and actions under way
    # closing: the answers to ISO 10.2.1 e) and f)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    risks_need_update: Mapped[bool | None] = mapped_column(Boolean)
    documents_need_update: Mapped[bool | None] = mapped_column(Boolean)
    documents_to_update: Mapped[list] = mapped_column(JSON, default=list)  # document ids
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    reopened_count: Mapped[int] = mapped_column(default=0)
    row_version: Mapped[int] = mapped_column(default=1)  # optimistic lock: concurrent writers conflict

    __mapper_args__ = {"version_id_col": row_version}

    unit: Mapped[Unit | None] = relationship()
    detected_by: Mapped[User] = relationship(foreign_keys=[detected_by_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    correction_by: Mapped[User | None] = relationship(foreign_keys=[correction_by_id])
    disposition_by: Mapped[User | None] = relationship(foreign_keys=[disposition_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    rounds: Mapped[list["NcRound"]] = relationship(
        back_populates="nonconformity", order_by="NcRound.number", cascade="all, delete-orphan"
    )
    actions: Mapped[list["NcAction"]] = relationship(
        back_populates="nonconformity", order_by="NcAction.id", cascade="all, delete-orphan"
    )
    reviews: Mapped[list["NcReview"]] = relationship(
        back_populates="nonconformity", order_by="NcReview.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["NcAttachment"]] = relationship(
        back_populates="nonconformity", order_by="NcAttachment.id", cascade="all, delete-orphan"
    )

    @property
    def current_round(self) -> "NcRound | None":
        return next((r for r in self.rounds if r.number == self.round_no), None)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class NcRound(db.Model):
    """One round of root-cause analysis, action items and effectiveness review."""

    __tablename__ = "nc_rounds"
    __table_args__ = (UniqueConstraint("nonconformity_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    number: Mapped[int] = mapped_column()
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_reason: Mapped[str] = mapped_column(Text, default="")  # why a round after the first began
    analysis_accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    analysis_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="rounds")
    analysis_accepted_by: Mapped[User | None] = relationship()
    whys: Mapped[list["NcWhy"]] = relationship(
        back_populates="round", order_by="NcWhy.position", cascade="all, delete-orphan"
    )
    causes: Mapped[list["NcCause"]] = relationship(
        back_populates="round", order_by="NcCause.id", cascade="all, delete-orphan"
    )

    @property
    def actions(self):
        return [a for a in self.nonconformity.actions if a.round_id == self.id]

    @property
    def reviews(self):
        return [r for r in self.nonconformity.reviews if r.round_id == self.id]


class NcWhy(db.Model):
    """One step of the 5-Whys chain: why did it happen, and the answer."""

    __tablename__ = "nc_whys"
    __table_args__ = (UniqueConstraint("round_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nc_rounds.id"), index=True)
    position: Mapped[int] = mapped_column()  # 1, 2, 3 ...
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[NcRound] = relationship(back_populates="whys")


class NcCause(db.Model):
    """A cause on the fishbone, in one of its six categories; some are marked root causes."""

    __tablename__ = "nc_causes"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nc_rounds.id"), index=True)
    category: Mapped[CauseCategory] = mapped_column(enum_column(CauseCategory, length=30))
    description: Mapped[str] = mapped_column(Text)
    is_root: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[NcRound] = relationship(back_populates="causes")


class NcAction(db.Model):
    """An action item of a round: what, who, by when, done when, with what result. An item may be a
    revision of a document: it then opens a change request on it through document control."""

    __tablename__ = "nc_actions"
    __table_args__ = (Index("ix_nc_actions_owner_open", "owner_id", "done_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nc_rounds.id"))
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # "revise document X"
    change_request_id: Mapped[int | None] = mapped_column(ForeignKey("change_requests.id"))

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship()


class NcReview(db.Model):
    """The effectiveness review of a round: planned for a date by a reviewer, then its result."""

    __tablename__ = "nc_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nc_rounds.id"))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    result: Mapped[ReviewResult | None] = mapped_column(enum_column(ReviewResult, length=30))
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)  # the day the review was made
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class NcAttachment(db.Model):
    """An evidence file (stored by qms.files, checked as every upload is) attached to an NC, or to
    one of its action items or reviews."""

    __tablename__ = "nc_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("nc_actions.id"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("nc_reviews.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="attachments")
    added_by: Mapped[User] = relationship()


class NcLink(db.Model):
    """Two NCs that are similar or could recur one from the other (ISO 10.2.1 b): one row, read both
    ways (first_id < second_id)."""

    __tablename__ = "nc_links"
    __table_args__ = (UniqueConstraint("first_id", "second_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    first_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("nonconformities.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
