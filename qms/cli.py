"""The `qms` console command: `qms db upgrade`, `qms demo load`, `qms user ...`, `qms audit ...`,
`qms backup`, `qms restore`, `qms serve`. Errors go to stderr with a non-zero exit (2 when the
settings keep the app from starting)."""
import sys
import uuid

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from qms.db import DomainError, db


def _create_app():
    from qms import create_app
    return create_app()


def fail(message, code=1):
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class QmsGroup(FlaskGroup):
    """Flask's command group, always on qms's own app. Flask's --app, --env-file and --debug options
    are dropped: `qms` serves one application and takes its settings from instance/config.py and
    QMS_* variables only."""

    def __init__(self, **kwargs):
        super().__init__(create_app=_create_app, add_default_commands=True, add_version_option=False,
                         load_dotenv=False, set_debug_flag=False, **kwargs)
        self.params = [p for p in self.params if p.name not in {"app", "env_file", "debug"}]

    def list_commands(self, ctx):
        """List the commands; when the settings keep the app from starting, say so in one message
        (instead of Flask's traceback) and list the commands that do not need the app."""
        from flask.cli import ScriptInfo
        from qms.config import ConfigError
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as exc:
            click.echo(f"Error: {exc}\n", err=True)
            self._load_plugin_commands()
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)

    def main(self, *args, **kwargs):
        from qms.config import ConfigError
        try:
            return super().main(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc), 2)


@click.group(cls=QmsGroup)
def main():
    """qms: quality-management system of a commune one-stop shop."""


def run_service(fn, *args, **kwargs):
    """Run a service in a CLI audit context and commit once; DomainError -> stderr, exit 1."""
    from qms.audit.services import audit_context
    with audit_context(ip="cli", request_id=f"cli-{uuid.uuid4().hex[:12]}"):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except DomainError as exc:
            db.session.rollback()
            fail(str(exc.message))


def _user(username):
    from qms.auth.services import find_user
    user = find_user(username)
    if user is None:
        fail(f"no user named {username!r}")
    return user


def _commune(code):
    from qms.auth.models import Commune
    if code:
        commune = db.session.scalar(select(Commune).where(Commune.code == code))
        if commune is None:
            fail(f"no commune with code {code!r}")
        return commune
    communes = list(db.session.scalars(select(Commune)))
    if len(communes) != 1:
        fail("there are several communes (or none): name one with --commune CODE")
    return communes[0]


def _read_password(password):
    if password:
        return password
    if not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            fail("no password given (use --password or type it on standard input)")
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


# --- users ------------------------------------------------------------------------------------

@main.group("user")
def user_group():
    """Create, disable and reset accounts; print API tokens."""


@user_group.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name")
@click.option("--role", "roles", multiple=True, help="Role code (repeatable): administrator, quality_officer, "
              "leader, staff, auditor")
@click.option("--unit", "units", multiple=True, help="Unit code (repeatable)")
@click.option("--commune", "commune_code", default=None, help="Commune code (needed when there are several)")
@click.option("--email", default=None)
@click.option("--password", default=None, help="Read from standard input when omitted")
@with_appcontext
def user_create(username, full_name, roles, units, commune_code, email, password):
    """Create a user account."""
    from qms.auth.models import Unit
    from qms.auth.services import create_user
    commune = _commune(commune_code)
    unit_ids = []
    for code in units:
        unit = db.session.scalar(select(Unit).where(Unit.commune_id == commune.id, Unit.code == code))
        if unit is None:
            fail(f"no unit with code {code!r} in commune {commune.code}")
        unit_ids.append(unit.id)
    user = run_service(create_user, None, commune, username=username, full_name=full_name,
                       password=_read_password(password), roles=roles, unit_ids=unit_ids, email=email)
    click.echo(f"Created user {user.username} ({', '.join(sorted(user.role_codes)) or 'no role'})")


@user_group.command("disable")
@click.argument("username")
@click.option("--reason", default="", help="Why the account is disabled")
@with_appcontext
def user_disable(username, reason):
    """Disable an account; its sessions and tokens stop working."""
    from qms.auth.services import disable_user
    user = _user(username)
    run_service(disable_user, None, user, reason=reason)
    click.echo(f"Disabled {user.username}")


@user_group.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Read from standard input when omitted")
@click.option("--reason", default="")
@with_appcontext
def user_reset_password(username, password, reason):
    """Set a new password; the user's sessions end."""
    from qms.auth.services import reset_password
    user = _user(username)
    run_service(reset_password, None, user, _read_password(password), reason=reason)
    click.echo(f"Password of {user.username} reset")


@user_group.command("token")
@click.argument("username")
@click.option("--name", default="CLI", help="A name to recognise the token by")
@with_appcontext
def user_token(username, name):
    """Print a new API token for the user (shown once)."""
    from qms.auth.services import create_api_token
    user = _user(username)
    if not user.is_active_account:
        fail(f"{username} is disabled")
    _token, plain = run_service(create_api_token, None, user, name)
    click.echo(plain)


# --- audit ------------------------------------------------------------------------------------

@main.group("audit")
def audit_group():
    """Verify and checkpoint the audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Replay the hash chain: prints OK, the count and the head hash, or where it breaks (exit 1)."""
    from qms.audit.services import verify_installation
    result = verify_installation(current_app.instance_path)
    if result.ok:
        click.echo(f"OK {result.count} events, head {result.head_hash}")
        return
    click.echo(f"BROKEN at {result.broken_seq}: {result.kind} ({result.detail})", err=True)
    sys.exit(1)


@audit_group.command("checkpoint")
@with_appcontext
def audit_checkpoint():
    """Sign the current head with the key in instance/audit-checkpoint.key (created if missing) and
    keep it in the database and in instance/audit-checkpoints.jsonl."""
    from qms.audit.services import create_checkpoint, load_checkpoint_key, verify_installation
    instance = current_app.instance_path
    key = load_checkpoint_key(instance, create=True)
    result = verify_installation(instance)
    if not result.ok:
        fail(f"the chain is broken at {result.broken_seq} ({result.kind}); no checkpoint made")
    cp = run_service(create_checkpoint, key, instance)
    click.echo(f"Checkpoint {cp.id}: event {cp.seq}, head {cp.hash}, signature {cp.signature}")


# --- demo -------------------------------------------------------------------------------------

@main.group("demo")
def demo_group():
    """The demo commune."""


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has a commune")
@with_appcontext
def demo_load(if_empty):
    """Load the demo commune, its units, one account per role and its documents (demo mode only)."""
    from qms.demo import DEMO_USERS, demo_password, load_demo, has_data
    if not current_app.config["QMS_DEMO"]:
        fail("demo data is loaded in demo mode only (QMS_DEMO=1)")
    if has_data():
        if if_empty:
            click.echo("Existing data kept; the demo was loaded before.")
            _print_accounts(DEMO_USERS, demo_password(current_app))
            return
        fail("the database already holds data; the demo is loaded into an empty database only")
    password = demo_password(current_app)
    run_service(load_demo, password)
    click.echo("Demo commune loaded.")
    _print_accounts(DEMO_USERS, password)


def _print_accounts(users, password):
    click.echo("Demo accounts (user name / role), all with the password: " + password)
    for username, _name, role, _units in users:
        click.echo(f"  {username:8} {role}")


# --- serving ----------------------------------------------------------------------------------

@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--threads", default=8, type=int)
@with_appcontext
def serve(host, port, threads):
    """Serve with waitress (any OS); for Linux production see gunicorn in the README."""
    from waitress import serve as waitress_serve
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C stops)")
    waitress_serve(current_app._get_current_object(), host=host, port=port, threads=threads, ident="qms")


# --- backup and restore (qms/backup.py) ---------------------------------------------------------

from qms.backup import backup_command, restore_command  # noqa: E402  (commands attach to `main`)

main.add_command(backup_command)
main.add_command(restore_command)
