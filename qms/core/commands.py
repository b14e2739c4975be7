"""What every `qms` command shares: errors on stderr with a non-zero exit, a service run as the
command's one unit of work, and a password read without echoing it."""

import sys
import uuid

import click

from qms.db import DomainError


def fail(message, code=1):
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def run_service(fn, *args, **kwargs):
    """Run a service as a command's one unit of work, in a CLI audit context; DomainError -> its
    message on stderr, exit 1, nothing written."""
    from qms.audit.services import audit_context
    from qms.db import unit_of_work

    with audit_context(ip="cli", request_id=f"cli-{uuid.uuid4().hex[:12]}"):
        try:
            with unit_of_work():
                return fn(*args, **kwargs)
        except DomainError as exc:
            fail(str(exc.message))


def read_password(password, prompt="Password", *, confirm=True):
    """The password given as an option, or read from standard input (a script), or typed at the
    terminal without being shown: twice for a new password (confirm), once to sign."""
    if password:
        return password
    if not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            fail("no password given (use --password or type it on standard input)")
        return value
    return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
