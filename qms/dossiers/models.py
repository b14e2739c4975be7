"""Dossiers (hồ sơ TTHC) received at the one-stop shop and their process control sheet.

A dossier is received for a procedure under the process map in force that day, and keeps that map
(its steps and allowances) whatever is approved later. Its due date comes from the one due-date
function (qms.core.calendar.due_date) with the procedure's limit and cut-off hour, pushed by the
working days it waited for the citizen's supplement, or replaced once by the date of an apology
letter a leader signed. Every hand-over between steps is appended to the control sheet (phiếu kiểm
soát quá trình) and never edited.

The applicant's details are personal data (Decree 13/2023/NĐ-CP): only what the one-stop forms
need, shown only to those handling the dossier, and each reading of them is an audit event.
"""

import datetime as dt
import enum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import Unit, User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column
from qms.processes.models import Procedure, ProcessMapVersion


class Channel(enum.Enum):
    in_person = "in_person"
    online = "online"
    post = "post"


class DossierStatus(enum.Enum):
    in_progress = "in_progress"  # being handled along the steps
    supplement = "supplement"  # waiting for the citizen's supplement: the clock stands still
    result_ready = "result_ready"  # the result waits for the citizen
    returned = "returned"  # the result handed to the citizen
    refused = "refused"  # refused, with the reason
    withdrawn = "withdrawn"  # withdrawn by the citizen


OPEN_STATUSES = (DossierStatus.in_progress, DossierStatus.supplement)
# The clock runs while a dossier is being handled; waiting for the citizen's supplement it stands
# still (the due date moves on by the wait when the papers come), so such a dossier is never overdue.
CLOCK_RUNS = DossierStatus.in_progress
DONE_STATUSES = (DossierStatus.result_ready, DossierStatus.returned)


class Timeliness(enum.Enum):
    early = "early"
    on_time = "on_time"
    late = "late"


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("commune_id", "code"),
        # also the index of the day of receipt (monitoring's months, the day's last serial)
        UniqueConstraint("commune_id", "received_on", "serial"),
        Index("ix_dossiers_commune_status_due", "commune_id", "status", "due_date"),
        Index("ix_dossiers_commune_received", "commune_id", "received_at"),
        Index("ix_dossiers_procedure_received", "procedure_id", "received_at"),
        Index("ix_dossiers_commune_result_on", "commune_id", "result_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    code: Mapped[str] = mapped_column(String(60))
    received_on: Mapped[dt.date] = mapped_column(Date)  # the local day of receipt: the code's daily sequence
    serial: Mapped[int] = mapped_column()
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    process_map_id: Mapped[int] = mapped_column(ForeignKey("process_maps.id"))  # the process it is handled under
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the unit that received it
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_address: Mapped[str] = mapped_column(String(300), default="")
    components: Mapped[list] = mapped_column(JSON, default=list)  # the papers received, in words
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    effective_receipt_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)  # in force: pushed by pauses, or the apology's date
    status: Mapped[DossierStatus] = mapped_column(enum_column(DossierStatus), default=DossierStatus.in_progress)
    step_id: Mapped[str] = mapped_column(String(40), default="")  # the step in progress
    step_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who holds it now
    paused_days: Mapped[int] = mapped_column(default=0)
    supplement_items: Mapped[list] = mapped_column(JSON, default=list)
    supplement_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    supplement_received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    result_ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result_on: Mapped[dt.date | None] = mapped_column(Date)  # the Vietnam day of the result: the month it counts in
    handling_days: Mapped[int | None] = mapped_column()  # working days to the result, less the pause
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # returned, refused or withdrawn
    timeliness: Mapped[Timeliness | None] = mapped_column(enum_column(Timeliness))  # at the result
    apology_reason: Mapped[str] = mapped_column(Text, default="")
    apology_due_date: Mapped[dt.date | None] = mapped_column(Date)  # the new date the apology gives
    apology_signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    apology_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_from: Mapped[str] = mapped_column(String(200), default="")  # the provincial system's file
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    procedure: Mapped[Procedure] = relationship()
    process_map: Mapped[ProcessMapVersion] = relationship()
    unit: Mapped[Unit | None] = relationship()
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    holder: Mapped[User | None] = relationship(foreign_keys=[holder_id])
    handovers: Mapped[list["Handover"]] = relationship(back_populates="dossier", order_by="Handover.seq")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue_on(self, today: dt.date) -> bool:
        """Unfinished, its clock running, and its due date before `today`."""
        return self.status is CLOCK_RUNS and self.due_date < today

    @property
    def procedure_name(self) -> str:
        """The procedure's name as the process it is handled under says it."""
        return self.process_map.content["name"]


class HandoverKind(enum.Enum):
    handover = "handover"  # a step done, the dossier given to the next person
    supplement_requested = "supplement_requested"
    supplement_received = "supplement_received"
    refused = "refused"
    result_ready = "result_ready"
    returned = "returned"
    withdrawn = "withdrawn"
    extended = "extended"  # a new return date, with the apology letter


class Handover(db.Model):
    """One line of the process control sheet: who gave the dossier, who received it, when, with
    what notes, and the step it ended against the step's allowance. Appended, never edited."""

    __tablename__ = "dossier_handovers"
    __table_args__ = (UniqueConstraint("dossier_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    seq: Mapped[int] = mapped_column()
    kind: Mapped[HandoverKind] = mapped_column(enum_column(HandoverKind, length=30))
    step_id: Mapped[str] = mapped_column(String(40), default="")  # the step this line ends
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_name: Mapped[str] = mapped_column(String(200), default="")  # as written (an imported sheet)
    to_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    step_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    timeliness: Mapped[Timeliness | None] = mapped_column(enum_column(Timeliness))

    dossier: Mapped[Dossier] = relationship(back_populates="handovers")
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


class ImportStatus(enum.Enum):
    running = "running"
    finished = "finished"
    failed = "failed"  # stopped: the file could not be read on, or the import broke off


class DossierImport(db.Model):
    """One import of a file from the provincial one-stop system (qms.dossiers.services.imports):
    who, which file, its progress while it runs (the page polls it) and its report: how many rows
    were read, created, already recorded (unchanged) and refused, and the refused rows (row,
    column, reason; the first REPORT_LIMIT of them)."""

    __tablename__ = "dossier_imports"
    __table_args__ = (Index("ix_dossier_imports_commune_started", "commune_id", "started_at"),)
    REPORT_LIMIT = 1000

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)  # bytes
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus), default=ImportStatus.running)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # its last progress
    progress: Mapped[float | None] = mapped_column()  # 0..1 of the file read, None when unknown
    rows_read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    bad: Mapped[int] = mapped_column(default=0)
    ncs_opened: Mapped[int] = mapped_column(default=0)
    due_dates_differ: Mapped[int] = mapped_column(default=0)  # the file's due date is not ours
    report: Mapped[list] = mapped_column(JSON, default=list)  # [{"row", "column", "reason"}]
    notes: Mapped[dict] = mapped_column(JSON, default=dict)  # ignored columns, due dates that differ
    error: Mapped[str] = mapped_column(Text, default="")  # why it stopped

    started_by: Mapped[User] = relationship()

    @property
    def is_running(self) -> bool:
        return self.status is ImportStatus.running


class Rating(enum.Enum):
    """The citizen's rating of the service (as the SIPAS survey asks it)."""

    very_satisfied = "very_satisfied"  # rất hài lòng
    satisfied = "satisfied"  # hài lòng
    neutral = "neutral"  # bình thường
    dissatisfied = "dissatisfied"  # không hài lòng


SATISFIED = (Rating.very_satisfied, Rating.satisfied)  # the satisfied share counts these


class RatingChannel(enum.Enum):
    desk = "desk"  # at the one-stop shop's desk, recorded by the officer who returned the result
    lookup = "lookup"  # by the citizen, on the public lookup page


class DossierRating(db.Model):
    """The citizen's rating of how a returned dossier was handled: once per dossier, at the desk or
    from the lookup page, with an optional comment. It names the officer who returned the result
    (the control sheet's line), whose ratings are counted per month, and the feedback item a
    "dissatisfied" rating with a comment was filed as for the quality officer's triage."""

    __tablename__ = "dossier_ratings"
    __table_args__ = (
        UniqueConstraint("dossier_id"),
        Index("ix_dossier_ratings_commune_month", "commune_id", "month"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[RatingChannel] = mapped_column(enum_column(RatingChannel))
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    feedback_item_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_items.id"))
    month: Mapped[dt.date] = mapped_column(Date)  # the first day of the (Vietnam) month it was given in
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship()
    returned_by: Mapped[User | None] = relationship()


class Indicator(enum.Enum):
    """What monitoring measures of the one-stop shop each month, and a target is set for per year."""

    on_time_rate = "on_time_rate"  # (early + on time) / results, in %: at least the target
    online_share = "online_share"  # dossiers filed online / received, in %: at least the target
    handling_days = "handling_days"  # average working days from receipt to result: at most the target
    satisfied_share = "satisfied_share"  # (very satisfied + satisfied) / ratings, in %: at least the target

    @property
    def at_most(self) -> bool:
        """Whether the target is a ceiling (lower is better), not a floor."""
        return self is Indicator.handling_days


class MonitoringTarget(db.Model):
    """The target the quality officer sets for one indicator and one year (a percentage, or working
    days for the handling time); changed in place, each change in the audit trail."""

    __tablename__ = "dossier_targets"
    __table_args__ = (UniqueConstraint("commune_id", "year", "indicator"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    year: Mapped[int] = mapped_column()
    indicator: Mapped[Indicator] = mapped_column(enum_column(Indicator, length=30))
    value: Mapped[float] = mapped_column()
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    set_by: Mapped[User] = relationship()


class MonthShortfall(db.Model):
    """A month whose on-time rate fell below the year's target, taken up as a nonconformity (found
    with qms.nonconformities.services.find_opened_from) by one signed action: the figures as they
    were when it was signed, who signed, when."""

    __tablename__ = "dossier_shortfalls"
    __table_args__ = (UniqueConstraint("commune_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    month: Mapped[dt.date] = mapped_column(Date)  # its first day
    results: Mapped[int] = mapped_column()  # dossiers with a result that month
    on_time: Mapped[int] = mapped_column()  # of them early or on time
    target: Mapped[float] = mapped_column()  # the on-time rate's target, in %
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    opened_by: Mapped[User] = relationship()

    @property
    def rate(self) -> float:
        """The month's on-time rate, in %."""
        return 100 * self.on_time / self.results if self.results else 0.0
