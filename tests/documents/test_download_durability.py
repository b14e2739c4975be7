"""A download's audit event is committed without waiting for the disk (qms.db.relax_durability, on
SQLite: synchronous=NORMAL for that transaction); every other transaction waits for it (FULL), the
next ones on the same pooled connection included (issue 14, point 8)."""

import os

import pytest
from sqlalchemy import event

from qms.db import db
from tests.conftest import PASSWORD
from tests.documents.views_support import library, signed_in, submit  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(os.environ.get("QMS_TEST_DATABASE_URL") is not None, reason="SQLite only")


@pytest.fixture
def sync_level_of_audit_writes():
    """The connection's synchronous level (1 NORMAL, 2 FULL) when each audit event is inserted."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
            seen.append(cursor.connection.execute("PRAGMA synchronous").fetchone()[0])

    event.listen(db.engine, "before_cursor_execute", capture)
    yield seen
    event.remove(db.engine, "before_cursor_execute", capture)


def test_only_a_downloads_record_skips_waiting_for_the_disk(app, people, library, sync_level_of_audit_writes):
    staff, leader = signed_in(app, people.staff), signed_in(app, people.leader)
    sync_level_of_audit_writes.clear()
    assert staff.get(f"/documents/versions/{library.effective.id}/download").status_code == 200
    assert sync_level_of_audit_writes == [1]  # NORMAL
    path = f"/documents/versions/{library.in_review.id}"
    leader.get(path)
    response = submit(leader, f"{path}/review", {"password": PASSWORD}, page=path)
    assert response.status_code == 303
    assert set(sync_level_of_audit_writes[1:]) == {2}  # the signature: FULL, on the same pooled connection
