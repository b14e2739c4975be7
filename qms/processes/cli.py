"""`qms process ...`: procedures and their process maps."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service

OUTCOME_WORDS = {
    "created": "new procedure, process {document} issue {issue:02d}",
    "changed": "changed: new draft {document} issue {issue:02d}, for review and approval",
    "unchanged": "unchanged",
    "waiting": "unchanged since the last import: {document} issue {issue:02d} awaits approval",
}


def default_maps_folder() -> Path:
    """process_maps/ beside the application's package (the project's top level)."""
    return Path(current_app.root_path).parent / "process_maps"


@click.group("process")
def process_group():
    """Procedures (TTHC) and their process maps."""


@process_group.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--as", "username", required=True, help="The quality officer who imports (user name)")
@with_appcontext
def import_command(path, username):
    """Import the process maps in PATH (a .yaml file, or a folder of them; default: process_maps/).
    All or nothing: one bad map and nothing is imported, each problem named (file, line, step)."""
    from sqlalchemy import select

    from qms.auth.models import User
    from qms.db import db
    from qms.processes.services import import_maps, read_maps

    actor = db.session.scalar(select(User).where(User.username == username, User.is_active_account.is_(True)))
    if actor is None or actor.commune_id is None:
        fail(f"no active user of a commune named {username!r}")
    path = path or default_maps_folder()
    # one bad map and nothing is imported: every problem on stderr, one per line, exit 1
    outcomes = run_service(lambda: import_maps(actor, actor.commune, read_maps(path)))
    if not outcomes:
        click.echo(f"No process map in {path}.")
    for outcome in outcomes:
        words = OUTCOME_WORDS[outcome.outcome].format(
            document=outcome.document_version.document.code, issue=outcome.document_version.issue_no
        )
        click.echo(f"{outcome.source}: {outcome.code}: {words}")
    counts = {kind: sum(o.outcome == kind for o in outcomes) for kind in OUTCOME_WORDS}
    click.echo(", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "Nothing to do.")
