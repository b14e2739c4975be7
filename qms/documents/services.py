"""Document control (ISO 9001 7.5): every change to documents, versions, signatures, change requests,
distribution and acknowledgments.

Each function takes the acting user, checks the rule (the refusals live in permissions.py so that
pages, the API and these functions give the same answer), changes the rows, records the audit event
in the same transaction and flushes. The caller commits once.

Lifecycle of a version: draft -> in_review (reviewed, then) -> approved -> effective on its effective
date, when the previous effective version becomes superseded; a reviewer or approver can send it back
to draft; withdrawing the document makes its versions obsolete. Reviewing, approving, returning,
withdrawing and confirming are electronic signatures: the password is entered again, and a Signature
row binds the meaning, the signer, the time and the SHA-256 of the file to this one version.

Concurrency: version rows carry an optimistic-lock counter (row_version). Pages and the API send
the counter they showed; a different one, or a concurrent flush that finds the row changed, raises
ConflictError, so of two people acting at once exactly one wins.
"""
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import attributes
from sqlalchemy.orm.exc import StaleDataError

from qms.audit.models import AuditEvent
from qms.audit.services import diff, diff_members, record_event
from qms.auth.models import Role, Unit, User
from qms.auth.passwords import check_password
from qms.db import ConflictError, DomainError, db
from qms.core.calendar import utcnow
from qms.documents import permissions as perm
from qms.documents.models import (Access, Acknowledgment, ChangeRequest, ChangeRequestStatus, Distribution,
                                  Document, DocumentKind, DocumentStatus, DocumentVersion, LegalStatus,
                                  Signature, SignatureMeaning, VersionFile, VersionStatus)
from qms.documents.search import index_version
from qms.documents.settings import CODE_CHARSET, CODE_MAX, document_settings, max_upload_bytes
from qms.files.stamping import Stamp, stamp_file
from qms.files.storage import StorageError, read_bytes, store_bytes
from qms.files.uploads import check_upload
from qms.core.calendar import add_months, format_date, format_datetime, local_today

CONFLICT_MESSAGE = _l("Someone else changed this version while you were working on it. "
                      "Reload the page to see their change, then try again.")
_UNSET = object()


class SignatureRefused(DomainError):
    """The password given to sign was wrong (or too many were). The caller commits anyway, so the
    failed attempt stays in the audit trail."""


# --- small helpers -------------------------------------------------------------------------------

def _require(refusal, code="forbidden", status=403):
    if refusal is not None:
        raise DomainError(refusal, code=code, status=status)


def _kind(value) -> DocumentKind:
    try:
        return value if isinstance(value, DocumentKind) else DocumentKind(value)
    except ValueError:
        raise DomainError(_l("Unknown kind of document.")) from None


def _text(value, limit=None):
    value = (value or "").strip()
    return value[:limit] if limit else value


def _check_row_version(version, expected):
    """The page or API client acted on what it saw at `expected`; anything newer means a conflict."""
    if expected is not None and int(expected) != version.row_version:
        raise ConflictError(CONFLICT_MESSAGE)


def _flush():
    """Flush, turning a lost optimistic-lock race (or a second effective version) into a conflict."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise ConflictError(CONFLICT_MESSAGE) from None


def _touch(version):
    """Make the flush UPDATE the version row, so that its row_version moves on and a concurrent
    writer of the same version conflicts even when only related rows (its files) changed."""
    attributes.flag_modified(version, "change_summary")


# --- electronic signatures --------------------------------------------------------------------------

def _field(value) -> str:
    text = "" if value is None else str(value)
    return f"{len(text)}:{text}"


def signature_digest(*, version_id, document_code, issue_no, meaning, signer_id, signer_name, signed_at,
                     file_sha256, comment) -> str:
    """SHA-256 over length-prefixed fields (no boundary can shift): what was signed, by whom, when."""
    when = signed_at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    meaning = meaning.value if isinstance(meaning, SignatureMeaning) else meaning
    payload = "".join(map(_field, ("qms-signature-v1", version_id, document_code, issue_no, meaning, signer_id,
                                   signer_name, when, file_sha256, comment)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify_signature(signature) -> bool:
    """Recompute the digest from the version the signature is attached to. A signature edited, or
    copied to another version (other id, code or issue), no longer matches."""
    version = signature.version
    expected = signature_digest(version_id=version.id, document_code=version.document.code,
                                issue_no=version.issue_no, meaning=signature.meaning, signer_id=signature.signer_id,
                                signer_name=signature.signer_name, signed_at=signature.signed_at,
                                file_sha256=signature.file_sha256, comment=signature.comment)
    return hmac.compare_digest(expected, signature.digest)


def signature_covers_current_file(signature) -> bool:
    primary = signature.version.primary_file
    return primary is not None and primary.sha256 == signature.file_sha256


def require_signature(user, password, *, meaning, entity):
    """Re-authentication for a signature. A wrong password is recorded (document.signature_failed)
    and raises SignatureRefused; after QMS_LOCKOUT_ATTEMPTS failures within QMS_LOCKOUT_MINUTES the
    password is not even checked, so the form cannot be used to guess it."""
    config = current_app.config
    since = utcnow() - dt.timedelta(minutes=config["QMS_LOCKOUT_MINUTES"])
    failures = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "document.signature_failed",
        AuditEvent.occurred_at > since))
    if failures >= config["QMS_LOCKOUT_ATTEMPTS"]:
        raise SignatureRefused(_l("Too many wrong passwords: signing is blocked for %(m)d minutes.",
                                  m=config["QMS_LOCKOUT_MINUTES"]), code="signature_locked", status=429)
    if not check_password(user.password_hash, password or ""):
        record_event(user, "document.signature_failed", entity, reason=meaning.value)
        raise SignatureRefused(_l("The password is wrong; nothing was signed."), code="bad_signature",
                               status=403)


def _sign(user, version, meaning, comment=""):
    primary = version.primary_file
    signed_at = utcnow()
    file_sha = primary.sha256 if primary is not None else ""
    signature = Signature(commune_id=version.commune_id, version_id=version.id, signer_id=user.id,
                          signer_name=user.full_name, meaning=meaning, signed_at=signed_at, file_sha256=file_sha,
                          comment=comment,
                          digest=signature_digest(version_id=version.id, document_code=version.document.code,
                                                  issue_no=version.issue_no, meaning=meaning, signer_id=user.id,
                                                  signer_name=user.full_name, signed_at=signed_at,
                                                  file_sha256=file_sha, comment=comment))
    db.session.add(signature)
    db.session.flush()
    return signature


def _signature_changes(signature):
    return {"signature": (None, f"{signature.meaning.value} {signature.digest}"),
            "file_sha256": (None, signature.file_sha256)}


# --- documents -----------------------------------------------------------------------------------

def _in_commune(obj, commune_id, message):
    if obj is not None and obj.commune_id != commune_id:
        raise DomainError(message)


def _check_references(commune_id, kind, *, owning_unit, owner, parent, legal_bases):
    _in_commune(owning_unit, commune_id, _l("The owning unit belongs to another commune."))
    _in_commune(owner, commune_id, _l("The owner belongs to another commune."))
    if parent is not None:
        _in_commune(parent, commune_id, _l("The parent document belongs to another commune."))
        if parent.kind is not DocumentKind.procedure:
            raise DomainError(_l("A form or instruction can belong only to a procedure."))
    if kind is DocumentKind.form and parent is None:
        raise DomainError(_l("A form belongs to a procedure: choose its procedure."), code="parent_required")
    if parent is not None and kind not in (DocumentKind.form, DocumentKind.instruction):
        raise DomainError(_l("Only forms and instructions belong to a procedure."))
    for basis in legal_bases:
        _in_commune(basis, commune_id, _l("A legal basis belongs to another commune."))
        if basis.kind is not DocumentKind.external:
            raise DomainError(_l("A legal basis must be a document of external origin."))
    if legal_bases and kind is DocumentKind.external:
        raise DomainError(_l("A document of external origin has no legal bases of its own."))


def _check_external(kind, *, issuer, number, legal_status):
    if kind is DocumentKind.external:
        if not issuer or not number:
            raise DomainError(_l("A document of external origin needs its issuer and number."),
                              code="external_required")
        if legal_status is None:
            raise DomainError(_l("Choose whether the document is in force, amended, replaced or repealed."),
                              code="external_required")
    elif issuer or number or legal_status is not None:
        raise DomainError(_l("Issuer, number and legal status belong to documents of external origin only."))


def _legal_status(value):
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, LegalStatus) else LegalStatus(value)
    except ValueError:
        raise DomainError(_l("Unknown legal status.")) from None


def _access(value):
    try:
        return value if isinstance(value, Access) else Access(value)
    except ValueError:
        raise DomainError(_l("Unknown access level.")) from None


def _check_numbers(review_interval_months, retention_years):
    if not 1 <= int(review_interval_months) <= 60:
        raise DomainError(_l("The review interval is between %(a)d and %(b)d months.", a=1, b=60))
    if retention_years is not None and not 1 <= int(retention_years) <= 100:
        raise DomainError(_l("The retention period is between 1 and 100 years (leave it empty to keep "
                             "the document permanently)."))


def create_document(actor, commune, *, code, title, kind, field="", owning_unit=None, owner=None, parent=None,
                    review_interval_months=None, retention_years=None, access=Access.internal, legal_bases=(),
                    distribution=(), issuer="", number="", issued_on=None, effective_on=None, legal_status=None):
    """Register a document (no version yet). Raises DomainError for a code that does not follow the
    commune's format for its kind or is taken, and for references that do not fit (a form without a
    procedure, a legal basis that is not external, anything of another commune)."""
    _require(None if perm.can_create_document(actor) and actor.commune_id == commune.id
             else _l("Only a quality officer can register documents."))
    kind = _kind(kind)
    code, title = _text(code), _text(title)
    settings = document_settings(commune)
    if not code or len(code) > CODE_MAX or not CODE_CHARSET.fullmatch(code):
        raise DomainError(_l("A code has letters, digits, dots and dashes, without spaces (for example "
                             "QT-01)."), code="invalid_code")
    if not settings.code_fits(kind, code):
        raise DomainError(_l("The code %(code)s does not follow this commune's format for this kind of "
                             "document (%(pattern)s).", code=code, pattern=settings.code_pattern(kind)),
                          code="invalid_code")
    if db.session.scalar(select(Document.id).where(Document.commune_id == commune.id, Document.code == code)):
        raise DomainError(_l("The code %(code)s is already used.", code=code), code="taken", status=409)
    if not title:
        raise DomainError(_l("Enter the title."), code="title_required")
    legal_bases = list(legal_bases)
    legal_status = _legal_status(legal_status)
    _check_references(commune.id, kind, owning_unit=owning_unit, owner=owner, parent=parent,
                      legal_bases=legal_bases)
    issuer, number = _text(issuer, 300), _text(number, 100)
    _check_external(kind, issuer=issuer, number=number, legal_status=legal_status)
    interval = settings.review_interval_months if review_interval_months is None else int(review_interval_months)
    _check_numbers(interval, retention_years)
    document = Document(commune_id=commune.id, code=code, title=title[:500], kind=kind, field=_text(field, 120),
                        owning_unit_id=owning_unit.id if owning_unit else None, owner_id=owner.id if owner else None,
                        parent_id=parent.id if parent else None, review_interval_months=interval,
                        retention_years=retention_years, access=_access(access), created_by_id=actor.id,
                        issuer=issuer, number=number, issued_on=issued_on, effective_on=effective_on,
                        legal_status=legal_status, status=DocumentStatus.active)
    document.legal_bases = legal_bases
    db.session.add(document)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_l("The code %(code)s is already used.", code=code), code="taken", status=409) from None
    record_event(actor, "document.created", document, changes={
        "code": (None, code), "title": (None, document.title), "kind": (None, kind.value),
        "parent": (None, parent.code if parent else None),
        "legal_bases": (None, [b.code for b in legal_bases]) if legal_bases else (None, []),
    })
    if distribution:
        set_distribution(actor, document, distribution)
    return document


def update_document(actor, document, *, reason="", title=_UNSET, field=_UNSET, owning_unit=_UNSET, owner=_UNSET,
                    parent=_UNSET, review_interval_months=_UNSET, retention_years=_UNSET, access=_UNSET,
                    legal_bases=_UNSET, issuer=_UNSET, number=_UNSET, issued_on=_UNSET, effective_on=_UNSET,
                    legal_status=_UNSET):
    """Change a document's metadata (code and kind stay: they identify it). Only the arguments given
    are changed; returns {field: (old, new)}. The review interval applies from the next effective
    version or periodic review."""
    _require(None if perm.can_edit_document(actor, document)
             else _l("Only a quality officer can change an active document."))
    given = {k: v for k, v in dict(title=title, field=field, review_interval_months=review_interval_months,
                                   retention_years=retention_years, issuer=issuer, number=number,
                                   issued_on=issued_on, effective_on=effective_on).items() if v is not _UNSET}
    for key, limit in (("title", 500), ("field", 120), ("issuer", 300), ("number", 100)):
        if key in given:
            given[key] = _text(given[key], limit)
    if "title" in given and not given["title"]:
        raise DomainError(_l("Enter the title."), code="title_required")
    if access is not _UNSET:
        given["access"] = _access(access)
    if legal_status is not _UNSET:
        given["legal_status"] = _legal_status(legal_status)
    new_unit = document.owning_unit if owning_unit is _UNSET else owning_unit
    new_owner = document.owner if owner is _UNSET else owner
    new_parent = document.parent if parent is _UNSET else parent
    new_bases = list(document.legal_bases if legal_bases is _UNSET else legal_bases)
    if new_parent is not None and new_parent.id == document.id:
        raise DomainError(_l("A document cannot belong to itself."))
    _check_references(document.commune_id, document.kind, owning_unit=new_unit, owner=new_owner,
                      parent=new_parent, legal_bases=new_bases)
    _check_external(document.kind, issuer=given.get("issuer", document.issuer),
                    number=given.get("number", document.number),
                    legal_status=given.get("legal_status", document.legal_status))
    _check_numbers(given.get("review_interval_months", document.review_interval_months),
                   given.get("retention_years", document.retention_years))
    changes = diff(document, **given)
    for name, new, attr in (("owning_unit", new_unit, "owning_unit_id"), ("owner", new_owner, "owner_id"),
                            ("parent", new_parent, "parent_id")):
        old_id, new_id = getattr(document, attr), new.id if new is not None else None
        if old_id != new_id:
            old_obj = getattr(document, name)
            changes[name] = (_label(old_obj), _label(new))
            setattr(document, attr, new_id)
            setattr(document, name, new)
    changes.update(diff_members(document, "legal_bases", new_bases))
    if changes:
        record_event(actor, "document.updated", document, changes=changes, reason=reason)
        for version in document.versions:
            if version.status in perm.PENDING or version.status is VersionStatus.effective:
                index_version(version)
    return changes


def _label(obj):
    if obj is None:
        return None
    return getattr(obj, "code", None) or getattr(obj, "username", None) or str(obj.id)


def withdraw_document(actor, document, *, password, reason):
    """Withdraw a document (obsolete): its effective and pending versions become obsolete, open change
    requests are declined. A signed action; the reason is required."""
    _require(perm.withdraw_refusal(actor, document))
    reason = _text(reason)
    if not reason:
        raise DomainError(_l("Say why the document is withdrawn."), code="reason_required")
    versions = [v for v in document.versions if v.status in perm.PENDING or v.status is VersionStatus.effective]
    signed = next((v for v in versions if v.status is VersionStatus.effective), None) or \
        (document.versions[-1] if document.versions else None)
    require_signature(actor, password, meaning=SignatureMeaning.withdrawn, entity=signed or document)
    now = utcnow()
    for version in versions:
        old = version.status
        version.status, version.withdrawn_at = VersionStatus.obsolete, now
        _flush()
        record_event(actor, "document.version.withdrawn", version, changes={"status": (old, version.status)},
                     reason=reason)
    changes = diff(document, status=DocumentStatus.obsolete, withdrawn_at=now, withdrawn_reason=reason)
    if signed is not None:
        changes.update(_signature_changes(_sign(actor, signed, SignatureMeaning.withdrawn, reason)))
    record_event(actor, "document.withdrawn", document, changes=changes, reason=reason)
    for request in _open_change_requests(document):
        _decide(actor, request, ChangeRequestStatus.declined, reason)
    return document


# --- versions ------------------------------------------------------------------------------------

def _next_issue_no(document):
    return (db.session.scalar(select(func.max(DocumentVersion.issue_no))
                              .where(DocumentVersion.document_id == document.id)) or 0) + 1


def _checked_file(filename, data):
    """The upload checks (uploads.check_upload), then the bytes into the store."""
    checked = check_upload(filename or "", data or b"", max_bytes=max_upload_bytes())
    stored = store_bytes(checked.data)
    return VersionFile(sha256=stored.sha256, filename=checked.display_name, kind=checked.kind,
                       media_type=checked.media_type, size=checked.size, is_primary=True,
                       text_content=checked.text or "")


def create_draft_version(actor, document, *, filename, data, change_summary="", reason=""):
    """Upload a new draft (issue number = last + 1). The file passes uploads.check_upload first: a
    refused file raises UploadRefused and nothing is stored. A document has at most one version in
    progress; a revision (issue 02 onwards) needs a summary of what changed."""
    _require(perm.create_version_refusal(actor, document))
    if document.kind is DocumentKind.external:
        raise DomainError(_l("A document of external origin is registered with its file, not drafted."))
    change_summary, reason = _text(change_summary), _text(reason)
    issue_no = _next_issue_no(document)
    if issue_no > 1 and not change_summary:
        raise DomainError(_l("Say what changed in this version."), code="summary_required")
    version_file = _checked_file(filename, data)
    version = DocumentVersion(commune_id=document.commune_id, document=document, issue_no=issue_no,
                              status=VersionStatus.draft, change_summary=change_summary, reason=reason,
                              author_id=actor.id, files=[version_file])
    db.session.add(version)
    _flush()  # a concurrent upload took the same issue number: conflict
    record_event(actor, "document.version.created", version, changes={
        "issue_no": (None, issue_no), "status": (None, version.status), "file": (None, version_file.filename),
        "sha256": (None, version_file.sha256)}, reason=reason)
    index_version(version)
    return version


def register_external_file(actor, document, *, filename, data, change_summary=""):
    """Keep the text of a document of external origin (a law, a decree). It is not ours to review or
    approve: the file is in force at once and replaces the previous one, which becomes superseded."""
    _require(perm.create_version_refusal(actor, document))
    if document.kind is not DocumentKind.external:
        raise DomainError(_l("Only documents of external origin are registered this way."))
    version_file = _checked_file(filename, data)
    version = DocumentVersion(commune_id=document.commune_id, document=document,
                              issue_no=_next_issue_no(document), status=VersionStatus.approved,
                              change_summary=_text(change_summary), author_id=actor.id, files=[version_file],
                              approved_at=utcnow(), effective_date=local_today())
    db.session.add(version)
    _flush()
    record_event(actor, "document.version.registered", version, changes={
        "issue_no": (None, version.issue_no), "file": (None, version_file.filename),
        "sha256": (None, version_file.sha256)})
    _make_effective(actor, version, local_today())
    index_version(version)
    return version


def replace_draft_file(actor, version, *, filename, data, change_summary=None, reason=None,
                       expected_row_version=None):
    """Replace a draft's file (and optionally its summary and reason). Whoever uploads the content
    becomes its author, so they cannot review or approve it either."""
    _check_row_version(version, expected_row_version)
    _require(perm.edit_refusal(actor, version))
    new_file = _checked_file(filename, data)
    old_file = version.primary_file
    changes = {"file": (old_file.filename if old_file else None, new_file.filename),
               "sha256": (old_file.sha256 if old_file else None, new_file.sha256)}
    values = {}
    if change_summary is not None:
        values["change_summary"] = _text(change_summary)
        if version.issue_no > 1 and not values["change_summary"]:
            raise DomainError(_l("Say what changed in this version."), code="summary_required")
    if reason is not None:
        values["reason"] = _text(reason)
    if version.author_id != actor.id:
        changes["author"] = (version.author.username, actor.username)
        values["author_id"] = actor.id
    changes.update(diff(version, **values))
    version.files = [new_file]
    _touch(version)
    _flush()
    record_event(actor, "document.version.file_replaced", version, changes=changes)
    index_version(version)
    return version


def update_draft(actor, version, *, change_summary, reason, expected_row_version=None):
    """Change a draft's summary of changes and reason, without a new file."""
    _check_row_version(version, expected_row_version)
    _require(perm.edit_refusal(actor, version))
    change_summary = _text(change_summary)
    if version.issue_no > 1 and not change_summary:
        raise DomainError(_l("Say what changed in this version."), code="summary_required")
    changes = diff(version, change_summary=change_summary, reason=_text(reason))
    if changes:
        _flush()
        record_event(actor, "document.version.updated", version, changes=changes)
        index_version(version)
    return changes


def submit_for_review(actor, version, *, expected_row_version=None):
    """Send a draft to review."""
    _check_row_version(version, expected_row_version)
    _require(perm.submit_refusal(actor, version))
    changes = diff(version, status=VersionStatus.in_review, submitted_at=utcnow())
    _flush()
    record_event(actor, "document.version.submitted", version, changes=changes)
    return version


def review_version(actor, version, *, password, comment="", expected_row_version=None):
    """Sign a version in review as reviewed. The author cannot review their own version, and only the
    roles the commune's settings name for this kind of document can."""
    _check_row_version(version, expected_row_version)
    _require(perm.review_refusal(actor, version))
    require_signature(actor, password, meaning=SignatureMeaning.reviewed, entity=version)
    changes = diff(version, reviewed_by_id=actor.id, reviewed_at=utcnow())
    _flush()
    changes.update(_signature_changes(_sign(actor, version, SignatureMeaning.reviewed, _text(comment))))
    record_event(actor, "document.version.reviewed", version, changes=changes, reason=_text(comment))
    return version


def approve_version(actor, version, *, password, effective_date=None, comment="", expected_row_version=None,
                    today=None):
    """Sign a reviewed version as approved, effective on `effective_date` (default today). A date today
    or earlier makes it effective at once; a later one leaves it approved until activate_due_versions
    runs on that day. The author never approves; the reviewer only if the commune allows it."""
    _check_row_version(version, expected_row_version)
    _require(perm.approve_refusal(actor, version))
    today = today or local_today()
    effective_date = effective_date or today
    if not isinstance(effective_date, dt.date):
        raise DomainError(_l("Enter the effective date as dd/mm/yyyy."), code="invalid_date")
    require_signature(actor, password, meaning=SignatureMeaning.approved, entity=version)
    changes = diff(version, status=VersionStatus.approved, approved_by_id=actor.id, approved_at=utcnow(),
                   effective_date=effective_date)
    _flush()
    changes.update(_signature_changes(_sign(actor, version, SignatureMeaning.approved, _text(comment))))
    record_event(actor, "document.version.approved", version, changes=changes, reason=_text(comment))
    if effective_date <= today:
        _make_effective(actor, version, today)
    return version


def return_to_draft(actor, version, *, password, comment, expected_row_version=None):
    """Send a version in review (or approved, not yet effective) back to its author with comments.
    Its review and approval are cleared; the signatures stay in the history."""
    _check_row_version(version, expected_row_version)
    _require(perm.return_refusal(actor, version))
    comment = _text(comment)
    if not comment:
        raise DomainError(_l("Say what has to change before the version can go on."), code="comment_required")
    require_signature(actor, password, meaning=SignatureMeaning.returned, entity=version)
    changes = diff(version, status=VersionStatus.draft, submitted_at=None, reviewed_by_id=None, reviewed_at=None,
                   approved_by_id=None, approved_at=None, effective_date=None, returned_comment=comment)
    _flush()
    changes.update(_signature_changes(_sign(actor, version, SignatureMeaning.returned, comment)))
    record_event(actor, "document.version.returned", version, changes=changes, reason=comment)
    return version


def make_effective(actor, version, *, today=None):
    """Put an approved version into force once its effective date has come (actor None: the system)."""
    today = today or local_today()
    if version.status is not VersionStatus.approved:
        raise DomainError(_l("Only an approved version can become effective."))
    if version.effective_date is None or version.effective_date > today:
        raise DomainError(_l("This version becomes effective on %(day)s, not before.",
                             day=version.effective_date.strftime("%d/%m/%Y") if version.effective_date else "?"))
    return _make_effective(actor, version, today)


def _make_effective(actor, version, today):
    """The previous effective version becomes superseded first (the database allows one effective
    version per document), then this one becomes effective; distribution gets its tasks."""
    now = utcnow()
    previous = db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == version.document_id, DocumentVersion.status == VersionStatus.effective,
        DocumentVersion.id != version.id))
    if previous is not None:
        changes = diff(previous, status=VersionStatus.superseded, superseded_at=now)
        _flush()
        record_event(actor, "document.version.superseded", previous, changes=changes,
                     reason=f"replaced by issue {version.issue_label}")
    interval = version.document.review_interval_months
    changes = diff(version, status=VersionStatus.effective, effective_at=now,
                   next_review_on=add_months(version.effective_date, interval))
    _flush()
    record_event(actor, "document.version.effective", version, changes=changes)
    _assign_acknowledgments(version)
    return version


def activate_due_versions(today=None):
    """Make effective every approved version whose effective date has come (the system acts).
    Run by `qms documents activate-due` and, at most every few minutes, before document pages."""
    today = today or local_today()
    due = list(db.session.scalars(select(DocumentVersion).where(
        DocumentVersion.status == VersionStatus.approved, DocumentVersion.effective_date <= today)
        .order_by(DocumentVersion.effective_date, DocumentVersion.id)))
    for version in due:
        _make_effective(None, version, today)
    return due


def confirm_still_valid(actor, version, *, password, comment="", today=None, expected_row_version=None):
    """Periodic review: "reviewed, still valid", signed. Sets the next review date from today without
    a new version."""
    _check_row_version(version, expected_row_version)
    _require(perm.confirm_refusal(actor, version))
    require_signature(actor, password, meaning=SignatureMeaning.confirmed, entity=version)
    today = today or local_today()
    changes = diff(version, next_review_on=add_months(today, version.document.review_interval_months))
    _touch(version)
    _flush()
    changes.update(_signature_changes(_sign(actor, version, SignatureMeaning.confirmed, _text(comment))))
    record_event(actor, "document.version.confirmed", version, changes=changes, reason=_text(comment))
    return version


# --- distribution and acknowledgment --------------------------------------------------------------

def _role_by_code(code):
    role = db.session.scalar(select(Role).where(Role.code == code))
    if role is None:
        raise DomainError(_l("Unknown role: %(r)s", r=code))
    return role


def set_distribution(actor, document, targets):
    """Who the document is distributed to: a list of (unit or None, role code or None); a unit and a
    role together mean the holders of that role in that unit. The users newly reached get a task to
    acknowledge the current effective version."""
    _require(None if perm.can_manage_distribution(actor, document)
             else _l("Only a quality officer can change the distribution of an active document."))
    wanted = set()
    for unit, role_code in targets:
        if unit is None and not role_code:
            continue
        if unit is not None and (unit.commune_id != document.commune_id or not isinstance(unit, Unit)):
            raise DomainError(_l("A chosen unit does not belong to this commune."))
        wanted.add((unit.id if unit else None, _role_by_code(role_code).id if role_code else None))
    current = {(d.unit_id, d.role_id): d for d in document.distributions}
    if set(current) == wanted:
        return {}
    old = sorted(_distribution_label(d.unit, d.role) for d in document.distributions)
    for key, row in current.items():
        if key not in wanted:
            document.distributions.remove(row)
    for unit_id, role_id in sorted(wanted - set(current), key=lambda k: (k[0] or 0, k[1] or 0)):
        document.distributions.append(Distribution(unit_id=unit_id, role_id=role_id))
    db.session.flush()
    db.session.expire(document, ["distributions"])
    new = sorted(_distribution_label(d.unit, d.role) for d in document.distributions)
    changes = {"distribution": (old, new)}
    record_event(actor, "document.distribution_updated", document, changes=changes)
    effective = current_version(document)
    if effective is not None:
        _assign_acknowledgments(effective)
    return changes


def _distribution_label(unit, role):
    return "/".join(part for part in (unit.code if unit else "", role.code if role else "") if part)


def distribution_user_ids(document):
    """Active users of the document's commune reached by its distribution."""
    ids = set()
    for row in document.distributions:
        query = select(User.id).where(User.commune_id == document.commune_id, User.is_active_account)
        if row.unit_id is not None:
            query = query.where(User.units.any(Unit.id == row.unit_id))
        if row.role_id is not None:
            query = query.where(User.roles.any(Role.id == row.role_id))
        ids.update(db.session.scalars(query))
    return ids


def _assign_acknowledgments(version):
    reached = distribution_user_ids(version.document)
    if not reached:
        return 0
    assigned = set(db.session.scalars(select(Acknowledgment.user_id).where(Acknowledgment.version_id == version.id)))
    new = sorted(reached - assigned)
    for user_id in new:
        db.session.add(Acknowledgment(commune_id=version.commune_id, version_id=version.id, user_id=user_id))
    if new:
        db.session.flush()
        record_event(None, "document.version.acknowledgments_assigned", version,
                     changes={"users": (None, len(new))})
    return len(new)


def acknowledge_version(actor, version):
    """"Read and understood" for the effective version (a task of the distribution, or on one's own)."""
    _require(None if perm.can_acknowledge(actor, version)
             else _l("Only the effective version of a document can be acknowledged."))
    ack = db.session.scalar(select(Acknowledgment).where(Acknowledgment.version_id == version.id,
                                                         Acknowledgment.user_id == actor.id))
    if ack is not None and ack.acknowledged_at is not None:
        raise DomainError(_l("You have already acknowledged this version."), code="already_done")
    now = utcnow()
    if ack is None:
        ack = Acknowledgment(commune_id=version.commune_id, version_id=version.id, user_id=actor.id,
                             assigned_at=now)
        db.session.add(ack)
    ack.acknowledged_at = now
    db.session.flush()
    record_event(actor, "document.version.acknowledged", version, changes={"acknowledged_at": (None, now)})
    return ack


# --- change requests ------------------------------------------------------------------------------

def propose_change(actor, document, *, what, why):
    """Anyone but an auditor may ask for a change to an effective document: what, and why."""
    _require(perm.propose_refusal(actor, document))
    what, why = _text(what), _text(why)
    if not what or not why:
        raise DomainError(_l("Say what should change and why."), code="text_required")
    request = ChangeRequest(commune_id=document.commune_id, document_id=document.id, requested_by_id=actor.id,
                            what=what, why=why, status=ChangeRequestStatus.open)
    db.session.add(request)
    db.session.flush()
    record_event(actor, "document.change_request.proposed", request,
                 changes={"document": (None, document.code), "what": (None, what), "why": (None, why)})
    return request


def _open_change_requests(document):
    return list(db.session.scalars(select(ChangeRequest).where(
        ChangeRequest.document_id == document.id, ChangeRequest.status == ChangeRequestStatus.open)))


def _decide(actor, request, status, reason, draft=None):
    changes = diff(request, status=status, decided_by_id=actor.id if actor else None, decided_at=utcnow(),
                   decision_reason=reason)
    if draft is not None:
        changes.update(diff(request, draft_version_id=draft.id))
    record_event(actor, f"document.change_request.{status.value}", request, changes=changes, reason=reason)


def accept_change_request(actor, request, *, comment=""):
    """Accept a change request: a new draft is created from the current version's file and linked to
    the request (or, when a draft is already open, the request is linked to it). Returns the draft."""
    _require(None if perm.can_decide_change(actor, request)
             else _l("Only a quality officer can decide an open change request."))
    document = request.document
    pending = next((v for v in document.versions if v.status in perm.PENDING), None)
    if pending is not None and pending.status is not VersionStatus.draft:
        raise DomainError(_l("A revision of this document is already in review; decide this request once "
                             "it is effective, or return it to draft first."), code="revision_in_review",
                          status=409)
    draft = pending
    if draft is None:
        current = current_version(document)
        if current is None:
            raise DomainError(_l("This document has no effective version to revise."))
        _require(perm.create_version_refusal(actor, document))
        draft = DocumentVersion(
            commune_id=document.commune_id, document=document, issue_no=_next_issue_no(document),
            status=VersionStatus.draft, change_summary=request.what, reason=request.why, author_id=actor.id,
            based_on_id=current.id,
            files=[VersionFile(sha256=f.sha256, filename=f.filename, kind=f.kind, media_type=f.media_type,
                               size=f.size, is_primary=f.is_primary, text_content=f.text_content)
                   for f in current.files])
        db.session.add(draft)
        _flush()
        record_event(actor, "document.version.created", draft, changes={
            "issue_no": (None, draft.issue_no), "status": (None, draft.status),
            "based_on": (None, current.issue_label), "change_request": (None, request.id)})
        index_version(draft)
    _decide(actor, request, ChangeRequestStatus.accepted, _text(comment), draft=draft)
    return draft


def decline_change_request(actor, request, *, reason):
    """Decline a change request, saying why (the person who asked sees it)."""
    _require(None if perm.can_decide_change(actor, request)
             else _l("Only a quality officer can decide an open change request."))
    reason = _text(reason)
    if not reason:
        raise DomainError(_l("Say why the request is declined."), code="reason_required")
    _decide(actor, request, ChangeRequestStatus.declined, reason)
    return request


# --- downloads ------------------------------------------------------------------------------------

LABEL_CONTROLLED = "BẢN KIỂM SOÁT"
LABEL_OBSOLETE = "HẾT HIỆU LỰC"
LABEL_DRAFT = "DỰ THẢO"


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    media_type: str
    label: str
    stamped: bool


def stamp_label(version):
    """What a downloaded copy says it is: the version in force is a controlled copy; superseded and
    withdrawn versions are obsolete; anything not yet in force is a draft."""
    if version.status is VersionStatus.effective and version.document.status is DocumentStatus.active:
        return LABEL_CONTROLLED
    if version.status in (VersionStatus.superseded, VersionStatus.obsolete, VersionStatus.effective):
        return LABEL_OBSOLETE
    return LABEL_DRAFT


def _stored(version_file):
    try:
        return read_bytes(version_file.sha256)
    except StorageError:
        current_app.logger.exception("stored file %s failed its check", version_file.sha256)
        raise DomainError(_l("The stored file is missing or damaged, so it is not served. Tell the "
                             "administrator, who can restore it from the backup."), code="file_damaged",
                          status=500) from None


def sign_off_text(version) -> str:
    """The drafted / reviewed / approved block of a version as one line for its controlled copy:
    "Soạn thảo: A – Xem xét: B (20/11/2026) – Phê duyệt: C (21/11/2026)". A document of external
    origin is registered, not drafted here, so it has none."""
    if version.document.kind is DocumentKind.external:
        return ""
    # Every download builds this line: the people in it come in one query, not in a lazy load each.
    ids = {version.author_id, version.reviewed_by_id, version.approved_by_id} - {None}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    parts = [f"Soạn thảo: {people[version.author_id].full_name}"]
    for label, person_id, when in (("Xem xét", version.reviewed_by_id, version.reviewed_at),
                                   ("Phê duyệt", version.approved_by_id, version.approved_at)):
        if person_id is not None:
            parts.append(f"{label}: {people[person_id].full_name} ({format_date(when)})")
    return " – ".join(parts)


def download_filename(version):
    primary = version.primary_file
    return f"{version.document.code}_L{version.issue_label}_{primary.filename}"


def download_copy(actor, version, *, via="web"):
    """The stamped copy of a version's file (code, issue, effective date, label, who and when, and
    the sign-off block), and its audit event. A PDF that cannot be stamped is served as stored; the
    event says so."""
    _require(None if perm.can_download(actor, version) else _l("You cannot download this version."))
    primary = version.primary_file
    data = _stored(primary)
    label = stamp_label(version)
    stamp = Stamp(code=version.document.code, issue_no=version.issue_no,
                  effective_date=format_date(version.effective_date) if version.effective_date else "",
                  label=label, downloaded_by=actor.full_name, downloaded_at=format_datetime(utcnow()),
                  signed=sign_off_text(version))
    try:
        data, stamped = stamp_file(primary.kind, data, stamp, sha256=primary.sha256), True
    except ValueError:
        current_app.logger.warning("version %s (%s) served unstamped", version.id, primary.kind)
        stamped = False
    record_event(actor, "document.version.downloaded", version, changes={
        "file": (None, primary.filename), "sha256": (None, primary.sha256), "label": (None, label),
        "stamped": (None, stamped), "via": (None, via)})
    return Download(data, download_filename(version), primary.media_type, label, stamped)


def download_original(actor, version, *, via="web"):
    """The file exactly as stored (to check its SHA-256), for those who see the history; audited."""
    _require(None if perm.can_see_original(actor, version) else _l("You cannot download this version."))
    primary = version.primary_file
    data = _stored(primary)
    record_event(actor, "document.version.downloaded", version, changes={
        "file": (None, primary.filename), "sha256": (None, primary.sha256), "label": (None, "original"),
        "stamped": (None, False), "via": (None, via)})
    return Download(data, download_filename(version), primary.media_type, "", False)


# --- reading helpers used by the services and the pages -------------------------------------------

def current_version(document):
    """The effective version, or None."""
    return next((v for v in document.versions if v.status is VersionStatus.effective), None)


def pending_version(document):
    """The version in progress (draft, in review or approved), or None."""
    return next((v for v in document.versions if v.status in perm.PENDING), None)
