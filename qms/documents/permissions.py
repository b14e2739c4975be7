"""Who may see and do what in document control. Views, the API, templates and services all ask here.

Each rule that can be refused for more than one reason has a `<verb>_refusal(user, obj)` returning
the reason a person should read (or None when allowed); `can_<verb>` is its yes/no form. Services
raise the refusal as a DomainError, so a page, the API and a script get the same answer.

Staff see only what is in force: an active document's effective version. Drafts, versions in
review, superseded and obsolete versions are for quality officers, leaders and auditors.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.models import ADMINISTRATOR, AUDITOR, LEADER, QUALITY_OFFICER, STAFF
from qms.db import db
from qms.documents.models import Acknowledgment, ChangeRequestStatus, DocumentKind, DocumentStatus, VersionStatus
from qms.documents.settings import document_settings

# Roles that read every version, including drafts and obsolete ones.
HISTORY_READERS = (QUALITY_OFFICER, LEADER, AUDITOR)
# Roles that may propose a change: everyone but auditors, who read and never change anything.
PROPOSERS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF)
# A version on its way to becoming effective; a document has at most one.
PENDING = (VersionStatus.draft, VersionStatus.in_review, VersionStatus.approved)


def _same_commune(user, obj):
    return user is not None and user.is_authenticated and obj is not None and obj.commune_id == user.commune_id


def sees_history(user) -> bool:
    return user.has_role(*HISTORY_READERS)


# --- reading -----------------------------------------------------------------------------------


def can_view_document(user, document) -> bool:
    """Quality officers, leaders and auditors: every document of their commune. Everyone else: an
    active document that has an effective version (or an active document of external origin)."""
    if not _same_commune(user, document):
        return False
    if sees_history(user):
        return True
    if document.status is not DocumentStatus.active:
        return False
    return document.kind is DocumentKind.external or any(v.status is VersionStatus.effective for v in document.versions)


def can_view_version(user, version) -> bool:
    """Staff may read only the effective version of an active document; never a draft, a version in
    review, or a superseded or obsolete one."""
    if not _same_commune(user, version):
        return False
    if sees_history(user):
        return True
    return version.status is VersionStatus.effective and version.document.status is DocumentStatus.active


def can_download(user, version) -> bool:
    return can_view_version(user, version) and version.primary_file is not None


def can_see_history(user, document) -> bool:
    """The full list of versions, signatures, change requests and acknowledgments."""
    return _same_commune(user, document) and sees_history(user)


def can_see_original(user, version) -> bool:
    """The file exactly as stored (unstamped), to check its SHA-256: never for staff."""
    return can_see_history(user, version.document) and version.primary_file is not None


# --- documents -----------------------------------------------------------------------------------


def can_create_document(user) -> bool:
    return user.has_role(QUALITY_OFFICER)


def import_refusal(user, commune):
    """Why `user` may not import a document system into `commune` (None: they may): the quality
    officer of that commune only."""
    if not user.has_role(QUALITY_OFFICER) or user.commune_id != commune.id:
        return _l("Only the commune's quality officer can import its document system.")
    return None


def can_view_import(user, run) -> bool:
    """The record of an import: the commune's quality officers and its auditors (who read)."""
    return user.commune_id == run.commune_id and user.has_role(QUALITY_OFFICER, AUDITOR)


def can_edit_document(user, document) -> bool:
    return _same_commune(user, document) and user.has_role(QUALITY_OFFICER) and document.status is DocumentStatus.active


def can_manage_distribution(user, document) -> bool:
    return can_edit_document(user, document) and document.kind is not DocumentKind.external


def create_version_refusal(user, document):
    if not can_edit_document(user, document):
        return _l("Only a quality officer can upload a new version of an active document.")
    if document.kind is DocumentKind.external:
        return None
    if any(v.status in PENDING for v in document.versions):
        return _l("This document already has a version in progress; finish or return it first.")
    return None


def can_create_version(user, document) -> bool:
    return create_version_refusal(user, document) is None


def withdraw_refusal(user, document):
    if not _same_commune(user, document):
        return _l("You cannot withdraw this document.")
    if document.status is not DocumentStatus.active:
        return _l("This document has already been withdrawn.")
    approvers = (
        document_settings(user.commune).approvers_for(document.kind)
        if document.kind is not DocumentKind.external
        else frozenset()
    )
    if not user.has_role(QUALITY_OFFICER, *approvers):
        return _l("Only a quality officer or someone who approves this kind of document can withdraw it.")
    return None


def can_withdraw(user, document) -> bool:
    return withdraw_refusal(user, document) is None


# --- versions ------------------------------------------------------------------------------------


def edit_refusal(user, version):
    if not _same_commune(user, version) or not user.has_role(QUALITY_OFFICER):
        return _l("Only a quality officer can edit a draft.")
    if version.status is not VersionStatus.draft:
        return _l("Only a draft can be changed; this version has gone further (see its status).")
    return None


def can_edit(user, version) -> bool:
    return edit_refusal(user, version) is None


def submit_refusal(user, version):
    refusal = edit_refusal(user, version)
    if refusal is None and version.primary_file is None:
        return _l("Upload the file before submitting the draft for review.")
    return refusal


def can_submit(user, version) -> bool:
    return submit_refusal(user, version) is None


def review_refusal(user, version):
    if not _same_commune(user, version):
        return _l("You cannot review this version.")
    if version.status is not VersionStatus.in_review:
        return _l("Only a version in review can be reviewed.")
    if version.reviewed_by_id is not None:
        return _l("This version has already been reviewed.")
    if version.author_id == user.id:
        return _l("The author of a version cannot review it.")
    if not user.has_role(*document_settings(user.commune).reviewers_for(version.document.kind)):
        return _l("Your role does not review this kind of document.")
    return None


def can_review(user, version) -> bool:
    return review_refusal(user, version) is None


def approve_refusal(user, version):
    if not _same_commune(user, version):
        return _l("You cannot approve this version.")
    if version.status is not VersionStatus.in_review:
        return _l("Only a version in review can be approved.")
    if version.reviewed_by_id is None:
        return _l("The version must be reviewed before it is approved.")
    if version.author_id == user.id:
        return _l("The author of a version cannot approve it.")
    settings = document_settings(user.commune)
    if version.reviewed_by_id == user.id and not settings.allow_same_reviewer_approver:
        return _l("The reviewer and the approver must be different people.")
    if not user.has_role(*settings.approvers_for(version.document.kind)):
        return _l("Your role does not approve this kind of document.")
    return None


def can_approve(user, version) -> bool:
    return approve_refusal(user, version) is None


def return_refusal(user, version):
    if not _same_commune(user, version):
        return _l("You cannot return this version.")
    if version.status not in (VersionStatus.in_review, VersionStatus.approved):
        return _l("Only a version in review or approved but not yet effective can be sent back.")
    if version.author_id == user.id:
        return _l("The author cannot send their own version back; edit it instead.")
    settings = document_settings(user.commune)
    kind = version.document.kind
    if not user.has_role(*(settings.reviewers_for(kind) | settings.approvers_for(kind))):
        return _l("Your role does not review or approve this kind of document.")
    return None


def can_return(user, version) -> bool:
    return return_refusal(user, version) is None


def confirm_refusal(user, version):
    if not _same_commune(user, version):
        return _l("You cannot confirm this version.")
    if version.status is not VersionStatus.effective:
        return _l("Only the effective version can be confirmed as still valid.")
    approvers = document_settings(user.commune).approvers_for(version.document.kind)
    if not user.has_role(QUALITY_OFFICER, *approvers):
        return _l("Only a quality officer or someone who approves this kind of document can confirm it.")
    return None


def can_confirm(user, version) -> bool:
    return confirm_refusal(user, version) is None


def acknowledge_refusal(user, version):
    """ "Read and understood" is for the distribution: the people the version was assigned to, and
    those the document reaches by their unit or role now. Never for an auditor (who changes nothing)."""
    if not can_view_version(user, version) or version.status is not VersionStatus.effective:
        return _l("Only the effective version of a document can be acknowledged.")
    if user.is_read_only:
        return _l("Auditors read the documents; they do not acknowledge them.")
    assigned = db.session.scalar(
        select(Acknowledgment.id).where(Acknowledgment.version_id == version.id, Acknowledgment.user_id == user.id)
    )
    if assigned is None and not is_in_distribution(user, version.document):
        return _l("This document is not distributed to you, so there is nothing to acknowledge.")
    return None


def can_acknowledge(user, version) -> bool:
    return acknowledge_refusal(user, version) is None


def is_in_distribution(user, document) -> bool:
    """Whether the document's distribution reaches `user` (a unit of theirs, a role of theirs, or
    that role within that unit)."""
    unit_ids, role_ids = {unit.id for unit in user.units}, {role.id for role in user.roles}
    return any(
        (row.unit_id is None or row.unit_id in unit_ids) and (row.role_id is None or row.role_id in role_ids)
        for row in document.distributions
    )


def can_see_acknowledgments(user, version) -> bool:
    return can_see_history(user, version.document)


# --- change requests ------------------------------------------------------------------------------


def propose_refusal(user, document):
    if not _same_commune(user, document) or not user.has_role(*PROPOSERS):
        return _l("You cannot propose a change to this document.")
    if (
        document.status is not DocumentStatus.active
        or document.kind is DocumentKind.external
        or not any(v.status is VersionStatus.effective for v in document.versions)
    ):
        return _l("Changes can be proposed only to an effective document.")
    return None


def can_propose_change(user, document) -> bool:
    return propose_refusal(user, document) is None


def can_decide_change(user, change_request) -> bool:
    return (
        _same_commune(user, change_request)
        and user.has_role(QUALITY_OFFICER)
        and change_request.status is ChangeRequestStatus.open
        and change_request.document.status is DocumentStatus.active
    )


def can_see_change_request(user, change_request) -> bool:
    return _same_commune(user, change_request) and (sees_history(user) or change_request.requested_by_id == user.id)


# --- settings -------------------------------------------------------------------------------------


def can_manage_settings(user) -> bool:
    return user.has_role(QUALITY_OFFICER, ADMINISTRATOR)
