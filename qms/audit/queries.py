"""Reading the trail: filters and keyset (cursor) pagination; never OFFSET."""

import datetime as dt
import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from qms.audit.models import AuditEvent
from qms.audit.services import storable_text
from qms.core.calendar import local_tz, parse_date
from qms.core.lists import Page
from qms.db import DomainError, db

MAX_USER_ID = 2**31 - 1  # users.id / audit_events.actor_id: INTEGER
MAX_SEQ = 2**63 - 1  # audit_events.seq: BIGINT


def whole_number(value, maximum):
    """`value` as an int if it is a whole number written in ASCII digits no larger than `maximum`
    (the range of the column it is compared with), else None. str.isdigit() alone would let "²"
    through to int(), and a number too large for the column through to the database."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and int(value) <= maximum:
        return int(value)
    return None


@dataclass
class TrailFilter:
    commune_id: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor_id: int | None = None
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""

    def __post_init__(self):
        # the same text record_event() would have stored for it (no NUL: PostgreSQL refuses it)
        self.action, self.entity_type, self.entity_id = (
            storable_text(self.action),
            storable_text(self.entity_type),
            storable_text(self.entity_id),
        )

    @classmethod
    def from_args(cls, commune_id, args):
        """Build from query-string arguments; raises DomainError with a readable reason."""

        def date_arg(name):
            value = (args.get(name) or "").strip()
            if not value:
                return None
            try:
                return parse_date(value)
            except ValueError:
                raise DomainError(_l("Dates are written dd/mm/yyyy."), code="bad_date") from None

        actor = (args.get("user") or "").strip()
        actor_id = whole_number(actor, MAX_USER_ID)
        if actor and actor_id is None:
            raise DomainError(_l("The user filter takes a user id."), code="bad_user")
        f = cls(
            commune_id=commune_id,
            date_from=date_arg("from"),
            date_to=date_arg("to"),
            actor_id=actor_id,
            action=(args.get("action") or "").strip()[:80],
            entity_type=(args.get("entity_type") or "").strip()[:60],
            entity_id=(args.get("entity_id") or "").strip()[:60],
        )
        if f.date_from and f.date_to and f.date_from > f.date_to:
            raise DomainError(_l("The period ends before it starts."), code="bad_period")
        return f

    def query_args(self):
        out = {
            "from": self.date_from.strftime("%d/%m/%Y") if self.date_from else "",
            "to": self.date_to.strftime("%d/%m/%Y") if self.date_to else "",
            "user": "" if self.actor_id is None else self.actor_id,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
        }
        return {k: v for k, v in out.items() if v != ""}

    def period(self):
        """(start, end): the UTC instants the period starts and ends at, None where it is open (a
        bound beyond what a datetime can hold, from 01/01/0001 or to 31/12/9999, excludes nothing)."""
        return (
            _day_start(self.date_from) if self.date_from else None,
            _day_start(self.date_to, days_after=1) if self.date_to else None,
        )

    def statement(self, *columns, period=True):
        """SELECT `columns` (default: the events) WHERE the filter holds; period=False leaves the
        period out (page() finds it as a run of sequence numbers instead)."""
        stmt = select(*(columns or (AuditEvent,))).where(AuditEvent.commune_id == self.commune_id)
        start, end = self.period() if period else (None, None)
        if start is not None:
            stmt = stmt.where(AuditEvent.occurred_at >= start)
        if end is not None:
            stmt = stmt.where(AuditEvent.occurred_at < end)
        if self.actor_id is not None:
            stmt = stmt.where(AuditEvent.actor_id == self.actor_id)
        if self.action:
            if self.action.endswith("*"):
                stmt = stmt.where(AuditEvent.action.startswith(self.action[:-1], autoescape=True))
            else:
                stmt = stmt.where(AuditEvent.action == self.action)
        if self.entity_type:
            stmt = stmt.where(AuditEvent.entity_type == self.entity_type)
        if self.entity_id:
            stmt = stmt.where(AuditEvent.entity_id == self.entity_id)
        return stmt


def _day_start(day, days_after=0):
    """The UTC instant at which `day` (+ days_after) begins in local time, or None if out of range."""
    try:
        return dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time.min, local_tz()).astimezone(dt.UTC)
    except OverflowError:
        return None


def parse_cursor(value):
    value = (value or "").strip()
    if not value:
        return None
    cursor = whole_number(value, MAX_SEQ)
    if cursor is None:
        raise DomainError(_l("The page cursor is not valid."), code="bad_cursor")
    return cursor


def _period_seqs(trail):
    """(first, last): the sequence numbers of the commune's first and last events in the filter's
    period, found with two lookups in the period index; None when the filter has no period, and
    (1, 0) when nothing happened in it. Times never go backwards along the chain (record_event), so
    the commune's events in the period are exactly its events numbered first to last."""
    start, end = trail.period()
    if start is None and end is None:
        return None
    by_time = select(AuditEvent.seq).where(AuditEvent.commune_id == trail.commune_id)
    first = last = None
    if start is not None:
        first = db.session.scalar(
            by_time.where(AuditEvent.occurred_at >= start).order_by(AuditEvent.occurred_at, AuditEvent.seq).limit(1)
        )
    if end is not None:
        last = db.session.scalar(
            by_time.where(AuditEvent.occurred_at < end)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.seq.desc())
            .limit(1)
        )
    if (start is not None and first is None) or (end is not None and last is None):
        return 1, 0
    return first or 1, last if last is not None else MAX_SEQ


def page(trail: TrailFilter, *, before=None, size=50) -> Page:
    """One page, newest first: events with seq < `before` (a qms.core.lists.Page with next_cursor).

    Two steps in one statement: the page's sequence numbers first, walked in seq order down an
    index from the cursor (every index of the trail ends in seq), then those rows only. A period is
    a run of sequence numbers (_period_seqs), so it narrows that walk instead of being read through
    its own index and sorted."""
    seqs = _period_seqs(trail)
    keys = trail.statement(AuditEvent.seq, period=seqs is None)
    # One upper bound: with two (the period's end and the cursor) SQLite walks down from the first it
    # meets, reading every event between them (a deep page of an old month read 83,000 of them).
    below = None if seqs is None or seqs[1] == MAX_SEQ else seqs[1] + 1
    if before is not None:
        below = before if below is None else min(below, before)
    if seqs is not None:
        keys = keys.where(AuditEvent.seq >= seqs[0])
    if below is not None:
        keys = keys.where(AuditEvent.seq < below)
    keys = keys.order_by(AuditEvent.seq.desc()).limit(size + 1)
    rows = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq.in_(keys.scalar_subquery())).order_by(AuditEvent.seq.desc())
        )
    )
    next_cursor = rows[size - 1].seq if len(rows) > size else None
    return Page(
        items=rows[:size], per_page=size, next_cursor=next_cursor, is_first=before is None, args=trail.query_args()
    )


def iterate(trail: TrailFilter, batch=2000):
    """Every event of the filter, newest first, fetched in keyset batches (for exports)."""
    before = None
    while True:
        found = page(trail, before=before, size=batch)
        yield from found.items
        before = found.next_cursor
        if before is None:
            return


def changes_of(event):
    return json.loads(event.changes or "{}")


def event_dict(event):
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "changes": changes_of(event),
        "reason": event.reason,
        "ip": event.ip,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def history_of(commune_id, records, batch=2000):
    """Every event of the commune about any of `records` ((entity_type, entity_id) pairs), oldest
    first, fetched in keyset batches of `batch` (an evidence pack's trail of a record and the
    records around it: thousands of events, never all held at once). Each batch reads the
    commune-type-id-seq index once per record type."""
    by_type = {}
    for entity_type, entity_id in records:
        by_type.setdefault(storable_text(entity_type), set()).add(storable_text(entity_id))
    if not by_type:
        return
    condition = or_(
        *(
            and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(sorted(ids)))
            for entity_type, ids in by_type.items()
        )
    )
    after = 0
    while True:
        rows = list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.commune_id == commune_id, condition, AuditEvent.seq > after)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq
        for row in rows:
            db.session.expunge(row)  # read once and written out: the session need not keep them
