"""record_event(): the one way every change is written to the hash-chained audit trail."""

import contextlib
import contextvars
import datetime as dt
import hashlib

from sqlalchemy import select, update

from qms.audit.models import AuditChainHead, AuditEvent
from qms.core.calendar import utcnow
from qms.core.digests import canonical_json, length_prefixed
from qms.db import db

_NO_CONTEXT = {"ip": "", "request_id": ""}
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
    session = db.session
    session.flush()
    if entity is not None:
        entity_type, entity_id = entity_ref(entity)
        if commune_id is None:
            commune_id = getattr(entity, "commune_id", None)
    if commune_id is None and actor is not None:
        commune_id = actor.commune_id
    head = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.hash)
        .execution_options(synchronize_session=False)
    ).one()
    seq, prev_hash = head
    occurred_at = utcnow()
    previous_at = session.scalar(select(AuditEvent.occurred_at).where(AuditEvent.seq == seq - 1))
    if previous_at is not None and previous_at > occurred_at:
        occurred_at = previous_at
    ctx = _context.get() or _NO_CONTEXT
    event = AuditEvent(
        seq=seq,
        occurred_at=occurred_at,
        commune_id=commune_id,
        actor_id=actor.id if actor is not None else None,
        actor_name=storable_text(actor.full_name if actor is not None else ""),
        action=storable_text(action),
        entity_type=storable_text(entity_type),
        entity_id=storable_text(entity_id),
        changes=canonical_changes(changes),  # JSON: a NUL is written as \u0000
        reason=storable_text(reason),
        ip=storable_text(ctx["ip"]),
        request_id=storable_text(ctx["request_id"]),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(_event_bytes(event))
    session.add(event)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(hash=event.hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return event


def _event_bytes(e):
    return canonical_bytes(
        e.seq,
        e.prev_hash,
        e.occurred_at,
        e.commune_id,
        e.actor_id,
        e.actor_name,
        e.action,
        e.entity_type,
        e.entity_id,
        e.changes,
        e.reason,
        e.ip,
        e.request_id,
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
