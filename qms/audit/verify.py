"""Verifying the audit trail: verify_chain() replays the hash chain; the signed checkpoints
(qms.audit.checkpoints) pin it, so that a rewrite is named at its first event, and the last verified
state lets a daily check resume after it instead of rehashing every event."""

import bisect
import datetime as dt
import functools
import hashlib
import hmac
import multiprocessing
import os
import sqlite3
import sys
import threading
from operator import methodcaller

from sqlalchemy import func, or_, select, text

from qms.audit.checkpoints import (
    EVIDENCE_DIGITS,
    forget_verified_state,
    load_checkpoint_key,
    read_journal,
    read_verified_state,
    record_last_check,
    record_verified_state,
    sign_head,
)
from qms.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from qms.audit.services import canonical_bytes, event_hash
from qms.db import db

RANGE_SIZE = 5000  # events per range query: the aggregated text of a range stays in the CPU cache
PARALLEL_FROM = 200_000  # fewer events are verified in this process: starting workers would cost more
MAX_WORKERS = 4


class VerifyResult:
    def __init__(self, ok, count, head_hash, broken_seq=None, kind=None, detail=""):
        self.ok, self.count, self.head_hash = ok, count, head_hash
        self.broken_seq, self.kind, self.detail = broken_seq, kind, detail
        self.signatures_checked = False  # set by verify_installation(): was a checkpoint key there?
        self.resumed_from = None  # the event after which a resumed check began (None: every event was replayed)
        self.note = None  # why a check asked to resume replayed every event instead
        self.confirmed = None  # (seq, hash) of the last checkpoint this check found the chain agreeing with

    def as_dict(self):
        return {
            "ok": self.ok,
            "count": self.count,
            "head_hash": self.head_hash,
            "broken_seq": self.broken_seq,
            "kind": self.kind,
            "detail": self.detail,
            "resumed_from": self.resumed_from,
        }


# --- verification -------------------------------------------------------------------------


def verify_installation(instance_path, *, resume=False, workers=None):
    """verify_chain() as the installation runs it: with the checkpoint key and the checkpoint journal,
    both kept in the instance folder, outside the database.

    resume: start after the last verified state (read_verified_state) when it is genuine and its
    event still carries its hash; otherwise replay every event, and say why in result.note. A check
    that resumes reads only the events, checkpoints and journal entries after that state.

    Its result is kept (record_last_check) for the workspace's front page. Afterwards the last
    verified state becomes the last checkpoint this check found the chain agreeing with; a broken
    chain, or a full check that found no checkpoint, forgets it (so a restored or replaced database
    is never resumed from a state verified on another)."""
    key = load_checkpoint_key(instance_path)
    since, unusable = read_verified_state(instance_path, key) if resume else (None, None)
    since, vouched, changed = _resumable(db.session, since)
    journal = read_journal(instance_path, after=since.seq if since is not None else 0)
    result = _verify(db.session, key, RANGE_SIZE, journal, since, workers, vouched)
    result.signatures_checked = key is not None
    result.note = changed or unusable
    record_last_check(instance_path, key, result)
    if not result.ok:
        forget_verified_state(instance_path)
    elif key is not None and result.confirmed is not None:
        record_verified_state(instance_path, key, *result.confirmed)
    elif since is None:
        forget_verified_state(instance_path)
    return result


def verify_chain(key=None, batch=RANGE_SIZE, journal=(), *, since=None, workers=None):
    """Replay the chain. Returns a VerifyResult naming the first broken sequence number and how it
    broke: 'edited' (content no longer matches its hash, or the chain no longer ends at the recorded
    head), 'deleted' (a gap, or the chain ends before the recorded head or a checkpoint), 'inserted'
    (an event that does not belong between its neighbours, or beyond the head), 'reordered' (an event
    links to one stored after it), or 'checkpoint' (an event differs from what a signed checkpoint
    recorded: the chain was rewritten from that event on). key: the checkpoint key; when given, every
    checkpoint's signature is checked too. journal: the checkpoints kept outside the database
    (read_journal), compared like those inside it, so that deleting checkpoint rows does not hide a
    rewrite. since: a VerifiedState to resume after (its event must still carry its hash, or every
    event is replayed); only the checkpoints after it are read. workers: processes to share the
    replay between (None: as many as the processors, up to MAX_WORKERS, for a long chain).

    Every event is checked in full (sequence number, link and hash over all its fields). The events
    are read a range of `batch` at a time, the database writing each one's canonical bytes; only a
    range that fails this check is read again event by event and looked at the exact way (column
    types, canonical_bytes()) before a break is reported."""
    since, vouched, changed = _resumable(db.session, since)
    result = _verify(db.session, key, batch, journal, since, workers, vouched)
    result.note = changed
    return result


def _resumable(session, since):
    """(since, pins, note): the state to resume after, when its event still carries its hash;
    otherwise None, with the state kept as one more signed witness of that hash, and why."""
    if since is None or _hash_of(session, since.seq) == since.hash:
        return since, [], None
    return (
        None,
        [_Pin(since.seq, since.hash, "", "the last verified state", checkpoint=False)],
        f"event {since.seq} no longer carries the hash it had when it was verified",
    )


def _verify(session, key, batch, journal, since, workers, vouched):
    result = _outcome(session, key, batch, journal, since, workers, vouched)
    result.resumed_from = since.seq if since is not None else None
    return result


def _outcome(session, key, batch, journal, since, workers, vouched):
    after = since.seq if since is not None else 0
    pins, failure = _read_pins(session, key, journal, after)
    if failure is not None:
        return failure
    pins = _Pins(pins + vouched)
    # The head is read before and after the scan: every event up to the first reading was committed
    # before the scan began (events are numbered under the head's lock), and no honest event can be
    # numbered beyond the second. Events written meanwhile are neither missing nor inserted.
    head = session.execute(
        select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)
    ).one_or_none() or (None, None)
    if since is None:
        state = _State(1, GENESIS_HASH, None)
    else:
        state = _State(since.seq + 1, since.hash, _hash_of(session, since.seq - 1) if since.seq > 0 else None)
    if since is None and session.scalar(
        select(func.count()).select_from(AuditEvent).where(or_(AuditEvent.seq.is_(None), AuditEvent.seq < 1))
    ):
        # events numbered outside the chain: replay it all the exact way, which meets them in order
        failure = _replay(session, state, pins, head, from_start=True)
    else:
        end = head[0] if head[0] is not None else session.scalar(select(func.max(AuditEvent.seq))) or 0
        failure = _scan(session, state, pins, head, end, batch, workers)
    if failure is not None:
        return _diagnose(session, failure, state, head[0])

    count = state.expected - 1
    head_seq, prev_hash = head[0], state.prev
    head_after = session.execute(select(AuditChainHead.seq).where(AuditChainHead.id == 1)).scalar()
    if head_seq is not None and head_seq > count:
        return VerifyResult(
            False, count, prev_hash, count + 1, "deleted", f"the chain ends at {count} but its head records {head_seq}"
        )
    if head_after is not None and count > head_after:
        return VerifyResult(
            False,
            head_after,
            _hash_of(session, head_after),
            head_after + 1,
            "inserted",
            f"events {head_after + 1}..{count} lie beyond the head, which records {head_after}",
        )
    beyond = pins.last()
    if beyond is not None and beyond.seq > count:
        return VerifyResult(
            False,
            count,
            prev_hash,
            count + 1,
            "deleted",
            f"{beyond.label} covers event {beyond.seq}, but the chain ends at {count}",
        )
    result = VerifyResult(True, count, prev_hash)
    result.confirmed = pins.confirmed()
    return result


def _hash_of(session, seq):
    if seq == 0:
        return GENESIS_HASH
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq)) or ""


class _State:
    """Where a replay stands: the sequence number it expects next, the hash of the event before it
    (the link it expects) and the hash of the one before that."""

    def __init__(self, expected, prev, before_prev):
        self.expected, self.prev, self.before_prev = expected, prev, before_prev

    def advance(self, seq, stored):
        self.expected, self.prev, self.before_prev = seq + 1, stored, self.prev


# --- checkpoints as verification reads them ------------------------------------------------------

_HEX_DIGITS = b"0123456789abcdef"  # evidence is made of these alone: deleting them leaves nothing


class _Pin:
    """What a checkpoint (or the last verified state) vouches for: event `seq` has `hash`, and the
    events before it, back to `first`, have hashes starting with the digits of `evidence`."""

    def __init__(self, seq, hash, evidence, label, checkpoint=True):
        self.seq, self.hash, self.evidence, self.label, self.checkpoint = seq, hash, evidence, label, checkpoint
        self.first = seq - len(evidence) // EVIDENCE_DIGITS + 1 if evidence else seq

    def expected_prefix(self, seq):
        at = (seq - self.first) * EVIDENCE_DIGITS
        return self.evidence[at : at + EVIDENCE_DIGITS]


_CHECKPOINTS_AFTER = text("SELECT * FROM audit_checkpoints WHERE seq > :after ORDER BY seq, id")


def _read_pins(session, key, journal, after):
    """The checkpoints of events after `after`, from the database and the journal; a checkpoint whose
    signature (checked when the key is given) or evidence is not genuine is a break at its event."""
    pins = []
    # every column, so that a database restored from before the evidence (not yet upgraded) verifies too
    rows = session.execute(_CHECKPOINTS_AFTER, {"after": after}).mappings()
    sources = [
        (
            row["seq"],
            row["hash"],
            row["signature"],
            row.get("evidence", ""),
            f"checkpoint {row['id']}",
            f"checkpoint {row['id']}",
        )
        for row in rows
    ]
    sources += [
        (
            e.seq,
            e.hash,
            e.signature,
            e.evidence,
            f"the journal's checkpoint of event {e.seq}",
            "a checkpoint in the journal",
        )
        for e in journal
        if e.seq > after
    ]
    seen = set()
    for seq, hash_, signature, evidence, name, label in sources:
        evidence = evidence or ""
        if key is not None and not hmac.compare_digest(str(signature or ""), sign_head(key, seq, hash_, evidence)):
            return None, VerifyResult(False, 0, "", seq, "checkpoint", f"{name} does not carry a valid signature")
        if (
            not isinstance(evidence, str)
            or len(evidence) % EVIDENCE_DIGITS
            or not evidence.isascii()
            or evidence.encode().translate(None, _HEX_DIGITS)
            or len(evidence) // EVIDENCE_DIGITS > seq
        ):
            return None, VerifyResult(False, 0, "", seq, "checkpoint", f"the evidence of {name} cannot be read")
        if (seq, hash_, evidence) not in seen:  # a checkpoint and its journal entry say the same
            seen.add((seq, hash_, evidence))
            pins.append(_Pin(seq, hash_, evidence, label))
    return pins, None


class _Pins:
    """The pins of one verification, found by the events they cover."""

    def __init__(self, pins):
        self.pins = sorted(pins, key=lambda pin: (pin.first, pin.seq))
        self.firsts = [pin.first for pin in self.pins]
        # reach[i]: the furthest event any of the first i + 1 pins covers, to stop looking back early
        self.reach, furthest = [], -1
        for pin in self.pins:
            furthest = max(furthest, pin.seq)
            self.reach.append(furthest)

    def overlapping(self, first, last):
        """The pins that cover some event of first..last."""
        i = bisect.bisect_right(self.firsts, last) - 1
        while i >= 0 and self.reach[i] >= first:
            if self.pins[i].seq >= first:
                yield self.pins[i]
            i -= 1

    def contradicted_at(self, seq, stored):
        """The first pin that event `seq`, stored with hash `stored`, contradicts, or None."""
        for pin in self.overlapping(seq, seq):
            if pin.seq == seq and stored != pin.hash:
                return pin
            if pin.evidence and stored[:EVIDENCE_DIGITS] != pin.expected_prefix(seq):
                return pin
        return None

    def last(self):
        return max(self.pins, key=lambda pin: pin.seq, default=None)

    def confirmed(self):
        """The last checkpoint found in agreement (all of them, when the chain verified)."""
        checkpoints = [pin for pin in self.pins if pin.checkpoint]
        last = max(checkpoints, key=lambda pin: pin.seq, default=None)
        return (last.seq, last.hash) if last is not None else None


# --- the fast check, a range of events at a time -------------------------------------------------

_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.prev_hash,
    AuditEvent.occurred_at,
    AuditEvent.commune_id,
    AuditEvent.actor_id,
    AuditEvent.actor_name,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.changes,
    AuditEvent.reason,
    AuditEvent.ip,
    AuditEvent.request_id,
    AuditEvent.hash,
)
_COLUMN_LIST = ", ".join(c.name for c in _COLUMNS)
_SCAN_SQL = f"SELECT {_COLUMN_LIST} FROM {AuditEvent.__tablename__} ORDER BY seq"
_SCAN_FROM = text(f"SELECT {_COLUMN_LIST} FROM {AuditEvent.__tablename__} WHERE seq >= :start ORDER BY seq")
_CONTENT = [c.name for c in _COLUMNS[2:13]]  # the fields after seq and prev_hash

# One row per range: whether a field holds what the canonical bytes written here would not show, the
# sequence numbers, the links and the hashes in order (comma-separated, so each is compared whole), and
# each event's canonical bytes (as canonical_bytes() writes them: "<length>:<text>" per field),
# separated by NUL. The sequence numbers, links and hashes are compared in full, so they also tell
# that the rows came in order and that none is missing or doubled.
#
# SQLite: printf() and length() stop a text at its first NUL character, so a field with a NUL and
# more after it would be written like its first part alone; and a BLOB holding a text's bytes would
# be written like that text, where the application reads bytes. No honest event holds either
# (record_event() stores no NUL). json_array() writes a NUL as \u0000 and refuses a BLOB (an error):
# the range is then checked the exact way, as it is when a link or a hash is a BLOB, or when a field
# holds the six characters \u0000 themselves (a NUL typed into a changed field, escaped in `changes`).
_SQLITE_TIME = "replace(occurred_at, ' ', 'T')"  # SQLAlchemy's text of a UTC time -> its ISO form
_SQLITE_RANGE = (
    "SELECT max(instr(json_array(" + ", ".join(_CONTENT) + "), '\\u0000') OR prev_hash >= x'' OR hash >= x''), "
    "group_concat(seq), group_concat(prev_hash), group_concat(hash), "
    "CAST(group_concat(printf('" + "%d:%s" * 2 + "%d:%s+00:00" + "%d:%s" * 10 + "', "
    "length(seq), seq, length(prev_hash), prev_hash, length(occurred_at) + 6, "
    + _SQLITE_TIME
    + ", "
    + ", ".join(f"length({c}), {c}" for c in _CONTENT[1:])
    + "), char(0)) AS BLOB) "
    "FROM audit_events WHERE seq BETWEEN ? AND ?"
)
# PostgreSQL: a text cannot hold a NUL there, and no column a value of another type. The inner query
# writes each field's text once and hands the rows over in order (OFFSET 0 keeps the planner from
# merging it into the outer one); the aggregates take them as they come, which the comparison of the
# sequence numbers checks.
_PG_FIELDS = {
    "s": "seq::text",
    "p": "prev_hash",
    "t": """to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""",
    "c": "coalesce(commune_id::text, '')",
    "a": "coalesce(actor_id::text, '')",
    **{column: column for column in _CONTENT[3:]},
}
_PG_RANGE = (
    "SELECT 0, string_agg(s, ','), string_agg(p, ','), string_agg(hash, ','), "
    "string_agg(convert_to(concat(" + ", ".join(f"length({f}), ':', {f}" for f in _PG_FIELDS) + "), 'UTF8'), "
    "'\\x00'::bytea) "
    "FROM (SELECT hash, "
    + ", ".join(f"{expression} AS {name}" if name != expression else name for name, expression in _PG_FIELDS.items())
    + " FROM audit_events WHERE seq BETWEEN %s AND %s ORDER BY seq OFFSET 0) AS e"
)
_RANGE_SQL = {"sqlite": _SQLITE_RANGE, "postgresql": _PG_RANGE}
_hexdigest = methodcaller("hexdigest")
_STRIDE = 65  # a hash and its comma


def _check_range(cursor, first, last, *, sql, pins, head):
    """The fast check of events first..last: None if anything is amiss (the range is then replayed
    the exact way), else (the link of the first event, the hash of the last, the hash before it)."""
    try:
        odd, seqs, links, hashes, canonical = cursor.execute(sql, (first, last)).fetchone()
        if (
            odd
            or seqs != ",".join(map(str, range(first, last + 1)))
            or canonical is None
            or hashes != ",".join(map(_hexdigest, map(hashlib.sha256, bytes(canonical).split(b"\0"))))
        ):
            return None
        first_link, _comma, later_links = links.partition(",")
        if later_links != hashes[:-_STRIDE]:
            return None
    except (AttributeError, TypeError, sqlite3.Error):  # a NULL; a BLOB (see _SQLITE_RANGE)
        return None
    # `hashes` holds exactly one 64-digit hash per event from here on
    for pin in pins.overlapping(first, last):
        if first <= pin.seq <= last and _hash_at(hashes, pin.seq - first) != pin.hash:
            return None
        if pin.evidence:
            low, high = max(first, pin.first), min(last, pin.seq)
            ours = hashes[(low - first) * _STRIDE : (high - first + 1) * _STRIDE]
            theirs = pin.evidence[(low - pin.first) * EVIDENCE_DIGITS : (high - pin.first + 1) * EVIDENCE_DIGITS]
            # digit i of every hash against digit i of every piece of evidence, in 16 comparisons
            if any(ours[i::_STRIDE] != theirs[i::EVIDENCE_DIGITS] for i in range(EVIDENCE_DIGITS)):
                return None
    head_seq, head_hash = head
    if head_seq is not None and first <= head_seq <= last and _hash_at(hashes, head_seq - first) != head_hash:
        return None
    before_last = _hash_at(hashes, last - first - 1) if last > first else first_link
    return first_link, _hash_at(hashes, last - first), before_last


def _hash_at(hashes, index):
    return hashes[index * _STRIDE : index * _STRIDE + 64]


def _scan(session, state, pins, head, end, batch, workers):
    """Check events state.expected..end a range at a time (in worker processes for a long chain), then
    the events beyond them one by one. Returns the first failure, or None with `state` at the end."""
    ranges = [(first, min(first + batch - 1, end)) for first in range(state.expected, end + 1, batch)]
    sql = _RANGE_SQL.get(session.get_bind().dialect.name)
    outcomes = _check_ranges(session, ranges, sql, pins, head, workers) if sql else [None] * len(ranges)
    for (_first, last), outcome in zip(ranges, outcomes):
        if outcome is not None and outcome[0] == state.prev:
            state.expected, state.prev, state.before_prev = last + 1, outcome[1], outcome[2]
            continue
        failure = _replay(session, state, pins, head, stop=last)
        if failure is not None:
            return failure
    return _replay(session, state, pins, head)


def _check_ranges(session, ranges, sql, pins, head, workers):
    if not ranges:
        return []
    check = functools.partial(_check_range, sql=sql, pins=pins, head=head)
    count = _worker_count(workers, ranges)
    if count > 1:
        connect = _connector(session.get_bind())
        if connect is not None:
            return _in_workers(ranges, check, connect, count)
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        return [check(cursor, first, last) for first, last in ranges]
    finally:
        cursor.close()


def _worker_count(workers, ranges):
    if workers is None:
        events = ranges[-1][1] - ranges[0][0] + 1 if ranges else 0
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if events >= PARALLEL_FROM else 1
    return min(workers, len(ranges)) if workers > 1 and _can_fork() else 1


def _can_fork():
    """Whether workers can be forked from this process. Not from one that runs other threads (a web
    server's): a lock another thread holds at that moment would stay held forever in the copy."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _connector(engine):
    """A function opening a new DB-API connection to the same database, for a worker process (a
    connection must never be shared across a fork), or None for a database no other process can open."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return None
        return functools.partial(sqlite3.connect, url.database, timeout=30)
    if url.get_backend_name() == "postgresql":
        import psycopg

        return functools.partial(
            psycopg.connect, url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
    return None


def _in_workers(ranges, check, connect, count):
    """check() every range in `count` forked processes, each over a contiguous share with a connection
    of its own. The ranges of a worker that cannot start or fails to answer come back as None: checked
    the exact way."""
    context = multiprocessing.get_context("fork")
    share = -(-len(ranges) // count)
    jobs = []
    for start in range(0, len(ranges), share):
        part = ranges[start : start + share]
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(part, check, connect, sender), daemon=True)
        try:
            process.start()
        except OSError:  # no memory or no process left for another one
            process = None
        sender.close()
        jobs.append((process, receiver, part))
    outcomes = []
    for process, receiver, part in jobs:
        answer = None
        try:
            if process is not None:
                answer = receiver.recv()
        except EOFError:
            pass
        finally:
            receiver.close()
            if process is not None:
                process.join()
        outcomes.extend(answer if answer is not None else [None] * len(part))
    return outcomes


def _work(part, check, connect, sender):
    try:
        connection = connect()
        try:
            cursor = connection.cursor()
            answer = [check(cursor, first, last) for first, last in part]
        finally:
            connection.close()
    except Exception:  # noqa: BLE001  (whatever went wrong, the parent checks these ranges itself)
        answer = None
    sender.send(answer)
    sender.close()


# --- the exact check, event by event -------------------------------------------------------------

# canonical_bytes() for the raw values of one row, in one formatting operation: the 13 fields
# as "<length>:<text>", exactly as _field() writes them
_CANONICAL_FORMAT = "%d:%s" * 13
_UTC = dt.UTC


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


def _replay(session, state, pins, head, stop=None, from_start=False):
    """Check events one by one from state.expected (every stored event, in order, when from_start)
    up to `stop` (or the last). Returns the first failure, as (what, row, pin), or None with `state`
    past the events checked."""
    read_time = _raw_time_reader(session.get_bind().dialect)
    fmt, sha256 = _CANONICAL_FORMAT, hashlib.sha256
    head_seq, head_hash = head
    statement = text(_SCAN_SQL) if from_start else _SCAN_FROM.bindparams(start=state.expected)
    # raw values, streamed (a server-side cursor on PostgreSQL): no per-row type conversion
    result = session.connection().execute(statement, execution_options={"yield_per": 2000})
    try:
        for row in result:
            if stop is not None and state.expected > stop:
                break
            (seq, link, when, commune, actor, name, action, etype, eid, changes, reason, ip, rid, stored) = row
            if seq != state.expected:
                return "sequence", row, None
            if link != state.prev:
                return "link", row, None
            try:
                s, c, a, w = (
                    str(seq),
                    "" if commune is None else str(commune),
                    "" if actor is None else str(actor),
                    read_time(when),
                )
                content_ok = (
                    sha256(
                        (
                            fmt
                            % (
                                len(s),
                                s,
                                len(link),
                                link,
                                len(w),
                                w,
                                len(c),
                                c,
                                len(a),
                                a,
                                len(name),
                                name,
                                len(action),
                                action,
                                len(etype),
                                etype,
                                len(eid),
                                eid,
                                len(changes),
                                changes,
                                len(reason),
                                reason,
                                len(ip),
                                ip,
                                len(rid),
                                rid,
                            )
                        ).encode()
                    ).hexdigest()
                    == stored
                )
            except (TypeError, ValueError, AttributeError):  # a NULL or a foreign type: only tampering
                content_ok = False
            if not content_ok and _exact_hash(session, row) != stored:
                return "content", row, None
            pin = pins.contradicted_at(seq, stored if isinstance(stored, str) else "")
            if pin is not None:
                return "pin", row, pin
            if seq == head_seq and stored != head_hash:
                return "head", row, None
            state.advance(seq, stored)
    finally:
        result.close()
    return None


def _diagnose(session, failure, state, head_seq):
    """Name the first break a replay met. `state.expected` is the sequence number it wanted next,
    `state.prev` the hash of the event before it, `state.before_prev` the hash of the one before that."""
    what, row, pin = failure
    seq, link, stored = row[0], row[1], row[13]
    expected, prev_hash, before_prev = state.expected, state.prev, state.before_prev
    verified = expected - 1
    if what == "sequence":
        if seq < expected:  # a number the chain has already used, or below 1
            return VerifyResult(
                False, verified, prev_hash, seq, "inserted", f"event {seq} is stored after event {verified}"
            )
        if head_seq is not None and expected > head_seq:
            return VerifyResult(
                False,
                verified,
                prev_hash,
                seq,
                "inserted",
                f"event {seq} lies beyond the head, which records {head_seq}",
            )
        return VerifyResult(
            False, verified, prev_hash, expected, "deleted", f"events {expected}..{seq - 1} are missing"
        )
    if what == "pin":
        if pin.seq == seq and not pin.evidence:
            return VerifyResult(
                False,
                verified,
                prev_hash,
                seq,
                "checkpoint",
                f"event {seq} differs from {pin.label}: the chain was rewritten",
            )
        return VerifyResult(
            False,
            verified,
            prev_hash,
            seq,
            "checkpoint",
            f"event {seq} differs from what {pin.label} recorded for it when it signed "
            f"event {pin.seq}: the chain was rewritten from event {seq} on",
        )
    if what == "head":
        return VerifyResult(
            False,
            verified,
            prev_hash,
            seq,
            "edited",
            f"event {seq} differs from the chain head: the chain was rewritten up to it",
        )
    if what == "content":
        if _next_link(session, seq) == prev_hash:
            return VerifyResult(
                False, verified, prev_hash, seq, "inserted", f"event {seq} was inserted: event {seq + 1} links past it"
            )
        return VerifyResult(False, verified, prev_hash, seq, "edited", f"event {seq} no longer matches its hash")
    # the link is broken: tell insertion, reordering and editing apart
    if before_prev is not None and link == before_prev:
        return VerifyResult(
            False, seq - 2, before_prev, seq - 1, "inserted", f"event {seq - 1} was inserted: event {seq} links past it"
        )
    target = session.scalar(select(AuditEvent.seq).where(AuditEvent.hash == link).limit(1))
    if target is not None and target > seq:
        return VerifyResult(
            False,
            verified,
            prev_hash,
            seq,
            "reordered",
            f"event {seq} links to event {target}, which is stored after it",
        )
    if _next_link(session, seq) == prev_hash:
        return VerifyResult(
            False, verified, prev_hash, seq, "inserted", f"event {seq} was inserted: event {seq + 1} links past it"
        )
    if seq == 1 or _exact_hash(session, row) != stored:
        return VerifyResult(
            False,
            verified,
            prev_hash,
            seq,
            "edited",
            f"event {seq} no longer matches its hash" if seq > 1 else "event 1 does not start from the genesis hash",
        )
    # event `seq` is intact but links to a hash no event has: its predecessor was rewritten (content
    # and hash), which only moved the break one event on
    return VerifyResult(
        False,
        seq - 2,
        before_prev,
        seq - 1,
        "edited",
        f"event {seq - 1} was rewritten: event {seq} links to a hash no event has",
    )


def _next_link(session, seq):
    return session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.seq > seq).order_by(AuditEvent.seq).limit(1))
