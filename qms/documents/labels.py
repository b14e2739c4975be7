"""Labels of document control: its actions, records, changed fields and coded values (see
qms.core.labels), and the words its pages use for the same codes."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.models import Role, Unit
from qms.core.calendar import format_date
from qms.core.labels import register, whole_ids
from qms.db import db
from qms.documents.models import (
    Access,
    ChangeRequest,
    Document,
    DocumentImport,
    DocumentKind,
    DocumentVersion,
    LegalStatus,
)

KIND_LABELS = {
    DocumentKind.policy: _l("Quality policy and objectives"),
    DocumentKind.procedure: _l("Procedure"),
    DocumentKind.instruction: _l("Work instruction"),
    DocumentKind.form: _l("Form"),
    DocumentKind.internal: _l("Other internal document"),
    DocumentKind.external: _l("Document of external origin"),
}
LEGAL_STATUS_LABELS = {
    LegalStatus.in_force: _l("In force"),
    LegalStatus.amended: _l("Amended"),
    LegalStatus.replaced: _l("Replaced"),
    LegalStatus.repealed: _l("Repealed"),
}
ACCESS_LABELS = {Access.internal: _l("Internal"), Access.public: _l("Public")}
# Statuses of documents, versions and change requests, by their stored value.
STATUS_LABELS = {
    "draft": _l("Draft"),
    "in_review": _l("In review"),
    "approved": _l("Approved, not yet effective"),
    "effective": _l("Effective"),
    "superseded": _l("Superseded"),
    "obsolete": _l("Obsolete"),
    "active": _l("Active"),
    "open": _l("Open"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    # imports of the document system
    "checking": _l("Being checked"),
    "checked": _l("Checked, waiting for confirmation"),
    "importing": _l("Being imported"),
    "done": _l("Done"),
}
# What a signature on a version means, by its stored value.
MEANING_LABELS = {
    "reviewed": _l("Reviewed"),
    "approved": _l("Approved"),
    "returned": _l("Returned to draft"),
    "withdrawn": _l("Withdrawn"),
    "confirmed": _l("Reviewed, still valid"),
    "declared_issued": _l("Declared as issued (import of the document system)"),
}
KIND_VALUE_LABELS = {k.value: v for k, v in KIND_LABELS.items()}
LEGAL_STATUS_VALUE_LABELS = {k.value: v for k, v in LEGAL_STATUS_LABELS.items()}
ACCESS_VALUE_LABELS = {k.value: v for k, v in ACCESS_LABELS.items()}


def version_name(code, issue_no):
    """What people call a version: "QT-06 lần ban hành 02"."""
    return _("%(code)s issue %(issue)s", code=code, issue=f"{issue_no:02d}")


def _documents(commune_id, keys):
    rows = db.session.execute(
        select(Document.id, Document.code).where(Document.commune_id == commune_id, Document.id.in_(whole_ids(keys)))
    )
    return {str(id_): code for id_, code in rows}


def _versions(commune_id, keys):
    rows = db.session.execute(
        select(DocumentVersion.id, Document.code, DocumentVersion.issue_no)
        .join(Document, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.commune_id == commune_id, DocumentVersion.id.in_(whole_ids(keys)))
    )
    return {str(id_): version_name(code, issue_no) for id_, code, issue_no in rows}


def _change_requests(commune_id, keys):
    rows = db.session.execute(
        select(ChangeRequest.id, Document.code, ChangeRequest.requested_at)
        .join(Document, ChangeRequest.document_id == Document.id)
        .where(ChangeRequest.commune_id == commune_id, ChangeRequest.id.in_(whole_ids(keys)))
    )
    return {
        str(id_): _("Change request for %(code)s of %(d)s", code=code, d=format_date(requested_at))
        for id_, code, requested_at in rows
    }


def _imports(commune_id, keys):
    rows = db.session.execute(
        select(DocumentImport.id, DocumentImport.list_name, DocumentImport.started_at).where(
            DocumentImport.commune_id == commune_id, DocumentImport.id.in_(whole_ids(keys))
        )
    )
    return {
        str(id_): _("Import of %(list)s on %(d)s", list=name, d=format_date(started_at))
        for id_, name, started_at in rows
    }


def _distribution(commune_id, keys):
    """Distribution entries as recorded: "<unit code>", "<role code>" or "<unit code>/<role code>"."""
    parts = {part for key in keys for part in key.split("/")}
    units = dict(
        db.session.execute(
            select(Unit.code, Unit.name).where(Unit.commune_id == commune_id, Unit.code.in_(parts))
        ).all()
    )
    locale = str(get_locale() or "vi")
    roles = {role.code: role.name(locale) for role in db.session.scalars(select(Role).where(Role.code.in_(parts)))}
    found = {}
    for key in keys:
        unit, _sep, role = key.partition("/")
        if role and unit in units and role in roles:
            found[key] = _("%(role)s in %(unit)s", role=roles[role], unit=units[unit])
        elif not role and unit in units:
            found[key] = _("Everyone in %(unit)s", unit=units[unit])
        elif not role and unit in roles:
            found[key] = _("Every %(role)s", role=roles[unit])
    return found


register(
    origins={"import": _l("Import (in the background)")},
    actions={
        "documents.settings_updated": _l("Document-control settings changed"),
        "document.created": _l("Document registered"),
        "document.updated": _l("Document details changed"),
        "document.withdrawn": _l("Document withdrawn"),
        "document.distribution_updated": _l("Distribution changed"),
        "document.change_request.proposed": _l("Change proposed"),
        "document.change_request.accepted": _l("Change request accepted"),
        "document.change_request.declined": _l("Change request declined"),
        "document.version.created": _l("Draft created"),
        "document.version.registered": _l("External document's file registered"),
        "document.version.updated": _l("Draft changed"),
        "document.version.file_replaced": _l("Draft's file replaced"),
        "document.version.submitted": _l("Submitted for review"),
        "document.version.reviewed": _l("Signed as reviewed"),
        "document.version.approved": _l("Signed as approved"),
        "document.version.returned": _l("Returned to draft"),
        "document.version.effective": _l("Came into force"),
        "document.version.superseded": _l("Superseded by a new issue"),
        "document.version.withdrawn": _l("Version withdrawn"),
        "document.version.confirmed": _l("Confirmed still valid (periodic review)"),
        "document.version.acknowledgments_assigned": _l("Read-and-understood tasks assigned"),
        "document.version.acknowledged": _l("Read and understood"),
        "document.version.downloaded": _l("Copy downloaded"),
        "document.version.imported": _l("Issue brought in by the import of the document system"),
        "document.import.started": _l("Import of the document system started"),
        "document.import.finished": _l("Document system imported"),
    },
    records={
        "documents": _l("Document"),
        "document_versions": _l("Document version"),
        "change_requests": _l("Change request"),
        "document_imports": _l("Import of the document system"),
    },
    fields={
        "acknowledged_at": _l("Read and understood at"),
        "access": _l("Access"),
        "allow_same_reviewer_approver": _l("One person may both review and approve a version"),
        "approved_at": _l("Approved at"),
        "approved_by_id": _l("Approved by"),
        "approver_roles": _l("Who may approve"),
        "author": _l("Author"),
        "author_id": _l("Author"),
        "based_on": _l("Drafted from"),
        "change_request": _l("Change request"),
        "change_summary": _l("What changed"),
        "code": _l("Code"),
        "code_formats": _l("Code formats"),
        "code_patterns": _l("Code formats (regular expressions)"),  # events before code formats (12/2026)
        "code_regexes": _l("Code formats (regular expressions)"),
        "decided_at": _l("Decided at"),
        "digest": _l("Digest of what was imported"),
        "document_import": _l("Import of the document system"),
        "documents_created": _l("Documents created"),
        "drafted_by_name": _l("Drafted by (before qms)"),
        "approved_by_name": _l("Approved by (before qms)"),
        "reviewed_by_name": _l("Reviewed by (before qms)"),
        "list_name": _l("Master list"),
        "files_name": _l("Files of the master list"),
        "files_sha256": _l("SHA-256 of the files' .zip"),
        "list_sha256": _l("SHA-256 of the master list"),
        "new_versions": _l("New issues of documents already here"),
        "row": _l("Row of the list"),
        "unchanged": _l("Unchanged"),
        "decided_by_id": _l("Decided by"),
        "decision_reason": _l("Reason for the decision"),
        "distribution": _l("Distribution"),
        "document": _l("Document"),
        "draft_version_id": _l("Draft created (version no.)"),
        "effective_at": _l("Came into force at"),
        "effective_date": _l("Effective date"),
        "effective_on": _l("Effective date"),
        "field": _l("Field"),
        "file": _l("File"),
        "issue_no": _l("Issue"),
        "issued_on": _l("Issue date"),
        "issuer": _l("Issuer"),
        "kind": _l("Kind"),
        "label": _l("Copy"),
        "legal_bases": _l("Legal bases"),
        "legal_status": _l("Legal status"),
        "next_review_on": _l("Next review"),
        "number": _l("Number and symbol"),
        "owner": _l("Owner"),
        "owning_unit": _l("Owning unit"),
        "parent": _l("Belongs to"),
        "reason": _l("Reason"),
        "replaced_by": _l("Replaced by issue"),
        "retention_years": _l("Retention (years)"),
        "returned_comment": _l("Comments on returning"),
        "review_interval_months": _l("Review interval (months)"),
        "reviewed_at": _l("Reviewed at"),
        "reviewed_by_id": _l("Reviewed by"),
        "reviewer_roles": _l("Who may review"),
        "sha256": _l("SHA-256 of the file"),
        "stamped": _l("Stamped"),
        "status": _l("Status"),
        "submitted_at": _l("Submitted at"),
        "superseded_at": _l("Superseded at"),
        "title": _l("Title"),
        "users": _l("People given the task"),
        "via": _l("Through"),
        "what": _l("What should change"),
        "why": _l("Why"),
        "withdrawn_at": _l("Withdrawn at"),
        "withdrawn_reason": _l("Reason for withdrawal"),
    },
    values={
        "status": STATUS_LABELS,
        "kind": KIND_VALUE_LABELS,
        "legal_status": LEGAL_STATUS_VALUE_LABELS,
        "access": ACCESS_VALUE_LABELS,
        "label": {"original": _l("Original file"), "template": _l("Form filled in as a template")},
        "via": {"web": _l("Web page"), "api": "API", "public_catalogue": _l("Public catalogue of procedures")},
        "meaning": MEANING_LABELS,
    },
    namers={
        "documents": _documents,
        "document_versions": _versions,
        "change_requests": _change_requests,
        "document_imports": _imports,
        "distribution": _distribution,
    },
    refs={
        "approved_by_id": "users",
        "author_id": "users",
        "decided_by_id": "users",
        "reviewed_by_id": "users",
        "author": "usernames",
        "owner": "usernames",
        "owning_unit": "unit_codes",
        "reviewer_roles": "roles",
        "approver_roles": "roles",
        "distribution": "distribution",
        "draft_version_id": "document_versions",
        "change_request": "change_requests",
        "document_import": "document_imports",
    },
    keyed={
        "code_formats": "kind",
        "code_patterns": "kind",
        "code_regexes": "kind",
        "reviewer_roles": "kind",
        "approver_roles": "kind",
    },
)
