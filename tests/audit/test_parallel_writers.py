"""Parallel writers never fork the chain: threads in two app instances ("worker processes"), each
thread with its own app context, session and database connection, record events and commit at
the same time (some rolling back); the result is one gap-free chain, every link in place."""

import random
import threading
import time

import pytest
from sqlalchemy import select

from qms.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import verify_chain
from qms.auth.models import User
from qms.db import db
from tests.core.support import head_seq

THREADS = 6
EVENTS_PER_THREAD = 12


def writer(app, user_id, number, start, errors, rollback_every=None):
    """Record EVENTS_PER_THREAD events, one transaction each, holding the chain's lock a moment
    before committing so that the writers really overlap."""
    rng = random.Random(number)
    try:
        with app.app_context():
            user = db.session.get(User, user_id)
            start.wait()
            for n in range(EVENTS_PER_THREAD):
                record_event(user, "test.parallel", user, changes={"writer": (None, number), "n": (None, n)})
                time.sleep(rng.random() / 500)
                if rollback_every and n % rollback_every == 0:
                    db.session.rollback()
                else:
                    db.session.commit()
            db.session.remove()
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)


def run_writers(make_app, user_id, rollback_every=None):
    apps = [make_app(), make_app()]
    start, errors = threading.Barrier(THREADS), []
    threads = [
        threading.Thread(
            target=writer, args=(apps[i % 2], user_id, i, start, errors, rollback_every if i % 3 == 0 else None)
        )
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    assert errors == []


def assert_one_gap_free_chain():
    db.session.expire_all()
    rows = db.session.execute(
        select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.seq)
    ).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.prev_hash for r in rows] == [GENESIS_HASH] + [r.hash for r in rows[:-1]]
    head = db.session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    result = verify_chain()
    assert result.ok and result.count == len(rows), result.as_dict()
    return rows


@pytest.fixture
def writer_user(app, make_user):
    return make_user("staff", username="writer").id


def test_parallel_writers_make_one_gap_free_chain(app, make_app, writer_user):
    before = head_seq()
    run_writers(make_app, writer_user)
    rows = assert_one_gap_free_chain()
    assert len(rows) == before + THREADS * EVENTS_PER_THREAD
    written = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.action == "test.parallel")).all()
    assert sorted(written) == sorted(
        f'{{"n":[null,{n}],"writer":[null,{w}]}}' for w in range(THREADS) for n in range(EVENTS_PER_THREAD)
    )


def test_writers_that_roll_back_leave_no_gap(app, make_app, writer_user):
    before = head_seq()
    run_writers(make_app, writer_user, rollback_every=2)
    rows = assert_one_gap_free_chain()
    rolled_back = sum(len(range(0, EVENTS_PER_THREAD, 2)) for i in range(THREADS) if i % 3 == 0)
    assert len(rows) == before + THREADS * EVENTS_PER_THREAD - rolled_back


def test_verifying_while_others_write_never_reports_a_false_break(app, make_app, writer_user):
    """Events committed during a verification are neither "missing" nor "inserted"."""
    verifier_app, results, done = make_app(), [], threading.Event()

    def verify_repeatedly():
        with verifier_app.app_context():
            while not done.is_set():
                results.append(verify_chain().as_dict())
                db.session.rollback()  # a new snapshot for the next round
            db.session.remove()

    verifier = threading.Thread(target=verify_repeatedly)
    verifier.start()
    try:
        run_writers(make_app, writer_user)
    finally:
        done.set()
        verifier.join(timeout=120)
    assert results and all(r["ok"] for r in results), [r for r in results if not r["ok"]][:3]
    assert_one_gap_free_chain()
