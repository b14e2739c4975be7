"""The citizens' feedback box (hòm thư góp ý).

A citizen sends feedback, a complaint or a compliment from the public page, without signing in, and
gets a reference to quote (GY-2026-0042, per commune and year). The quality officer triages each item:
opens a nonconformity from it (the NC names the item as its source record) or closes it with a reason.
The citizen's contact details are kept on the item and shown to the quality officer only.

Each accepted submission is also counted, by a keyed hash of the client's address and its time, to
limit how many one address may send in an hour (qms.core.ratelimit: the count is in the database,
across every worker); nothing else about the address is kept, and the counts are forgotten after a
day (a job).
"""

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import User
from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db, enum_column


class FeedbackKind(enum.Enum):
    feedback = "feedback"  # góp ý
    complaint = "complaint"  # phản ánh, khiếu nại
    compliment = "compliment"  # khen


class FeedbackStatus(enum.Enum):
    waiting = "waiting"  # waiting for the quality officer's triage
    nc_opened = "nc_opened"  # a nonconformity was opened from it (the NC names it as its source)
    closed = "closed"  # closed with a reason, without a nonconformity


class FeedbackItem(db.Model):
    __tablename__ = "feedback_items"
    __table_args__ = (
        UniqueConstraint("commune_id", "reference"),
        UniqueConstraint("commune_id", "year", "serial"),
        Index("ix_feedback_items_commune_status", "commune_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    reference: Mapped[str] = mapped_column(String(30))  # GY-2026-0042, what the citizen quotes
    year: Mapped[int] = mapped_column()
    serial: Mapped[int] = mapped_column()  # the reference's sequence within the commune and year
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind))
    message: Mapped[str] = mapped_column(Text)
    dossier_code: Mapped[str] = mapped_column(String(60), default="")
    # the citizen's contact details, each optional: personal data, shown to the quality officer only
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[FeedbackStatus] = mapped_column(enum_column(FeedbackStatus), default=FeedbackStatus.waiting)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    triaged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str] = mapped_column(Text, default="")

    triaged_by: Mapped[User | None] = relationship()

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)
