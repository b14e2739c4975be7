"""Tampering with the trail behind the application's back, as an attacker with database access
would (the append-only triggers dropped first): verify_chain() names the first broken sequence
number and how it broke (edited, deleted, inserted, reordered); a signed checkpoint catches a
rewrite of the whole tail, hashes and head included; a forged checkpoint is caught with the key;
`qms audit verify` prints OK with the count and head hash, or the broken event, exiting 1."""

import datetime as dt

import pytest
from sqlalchemy import insert, select, update

from qms.audit import checkpoints, services, verify
from qms.audit.checkpoints import create_checkpoint, load_checkpoint_key, sign_head
from qms.audit.models import AuditCheckpoint, AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import verify_chain
from qms.cli import main
from qms.db import db
from tests.audit.conftest import (
    broken,
    drop_triggers,
    fields_of,
    forged,
    hash_of,
    raw_sql,
    renumber,
    rewrite_tail,
    set_head,
    stored,
    swap,
)
from tests.core.support import stored_head

KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)


def test_an_intact_chain_verifies(chain):
    result = verify_chain()
    assert (result.ok, result.count, result.head_hash) == (True, *stored_head())
    assert result.broken_seq is None and result.kind is None


# --- edited ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [
        ("reason", "lý do khác"),
        ("actor_name", "Người khác"),
        ("action", "user.deleted"),
        ("entity_id", "999"),
        ("changes", '{"step":[0,100]}'),
        ("ip", "6.6.6.6"),
        ("request_id", "forged"),
        ("actor_id", None),
        ("commune_id", None),
        ("entity_type", "documents"),
        ("occurred_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("hash", "0" * 64),
        ("prev_hash", "a" * 64),
    ],
)
def test_editing_any_field_of_an_event_is_named(tampered, column, value):
    seq = tampered - 4
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values({column: value}))
    assert broken(verify_chain()) == (seq, "edited")


def test_editing_an_event_and_recomputing_its_own_hash_is_named(tampered):
    seq = tampered - 4
    row = fields_of(stored(seq), reason="sửa và băm lại")
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values(reason=row["reason"], hash=hash_of(row)))
    assert broken(verify_chain()) == (seq, "edited")


def test_editing_the_last_event_and_rehashing_it_is_caught_by_the_head(tampered):
    row = fields_of(stored(tampered), reason="sửa sự kiện cuối")
    raw_sql(update(AuditEvent).where(AuditEvent.seq == tampered).values(reason=row["reason"], hash=hash_of(row)))
    assert broken(verify_chain()) == (tampered, "edited")


def test_rewriting_the_whole_tail_and_the_head_needs_a_checkpoint_to_be_seen(tampered):
    """Without a checkpoint a full rewrite is a consistent chain: this is what checkpoints are for
    (the tests below); here the rewrite stops short of the head, which gives it away."""
    rewrite_tail(tampered - 5)
    assert verify_chain().ok  # hashes, links and head all recomputed: only a checkpoint can tell
    set_head(tampered, "e" * 64)
    assert broken(verify_chain()) == (tampered, "edited")


# --- deleted --------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_deleting_an_event_is_named(tampered, which):
    seq = {"first": 1, "middle": tampered - 4, "last": tampered}[which]
    raw_sql(f"DELETE FROM audit_events WHERE seq = {seq}")
    assert broken(verify_chain()) == (seq, "deleted")


def test_deleting_several_events_names_the_first(tampered):
    raw_sql(f"DELETE FROM audit_events WHERE seq BETWEEN {tampered - 6} AND {tampered - 4}")
    result = verify_chain()
    assert broken(result) == (tampered - 6, "deleted")
    assert f"{tampered - 6}..{tampered - 4}" in result.detail


def test_deleting_the_tail_and_moving_the_head_back_is_caught_by_a_checkpoint(tampered):
    create_checkpoint(KEY)
    db.session.commit()
    raw_sql(f"DELETE FROM audit_events WHERE seq > {tampered - 3}")
    set_head(tampered - 3, stored(tampered - 3).hash)
    assert broken(verify_chain(key=KEY)) == (tampered - 2, "deleted")


# --- inserted -------------------------------------------------------------------------------


def test_inserting_a_forged_event_in_the_middle_is_named(tampered):
    seq = tampered - 4
    before = stored(seq - 1)
    renumber(seq, 1)
    raw_sql(insert(AuditEvent).values(forged(seq, before.hash, like=before)))
    set_head(tampered + 1, stored(tampered + 1).hash)
    assert broken(verify_chain()) == (seq, "inserted")


def test_inserting_a_badly_forged_event_in_the_middle_is_named(tampered):
    seq = tampered - 4
    before = stored(seq - 1)
    renumber(seq, 1)
    raw_sql(insert(AuditEvent).values(forged(seq, "b" * 64, like=before, valid_hash=False)))
    assert broken(verify_chain()) == (seq, "inserted")


def test_appending_a_well_forged_event_beyond_the_head_is_named(tampered):
    last = stored(tampered)
    raw_sql(insert(AuditEvent).values(forged(tampered + 1, last.hash, like=last)))
    result = verify_chain()
    assert broken(result) == (tampered + 1, "inserted")
    assert result.count == tampered  # what is trustworthy: the chain up to the head


@pytest.mark.parametrize("seq", [0, -5, 10_000])
def test_an_event_with_a_number_outside_the_chain_is_named(tampered, seq):
    last = stored(tampered)
    raw_sql(insert(AuditEvent).values(forged(seq, last.hash, like=last)))
    assert broken(verify_chain()) == (seq, "inserted")


# --- reordered ------------------------------------------------------------------------------


@pytest.mark.parametrize("distance", [1, 4])
def test_swapping_two_events_is_named(tampered, distance):
    a = tampered - 6
    swap(a, a + distance)
    assert broken(verify_chain()) == (a, "reordered")


def test_swapping_the_last_two_events_is_named(tampered):
    swap(tampered - 1, tampered)
    assert broken(verify_chain()) == (tampered - 1, "reordered")


# --- checkpoints ----------------------------------------------------------------------------


def test_a_rewrite_of_the_whole_tail_after_a_checkpoint_is_named_at_its_first_event(tampered):
    """The checkpoint keeps the hash prefixes of the events it covers: the rewrite is named where it
    begins, not at the checkpoint (before the evidence, this said `tampered`, the checkpoint's event)."""
    create_checkpoint(KEY)
    db.session.commit()
    record_event(None, "test.after_checkpoint", commune_id=None)
    db.session.commit()
    rewrite_tail(tampered - 5)  # every hash and link recomputed, the head moved: a consistent chain
    for key in (None, KEY):
        result = verify_chain(key=key)
        assert broken(result) == (tampered - 5, "checkpoint")
        assert f"event {tampered - 5}" in result.detail and "rewritten" in result.detail


def test_a_forged_checkpoint_is_caught_with_the_key(tampered):
    create_checkpoint(KEY)
    db.session.commit()
    new_head = rewrite_tail(tampered - 5)
    # the attacker also rewrites the checkpoint and its evidence, signing them with a key of their own
    checkpoint = db.session.scalar(select(AuditCheckpoint))
    evidence = "".join(stored(seq).hash[:16] for seq in range(1, checkpoint.seq + 1))
    raw_sql(
        update(AuditCheckpoint.__table__)
        .where(AuditCheckpoint.__table__.c.id == checkpoint.id)
        .values(hash=new_head, evidence=evidence, signature=sign_head(OTHER_KEY, checkpoint.seq, new_head, evidence))
    )
    result = verify_chain(key=KEY)
    assert broken(result) == (checkpoint.seq, "checkpoint")
    assert "signature" in result.detail
    # the key is what tells: without it the forgery is a consistent chain and checkpoint
    assert verify_chain().ok


def test_deleting_the_checkpoint_rows_does_not_hide_a_rewrite_from_the_journal(app, tampered):
    """The journal in the instance folder keeps each checkpoint outside the database."""
    instance = app.instance_path
    checkpoints.checkpoint_key_path(instance).write_text(KEY.hex())
    create_checkpoint(KEY, instance)
    db.session.commit()
    rewrite_tail(tampered - 5)
    drop_triggers("audit_checkpoints")
    raw_sql("DELETE FROM audit_checkpoints")
    assert verify_chain(key=KEY).ok  # the database alone no longer tells
    result = verify.verify_installation(instance)
    assert broken(result) == (tampered - 5, "checkpoint") and "rewritten" in result.detail


def test_a_forged_journal_entry_is_caught_with_the_key(app, chain):
    instance = app.instance_path
    checkpoints.checkpoint_key_path(instance).write_text(KEY.hex())
    create_checkpoint(KEY, instance)
    db.session.commit()
    assert verify.verify_installation(instance).ok
    path = checkpoints.journal_path(instance)
    entry = path.read_text().splitlines()[0].replace('"signature": "', '"signature": "0')
    path.write_text(entry + "\n")
    result = verify.verify_installation(instance)
    assert result.kind == "checkpoint" and "journal" in result.detail


def test_restoring_an_older_state_sets_later_journal_entries_aside(app, chain):
    instance = app.instance_path
    first = create_checkpoint(KEY, instance)
    db.session.commit()
    record_event(None, "test.after_checkpoint", commune_id=None)
    db.session.commit()
    create_checkpoint(KEY, instance)
    db.session.commit()
    assert checkpoints.set_aside_journal(instance, first.seq + 1) is None
    aside = checkpoints.set_aside_journal(instance, first.seq)
    assert [e.seq for e in checkpoints.read_journal(instance)] == [first.seq]
    assert len(aside.read_text().splitlines()) == 2


def test_a_checkpoint_signed_with_another_key_is_refused(app, chain):
    create_checkpoint(OTHER_KEY)
    db.session.commit()
    assert verify_chain(key=OTHER_KEY).ok
    assert broken(verify_chain(key=KEY))[1] == "checkpoint"


# --- no false alarm -------------------------------------------------------------------------


def test_unusual_but_honest_values_verify(app, make_user):
    user = make_user("staff", full_name="Đặng Thị Ánh 🌸")
    record_event(None, "test.system", commune_id=None, entity_type="", entity_id="")
    record_event(
        user,
        "test.odd",
        user,
        reason="ký tự\x00NUL, tab\t, xuống dòng\n, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        changes={"số": ("", None), 'k"ey': ("a:b", "5:xx")},
    )
    record_event(user, "test.long", user, reason="dài " * 5000)
    db.session.commit()
    assert verify_chain().ok


def test_an_equivalent_time_stored_in_another_form_is_not_an_edit(app, make_user, monkeypatch):
    """The fast check reads the stored time text; a different text for the same instant (here
    SQLite's "…:14.5" for "…:14.500000") is checked the exact way and passes."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores a timestamp, not its text")
    user = make_user("staff")
    when = dt.datetime(2036, 11, 25, 8, 14, 14, 500000, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "utcnow", lambda: when)
    event = record_event(user, "test.half_second", user)
    db.session.commit()
    drop_triggers("audit_events")
    raw_sql(f"UPDATE audit_events SET occurred_at = '2036-11-25 08:14:14.5' WHERE seq = {event.seq}")
    assert verify_chain().ok
    raw_sql(f"UPDATE audit_events SET occurred_at = '2036-11-25 08:14:14.6' WHERE seq = {event.seq}")
    assert broken(verify_chain()) == (event.seq, "edited")


# --- `qms audit verify` ---------------------------------------------------------------------


def test_the_command_prints_ok_with_the_count_and_the_head_hash(app, runner, chain):
    seq, head_hash = stored_head()
    result = runner.invoke(main, args=["audit", "verify"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"OK {seq} events, head {head_hash}"


@pytest.mark.parametrize(
    "tamper, kind",
    [
        (lambda last: raw_sql(f"UPDATE audit_events SET reason = 'x' WHERE seq = {last - 3}"), "edited"),
        (lambda last: raw_sql(f"DELETE FROM audit_events WHERE seq = {last - 3}"), "deleted"),
        (lambda last: swap(last - 3, last - 2), "reordered"),
        (lambda last: raw_sql(insert(AuditEvent).values(forged(last + 5, "c" * 64, like=stored(last)))), "inserted"),
    ],
)
def test_the_command_names_the_broken_event_and_exits_1(runner, tampered, tamper, kind):
    tamper(tampered)
    result = runner.invoke(main, args=["audit", "verify"])
    assert result.exit_code == 1
    expected_seq = tampered + 5 if kind == "inserted" else tampered - 3
    assert result.stderr.startswith(f"BROKEN at {expected_seq}: {kind} (")
    assert result.stdout == ""


def test_the_command_checks_checkpoint_signatures_with_the_instance_key(app, runner, tampered):
    assert runner.invoke(main, args=["audit", "checkpoint"]).exit_code == 0
    key = load_checkpoint_key(app.instance_path)
    assert key is not None
    checkpoint = db.session.scalar(select(AuditCheckpoint))
    raw_sql(
        update(AuditCheckpoint)
        .where(AuditCheckpoint.id == checkpoint.id)
        .values(signature=sign_head(OTHER_KEY, checkpoint.seq, checkpoint.hash))
    )
    result = runner.invoke(main, args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"BROKEN at {checkpoint.seq}: checkpoint (")
