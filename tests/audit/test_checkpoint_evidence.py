"""Checkpoints keep the hash prefixes of the events they cover (in their row and in the journal, under
their signature): a chain rewritten consistently from event k on is named at k, wherever k lies
between two checkpoints; forged or stripped evidence is caught with the key; checkpoints made before
the evidence verify as they did. A tail cut off in the database, checkpoint rows and all, is still
caught by the journal. The migration that adds the column keeps the table append-only."""

import json

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import delete, insert, select, update

from qms.audit import checkpoints
from qms.audit.checkpoints import EVIDENCE_DIGITS, create_checkpoint, key_id, read_journal, sign_head
from qms.audit.models import AuditCheckpoint, AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import verify_chain, verify_installation
from qms.core.calendar import utcnow
from qms.db import DomainError, db
from tests.audit.conftest import broken, drop_triggers, fields_of, hash_of, raw_sql, rewrite_tail, set_head, stored
from tests.core.support import stored_head

KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)


def more_events(n):
    for step in range(n):
        record_event(None, "test.more", commune_id=None, reason=f"thêm {step}")
    db.session.commit()


@pytest.fixture
def instance(app):
    checkpoints.checkpoint_key_path(app.instance_path).write_text(KEY.hex())
    return app.instance_path


@pytest.fixture
def two_checkpoints(instance, tampered):
    """Checkpoints at the chain's end and five events later (rows and journal); returns their events."""
    first = create_checkpoint(KEY, instance).seq
    db.session.commit()
    more_events(5)
    second = create_checkpoint(KEY, instance).seq
    db.session.commit()
    more_events(2)
    return first, second


def evidence_of(checkpoint_id):
    return db.session.scalar(select(AuditCheckpoint.evidence).where(AuditCheckpoint.id == checkpoint_id))


# --- what a checkpoint keeps ------------------------------------------------------------------


def test_a_checkpoint_keeps_the_hash_prefixes_of_the_events_since_the_previous_one(instance, chain):
    first = create_checkpoint(KEY, instance)
    db.session.commit()
    more_events(3)
    second = create_checkpoint(KEY, instance)
    db.session.commit()
    assert evidence_of(first.id) == "".join(stored(seq).hash[:EVIDENCE_DIGITS] for seq in range(1, first.seq + 1))
    assert evidence_of(second.id) == "".join(
        stored(seq).hash[:EVIDENCE_DIGITS] for seq in range(first.seq + 1, second.seq + 1)
    )
    journal = [json.loads(line) for line in checkpoints.journal_path(instance).read_text().splitlines()]
    assert [entry["evidence"] for entry in journal] == [evidence_of(first.id), evidence_of(second.id)]
    assert (
        second.signature
        == sign_head(KEY, second.seq, second.hash, evidence_of(second.id))
        != sign_head(KEY, second.seq, second.hash)
    )
    assert verify_installation(instance).ok


def test_a_checkpoint_over_missing_events_is_refused(instance, tampered):
    raw_sql(f"DELETE FROM audit_events WHERE seq = {tampered - 2}")
    with pytest.raises(DomainError, match=f"events 1..{tampered} are not all"):
        create_checkpoint(KEY, instance)


# --- a rewrite is named where it begins -------------------------------------------------------------


@pytest.mark.parametrize(
    "where", ["first after the first checkpoint", "middle", "the second checkpoint's", "after the second checkpoint"]
)
def test_a_consistent_rewrite_is_named_at_its_first_event(two_checkpoints, where):
    first, second = two_checkpoints
    start = {
        "first after the first checkpoint": first + 1,
        "middle": first + 3,
        "the second checkpoint's": second,
        "after the second checkpoint": second + 1,
    }[where]
    rewrite_tail(start)  # hashes, links and head all recomputed: a chain consistent in itself
    for key in (None, KEY):
        result = verify_chain(key=key, journal=read_journal(current_app.instance_path))
        if where == "after the second checkpoint":  # beyond every checkpoint: nothing can tell
            assert result.ok
            continue
        assert broken(result) == (start, "checkpoint")
        assert result.detail.startswith(f"event {start} differs from what checkpoint ")
        assert f"when it signed event {second}: the chain was rewritten from event {start} on" in result.detail
        assert result.count == start - 1


def test_a_rewrite_before_the_first_checkpoint_is_named_too(instance, tampered):
    create_checkpoint(KEY, instance)
    db.session.commit()
    rewrite_tail(2)
    assert broken(verify_installation(instance)) == (2, "checkpoint")


def test_the_journal_alone_names_the_first_rewritten_event(two_checkpoints):
    first, second = two_checkpoints
    rewrite_tail(first + 2)
    drop_triggers("audit_checkpoints")
    raw_sql("DELETE FROM audit_checkpoints")
    assert verify_chain(key=KEY).ok  # the database alone no longer tells
    result = verify_installation(current_app.instance_path)
    assert broken(result) == (first + 2, "checkpoint") and "a checkpoint in the journal" in result.detail


def test_an_event_edited_and_rehashed_alone_is_named_at_it(two_checkpoints):
    first, _second = two_checkpoints
    seq = first + 2
    row = fields_of(stored(seq), reason="sửa và băm lại")
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values(reason=row["reason"], hash=hash_of(row)))
    assert broken(verify_chain()) == (seq, "checkpoint")


# --- forged evidence -------------------------------------------------------------------------------


def test_evidence_rewritten_with_the_chain_needs_the_key(two_checkpoints):
    """Whoever rewrites the chain can rewrite the evidence too; the signature covers it, so only the
    key tells."""
    first, second = two_checkpoints
    rewrite_tail(first + 2)
    drop_triggers("audit_checkpoints")
    checkpoint = db.session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == second))
    evidence = "".join(stored(seq).hash[:EVIDENCE_DIGITS] for seq in range(first + 1, second + 1))
    raw_sql(
        update(AuditCheckpoint.__table__)
        .where(AuditCheckpoint.__table__.c.id == checkpoint.id)
        .values(hash=stored(second).hash, evidence=evidence)
    )
    checkpoints.journal_path(current_app.instance_path).unlink()
    assert verify_chain().ok
    result = verify_chain(key=KEY)
    assert (
        broken(result) == (second, "checkpoint")
        and result.detail == f"checkpoint {checkpoint.id} does not carry a valid signature"
    )


def test_stripped_evidence_breaks_the_signature(two_checkpoints):
    """An attacker cannot turn a checkpoint into one from before the evidence: the signature was made
    over the evidence."""
    _first, second = two_checkpoints
    drop_triggers("audit_checkpoints")
    raw_sql(update(AuditCheckpoint.__table__).where(AuditCheckpoint.__table__.c.seq == second).values(evidence=""))
    assert verify_chain().ok
    assert broken(verify_chain(key=KEY)) == (second, "checkpoint")


@pytest.mark.parametrize("evidence", ["xyz", "0" * 15, "G" * 16, "0" * 16 * 1000])
def test_evidence_that_cannot_be_read_is_a_break(two_checkpoints, evidence):
    _first, second = two_checkpoints
    drop_triggers("audit_checkpoints")
    raw_sql(
        update(AuditCheckpoint.__table__).where(AuditCheckpoint.__table__.c.seq == second).values(evidence=evidence)
    )
    result = verify_chain()
    assert broken(result) == (second, "checkpoint") and "evidence" in result.detail


def test_a_journal_line_with_evidence_of_the_wrong_type_is_unreadable(instance, chain):
    checkpoints.journal_path(instance).write_text(
        json.dumps({"seq": 3, "hash": "a" * 64, "signature": "", "evidence": ["not", "text"]}) + "\n"
    )
    [entry] = read_journal(instance)
    assert (entry.seq, entry.hash) == (0, "unreadable journal line")


# --- checkpoints made before the evidence -----------------------------------------------------------

# audit_checkpoints as it was before the evidence (revision 0005)
OLD_CHECKPOINTS = sa.table(
    "audit_checkpoints",
    sa.column("seq"),
    sa.column("hash"),
    sa.column("created_at"),
    sa.column("key_id"),
    sa.column("signature"),
)


def old_checkpoint(key, seq, hash_):
    """A checkpoint as create_checkpoint() made them before the evidence: the head and its signature."""
    raw_sql(
        insert(OLD_CHECKPOINTS).values(
            seq=seq,
            hash=hash_,
            key_id=key_id(key),
            created_at=utcnow().replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else utcnow(),
            signature=sign_head(key, seq, hash_),
        )
    )


def test_a_checkpoint_made_before_the_evidence_verifies_as_it_did(tampered):
    old_checkpoint(KEY, tampered, stored(tampered).hash)
    assert verify_chain(key=KEY).ok
    more_events(3)
    create_checkpoint(KEY)  # evidence from the old checkpoint on
    db.session.commit()
    assert verify_chain(key=KEY).ok
    rewrite_tail(tampered - 4)
    result = verify_chain(key=KEY)
    assert broken(result) == (tampered, "checkpoint")  # named at the old checkpoint, as before
    assert result.detail == f"event {tampered} differs from checkpoint 1: the chain was rewritten"


# --- a truncated tail --------------------------------------------------------------------------------


def test_a_tail_cut_off_with_its_checkpoint_rows_is_caught_by_the_journal(instance, tampered):
    """Someone deletes the last events, moves the head back and deletes the checkpoint rows: the
    journal outside the database still records a checkpoint beyond the table's end. (This passed
    before the evidence too: the journal's checkpoint was compared with the chain's end already.)"""
    create_checkpoint(KEY, instance)
    db.session.commit()
    raw_sql(f"DELETE FROM audit_events WHERE seq > {tampered - 3}")
    set_head(tampered - 3, stored(tampered - 3).hash)
    drop_triggers("audit_checkpoints")
    raw_sql(delete(AuditCheckpoint))
    assert verify_chain(key=KEY).ok  # the database alone is consistent
    result = verify_installation(instance)
    assert broken(result) == (tampered - 2, "deleted")
    assert result.detail == f"a checkpoint in the journal covers event {tampered}, but the chain ends at {tampered - 3}"


# --- the migration ---------------------------------------------------------------------------------


def test_the_migration_keeps_the_checkpoints_append_only(app, chain):
    """Adding the column (and dropping it again) leaves the append-only triggers in place (on SQLite
    a rebuilt table would have lost them); a checkpoint made before it verifies before and after."""
    head = stored_head()
    db.session.remove()
    flask_migrate.downgrade(revision="0005")
    old_checkpoint(KEY, *head)
    assert verify_chain(key=KEY).ok  # as after restoring a backup made before the evidence, not yet upgraded
    db.session.remove()
    flask_migrate.upgrade(revision="heads")
    with pytest.raises(Exception, match="append-only"):
        raw_sql("DELETE FROM audit_checkpoints")
    with pytest.raises(Exception, match="append-only"):
        raw_sql("UPDATE audit_checkpoints SET evidence = 'x'")
    assert evidence_of(1) == "" and verify_chain(key=KEY).ok


def test_a_resumed_check_reads_only_the_journal_entries_after_its_state(instance, chain):
    first = create_checkpoint(KEY, instance).seq
    db.session.commit()
    more_events(2)
    second = create_checkpoint(KEY, instance).seq
    db.session.commit()
    with checkpoints.journal_path(instance).open("a") as journal:
        journal.write("\n{damaged\n")
    assert [(e.seq, e.hash) for e in read_journal(instance, after=first)] == [
        (second, stored(second).hash),
        (0, "unreadable journal line"),
    ]
    assert [e.seq for e in read_journal(instance)] == [first, second, 0]
