"""Fixtures of the audit-trail tests: apps whose test clients isolate each request, a chain of
events made with record_event(), and the means of an attacker with database access (drop the
append-only triggers, then change rows with raw SQL on a connection of its own, recomputing hashes
as whoever knows the algorithm can)."""

import pytest
from sqlalchemy import select, text, update

from qms.audit.models import AuditChainHead, AuditEvent
from qms.audit.services import canonical_bytes, event_hash, record_event
from qms.db import db, drop_append_only_ddl
from tests.core.support import IsolatedClient, head_seq


@pytest.fixture
def client_class():
    return IsolatedClient


def raw_sql(*statements):
    """Run statements on a fresh connection of their own and commit, as a person with database
    access would (not through the application's session)."""
    db.session.commit()
    with db.engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement) if isinstance(statement, str) else statement)
        conn.commit()
    db.session.expire_all()


def drop_triggers(*tables):
    """What an attacker with database access does first: remove the append-only triggers."""
    dialect = db.engine.dialect.name
    raw_sql(
        *[s for table in tables or ("audit_events", "audit_checkpoints") for s in drop_append_only_ddl(dialect, table)]
    )


@pytest.fixture
def chain(app, make_user):
    """A commune's user and a chain of 10 events written by record_event() (after the events
    that creating the commune and the user recorded). Returns the user."""
    user = make_user("staff", username="chain_user", full_name="Phạm Văn Chuỗi")
    for n in range(10):
        record_event(user, "test.step", user, changes={"step": (n, n + 1)}, reason=f"bước {n}")
    db.session.commit()
    return user


@pytest.fixture
def tampered(chain):
    """The chain of the `chain` fixture, its triggers dropped; returns its last sequence number."""
    drop_triggers()
    return head_seq()


def broken(result):
    assert not result.ok, "the tampering went unnoticed"
    return result.broken_seq, result.kind


def stored(seq):
    """Event `seq` as the ORM reads it (a fresh look at the database)."""
    db.session.expire_all()
    return db.session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))


def hash_of(event_fields):
    """What an attacker who knows the algorithm computes for a row of their own."""
    f = event_fields
    return event_hash(
        canonical_bytes(
            f["seq"],
            f["prev_hash"],
            f["occurred_at"],
            f["commune_id"],
            f["actor_id"],
            f["actor_name"],
            f["action"],
            f["entity_type"],
            f["entity_id"],
            f["changes"],
            f["reason"],
            f["ip"],
            f["request_id"],
        )
    )


def fields_of(event, **overrides):
    columns = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]
    return {**{c: getattr(event, c) for c in columns}, **overrides}


def forged(seq, prev_hash, *, like, valid_hash=True, **overrides):
    """A forged event modelled on `like`, linked to prev_hash, hashed correctly unless told not to."""
    row = fields_of(like, seq=seq, prev_hash=prev_hash, reason="bút toán giả", **overrides)
    row["hash"] = hash_of(row) if valid_hash else "f" * 64
    return row


def renumber(from_seq, by):
    """Shift every event from `from_seq` on by `by` (in two steps: seq is unique)."""
    raw_sql(
        update(AuditEvent).where(AuditEvent.seq >= from_seq).values(seq=-(AuditEvent.seq + by)),
        update(AuditEvent).where(AuditEvent.seq < 0).values(seq=-AuditEvent.seq),
    )


def set_head(seq, hash_):
    raw_sql(update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=seq, hash=hash_))


def swap(a, b):
    raw_sql(
        update(AuditEvent).where(AuditEvent.seq == a).values(seq=-1),
        update(AuditEvent).where(AuditEvent.seq == b).values(seq=a),
        update(AuditEvent).where(AuditEvent.seq == -1).values(seq=b),
    )


def rewrite_tail(from_seq, reason="viết lại"):
    """Edit event `from_seq`, then recompute the hash and link of it and of every later event and
    move the head: a rewrite no plain replay of the chain can see. Returns the new head hash."""
    db.session.expire_all()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= from_seq).order_by(AuditEvent.seq)))
    prev = stored(from_seq - 1).hash if from_seq > 1 else "0" * 64
    statements = []
    for n, event in enumerate(events):
        row = fields_of(event, prev_hash=prev, **({"reason": reason} if n == 0 else {}))
        row["hash"] = hash_of(row)
        statements.append(
            update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(prev_hash=row["prev_hash"], hash=row["hash"], reason=row["reason"])
        )
        prev = row["hash"]
    raw_sql(*statements)
    set_head(events[-1].seq, prev)
    return prev
