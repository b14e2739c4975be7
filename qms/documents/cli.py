"""`qms documents ...`: document control from the command line."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from qms.core.commands import fail, read_password, run_service

ACTIONS = {
    "create": "new document",
    "next_version": "new issue",
    "unchanged": "unchanged",
    "refused": "refused",
}


@click.group("documents")
def documents_group():
    """Document control."""


@documents_group.command("import")
@click.argument("master_list", metavar="LIST", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("files", metavar="FILES", type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="Who imports (user name): the commune's quality officer")
@click.option("--dry-run", is_flag=True, help="Say what each row would become and every problem; write nothing")
@with_appcontext
def import_command(master_list, files, username, dry_run):
    """Import a commune's existing document system: LIST, its master list (.xlsx or .csv, columns
    found by their header; see the README), and FILES, the folder (or .zip) of the files it names.
    Each good row becomes a document in force as issued (or the next issue of one already here);
    each bad row is listed on stderr (row, column, reason) and the good rows are kept. The import is
    signed: the password is read from the terminal, or from standard input when it is not one.
    Running it again with the same list changes nothing. Exit 0 when it ran (refused rows
    included), 1 when nothing could be imported (the list or files unreadable, a wrong password)."""
    from sqlalchemy import select

    from qms.auth.models import User
    from qms.core.sheets import FileRefused
    from qms.db import db
    from qms.documents.imports.files import open_file_set
    from qms.documents.imports.services import import_documents, read_plan

    actor = db.session.scalar(select(User).where(User.username == username, User.is_active_account.is_(True)))
    if actor is None or actor.commune_id is None:
        fail(f"no active user of a commune named {username!r}")
    try:
        file_set = open_file_set(files)
    except FileRefused as exc:
        fail(str(exc.message))
    data = master_list.read_bytes()
    commune = actor.commune
    files_data = files.read_bytes() if files.is_file() else None
    with click.progressbar(length=1, label=f"Checking {master_list.name}") as bar:

        def checked(done, total):
            bar.length = total
            bar.update(done - bar.pos)

        plan = run_service(
            lambda: read_plan(
                actor, commune, list_name=master_list.name, list_data=data, files=file_set, on_progress=checked
            )
        )
    if dry_run:
        _report(plan, dry_run=True)
        return
    if not plan.to_write:
        _report(plan, dry_run=False)
        click.echo("Nothing to change: every good row of the list is already here as it says.")
        return
    click.echo(
        f"{len(plan.to_write)} documents will be declared as issued by {actor.full_name}, signed with your password."
    )
    password = read_password(None, prompt=f"Password of {actor.username}", confirm=False)
    with click.progressbar(length=len(plan.to_write), label=f"Importing {master_list.name}") as bar:

        def written(done, total):
            bar.update(done - bar.pos)

        result = run_service(
            lambda: import_documents(
                actor,
                commune,
                list_name=master_list.name,
                list_data=data,
                files=file_set,
                files_data=files_data,
                password=password,
                on_progress=written,
            )
        )
    _report(result.plan, dry_run=False)
    if result.run is not None:
        click.echo(f"Signed as declared issued by {actor.full_name} (import {result.run.id}).")


def _report(plan, *, dry_run):
    """The rows' problems on stderr, then what each row becomes (dry run) and the counts."""
    for row in plan.rows:
        for problem in row.problems:
            column = f", {problem.column}" if problem.column else ""
            click.echo(f"row {row.row}{column}: {problem.message}", err=True)
    if dry_run:
        for row in plan.rows:
            issue = f" issue {row.issue_no:02d}" if row.issue_no else ""
            replaces = f" (replaces issue {row.current_issue:02d})" if row.action == "next_version" else ""
            click.echo(f"row {row.row}: {row.code or '-'}{issue}: {ACTIONS[row.action]}{replaces}")
    for path in plan.unlisted_files:
        click.echo(f"file not named by the list: {path}", err=True)
    counts = plan.counts
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{len(plan.rows)} rows read: {counts['create']} new documents, {counts['next_version']} new issues "
        f"{verb} written, {counts['unchanged']} unchanged, {counts['refused']} refused."
    )
    if plan.ignored_columns:
        click.echo(f"Columns left aside: {', '.join(plan.ignored_columns)}.")
