"""Signing in checks the password (argon2) before it writes anything, even when the browser still
carries a session that has gone stale and is ended on the way: a write would take the database's
write lock (SQLite's, for the whole database) and every other writer would wait for the hashing."""

import datetime as dt

from sqlalchemy import event

from qms.auth import services
from qms.core.calendar import clock_at, utcnow
from qms.db import db
from tests.conftest import login
from tests.core.support import events, signed_in_client

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
CHECKED = "-- the password is checked here --"


def _traced_sign_in(app, monkeypatch, client, username, password=None):
    seen = []
    original = services.check_password

    def checking(password_hash, password):
        seen.append(CHECKED)
        return original(password_hash, password)

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    monkeypatch.setattr(services, "check_password", checking)
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        response = login(client, username, *([password] if password else []))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return response, seen


def test_signing_in_over_a_stale_session_checks_the_password_first(app, make_user, monkeypatch):
    make_user("staff", username="hoa")
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "hoa")
    for password, status in (("Wrong-Password-1", 401), (None, 302)):
        with clock_at(start + dt.timedelta(minutes=45)):  # idle: the cookie's session is stale
            response, seen = _traced_sign_in(app, monkeypatch, client, "hoa", password)
        assert response.status_code == status
        checked = seen.index(CHECKED)
        assert [s for s in seen[:checked] if s in WRITES] == []
        assert any(s in WRITES for s in seen[checked:])
    # the stale session was still ended and recorded, once
    assert [e["reason"] for e in events("auth.session_expired")] == ["idle_timeout"]
