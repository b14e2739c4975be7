"""What the crash test checks once the server is down, read from outside the application: the SQLite
file (Python's sqlite3, no SQLAlchemy, no qms code) and the storage folder.

The matching is pure (lost_writes, leftovers, summary figures) so that tests/crash/test_crash_helpers.py
can show it finds a lost write and counts a leftover; read_snapshot and hash_of_stored_file only
gather what it matches against.
"""

import hashlib
import sqlite3
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

SHA256_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Upload:
    """An upload the server acknowledged: it redirected to the new version's page."""

    request_id: str
    version_id: int
    sha256: str


@dataclass(frozen=True)
class Download:
    """A download the server acknowledged: 200 with the file's bytes."""

    request_id: str
    version_id: int


@dataclass
class Snapshot:
    """What the database holds, as far as the acknowledged writes are concerned."""

    version_files: dict = field(default_factory=dict)  # version id -> set of the SHA-256 of its files
    stored: set = field(default_factory=set)  # SHA-256 of every stored_files row
    request_ids: set = field(default_factory=set)  # request_id of every audit event


def read_snapshot(db_path) -> Snapshot:
    """Read the rows the checks need straight from the SQLite file."""
    connection = sqlite3.connect(db_path)
    try:
        snapshot = Snapshot()
        for version_id, sha in connection.execute("SELECT version_id, sha256 FROM version_files"):
            snapshot.version_files.setdefault(version_id, set()).add(sha)
        snapshot.stored = {sha for (sha,) in connection.execute("SELECT sha256 FROM stored_files")}
        snapshot.request_ids = {
            rid for (rid,) in connection.execute("SELECT DISTINCT request_id FROM audit_events") if rid
        }
        return snapshot
    finally:
        connection.close()


def integrity_check(db_path) -> str:
    """PRAGMA integrity_check's answer, its lines joined ("ok" when the file is sound)."""
    connection = sqlite3.connect(db_path)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def stored_path(storage: Path, sha256: str) -> Path:
    """Where qms.files.storage keeps the bytes of `sha256`: <storage>/ab/cd/<sha256>."""
    return Path(storage) / sha256[:2] / sha256[2:4] / sha256


def hash_of_stored_file(storage: Path) -> Callable[[str], str | None]:
    """A function giving the SHA-256 of the bytes stored under a name (None when the file is missing)."""

    def hash_of(sha256):
        try:
            return hashlib.sha256(stored_path(storage, sha256).read_bytes()).hexdigest()
        except OSError:
            return None

    return hash_of


def lost_writes(
    uploads: Iterable[Upload],
    downloads: Iterable[Download],
    snapshot: Snapshot,
    hash_of: Callable[[str], str | None],
) -> list[str]:
    """Every acknowledged write the database or the storage folder does not have, each with why.

    An upload is kept when its version has a file row with the uploaded bytes' SHA-256, that
    stored_files row exists, the stored file hashes to its name, and its audit event carries the
    request id. A download is kept when its audit event carries the request id."""
    lost = []
    for upload in uploads:
        where = f"upload {upload.request_id} (version {upload.version_id})"
        if upload.version_id not in snapshot.version_files:
            lost.append(f"{where}: no version row")
        elif upload.sha256 not in snapshot.version_files[upload.version_id]:
            lost.append(f"{where}: the version has no file {upload.sha256[:12]}")
        elif upload.sha256 not in snapshot.stored:
            lost.append(f"{where}: no stored_files row {upload.sha256[:12]}")
        elif (found := hash_of(upload.sha256)) != upload.sha256:
            lost.append(f"{where}: stored file {'missing' if found is None else 'damaged'}")
        elif upload.request_id not in snapshot.request_ids:
            lost.append(f"{where}: no audit event")
    for download in downloads:
        if download.request_id not in snapshot.request_ids:
            lost.append(f"download {download.request_id} (version {download.version_id}): no audit event")
    return lost


@dataclass(frozen=True)
class Leftovers:
    temporary: int  # .tmp-* files of writes cut off
    unreferenced: int  # stored files with no stored_files row (written, then the transaction died)


def leftovers(storage: Path, stored: set) -> Leftovers:
    """Count what interrupted writes left in the storage folder."""
    temporary = unreferenced = 0
    for path in Path(storage).rglob("*"):
        if not path.is_file():
            continue
        if path.name.startswith(".tmp-"):
            temporary += 1
        elif len(path.name) == 64 and set(path.name) <= SHA256_HEX and path.name not in stored:
            unreferenced += 1
    return Leftovers(temporary, unreferenced)


def restart_figures(seconds: list[float]) -> tuple[float, float]:
    """(median, max) of the restart times; (0, 0) when there were none."""
    if not seconds:
        return 0.0, 0.0
    return statistics.median(seconds), max(seconds)
