"""Evidence packs asked for on a page: one row per request, which the page polls while the pack is
built in the background (qms.evidence.runs), then the built .zip (a stored file) or why it failed."""

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column


class SubjectKind(enum.Enum):
    """What a pack is about: a document (named by its code), an NC or an audit (by id)."""

    document = "document"
    nonconformity = "nonconformity"
    audit = "audit"


class PackStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class EvidencePack(db.Model):
    """One evidence pack asked for: its subject, who asked, its progress (done of total steps) while
    it is built, and then the pack's stored file (sha256) or the error that stopped it."""

    __tablename__ = "evidence_packs"
    __table_args__ = (Index("ix_evidence_packs_commune_requested", "commune_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind))
    subject_key: Mapped[str] = mapped_column(String(64))  # the document's code, the NC's or audit's id
    subject_name: Mapped[str] = mapped_column(String(400), default="")  # as people call it, at request time
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[PackStatus] = mapped_column(enum_column(PackStatus), default=PackStatus.queued)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)  # its last progress
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    size: Mapped[int | None] = mapped_column()
    file_name: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[User] = relationship()

    @property
    def fraction(self) -> float | None:
        return None if not self.total else min(self.done / self.total, 1.0)
