"""Procedures and their process maps: the import of process_maps/ (`qms process import`) and what
the catalogue reads.

An import is all or nothing: every file is read and checked first (the schema, the statutory limit,
the codes document control holds); one bad file and nothing is written, each problem named with
its file, line and step. Then each map is compared with what is recorded:

* a new procedure is created, its map tied to the process document's effective version (the map
  draws the process that document already describes; with no version in force yet, to the version
  in progress, or a first draft made from the map);
* a changed map becomes a new draft version of the process document, whose file is the effective
  one with its drawn process (diagram and steps) replaced: the usual review and approval follow,
  and until the draft is effective the process in force is unchanged. A draft made by an earlier
  import that nobody has submitted yet is brought up to date instead of a second one;
* an unchanged map changes nothing, and the report says so.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.documents.models import Document, DocumentKind, DocumentStatus, DocumentVersion, VersionStatus
from qms.files.services import read_stored
from qms.processes import maps
from qms.processes.exports import process_document_docx
from qms.processes.models import Procedure, ProcessMapVersion
from qms.processes.permissions import import_refusal

CREATED, CHANGED, UNCHANGED, WAITING = "created", "changed", "unchanged", "waiting"
IN_FORCE = (VersionStatus.effective,)


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    source: str
    code: str
    outcome: str  # created, changed (a new draft), unchanged, waiting (its draft awaits approval)
    document_version: DocumentVersion


class MapsRefused(DomainError):
    """One or more maps cannot be imported: `errors` holds each MapError."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors), code="invalid_map", status=400)


def read_maps(path) -> list[tuple[str, str]]:
    """(source name, text) of the map at `path`, or of every .yaml/.yml file in the folder, sorted."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise DomainError(_l("No process map at %(path)s.", path=str(path)), code="not_found", status=404)
    result = []
    for file in files:
        try:
            result.append((file.name, file.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            raise MapsRefused([maps.MapError(file.name, None, "tệp không phải văn bản UTF-8")]) from None
    return result


def _codes(commune_id):
    rows = db.session.execute(
        select(Document.code, Document.kind).where(
            Document.commune_id == commune_id, Document.status == DocumentStatus.active
        )
    ).all()
    by_kind = {}
    for code, kind in rows:
        by_kind.setdefault(kind, set()).add(code)
    return {
        "forms": by_kind.get(DocumentKind.form, set()),
        "external": by_kind.get(DocumentKind.external, set()),
        "procedures": by_kind.get(DocumentKind.procedure, set()),
    }


def check_maps(commune, texts) -> list[maps.ProcessMap]:
    """Every map read and checked (schema, limits, the codes the commune's documents hold, one
    file per procedure); MapsRefused listing every problem."""
    codes, errors, loaded, seen = _codes(commune.id), [], [], {}
    for source, text in texts:
        try:
            process = maps.load(text, source)
            maps.check_codes(process, **codes)
        except maps.MapError as error:
            errors.append(error)
            continue
        if process.code in seen:
            errors.append(maps.MapError(source, None, f"thủ tục {process.code} đã có sơ đồ trong {seen[process.code]}"))
            continue
        seen[process.code] = source
        loaded.append((process, text))
    if errors:
        raise MapsRefused(errors)
    return loaded


def import_maps(actor, commune, texts) -> list[ImportOutcome]:
    """Import the maps `texts` ((source name, YAML text) pairs) for `commune` as `actor` (a
    quality officer): all of them, or none (MapsRefused, DomainError)."""
    refusal = import_refusal(actor, commune)
    if refusal:
        raise DomainError(refusal, code="forbidden", status=403)
    return [_import(actor, commune, process, text) for process, text in check_maps(commune, texts)]


def _import(actor, commune, process, text):
    document = documents.document_by_code(commune.id, process.process_document)
    procedure = db.session.scalar(
        select(Procedure).where(Procedure.commune_id == commune.id, Procedure.code == process.code)
    )
    if procedure is None:
        procedure = Procedure(
            commune_id=commune.id, code=process.code, process_document_id=document.id, map_file=process.source
        )
        db.session.add(procedure)
        version = documents.current_version(document) or documents.pending_version(document)
        if version is None:
            version = documents.create_draft_version(
                actor,
                document,
                filename=f"{document.code} {document.title}.docx",
                data=process_document_docx(None, process, document),
                change_summary="",
                reason=_first_reason(process),
            )
        mapped = _record_map(actor, procedure, version, process, text)
        record_event(
            actor,
            "process.procedure.created",
            procedure,
            changes={"code": (None, process.code), "name": (None, process.name), "map": (None, mapped.digest)},
            reason=_first_reason(process),
        )
        return ImportOutcome(process.source, process.code, CREATED, version)
    if procedure.process_document_id != document.id:
        raise DomainError(
            _l(
                "%(file)s: procedure %(code)s is described by %(current)s, not %(given)s.",
                file=process.source,
                code=process.code,
                current=db.session.get(Document, procedure.process_document_id).code,
                given=document.code,
            ),
            code="conflict",
            status=409,
        )
    latest = procedure.maps[-1]
    pending = documents.pending_version(document)
    if latest.digest == process.digest:
        waiting = pending is not None and latest.document_version_id == pending.id
        return ImportOutcome(
            process.source,
            process.code,
            WAITING if waiting else UNCHANGED,
            db.session.get(DocumentVersion, latest.document_version_id),
        )
    effective = documents.current_version(document)
    base = read_stored(effective.primary_file.sha256, actor, found_in=effective) if effective else None
    data = process_document_docx(base, process, document)
    summary = _change_summary(latest.process, process)
    if pending is not None:
        if pending.status is not VersionStatus.draft or latest.document_version_id != pending.id:
            raise DomainError(
                _l(
                    "%(file)s: %(code)s issue %(issue)02d is already in progress; "
                    "finish or return it before importing a changed process.",
                    file=process.source,
                    code=document.code,
                    issue=pending.issue_no,
                ),
                code="conflict",
                status=409,
            )
        version = documents.replace_draft_file(
            actor, pending, filename=pending.primary_file.filename, data=data, change_summary=summary
        )
    else:
        filename = effective.primary_file.filename if effective else f"{document.code} {document.title}.docx"
        version = documents.create_draft_version(
            actor,
            document,
            filename=filename,
            data=data,
            change_summary=summary,
            reason=f"Cập nhật quy trình nội bộ theo tệp {process.source}",
        )
    mapped = _record_map(actor, procedure, version, process, text)
    record_event(
        actor,
        "process.map.changed",
        procedure,
        changes={
            "map": (latest.digest, mapped.digest),
            "document_version": (None, f"{document.code} lần {version.issue_no:02d}"),
        },
        reason=summary,
    )
    return ImportOutcome(process.source, process.code, CHANGED, version)


def _first_reason(process):
    return f"Nhập sơ đồ quy trình từ tệp {process.source}"


def _record_map(actor, procedure, version, process, text):
    mapped = ProcessMapVersion(
        procedure=procedure,
        document_version_id=version.id,
        digest=process.digest,
        content=process.content(),
        source_text=text,
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(mapped)
    db.session.flush()
    return mapped


def _change_summary(old: maps.ProcessMap, new: maps.ProcessMap) -> str:
    """What changed, in words, for the draft's change summary (the reviewer reads it first)."""
    parts = []
    if (old.working_days, old.cutoff) != (new.working_days, new.cutoff):
        parts.append("thời hạn giải quyết")
    for field, words in (
        ("name", "tên thủ tục"),
        ("field", "lĩnh vực"),
        ("fee", "phí, lệ phí"),
        ("online", "mức độ trực tuyến"),
        ("legal_bases", "căn cứ pháp lý"),
        ("forms", "biểu mẫu"),
        ("requirements", "thành phần hồ sơ"),
        ("roles", "vai trò"),
    ):
        if getattr(old, field) != getattr(new, field):
            parts.append(words)
    old_steps = {s.id: s for s in old.steps}
    new_ids = {s.id for s in new.steps}
    added = [s.name for s in new.steps if s.id not in old_steps]
    removed = [s.name for s in old.steps if s.id not in new_ids]
    changed = [
        s.name
        for s in new.steps
        if s.id in old_steps and old_steps[s.id] != dataclasses.replace(s, line=old_steps[s.id].line)
    ]
    if added:
        parts.append("thêm bước " + "; ".join(added))
    if removed:
        parts.append("bỏ bước " + "; ".join(removed))
    if changed:
        parts.append("sửa bước " + "; ".join(changed))
    if [s.id for s in old.steps if s.id in new_ids] != [s.id for s in new.steps if s.id in old_steps]:
        parts.append("thứ tự các bước")
    if old.branches != new.branches and {(b.kind, b.after, b.produces) for b in old.branches} != {
        (b.kind, b.after, b.produces) for b in new.branches
    }:
        parts.append("nhánh bổ sung/từ chối")
    return "Cập nhật quy trình nội bộ: " + (", ".join(parts) if parts else "trình bày") + "."


# --- reading -------------------------------------------------------------------------------------


def map_in_force(procedure) -> ProcessMapVersion | None:
    """The map of the process document's effective version: the latest map tied to a version
    issued no later than the one in force (a QT revised by hand after its map keeps that map)."""
    effective = db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == procedure.process_document_id,
            DocumentVersion.status == VersionStatus.effective,
        )
    )
    if effective is None:
        return None
    return db.session.scalar(
        select(ProcessMapVersion)
        .join(DocumentVersion, DocumentVersion.id == ProcessMapVersion.document_version_id)
        .where(ProcessMapVersion.procedure_id == procedure.id, DocumentVersion.issue_no <= effective.issue_no)
        .order_by(DocumentVersion.issue_no.desc(), ProcessMapVersion.id.desc())
        .limit(1)
    )
