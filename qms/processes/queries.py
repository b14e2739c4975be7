"""Reading procedures for the pages, the public catalogue and the API: each procedure with its
process document, the map in force and the map awaiting approval, read for a whole commune in a
few queries (a commune has a hundred procedures or more; one query per procedure would not do).

The map in force is the one services.map_in_force gives: the latest map tied to a version of the
process document issued no later than its effective version. The map awaiting approval is the
latest tied to the version in progress (a draft, in review, approved and waiting for its date).
"""

from __future__ import annotations

import dataclasses
import enum

from sqlalchemy import select

from qms.auth.models import User
from qms.core.text import fold, matches
from qms.db import db
from qms.documents import services as documents
from qms.documents.models import Document, DocumentStatus, DocumentVersion, VersionStatus
from qms.processes.maps import ProcessMap
from qms.processes.models import Procedure, ProcessMapVersion

PENDING = (VersionStatus.draft, VersionStatus.in_review, VersionStatus.approved)


class MapState(enum.Enum):
    in_force = "in_force"
    awaiting_approval = "awaiting_approval"
    superseded = "superseded"


@dataclasses.dataclass
class Entry:
    """A procedure as the catalogue shows it."""

    procedure: Procedure
    document: Document  # its process document (QT)
    effective: DocumentVersion | None  # the QT's version in force
    pending: DocumentVersion | None  # the QT's version in progress
    in_force: ProcessMapVersion | None
    awaiting: ProcessMapVersion | None  # the map of the version in progress, if an import made one
    maps: list  # every map of the procedure, oldest first

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def shown(self) -> ProcessMapVersion:
        """The map a page shows: the one in force; before any is, the one awaiting approval."""
        return self.in_force or self.awaiting or self.maps[-1]

    @property
    def process(self) -> ProcessMap:
        return self.shown.process

    def state_of(self, mapped) -> MapState:
        if self.in_force is not None and mapped.id == self.in_force.id:
            return MapState.in_force
        if self.awaiting is not None and mapped.id == self.awaiting.id:
            return MapState.awaiting_approval
        return MapState.superseded

    def version_of(self, mapped) -> DocumentVersion:
        return db.session.get(DocumentVersion, mapped.document_version_id)


def _entries(commune_id, codes=None) -> list[Entry]:
    stmt = (
        select(Procedure, Document)
        .join(Document, Document.id == Procedure.process_document_id)
        .where(Procedure.commune_id == commune_id)
    )
    if codes is not None:
        stmt = stmt.where(Procedure.code.in_(codes))
    rows = db.session.execute(stmt).all()
    if not rows:
        return []
    document_ids = {document.id for _procedure, document in rows}
    effective, pending = {}, {}
    for version in db.session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id.in_(document_ids),
            DocumentVersion.status.in_([VersionStatus.effective, *PENDING]),
        )
    ):
        (effective if version.status is VersionStatus.effective else pending)[version.document_id] = version
    issues, maps = {}, {}
    for mapped, issue_no in db.session.execute(
        select(ProcessMapVersion, DocumentVersion.issue_no)
        .join(DocumentVersion, DocumentVersion.id == ProcessMapVersion.document_version_id)
        .where(ProcessMapVersion.procedure_id.in_([procedure.id for procedure, _document in rows]))
        .order_by(ProcessMapVersion.id)
    ):
        issues[mapped.id] = issue_no
        maps.setdefault(mapped.procedure_id, []).append(mapped)
    out = []
    for procedure, document in rows:
        history = maps.get(procedure.id, [])
        if not history:
            continue  # a procedure is created with its first map: never without one
        in_force_version, pending_version = effective.get(document.id), pending.get(document.id)
        in_force = None
        if in_force_version is not None:
            candidates = [m for m in history if issues[m.id] <= in_force_version.issue_no]
            in_force = max(candidates, key=lambda m: (issues[m.id], m.id), default=None)
        awaiting = None
        if pending_version is not None:
            awaiting = next((m for m in reversed(history) if m.document_version_id == pending_version.id), None)
        out.append(Entry(procedure, document, in_force_version, pending_version, in_force, awaiting, history))
    return out


def _order(entry):
    return fold(entry.process.field), entry.code


def procedures(commune_id, *, q="", field="", in_force_only=False) -> list[Entry]:
    """The commune's procedures, by field then national code, chosen as `chosen` says."""
    return chosen(_entries(commune_id), q=q, field=field, in_force_only=in_force_only)


def chosen(entries, *, q="", field="", in_force_only=False) -> list[Entry]:
    """The entries by field then national code; `q` searched in the code, the name, the field and
    the process document's code, without regard to diacritics or case ("khai sinh", "KHAI SINH"
    and "khai sinh" typed without its marks find "Đăng ký khai sinh"); `field` one field exactly;
    `in_force_only` those whose process is in force (the public catalogue), read from that map."""
    found = []
    for entry in entries:
        if in_force_only and entry.in_force is None:
            continue
        process = entry.in_force.process if in_force_only else entry.process
        if field and process.field != field:
            continue
        if q and not matches(q, entry.code, process.name, process.field, entry.document.code):
            continue
        found.append(entry)
    return sorted(found, key=_order)


def fields(entries) -> list[str]:
    """The fields of these procedures, each once, in the order of the list."""
    return list(dict.fromkeys(entry.process.field for entry in entries))


def procedure(commune_id, code) -> Entry | None:
    """One procedure of the commune, by its national code, or None."""
    found = _entries(commune_id, codes=[code]) if code else []
    return found[0] if found else None


def documents_by_code(commune_id, codes) -> dict:
    """{code: Document} of the commune's documents with these codes (the forms and legal bases a
    map names), whatever their status: a page says when one has been withdrawn."""
    codes = [code for code in dict.fromkeys(codes) if code]
    if not codes:
        return {}
    rows = db.session.scalars(select(Document).where(Document.commune_id == commune_id, Document.code.in_(codes)))
    return {document.code: document for document in rows}


def published_forms(commune_id, codes) -> list[tuple[Document, DocumentVersion]]:
    """(document, version in force) of the forms among `codes` that anyone may download (active,
    public, with a version in force), in the order of `codes`."""
    by_code = documents_by_code(commune_id, codes)
    out = []
    for code in dict.fromkeys(codes):
        document = by_code.get(code)
        if document is None or document.status is not DocumentStatus.active:
            continue
        version = documents.current_version(document)
        if version is not None and documents.is_published(version):
            out.append((document, version))
    return out


def people(ids) -> dict:
    """{id: User} of the people who imported maps."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
