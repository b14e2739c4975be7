"""Signed checkpoints of the audit chain: the key that signs them (outside the database), the
checkpoints themselves (in the database and in a journal file beside the key), each with the hash
prefixes of the events it covers, and the last state a verification confirmed (signed, in the
instance folder), from which a daily check resumes."""

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import mmap
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qms.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from qms.core.calendar import utcnow
from qms.db import DomainError, db

log = logging.getLogger(__name__)
EVIDENCE_DIGITS = 16  # hex digits of each event hash a checkpoint keeps (64 bits: no forging by trial)


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


def sign_head(key: bytes, seq: int, head_hash: str, evidence: str = "") -> str:
    """The signature of a checkpoint. It covers the evidence with the head, so that no one without the
    key can change which event hashes a checkpoint vouches for (a checkpoint without evidence, made
    before checkpoints carried it, signs the head alone, as it always did)."""
    message = f"{seq}:{head_hash}:{evidence}" if evidence else f"{seq}:{head_hash}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def create_checkpoint(key: bytes, instance_path=None):
    """Sign and store the current head, with the evidence of the events since the previous checkpoint:
    the first EVIDENCE_DIGITS hex digits of each of their hashes. The key stays outside the database,
    so whoever rewrites the chain and its head cannot forge the checkpoint, and the evidence lets
    verification name the first event rewritten rather than this checkpoint. With instance_path the
    checkpoint is also appended to the journal there (journal_path), so that deleting its row does
    not help either. Raises DomainError when events since the previous checkpoint are missing."""
    session = db.session
    head = session.get(AuditChainHead, 1)
    previous = session.scalar(select(func.max(AuditCheckpoint.seq)).where(AuditCheckpoint.seq <= head.seq)) or 0
    evidence = _evidence_since(session, previous, head.seq)
    created_at = utcnow()
    signature = sign_head(key, head.seq, head.hash, evidence)
    cp = AuditCheckpoint(
        seq=head.seq, hash=head.hash, created_at=created_at, key_id=key_id(key), signature=signature, evidence=evidence
    )
    session.add(cp)
    session.flush()
    if instance_path is not None:
        # The head it signs is committed already: the entry is true whatever becomes of this transaction.
        with journal_path(instance_path).open("a", encoding="utf-8") as journal:
            journal.write(
                json.dumps(
                    {
                        "seq": cp.seq,
                        "hash": cp.hash,
                        "key_id": cp.key_id,
                        "signature": cp.signature,
                        "created_at": cp.created_at.isoformat(),
                        "evidence": evidence,
                    }
                )
                + "\n"
            )
    return cp


def _evidence_since(session, after, upto):
    prefixes = session.scalars(
        select(func.substr(AuditEvent.hash, 1, EVIDENCE_DIGITS))
        .where(AuditEvent.seq > after, AuditEvent.seq <= upto)
        .order_by(AuditEvent.seq)
    ).all()
    if len(prefixes) != upto - after:
        raise DomainError(
            f"events {after + 1}..{upto} are not all in the audit trail; verify it "
            "(qms audit verify --full) before signing a checkpoint"
        )
    return "".join(prefixes)


class JournalEntry:
    def __init__(self, seq, hash, signature, evidence=""):
        self.seq, self.hash, self.signature, self.evidence = seq, hash, signature, evidence


def journal_path(instance_path) -> Path:
    return Path(instance_path) / "audit-checkpoints.jsonl"


_JOURNAL_SEQ = re.compile(rb'\{"seq": (\d+), ')


def read_journal(instance_path, after=0):
    """The checkpoints of the journal file, oldest first (none when there is no journal). A line
    that cannot be read becomes an entry that can never match, so that a damaged journal shows.
    after: leave out the checkpoints of events up to this one, read no further than their first
    characters (a resumed check does not need them, and a checkpoint's evidence can be megabytes)."""
    path = journal_path(instance_path)
    if not path.exists() or path.stat().st_size == 0:
        return []
    entries = []
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            seen = _JOURNAL_SEQ.match(data, start, min(end, start + 40))
            if (seen is None or int(seen.group(1)) > after) and data[start:end].strip():
                entries.append(_journal_entry(data[start:end]))
            start = end + 1
    return entries


def _journal_entry(line):
    try:
        data = json.loads(line.decode("utf-8"))
        evidence = data.get("evidence", "")
        if not isinstance(evidence, str):
            raise TypeError("evidence")
        return JournalEntry(int(data["seq"]), str(data["hash"]), str(data["signature"]), evidence)
    except (ValueError, KeyError, TypeError, AttributeError):
        return JournalEntry(0, "unreadable journal line", "")


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


# --- the last verified state ------------------------------------------------------------------


class VerifiedState:
    """A checkpoint a full or resumed verification found the chain agreeing with: a later check may
    resume after its event, having found that event still carries its hash."""

    def __init__(self, seq, hash, verified_at=""):
        self.seq, self.hash, self.verified_at = seq, hash, verified_at


def verified_state_path(instance_path) -> Path:
    return Path(instance_path) / "audit-verified.json"


def _state_signature(key, seq, hash_):
    # "verified:" keeps these signatures apart from checkpoint signatures made with the same key
    return hmac.new(key, f"verified:{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def read_verified_state(instance_path, key):
    """(VerifiedState, None) when the instance folder holds a state signed with `key`; otherwise
    (None, why it cannot be used), or (None, None) when there is none. Without a key nothing is
    trusted: whoever can write the folder could have written the file."""
    path = verified_state_path(instance_path)
    if not path.exists():
        return None, None
    if key is None:
        return None, "no checkpoint key is installed to check the last verified state"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = VerifiedState(int(data["seq"]), str(data["hash"]), str(data.get("verified_at", "")))
        genuine = hmac.compare_digest(str(data["signature"]), _state_signature(key, state.seq, state.hash))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, f"{path.name} cannot be read"
    if not genuine:
        return None, f"{path.name} does not carry a valid signature"
    return state, None


def record_verified_state(instance_path, key, seq, hash_, now=None):
    """Keep (seq, hash) as the last verified state, signed with `key`, replacing the file at once
    (a reader never sees half of it)."""
    path = verified_state_path(instance_path)
    when = (now or utcnow()).astimezone(dt.UTC).isoformat(timespec="seconds")
    data = {
        "seq": seq,
        "hash": hash_,
        "verified_at": when,
        "key_id": key_id(key),
        "signature": _state_signature(key, seq, hash_),
    }
    pending = path.with_name(path.name + ".tmp")
    pending.write_text(json.dumps(data) + "\n", encoding="utf-8")
    os.replace(pending, path)


def forget_verified_state(instance_path):
    verified_state_path(instance_path).unlink(missing_ok=True)


# --- the last verification's result -----------------------------------------------------------


@dataclass(frozen=True)
class LastCheck:
    """What the last verification of the chain found (any of them: the daily job, `qms audit verify`,
    the chain check page), as the workspace's front page shows it without verifying anything."""

    checked_at: dt.datetime  # UTC
    ok: bool
    count: int  # events found in order up to the first break, or the whole chain
    broken_seq: int | None
    kind: str | None  # how it broke: edited, deleted, inserted, reordered, checkpoint
    resumed_from: int | None  # a resumed check replayed only the events after this one
    genuine: bool | None  # its signature checked with the checkpoint key (None: no key to check it)


def last_check_path(instance_path) -> Path:
    return Path(instance_path) / "audit-last-check.json"


def _check_signature(key, data):
    fields = {name: data[name] for name in sorted(data) if name != "signature"}
    message = "checked:" + json.dumps(fields, sort_keys=True)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def record_last_check(instance_path, key, result, now=None):
    """Keep what a verification found (a VerifyResult), signed with the checkpoint key when there is
    one, replacing the file at once."""
    data = {
        "checked_at": (now or utcnow()).astimezone(dt.UTC).isoformat(timespec="seconds"),
        "ok": bool(result.ok),
        "count": int(result.count),
        "broken_seq": result.broken_seq,
        "kind": result.kind,
        "resumed_from": result.resumed_from,
    }
    if key is not None:
        data["signature"] = _check_signature(key, data)
    path = last_check_path(instance_path)
    pending = path.with_name(path.name + ".tmp")
    try:
        pending.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(pending, path)
    except OSError:  # the result is shown, not relied on: a verification never fails for want of it
        log.warning("could not keep the audit chain check's result in %s", path, exc_info=True)


def read_last_check(instance_path, key) -> LastCheck | None:
    """The last verification's result, or None before the first one or when the file cannot be read.
    A result whose signature does not match the key is returned with genuine=False."""
    try:
        data = json.loads(last_check_path(instance_path).read_text(encoding="utf-8"))
        check = LastCheck(
            checked_at=dt.datetime.fromisoformat(data["checked_at"]),
            ok=data["ok"] is True,
            count=int(data["count"]),
            broken_seq=None if data.get("broken_seq") is None else int(data["broken_seq"]),
            kind=None if data.get("kind") is None else str(data["kind"]),
            resumed_from=None if data.get("resumed_from") is None else int(data["resumed_from"]),
            genuine=None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if key is None:
        return check
    genuine = hmac.compare_digest(str(data.get("signature", "")), _check_signature(key, data))
    return dataclasses.replace(check, genuine=genuine)


CHECKPOINT_EVERY = dt.timedelta(hours=24)


def last_checkpoint():
    """The newest signed checkpoint, or None."""
    return db.session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(1)
    )


def sign_checkpoint(instance_path):
    """Sign the chain's current head, once the chain verifies (resuming after the last verified state):
    the key is created in the instance folder the first time. Raises DomainError (nothing signed) when
    the chain is broken, or when no event was recorded since the last checkpoint."""
    from qms.audit.verify import verify_installation

    key = load_checkpoint_key(instance_path, create=True)
    result = verify_installation(instance_path, resume=True)
    if not result.ok:
        raise DomainError(
            _l(
                "The audit chain is broken at event %(seq)d, so no checkpoint was signed. Open the chain check.",
                seq=result.broken_seq,
            ),
            code="chain_broken",
            status=409,
        )
    latest = last_checkpoint()
    head = db.session.get(AuditChainHead, 1)
    if latest is not None and head is not None and latest.seq == head.seq:
        raise DomainError(_l("Nothing was recorded since the last checkpoint."), code="nothing_new", status=409)
    return create_checkpoint(key, instance_path)


def checkpoint_due(now=None):
    """Whether the daily checkpoint is due: events were recorded since the last one, and it is a day old."""
    latest = last_checkpoint()
    head = db.session.get(AuditChainHead, 1)
    if head is None or head.seq == 0 or (latest is not None and latest.seq == head.seq):
        return False
    return latest is None or (now or utcnow()) - latest.created_at >= CHECKPOINT_EVERY
