"""record_event(): the one way every change is written to the hash-chained audit trail."""
import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import secrets
from pathlib import Path

from sqlalchemy import select, update

from qms.audit.models import GENESIS_HASH, AuditChainHead, AuditCheckpoint, AuditEvent
from qms.db import db, utcnow

_context = contextvars.ContextVar("audit_context", default={"ip": "", "request_id": ""})


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


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def canonical_changes(changes):
    """{field: (old, new)} -> canonical JSON text, stable across runs and databases."""
    normalised = {str(k): [old, new] for k, (old, new) in (changes or {}).items()}
    return json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _field(value):
    text = "" if value is None else str(value)
    return f"{len(text)}:{text}"


def canonical_bytes(seq, prev_hash, occurred_at, commune_id, actor_id, actor_name, action,
                    entity_type, entity_id, changes, reason, ip, request_id):
    """The exact bytes an event's hash covers: length-prefixed fields, so no boundary can shift."""
    when = occurred_at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    return "".join(map(_field, (seq, prev_hash, when, commune_id, actor_id, actor_name, action,
                                entity_type, entity_id, changes, reason, ip, request_id))).encode("utf-8")


def event_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def entity_ref(entity):
    """(entity_type, entity_id) for a model instance."""
    return getattr(entity, "__audit_type__", entity.__tablename__), str(entity.id)


def record_event(actor, action, entity=None, *, changes=None, reason="", commune_id=None,
                 entity_type=None, entity_id=None):
    """Append one event to the chain in the current transaction and return it.

    actor: the User acting (None for the system or an unknown person); entity: the model
    instance changed (flushed first so it has an id); changes: {field: (old, new)}.
    The chain head row is updated first: that takes the database's write lock (row lock on
    PostgreSQL, the database write lock on SQLite), so concurrent writers queue up and the
    chain cannot fork. If the surrounding transaction rolls back, the event goes with it.
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
    ctx = _context.get()
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        commune_id=commune_id,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.full_name if actor is not None else "",
        action=action,
        entity_type=entity_type or "",
        entity_id="" if entity_id is None else str(entity_id),
        changes=canonical_changes(changes),
        reason=reason or "",
        ip=ctx["ip"],
        request_id=ctx["request_id"],
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
    return canonical_bytes(e.seq, e.prev_hash, e.occurred_at, e.commune_id, e.actor_id, e.actor_name,
                           e.action, e.entity_type, e.entity_id, e.changes, e.reason, e.ip, e.request_id)


def diff(obj, **new_values):
    """Apply new_values to obj and return {field: (old, new)} for those that really changed."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = (old, new)
            setattr(obj, field, new)
    return changes


# --- verification -------------------------------------------------------------------------

class VerifyResult:
    def __init__(self, ok, count, head_hash, broken_seq=None, kind=None, detail=""):
        self.ok, self.count, self.head_hash = ok, count, head_hash
        self.broken_seq, self.kind, self.detail = broken_seq, kind, detail

    def as_dict(self):
        return {"ok": self.ok, "count": self.count, "head_hash": self.head_hash,
                "broken_seq": self.broken_seq, "kind": self.kind, "detail": self.detail}


_COLUMNS = (AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.occurred_at, AuditEvent.commune_id,
            AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.action, AuditEvent.entity_type,
            AuditEvent.entity_id, AuditEvent.changes, AuditEvent.reason, AuditEvent.ip,
            AuditEvent.request_id, AuditEvent.hash)


def verify_chain(key=None, batch=20000):
    """Replay the whole chain. Returns a VerifyResult naming the first broken sequence number and
    how it broke: 'edited' (content no longer matches its hash), 'deleted' (a gap, or the chain
    ends before the recorded head or a checkpoint), 'inserted' (an event that does not belong
    between its neighbours), 'reordered' (an event links to one stored after it), or 'checkpoint'
    (the chain differs from a signed checkpoint: its tail was rewritten). key: the checkpoint key;
    when given, every checkpoint's signature is checked too."""
    session = db.session
    checkpoints = {}
    for cp in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
        if key is not None and not hmac.compare_digest(cp.signature, sign_head(key, cp.seq, cp.hash)):
            return VerifyResult(False, 0, "", cp.seq, "checkpoint",
                                f"checkpoint {cp.id} does not carry a valid signature")
        checkpoints.setdefault(cp.seq, set()).add(cp.hash)

    expected_seq, prev_hash, before_prev = 1, GENESIS_HASH, None
    failure = None
    result = session.execute(select(*_COLUMNS).order_by(AuditEvent.seq).execution_options(yield_per=batch))
    try:
        for seq, link, *content, stored in result:
            if seq != expected_seq:
                failure = VerifyResult(False, expected_seq - 1, prev_hash, expected_seq, "deleted",
                                       f"events {expected_seq}..{seq - 1} are missing")
                break
            content_ok = event_hash(canonical_bytes(seq, link, *content)) == stored
            if link != prev_hash:
                failure = (seq, link, content_ok, before_prev)
                break
            if not content_ok:
                failure = VerifyResult(False, seq - 1, prev_hash, seq, "edited",
                                       f"event {seq} no longer matches its hash")
                break
            if checkpoints.get(seq, {stored}) != {stored}:
                failure = VerifyResult(False, seq - 1, prev_hash, seq, "checkpoint",
                                       f"event {seq} differs from a signed checkpoint: the chain was rewritten")
                break
            before_prev, prev_hash, expected_seq = prev_hash, stored, seq + 1
    finally:
        result.close()
    if isinstance(failure, tuple):
        failure = _diagnose_link(session, prev_hash, *failure)
    if failure is not None:
        return failure
    count = expected_seq - 1
    head = session.get(AuditChainHead, 1)
    if head is not None and head.seq > count:
        return VerifyResult(False, count, prev_hash, count + 1, "deleted",
                            f"the chain ends at {count} but its head records {head.seq}")
    last_cp = max(checkpoints, default=0)
    if last_cp > count:
        return VerifyResult(False, count, prev_hash, count + 1, "deleted",
                            f"a signed checkpoint covers event {last_cp} but the chain ends at {count}")
    return VerifyResult(True, count, prev_hash)


def _diagnose_link(session, prev_hash, seq, link, content_ok, before_prev):
    """Event `seq` does not link to its predecessor: tell insertion, reordering and editing apart."""
    if before_prev is not None and link == before_prev:
        return VerifyResult(False, seq - 2, before_prev, seq - 1, "inserted",
                            f"event {seq - 1} was inserted: event {seq} links past it")
    target = session.scalar(select(AuditEvent.seq).where(AuditEvent.hash == link).limit(1))
    if target is not None and target > seq:
        return VerifyResult(False, seq - 1, prev_hash, seq, "reordered",
                            f"event {seq} links to event {target}, which is stored after it")
    if not content_ok:
        return VerifyResult(False, seq - 1, prev_hash, seq, "edited",
                            f"event {seq} no longer matches its hash")
    return VerifyResult(False, seq - 1, prev_hash, seq, "inserted",
                        f"event {seq} does not link to event {seq - 1}")


# --- checkpoints ----------------------------------------------------------------------------

def checkpoint_key_path(instance_path) -> Path:
    return Path(instance_path) / "audit-checkpoint.key"


def load_checkpoint_key(instance_path, create=False):
    """The secret that signs checkpoints; it never goes into the database."""
    path = checkpoint_key_path(instance_path)
    if not path.exists():
        if not create:
            return None
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def sign_head(key: bytes, seq: int, head_hash: str) -> str:
    return hmac.new(key, f"{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def create_checkpoint(key: bytes):
    """Sign and store the current head. The key stays outside the database, so whoever rewrites
    the chain and its head cannot forge the checkpoint."""
    head = db.session.get(AuditChainHead, 1)
    cp = AuditCheckpoint(seq=head.seq, hash=head.hash, key_id=key_id(key),
                         signature=sign_head(key, head.seq, head.hash))
    db.session.add(cp)
    db.session.flush()
    return cp
