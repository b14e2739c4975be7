"""record_event(): the one way every change is written to the hash-chained audit trail."""

import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import hashlib

from sqlalchemy import bindparam

from qms.audit.models import AuditChainHead, AuditEvent
from qms.core.calendar import utcnow
from qms.core.digests import canonical_json, length_prefixed
from qms.db import db

_NO_CONTEXT = {"ip": "", "request_id": ""}
# the chain is written as rows (SQL expressions on the tables), without the ORM's bookkeeping
_EVENTS = AuditEvent.__table__
_HEAD = AuditChainHead.__table__
_context = contextvars.ContextVar("audit_context", default=None)


@contextlib.contextmanager
def audit_context(*, ip="", request_id=""):
    """Tell record_event() where the change comes from (the web layer and the CLI set this)."""
    token = _context.set({"ip": ip or "", "request_id": request_id or ""})
    try:
        yield
    finally:
        _context.reset(token)


def set_audit_context(*, ip="", request_id=""):
    return _context.set({"ip": ip or "", "request_id": request_id or ""})


def reset_audit_context(token):
    _context.reset(token)


def canonical_changes(changes):
    """{field: (old, new)} -> canonical JSON text, stable across runs and databases."""
    return canonical_json({str(k): [old, new] for k, (old, new) in (changes or {}).items()})


def canonical_bytes(
    seq,
    prev_hash,
    occurred_at,
    commune_id,
    actor_id,
    actor_name,
    action,
    entity_type,
    entity_id,
    changes,
    reason,
    ip,
    request_id,
):
    """The exact bytes an event's hash covers: length-prefixed fields, so no boundary can shift."""
    when = occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return length_prefixed(
        seq,
        prev_hash,
        when,
        commune_id,
        actor_id,
        actor_name,
        action,
        entity_type,
        entity_id,
        changes,
        reason,
        ip,
        request_id,
    ).encode("utf-8")


def event_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def entity_ref(entity):
    """(entity_type, entity_id) for a model instance."""
    return getattr(entity, "__audit_type__", entity.__tablename__), str(entity.id)


def storable_text(text):
    """Text as both databases can store it: PostgreSQL refuses NUL characters in text, and a
    reason typed into a form must never turn a change into a server error."""
    text = "" if text is None else str(text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def record_event(
    actor, action, entity=None, *, changes=None, reason="", commune_id=None, entity_type=None, entity_id=None
):
    """Append one event to the chain in the current transaction and return it.

    actor: the User acting (None for the system or an unknown person); entity: the model
    instance changed (flushed first so it has an id); changes: {field: (old, new)}.
    The chain head row is updated first: that takes the database's write lock (row lock on
    PostgreSQL, the database write lock on SQLite), so concurrent writers queue up and the
    chain cannot fork. If the surrounding transaction rolls back, the event goes with it.

    Times never go backwards along the chain: an event is dated no earlier than the one before it
    (a clock set back, or two servers whose clocks differ, date it at its predecessor's time). So
    the events of any period are one run of sequence numbers, which is how the trail finds them
    (queries.page).
    """
    db.session.flush()
    if entity is None:
        entity = EntityRef(entity_type, entity_id, commune_id)
    elif commune_id is not None:
        entity_type, entity_id = entity_ref(entity)
        entity = EntityRef(entity_type, entity_id, commune_id)
    (values,) = _chained(actor, [(action, entity, changes, reason)])
    # written as a row, not through the session's unit of work: the event is never changed after
    event_id = db.session.execute(_chain_statements()[2], values).scalar_one()
    return AuditEvent(id=event_id, **values)


@dataclasses.dataclass(frozen=True)
class EntityRef:
    """A record an event is about, named without its model instance (record_events)."""

    entity_type: str | None
    entity_id: str | None
    commune_id: int | None = None


def record_events(actor, events) -> int:
    """Append several events of one actor to the chain at once, in order: the events
    record_event() would write one by one, with one update of the chain head and one INSERT for
    all of them (an import of thousands of dossiers records one event per dossier this way).

    events: [(action, entity, changes, reason)], entity a model instance (flushed, so it has an id)
    or an EntityRef. Returns how many were appended."""
    db.session.flush()
    if not events:
        return 0
    db.session.execute(_EVENTS.insert(), _chained(actor, events))
    return len(events)


def _chained(actor, events) -> list:
    """The column values of `events`, each chained to the one before it, the chain head moved past
    them (the head's row is updated first: see record_event)."""
    session = db.session
    head_moved, head_hashed, _insert = _chain_statements()
    last_seq, prev_hash, previous_at = session.execute(head_moved, {"count": len(events)}).one()
    seq = last_seq - len(events) + 1
    occurred_at = utcnow()
    if previous_at is not None and previous_at > occurred_at:
        occurred_at = previous_at
    ctx = _context.get() or _NO_CONTEXT
    actor_id = actor.id if actor is not None else None
    actor_name = storable_text(actor.full_name if actor is not None else "")
    chained = []
    for offset, (action, entity, changes, reason) in enumerate(events):
        if isinstance(entity, EntityRef):
            kind, key, commune_id = entity.entity_type, entity.entity_id, entity.commune_id
        else:
            (kind, key), commune_id = entity_ref(entity), getattr(entity, "commune_id", None)
        if commune_id is None and actor is not None:
            commune_id = actor.commune_id
        values = {
            "seq": seq + offset,
            "occurred_at": occurred_at,
            "commune_id": commune_id,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": storable_text(action),
            "entity_type": storable_text(kind),
            "entity_id": storable_text(key),
            "changes": canonical_changes(changes),  # JSON: a NUL is written as \u0000
            "reason": storable_text(reason),
            "ip": storable_text(ctx["ip"]),
            "request_id": storable_text(ctx["request_id"]),
            "prev_hash": prev_hash,
        }
        values["hash"] = prev_hash = event_hash(canonical_bytes(*(values[name] for name in _HASHED)))
        chained.append(values)
    session.execute(head_hashed, {"new_hash": prev_hash, "new_time": occurred_at})
    return chained


@functools.cache
def _chain_statements():
    """The statements every event is written with, built once per process: moving the chain head
    (and taking the write lock), giving it the new hash, and inserting one event."""
    return (
        _HEAD.update()
        .where(_HEAD.c.id == 1)
        .values(seq=_HEAD.c.seq + bindparam("count"))
        .returning(_HEAD.c.seq, _HEAD.c.hash, _HEAD.c.occurred_at),
        _HEAD.update().where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"), occurred_at=bindparam("new_time")),
        _EVENTS.insert().returning(_EVENTS.c.id),
    )


# The fields an event's hash covers, in canonical_bytes' order.
_HASHED = (
    "seq",
    "prev_hash",
    "occurred_at",
    "commune_id",
    "actor_id",
    "actor_name",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "reason",
    "ip",
    "request_id",
)


def diff(obj, **new_values):
    """Apply new_values to obj and return {field: (old, new)} for those that really changed."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = (old, new)
            setattr(obj, field, new)
    return changes


def diff_members(obj, field, new_members, key=lambda member: member.code):
    """Replace the collection obj.<field> with new_members when their keys (codes, by default)
    differ, and return {field: (old keys, new keys)} sorted, or {} when nothing changed."""
    old, new = sorted(map(key, getattr(obj, field))), sorted(map(key, new_members))
    if old == new:
        return {}
    setattr(obj, field, list(new_members))
    return {field: (old, new)}
