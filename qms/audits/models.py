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
    plan_signed = "audit_plan_signed"  # the lead auditor signs the audit plan
    plan_approved = "audit_plan_approved"  # a leader approves it
    report_signed = "audit_report_signed"  # the lead auditor signs the report


class ChecklistResult(enum.Enum):
    """A checklist question's result: conform, or one of the grades of a finding."""

    conform = "conform"
    major = "major"
    minor = "minor"
    observation = "observation"
    improvement = "improvement"


class RecordKind(enum.Enum):
    """The audit's signed documents."""

    plan = "plan"
    report = "report"


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
    # conducting it: started, reported (the lead auditor's signed report), closed
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the report's own text (the findings come from the checklist and the findings)
    summary: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
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
    items: Mapped[list["AuditChecklistItem"]] = relationship(
        back_populates="audit", order_by="AuditChecklistItem.position"
    )
    records: Mapped[list["AuditRecord"]] = relationship(back_populates="audit", order_by="AuditRecord.id")
    attachments: Mapped[list["AuditAttachment"]] = relationship(back_populates="audit", order_by="AuditAttachment.id")

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


class AuditQuestion(db.Model):
    """A question of the commune's checklist library, at one version. The shipped library
    (qms.audits.library) is copied into each commune's library the first time it is used (created_by
    empty). A question no audit has used is edited in place; once an audit's checklist uses it, a
    change writes its next version (same key) and the used one stays as it was, no longer current."""

    __tablename__ = "audit_questions"
    __table_args__ = (UniqueConstraint("commune_id", "key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # "7.5-03"
    clause: Mapped[str] = mapped_column(String(20))  # "7.5"
    version: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")  # what the auditor looks at
    source: Mapped[str] = mapped_column(Text, default="")  # a legal basis
    is_current: Mapped[bool] = mapped_column(default=True)  # the version new checklists take
    is_withdrawn: Mapped[bool] = mapped_column(default=False)  # taken out of the library
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}


class AuditChecklistItem(db.Model):
    """A question of an audit's checklist: a library question at the version the checklist took, or
    the audit's own question (its text here); its result, the evidence notes, and the finding a result
    other than conform recorded."""

    __tablename__ = "audit_checklist_items"
    __table_args__ = (
        UniqueConstraint("audit_id", "position"),
        UniqueConstraint("audit_id", "question_id"),
        CheckConstraint("(question_id IS NULL) <> (own_text IS NULL)", name="one_question"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    position: Mapped[int] = mapped_column()
    clause: Mapped[str] = mapped_column(String(20))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("audit_questions.id"), index=True)
    own_text: Mapped[str | None] = mapped_column(Text)
    result: Mapped[ChecklistResult | None] = mapped_column(enum_column(ChecklistResult, length=20))
    notes: Mapped[str] = mapped_column(Text, default="")  # the evidence seen
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("audit_findings.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}

    audit: Mapped[Audit] = relationship(back_populates="items")
    question: Mapped[AuditQuestion | None] = relationship()
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    finding: Mapped["AuditFinding | None"] = relationship()
    attachments: Mapped[list["AuditAttachment"]] = relationship(back_populates="item", order_by="AuditAttachment.id")

    @property
    def text(self) -> str:
        return self.question.text if self.question is not None else self.own_text


class AuditAttachment(db.Model):
    """An evidence file (stored by qms.files, checked as every upload is) attached to an audit's
    checklist question."""

    __tablename__ = "audit_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("audit_checklist_items.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="attachments")
    item: Mapped[AuditChecklistItem | None] = relationship(back_populates="attachments")
    added_by: Mapped[User] = relationship()


class AuditRecord(db.Model):
    """A signed document of an audit, its plan or its report, at one revision: the state it shows
    (JSON) and the .docx made from it (a stored file). The signatures (the lead auditor's; a leader's
    approval of a plan) are on this row and seal both. A plan changed after it was signed is signed
    again as its next revision."""

    __tablename__ = "audit_records"
    __table_args__ = (UniqueConstraint("audit_id", "kind", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind, length=20))
    revision: Mapped[int] = mapped_column()
    state: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    audit: Mapped[Audit] = relationship(back_populates="records")
