"""Internal audits (ISO 9001:2015 9.2): the yearly programme, its audits and their findings.

A commune has one programme a year; its content is its audits (code, title, scope, clauses, dates, lead
auditor). A leader approves it with a signature. The signature is on a revision of the programme (a row
holding the programme's state as it was approved), so that a change after approval opens the next
revision, to be approved again, while the signatures of earlier revisions still verify against what
they sealed.

An audit's scope is its processes (a procedure's internal process, or one of the quality system's own
processes: qms.audits.processes), its units and its clauses. Findings are graded: a major or minor
nonconformity opens an NC at once (linked both ways: the finding keeps the NC, the NC names the finding
as its source); an observation or an opportunity for improvement is tracked to a decision.
"""

import datetime as dt
import enum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import Unit, User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column


class ProgrammeStatus(enum.Enum):
    draft = "draft"
    approved = "approved"


class AuditStatus(enum.Enum):
    planned = "planned"
    in_progress = "in_progress"
    reported = "reported"
    closed = "closed"
    cancelled = "cancelled"


class Grade(enum.Enum):
    """ISO 19011 practice (major/minor is the certification bodies' custom)."""

    major = "major"
    minor = "minor"
    observation = "observation"
    improvement = "improvement"  # an opportunity for improvement


NC_GRADES = (Grade.major, Grade.minor)


class Decision(enum.Enum):
    accepted = "accepted"
    not_accepted = "not_accepted"


class AuditMeaning(enum.Enum):
    programme_approved = "programme_approved"


class AuditProgramme(db.Model):
    __tablename__ = "audit_programmes"
    __table_args__ = (UniqueConstraint("commune_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    year: Mapped[int] = mapped_column()
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_column(ProgrammeStatus, length=20), default=ProgrammeStatus.draft
    )
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int] = mapped_column(default=1)  # optimistic lock: concurrent planners conflict

    __mapper_args__ = {"version_id_col": row_version}

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    audits: Mapped[list["Audit"]] = relationship(back_populates="programme", order_by="Audit.serial")
    revisions: Mapped[list["AuditProgrammeRevision"]] = relationship(
        back_populates="programme", order_by="AuditProgrammeRevision.revision"
    )


class AuditProgrammeRevision(db.Model):
    """A revision of a programme as a leader approved it: the programme's canonical state (year,
    revision, each audit's code, title, scope, clauses, dates and lead auditor), which the approval
    signature seals. Written once, at approval."""

    __tablename__ = "audit_programme_revisions"
    __table_args__ = (UniqueConstraint("programme_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("audit_programmes.id"))
    revision: Mapped[int] = mapped_column()
    state: Mapped[dict] = mapped_column(JSON)
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[AuditProgramme] = relationship(back_populates="revisions")


class Audit(db.Model):
    __tablename__ = "audits"
    __table_args__ = (
        UniqueConstraint("commune_id", "code"),
        UniqueConstraint("commune_id", "year", "serial"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("audit_programmes.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # ĐGNB-2026-01, unique per commune
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()  # the code's sequence within the commune and year
    title: Mapped[str] = mapped_column(String(300))
    criteria: Mapped[str] = mapped_column(Text, default="")
    clauses: Mapped[list] = mapped_column(JSON, default=list)  # ["7.5", "8.5"]: of qms.audits.library
    planned_start: Mapped[dt.date] = mapped_column(Date)
    planned_end: Mapped[dt.date] = mapped_column(Date)
    lead_auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[AuditStatus] = mapped_column(enum_column(AuditStatus, length=20), default=AuditStatus.planned)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}

    programme: Mapped[AuditProgramme] = relationship(back_populates="audits")
    lead_auditor: Mapped[User] = relationship(foreign_keys=[lead_auditor_id])
    processes: Mapped[list["AuditProcess"]] = relationship(
        back_populates="audit", order_by="AuditProcess.id", cascade="all, delete-orphan"
    )
    units: Mapped[list["AuditUnit"]] = relationship(
        back_populates="audit", order_by="AuditUnit.id", cascade="all, delete-orphan"
    )
    team: Mapped[list["AuditTeamMember"]] = relationship(
        back_populates="audit", order_by="AuditTeamMember.id", cascade="all, delete-orphan"
    )
    findings: Mapped[list["AuditFinding"]] = relationship(back_populates="audit", order_by="AuditFinding.id")

    @property
    def is_active(self) -> bool:
        return self.status is not AuditStatus.cancelled


class AuditProcess(db.Model):
    """A process in an audit's scope: a procedure's internal process, or a system process (a key of
    qms.audits.processes.SYSTEM_PROCESSES); exactly one of the two."""

    __tablename__ = "audit_processes"
    __table_args__ = (
        CheckConstraint("(procedure_id IS NULL) <> (system_process IS NULL)", name="one_process"),
        UniqueConstraint("audit_id", "procedure_id"),
        UniqueConstraint("audit_id", "system_process"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    system_process: Mapped[str | None] = mapped_column(String(40))

    audit: Mapped[Audit] = relationship(back_populates="processes")

    @property
    def key(self) -> str:
        """How the coverage matrix and the programme's state name the process."""
        return f"procedure:{self.procedure_id}" if self.procedure_id is not None else f"system:{self.system_process}"


class AuditUnit(db.Model):
    __tablename__ = "audit_units"
    __table_args__ = (UniqueConstraint("audit_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))

    audit: Mapped[Audit] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()


class AuditTeamMember(db.Model):
    __tablename__ = "audit_team_members"
    __table_args__ = (UniqueConstraint("audit_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_lead: Mapped[bool] = mapped_column(default=False)

    audit: Mapped[Audit] = relationship(back_populates="team")
    user: Mapped[User] = relationship()


class AuditFinding(db.Model):
    __tablename__ = "audit_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    clause: Mapped[str] = mapped_column(String(20))
    grade: Mapped[Grade] = mapped_column(enum_column(Grade, length=20))
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    nc_id: Mapped[int | None] = mapped_column(ForeignKey("nonconformities.id"))  # major and minor
    # observations and opportunities for improvement: the decision on them
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, length=20))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    audit: Mapped[Audit] = relationship(back_populates="findings")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
