"""Fixtures of the audit-trail tests: apps whose test clients isolate each request, a chain of
events made with record_event(), and the means of an attacker with database access (drop the
append-only triggers, then change rows with raw SQL on a connection of its own)."""
import pytest
from sqlalchemy import text

from qms.audit.services import record_event
from qms.db import db, drop_append_only_ddl
from tests.core.support import IsolatedClient


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
    raw_sql(*[s for table in tables or ("audit_events", "audit_checkpoints")
              for s in drop_append_only_ddl(dialect, table)])


@pytest.fixture
def chain(app, make_user):
    """A commune's user and a chain of 10 events written by record_event() (after the events
    that creating the commune and the user recorded). Returns the user."""
    user = make_user("staff", username="chain_user", full_name="Phạm Văn Chuỗi")
    for n in range(10):
        record_event(user, "test.step", user, changes={"step": (n, n + 1)}, reason=f"bước {n}")
    db.session.commit()
    return user
