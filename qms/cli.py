"""The `qms` console command: `qms db upgrade`, `qms demo load`, `qms audit ...`, `qms jobs ...`,
`qms backup`, `qms restore`, `qms serve`, `qms info`, and the commands the areas add (`qms user ...`,
`qms commune ...`). Errors go to stderr with a non-zero exit (2 when the settings keep the app from
starting).

Every command is declared either writing (WRITING_COMMANDS) or read-only (READ_ONLY_COMMANDS), and a
test fails for one that is neither. A writing command prints the installation it acts on (instance
folder, database, files, commune) on stderr before it acts: stdout stays what scripts read."""

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from qms.core.commands import fail, run_service


def _create_app():
    from qms import create_app

    return create_app()


# Commands that change the installation (its database, files or keys), by their path under `qms`.
WRITING_COMMANDS = frozenset(
    {
        "audit checkpoint",
        "backup",  # writes an archive of the installation (and reads all of it): say which
        "calendar add",
        "calendar remove",
        "commune create",
        "db downgrade",
        "db stamp",
        "db upgrade",
        "demo load",
        "documents import",
        "dossier import",
        "evidence pack",  # records who exported which pack (evidence_pack.created)
        "files check",  # records the damage it finds (file.damaged) and keeps its counts
        "files gc",
        "jobs run",
        "nc remind",
        "process import",
        "restore",
        "run",  # Flask's development server: its requests write
        "serve",  # runs the jobs and serves requests that write
        "shell",  # a Python shell on the installation can change anything
        "user create",
        "user disable",
        "user reset-password",
        "user token",
    }
)
# Commands that change nothing of the installation. `db init/edit/merge/migrate/revision` write
# migration scripts into the code, not into an installation.
READ_ONLY_COMMANDS = frozenset(
    {
        "audit verify",
        "calendar list",
        "commune list",
        "db branches",
        "db check",
        "db current",
        "db edit",
        "db heads",
        "db history",
        "db init",
        "db list-templates",
        "db merge",
        "db migrate",
        "db revision",
        "db show",
        "evidence verify",
        "info",
        "jobs list",
        "routes",
    }
)


def command_path(ctx):
    """A command's path under the root group: "user create" for `qms user create`."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def iter_commands(group, ctx, prefix=()):
    """Every command under group, as (path, command), groups walked into."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        if isinstance(command, click.Group):
            yield from iter_commands(command, click.Context(command, parent=ctx, info_name=name), (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def announce_installation(ctx):
    """Print on stderr, in one line, the installation the command of ctx is about to act on."""
    from flask.cli import ScriptInfo

    from qms.core.installation import describe_installation

    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        click.echo(f"Installation: {describe_installation(app).summary()}", err=True)


def _announcing(command):
    """command, made to announce its installation before it runs when it is run through a QmsGroup
    (after its arguments are read: --help and usage errors print nothing more) and is a writing one."""
    if getattr(command, "_qms_announcing", False):
        return
    run = command.invoke

    def invoke(ctx):
        if isinstance(ctx.find_root().command, QmsGroup) and command_path(ctx) in WRITING_COMMANDS:
            announce_installation(ctx)
        return run(ctx)

    command.invoke = invoke
    command._qms_announcing = True


class QmsGroup(FlaskGroup):
    """Flask's command group, always on qms's own app. Flask's --app, --env-file and --debug options
    are dropped: `qms` serves one application and takes its settings from instance/config.py and
    QMS_* variables only."""

    def __init__(self, **kwargs):
        super().__init__(
            create_app=_create_app,
            add_default_commands=True,
            add_version_option=False,
            load_dotenv=False,
            set_debug_flag=False,
            **kwargs,
        )
        self.params = [p for p in self.params if p.name not in {"app", "env_file", "debug"}]

    def list_commands(self, ctx):
        """List the commands; when the settings keep the app from starting, say so in one message
        (instead of Flask's traceback) and list the commands that do not need the app."""
        from flask.cli import ScriptInfo

        from qms.config import ConfigError

        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except ConfigError as exc:
            if not ctx.meta.get("qms.listing_to_run"):  # a command that needs the app says so itself
                click.echo(f"Error: {exc}\n", err=True)
            self._load_plugin_commands()
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)

    def invoke(self, ctx):
        """Run the command, each writing command saying first where it acts (see _announcing)."""
        if not ctx.resilient_parsing:
            from qms.config import ConfigError

            ctx.meta["qms.listing_to_run"] = True
            try:
                commands = list(iter_commands(self, ctx))
            except ConfigError:
                commands = []  # the command fails with the settings' message when it loads the app
            for _path, command in commands:
                _announcing(command)
        return super().invoke(ctx)

    def main(self, *args, **kwargs):
        from qms.config import ConfigError

        try:
            return super().main(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc), 2)


@click.group(cls=QmsGroup)
def main():
    """qms: quality-management system of a commune one-stop shop."""


# --- info -------------------------------------------------------------------------------------


@main.command("info")
@with_appcontext
def info():
    """Print the installation the commands act on: instance folder, database (without its password),
    stored files, commune(s), the qms version and the database's migration against the newest."""
    from importlib.metadata import PackageNotFoundError, version

    from qms.core.installation import describe_installation, migration_heads

    app = current_app._get_current_object()
    found = describe_installation(app)
    try:
        qms_version = version("qms")
    except PackageNotFoundError:
        qms_version = "unknown (not installed)"
    heads = migration_heads(app)
    if not found.database_read:
        migration = "unknown: the database cannot be read"
    elif found.revision is None:
        migration = f"none (newest {', '.join(heads)}): run `qms db upgrade`"
    elif found.revision in heads:
        migration = f"{found.revision} (the newest)"
    else:
        migration = f"{found.revision}, newest {', '.join(heads)}: run `qms db upgrade`"
    click.echo(f"Instance folder: {found.instance_path}")
    click.echo(f"Database:        {found.database_url}")
    click.echo(f"Stored files:    {found.storage_dir}")
    click.echo(f"{'Communes:' if len(found.communes) > 1 else 'Commune:':16} {found.communes_text}")
    click.echo(f"qms version:     {qms_version}")
    click.echo(f"Migration:       {migration}")


# --- audit ------------------------------------------------------------------------------------


@main.group("audit")
def audit_group():
    """Verify and checkpoint the audit trail."""


@audit_group.command("verify")
@click.option("--full", is_flag=True, help="Replay every event, not only those after the last verified state")
@with_appcontext
def audit_verify(full):
    """Verify the hash chain: prints OK, the count and the head hash, or where it breaks (exit 1).
    It resumes after the last verified state (instance/audit-verified.json) when there is a genuine
    one, and says so; --full replays every event."""
    from qms.audit.verify import verify_installation

    result = verify_installation(current_app.instance_path, resume=not full)
    if result.ok:
        click.echo(f"OK {result.count} events, head {result.head_hash}")
        if result.resumed_from is not None:
            click.echo(
                f"Resumed from event {result.resumed_from + 1}: the events up to {result.resumed_from} "
                "were verified before (--full replays them too)."
            )
        elif result.note:
            click.echo(f"Replayed every event: {result.note}.")
        return
    click.echo(f"BROKEN at {result.broken_seq}: {result.kind} ({result.detail})", err=True)
    sys.exit(1)


@audit_group.command("checkpoint")
@with_appcontext
def audit_checkpoint():
    """Sign the current head with the key in instance/audit-checkpoint.key (created if missing) and
    keep it in the database and in instance/audit-checkpoints.jsonl, once the chain verifies (resuming
    after the last verified state, as `qms audit verify` does). The job audit.checkpoint does it daily."""
    from qms.audit.checkpoints import sign_checkpoint

    cp = run_service(sign_checkpoint, current_app.instance_path)
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
    from qms.demo import DEMO_USERS, demo_password, has_data, load_demo

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
    """Serve with waitress (any OS), running the jobs (versions coming into force, sessions past
    their lifetime) in the background; for Linux production see gunicorn in the README."""
    from waitress import serve as waitress_serve

    from qms.core.jobs import start_scheduler
    from qms.files.leftovers import tidy_at_start

    app = current_app._get_current_object()
    tidy_at_start(app)
    start_scheduler(app, app.config["QMS_JOBS_EVERY_MINUTES"])
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C stops)")
    waitress_serve(app, **waitress_options(app, host=host, port=port, threads=threads))


def waitress_options(app, **options):
    """waitress removes X-Forwarded-* headers it was not told to trust; behind the one proxy that
    QMS_PROXY_FIX declares, they reach the application, whose ProxyFix trusts that proxy's (as
    under gunicorn): HTTPS seen, so Secure cookies and HSTS, and the client's address recorded."""
    return {"ident": "qms", "clear_untrusted_proxy_headers": not app.config["QMS_PROXY_FIX"], **options}


# --- jobs -------------------------------------------------------------------------------------


@main.group("jobs")
def jobs_group():
    """Work the system does by itself: `qms serve` runs it every few minutes; beside gunicorn run
    `qms jobs run` from a scheduler (cron, a systemd timer)."""


@jobs_group.command("run")
@click.argument("names", nargs=-1)
@with_appcontext
def jobs_run(names):
    """Run the jobs now (all, or those named); exit 1 if one fails."""
    from qms.core.jobs import run_jobs

    try:
        results = run_jobs(current_app._get_current_object(), names)
    except KeyError as exc:
        fail(f"no such job: {exc.args[0]} (see `qms jobs list`)")
    for name, summary, error in results:
        if error is None:
            click.echo(f"{name}: {summary}")
        else:
            click.echo(f"{name}: failed: {error}", err=True)
    if any(error is not None for _name, _summary, error in results):
        sys.exit(1)


@jobs_group.command("list")
@with_appcontext
def jobs_list():
    """List the jobs."""
    from qms.core.jobs import jobs

    for job in jobs():
        click.echo(f"{job.name:28} {job.description}")


# --- backup and restore (qms/backup.py) ---------------------------------------------------------

from qms.backup import backup_command, restore_command  # noqa: E402  (commands attach to `main`)

main.add_command(backup_command)
main.add_command(restore_command)

from qms.evidence.cli import evidence_group  # noqa: E402  (verify needs no installation: on `main`)

main.add_command(evidence_group)
