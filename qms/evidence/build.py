"""Building a pack into a file on disk: the subject's steps (qms.evidence.subjects), the audit events of
its records as events.csv (written as they are read, in keyset batches: thousands of events never held
at once), the index (.docx, qms.evidence.index) and manifest.json with every file's SHA-256, the audit
chain's head and its last signed checkpoint when the pack was made (qms.evidence.pack)."""

from sqlalchemy import select

from qms.audit.checkpoints import last_checkpoint
from qms.audit.csv_export import csv_chunks
from qms.audit.models import GENESIS_HASH, AuditChainHead
from qms.audit.queries import history_of
from qms.core.calendar import utcnow
from qms.db import db
from qms.evidence.pack import PackWriter

EVENTS = "events.csv"
INDEX = "index.docx"


def chain_head() -> dict:
    """The audit chain's head as this session sees it: {"seq", "hash"}."""
    head = db.session.scalar(select(AuditChainHead).limit(1))
    return {"seq": head.seq, "hash": head.hash} if head is not None else {"seq": 0, "hash": GENESIS_HASH}


def checkpoint_of() -> dict | None:
    checkpoint = last_checkpoint()
    if checkpoint is None:
        return None
    return {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "signature": checkpoint.signature,
        "key_id": checkpoint.key_id,
        "created_at": checkpoint.created_at.isoformat(),
    }


def steps_of(contents) -> int:
    """How many steps building the pack takes: the subject's, the events, the index."""
    return len(contents.steps) + 2


def build_pack(actor, contents, path, *, on_progress=None) -> dict:
    """Write the pack of `contents` to `path`; on_progress(done, total), if given, after each step.
    Returns the manifest. The head is read first, so every event in events.csv is on or before it."""
    from qms.evidence.index import index_docx

    head, checkpoint, generated_at = chain_head(), checkpoint_of(), utcnow()
    total, done = steps_of(contents), 0
    pack = PackWriter(path)
    try:
        for step in contents.steps:
            step.write(pack)
            done += 1
            if on_progress is not None:
                on_progress(done, total)
        events = (e for e in history_of(contents.commune.id, contents.records) if e.seq <= head["seq"])
        pack.add_stream(EVENTS, (chunk.encode("utf-8") for chunk in csv_chunks(events)))
        done += 1
        if on_progress is not None:
            on_progress(done, total)
        manifest = {
            "subject": {"kind": contents.kind.value, "key": contents.key, "name": contents.name},
            "commune": contents.commune.name,
            "generated_at": generated_at.isoformat(),
            "generated_by": {"id": actor.id, "name": actor.full_name},
            "chain_head": head,
            "last_checkpoint": checkpoint,
            "notes": list(contents.notes),
        }
        pack.add_bytes(INDEX, index_docx(contents, manifest, list(pack.files)))
        done += 1
        if on_progress is not None:
            on_progress(done, total)
        return pack.finish(manifest)
    except BaseException:
        pack.abandon()
        raise
