"""Settings: defaults, then instance/config.py, then QMS_* environment variables, then test overrides.

The instance folder (config.py, the SQLite file, stored files, keys) is found by one rule, whatever
way the package was installed:

1. QMS_INSTANCE_PATH when set (an installed package keeps its data elsewhere, e.g. /var/lib/qms;
   a second installation made from a copy of the folder names its own);
2. otherwise `instance/` in the project folder: the nearest folder above the qms package that holds
   the project's pyproject.toml. It is the same folder for an editable install (`pip install -e .`,
   what `make run` does: the package is <project>/qms) and for a regular install into the project's
   virtual environment (<project>/.venv/lib/python3.x/site-packages/qms);
3. a package installed outside any project folder has no such folder: it refuses to start and asks
   for QMS_INSTANCE_PATH, rather than guessing (Flask alone would pick <prefix>/var/qms-instance for
   a regular install and the source tree's instance/ for an editable one).

A copy of the project folder whose .venv was copied along still runs the original's code (the
virtual environment holds absolute paths), hence the original's instance/: the Makefile passes the
folder it runs in (QMS_INSTANCE_PATH ?= $(CURDIR)/instance), and every command that writes prints
the installation it acts on (qms.core.installation).
"""

import os
import secrets
import tomllib
from pathlib import Path

DEFAULTS = {
    "QMS_DATABASE_URL": None,  # None -> SQLite file under instance/
    "QMS_SECRET_KEY": None,
    "QMS_DEMO": False,
    "QMS_IDLE_TIMEOUT_MINUTES": 30,
    "QMS_SESSION_LIFETIME_HOURS": 12,  # a session ends this long after sign-in, active or not
    "QMS_JOBS_EVERY_MINUTES": 5,  # `qms serve` runs the jobs (effective dates, ...) this often
    "QMS_MAX_UPLOAD_MB": 20,
    "QMS_MAX_IMPORT_MB": 512,  # an import of a document system: its list and the .zip of its files
    "QMS_STORAGE_DIR": None,  # None -> instance/files
    "QMS_LOCKOUT_ATTEMPTS": 5,
    "QMS_LOCKOUT_MINUTES": 15,
    "QMS_PASSWORD_MIN_LENGTH": 10,
    # argon2id parameters (RFC 9106 "second recommended" profile by default)
    "QMS_ARGON2_TIME_COST": 3,
    "QMS_ARGON2_MEMORY_KIB": 65536,
    "QMS_ARGON2_PARALLELISM": 4,
    "QMS_AUDIT_PAGE_SIZE": 50,
    "QMS_DEFAULT_LOCALE": "vi",
    "QMS_TIMEZONE": "Asia/Ho_Chi_Minh",
    "QMS_PROXY_FIX": False,  # behind one reverse proxy: trust the X-Forwarded-* headers it adds
    # e-mail reminders (`qms nc remind`): nothing is sent without a host
    "QMS_SMTP_HOST": None,
    "QMS_SMTP_PORT": 587,  # 465: TLS from the start; otherwise STARTTLS unless QMS_SMTP_STARTTLS=0
    "QMS_SMTP_USER": None,
    "QMS_SMTP_PASSWORD": None,
    "QMS_SMTP_STARTTLS": True,
    "QMS_MAIL_FROM": None,  # the sender's address, e.g. qms@xa.gov.vn
    "QMS_FEEDBACK_PER_HOUR": 5,  # messages the public feedback page accepts from one address an hour
    "QMS_LOOKUP_FAILURES_PER_HOUR": 10,  # unsuccessful lookups of a dossier from one address an hour
    "QMS_PUBLIC_DOWNLOADS_PER_HOUR": 120,  # blank forms the public catalogue gives one address an hour
    # dossiers imported from the provincial one-stop system: a late result opens an NC only for a
    # dossier received within this many days (history must not flood the register)
    "QMS_IMPORT_NC_DAYS": 30,
    # the pages' long work (dossier imports, evidence packs) in a thread (tests: off, in the request)
    "QMS_IMPORT_IN_BACKGROUND": True,
}

_INT_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool)}
_BOOL_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, bool)}


class ConfigError(RuntimeError):
    """The installation is not configured well enough to start."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(key, value):
    """Settings from the environment arrive as text; check and convert them, with a message that
    names the setting."""
    if key in _BOOL_KEYS:
        if isinstance(value, str):
            if value.strip().lower() not in _TRUE | _FALSE:
                raise ConfigError(f"{key} must be 1 or 0 (true or false), got {value!r}")
            return value.strip().lower() in _TRUE
        return bool(value)
    if key in _INT_KEYS:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ConfigError(f"{key} must be a whole number, got {value!r}") from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{key} must be a whole number, got {value!r}")
        if value < 1:
            raise ConfigError(f"{key} must be at least 1, got {value}")
    return value


PACKAGE_DIR = Path(__file__).resolve().parent


def project_folder(package_dir=PACKAGE_DIR):
    """The folder of the qms project the package at package_dir belongs to: the nearest folder above
    it whose pyproject.toml names the project qms; None when there is none."""
    for folder in Path(package_dir).resolve().parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                name = tomllib.loads(candidate.read_text(encoding="utf-8")).get("project", {}).get("name")
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if name == "qms":
                return folder
    return None


def instance_folder(environ=None, package_dir=PACKAGE_DIR):
    """The instance folder by the rule of the module's docstring: QMS_INSTANCE_PATH, else instance/
    in the project folder. Raises ConfigError when neither names one."""
    environ = os.environ if environ is None else environ
    if environ.get("QMS_INSTANCE_PATH"):
        return Path(os.path.abspath(environ["QMS_INSTANCE_PATH"]))
    project = project_folder(package_dir)
    if project is None:
        raise ConfigError(
            f"qms is installed outside its project folder ({Path(package_dir).resolve()}): "
            "set QMS_INSTANCE_PATH to the folder that holds the installation's data (e.g. /var/lib/qms)."
        )
    return project / "instance"


def _use_instance_path(app, test_config):
    """Put the instance folder where the rule says (tests pass INSTANCE_PATH to create_app instead)."""
    given = (test_config or {}).get("INSTANCE_PATH")
    app.instance_path = os.path.abspath(given) if given else str(instance_folder())
    app.config.root_path = app.instance_path


def load_settings(app, test_config=None):
    """Fill app.config with the qms settings and the Flask/extension settings derived from them."""
    _use_instance_path(app, test_config)
    app.config.update(DEFAULTS)
    try:
        app.config.from_pyfile("config.py", silent=True)
    except Exception as exc:
        raise ConfigError(f"{Path(app.instance_path) / 'config.py'} cannot be read: {exc}") from exc
    for key in DEFAULTS:
        if key in os.environ:
            app.config[key] = os.environ[key]
    if test_config:
        app.config.update(test_config)
    for key in DEFAULTS:
        app.config[key] = _coerce(key, app.config[key])

    instance = Path(app.instance_path)
    keep_private(instance)
    url = app.config["QMS_DATABASE_URL"] or f"sqlite:///{instance / 'qms.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["QMS_DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = (
        {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    )
    app.config["QMS_STORAGE_DIR"] = str(app.config["QMS_STORAGE_DIR"] or instance / "files")
    app.config["SECRET_KEY"] = _secret_key(app, instance)
    app.config["MAX_CONTENT_LENGTH"] = (app.config["QMS_MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["QMS_DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["QMS_TIMEZONE"]
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "qms_session"
    app.config["REMEMBER_COOKIE_DURATION"] = 0
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the server-side session


def keep_private(folder: Path):
    """What qms writes (the SQLite database and its journal, stored files, keys, backups) is for the
    account that runs it only: files 0600 and folders 0700, whoever else logs in to the machine.
    The process's umask says so for everything it creates from now on; the instance folder itself
    (it may come with the code, readable by all) is closed too."""
    os.umask(0o077)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        folder.chmod(0o700)
    except OSError:  # a folder someone else owns (a mounted volume): its owner decides
        pass


def _secret_key(app, instance):
    key = app.config["QMS_SECRET_KEY"]
    if key:
        if len(key) < 16:
            raise ConfigError("QMS_SECRET_KEY is too short: use at least 16 random characters.")
        return key
    path = instance / "secret_key"
    if path.exists():
        # Generated for this installation (by demo mode); kept in the instance folder like config.py.
        return path.read_text().strip()
    if not app.config["QMS_DEMO"]:
        raise ConfigError(
            "No secret key is configured. Set QMS_SECRET_KEY in the environment or in "
            f"{instance / 'config.py'}, for example with the value printed by:\n"
            '    python -c "import secrets; print(secrets.token_hex(32))"\n'
            "(demo mode, QMS_DEMO=1, generates one by itself)."
        )
    path.write_text(secrets.token_hex(32))
    path.chmod(0o600)
    return path.read_text().strip()
