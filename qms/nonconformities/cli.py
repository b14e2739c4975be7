"""`qms nc ...`: the nonconformities' commands."""

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.core.commands import fail, run_service


@click.group("nc")
def nc_group():
    """Nonconformities and corrective actions."""


@nc_group.command("remind")
@with_appcontext
def nc_remind():
    """E-mail the owner of each open action item due within 3 working days or overdue, and the
    reviewer of each effectiveness review due, once a day each (QMS_SMTP_HOST and friends). Without
    QMS_SMTP_HOST it says so and sends nothing. Exit 1 when the settings are wrong or the SMTP server
    fails (the reminders sent before the failure are recorded)."""
    from qms.core.mail import MailError, mail_configured, mail_settings
    from qms.nonconformities.jobs import NOT_CONFIGURED, send_reminders, summary

    config = current_app.config
    if not mail_configured(config):
        click.echo(NOT_CONFIGURED[0].upper() + NOT_CONFIGURED[1:] + ".")
        return
    try:
        mail_settings(config)
    except MailError as exc:
        fail(f"e-mail settings: {exc}")
    click.echo(summary(run_service(send_reminders, config)) + ".")
