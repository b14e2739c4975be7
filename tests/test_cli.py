"""The `qms` console command: user administration, the demo, the audit trail; errors on stderr with
a non-zero exit. Error texts are translated (Vietnamese by default), so tests check exit codes,
the database and the CLI's own English prefixes, not the translated messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from qms.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from qms.auth.models import ApiToken, AuthSession, Commune, User
from qms.auth.passwords import check_password
from qms.auth.services import find_user, start_session
from qms.cli import main
from qms.db import db, drop_append_only_ddl
from tests.conftest import PASSWORD, cli_error, login

NEW_PASSWORD = "Quiver-Pebble-Orbit-58"
QMS = Path(sys.executable).with_name("qms")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def commune(make_commune, make_unit):
    commune = make_commune(code="XA-CLI", name="UBND xã Dòng Lệnh")
    make_unit(commune, code="TTHCC", name="Trung tâm Phục vụ hành chính công", is_one_stop=True)
    return commune


# --- qms user create --------------------------------------------------------------------------


def test_user_create_records_roles_units_and_an_audit_event(runner, commune):
    result = runner.invoke(
        main,
        args=[
            "user",
            "create",
            "lan",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "staff",
            "--role",
            "auditor",
            "--unit",
            "TTHCC",
            "--password",
            NEW_PASSWORD,
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "Created user lan" in result.stdout
    user = find_user("lan")
    assert user.commune_id == commune.id
    assert user.role_codes == {"staff", "auditor"}
    assert [u.code for u in user.units] == ["TTHCC"]
    assert check_password(user.password_hash, NEW_PASSWORD)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.entity_id == str(user.id) and event.actor_id is None
    assert event.ip == "cli" and event.request_id.startswith("cli-")


def test_user_create_reads_the_password_from_standard_input(runner, commune):
    result = runner.invoke(
        main, args=["user", "create", "minh", "--name", "Trần Minh", "--role", "leader"], input=NEW_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.stderr
    assert NEW_PASSWORD not in result.output
    assert check_password(find_user("minh").password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(
    "extra, password",
    [
        ([], "short-1"),  # shorter than 10 characters
        ([], "password1234"),  # one of the most common passwords
        (["--role", "mayor"], NEW_PASSWORD),  # unknown role
        (["--unit", "NOPE"], NEW_PASSWORD),  # unknown unit
        (["--commune", "XA-NOPE"], NEW_PASSWORD),  # unknown commune
    ],
)
def test_user_create_refusals_go_to_stderr_and_create_nothing(runner, commune, extra, password):
    before = count(User), count(AuditEvent)
    result = runner.invoke(main, args=["user", "create", "hoa", "--name", "Lê Hoa", "--password", password, *extra])
    assert result.exit_code == 1
    assert cli_error(result).startswith("Error: ")
    assert result.stdout == ""
    assert find_user("hoa") is None
    assert (count(User), count(AuditEvent)) == before


def test_user_create_refuses_a_duplicate_user_name(runner, commune, make_user):
    make_user("staff", commune=commune, username="binh")
    result = runner.invoke(main, args=["user", "create", "BINH", "--name", "Another Bình", "--password", NEW_PASSWORD])
    assert result.exit_code == 1
    assert cli_error(result).startswith("Error: ")
    assert db.session.scalar(select(func.count()).where(func.lower(User.username) == "binh")) == 1


def test_user_create_needs_a_commune_when_there_are_several_or_none(app, runner, make_commune):
    result = runner.invoke(main, args=["user", "create", "an", "--name", "An", "--password", NEW_PASSWORD])
    assert result.exit_code == 1 and "--commune" in result.stderr
    make_commune(code="XA-1")
    make_commune(code="XA-2")
    result = runner.invoke(main, args=["user", "create", "an", "--name", "An", "--password", NEW_PASSWORD])
    assert result.exit_code == 1 and "--commune" in result.stderr
    assert find_user("an") is None
    result = runner.invoke(
        main, args=["user", "create", "an", "--name", "An", "--commune", "XA-2", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.stderr
    assert find_user("an").commune.code == "XA-2"


# --- qms user disable / reset-password / token -----------------------------------------------


@pytest.mark.parametrize("command", [["disable"], ["reset-password", "--password", NEW_PASSWORD], ["token"]])
def test_user_commands_refuse_an_unknown_user(runner, commune, command):
    result = runner.invoke(main, args=["user", command[0], "nobody", *command[1:]])
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.stderr
    assert result.stdout == ""


def test_user_disable_ends_sessions_and_refuses_twice(runner, commune, make_user):
    user = make_user("staff", commune=commune, username="cuong")
    start_session(user)
    db.session.commit()
    result = runner.invoke(main, args=["user", "disable", "cuong", "--reason", "left the commune"])
    assert result.exit_code == 0, result.stderr
    db.session.expire_all()
    assert find_user("cuong").is_active_account is False
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuthSession)
            .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
        )
        == 0
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.disabled"))
    assert event.reason == "left the commune"

    again = runner.invoke(main, args=["user", "disable", "cuong"])
    assert again.exit_code == 1 and cli_error(again).startswith("Error: ")
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.disabled")) == 1


def test_user_reset_password_sets_a_new_password(app, runner, commune, make_user):
    make_user("staff", commune=commune, username="dung")
    result = runner.invoke(main, args=["user", "reset-password", "dung"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    db.session.expire_all()
    user = find_user("dung")
    assert check_password(user.password_hash, NEW_PASSWORD)
    assert not check_password(user.password_hash, PASSWORD)
    assert login(app.test_client(), "dung", NEW_PASSWORD).status_code == 302


def test_user_reset_password_refuses_a_weak_password(runner, commune, make_user):
    make_user("staff", commune=commune, username="giang")
    result = runner.invoke(main, args=["user", "reset-password", "giang", "--password", "giang2024giang"])
    assert result.exit_code == 1 and cli_error(result).startswith("Error: ")
    db.session.expire_all()
    assert check_password(find_user("giang").password_hash, PASSWORD)


def test_user_token_prints_a_working_api_token(app, runner, commune, make_user):
    make_user("staff", commune=commune, username="hai")
    result = runner.invoke(main, args=["user", "token", "hai", "--name", "scanner"])
    assert result.exit_code == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("qms_")
    stored = db.session.scalar(select(ApiToken))
    assert stored.name == "scanner" and token not in stored.token_hash
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["username"] == "hai"


def test_user_token_is_refused_for_a_disabled_user(runner, commune, make_user):
    make_user("staff", commune=commune, username="khanh")
    assert runner.invoke(main, args=["user", "disable", "khanh"]).exit_code == 0
    result = runner.invoke(main, args=["user", "token", "khanh"])
    assert result.exit_code == 1 and "disabled" in result.stderr
    assert count(ApiToken) == 0


# --- qms demo load --------------------------------------------------------------------------


@pytest.fixture
def demo_runner(make_app, monkeypatch):
    monkeypatch.setenv("QMS_DEMO_PASSWORD", NEW_PASSWORD)
    demo_app = make_app(QMS_DEMO=True)
    with demo_app.app_context():
        yield demo_app, demo_app.test_cli_runner()
        db.session.remove()


def test_demo_load_is_refused_outside_demo_mode(runner):
    result = runner.invoke(main, args=["demo", "load"])
    assert result.exit_code == 1
    assert "QMS_DEMO=1" in result.stderr
    assert count(Commune) == 0 and count(User) == 0


def test_demo_load_creates_one_account_per_role_that_can_sign_in(demo_runner):
    demo_app, demo = demo_runner
    result = demo.invoke(main, args=["demo", "load"])
    assert result.exit_code == 0, result.stderr
    for username in ("admin", "qo", "qo2", "leader", "staff", "social", "auditor", "sysadmin"):
        assert username in result.stdout
    assert NEW_PASSWORD in result.stdout
    users = {u.username: u.role_codes for u in db.session.scalars(select(User))}
    # Two quality officers: one drafts the demo documents, the other approves them; two staff: the
    # one-stop officer and the culture-social officer the social allowance's process names.
    assert users == {
        "admin": {"administrator"},
        "qo": {"quality_officer"},
        "qo2": {"quality_officer"},
        "leader": {"leader"},
        "staff": {"staff"},
        "social": {"staff"},
        "auditor": {"auditor"},
        "sysadmin": {"installation_admin"},
    }
    assert login(demo_app.test_client(), "qo", NEW_PASSWORD).status_code == 302


def test_demo_load_if_empty_keeps_existing_data(demo_runner):
    _demo_app, demo = demo_runner
    assert demo.invoke(main, args=["demo", "load"]).exit_code == 0
    assert (
        demo.invoke(
            main,
            args=["user", "create", "extra", "--name", "Người Thêm", "--role", "staff", "--password", NEW_PASSWORD],
        ).exit_code
        == 0
    )
    before = count(User), count(Commune), db.session.get(AuditChainHead, 1).seq

    kept = demo.invoke(main, args=["demo", "load", "--if-empty"])
    assert kept.exit_code == 0, kept.stderr
    assert "admin" in kept.stdout  # the accounts are printed again
    refused = demo.invoke(main, args=["demo", "load"])
    assert refused.exit_code == 1 and cli_error(refused).startswith("Error: ")

    db.session.expire_all()
    assert (count(User), count(Commune), db.session.get(AuditChainHead, 1).seq) == before
    assert find_user("extra") is not None


# --- qms audit verify / checkpoint ----------------------------------------------------------


def _tamper_first_event():
    """Edit event 1 behind the application's back (the trigger is dropped first, as an attacker
    with database access could)."""
    dialect = db.engine.dialect.name
    for statement in drop_append_only_ddl(dialect, "audit_events"):
        db.session.execute(text(statement))
    db.session.execute(text("UPDATE audit_events SET reason = 'rewritten' WHERE seq = 1"))
    db.session.commit()


def test_audit_verify_exit_codes(runner, commune, make_user):
    make_user("staff", commune=commune)
    head = db.session.get(AuditChainHead, 1)
    result = runner.invoke(main, args=["audit", "verify"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"OK {head.seq} events, head {head.hash}"

    _tamper_first_event()
    broken = runner.invoke(main, args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "BROKEN at 1: edited" in broken.stderr
    assert broken.stdout == ""


def test_audit_checkpoint_signs_the_head_with_a_key_outside_the_database(app, runner, commune, make_user):
    make_user("staff", commune=commune)
    key_file = Path(app.instance_path) / "audit-checkpoint.key"
    assert not key_file.exists()
    result = runner.invoke(main, args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.stderr
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    head = db.session.get(AuditChainHead, 1)
    checkpoint = db.session.scalar(select(AuditCheckpoint))
    assert (checkpoint.seq, checkpoint.hash) == (head.seq, head.hash)
    assert key_file.read_text().strip() not in result.stdout
    journal = json.loads((Path(app.instance_path) / "audit-checkpoints.jsonl").read_text())
    assert (journal["seq"], journal["hash"], journal["signature"]) == (head.seq, head.hash, checkpoint.signature)

    _tamper_first_event()
    refused = runner.invoke(main, args=["audit", "checkpoint"])
    assert refused.exit_code == 1
    assert "sự kiện 1" in refused.stderr  # "the chain is broken at event 1", in Vietnamese
    assert count(AuditCheckpoint) == 1


# --- the console script ---------------------------------------------------------------------


def _clean_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QMS_", "FLASK_"))}
    return {**env, "QMS_INSTANCE_PATH": str(tmp_path / "instance"), **extra}


def test_console_script_lists_every_command(tmp_path):
    result = subprocess.run(
        [QMS, "--help"], capture_output=True, text=True, timeout=60, env=_clean_env(tmp_path, QMS_DEMO="1")
    )
    assert result.returncode == 0, result.stderr
    for command in ("db", "demo", "user", "audit", "backup", "restore", "serve"):
        assert f"\n  {command} " in result.stdout


def test_console_script_runs_a_command_against_its_instance(tmp_path):
    env = _clean_env(tmp_path, QMS_DEMO="1")
    upgrade = subprocess.run([QMS, "db", "upgrade"], capture_output=True, text=True, timeout=120, env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    verify = subprocess.run([QMS, "audit", "verify"], capture_output=True, text=True, timeout=60, env=env)
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK 0 events")
    assert (tmp_path / "instance" / "qms.sqlite3").exists()
