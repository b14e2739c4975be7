"""How qms.db drives SQLite under load (issue 14, point 8).

The writers take turns through a lock file beside the database (WriterTurns): a writer waiting for
the database is woken as soon as the previous one has committed, rather than by SQLite's busy
handler, which sleeps 1, 2, 5, 10, 15, 20, 25... ms at a time. Readers never wait.
(A download's record committed without waiting for the disk: tests/documents/test_download_durability.py.)"""

import fcntl
import os
import statistics
import threading
import time

import pytest
from sqlalchemy import text

from qms.db import WriterTurns, db

pytestmark = pytest.mark.skipif(os.environ.get("QMS_TEST_DATABASE_URL") is not None, reason="SQLite only")

TOUCH = text("UPDATE audit_chain_head SET seq = seq WHERE id = 1")


def _hold_then_commit(engine, hold_seconds, holding, committed_at):
    with engine.connect() as conn:
        conn.execute(TOUCH)
        holding.set()
        time.sleep(hold_seconds)
        conn.commit()
        committed_at.append(time.perf_counter())


def _second_writer_delay(hold_seconds=0.02):
    """How long after the first writer's commit a second writer, which started waiting while the
    first held the lock, finished its own write."""
    holding, committed_at = threading.Event(), []
    first = threading.Thread(target=_hold_then_commit, args=(db.engine, hold_seconds, holding, committed_at))
    first.start()
    assert holding.wait(5)
    with db.engine.connect() as conn:
        conn.execute(TOUCH)
        done = time.perf_counter()
        conn.commit()
    first.join()
    assert done >= committed_at[0], "the second writer wrote while the first held the lock"
    return done - committed_at[0]


def test_a_waiting_writer_goes_on_as_soon_as_the_previous_one_commits(app):
    delays = [_second_writer_delay() for _ in range(9)]
    # SQLite's busy handler would come back 13 ms after a 20 ms hold (its sleeps add up to 18, 33 ms)
    assert statistics.median(delays) < 0.006, [f"{d * 1000:.1f} ms" for d in delays]


def test_readers_do_not_wait_for_a_writer(app):
    with db.engine.connect() as writer:
        writer.execute(TOUCH)
        start = time.perf_counter()
        with db.engine.connect() as reader:
            assert reader.execute(text("SELECT seq FROM audit_chain_head")).scalar() is not None
        assert time.perf_counter() - start < 1
        writer.rollback()


def test_a_lock_held_elsewhere_too_long_leaves_the_decision_to_sqlite(app, monkeypatch):
    """A process outside the application holding the lock file does not stop the writers for good:
    after the timeout the write goes on, under SQLite's own lock."""
    monkeypatch.setattr(WriterTurns, "TIMEOUT_SECONDS", 0.05)
    fd = os.open(db.engine.url.database + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        start = time.perf_counter()
        with db.engine.connect() as conn:
            touched = conn.execute(TOUCH).rowcount
            conn.commit()
            assert conn.info.get(WriterTurns.KEY) is None  # it went on without the turn
        waited = time.perf_counter() - start
        assert touched == 1 and 0.05 <= waited < 5, waited
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
