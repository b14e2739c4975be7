"""Change requests: anyone but an auditor proposes a change to a document in force; a quality
officer accepts it (a new draft from the current file) or declines it with a reason."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import diff, record_event
from qms.core.calendar import utcnow
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents.models import ChangeRequest, ChangeRequestStatus, DocumentVersion, VersionFile, VersionStatus
from qms.documents.search import index_version
from qms.documents.services.common import current_version, flush, require, text
from qms.documents.services.versions import next_issue_no


def propose_change(actor, document, *, what, why):
    """Anyone but an auditor may ask for a change to an effective document: what, and why."""
    require(perm.propose_refusal(actor, document))
    what, why = text(what), text(why)
    if not what or not why:
        raise DomainError(_l("Say what should change and why."), code="text_required")
    request = ChangeRequest(
        commune_id=document.commune_id,
        document_id=document.id,
        requested_by_id=actor.id,
        what=what,
        why=why,
        status=ChangeRequestStatus.open,
    )
    db.session.add(request)
    db.session.flush()
    record_event(
        actor,
        "document.change_request.proposed",
        request,
        changes={"document": (None, document.code), "what": (None, what), "why": (None, why)},
    )
    return request


def open_change_requests(document):
    return list(
        db.session.scalars(
            select(ChangeRequest).where(
                ChangeRequest.document_id == document.id, ChangeRequest.status == ChangeRequestStatus.open
            )
        )
    )


def decide(actor, request, status, reason, draft=None):
    changes = diff(
        request, status=status, decided_by_id=actor.id if actor else None, decided_at=utcnow(), decision_reason=reason
    )
    if draft is not None:
        changes.update(diff(request, draft_version_id=draft.id))
    record_event(actor, f"document.change_request.{status.value}", request, changes=changes, reason=reason)


def accept_change_request(actor, request, *, comment=""):
    """Accept a change request: a new draft is created from the current version's file and linked to
    the request (or, when a draft is already open, the request is linked to it). Returns the draft."""
    require(
        None
        if perm.can_decide_change(actor, request)
        else _l("Only a quality officer can decide an open change request.")
    )
    document = request.document
    pending = next((v for v in document.versions if v.status in perm.PENDING), None)
    if pending is not None and pending.status is not VersionStatus.draft:
        raise DomainError(
            _l(
                "A revision of this document is already in review; decide this request once "
                "it is effective, or return it to draft first."
            ),
            code="revision_in_review",
            status=409,
        )
    draft = pending
    if draft is None:
        current = current_version(document)
        if current is None:
            raise DomainError(_l("This document has no effective version to revise."))
        require(perm.create_version_refusal(actor, document))
        draft = DocumentVersion(
            commune_id=document.commune_id,
            document=document,
            issue_no=next_issue_no(document),
            status=VersionStatus.draft,
            change_summary=request.what,
            reason=request.why,
            author_id=actor.id,
            based_on_id=current.id,
            files=[
                VersionFile(
                    sha256=f.sha256,
                    filename=f.filename,
                    kind=f.kind,
                    media_type=f.media_type,
                    size=f.size,
                    is_primary=f.is_primary,
                    text_content=f.text_content,
                )
                for f in current.files
            ],
        )
        db.session.add(draft)
        flush()
        record_event(
            actor,
            "document.version.created",
            draft,
            changes={
                "issue_no": (None, draft.issue_no),
                "status": (None, draft.status),
                "based_on": (None, current.issue_label),
                "change_request": (None, request.id),
            },
        )
        index_version(draft)
    decide(actor, request, ChangeRequestStatus.accepted, text(comment), draft=draft)
    return draft


def decline_change_request(actor, request, *, reason):
    """Decline a change request, saying why (the person who asked sees it)."""
    require(
        None
        if perm.can_decide_change(actor, request)
        else _l("Only a quality officer can decide an open change request.")
    )
    reason = text(reason)
    if not reason:
        raise DomainError(_l("Say why the request is declined."), code="reason_required")
    decide(actor, request, ChangeRequestStatus.declined, reason)
    return request
