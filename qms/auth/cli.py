"""`qms user ...` and `qms commune ...`: accounts and communes from the command line."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from qms.core.commands import fail, read_password, run_service
from qms.db import db


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


@click.group("user")
def user_group():
    """Create, disable and reset accounts; print API tokens."""


@user_group.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="Role code (repeatable): administrator, quality_officer, leader, staff, auditor",
)
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
    user = run_service(
        create_user,
        None,
        commune,
        username=username,
        full_name=full_name,
        password=read_password(password),
        roles=roles,
        unit_ids=unit_ids,
        email=email,
    )
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
    run_service(reset_password, None, user, read_password(password), reason=reason)
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


@click.group("commune")
def commune_group():
    """The communes of the installation."""


@commune_group.command("create")
@click.argument("code")
@click.argument("name")
@click.option(
    "--admin",
    "admin_username",
    default=None,
    help="User name of the commune's administrator (default: admin.<code in lower case>)",
)
@click.option("--admin-name", "admin_full_name", default=None, help="Full name of the administrator")
@click.option("--password", default=None, help="The administrator's password; read from standard input when omitted")
@with_appcontext
def commune_create(code, name, admin_username, admin_full_name, password):
    """Add a commune with its own administrator account."""
    from qms.auth.services import create_commune_with_administrator

    admin_username = admin_username or f"admin.{code.lower()}"
    commune, administrator = run_service(
        create_commune_with_administrator,
        None,
        code=code,
        name=name,
        admin_username=admin_username,
        admin_full_name=admin_full_name or f"Quản trị {name}",
        admin_password=read_password(password),
    )
    click.echo(f"Created commune {commune.code} ({commune.name}) with its administrator {administrator.username}")


@commune_group.command("list")
@with_appcontext
def commune_list():
    """List the communes of the installation."""
    from qms.auth.services import communes

    for commune in communes():
        click.echo(f"{commune.code:20} {commune.name}")
