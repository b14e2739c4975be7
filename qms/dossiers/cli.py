"""`qms dossier ...`: dossiers of the one-stop shop."""

import hashlib
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service

BAR_STEPS = 1000


@click.group("dossier")
def dossier_group():
    """Dossiers of the one-stop shop."""


def _digest(path):
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dossier_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--as", "username", required=True, help="Who imports (user name): the quality officer or one-stop staff")
@with_appcontext
def import_command(file, username):
    """Import the dossiers of FILE, an export of the provincial one-stop system (.csv or .xlsx; the
    columns are found by their header, see the README). A dossier code already recorded is passed
    over (unchanged); each bad row is refused alone and listed on stderr (row, column, reason)
    while the good rows are kept. Exit 1 if a row was refused or the file could not be read on."""
    from sqlalchemy import select

    from qms.auth.models import User
    from qms.db import db
    from qms.dossiers.import_files import open_rows
    from qms.dossiers.import_runs import run_import
    from qms.dossiers.models import DossierImport
    from qms.dossiers.services.imports import start_import

    actor = db.session.scalar(select(User).where(User.username == username, User.is_active_account.is_(True)))
    if actor is None or actor.commune_id is None:
        fail(f"no active user of a commune named {username!r}")
    sha256, size = _digest(file)
    started = run_service(lambda: start_import(actor, actor.commune, file_name=file.name, sha256=sha256, size=size))
    import_id = started.id
    # The bad rows wait in a temporary file until the bar is done (a file of many bad rows would
    # not fit in memory, and lines written under a moving bar are hard to read).
    with tempfile.TemporaryFile("w+", encoding="utf-8") as bad_rows, file.open("rb") as stream:
        read = [0]

        def shown(_item):
            return f"{read[0]:,} rows".replace(",", ".")

        with click.progressbar(length=BAR_STEPS, label=f"Importing {file.name}", item_show_func=shown) as bar:

            def on_progress(progress, source):
                read[0] = progress.read
                for bad in progress.bad_rows:
                    column = f", {bad.column}" if bad.column else ""
                    bad_rows.write(f"row {bad.row}{column}: {bad.reason}\n")
                fraction = 1.0 if progress.done else source.fraction()
                if fraction is not None:
                    bar.update(int(fraction * BAR_STEPS) - bar.pos)
                else:
                    bar.update(0)

            outcome = run_import(
                import_id, lambda: open_rows(file.name, stream, size), on_progress=on_progress, ip="cli"
            )
        bad_rows.seek(0)
        while chunk := bad_rows.read(1 << 16):
            click.echo(chunk, err=True, nl=False)
    run = db.session.get(DossierImport, import_id)
    click.echo(
        f"{run.rows_read} rows read: {run.created} created, {run.unchanged} unchanged (already recorded), "
        f"{run.bad} refused."
    )
    if run.ncs_opened:
        click.echo(f"{run.ncs_opened} nonconformities opened for results late against our due date.")
    if run.due_dates_differ:
        click.echo(f"{run.due_dates_differ} due dates in the file differ from ours (ours are kept).")
    ignored = (run.notes or {}).get("ignored_columns") or []
    if ignored:
        click.echo(f"Columns left aside: {', '.join(ignored)}.")
    if outcome.error:
        fail(f"the import stopped: {outcome.error}")
    if run.bad:
        raise SystemExit(1)
