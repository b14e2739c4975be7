"""`qms calendar ...`: the working-day calendar from the command line (list, add, remove a day)."""

import click
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service


def _date(text):
    from qms.core.calendar import parse_date

    try:
        return parse_date(text)
    except ValueError:
        fail(f"not a date: {text!r} (write it as dd/mm/yyyy or yyyy-mm-dd)")


def _actor(username):
    from sqlalchemy import select

    from qms.auth.models import User
    from qms.db import db

    actor = db.session.scalar(select(User).where(User.username == username, User.is_active_account.is_(True)))
    if actor is None:
        fail(f"no active user named {username!r}")
    return actor


@click.group("calendar")
def calendar_group():
    """The working-day calendar: the days off and working days announced for public offices."""


@calendar_group.command("list")
@click.option("--year", type=int, default=None, help="The year (default: this year)")
@with_appcontext
def calendar_list(year):
    """The year's announced days, one a line: date, day of the week, kind, name, announced by."""
    from qms.admin import calendar
    from qms.core.calendar import format_date, local_today

    year = year or local_today().year
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        fail(f"the calendar covers the years {calendar.FIRST_YEAR} to {calendar.LAST_YEAR}")
    entries = calendar.entries_of_year(year)
    for entry in entries:
        click.echo(
            "\t".join(
                (
                    format_date(entry.day),
                    calendar.weekday_name(entry.day),
                    entry.kind.value,
                    entry.name,
                    entry.announced_by,
                )
            )
        )
    click.echo(f"{len(entries)} day(s) announced for {year}.")


@calendar_group.command("add")
@click.argument("day", metavar="DATE")
@click.argument("kind", type=click.Choice(["day_off", "working_day"]))
@click.option("--name", required=True, help="What the day is (Tết Nguyên đán, Làm bù cho ngày 02/01/2026)")
@click.option("--announced-by", required=True, help="The document that announced it (number and date)")
@click.option("--as", "username", required=True, help="The administrator who adds it (user name)")
@with_appcontext
def calendar_add(day, kind, name, announced_by, username):
    """Add DATE (dd/mm/yyyy or yyyy-mm-dd) to the calendar as a day off or a working day."""
    from qms.admin.calendar import add_calendar_day
    from qms.core.calendar import format_date

    date, actor = _date(day), _actor(username)
    entry = run_service(add_calendar_day, actor, day=date, kind=kind, name=name, announced_by=announced_by)
    click.echo(f"Added {format_date(entry.day)}: {entry.kind.value}, {entry.name}")


@calendar_group.command("remove")
@click.argument("day", metavar="DATE")
@click.option("--reason", required=True, help="Why the day is removed")
@click.option("--as", "username", required=True, help="The administrator who removes it (user name)")
@with_appcontext
def calendar_remove(day, reason, username):
    """Remove DATE (dd/mm/yyyy or yyyy-mm-dd) from the calendar."""
    from qms.admin.calendar import find_entry, remove_calendar_day
    from qms.core.calendar import format_date

    date, actor = _date(day), _actor(username)
    entry = find_entry(date)
    if entry is None:
        fail(f"{format_date(date)} is not in the calendar")
    run_service(remove_calendar_day, actor, entry, reason=reason)
    click.echo(f"Removed {format_date(date)} from the calendar")
