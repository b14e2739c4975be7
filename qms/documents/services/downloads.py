"""Downloads: the stamped controlled copy of a version (what it says it is, who downloaded it and
when, the sign-off block), the public copy of a published form anyone may take from the public
catalogue of procedures, and the original file for those who read the history; each is audited."""

import functools
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from qms.audit.services import record_event
from qms.auth.models import User
from qms.core.calendar import format_date, format_datetime, utcnow
from qms.db import DomainError, db, relax_durability
from qms.documents import permissions as perm
from qms.documents.models import Access, DocumentKind, DocumentStatus, VersionStatus
from qms.documents.services.common import require
from qms.files.services import read_stored
from qms.files.stamping import Stamp, stamp_file

LABEL_CONTROLLED = "BẢN KIỂM SOÁT"
LABEL_OBSOLETE = "HẾT HIỆU LỰC"
LABEL_DRAFT = "DỰ THẢO"
LABEL_PUBLIC = "BẢN CÔNG KHAI"
# Who a public copy says took it: nobody signs in for it, so the copy names where it is published.
PUBLIC_DOWNLOADER = "Công khai tại Bộ phận Một cửa"


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


def sign_off_text(version) -> str:
    """The drafted / reviewed / approved block of a version as one line for its controlled copy:
    "Soạn thảo: A – Xem xét: B (20/11/2026) – Phê duyệt: C (21/11/2026)". A document of external
    origin is registered, not drafted here, so it has none."""
    if version.document.kind is DocumentKind.external:
        return ""
    if version.imported_id is not None:  # issued before qms: the people the master list names
        parts = [
            f"{label}: {name}"
            for label, name in (
                ("Soạn thảo", version.drafted_by_name),
                ("Xem xét", version.reviewed_by_name),
                ("Phê duyệt", version.approved_by_name),
            )
            if name
        ]
        if version.issued_on:
            parts.append(f"Ban hành: {format_date(version.issued_on)}")
        return " – ".join(parts)
    # Every download builds this line: the names in it come in one query, not in a lazy load each.
    ids = {version.author_id, version.reviewed_by_id, version.approved_by_id} - {None}
    names = dict(db.session.execute(_names_query(), {"ids": list(ids)}).all())
    parts = [f"Soạn thảo: {names[version.author_id]}"]
    for label, person_id, when in (
        ("Xem xét", version.reviewed_by_id, version.reviewed_at),
        ("Phê duyệt", version.approved_by_id, version.approved_at),
    ):
        if person_id is not None:
            parts.append(f"{label}: {names[person_id]} ({format_date(when)})")
    return " – ".join(parts)


@functools.cache
def _names_query():
    return select(User.id, User.full_name).where(User.id.in_(bindparam("ids", expanding=True)))


def download_filename(version):
    primary = version.primary_file
    return f"{version.document.code}_L{version.issue_label}_{primary.filename}"


def record_download(actor, version, *, label, stamped, via):
    """The audit event of a download of the version's file (the stamped copy, the original, a form
    read as a template). It is all such a request writes, so it is committed without waiting for the
    disk (qms.db.relax_durability)."""
    primary = version.primary_file
    relax_durability()
    record_event(
        actor,
        "document.version.downloaded",
        version,
        changes={
            "file": (None, primary.filename),
            "sha256": (None, primary.sha256),
            "label": (None, label),
            "stamped": (None, stamped),
            "via": (None, via),
        },
    )


def _stamped(actor, version, *, label, downloaded_by) -> bytes:
    """The version's file with its stamp (code, issue, effective date, label, who and when, and the
    sign-off block). A copy is never served without its stamp: a file the stamp cannot be added to
    (uploads refuse such files; one stored before they did) is refused with a reason, as is a
    stored file found damaged (FileDamaged, recorded)."""
    primary = version.primary_file
    data = read_stored(primary.sha256, actor, found_in=version)
    stamp = Stamp(
        code=version.document.code,
        issue_no=version.issue_no,
        effective_date=format_date(version.effective_date) if version.effective_date else "",
        label=label,
        downloaded_by=downloaded_by,
        downloaded_at=format_datetime(utcnow()),
        signed=sign_off_text(version),
    )
    try:
        return stamp_file(primary.kind, data, stamp, sha256=primary.sha256)
    except ValueError:
        current_app.logger.warning("version %s (%s) cannot be stamped", version.id, primary.kind, exc_info=True)
        raise DomainError(
            _l(
                "A controlled copy of this file cannot be made: the stamp cannot be added to it. "
                "Ask the quality officer to upload the file again (saved anew in Word or Excel)."
            ),
            code="unstampable",
            status=409,
        ) from None


def download_copy(actor, version, *, via="web"):
    """The stamped copy of a version's file (see _stamped), and its audit event."""
    require(None if perm.can_download(actor, version) else _l("You cannot download this version."))
    label = stamp_label(version)
    data = _stamped(actor, version, label=label, downloaded_by=actor.full_name)
    record_download(actor, version, label=label, stamped=True, via=via)
    return Download(data, download_filename(version), version.primary_file.media_type, label, True)


def controlled_copy(actor, version) -> bytes:
    """The stamped copy of a version's file as a download would give it to `actor` (see _stamped), for
    an evidence pack: not recorded as a download, the pack's own event records the export; the caller
    checks that `actor` may take it."""
    return _stamped(actor, version, label=stamp_label(version), downloaded_by=actor.full_name)


def is_published(version) -> bool:
    """Whether anyone may take a copy of the version without signing in: the version in force of
    an active document whose access is public (the forms a citizen fills in)."""
    return (
        version.status is VersionStatus.effective
        and version.document.status is DocumentStatus.active
        and version.document.access is Access.public
        and version.primary_file is not None
    )


def download_public_copy(version, *, via="public_catalogue"):
    """The public copy of a published version (is_published), for anyone, signed in or not: stamped
    LABEL_PUBLIC, naming where it is published rather than a person, with the sign-off block of the
    version; its download is recorded without an actor. Anything else is not found (DomainError
    404), as if it did not exist: a draft, an obsolete version, an internal document."""
    if not is_published(version):
        raise DomainError(_l("There is no such public document."), code="not_found", status=404)
    data = _stamped(None, version, label=LABEL_PUBLIC, downloaded_by=PUBLIC_DOWNLOADER)
    record_download(None, version, label=LABEL_PUBLIC, stamped=True, via=via)
    return Download(data, download_filename(version), version.primary_file.media_type, LABEL_PUBLIC, True)


def download_original(actor, version, *, via="web"):
    """The file exactly as stored (to check its SHA-256), for those who see the history; audited."""
    require(None if perm.can_see_original(actor, version) else _l("You cannot download this version."))
    primary = version.primary_file
    data = read_stored(primary.sha256, actor, found_in=version)
    record_download(actor, version, label="original", stamped=False, via=via)
    return Download(data, download_filename(version), primary.media_type, "", False)
