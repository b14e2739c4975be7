"""Importing a commune's existing document system: its master list and files become documents
whose current versions are in force as they were issued before qms (qms.documents.imports).

The dry run (`dry_run=True`, or `check()` of a run started on the page) writes nothing but says
what each row would become. The real run plans again (what is here may have changed since), then
writes each good row whole or not at all (qms.db.standalone_part: a row refused while it is
written leaves nothing behind and is reported), and ends with the quality officer's one signature,
"declared as issued", over the digest of everything the import brought in: each version's code,
issue, dates, the people the list names, its row and the SHA-256 of its stored file as it is now
(a stored file changed afterwards no longer matches). No signature of the past is invented: the
versions carry the names the list gives, as text. Running the import again with the same list
changes nothing, records nothing and says so.
"""

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qms.audit.services import record_event
from qms.auth.models import Unit
from qms.core.calendar import utcnow
from qms.core.digests import record_digest
from qms.core.sheets import FileRefused
from qms.db import DomainError, db, standalone_part
from qms.documents import permissions as perm
from qms.documents.imports.lists import read_master_list
from qms.documents.imports.plan import CREATE, NEXT_VERSION, REFUSED, UNCHANGED, Plan, Problem, plan_import
from qms.documents.models import Document, DocumentImport, DocumentKind, DocumentVersion, ImportStatus
from qms.documents.services.documents import create_document, update_document
from qms.documents.services.versions import import_version
from qms.files.services import content_sha256
from qms.files.storage import sha256_of, store_bytes
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes

DECLARED = "declared_issued"  # the meaning of the import's signature


@dataclass
class ImportResult:
    plan: Plan
    run: DocumentImport | None = None  # None: a dry run, or nothing to change

    @property
    def nothing_to_change(self) -> bool:
        return not self.plan.to_write


def refuse_list(exc: FileRefused):
    """A list or file set that cannot be read, as the refusal of the whole import."""
    return DomainError(exc.message, code="list_refused")


def read_plan(actor, commune, *, list_name, list_data, files, on_progress=None) -> Plan:
    """The dry run: the plan of the list with its files (DomainError for a list that cannot be read
    or a person who may not import)."""
    require_importer(actor, commune)
    try:
        listed = read_master_list(list_name, list_data)
    except FileRefused as exc:
        raise refuse_list(exc) from None
    return plan_import(actor, commune, listed, files, on_progress=on_progress)


def require_importer(actor, commune):
    refusal = perm.import_refusal(actor, commune)
    if refusal is not None:
        raise DomainError(refusal, code="forbidden", status=403)


def import_documents(
    actor,
    commune,
    *,
    list_name,
    list_data,
    files,
    password,
    dry_run=False,
    files_data=None,
    on_progress=None,
) -> ImportResult:
    """Import `list_data` (a master list named `list_name`) with `files` (a FileSet; files_data: the
    bytes of the .zip it was read from, kept with the import). A dry run only plans. Otherwise the
    password is checked first (a signature), then the good rows are written and signed, all in
    the caller's unit of work; nothing at all is written when no row changes anything (a wrong
    password is refused all the same)."""
    plan = read_plan(actor, commune, list_name=list_name, list_data=list_data, files=files)
    if dry_run:
        return ImportResult(plan)
    confirm_password(actor, password, meaning=DECLARED, subject=commune)
    if not plan.to_write:
        return ImportResult(plan)
    run = start_run(actor, commune, list_name=list_name, list_data=list_data, files=files, files_data=files_data)
    run.status = ImportStatus.importing
    for done, total in write_rows(actor, run, plan, files):
        if on_progress is not None:
            on_progress(done, total)
    finish_run(actor, run, plan)
    return ImportResult(plan, run)


def start_run(actor, commune, *, list_name, list_data, files, files_data=None) -> DocumentImport:
    """The record of an import, the list (and the .zip of files) kept in the store."""
    require_importer(actor, commune)
    store_bytes(list_data)
    files_sha256 = None
    if files_data is not None:
        store_bytes(files_data)
        files_sha256 = sha256_of(files_data)
    run = DocumentImport(
        commune_id=commune.id,
        started_by_id=actor.id,
        started_at=utcnow(),
        list_name=str(list_name)[:200],
        list_sha256=sha256_of(list_data),
        files_name=str(files.label or "")[:200],
        files_sha256=files_sha256,
        status=ImportStatus.checking,
        report={},
    )
    db.session.add(run)
    db.session.flush()
    record_event(
        actor,
        "document.import.started",
        run,
        changes={
            "list_name": (None, run.list_name),
            "list_sha256": (None, run.list_sha256),
            "files_name": (None, run.files_name),
            "files_sha256": (None, run.files_sha256),
        },
    )
    return run


def write_rows(actor, run, plan, files):
    """Write the plan's good rows, each whole or not at all; yields (done, total) after each."""
    commune = run.started_by.commune
    rows = plan.to_write
    run.total, run.done = len(rows), 0
    for done, row in enumerate(rows, start=1):
        try:
            with standalone_part():
                _write_row(actor, commune, run, row, files)
        except DomainError as exc:
            row.problems.append(Problem(row.row, "", exc.message))
            row.action = REFUSED
        run.done, run.updated_at = done, utcnow()
        yield done, len(rows)


def _write_row(actor, commune, run, row, files):
    entry = files.entry(row.file_path)
    try:
        data = files.read(entry)
    except FileRefused as exc:
        raise DomainError(exc.message) from None
    if sha256_of(data) != row.sha256:
        raise DomainError(_l("The file %(name)s changed while it was imported.", name=entry.path))
    if row.action == CREATE:
        parent = (
            db.session.scalar(
                select(Document).where(Document.commune_id == commune.id, Document.code == row.procedure_code)
            )
            if row.procedure_code
            else None
        )
        external = row.kind is DocumentKind.external
        document = create_document(
            actor,
            commune,
            code=row.code,
            title=row.title,
            kind=row.kind,
            field=row.field,
            owning_unit=db.session.get(Unit, row.unit_id) if row.unit_id else None,
            parent=parent,
            issuer=row.issuer if external else "",
            number=row.number if external else "",
            issued_on=row.issued_on if external else None,
            effective_on=row.effective_on if external else None,
            legal_status=row.legal_status if external else None,
        )
    else:
        document = db.session.get(Document, row.document_id)
        details = {"title": row.title}
        if row.kind is DocumentKind.external:
            details.update(
                issuer=row.issuer,
                number=row.number,
                issued_on=row.issued_on,
                effective_on=row.effective_on,
                legal_status=row.legal_status,
            )
        update_document(actor, document, reason=_row_reason(run, row), **details)
    import_version(
        actor,
        document,
        imported=run,
        row=row.row,
        filename=entry.name,
        data=data,
        issue_no=row.issue_no,
        issued_on=row.issued_on,
        effective_date=row.effective_on,
        drafted_by=row.drafted_by,
        reviewed_by=row.reviewed_by,
        approved_by=row.approved_by,
    )


def _row_reason(run, row):
    return f"{run.list_name}, {row.row}"


def finish_run(actor, run, plan, *, error=""):
    """The import's end: its counts and report, and (when it wrote anything) the signature
    declaring the versions it brought in as issued, with its audit event."""
    run.created = sum(1 for r in plan.rows if r.action == CREATE)
    run.new_versions = sum(1 for r in plan.rows if r.action == NEXT_VERSION)
    run.unchanged = sum(1 for r in plan.rows if r.action == UNCHANGED)
    run.refused = sum(1 for r in plan.rows if r.action == REFUSED)
    run.report = plan.as_dict()
    run.error = str(error)[:2000]
    run.status = ImportStatus.failed if error else ImportStatus.done
    run.finished_at = run.updated_at = utcnow()
    db.session.flush()
    changes = {
        "status": (None, run.status),
        "list_name": (None, run.list_name),
        "list_sha256": (None, run.list_sha256),
        "documents_created": (None, run.created),
        "new_versions": (None, run.new_versions),
        "unchanged": (None, run.unchanged),
        "rows_refused": (None, run.refused),
    }
    if run.created or run.new_versions:
        run.digest = import_digest(run)
        changes["digest"] = (None, run.digest)
        changes.update(signature_changes(sign(actor, run, DECLARED)))
    record_event(actor, "document.import.finished", run, changes=changes, reason=run.error)
    return run


def imported_versions(run) -> list:
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.imported_id == run.id)
            .options(selectinload(DocumentVersion.document), selectinload(DocumentVersion.files))
            .order_by(DocumentVersion.imported_row, DocumentVersion.id)
        )
    )


def _day(value):
    return value.isoformat() if isinstance(value, dt.date) else None


def import_digest(run) -> str:
    """What the import's signature covers: the list, and each version it brought in, with the
    SHA-256 its stored file has now ("" when damaged or missing)."""
    state = {
        "import": run.id,
        "list_sha256": run.list_sha256,
        "files_sha256": run.files_sha256,
        "versions": [
            [
                v.document.code,
                v.issue_no,
                _day(v.issued_on),
                _day(v.effective_date),
                v.drafted_by_name,
                v.reviewed_by_name,
                v.approved_by_name,
                v.imported_row,
                content_sha256(v.primary_file.sha256) if v.primary_file else "",
            ]
            for v in imported_versions(run)
        ],
    }
    return record_digest(state)


register_subject(
    DocumentImport.__tablename__,
    DocumentImport,
    content_digest=import_digest,
    identity=lambda run: (run.list_sha256,),
)
