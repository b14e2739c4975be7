"""Append-only: the database itself refuses UPDATE and DELETE on the events (and on the signed
checkpoints), and TRUNCATE on PostgreSQL, whoever asks: raw SQL on a fresh connection, not the
application. Inserting stays possible (that is how the trail grows)."""

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text

from qms.audit.checkpoints import create_checkpoint
from qms.audit.models import AuditCheckpoint, AuditEvent
from qms.audit.verify import verify_chain
from qms.db import db
from tests.audit.conftest import drop_triggers

KEY = bytes(range(32))


def refused(statement):
    """Run one statement on a connection of its own; True if the database refused it."""
    db.session.commit()
    with db.engine.connect() as conn:
        try:
            conn.execute(text(statement))
            conn.commit()
        except sa.exc.DBAPIError as exc:
            conn.rollback()
            return "append-only" in str(exc.orig)
    return False


def count(model):
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


STATEMENTS = {
    "update one": "UPDATE {table} SET {column} = {column} WHERE id = (SELECT min(id) FROM {table})",
    "update all": "UPDATE {table} SET {column} = {column}",
    "delete one": "DELETE FROM {table} WHERE id = (SELECT max(id) FROM {table})",
    "delete all": "DELETE FROM {table}",
}


@pytest.fixture
def with_checkpoint(app, chain):
    create_checkpoint(KEY)
    db.session.commit()


@pytest.mark.parametrize("table, column", [("audit_events", "reason"), ("audit_checkpoints", "hash")])
@pytest.mark.parametrize("kind", STATEMENTS)
def test_the_database_refuses_changes_to_the_trail(with_checkpoint, table, column, kind):
    before = (count(AuditEvent), count(AuditCheckpoint))
    assert refused(STATEMENTS[kind].format(table=table, column=column))
    assert (count(AuditEvent), count(AuditCheckpoint)) == before
    assert verify_chain(key=KEY).ok


@pytest.mark.parametrize("table", ["audit_events", "audit_checkpoints"])
def test_postgresql_refuses_truncate(with_checkpoint, table):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is refused above)")
    before = count(AuditEvent)
    assert refused(f"TRUNCATE {table} CASCADE")
    assert count(AuditEvent) == before


def test_the_session_cannot_change_an_event_either(app, chain):
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    event.reason = "rewritten through the ORM"
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert verify_chain().ok


def test_the_refusal_is_the_triggers_doing(app, chain):
    """The control for the tests above: without the triggers the same statement goes through
    (which is why verification exists, see test_tamper.py)."""
    drop_triggers("audit_events")
    assert not refused("UPDATE audit_events SET reason = 'changed' WHERE seq = 3")
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.reason).where(AuditEvent.seq == 3)) == "changed"
