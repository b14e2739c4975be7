"""A document's versions: drafts and their files, review, approval and return (signed), coming
into force on the effective date (the previous version superseded), the periodic confirmation that a
version is still valid, and the files of documents of external origin.

Lifecycle: draft -> in_review (reviewed, then) -> approved -> effective on its effective date, when
the previous effective version becomes superseded; a reviewer or approver can send it back to draft;
withdrawing the document makes its versions obsolete (services.documents). Reviewing, approving,
returning, withdrawing and confirming are electronic signatures (qms.signatures): the password is
typed again and checked before anything is written.

Concurrency: version rows carry an optimistic-lock counter (row_version). Pages and the API send the
counter they showed; a different one, or a concurrent flush that finds the row changed, raises
ConflictError, so of two people acting at once exactly one wins.
"""

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qms.audit.services import diff, record_event
from qms.auth.models import Commune
from qms.core.calendar import add_months, local_today, utcnow
from qms.core.fill import template_refusal
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents.models import DocumentKind, DocumentVersion, SignatureMeaning, VersionFile, VersionStatus
from qms.documents.search import index_version
from qms.documents.services.common import (
    check_row_version,
    confirm_signature,
    flush,
    require,
    sign_version,
    text,
    touch,
)
from qms.documents.services.distribution import assign_acknowledgments
from qms.files.services import receive_upload


def next_issue_no(document):
    return (
        db.session.scalar(select(func.max(DocumentVersion.issue_no)).where(DocumentVersion.document_id == document.id))
        or 0
    ) + 1


def _checked_file(filename, data):
    """The upload checks (qms.files), then the bytes into the store. Every version is downloaded
    as a stamped controlled copy, so a file that cannot carry the stamp is refused here."""
    checked = receive_upload(filename, data, controlled_copy=True)
    return VersionFile(
        **checked.stored_fields,
        kind=checked.kind,
        is_primary=True,
        text_content=checked.text or "",
    )


def _check_template(document, version_file, data):
    """The Word file of a form may be a template another area fills in (the one-stop forms): the
    checks those areas registered with qms.core.fill judge its placeholders, once the upload checks
    have passed (an unknown placeholder is refused, named; nothing is written)."""
    if document.kind is DocumentKind.form and version_file.kind == "docx":
        refusal = template_refusal(db.session.get(Commune, document.commune_id), document.code, data)
        if refusal:
            raise DomainError(refusal, code="unknown_placeholder")


def create_draft_version(actor, document, *, filename, data, change_summary="", reason=""):
    """Upload a new draft (issue number = last + 1). The file passes uploads.check_upload first: a
    refused file raises UploadRefused and nothing is stored. A document has at most one version in
    progress; a revision (issue 02 onwards) needs a summary of what changed."""
    require(perm.create_version_refusal(actor, document))
    if document.kind is DocumentKind.external:
        raise DomainError(_l("A document of external origin is registered with its file, not drafted."))
    change_summary, reason = text(change_summary), text(reason)
    issue_no = next_issue_no(document)
    if issue_no > 1 and not change_summary:
        raise DomainError(_l("Say what changed in this version."), code="summary_required")
    version_file = _checked_file(filename, data)
    _check_template(document, version_file, data)
    version = DocumentVersion(
        commune_id=document.commune_id,
        document=document,
        issue_no=issue_no,
        status=VersionStatus.draft,
        change_summary=change_summary,
        reason=reason,
        author_id=actor.id,
        files=[version_file],
    )
    db.session.add(version)
    flush()  # a concurrent upload took the same issue number: conflict
    record_event(
        actor,
        "document.version.created",
        version,
        changes={
            "issue_no": (None, issue_no),
            "status": (None, version.status),
            "file": (None, version_file.filename),
            "sha256": (None, version_file.sha256),
        },
        reason=reason,
    )
    index_version(version)
    return version


def register_external_file(actor, document, *, filename, data, change_summary=""):
    """Keep the text of a document of external origin (a law, a decree). It is not ours to review or
    approve: its effective date is the text's own (the document's effective_on; the day it is
    registered when that is not known), it is in force at once when that day has come (else the job
    documents.activate_due makes it so on that day) and replaces the previous one, which becomes
    superseded."""
    require(perm.create_version_refusal(actor, document))
    if document.kind is not DocumentKind.external:
        raise DomainError(_l("Only documents of external origin are registered this way."))
    version_file = _checked_file(filename, data)
    today = local_today()
    version = DocumentVersion(
        commune_id=document.commune_id,
        document=document,
        issue_no=next_issue_no(document),
        status=VersionStatus.approved,
        change_summary=text(change_summary),
        author_id=actor.id,
        files=[version_file],
        approved_at=utcnow(),
        effective_date=document.effective_on or today,
    )
    db.session.add(version)
    flush()
    record_event(
        actor,
        "document.version.registered",
        version,
        changes={
            "issue_no": (None, version.issue_no),
            "file": (None, version_file.filename),
            "sha256": (None, version_file.sha256),
            "effective_date": (None, version.effective_date),
        },
    )
    if version.effective_date <= today:
        _make_effective(actor, version, today)
    index_version(version)
    return version


def import_version(
    actor,
    document,
    *,
    imported,
    row,
    filename,
    data,
    issue_no,
    effective_date,
    issued_on=None,
    drafted_by="",
    reviewed_by="",
    approved_by="",
):
    """A version issued before qms, brought in by an import (qms.documents.imports): its issue
    number, dates and the names of who drafted, reviewed and approved it as the master list gives
    them (text: no signature of theirs is invented; the import's own signature declares it issued).
    It is in force from its effective date (at once when that has come, superseding the version in
    force), like an approved version."""
    require(perm.create_version_refusal(actor, document))
    version_file = _checked_file(filename, data)
    _check_template(document, version_file, data)
    version = DocumentVersion(
        commune_id=document.commune_id,
        document=document,
        issue_no=issue_no,
        status=VersionStatus.approved,
        author_id=actor.id,
        files=[version_file],
        approved_at=utcnow(),
        effective_date=effective_date,
        issued_on=issued_on,
        imported_id=imported.id,
        imported_row=row,
        drafted_by_name=text(drafted_by, 200),
        reviewed_by_name=text(reviewed_by, 200),
        approved_by_name=text(approved_by, 200),
    )
    db.session.add(version)
    flush()
    record_event(
        actor,
        "document.version.imported",
        version,
        changes={
            "issue_no": (None, issue_no),
            "file": (None, version_file.filename),
            "sha256": (None, version_file.sha256),
            "issued_on": (None, issued_on),
            "effective_date": (None, effective_date),
            "drafted_by_name": (None, version.drafted_by_name),
            "reviewed_by_name": (None, version.reviewed_by_name),
            "approved_by_name": (None, version.approved_by_name),
            "document_import": (None, imported.id),
            "row": (None, row),
        },
    )
    today = local_today()
    if effective_date <= today:
        _make_effective(actor, version, today)
    index_version(version)
    return version


def replace_draft_file(actor, version, *, filename, data, change_summary=None, reason=None, expected_row_version=None):
    """Replace a draft's file (and optionally its summary and reason). Whoever uploads the content
    becomes its author, so they cannot review or approve it either."""
    check_row_version(version, expected_row_version)
    require(perm.edit_refusal(actor, version))
    new_file = _checked_file(filename, data)
    _check_template(version.document, new_file, data)
    old_file = version.primary_file
    changes = {
        "file": (old_file.filename if old_file else None, new_file.filename),
        "sha256": (old_file.sha256 if old_file else None, new_file.sha256),
    }
    values = {}
    if change_summary is not None:
        values["change_summary"] = text(change_summary)
        if version.issue_no > 1 and not values["change_summary"]:
            raise DomainError(_l("Say what changed in this version."), code="summary_required")
    if reason is not None:
        values["reason"] = text(reason)
    if version.author_id != actor.id:
        changes["author"] = (version.author.username, actor.username)
        values["author_id"] = actor.id
    changes.update(diff(version, **values))
    version.files = [new_file]
    touch(version)
    flush()
    record_event(actor, "document.version.file_replaced", version, changes=changes)
    index_version(version)
    return version


def update_draft(actor, version, *, change_summary, reason, expected_row_version=None):
    """Change a draft's summary of changes and reason, without a new file."""
    check_row_version(version, expected_row_version)
    require(perm.edit_refusal(actor, version))
    change_summary = text(change_summary)
    if version.issue_no > 1 and not change_summary:
        raise DomainError(_l("Say what changed in this version."), code="summary_required")
    changes = diff(version, change_summary=change_summary, reason=text(reason))
    if changes:
        flush()
        record_event(actor, "document.version.updated", version, changes=changes)
        index_version(version)
    return changes


def submit_for_review(actor, version, *, expected_row_version=None):
    """Send a draft to review."""
    check_row_version(version, expected_row_version)
    require(perm.submit_refusal(actor, version))
    changes = diff(version, status=VersionStatus.in_review, submitted_at=utcnow())
    flush()
    record_event(actor, "document.version.submitted", version, changes=changes)
    return version


def review_version(actor, version, *, password, comment="", expected_row_version=None):
    """Sign a version in review as reviewed. The author cannot review their own version, and only the
    roles the commune's settings name for this kind of document can."""
    check_row_version(version, expected_row_version)
    require(perm.review_refusal(actor, version))
    confirm_signature(actor, password, meaning=SignatureMeaning.reviewed, version=version)
    changes = diff(version, reviewed_by_id=actor.id, reviewed_at=utcnow())
    flush()
    changes.update(sign_version(actor, version, SignatureMeaning.reviewed, text(comment)))
    record_event(actor, "document.version.reviewed", version, changes=changes, reason=text(comment))
    return version


def approve_version(
    actor, version, *, password, effective_date=None, comment="", expected_row_version=None, today=None
):
    """Sign a reviewed version as approved, effective on `effective_date` (default today). A date today
    or earlier makes it effective at once; a later one leaves it approved until activate_due_versions
    runs on that day. The author never approves; the reviewer only if the commune allows it."""
    check_row_version(version, expected_row_version)
    require(perm.approve_refusal(actor, version))
    today = today or local_today()
    effective_date = effective_date or today
    if not isinstance(effective_date, dt.date):
        raise DomainError(_l("Enter the effective date as dd/mm/yyyy."), code="invalid_date")
    confirm_signature(actor, password, meaning=SignatureMeaning.approved, version=version)
    changes = diff(
        version,
        status=VersionStatus.approved,
        approved_by_id=actor.id,
        approved_at=utcnow(),
        effective_date=effective_date,
    )
    flush()
    changes.update(sign_version(actor, version, SignatureMeaning.approved, text(comment)))
    record_event(actor, "document.version.approved", version, changes=changes, reason=text(comment))
    if effective_date <= today:
        _make_effective(actor, version, today)
    return version


def return_to_draft(actor, version, *, password, comment, expected_row_version=None):
    """Send a version in review (or approved, not yet effective) back to its author with comments.
    Its review and approval are cleared; the signatures stay in the history."""
    check_row_version(version, expected_row_version)
    require(perm.return_refusal(actor, version))
    comment = text(comment)
    if not comment:
        raise DomainError(_l("Say what has to change before the version can go on."), code="comment_required")
    confirm_signature(actor, password, meaning=SignatureMeaning.returned, version=version)
    changes = diff(
        version,
        status=VersionStatus.draft,
        submitted_at=None,
        reviewed_by_id=None,
        reviewed_at=None,
        approved_by_id=None,
        approved_at=None,
        effective_date=None,
        returned_comment=comment,
    )
    flush()
    changes.update(sign_version(actor, version, SignatureMeaning.returned, comment))
    record_event(actor, "document.version.returned", version, changes=changes, reason=comment)
    return version


def make_effective(actor, version, *, today=None):
    """Put an approved version into force once its effective date has come (actor None: the system)."""
    today = today or local_today()
    if version.status is not VersionStatus.approved:
        raise DomainError(_l("Only an approved version can become effective."))
    if version.effective_date is None or version.effective_date > today:
        raise DomainError(
            _l(
                "This version becomes effective on %(day)s, not before.",
                day=version.effective_date.strftime("%d/%m/%Y") if version.effective_date else "?",
            )
        )
    return _make_effective(actor, version, today)


def _make_effective(actor, version, today):
    """The previous effective version becomes superseded first (the database allows one effective
    version per document), then this one becomes effective; distribution gets its tasks."""
    now = utcnow()
    previous = db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.status == VersionStatus.effective,
            DocumentVersion.id != version.id,
        )
    )
    if previous is not None:
        changes = diff(previous, status=VersionStatus.superseded, superseded_at=now)
        flush()
        changes["replaced_by"] = (None, version.issue_label)
        record_event(actor, "document.version.superseded", previous, changes=changes)
    # Reviewed a period after it came into force here: a law registered years after it took effect
    # is not due for review on the day it is registered.
    interval = version.document.review_interval_months
    changes = diff(
        version,
        status=VersionStatus.effective,
        effective_at=now,
        next_review_on=add_months(max(version.effective_date, today), interval),
    )
    flush()
    record_event(actor, "document.version.effective", version, changes=changes)
    assign_acknowledgments(version)
    return version


def activate_due_versions(today=None):
    """Make effective every approved version whose effective date has come (the system acts).
    The job documents.activate_due runs it (qms.core.jobs): `qms serve` every few minutes, or
    `qms jobs run` from a scheduler."""
    today = today or local_today()
    due = list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.status == VersionStatus.approved, DocumentVersion.effective_date <= today)
            .order_by(DocumentVersion.effective_date, DocumentVersion.id)
        )
    )
    for version in due:
        _make_effective(None, version, today)
    return due


def confirm_still_valid(actor, version, *, password, comment="", today=None, expected_row_version=None):
    """Periodic review: "reviewed, still valid", signed. Sets the next review date from today without
    a new version."""
    check_row_version(version, expected_row_version)
    require(perm.confirm_refusal(actor, version))
    confirm_signature(actor, password, meaning=SignatureMeaning.confirmed, version=version)
    today = today or local_today()
    changes = diff(version, next_review_on=add_months(today, version.document.review_interval_months))
    touch(version)
    flush()
    changes.update(sign_version(actor, version, SignatureMeaning.confirmed, text(comment)))
    record_event(actor, "document.version.confirmed", version, changes=changes, reason=text(comment))
    return version
