"""The one place that keeps uploaded files: their original bytes, under QMS_STORAGE_DIR/ab/cd/<sha256>.

A file is addressed by the SHA-256 of its bytes, so the name itself proves the content: every read
recomputes the hash and refuses a file that no longer matches (an auditor must be able to trust
that the approved file is the one served). Writes go to a temporary file in the same folder and are
then linked into place, so a crash never leaves half a file under a real name and an existing file
is never replaced by other bytes. The file is written before its row; if the transaction rolls
back, the files it created are removed again, so a failed or refused upload leaves nothing behind.
"""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from qms.db import db
from qms.files.models import StoredFile

log = logging.getLogger(__name__)

_NEW_FILES = "qms_new_files"  # Session.info key: files created by the open transaction


class StorageError(RuntimeError):
    """A stored file is missing or no longer matches its SHA-256."""


def storage_root() -> Path:
    return Path(current_app.config["QMS_STORAGE_DIR"])


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return storage_root() / sha256[:2] / sha256[2:4] / sha256


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_bytes(data: bytes) -> StoredFile:
    """Keep `data` (idempotent) and return its StoredFile row, in the current transaction."""
    sha = sha256_of(data)
    path = path_for(sha)
    # A file no row refers to yet may be one the collector of leftovers is about to remove: kept
    # again, it is dated anew (a file with a row is never collected, and is left untouched).
    if _write_once(path, data, sha, refresh=db.session.get(StoredFile, sha) is None):
        db.session.info.setdefault(_NEW_FILES, set()).add(sha)
    _insert_row(sha, len(data))
    return db.session.get(StoredFile, sha)


def read_bytes(sha256: str) -> bytes:
    """The stored bytes, after checking they still hash to their address. Raises StorageError."""
    path = path_for(sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StorageError(f"stored file {sha256} is missing") from None
    if sha256_of(data) != sha256:
        raise StorageError(f"stored file {sha256} no longer matches its SHA-256")
    return data


def _write_once(path: Path, data: bytes, sha: str, *, refresh=False) -> bool:
    """Write atomically unless a good copy exists. True when this call created the file.
    refresh: date a good copy found anew (see _refresh)."""
    if path.exists() and _is_intact(path, sha) and (not refresh or _refresh(path)):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails instead of replacing when the name exists
            return True
        except FileExistsError:
            if _is_intact(path, sha) and (not refresh or _refresh(path)):
                return False  # another upload of the same bytes got there first
            # The name promises these exact bytes; a damaged copy is restored, never altered.
            log.warning("stored file %s was damaged; restoring it from a new upload", sha)
            os.replace(tmp, path)
            return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _refresh(path: Path) -> bool:
    """Date a file kept again as new, so that the collector of unreferenced files
    (qms.files.leftovers), whose grace period counts from it, leaves it to this upload. False when
    the file has gone meanwhile (the collector took it): then it is written again."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:
        pass  # a read-only store: nothing collects from it either
    return True


def _is_intact(path: Path, sha: str) -> bool:
    try:
        return sha256_of(path.read_bytes()) == sha
    except OSError:
        return False


def _insert_row(sha: str, size: int) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: two uploads of the same bytes never collide."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(StoredFile).values(sha256=sha, size=size).on_conflict_do_nothing(index_elements=["sha256"])
    )


@event.listens_for(Session, "after_commit")
def _forget_new_files(session):
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session):
    """Remove files written by a transaction that did not commit, unless a committed row (from
    another transaction storing the same bytes) now refers to them."""
    created = session.info.pop(_NEW_FILES, None)
    if not created:
        return
    with session.get_bind().connect() as conn:
        kept = set(conn.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_(created))))
    for sha in created - kept:
        try:
            path_for(sha).unlink()
        except FileNotFoundError:
            pass
