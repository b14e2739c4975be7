"""Reminders by e-mail (`qms nc remind`, and the job nc.remind that `qms jobs run` and `qms serve`
run): the owner of each open action item due within REMIND_WORKING_DAYS working days or overdue, and
the reviewer of each effectiveness review whose planned date has come, receive one e-mail per item a
day, in their own language, through the SMTP server of the installation (qms.core.mail).

Each e-mail sent is an audit event (nc.reminder_sent, on its NC, naming the item or review and the
address): that is how a second run the same day knows what was sent. The e-mails are sent before
anything is written (no write lock is held while the SMTP server answers); their events are then
recorded together. When the server fails halfway, the e-mails already sent are recorded and the
failure is reported (MailFailed, a refusal whose record stays), so a rerun sends only the others.
"""

import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qms.audit.models import AuditEvent
from qms.audit.services import record_event
from qms.auth.models import User
from qms.core.calendar import add_working_days, format_date, local_midnight, local_today
from qms.core.jobs import register_job
from qms.core.mail import Mailer, MailError, mail_configured, mail_settings, new_message
from qms.db import RecordedRefusal, db
from qms.i18n import LOCALES
from qms.nonconformities.models import OPEN_STATUSES, NcAction, NcReview, Nonconformity

REMIND_WORKING_DAYS = 3
NOT_CONFIGURED = "e-mail is not configured (QMS_SMTP_HOST is not set): no reminder sent"


class MailFailed(RecordedRefusal):
    """The SMTP server failed; the reminders sent before it did are recorded."""

    def __init__(self, message, sent):
        super().__init__(message, code="mail_failed", status=502)
        self.sent = sent


@dataclass(frozen=True)
class Reminder:
    nc: Nonconformity
    person: User
    kind: str  # "action" or "review": the field its audit event names it by
    record: object  # the NcAction or NcReview
    due_on: object  # its due date or planned date


@dataclass(frozen=True)
class Outcome:
    sent: int
    already: int  # reminded earlier today
    no_address: int  # the person has no e-mail address


def due_reminders(today) -> list:
    """Every reminder due today, installation-wide: open items due by the third working day from
    today (or overdue) and reviews planned for today or earlier, of open NCs, for active people."""
    horizon = add_working_days(today, REMIND_WORKING_DAYS)
    items = db.session.scalars(
        select(NcAction)
        .join(Nonconformity, Nonconformity.id == NcAction.nonconformity_id)
        .where(NcAction.done_at.is_(None), NcAction.due_on <= horizon, Nonconformity.status.in_(OPEN_STATUSES))
        .options(joinedload(NcAction.owner), joinedload(NcAction.nonconformity))
        .order_by(NcAction.due_on, NcAction.id)
    )
    reviews = db.session.scalars(
        select(NcReview)
        .join(Nonconformity, Nonconformity.id == NcReview.nonconformity_id)
        .where(NcReview.result.is_(None), NcReview.planned_on <= today, Nonconformity.status.in_(OPEN_STATUSES))
        .options(joinedload(NcReview.reviewer), joinedload(NcReview.nonconformity))
        .order_by(NcReview.planned_on, NcReview.id)
    )
    due = [Reminder(i.nonconformity, i.owner, "action", i, i.due_on) for i in items]
    due += [Reminder(r.nonconformity, r.reviewer, "review", r, r.planned_on) for r in reviews]
    return [r for r in due if r.person.is_active and r.person.commune_id == r.nc.commune_id]


def sent_today(commune_ids, today) -> set:
    """{(kind, id)} of the items and reviews reminded since midnight (Vietnam time): the audit
    events of the day (an index on commune, time and sequence finds them)."""
    if not commune_ids:
        return set()
    changes = db.session.scalars(
        select(AuditEvent.changes).where(
            AuditEvent.commune_id.in_(sorted(commune_ids)),
            AuditEvent.occurred_at >= local_midnight(today),
            AuditEvent.action == "nc.reminder_sent",
        )
    )
    done = set()
    for text in changes:
        for kind, (_old, new) in json.loads(text).items():
            if kind in ("action", "review"):
                done.add((kind, new))
    return done


def _language(person) -> str:
    return person.locale if person.locale in LOCALES else current_app.config["QMS_DEFAULT_LOCALE"]


def compose(settings, reminder, today):
    """The e-mail of one reminder, in the person's language."""
    nc, person = reminder.nc, reminder.person
    with force_locale(_language(person)):
        due = format_date(reminder.due_on)
        if reminder.due_on < today:
            when = _("overdue: it was due on %(date)s", date=due)
        elif reminder.due_on == today:
            when = _("due today, %(date)s", date=due)
        else:
            when = _("due on %(date)s", date=due)
        if reminder.kind == "action":
            subject = _("Reminder: action item of %(number)s, %(when)s", number=nc.number, when=when)
            what = _("You own this action item:") + "\n  " + reminder.record.what
            step = _("When it is done, mark it done with its result on the nonconformity's page.")
        else:
            subject = _("Reminder: effectiveness review of %(number)s, %(when)s", number=nc.number, when=when)
            what = _("You are to review whether the corrective action of this nonconformity was effective.")
            step = _("Record the result of the review on the nonconformity's page.")
        body = "\n\n".join(
            [
                _("Dear %(name)s,", name=person.full_name),
                _("Nonconformity %(number)s: %(title)s", number=nc.number, title=nc.title),
                what,
                _("Status: %(when)s.", when=when),
                step,
                _("This message was sent by the quality-management system (QMS); please do not reply to it."),
            ]
        )
    return new_message(settings, to_name=person.full_name, to_address=person.email, subject=subject, body=body)


def send_reminders(config, today=None) -> Outcome:
    """E-mail the reminders due today that were not sent earlier today. Raises MailError for bad
    settings (nothing sent) and MailFailed when the server fails (what was sent is recorded)."""
    settings = mail_settings(config)
    today = today or local_today()
    due = due_reminders(today)
    done = sent_today({r.nc.commune_id for r in due}, today)
    to_send = [r for r in due if (r.kind, r.record.id) not in done and r.person.email]
    no_address = sum(1 for r in due if (r.kind, r.record.id) not in done and not r.person.email)
    messages = [(r, compose(settings, r, today)) for r in to_send]
    sent, failure = [], None
    if messages:
        try:
            with Mailer(settings) as mailer:
                for reminder, message in messages:
                    mailer.send(message)
                    sent.append(reminder)
        except MailError as exc:
            failure = exc
    for reminder in sent:
        person, record = reminder.person, reminder.record
        if reminder.kind == "action":
            changes = {"action": (None, record.id), "owner_id": (None, person.id), "due_on": (None, record.due_on)}
        else:
            changes = {
                "review": (None, record.id),
                "reviewer_id": (None, person.id),
                "planned_on": (None, record.planned_on),
            }
        changes["email"] = (None, person.email)
        record_event(None, "nc.reminder_sent", reminder.nc, changes=changes)
    if failure is not None:
        raise MailFailed(f"{failure} ({len(sent)} reminder(s) sent before it failed)", len(sent))
    return Outcome(len(sent), len(due) - len(to_send) - no_address, no_address)


def summary(outcome: Outcome) -> str:
    return (
        f"{outcome.sent} reminder(s) e-mailed, {outcome.already} already sent today, "
        f"{outcome.no_address} for people without an e-mail address"
    )


def remind(app):
    if not mail_configured(app.config):
        return NOT_CONFIGURED
    return summary(send_reminders(app.config))


register_job("nc.remind", remind, "E-mail reminders of NC action items due within 3 working days and reviews due")
