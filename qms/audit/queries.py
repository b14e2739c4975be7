"""Reading the trail: filters and keyset (cursor) pagination; never OFFSET."""
import datetime as dt
import json
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.db import DomainError, db
from qms.i18n import local_tz, parse_date


@dataclass
class TrailFilter:
    commune_id: int
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None
    actor_id: Optional[int] = None
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""

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
        if actor and not actor.isdigit():
            raise DomainError(_l("The user filter takes a user id."), code="bad_user")
        f = cls(commune_id=commune_id, date_from=date_arg("from"), date_to=date_arg("to"),
                actor_id=int(actor) if actor else None, action=(args.get("action") or "").strip()[:80],
                entity_type=(args.get("entity_type") or "").strip()[:60],
                entity_id=(args.get("entity_id") or "").strip()[:60])
        if f.date_from and f.date_to and f.date_from > f.date_to:
            raise DomainError(_l("The period ends before it starts."), code="bad_period")
        return f

    def query_args(self):
        out = {"from": self.date_from.strftime("%d/%m/%Y") if self.date_from else "",
               "to": self.date_to.strftime("%d/%m/%Y") if self.date_to else "",
               "user": self.actor_id or "", "action": self.action, "entity_type": self.entity_type,
               "entity_id": self.entity_id}
        return {k: v for k, v in out.items() if v}

    def statement(self):
        stmt = select(AuditEvent).where(AuditEvent.commune_id == self.commune_id)
        tz = local_tz()
        if self.date_from:
            start = dt.datetime.combine(self.date_from, dt.time.min, tz).astimezone(dt.timezone.utc)
            stmt = stmt.where(AuditEvent.occurred_at >= start)
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tz).astimezone(dt.timezone.utc)
            stmt = stmt.where(AuditEvent.occurred_at < end)
        if self.actor_id:
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


def parse_cursor(value):
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise DomainError(_l("The page cursor is not valid."), code="bad_cursor")
    return int(value)


def page(trail: TrailFilter, *, before=None, size=50):
    """One page, newest first: events with seq < `before`. Returns (events, next_cursor or None)."""
    stmt = trail.statement()
    if before is not None:
        stmt = stmt.where(AuditEvent.seq < before)
    rows = list(db.session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(size + 1)))
    next_cursor = rows[size - 1].seq if len(rows) > size else None
    return rows[:size], next_cursor


def iterate(trail: TrailFilter, batch=2000):
    """Every event of the filter, newest first, fetched in keyset batches (for exports)."""
    before = None
    while True:
        events, before = page(trail, before=before, size=batch)
        yield from events
        if before is None:
            return


def changes_of(event):
    return json.loads(event.changes or "{}")


def event_dict(event):
    return {"seq": event.seq, "occurred_at": event.occurred_at.isoformat(), "actor_id": event.actor_id,
            "actor_name": event.actor_name, "action": event.action, "entity_type": event.entity_type,
            "entity_id": event.entity_id, "changes": changes_of(event), "reason": event.reason,
            "ip": event.ip, "request_id": event.request_id, "prev_hash": event.prev_hash, "hash": event.hash}
