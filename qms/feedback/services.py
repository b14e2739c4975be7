"""The citizens' feedback box: receiving a citizen's feedback (behind its guards), a complaint filed
on a citizen's behalf by another part of the system (a "dissatisfied" rating of a dossier), the
quality officer's triage (a nonconformity opened from it, through the nonconformities' one way in,
or closed with a reason) and the recorded reading of the citizen's contact details.

The guards need no service of anyone else: a honeypot field a person never fills, a minimum time
between showing the form and sending it (the form carries its own signed time, so any worker can
check it), and at most QMS_FEEDBACK_PER_HOUR accepted submissions an hour per client address, counted
in the database (qms.core.ratelimit, so that every worker counts the same). A refused submission
stores nothing.
"""

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from qms.audit.services import record_event
from qms.auth.models import Commune
from qms.core.calendar import to_local, utcnow
from qms.core.codes import CodeFormat
from qms.core.ratelimit import RateLimit
from qms.db import DomainError, db, enum_choice, insert_numbered
from qms.feedback import permissions as perm
from qms.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from qms.nonconformities import services as nonconformities

REFERENCE_FORMAT = CodeFormat("GY-{yyyy}-{nnnn}", "")
MESSAGE_MAX = 4000
NAME_MAX = 100
PHONE_MAX = 20
EMAIL_MAX = 200
DOSSIER_MAX = 60
REASON_MAX = 2000
TITLE_MAX = 300
MIN_FILL_SECONDS = 4  # nobody reads the form and writes a message faster
FORM_MAX_AGE = dt.timedelta(days=1)
REFERENCE_ATTEMPTS = 5
_SALT = "qms.feedback.form-time"
SUBMISSIONS = RateLimit(
    "feedback",
    "QMS_FEEDBACK_PER_HOUR",
    lambda n: _l(
        "Too many messages have been sent from this connection in the last hour (at most %(n)d). "
        "Please try again later, or call the one-stop shop.",
        n=n,
    ),
)


class SubmissionRefused(DomainError):
    """A submission turned away by a guard; the message tells the citizen what to do."""


# --- the guards ------------------------------------------------------------------------------------


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def form_stamp(now=None) -> str:
    """The signed time the form was shown at, sent back with it."""
    return _serializer().dumps(int((now or utcnow()).timestamp()))


def check_fill_time(stamp, now=None):
    """Refuse a form sent too fast after it was shown (a program, not a person), or one whose stamp
    is missing, forged or older than a day."""
    now = now or utcnow()
    try:
        shown = dt.datetime.fromtimestamp(int(_serializer().loads(stamp or "")), dt.UTC)
    except (BadSignature, TypeError, ValueError, OverflowError):
        raise SubmissionRefused(
            _l("The form has expired. Check your message and send it again."), code="form_expired"
        ) from None
    if now - shown > FORM_MAX_AGE or shown > now + dt.timedelta(minutes=5):
        raise SubmissionRefused(_l("The form has expired. Check your message and send it again."), code="form_expired")
    if (now - shown).total_seconds() < MIN_FILL_SECONDS:
        raise SubmissionRefused(
            _l("Your message was sent too quickly after the page opened. Check it and send it again."),
            code="too_fast",
        )


def check_honeypot(value):
    """The field people never see (nor hear) is filled: a program filled in every field."""
    if (value or "").strip():
        raise SubmissionRefused(
            _l("Your message could not be accepted. Leave the last, hidden field empty and send it again."),
            code="honeypot",
        )


def _text(value, limit, message):
    value = (value or "").strip()
    if len(value) > limit:
        raise SubmissionRefused(message, code="too_long")
    return value


# --- receiving ----------------------------------------------------------------------------------------


def _insert(item, commune_id):
    """Insert with the next reference of its year. Citizens write at the same time: on PostgreSQL the
    commune's row is locked first (FOR NO KEY UPDATE: other writers' foreign keys to it do not wait),
    so one submission of the commune at a time takes the next number; on SQLite the transaction's
    first write already holds the database's write lock. A number taken all the same is retried."""
    db.session.execute(select(Commune.id).where(Commune.id == commune_id).with_for_update(key_share=True))
    return insert_numbered(
        item,
        scope=(FeedbackItem.commune_id == commune_id, FeedbackItem.year == item.year),
        field="reference",
        number=lambda serial: REFERENCE_FORMAT.render(year=item.year, serial=serial),
        refusal=lambda: DomainError(
            _l("Your message could not be given a reference; send it again."), code="reference_taken", status=409
        ),
        attempts=REFERENCE_ATTEMPTS,
    )


def receive_feedback(
    commune,
    *,
    kind,
    message,
    name="",
    phone="",
    email="",
    dossier_code="",
    client_address="",
    form_stamp_value="",
    honeypot="",
):
    """A citizen's feedback, complaint or compliment, from the public page (nobody signed in: the
    event has no actor). Checks the honeypot, the fill time, the lengths and the rate limit, in that
    order; raises SubmissionRefused saying why (and nothing is stored). Returns the item, whose
    reference the citizen quotes."""
    check_honeypot(honeypot)
    now = utcnow()
    check_fill_time(form_stamp_value, now)
    kind = enum_choice(FeedbackKind, kind, _l("Choose what kind of message this is."), refusal=SubmissionRefused)
    message = _text(message, MESSAGE_MAX, _l("The message is too long."))
    if not message:
        raise SubmissionRefused(_l("Write your message."), code="message_required")
    item = FeedbackItem(
        commune_id=commune.id,
        year=to_local(now).year,
        kind=kind,
        message=message,
        dossier_code=_text(dossier_code, DOSSIER_MAX, _l("The dossier code is too long.")),
        contact_name=_text(name, NAME_MAX, _l("The name is too long.")),
        contact_phone=_text(phone, PHONE_MAX, _l("The phone number is too long.")),
        contact_email=_text(email, EMAIL_MAX, _l("The e-mail address is too long.")),
        received_at=now,
        status=FeedbackStatus.waiting,
    )
    # Counted first: the submission's first write (on SQLite it opens the transaction, so the
    # savepoint of the reference's insert is inside it).
    hit = SUBMISSIONS.note(client_address, now)
    _insert(item, commune.id)
    # No one is signed in: the reason says where it came from (the trail would otherwise say "system").
    _record_received(None, item, "public_page")
    # Checked after the event, which holds the chain head's lock until the commit: see
    # qms.core.ratelimit. The refusal undoes the count, the item and its event.
    SUBMISSIONS.check(hit, now, refusal=SubmissionRefused)
    return item


def _record_received(actor, item, reason):
    # The event names the item, never its text or who sent it: the trail keeps forever what it records.
    record_event(
        actor,
        "feedback.received",
        item,
        reason=reason,
        changes={
            "reference": (None, item.reference),
            "feedback_kind": (None, item.kind),
            "status": (None, item.status),
        },
    )


def receive_from_elsewhere(actor, commune, *, kind, message, dossier_code="", reason):
    """Feedback a citizen gave through another part of the system (a "dissatisfied" rating of a
    dossier, with a comment), filed on the citizen's behalf so that the quality officer triages it
    like any other item: it waits for triage, with its reference. The public page's guards do not
    apply (the caller accepted it) and no contact details are kept. actor: who recorded it (None for
    a citizen on a public page); reason: the caller's code for where it came from (the caller
    registers its label). Raises DomainError for an empty or too long message or dossier code."""
    kind = enum_choice(FeedbackKind, kind, _l("Choose what kind of message this is."))
    message = (message or "").strip()
    if not message:
        raise DomainError(_l("Write your message."), code="message_required")
    if len(message) > MESSAGE_MAX:
        raise DomainError(_l("The message is too long."), code="too_long")
    dossier_code = (dossier_code or "").strip()
    if len(dossier_code) > DOSSIER_MAX:
        raise DomainError(_l("The dossier code is too long."), code="too_long")
    now = utcnow()
    item = FeedbackItem(
        commune_id=commune.id,
        year=to_local(now).year,
        kind=kind,
        message=message,
        dossier_code=dossier_code,
        received_at=now,
        status=FeedbackStatus.waiting,
    )
    _insert(item, commune.id)
    _record_received(actor, item, reason)
    return item


# --- triage ---------------------------------------------------------------------------------------------


def _require(refusal):
    if refusal is not None:
        raise DomainError(refusal, code="forbidden", status=403)


def _require_waiting(item):
    if item.status is not FeedbackStatus.waiting:
        raise DomainError(_l("This feedback has already been dealt with."), code="already_triaged", status=409)


def opened_nc(item):
    """The nonconformity opened from the item, or None."""
    return nonconformities.find_opened_from(item.commune_id, item)


def open_nc(actor, item, *, title, severity):
    """The quality officer opens a nonconformity from the item (source: citizen feedback; the text
    as its description, never the contact details), through the nonconformities' one way in. Asking
    again returns the same NC. Raises DomainError when the actor is not the commune's quality
    officer, the item was closed, or the NC's service refuses (no title, say)."""
    _require(perm.contact_refusal(actor, item))
    if item.status is FeedbackStatus.nc_opened:
        found = opened_nc(item)
        if found is not None:
            return found
    _require_waiting(item)
    # The item changes first: its write opens the transaction, so the NC service's savepoint is
    # inside it on SQLite too (and a refusal there undoes both).
    item.status = FeedbackStatus.nc_opened
    item.triaged_by_id = actor.id
    item.triaged_at = utcnow()
    db.session.flush()
    nc, _created = nonconformities.open_from_elsewhere(
        actor,
        db.session.get(Commune, item.commune_id),
        source="citizen_feedback",
        record=item,
        title=(title or "").strip()[:TITLE_MAX],
        description=item.message,
        severity=severity,
        detected_by=actor,
        detected_at=item.received_at,
        dossier_code=item.dossier_code,
    )
    record_event(
        actor,
        "feedback.nc_opened",
        item,
        changes={"status": (FeedbackStatus.waiting, item.status), "nonconformity": (None, nc.number)},
    )
    return nc


def close_item(actor, item, *, reason):
    """The quality officer closes the item without a nonconformity; the reason is required (a thank-you
    passed on, a question answered, not about the one-stop shop...)."""
    _require(perm.contact_refusal(actor, item))
    _require_waiting(item)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the feedback is closed."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("The reason is too long."), code="too_long")
    item.status = FeedbackStatus.closed
    item.close_reason = reason
    item.triaged_by_id = actor.id
    item.triaged_at = utcnow()
    db.session.flush()
    record_event(
        actor,
        "feedback.closed",
        item,
        changes={"status": (FeedbackStatus.waiting, item.status), "close_reason": (None, reason)},
    )


def read_contact(actor, item) -> dict:
    """The citizen's contact details, for the quality officer only; each reading is an audit event
    (personal data: who read whose details, and when, must be on record)."""
    _require(perm.contact_refusal(actor, item))
    record_event(actor, "feedback.contact_read", item)
    return {"name": item.contact_name, "phone": item.contact_phone, "email": item.contact_email}
