"""The citizens' lookup of a dossier on the public page (no sign-in): the dossier code printed on the
receipt slip and the last four digits of the applicant's phone show where the dossier stands, and
nothing personal (public_status).

A wrong code and wrong digits get the same answer, so the page tells nobody which codes exist, and
each such attempt is counted against the client's address (qms.core.ratelimit, as the feedback
box counts its messages): after QMS_LOOKUP_FAILURES_PER_HOUR of them within an hour, every lookup
from that address is refused until the hour has passed, right or wrong, without looking. A lookup
that finds its dossier is not counted, and leaves nothing behind (it is not a reading of personal
data: nothing personal is shown)."""

import datetime as dt
import hmac
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from qms.core.calendar import local_today, to_local, utcnow
from qms.core.ratelimit import RateLimit
from qms.db import RecordedRefusal
from qms.dossiers import queries
from qms.dossiers.models import DossierStatus, Rating, Timeliness
from qms.dossiers.services.rating import rating_of

CODE_MAX = 60
DIGITS = 4
FAILURES = RateLimit(
    "dossier_lookup",
    "QMS_LOOKUP_FAILURES_PER_HOUR",
    lambda n: _l(
        "Too many unsuccessful lookups have been made from this connection in the last hour (at most %(n)d). "
        "Please try again later, or call the one-stop shop.",
        n=n,
    ),
)
NOT_FOUND = _l(
    "No dossier matches this code and these four digits. Check the dossier code on your receipt slip "
    "and the phone number you gave when you filed the dossier."
)


class NotFound(RecordedRefusal):
    """The neutral answer to a wrong code or wrong digits; the attempt stays counted."""


def last_digits(phone) -> str:
    """The last four digits of a phone number as it was written (spaces, dots, +84...), or "" when
    it has fewer."""
    digits = "".join(c for c in str(phone or "") if c.isascii() and c.isdigit())
    return digits[-DIGITS:] if len(digits) >= DIGITS else ""


def look_up(commune, *, code, digits, client_address, now=None):
    """The dossier of `commune` with this code whose applicant's phone ends with these four digits.
    Raises RateLimited (429) when the client's address has used up its unsuccessful attempts of the
    hour (nothing is looked up, nothing more is counted), NotFound (the same neutral message for an
    unknown code, wrong digits or a dossier without a phone; the attempt is counted and kept) when
    there is no such dossier."""
    now = now or utcnow()
    # Counted before looking, as the transaction's first write: attempts made at once are checked
    # one after the other (qms.core.ratelimit), so none gets past the limit by arriving together.
    hit = FAILURES.note(client_address, now)
    FAILURES.check(hit, now)
    code = (code or "").strip()
    expected = None
    dossier = queries.by_code(commune.id, code) if 0 < len(code) <= CODE_MAX else None
    if dossier is not None:
        expected = last_digits(dossier.applicant_phone)
    given = (digits or "").strip()
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise NotFound(NOT_FOUND, code="not_found", status=404)
    FAILURES.forget(hit)  # a lookup that found its dossier does not count
    return dossier


@dataclass(frozen=True)
class PublicStatus:
    """What the lookup page shows of a dossier: nothing personal (no name, address or phone, no
    papers, no reasons but the apology letter's, which is written to the citizen)."""

    code: str
    procedure: str  # its name and national code
    received_on: dt.date
    status: DossierStatus
    due_date: dt.date
    is_late: bool  # finished late, or unfinished past its due date
    apology_reason: str  # the apology letter's reason, when a new return date was set
    new_due_date: dt.date | None  # the apology letter's new return date
    may_rate: bool  # returned and not rated yet: the citizen may rate the service
    rating: Rating | None  # the rating given, if any


def public_status(dossier, today=None) -> PublicStatus:
    """The dossier as the lookup page shows it (see PublicStatus)."""
    today = today or local_today()
    overdue = dossier.overdue_on(today)
    rating = rating_of(dossier) if dossier.status is DossierStatus.returned else None
    extended = dossier.apology_signed_at is not None
    return PublicStatus(
        code=dossier.code,
        procedure=f"{dossier.procedure_name} ({dossier.procedure.code})",
        received_on=to_local(dossier.received_at).date(),
        status=dossier.status,
        due_date=dossier.due_date,
        is_late=overdue or dossier.timeliness is Timeliness.late,
        apology_reason=dossier.apology_reason if extended else "",
        new_due_date=dossier.apology_due_date if extended else None,
        may_rate=dossier.status is DossierStatus.returned and rating is None,
        rating=rating.rating if rating is not None else None,
    )
