"""Evidence packs: finding a pack's subject for the person asking, building the pack into a file,
and the rows and events that say who exported what.

Asking for a pack on a page writes a row (evidence_packs: the request and its progress, which the
page polls) and, once the pack is built, an audit event "evidence_pack.created" on the subject's
record. Neither changes a record: the read-only auditor may ask (qms.evidence.permissions). The API
and the command build the pack at once and write only the event."""

import hashlib
import re

from flask_babel import lazy_gettext as _l

from qms.audit.services import record_event
from qms.core.calendar import to_local, utcnow
from qms.core.text import without_diacritics
from qms.db import DomainError, db, require
from qms.evidence import subjects
from qms.evidence.build import build_pack
from qms.evidence.models import EvidencePack, PackStatus, SubjectKind
from qms.evidence.permissions import pack_refusal

MAX_KEY = 64


def _not_found():
    return DomainError(_l("There is no such record that you may see."), code="not_found", status=404)


def subject_of(user, kind: SubjectKind, key):
    """The record a pack of `kind` with `key` is about (a document's code, an NC's id or number, an
    audit's id or code) in
    `user`'s commune. Raises DomainError 404 for one that does not exist there (another commune's
    record is not found either) and 403 when `user` may not have its pack."""
    key = str(key or "").strip()[:MAX_KEY]
    record = None
    if kind is SubjectKind.document:
        from qms.documents.services import document_by_code

        record = document_by_code(user.commune_id, key) if key else None
    elif key.isascii() and key.isdigit() and int(key) < 2**31:
        if kind is SubjectKind.nonconformity:
            from qms.nonconformities.models import Nonconformity as model
        else:
            from qms.audits.models import Audit as model
        record = db.session.get(model, int(key))
    elif key and kind is SubjectKind.nonconformity:  # its number, as people call it (SKPH-2026-001)
        from qms.nonconformities.queries import nc_by_number

        record = nc_by_number(user.commune_id, key)
    elif key:  # an audit's code (ĐGNB-2026-01)
        from qms.audits.services import audit_by_code

        record = audit_by_code(user.commune_id, key)
    if record is None or record.commune_id != user.commune_id:
        raise _not_found()
    require(pack_refusal(user, record.commune_id))
    return record


def contents_of(actor, kind: SubjectKind, record) -> subjects.Contents:
    build = {
        SubjectKind.document: subjects.document_contents,
        SubjectKind.nonconformity: subjects.nc_contents,
        SubjectKind.audit: subjects.audit_contents,
    }[kind]
    return build(actor, record)


def pack_file_name(contents, at=None) -> str:
    """ "ho-so-bang-chung-QT-01-20261207-0930.zip": the subject and when, Vietnam time."""
    key = contents.key if contents.kind is SubjectKind.document else contents.name.split(" ")[0]
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", without_diacritics(key)).strip("-") or contents.kind.value
    return f"ho-so-bang-chung-{key}-{to_local(at or utcnow()):%Y%m%d-%H%M}.zip"


def file_digest(source) -> tuple[str, int]:
    """(SHA-256, size) of a file (a path, or a binary file object read from where it stands)."""
    if isinstance(source, str | bytes) or hasattr(source, "__fspath__"):
        with open(source, "rb") as stream:
            return file_digest(stream)
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def build_to_file(actor, kind: SubjectKind, key, path, *, on_progress=None):
    """Build the pack of the record `key` of `kind` for `actor` into `path` (see subject_of for the
    refusals). Returns (contents, manifest). Writes nothing but the file (a damaged stored file
    found on the way is recorded, as any read of it is)."""
    record = subject_of(actor, kind, key)
    contents = contents_of(actor, kind, record)
    manifest = build_pack(actor, contents, path, on_progress=on_progress)
    return contents, manifest


def record_pack_created(actor, contents, manifest, *, sha256, size, via):
    """The audit event of a pack made: who (the actor), of what (the subject's record), the pack's
    SHA-256, size and number of files, and the chain head it names."""
    from qms.evidence.models import SubjectKind as Kind

    entity_type = {Kind.document: "documents", Kind.nonconformity: "nonconformities", Kind.audit: "audits"}
    record_id = contents.records[0][1]
    record_event(
        actor,
        "evidence_pack.created",
        entity_type=entity_type[contents.kind],
        entity_id=record_id,
        commune_id=contents.commune.id,
        changes={
            "pack_subject": (None, contents.name),
            "sha256": (None, sha256),
            "pack_size": (None, size),
            "pack_files": (None, len(manifest["files"]) + 1),
            "chain_head": (None, manifest["chain_head"]["seq"]),
            "via": (None, via),
        },
    )


# --- packs asked for on a page ----------------------------------------------------------------------


def request_pack(actor, kind: SubjectKind, key) -> EvidencePack:
    """Ask for the pack of a record (built in the background, qms.evidence.runs): its row, queued.
    Raises DomainError (404 / 403) as subject_of does."""
    record = subject_of(actor, kind, key)
    from qms.evidence.labels import subject_name

    pack = EvidencePack(
        commune_id=record.commune_id,
        subject_kind=kind,
        subject_key=str(key).strip()[:MAX_KEY],
        subject_name=subject_name(kind, record)[:400],
        requested_by_id=actor.id,
        status=PackStatus.queued,
    )
    db.session.add(pack)
    db.session.flush()
    return pack


def note_progress(pack, done, total):
    pack.status, pack.done, pack.total, pack.updated_at = PackStatus.running, done, total, utcnow()
    db.session.flush()


def finish_pack(pack, stored, *, size, file_name):
    """The pack is built: its stored file, size and name."""
    pack.status, pack.sha256, pack.size, pack.file_name = PackStatus.done, stored.sha256, size, file_name
    pack.finished_at = pack.updated_at = utcnow()
    pack.done = max(pack.done, pack.total)
    db.session.flush()


def fail_pack(pack, error):
    pack.status, pack.error = PackStatus.failed, str(error)[:2000]
    pack.finished_at = pack.updated_at = utcnow()
    db.session.flush()
