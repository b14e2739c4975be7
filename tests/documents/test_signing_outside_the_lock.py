"""A signed action checks the password (argon2, slow on purpose) before its transaction writes anything
(issue 14, point 8): on SQLite the first write takes the database's write lock, and every other
writer (each download records its audit event) would wait behind the hashing. A wrong password's
recorded refusal is written after the check too.

Two proofs: the order of the SQL statements around the password check, for each signed action sent
as the browser sends it; and a download that completes while a signature's password is being checked.
"""

import io
import threading

import pytest
from sqlalchemy import event

from qms.auth import services as auth_services
from qms.db import db
from tests.conftest import PASSWORD
from tests.core.support import events
from tests.documents.views_support import html, library, signed_in, submit  # noqa: F401 (fixture)

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
CHECKED = "-- the password is checked here --"


@pytest.fixture
def trace(monkeypatch):
    """The SQL statements the app runs, with a marker where the password check starts and ends."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    original = auth_services.check_password

    def checking(password_hash, password):
        seen.append(CHECKED)
        return original(password_hash, password)

    monkeypatch.setattr(auth_services, "check_password", checking)
    event.listen(db.engine, "before_cursor_execute", capture)
    yield seen
    event.remove(db.engine, "before_cursor_execute", capture)


def writes_before_check(seen):
    assert CHECKED in seen, "the password was not checked"
    return [statement for statement in seen[: seen.index(CHECKED)] if statement in WRITES]


def _version_form(client, version, action, data):
    path = f"/documents/versions/{version.id}"
    html(client.get(path))
    return submit(client, f"{path}/{action}", data, page=path)


@pytest.mark.parametrize(
    "action, who, version, data",
    [
        ("review", "leader", "in_review", {"password": PASSWORD, "comment": "Đạt"}),
        ("return", "leader", "in_review", {"password": PASSWORD, "comment": "Sửa bước 2"}),
        ("confirm", "author", "effective", {"password": PASSWORD, "comment": "Còn phù hợp"}),
    ],
)
def test_a_signed_action_writes_nothing_before_the_password_is_checked(
    app, people, library, trace, action, who, version, data
):
    client = signed_in(app, people[who])
    trace.clear()
    response = _version_form(client, getattr(library, version), action, data)
    assert response.status_code == 303, html(response)[:500]
    assert writes_before_check(trace) == []
    assert any(statement in WRITES for statement in trace[trace.index(CHECKED) :])  # it did sign


def test_approving_writes_nothing_before_the_password_is_checked(app, people, library, trace):
    from qms.documents import services

    services.review_version(people.leader, library.in_review, password=PASSWORD)
    db.session.commit()
    client = signed_in(app, people.qo2)
    trace.clear()
    response = _version_form(client, library.in_review, "approve", {"password": PASSWORD, "effective_date": ""})
    assert response.status_code == 303, html(response)[:500]
    assert writes_before_check(trace) == []


def test_a_wrong_password_is_recorded_after_the_check(app, people, library, trace):
    client = signed_in(app, people.leader)
    trace.clear()
    response = _version_form(client, library.in_review, "review", {"password": "Wrong-Password-1", "comment": ""})
    assert response.status_code == 403
    assert writes_before_check(trace) == []
    assert [e["action"] for e in events("signature.password_refused")] == ["signature.password_refused"]


def test_a_download_completes_while_a_signature_password_is_being_checked(app, people, library, monkeypatch):
    """The reviewer's password check waits until a download (a write: its audit event) has finished:
    were the signature holding the write lock, the download would wait for it and neither would end."""
    checking, downloaded = threading.Event(), threading.Event()
    original = auth_services.check_password

    in_time = []

    def slow_check(password_hash, password):
        checking.set()
        # the download must end while this check waits: a download blocked by the signature's lock
        # would only end after this wait timed out
        in_time.append(downloaded.wait(timeout=10))
        return original(password_hash, password)

    reviewer, reader = signed_in(app, people.leader), signed_in(app, people.staff)
    path = f"/documents/versions/{library.in_review.id}"
    html(reviewer.get(path))
    # only now: the sign-ins above check passwords too, and would set `checking` themselves
    monkeypatch.setattr(auth_services, "check_password", slow_check)
    answers = {}

    def sign():
        answers["review"] = submit(reviewer, f"{path}/review", {"password": PASSWORD}, page=path)

    signer = threading.Thread(target=sign)
    signer.start()
    assert checking.wait(timeout=10), "the signature never reached its password check"
    answers["download"] = reader.get(f"/documents/versions/{library.effective.id}/download")
    downloaded.set()
    signer.join(timeout=30)
    assert answers["download"].status_code == 200 and in_time == [True]
    assert answers["review"].status_code == 303
    assert events("document.version.downloaded") and events("document.version.reviewed")


def test_an_api_upload_writes_nothing_before_its_file_is_checked(app, people, make_document, monkeypatch):
    """The same rule for the slow work of an upload through the API (the file's checks, its hash, its
    storage): the token's last use is noted afterwards, in the same unit of work."""
    from qms.auth.models import ApiToken
    from qms.auth.services import create_api_token
    from qms.documents.services import versions
    from tests.files.samples import docx_bytes

    document = make_document()
    token, plain = create_api_token(people.author, people.author, "test")
    db.session.commit()
    seen = []
    original = versions._checked_file

    def checked_file(filename, data):
        seen.append(CHECKED)
        return original(filename, data)

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    monkeypatch.setattr(versions, "_checked_file", checked_file)
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        response = app.test_client().post(
            f"/api/v1/documents/{document.code}/versions",
            data={"file": (io.BytesIO(docx_bytes("Quy trình")), "quy-trinh.docx")},
            headers={"Authorization": f"Bearer {plain}"},
            content_type="multipart/form-data",
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert writes_before_check(seen) == []
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None  # still noted
