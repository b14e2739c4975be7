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
from qms.db import db
from qms.core.calendar import utcnow

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


def storable_text(text):
    """Text as both databases can store it: PostgreSQL refuses NUL characters in text, and a
    reason typed into a form must never turn a change into a server error."""
    text = "" if text is None else str(text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def record_event(actor, action, entity=None, *, changes=None, reason="", commune_id=None,
                 entity_type=None, entity_id=None):
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
    ctx = _context.get()
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


def diff_members(obj, field, new_members, key=lambda member: member.code):
    """Replace the collection obj.<field> with new_members when their keys (codes, by default)
    differ, and return {field: (old keys, new keys)} sorted, or {} when nothing changed."""
    old, new = sorted(map(key, getattr(obj, field))), sorted(map(key, new_members))
    if old == new:
        return {}
    setattr(obj, field, list(new_members))
    return {field: (old, new)}


# --- verification -------------------------------------------------------------------------

class VerifyResult:
    def __init__(self, ok, count, head_hash, broken_seq=None, kind=None, detail=""):
        self.ok, self.count, self.head_hash = ok, count, head_hash
        self.broken_seq, self.kind, self.detail = broken_seq, kind, detail
        self.signatures_checked = False  # set by verify_installation(): was a checkpoint key there?

    def as_dict(self):
        return {"ok": self.ok, "count": self.count, "head_hash": self.head_hash,
                "broken_seq": self.broken_seq, "kind": self.kind, "detail": self.detail}


_COLUMNS = (AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.occurred_at, AuditEvent.commune_id,
            AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.action, AuditEvent.entity_type,
            AuditEvent.entity_id, AuditEvent.changes, AuditEvent.reason, AuditEvent.ip,
            AuditEvent.request_id, AuditEvent.hash)
_SCAN_SQL = f"SELECT {', '.join(c.name for c in _COLUMNS)} FROM {AuditEvent.__tablename__} ORDER BY seq"
# canonical_bytes() for the raw values of one row, in one formatting operation: the 13 fields
# as "<length>:<text>", exactly as _field() writes them
_CANONICAL_FORMAT = "%d:%s" * 13
_UTC = dt.timezone.utc


def _raw_time_reader(dialect):
    """raw occurred_at value -> the text canonical_bytes() writes for it. A value in an unexpected
    form gives a text that does not match, and the row is then checked the exact way."""
    if dialect.name == "sqlite":
        # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff" (UTC, see UTCDateTime). Only that text (or
        # the same instant written with a "T") turns into the canonical "YYYY-MM-DDTHH:MM:SS.ffffff+00:00".
        def read(value):
            return value.replace(" ", "T", 1) + "+00:00"
    else:
        def read(value):
            return value.astimezone(_UTC).isoformat(timespec="microseconds")
    return read


def _exact_hash(session, raw_row):
    """The event hash of a raw row computed the slow, exact way: the values converted by the
    column types as the ORM would load them, then canonical_bytes(). None if a value cannot be
    read at all (which only tampering produces)."""
    dialect = session.get_bind().dialect
    values = list(raw_row[:13])
    try:
        time_type = AuditEvent.__table__.c.occurred_at.type.dialect_impl(dialect)
        values[2] = time_type.result_processor(dialect, None)(values[2])
        return event_hash(canonical_bytes(*values))
    except (TypeError, ValueError, AttributeError, OverflowError):
        return None


def verify_installation(instance_path):
    """verify_chain() as the installation runs it: with the checkpoint key and the checkpoint
    journal, both kept in the instance folder, outside the database."""
    key = load_checkpoint_key(instance_path)
    result = verify_chain(key=key, journal=read_journal(instance_path))
    result.signatures_checked = key is not None
    return result


def verify_chain(key=None, batch=20000, journal=()):
    """Replay the whole chain. Returns a VerifyResult naming the first broken sequence number and
    how it broke: 'edited' (content no longer matches its hash, or the chain no longer ends at the
    recorded head), 'deleted' (a gap, or the chain ends before the recorded head or a checkpoint),
    'inserted' (an event that does not belong between its neighbours, or beyond the head),
    'reordered' (an event links to one stored after it), or 'checkpoint' (the chain differs from a
    signed checkpoint: its tail was rewritten). key: the checkpoint key; when given, every
    checkpoint's signature is checked too. journal: the checkpoints kept outside the database
    (read_journal), compared like those inside it, so that deleting checkpoint rows does not hide
    a rewrite.

    Every event is checked in full (sequence number, link and hash over all its fields); the rows
    are read raw and serialised in one step, and only a row that fails this fast check is looked
    at again the exact way (column types, canonical_bytes()) before it is reported."""
    session = db.session
    checkpoints = {}
    for cp in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
        if key is not None and not hmac.compare_digest(cp.signature, sign_head(key, cp.seq, cp.hash)):
            return VerifyResult(False, 0, "", cp.seq, "checkpoint",
                                f"checkpoint {cp.id} does not carry a valid signature")
        checkpoints.setdefault(cp.seq, set()).add(cp.hash)
    for entry in journal:
        if key is not None and not hmac.compare_digest(entry.signature, sign_head(key, entry.seq, entry.hash)):
            return VerifyResult(False, 0, "", entry.seq, "checkpoint",
                                f"the journal's checkpoint of event {entry.seq} does not carry a valid signature")
        checkpoints.setdefault(entry.seq, set()).add(entry.hash)
    # The head is read before and after the scan: every event up to the first reading was committed
    # before the scan began (events are numbered under the head's lock), and no honest event can be
    # numbered beyond the second. Events written meanwhile are neither missing nor inserted.
    head_before = session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                                  .where(AuditChainHead.id == 1)).one_or_none()

    expected, prev_hash, before_prev = 1, GENESIS_HASH, None
    failure = None
    read_time = _raw_time_reader(session.get_bind().dialect)
    fmt, sha256 = _CANONICAL_FORMAT, hashlib.sha256
    head_seq = head_before.seq if head_before is not None else None
    head_hash = head_before.hash if head_before is not None else None
    # raw values, streamed (a server-side cursor on PostgreSQL): no per-row type conversion
    result = session.connection().exec_driver_sql(_SCAN_SQL, execution_options={"yield_per": batch})
    try:
        for row in result:
            (seq, link, when, commune, actor, name, action, etype, eid, changes, reason, ip, rid,
             stored) = row
            if seq != expected:
                failure = ("sequence", row)
                break
            if link != prev_hash:
                failure = ("link", row)
                break
            try:
                s, c, a, w = str(seq), "" if commune is None else str(commune), \
                    "" if actor is None else str(actor), read_time(when)
                content_ok = sha256((fmt % (
                    len(s), s, len(link), link, len(w), w, len(c), c, len(a), a, len(name), name,
                    len(action), action, len(etype), etype, len(eid), eid, len(changes), changes,
                    len(reason), reason, len(ip), ip, len(rid), rid)).encode()).hexdigest() == stored
            except (TypeError, ValueError, AttributeError):  # a NULL or a foreign type: only tampering
                content_ok = False
            if not content_ok and _exact_hash(session, row) != stored:
                failure = ("content", row)
                break
            if seq in checkpoints and checkpoints[seq] != {stored}:
                failure = ("checkpoint", row)
                break
            if seq == head_seq and stored != head_hash:
                failure = ("head", row)
                break
            before_prev, prev_hash, expected = prev_hash, stored, seq + 1
    finally:
        result.close()
    if failure is not None:
        return _diagnose(session, failure, expected, prev_hash, before_prev, head_seq)

    count = expected - 1
    head_after = session.execute(select(AuditChainHead.seq).where(AuditChainHead.id == 1)).scalar()
    if head_seq is not None and head_seq > count:
        return VerifyResult(False, count, prev_hash, count + 1, "deleted",
                            f"the chain ends at {count} but its head records {head_seq}")
    if head_after is not None and count > head_after:
        return VerifyResult(False, head_after, _hash_of(session, head_after), head_after + 1, "inserted",
                            f"events {head_after + 1}..{count} lie beyond the head, which records {head_after}")
    last_cp = max(checkpoints, default=0)
    if last_cp > count:
        return VerifyResult(False, count, prev_hash, count + 1, "deleted",
                            f"a signed checkpoint covers event {last_cp} but the chain ends at {count}")
    return VerifyResult(True, count, prev_hash)


def _hash_of(session, seq):
    if seq == 0:
        return GENESIS_HASH
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq)) or ""


def _diagnose(session, failure, expected, prev_hash, before_prev, head_seq):
    """Name the first break the scan met. `expected` is the sequence number the scan wanted next,
    `prev_hash` the hash of the event before it, `before_prev` the hash of the one before that."""
    what, row = failure
    seq, link, stored = row[0], row[1], row[13]
    verified = expected - 1
    if what == "sequence":
        if seq < expected:  # a number the chain has already used, or below 1
            return VerifyResult(False, verified, prev_hash, seq, "inserted",
                                f"event {seq} is stored after event {verified}")
        if head_seq is not None and expected > head_seq:
            return VerifyResult(False, verified, prev_hash, seq, "inserted",
                                f"event {seq} lies beyond the head, which records {head_seq}")
        return VerifyResult(False, verified, prev_hash, expected, "deleted",
                            f"events {expected}..{seq - 1} are missing")
    if what == "checkpoint":
        return VerifyResult(False, verified, prev_hash, seq, "checkpoint",
                            f"event {seq} differs from a signed checkpoint: the chain was rewritten")
    if what == "head":
        return VerifyResult(False, verified, prev_hash, seq, "edited",
                            f"event {seq} differs from the chain head: the chain was rewritten up to it")
    if what == "content":
        if _next_link(session, seq) == prev_hash:
            return VerifyResult(False, verified, prev_hash, seq, "inserted",
                                f"event {seq} was inserted: event {seq + 1} links past it")
        return VerifyResult(False, verified, prev_hash, seq, "edited",
                            f"event {seq} no longer matches its hash")
    # the link is broken: tell insertion, reordering and editing apart
    if before_prev is not None and link == before_prev:
        return VerifyResult(False, seq - 2, before_prev, seq - 1, "inserted",
                            f"event {seq - 1} was inserted: event {seq} links past it")
    target = session.scalar(select(AuditEvent.seq).where(AuditEvent.hash == link).limit(1))
    if target is not None and target > seq:
        return VerifyResult(False, verified, prev_hash, seq, "reordered",
                            f"event {seq} links to event {target}, which is stored after it")
    if _next_link(session, seq) == prev_hash:
        return VerifyResult(False, verified, prev_hash, seq, "inserted",
                            f"event {seq} was inserted: event {seq + 1} links past it")
    if seq == 1 or _exact_hash(session, row) != stored:
        return VerifyResult(False, verified, prev_hash, seq, "edited",
                            f"event {seq} no longer matches its hash" if seq > 1 else
                            "event 1 does not start from the genesis hash")
    # event `seq` is intact but links to a hash no event has: its predecessor was rewritten (content
    # and hash), which only moved the break one event on
    return VerifyResult(False, seq - 2, before_prev, seq - 1, "edited",
                        f"event {seq - 1} was rewritten: event {seq} links to a hash no event has")


def _next_link(session, seq):
    return session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.seq > seq)
                          .order_by(AuditEvent.seq).limit(1))


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


def create_checkpoint(key: bytes, instance_path=None):
    """Sign and store the current head. The key stays outside the database, so whoever rewrites
    the chain and its head cannot forge the checkpoint; with instance_path the checkpoint is also
    appended to the journal there (journal_path), so that deleting its row does not help either."""
    head = db.session.get(AuditChainHead, 1)
    cp = AuditCheckpoint(seq=head.seq, hash=head.hash, key_id=key_id(key),
                         signature=sign_head(key, head.seq, head.hash), created_at=utcnow())
    db.session.add(cp)
    db.session.flush()
    if instance_path is not None:
        # The head it signs is committed already: the entry is true whatever becomes of this transaction.
        with journal_path(instance_path).open("a", encoding="utf-8") as journal:
            journal.write(json.dumps({"seq": cp.seq, "hash": cp.hash, "key_id": cp.key_id,
                                      "signature": cp.signature, "created_at": cp.created_at.isoformat()}) + "\n")
    return cp


class JournalEntry:
    def __init__(self, seq, hash, signature):
        self.seq, self.hash, self.signature = seq, hash, signature


def journal_path(instance_path) -> Path:
    return Path(instance_path) / "audit-checkpoints.jsonl"


def read_journal(instance_path):
    """The checkpoints of the journal file, oldest first (none when there is no journal). A line
    that cannot be read becomes an entry that can never match, so that a damaged journal shows."""
    path = journal_path(instance_path)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entries.append(JournalEntry(int(data["seq"]), str(data["hash"]), str(data["signature"])))
        except (ValueError, KeyError, TypeError):
            entries.append(JournalEntry(0, "unreadable journal line", ""))
    return entries


def set_aside_journal(instance_path, head_seq, now=None):
    """After restoring an older backup: move the journal's checkpoints of events beyond the restored
    head (events the restore deliberately gave up) to a dated file beside it. Returns that file,
    or None when no checkpoint lay beyond the head."""
    path = journal_path(instance_path)
    entries = read_journal(instance_path)
    if not any(entry.seq > head_seq for entry in entries):
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [line for line, entry in zip(lines, entries) if entry.seq <= head_seq]
    aside = path.with_name(f"{path.stem}.before-restore-{(now or utcnow()):%Y%m%d-%H%M%S}{path.suffix}")
    aside.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return aside
