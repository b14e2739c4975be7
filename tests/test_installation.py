"""Commands say where they act: one rule finds the instance folder however qms is installed, every
command is declared writing or read-only, writing ones name the installation on stderr before they
act, `qms info` names it on stdout, `qms restore` names it in its question, and a copy of an
installation acts on its own folder only."""

import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from qms import create_app
from qms.auth.models import Commune
from qms.cli import READ_ONLY_COMMANDS, WRITING_COMMANDS, iter_commands, main
from qms.config import ConfigError, instance_folder
from qms.core.installation import NOT_SET_UP, describe_installation
from qms.db import db
from tests.conftest import BASE_CONFIG, PASSWORD

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = '[project]\nname = "qms"\nversion = "0.1.0"\n'


# --- the rule that finds the instance folder ------------------------------------------------------


def _project(tmp_path):
    project = tmp_path / "project"
    (project / "qms").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT)
    installed = project / ".venv" / "lib" / "python3.11" / "site-packages" / "qms"
    installed.mkdir(parents=True)
    return project, project / "qms", installed


def test_the_instance_folder_is_the_same_for_an_editable_and_a_regular_install(tmp_path):
    project, editable, regular = _project(tmp_path)
    assert instance_folder({}, editable) == project / "instance"
    assert instance_folder({}, regular) == project / "instance"
    # this very checkout (an editable install)
    assert instance_folder({}) == ROOT / "instance"


def test_qms_instance_path_wins_whatever_the_install(tmp_path):
    _project_dir, editable, regular = _project(tmp_path)
    elsewhere = tmp_path / "var-lib-qms"
    for package in (editable, regular):
        assert instance_folder({"QMS_INSTANCE_PATH": str(elsewhere)}, package) == elsewhere


def test_a_package_outside_a_qms_project_asks_for_qms_instance_path(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "another"\n')  # not qms's: not taken
    package = tmp_path / "usr" / "lib" / "python3" / "site-packages" / "qms"
    package.mkdir(parents=True)
    with pytest.raises(ConfigError, match="set QMS_INSTANCE_PATH"):
        instance_folder({}, package)


# --- the description --------------------------------------------------------------------------


def test_the_description_hides_the_password_and_never_fails(tmp_path):
    app = SimpleNamespace(
        instance_path=str(tmp_path / "instance"),
        config={
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://qms:S3cret-Pw@127.0.0.1:1/qms?connect_timeout=2",
            "QMS_STORAGE_DIR": str(tmp_path / "instance" / "files"),
        },
    )
    found = describe_installation(app)
    summary = found.summary()
    assert "S3cret-Pw" not in summary and "qms:***@127.0.0.1:1/qms" in summary
    assert found.problem.startswith("database cannot be read")
    assert summary.startswith(f"{tmp_path / 'instance'} · database ")


def test_a_database_not_set_up_is_said_so_and_not_created(tmp_path):
    target = tmp_path / "none.sqlite3"
    app = create_app(
        {**BASE_CONFIG, "INSTANCE_PATH": str(tmp_path / "instance"), "QMS_DATABASE_URL": f"sqlite:///{target}"}
    )
    found = describe_installation(app)
    assert found.problem == NOT_SET_UP and found.communes == () and found.revision is None
    assert not target.exists()


def test_the_description_names_the_communes(app, make_commune):
    make_commune(code="XA-MOT", name="UBND xã Một")
    make_commune(code="XA-HAI", name="UBND xã Hai")
    found = describe_installation(app)
    assert found.communes == (("XA-HAI", "UBND xã Hai"), ("XA-MOT", "UBND xã Một"))
    assert found.summary().endswith("· communes XA-HAI UBND xã Hai, XA-MOT UBND xã Một")
    assert found.instance_path == app.instance_path and found.revision


# --- every command is declared, writing ones announce -----------------------------------------


def test_every_command_is_declared_writing_or_read_only(app):
    assert not WRITING_COMMANDS & READ_ONLY_COMMANDS
    ctx = main.make_context("qms", [], obj=ScriptInfo(create_app=lambda: app), resilient_parsing=True)
    paths = [path for path, _command in iter_commands(main, ctx)]
    assert {"restore", "backup", "db upgrade", "user create", "info"} <= set(paths)
    undeclared = [p for p in paths if p not in WRITING_COMMANDS | READ_ONLY_COMMANDS]
    assert undeclared == [], "declare each in qms/cli.py WRITING_COMMANDS or READ_ONLY_COMMANDS"


def test_a_writing_command_names_its_installation_on_stderr_before_it_acts(app, runner, make_commune):
    make_commune(code="XA-CU", name="UBND xã Cũ")
    result = runner.invoke(main, args=["commune", "create", "XA-MOI", "UBND xã Mới", "--password", PASSWORD])
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Installation: {app.instance_path} · database ")
    assert "XA-CU UBND xã Cũ" in first and "XA-MOI" not in first  # said before the commune was created
    assert "Installation" not in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 2


@pytest.mark.parametrize("args", [["commune", "list"], ["audit", "verify"], ["jobs", "list"]])
def test_a_read_only_command_prints_no_installation(app, runner, make_commune, args):
    make_commune()
    result = runner.invoke(main, args=args)
    assert result.exit_code == 0, result.stderr
    assert "Installation:" not in result.output


def test_help_and_usage_errors_of_a_writing_command_print_no_installation(app, runner):
    assert "Installation:" not in runner.invoke(main, args=["user", "create", "--help"]).output
    refused = runner.invoke(main, args=["user", "create"])
    assert refused.exit_code == 2 and "Installation:" not in refused.output


# --- qms info ---------------------------------------------------------------------------------


def test_qms_info_prints_the_installation_version_and_migration(app, runner, make_commune):
    make_commune(code="XA-INFO", name="UBND xã Thông Tin")
    result = runner.invoke(main, args=["info"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Instance folder: {app.instance_path}"
    assert lines[2] == f"Stored files:    {app.config['QMS_STORAGE_DIR']}"
    assert "Commune:         XA-INFO UBND xã Thông Tin" in lines
    assert any(line.startswith("qms version:     0.") for line in lines)
    assert lines[-1].startswith("Migration:") and lines[-1].endswith("(the newest)")
    assert result.stderr == ""


# --- restore asks, naming the installation ----------------------------------------------------


def test_restore_names_the_installation_it_replaces_and_a_no_changes_nothing(app, runner, make_commune, tmp_path):
    make_commune(code="XA-TRUOC", name="UBND xã Trước")
    archive = tmp_path / "b.zip"
    assert runner.invoke(main, args=["backup", str(archive)]).exit_code == 0
    make_commune(code="XA-SAU", name="UBND xã Sau")
    result = runner.invoke(main, args=["restore", str(archive)], input="n\n")
    assert result.exit_code == 1
    question = result.stderr[result.stderr.index("This replaces") :]
    assert f"of the installation {app.instance_path} · database " in question
    assert "XA-SAU UBND xã Sau" in question and "Continue?" in question
    assert "Restored" not in result.stdout
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Commune.code))) == ["XA-SAU", "XA-TRUOC"]


# --- a copy acts on its own folder ------------------------------------------------------------


def _communes(instance):
    with sqlite3.connect(instance / "qms.sqlite3") as conn:
        return sorted(code for (code,) in conn.execute("SELECT code FROM communes"))


def test_a_copied_installation_acts_on_its_own_instance_folder_only(tmp_path):
    original, copy = tmp_path / "original", tmp_path / "copy"
    settings = {
        "QMS_DATABASE_URL": None,
        "QMS_STORAGE_DIR": None,
        "QMS_SECRET_KEY": "copied-installation-secret-0123",
        **{key: str(value) for key, value in BASE_CONFIG.items() if key.startswith("QMS_ARGON2")},
    }

    def qms(instance, *args):
        env = {**settings, "QMS_INSTANCE_PATH": str(instance)}
        result = CliRunner(env=env).invoke(main, args=list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result

    qms(original / "instance", "db", "upgrade")
    qms(original / "instance", "commune", "create", "XA-GOC", "UBND xã Gốc", "--password", PASSWORD)
    shutil.copytree(original, copy)  # the installation folder copied, data and all

    made = qms(copy / "instance", "commune", "create", "XA-BANSAO", "UBND xã Bản Sao", "--password", PASSWORD)
    assert made.stderr.splitlines()[0].startswith(f"Installation: {copy / 'instance'} · ")
    signed = qms(copy / "instance", "audit", "checkpoint")
    assert f"Installation: {copy / 'instance'} · " in signed.stderr

    assert _communes(copy / "instance") == ["XA-BANSAO", "XA-GOC"]
    assert _communes(original / "instance") == ["XA-GOC"]
    assert (copy / "instance" / "audit-checkpoint.key").exists()
    assert not (original / "instance" / "audit-checkpoint.key").exists()
