"""What the areas call to keep and serve files: one upload path for every area (documents, later
the evidence of nonconformities and audits), and reading a stored file back with its check.

A stored file whose bytes no longer hash to their address (edited or damaged on the disk) or that
has gone missing is never served: the first reader to find it records the damage (the stored-file
row is marked, an audit event says where it was found), the request is refused with a message a
person understands, and the administrator's page lists it until a good copy is back (a backup
restored, or the same file uploaded again) and a reader finds it intact.
"""

import functools
import hashlib
import os
import threading
from collections import OrderedDict

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from qms.audit.services import record_event
from qms.core.calendar import utcnow
from qms.db import RecordedRefusal, db
from qms.files.models import StoredFile
from qms.files.stamping import Stamp, stamp_file
from qms.files.storage import StorageError, path_for, read_bytes, store_bytes
from qms.files.uploads import CheckedFile, check_upload, refusal

INTACT, DAMAGED, MISSING = "intact", "damaged", "missing"


class FileDamaged(RecordedRefusal):
    """A stored file is missing or no longer matches its SHA-256; its damage has been recorded."""

    def __init__(self):
        super().__init__(
            _l(
                "The stored file is missing or damaged, so it is not served. Tell the "
                "administrator, who can restore it from the backup."
            ),
            code="file_damaged",
            status=409,
        )


def max_upload_mb() -> int:
    """The installation's upload limit in MB (QMS_MAX_UPLOAD_MB), the same for every commune."""
    return int(current_app.config["QMS_MAX_UPLOAD_MB"])


def max_upload_bytes() -> int:
    return max_upload_mb() * 1024 * 1024


def judge_upload(filename, data, *, controlled_copy=False) -> CheckedFile:
    """Check an upload (qms.files.uploads.check_upload, with the installation's size limit),
    keeping nothing (a dry run). controlled_copy: the file will be served as a stamped controlled
    copy, so a file the stamp cannot be added to is refused now rather than served without it
    later. Raises UploadRefused saying why."""
    checked = check_upload(filename or "", data or b"", max_bytes=max_upload_bytes())
    if controlled_copy:
        check_stampable(checked)
    return checked


def receive_upload(filename, data, *, controlled_copy=False) -> CheckedFile:
    """judge_upload, then the bytes kept in the store, in the current transaction."""
    checked = judge_upload(filename, data, controlled_copy=controlled_copy)
    store_bytes(checked.data)
    return checked


# A stamp as long as a real one (long names, both lines), to try on a new upload.
_TRIAL_STAMP = Stamp(
    code="BM-00-QT-00",
    issue_no=99,
    effective_date="31/12/2099",
    label="BẢN KIỂM SOÁT",
    downloaded_by="Nguyễn Thị Thử Nghiệm",
    downloaded_at="31/12/2099 23:59",
    signed="Soạn thảo: Nguyễn Văn A – Xem xét: Trần Thị B (31/12/2099) – Phê duyệt: Lê Văn C (31/12/2099)",
)


def check_stampable(checked):
    """Refuse a file the controlled-copy stamp cannot be added to (it would have to be served
    without it, which a controlled copy never is)."""
    try:
        stamp_file(checked.kind, checked.data, _TRIAL_STAMP, sha256=checked.sha256)
    except ValueError:
        raise refusal("unstampable") from None


def read_stored(sha256, actor=None, *, found_in=None) -> bytes:
    """The bytes of a stored file, checked against their SHA-256. A missing or damaged file is
    recorded (see the module's docstring: found_in is the record that refers to it, named in the
    event) and raises FileDamaged."""
    try:
        data = read_bytes(sha256)
    except StorageError as exc:
        current_app.logger.error("%s", exc)
        mark_damaged(sha256, actor, found_in=found_in, state=file_state(sha256, fresh=True))
        raise FileDamaged() from None
    # every download reads the file: only the damage mark is asked for, the row only when it is set
    if db.session.scalar(_damage_mark_query(), {"sha256": sha256}) is not None:
        row = db.session.get(StoredFile, sha256)
        record_event(actor, "file.repaired", **_about(sha256, actor, found_in, {"damaged_at": (row.damaged_at, None)}))
        row.damaged_at = None
    return data


@functools.cache
def _damage_mark_query():
    return select(StoredFile.damaged_at).where(StoredFile.sha256 == bindparam("sha256"))


def _about(sha256, actor, found_in, changes):
    """What an event about a stored file records: the file (named by the start of its SHA-256, the
    whole of it in the changes), in the commune of the record it was found through."""
    changes["sha256"] = (None, sha256)
    if found_in is not None:
        changes["found_in"] = (None, f"{found_in.__tablename__} {found_in.id}")
    return {
        "entity_type": StoredFile.__tablename__,
        "entity_id": sha256[:16],
        "changes": changes,
        "commune_id": getattr(found_in, "commune_id", None) or getattr(actor, "commune_id", None),
    }


def mark_damaged(sha256, actor=None, *, found_in=None, state=DAMAGED):
    """Record that a stored file is damaged or missing (once: a file already marked is not
    recorded again)."""
    row = db.session.get(StoredFile, sha256)
    if row is None or row.damaged_at is not None:
        return
    row.damaged_at = utcnow()
    record_event(
        actor,
        "file.damaged",
        **_about(sha256, actor, found_in, {"damaged_at": (None, row.damaged_at), "state": (None, state)}),
    )


# The state of a file on the disk, by its SHA-256 and what the disk says about it (inode, size and
# modification time): hashing a large file on every page that shows it would cost more than the
# page. Any change to the file changes its modification time, and so its key.
_STATE_CACHE_SIZE = 4096
_states: OrderedDict = OrderedDict()
_states_lock = threading.Lock()


def file_state(sha256, *, fresh=False) -> str:
    """INTACT, DAMAGED (the bytes no longer hash to their address) or MISSING."""
    path = path_for(sha256)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return MISSING
    key = (sha256, info.st_ino, info.st_size, info.st_mtime_ns)
    if not fresh:
        with _states_lock:
            if key in _states:
                _states.move_to_end(key)
                return _states[key]
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
    except OSError:
        return MISSING
    state = INTACT if digest.hexdigest() == sha256 else DAMAGED
    with _states_lock:
        _states[key] = state
        while len(_states) > _STATE_CACHE_SIZE:
            _states.popitem(last=False)
    return state


def content_sha256(sha256) -> str:
    """The SHA-256 the stored bytes have now: `sha256` itself while the file is intact, "" when it
    is damaged or missing (so that a signature over the file no longer matches)."""
    return sha256 if sha256 and file_state(sha256) == INTACT else ""


def damaged_files():
    """Stored files marked damaged or missing, most recent first."""
    return list(
        db.session.scalars(
            select(StoredFile).where(StoredFile.damaged_at.is_not(None)).order_by(StoredFile.damaged_at.desc())
        )
    )
