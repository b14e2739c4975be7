"""Settings: instance/config.py, QMS_* variables over it, the secret key rule, clear errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qms import create_app
from qms.config import DEFAULTS, ConfigError

QMS = Path(sys.executable).with_name("qms")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No QMS_* variable from the developer's shell may leak into these tests."""
    for key in list(os.environ):
        if key.startswith("QMS_"):
            monkeypatch.delenv(key)


@pytest.fixture
def instance(tmp_path):
    path = tmp_path / "instance"
    path.mkdir()
    return path


def build(instance, **config):
    return create_app({"INSTANCE_PATH": str(instance), **config})


def test_without_a_secret_key_outside_demo_mode_the_app_refuses_to_start(instance):
    with pytest.raises(ConfigError) as refused:
        build(instance)
    message = str(refused.value)
    assert "QMS_SECRET_KEY" in message
    assert str(instance / "config.py") in message
    assert "secrets.token_hex(32)" in message
    assert not (instance / "secret_key").exists()


def test_a_short_secret_key_is_refused(instance):
    with pytest.raises(ConfigError, match="too short"):
        build(instance, QMS_SECRET_KEY="short")


def test_the_qms_command_prints_how_to_set_the_secret_key_and_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env["QMS_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run([QMS, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: No secret key is configured.")
    assert "QMS_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "instance" / "qms.sqlite3").exists()


def test_demo_mode_generates_a_secret_key_once_and_reuses_it(instance):
    first = build(instance, QMS_DEMO=True)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert len(first.config["SECRET_KEY"]) >= 32
    second = build(instance, QMS_DEMO=True)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"] == key_file.read_text().strip()


def test_instance_config_is_read_and_the_environment_wins(instance, monkeypatch):
    (instance / "config.py").write_text(
        'QMS_SECRET_KEY = "from-the-config-file-0123456789"\n'
        "QMS_IDLE_TIMEOUT_MINUTES = 45\n"
        "QMS_AUDIT_PAGE_SIZE = 20\n"
        'QMS_STORAGE_DIR = "/srv/qms/files"\n'
    )
    monkeypatch.setenv("QMS_IDLE_TIMEOUT_MINUTES", "12")
    monkeypatch.setenv("QMS_STORAGE_DIR", "/data/qms-files")
    monkeypatch.setenv("QMS_DEMO", "no")
    app = build(instance)
    assert app.config["SECRET_KEY"] == "from-the-config-file-0123456789"
    assert app.config["QMS_IDLE_TIMEOUT_MINUTES"] == 12  # environment over config.py
    assert app.config["QMS_AUDIT_PAGE_SIZE"] == 20  # config.py over the default
    assert app.config["QMS_STORAGE_DIR"] == "/data/qms-files"
    assert app.config["QMS_DEMO"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'qms.sqlite3'}"


def test_the_environment_sets_database_and_secret_key(instance, monkeypatch):
    monkeypatch.setenv("QMS_SECRET_KEY", "from-the-environment-0123456789")
    monkeypatch.setenv("QMS_DATABASE_URL", "postgresql://qms:pw@db.example:5432/qms")
    app = build(instance)
    assert app.config["SECRET_KEY"] == "from-the-environment-0123456789"
    # plain postgresql:// URLs are given the psycopg 3 driver
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://qms:pw@db.example:5432/qms"


def test_qms_instance_path_moves_the_instance_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "var-lib-qms"
    elsewhere.mkdir()
    (elsewhere / "config.py").write_text('QMS_SECRET_KEY = "kept-with-the-instance-0123456789"\n')
    monkeypatch.setenv("QMS_INSTANCE_PATH", str(elsewhere))
    app = create_app()
    assert app.instance_path == str(elsewhere)
    assert app.config["SECRET_KEY"] == "kept-with-the-instance-0123456789"
    assert app.config["QMS_STORAGE_DIR"] == str(elsewhere / "files")


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("QMS_IDLE_TIMEOUT_MINUTES", "thirty", "QMS_IDLE_TIMEOUT_MINUTES must be a whole number, got 'thirty'"),
        ("QMS_MAX_UPLOAD_MB", "2.5", "QMS_MAX_UPLOAD_MB must be a whole number, got '2.5'"),
        ("QMS_LOCKOUT_ATTEMPTS", "0", "QMS_LOCKOUT_ATTEMPTS must be at least 1, got 0"),
        ("QMS_DEMO", "maybe", "QMS_DEMO must be 1 or 0"),
    ],
)
def test_a_bad_setting_in_the_environment_is_named_in_the_error(instance, monkeypatch, key, value, message):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as refused:
        build(instance, QMS_SECRET_KEY="a-long-enough-secret-key-0123")
    assert message in str(refused.value)


def test_a_bad_setting_in_config_py_is_named_in_the_error(instance):
    (instance / "config.py").write_text("QMS_AUDIT_PAGE_SIZE = 12.5\n")
    with pytest.raises(ConfigError, match="QMS_AUDIT_PAGE_SIZE must be a whole number"):
        build(instance, QMS_SECRET_KEY="a-long-enough-secret-key-0123")


def test_a_broken_config_py_is_reported_with_its_path(instance):
    (instance / "config.py").write_text("QMS_SECRET_KEY = 'unterminated\n")
    with pytest.raises(ConfigError) as refused:
        build(instance)
    assert str(instance / "config.py") in str(refused.value)


def test_the_qms_command_reports_a_bad_integer_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env.update(QMS_INSTANCE_PATH=str(tmp_path / "instance"), QMS_DEMO="1", QMS_LOCKOUT_MINUTES="a quarter hour")
    result = subprocess.run([QMS, "audit", "verify"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "QMS_LOCKOUT_MINUTES must be a whole number" in result.stderr


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [key for key in [*DEFAULTS, "QMS_DEMO_PASSWORD", "QMS_INSTANCE_PATH"] if f"`{key}`" not in readme]
    assert missing == []


def test_after_the_demo_every_command_runs_without_demo_mode(tmp_path):
    """`make run` starts the demo with QMS_DEMO=1, which generates the secret key into the instance
    folder; the commands the README shows then run as printed, without QMS_DEMO."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env["QMS_INSTANCE_PATH"] = str(tmp_path / "instance")
    demo = subprocess.run(
        [QMS, "db", "upgrade"], capture_output=True, text=True, env={**env, "QMS_DEMO": "1"}, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    for command in (["audit", "verify"], ["jobs", "run"], ["jobs", "list"]):
        result = subprocess.run([QMS, *command], capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        assert "secret key" not in result.stderr
