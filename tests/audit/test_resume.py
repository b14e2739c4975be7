"""The daily check resumes: a verification that found the chain agreeing with a checkpoint keeps that
checkpoint as the last verified state (instance/audit-verified.json, signed with the checkpoint key),
and `qms audit verify` then replays only the events after it (and checks the checkpoints after it),
having found its event still carrying its hash; it says where it resumed. A state that is not
genuine, or whose event changed, means a full replay; `--full` replays everything; so does the
auditor's page. A broken chain, or a restored database, is never resumed from an older state."""

import json
import shutil

import pytest
from sqlalchemy import update

from qms.audit import checkpoints
from qms.audit.checkpoints import create_checkpoint, read_verified_state, record_verified_state
from qms.audit.models import AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import verify_installation
from qms.cli import main
from qms.db import db
from tests.audit.conftest import broken, drop_triggers, raw_sql, rewrite_tail, set_head, stored
from tests.core.support import signed_in_client, stored_head

KEY = bytes.fromhex("11" * 32)
OTHER_KEY = bytes.fromhex("22" * 32)


def more_events(n):
    for step in range(n):
        record_event(None, "test.more", commune_id=None, reason=f"thêm {step}")
    db.session.commit()


def qms(runner, *args):
    return runner.invoke(main, args=[str(a) for a in args])


@pytest.fixture
def instance(app):
    checkpoints.checkpoint_key_path(app.instance_path).write_text(KEY.hex())
    return app.instance_path


@pytest.fixture
def verified(instance, tampered):
    """A checkpoint at the chain's end, a full verification that confirmed it, three events since.
    Returns the checkpoint's event."""
    checkpoint = create_checkpoint(KEY, instance)
    db.session.commit()
    assert verify_installation(instance).ok
    more_events(3)
    return checkpoint.seq


def state(instance):
    found, why = read_verified_state(instance, KEY)
    assert why is None
    return found and (found.seq, found.hash)


def edit_quietly(seq):
    """Change an event's content without touching any hash."""
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values(reason="đổi lặng lẽ"))


# --- recording the state --------------------------------------------------------------------------


def test_a_full_check_keeps_the_last_checkpoint_it_confirmed(runner, instance, chain):
    assert state(instance) is None
    checkpoint = create_checkpoint(KEY, instance)
    db.session.commit()
    more_events(2)
    result = qms(runner, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "OK {} events, head {}".format(*stored_head())  # nothing to resume from
    assert state(instance) == (checkpoint.seq, checkpoint.hash)
    data = json.loads(checkpoints.verified_state_path(instance).read_text())
    assert data["key_id"] == checkpoints.key_id(KEY) and data["verified_at"].endswith("+00:00")


def test_without_a_key_no_state_is_kept(app, chain):
    create_checkpoint(KEY)
    db.session.commit()
    assert verify_installation(app.instance_path).ok
    assert not checkpoints.verified_state_path(app.instance_path).exists()


# --- resuming ---------------------------------------------------------------------------------------


def test_the_daily_check_resumes_after_the_last_verified_state(runner, verified):
    seq, head_hash = stored_head()
    result = qms(runner, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"OK {seq} events, head {head_hash}",
        f"Resumed from event {verified + 1}: the events up to {verified} were verified before "
        "(--full replays them too).",
    ]


def test_a_resumed_check_does_not_reread_the_events_before_the_state(runner, verified):
    """What makes it cheap: an event before the state, edited without touching any hash, is seen
    only by a full replay, which then forgets the state, so the next daily check replays all too."""
    edit_quietly(verified - 4)
    assert qms(runner, "audit", "verify").exit_code == 0
    full = qms(runner, "audit", "verify", "--full")
    assert full.exit_code == 1 and full.stderr.startswith(f"BROKEN at {verified - 4}: edited (")
    assert not checkpoints.verified_state_path(runner.app.instance_path).exists()
    again = qms(runner, "audit", "verify")
    assert again.exit_code == 1 and again.stderr.startswith(f"BROKEN at {verified - 4}: edited (")


@pytest.mark.parametrize("offset", [1, 3])
def test_a_resumed_check_sees_what_changed_after_the_state(runner, verified, offset):
    edit_quietly(verified + offset)
    result = qms(runner, "audit", "verify")
    assert result.exit_code == 1 and result.stderr.startswith(f"BROKEN at {verified + offset}: edited (")


def test_a_resumed_check_checks_the_checkpoints_after_the_state(instance, verified):
    later = create_checkpoint(KEY, instance).seq
    db.session.commit()
    more_events(2)
    rewrite_tail(verified + 2)
    result = verify_installation(instance, resume=True)
    assert result.resumed_from == verified
    assert broken(result) == (verified + 2, "checkpoint") and f"signed event {later}" in result.detail


def test_the_state_moves_on_to_the_next_checkpoint_confirmed(instance, verified):
    later = create_checkpoint(KEY, instance)
    db.session.commit()
    more_events(1)
    result = verify_installation(instance, resume=True)
    assert result.ok and result.resumed_from == verified
    assert state(instance) == (later.seq, later.hash)
    assert verify_installation(instance, resume=True).resumed_from == later.seq


def test_a_resumed_check_with_nothing_new_keeps_the_state(instance, verified):
    before = state(instance)
    assert verify_installation(instance, resume=True).ok
    assert state(instance) == before


# --- when it cannot resume -------------------------------------------------------------------------


def test_a_rewrite_reaching_back_before_the_state_is_named_by_a_full_replay(instance, verified):
    rewrite_tail(verified - 3)
    result = verify_installation(instance, resume=True)
    assert result.resumed_from is None
    assert result.note == f"event {verified} no longer carries the hash it had when it was verified"
    assert broken(result) == (verified - 3, "checkpoint")  # the checkpoint's evidence names it
    assert not checkpoints.verified_state_path(instance).exists()


def test_the_state_alone_still_catches_a_rewrite(instance, verified):
    """Checkpoint rows and journal gone: the last verified state is one more signed witness."""
    rewrite_tail(verified - 3)
    drop_triggers("audit_checkpoints")
    raw_sql("DELETE FROM audit_checkpoints")
    checkpoints.journal_path(instance).unlink()
    result = verify_installation(instance, resume=True)
    assert broken(result) == (verified, "checkpoint")
    assert result.detail == f"event {verified} differs from the last verified state: the chain was rewritten"


def test_a_truncated_tail_is_caught_from_the_state(instance, verified):
    raw_sql(f"DELETE FROM audit_events WHERE seq > {verified - 2}")
    set_head(verified - 2, stored(verified - 2).hash)
    drop_triggers("audit_checkpoints")
    raw_sql("DELETE FROM audit_checkpoints")
    checkpoints.journal_path(instance).unlink()
    result = verify_installation(instance, resume=True)
    assert broken(result) == (verified - 1, "deleted")
    assert result.detail == f"the last verified state covers event {verified}, but the chain ends at {verified - 2}"


def signed_with_another_key(path):
    data = json.loads(path.read_text())
    record_verified_state(path.parent, OTHER_KEY, data["seq"], data["hash"])


def moved_back(path):
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "seq": data["seq"] - 5, "hash": stored(data["seq"] - 5).hash}))


@pytest.mark.parametrize(
    "spoil, why",
    [
        (signed_with_another_key, "audit-verified.json does not carry a valid signature"),
        (moved_back, "audit-verified.json does not carry a valid signature"),
        (lambda path: path.write_text("{not json"), "audit-verified.json cannot be read"),
    ],
)
def test_a_state_that_is_not_genuine_means_a_full_replay(runner, verified, spoil, why):
    path = checkpoints.verified_state_path(runner.app.instance_path)
    spoil(path)
    edit_quietly(verified - 4)  # before the state: only a full replay sees it
    result = verify_installation(runner.app.instance_path, resume=True)
    assert result.resumed_from is None and result.note == why
    assert broken(result) == (verified - 4, "edited")


def test_a_state_is_not_trusted_without_the_key(runner, verified):
    checkpoints.checkpoint_key_path(runner.app.instance_path).unlink()
    result = qms(runner, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout.splitlines()[1]
        == "Replayed every event: no checkpoint key is installed to check the last verified state."
    )


def test_full_replays_every_event(runner, verified):
    result = qms(runner, "audit", "verify", "--full")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1


def test_the_auditors_page_replays_every_event(app, make_user, verified):
    make_user("auditor", username="page_auditor")
    edit_quietly(verified - 4)
    page = signed_in_client(app, "page_auditor").get("/audit/verify").get_data(as_text=True)
    assert 'alert-danger" id="verify-result"' in page


def test_checkpoint_resumes_too(runner, verified):
    """`qms audit checkpoint` verifies first, resuming as the daily check does."""
    result = qms(runner, "audit", "checkpoint")
    assert result.exit_code == 0, result.stderr
    assert read_verified_state(runner.app.instance_path, KEY)[0].seq == verified  # confirmed by the next check


# --- restore ---------------------------------------------------------------------------------------


@pytest.fixture
def pg_tools(app):
    if db.engine.dialect.name == "postgresql" and not all(shutil.which(t) for t in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("pg_dump, pg_restore or psql is not installed: PostgreSQL backups need the client tools")


def test_a_restored_database_is_not_resumed_from_a_state_verified_before(runner, instance, chain, pg_tools, tmp_path):
    """Restoring replaces the database: the restore's full verification replaces the state (here the
    backup predates every checkpoint, so none is kept), and the daily check after it replays all."""
    assert qms(runner, "backup", tmp_path / "before.zip").exit_code == 0
    more_events(2)
    checkpoint = create_checkpoint(KEY, instance)
    db.session.commit()
    assert verify_installation(instance).ok and state(instance) == (checkpoint.seq, checkpoint.hash)
    restored = qms(runner, "restore", tmp_path / "before.zip", "--yes")
    assert restored.exit_code == 0, restored.stderr
    assert not checkpoints.verified_state_path(instance).exists()
    db.session.remove()
    daily = qms(runner, "audit", "verify")
    assert daily.exit_code == 0, daily.stderr
    assert len(daily.stdout.splitlines()) == 1  # replayed every event
