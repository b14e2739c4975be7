"""A signed decision on any record: who, meaning what, when, over which digest."""

import datetime as dt

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.auth.models import User
from qms.db import UTCDateTime, db


class Signature(db.Model):
    """An electronic signature: the signer typed their password again, and the row binds the
    meaning ("approved"), the signer, the time and the digest of what was signed (a file's SHA-256,
    or the canonical digest of a record's state) to one subject, named by its record type and id.
    `seal` is a SHA-256 over all of it and the subject's identity (a version's code and issue), so
    a signature edited, or copied onto another record, no longer verifies."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_subject", "subject_type", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int] = mapped_column()
    meaning: Mapped[str] = mapped_column(String(40))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    signed_digest: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    seal: Mapped[str] = mapped_column(String(64))
    # 1: sealed by document control before signatures had a home of their own (kept as signed);
    # 2: sealed by qms.signatures, with the subject's record type
    scheme: Mapped[int] = mapped_column(SmallInteger, default=2)

    signer: Mapped[User] = relationship()


def signatures_on(model_name: str, table: str):
    """The relationship of a signable model (its class name, its table) to its signatures, oldest
    first (read only: signatures are made by qms.signatures.services.sign)."""
    return relationship(
        Signature,
        primaryjoin=f"and_(Signature.subject_type == '{table}', foreign(Signature.subject_id) == {model_name}.id)",
        order_by=Signature.id,
        viewonly=True,
    )
