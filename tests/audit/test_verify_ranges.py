"""How verify_chain() reads the chain: a range of events at a time, the database writing their
canonical bytes, a range being replayed event by event only when something in it is amiss; a long
chain is shared between forked worker processes, each with a connection of its own. Whatever the
ranges and the workers, the answer is the one the exact, event-by-event check gives: the fast check
never accepts what the exact one refuses (a NUL hiding text after it, a BLOB), and honest values,
however unusual, pass without a replay."""

import os

import pytest
from sqlalchemy import func, insert, select, update

from qms.audit import verify
from qms.audit.checkpoints import create_checkpoint
from qms.audit.models import AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import PARALLEL_FROM, verify_chain
from qms.db import db
from tests.audit.conftest import fields_of, forged, hash_of, raw_sql, renumber, rewrite_tail, set_head, stored, swap

KEY = bytes.fromhex("11" * 32)
# every stored column of an event but seq (the verifier's columns: the link, the fields, the hash)
STORED = [column.name for column in verify._COLUMNS[1:]]
LAYOUTS = [(3, 1), (1, 1), (4, 2), (3, 3)]  # (events per range, workers)


def rehash_one(seq):
    row = fields_of(stored(seq), reason="sửa và băm lại")
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values(reason=row["reason"], hash=hash_of(row)))


def rewritten_after_checkpoint(last):
    create_checkpoint(KEY)
    db.session.commit()
    record_event(None, "test.after_checkpoint", commune_id=None)
    db.session.commit()
    rewrite_tail(last - 5)


def tail_cut_after_checkpoint(last):
    create_checkpoint(KEY)
    db.session.commit()
    raw_sql(f"DELETE FROM audit_events WHERE seq > {last - 3}")
    set_head(last - 3, stored(last - 3).hash)


SCENARIOS = {
    "intact": lambda last: None,
    "edited": lambda last: raw_sql(f"UPDATE audit_events SET reason = 'x' WHERE seq = {last - 4}"),
    "edited and rehashed": lambda last: rehash_one(last - 4),
    "first deleted": lambda last: raw_sql("DELETE FROM audit_events WHERE seq = 1"),
    "middle deleted": lambda last: raw_sql(f"DELETE FROM audit_events WHERE seq = {last - 4}"),
    "last deleted": lambda last: raw_sql(f"DELETE FROM audit_events WHERE seq = {last}"),
    "inserted": lambda last: (
        renumber(last - 4, 1),
        raw_sql(insert(AuditEvent).values(forged(last - 4, stored(last - 5).hash, like=stored(last - 5)))),
    ),
    "beyond the head": lambda last: raw_sql(
        insert(AuditEvent).values(forged(last + 1, stored(last).hash, like=stored(last)))
    ),
    "numbered 0": lambda last: raw_sql(insert(AuditEvent).values(forged(0, stored(last).hash, like=stored(last)))),
    "swapped": lambda last: swap(last - 6, last - 5),
    "swapped across a range": lambda last: swap(3, 4),
    "head moved": lambda last: set_head(last, "e" * 64),
    "rewritten after a checkpoint": rewritten_after_checkpoint,
    "tail cut after a checkpoint": tail_cut_after_checkpoint,
}


def exact(**kwargs):
    """The verdict of the event-by-event check alone (every range replayed)."""
    saved = verify._RANGE_SQL
    verify._RANGE_SQL = {}
    try:
        return verify_chain(**kwargs).as_dict()
    finally:
        verify._RANGE_SQL = saved


@pytest.fixture
def replays(monkeypatch):
    """The ranges replayed event by event: [(from, to)] (to None: the events beyond the head)."""
    seen = []
    replay = verify._replay

    def recording(session, state, pins, head, stop=None, from_start=False):
        seen.append((state.expected, stop))
        return replay(session, state, pins, head, stop=stop, from_start=from_start)

    monkeypatch.setattr(verify, "_replay", recording)
    return seen


@pytest.fixture
def forks(monkeypatch):
    """How many times workers were forked."""
    seen = []
    in_workers = verify._in_workers

    def recording(ranges, check, connect, count):
        seen.append(count)
        return in_workers(ranges, check, connect, count)

    monkeypatch.setattr(verify, "_in_workers", recording)
    return seen


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_answer_does_not_depend_on_ranges_or_workers(tampered, scenario, forks):
    SCENARIOS[scenario](tampered)
    expected = exact(key=KEY)
    assert expected["ok"] == (scenario == "intact")
    for batch, workers in [(verify.RANGE_SIZE, 1), *LAYOUTS]:
        assert verify_chain(key=KEY, batch=batch, workers=workers).as_dict() == expected, (batch, workers)
    if verify._can_fork():  # an event numbered outside the chain has the whole chain replayed at once
        assert forks == ([] if scenario == "numbered 0" else [2, 3])


def test_an_honest_chain_is_never_replayed(app, make_user, replays):
    user = make_user("staff", full_name="Đặng Thị Ánh 🌸")
    record_event(None, "test.system", commune_id=None, entity_type="", entity_id="")
    record_event(
        user,
        "test.odd",
        user,
        reason="ký tự\x00NUL, tab\t, xuống dòng\n, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 'quote' \\ %s %d",
        changes={"số": ("", None), 'k"ey': ("a:b", "5:xx"), "3:": (1.5, ["x", 2])},
    )
    record_event(user, "test.long", user, reason="dài " * 5000)
    db.session.commit()
    last = db.session.scalar(select(func.max(AuditEvent.seq)))
    for batch in (verify.RANGE_SIZE, 2):
        replays.clear()
        assert verify_chain(batch=batch).ok
        assert replays == [(last + 1, None)]  # only the look for events written after the head was read


@pytest.mark.parametrize("column", STORED)
def test_a_nul_hiding_text_after_it_is_never_passed_by_the_fast_check(tampered, column):
    """SQLite's printf() and length() stop at a NUL: a field with one, and text after it, must not
    read like its first part alone. (PostgreSQL refuses a NUL in a text.)"""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL cannot store a NUL in a text")
    seq = tampered - 4
    raw_sql(
        "PRAGMA foreign_keys = OFF",  # what an attacker would do to store a text in actor_id
        f"UPDATE audit_events SET {column} = {column} || char(0) || 'ẩn' WHERE seq = {seq}",
    )
    expected = exact()
    if column != "occurred_at":  # the ORM reads the time up to the NUL: the same instant, as it was
        assert expected["broken_seq"] in (seq, seq + 1) and not expected["ok"]
    for batch, workers in [(verify.RANGE_SIZE, 1), (3, 2)]:
        assert verify_chain(batch=batch, workers=workers).as_dict() == expected


@pytest.mark.parametrize("column", STORED)
def test_a_blob_in_place_of_a_text_is_never_passed_by_the_fast_check(tampered, column):
    """The same bytes stored as a BLOB read as bytes in the application: the exact check refuses it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps every column's type")
    seq = tampered - 4
    raw_sql("PRAGMA foreign_keys = OFF", f"UPDATE audit_events SET {column} = CAST({column} AS BLOB) WHERE seq = {seq}")
    expected = exact()
    assert not expected["ok"]
    assert verify_chain().as_dict() == expected


def test_hashes_shifted_between_neighbours_are_never_passed_by_the_fast_check(tampered):
    """Every hash and link is compared on its own, not as part of a range's run of hashes: moving a
    digit from one event's hash to the next one's keeps the run but breaks both events."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses a hash longer than 64 characters")
    seq = tampered - 4
    first, second = stored(seq).hash, stored(seq + 1).hash
    raw_sql(
        update(AuditEvent).where(AuditEvent.seq == seq).values(hash=first[:63]),
        update(AuditEvent).where(AuditEvent.seq == seq + 1).values(hash=first[63] + second),
        update(AuditEvent).where(AuditEvent.seq == seq + 1).values(prev_hash=first[:63]),
        update(AuditEvent).where(AuditEvent.seq == seq + 2).values(prev_hash=first[63] + second),
    )
    expected = exact()
    assert (expected["broken_seq"], expected["kind"]) == (seq, "edited")
    assert verify_chain().as_dict() == expected


# --- workers --------------------------------------------------------------------------------------


@pytest.fixture
def fork_possible():
    if not verify._can_fork():
        pytest.skip("workers are forked on Linux from a process without other threads")


def test_a_long_chain_is_shared_between_workers(fork_possible):
    long_chain = [(first, first + 999) for first in range(1, PARALLEL_FROM + 1, 1000)]
    assert verify._worker_count(None, long_chain) == min(os.cpu_count(), verify.MAX_WORKERS)
    assert verify._worker_count(None, long_chain[:10]) == 1
    assert verify._worker_count(8, long_chain[:3]) == 3


@pytest.mark.parametrize("failure", ["cannot connect", "dies"])
def test_a_worker_that_fails_leaves_its_ranges_to_the_exact_check(
    tampered, monkeypatch, fork_possible, replays, failure
):
    def connector(engine):
        def connect():
            if failure == "dies":
                os._exit(3)
            raise RuntimeError("no database today")

        return connect

    monkeypatch.setattr(verify, "_connector", connector)
    assert verify_chain(batch=3, workers=2).ok
    assert len([stop for _first, stop in replays if stop is not None]) == -(-tampered // 3)
    raw_sql(f"UPDATE audit_events SET reason = 'x' WHERE seq = {tampered - 4}")
    assert (verify_chain(batch=3, workers=2).broken_seq, exact()["broken_seq"]) == (tampered - 4, tampered - 4)
