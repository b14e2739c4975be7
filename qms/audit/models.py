"""The append-only, hash-chained audit trail."""

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.calendar import utcnow
from qms.db import UTCDateTime, db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_commune_seq", "commune_id", "seq"),
        Index("ix_audit_events_commune_action_seq", "commune_id", "action", "seq"),
        Index("ix_audit_events_commune_actor_seq", "commune_id", "actor_id", "seq"),
        Index("ix_audit_events_commune_entity_seq", "commune_id", "entity_type", "entity_id", "seq"),
        # every index ends in seq: a filter's page is then ordered from the index alone (see queries.page)
        Index("ix_audit_events_commune_type_seq", "commune_id", "entity_type", "seq"),
        Index("ix_audit_events_commune_occurred_seq", "commune_id", "occurred_at", "seq"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(60), default="")
    changes: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON: {field: [old, new]}
    reason: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """One row: the last sequence number and hash, and the time of that event (the next one is
    never dated before it). Writers lock it, so the chain never forks."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditCheckpoint(db.Model):
    """A chain head signed with a key kept outside the database (instance/audit-checkpoint.key)."""

    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))
    # the first 16 hex digits of the hash of every event since the previous checkpoint (megabytes
    # after a long gap, so loaded only when asked for; qms.audit.verify)
    evidence: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
