"""What every service of document control shares: refusing with a reason, conflicts between two
people acting on one version, the version in force and the one in progress, and signing a version
(through qms.signatures, which seals a version's signatures to its document code, issue number and
the SHA-256 of its file)."""

import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import attributes, joinedload

from qms.core.text import trimmed
from qms.db import DomainError, OptimisticLock, db
from qms.db import require as require
from qms.documents import permissions as perm
from qms.documents.models import Document, DocumentKind, DocumentVersion, VersionStatus
from qms.files.services import INTACT, content_sha256, file_state, read_stored
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes

CONFLICT_MESSAGE = _l(
    "Someone else changed this version while you were working on it. "
    "Reload the page to see their change, then try again."
)
_LOCK = OptimisticLock(CONFLICT_MESSAGE)  # flush(): a second effective version is a conflict too
check_row_version, flush = _LOCK.check_row_version, _LOCK.flush
text = trimmed  # the services' name for it
UNSET = object()  # an argument not given (None is a value: "no owning unit")


def kind_of(value) -> DocumentKind:
    try:
        return value if isinstance(value, DocumentKind) else DocumentKind(value)
    except ValueError:
        raise DomainError(_l("Unknown kind of document.")) from None


def touch(version):
    """Make the flush UPDATE the version row, so that its row_version moves on and a concurrent
    writer of the same version conflicts even when only related rows (its files) changed."""
    attributes.flag_modified(version, "change_summary")


def document_by_code(commune_id, code):
    """The commune's document with this code, or None (whether the reader may see it is the
    caller's question). Its versions and their files come in the same statement: a document found
    by its code is read for them (who may see it, which version is in force, its file)."""
    found = db.session.scalars(_by_code_query(), {"commune_id": commune_id, "code": code})
    return found.unique().one_or_none()


@functools.cache
def _by_code_query():
    """Built once per process: pages, downloads and the API find documents by code all day."""
    return (
        select(Document)
        .where(Document.commune_id == bindparam("commune_id"), Document.code == bindparam("code"))
        .options(joinedload(Document.versions).joinedload(DocumentVersion.files))
    )


def current_version(document):
    """The effective version, or None."""
    return next((v for v in document.versions if v.status is VersionStatus.effective), None)


def pending_version(document):
    """The version in progress (draft, in review or approved), or None."""
    return next((v for v in document.versions if v.status in perm.PENDING), None)


# --- signatures on versions --------------------------------------------------------------------------


def _file_digest(version):
    """What a signature on a version covers: the SHA-256 of its file as stored now ("" when the
    file is damaged or missing, so that no signature matches it)."""
    primary = version.primary_file
    return content_sha256(primary.sha256) if primary is not None else ""


register_subject(
    DocumentVersion.__tablename__,
    DocumentVersion,
    content_digest=_file_digest,
    identity=lambda version: (version.document.code, version.issue_no),
)


def confirm_signature(actor, password, *, meaning, version):
    """The password typed again before a signed action on `version` (see qms.signatures), and
    the file it signs checked: a damaged file is recorded and never signed (FileDamaged). Both
    come before the action changes anything."""
    confirm_password(actor, password, meaning=meaning, subject=version)
    primary = version.primary_file
    if primary is not None and file_state(primary.sha256) != INTACT:
        read_stored(primary.sha256, actor, found_in=version)  # records the damage and refuses


def sign_version(actor, version, meaning, comment="") -> dict:
    """Sign `version`; returns what the action's audit event records about the signature."""
    return signature_changes(sign(actor, version, meaning, comment=comment))
