"""`qms files check` and `qms files gc`: what a crash left in the file store (qms.files.leftovers)."""

import datetime as dt
import sys

import click
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service


@click.group("files")
def files_group():
    """Check the file store against its rows and remove what no row refers to."""


def _line(leftover):
    return f"  {leftover.path}  {leftover.size} bytes  {leftover.modified_at:%Y-%m-%d %H:%M} UTC"


@files_group.command("check")
@with_appcontext
def files_check():
    """List the stored files no row refers to, the rows whose file is missing and those whose bytes
    no longer match their SHA-256 (reading every file), and the temporary files of interrupted
    writes. Missing and damaged files are recorded as a reader records them. Exit 1 when a file is
    missing or damaged."""
    from qms.files.leftovers import check_files

    check = run_service(check_files)
    summary = check.summary()
    click.echo(f"Checked {summary.files} stored file(s) in {check.root}")
    click.echo(f"Unreferenced (no row refers to them): {summary.unreferenced}, {summary.unreferenced_bytes} bytes")
    for leftover in check.unreferenced:
        click.echo(_line(leftover))
    click.echo(f"Missing (a row refers to them, no file): {summary.missing}")
    for row in check.missing:
        click.echo(f"  {row.sha256}  {row.size} bytes")
    click.echo(f"Damaged (no longer match their SHA-256): {summary.damaged}")
    for row in check.damaged:
        click.echo(f"  {row.sha256}  {row.size} bytes")
    click.echo(f"Temporary (interrupted writes): {summary.temporary}, {summary.temporary_bytes} bytes")
    for leftover in check.temporary:
        click.echo(_line(leftover))
    if summary.missing or summary.damaged:
        click.echo(
            "Missing or damaged files are never removed: restore them from the backup, or upload the same files again.",
            err=True,
        )
        sys.exit(1)


@files_group.command("gc")
@click.option(
    "--grace-hours",
    default=24.0,
    type=float,
    show_default=True,
    help="Keep unreferenced files changed more recently than this (an upload may be in flight)",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing")
@with_appcontext
def files_gc(grace_hours, dry_run):
    """Remove the stored files no row refers to, older than the grace period, and record one audit
    event with their count and bytes. A file a row refers to is never removed."""
    from qms.files.leftovers import collect_garbage

    if grace_hours < 0:
        fail("--grace-hours cannot be negative")
    collected = run_service(collect_garbage, None, dt.timedelta(hours=grace_hours), dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {collected.count} unreferenced file(s), {collected.bytes} bytes")
    for leftover in collected.removed:
        click.echo(_line(leftover))
    if collected.kept:
        click.echo(f"Kept {len(collected.kept)} unreferenced file(s) younger than {grace_hours:g} hours")
