"""Helpers shared by the tests of several areas (and the benchmarks)."""

import contextlib
import contextvars
import json

from flask.testing import FlaskClient
from sqlalchemy import event, select

from qms.audit.models import AuditChainHead, AuditEvent
from qms.db import db
from tests.conftest import csrf_token, login


class IsolatedClient(FlaskClient):
    """A test client whose every request runs outside the test's own app context.

    The `app` fixture keeps an app context pushed for the whole test, and Flask reuses a pushed
    context for requests: `g` (Flask-Login's cached user, Flask-WTF's CSRF token) and the database
    session would then carry over from one request to the next, which no real request sees. A
    sign-out test could pass because `g` still says "anonymous", not because the server ended the
    session. Each request here starts from empty context variables, as in production.
    """

    def open(self, *args, **kwargs):
        # A streamed response (the CSV export) is read to the end inside the request's context:
        # resumed in the test's context, Flask's stream_with_context could not leave it again.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def head_seq():
    """The audit chain's last sequence number, read on its own connection (so it sees what the
    test client's requests committed, whatever the test's own session holds)."""
    with db.engine.connect() as conn:
        return conn.execute(select(AuditChainHead.seq).where(AuditChainHead.id == 1)).scalar_one()


def stored_head():
    """(seq, hash) of the chain head, read on a connection of its own."""
    with db.engine.connect() as conn:
        return tuple(conn.execute(select(AuditChainHead.seq, AuditChainHead.hash)).one())


def events(action=None, after=0):
    """Audit events (as dicts with decoded changes), oldest first, optionally of one action."""
    stmt = select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    with db.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [{**row, "changes": json.loads(row["changes"] or "{}")} for row in rows]


def fresh(obj):
    """Reload a row from the database, discarding what the test's session remembers."""
    db.session.commit()
    return db.session.get(type(obj), obj.id)


def session_cookie(client):
    cookie = client.get_cookie("qms_session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def is_signed_in(client):
    """True when the client's session opens the home page (instead of redirecting to sign-in)."""
    return client.get("/").status_code == 200


def signed_in_client(app, username):
    """A new test client of `app`, signed in as `username`."""
    client = app.test_client()
    assert login(client, username).status_code == 302, f"{username} could not sign in"
    return client


def post(client, path, data=None, page="/", **kwargs):
    """POST a form with a valid CSRF token read from `page`."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)}, **kwargs)


@contextlib.contextmanager
def statements():
    """Every SQL statement the app runs meanwhile: (text, parameters, SQLAlchemy statement)."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters, getattr(getattr(context, "compiled", None), "statement", None)))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def convert_to_pdf(paths, outdir):
    """Convert files with LibreOffice headless (a profile of its own in `outdir`); fails the test with
    LibreOffice's message if it cannot. The PDFs are written to `outdir` under the files' names."""
    import subprocess

    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{outdir}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
