"""What a crash leaves in the file store, and clearing it away.

A write goes to a temporary `.tmp-*` file beside its final name, is synced, then linked into place,
and its stored-file row comes after it (qms.files.storage). A process killed in the middle therefore
leaves, at worst, a temporary file (killed before the link) or a stored file no row refers to
(killed before its transaction committed). Neither is data anyone was told was kept, but both take
space, and a backup would carry them.

- Temporary files older than TEMPORARY_AGE (an upload in flight is never that old) are removed when
  the application starts serving (tidy_at_start) and by the daily job `files.check`.
- check_files() lists stored files no row refers to, rows whose file is missing and rows whose bytes
  no longer match their SHA-256 (found with qms.files.services.file_state, and recorded as any reader
  records them, so the administrator's page names the records they belong to). The figures of the
  last check are kept in the instance folder (beside the files they count), so the administrator's
  page shows them without walking the store.
- collect_garbage() removes the stored files no row refers to that are older than a grace period,
  and records one audit event with their count and bytes. A missing or damaged file is only ever
  reported: its row refers to it.

Racing an upload of the same bytes: an upload that finds its bytes already stored refreshes the
file's modification time (qms.files.storage), so the grace period covers it; the collector moves a
file aside before it looks at it a last time (its time, and its row through a fresh connection), so
an upload that came in between either refreshed it (it is put back) or finds it gone and writes it
again.
"""

import datetime as dt
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.core.calendar import utcnow
from qms.core.jobs import register_job
from qms.core.labels import register
from qms.db import db
from qms.files.models import StoredFile
from qms.files.services import INTACT, MISSING, file_state, mark_damaged
from qms.files.storage import storage_root

log = logging.getLogger(__name__)

TEMPORARY_PREFIX = ".tmp-"  # tempfile.mkstemp(prefix=...) in qms.files.storage
TEMPORARY_AGE = dt.timedelta(minutes=10)  # an upload in flight is never this old
GRACE = dt.timedelta(days=1)  # an unreferenced file younger than this may be an upload in flight
CHECK_EVERY = dt.timedelta(days=1)  # the job checks the store (hashing every file) once a day
CHECK_FILE = "files-check.json"  # in the instance folder: the figures of the last check
TIDY_FILE = "files-tidied"  # in the instance folder: when temporary files were last removed at start
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Leftover:
    """A file in the store's folders: its path, size in bytes and modification time (UTC)."""

    path: Path
    size: int
    modified_at: dt.datetime

    @property
    def name(self):
        return self.path.name


@dataclass(frozen=True)
class Removed:
    count: int
    bytes: int


@dataclass
class FileCheck:
    checked_at: dt.datetime
    root: Path
    files: int = 0  # stored files on the disk (temporary ones aside)
    unreferenced: list = field(default_factory=list)  # [Leftover] no row refers to
    missing: list = field(default_factory=list)  # [StoredFile] whose file is not there
    damaged: list = field(default_factory=list)  # [StoredFile] whose bytes no longer match
    temporary: list = field(default_factory=list)  # [Leftover] `.tmp-*`, any age

    def summary(self) -> "CheckSummary":
        return CheckSummary(
            checked_at=self.checked_at.isoformat(),
            files=self.files,
            unreferenced=len(self.unreferenced),
            unreferenced_bytes=sum(f.size for f in self.unreferenced),
            missing=len(self.missing),
            damaged=len(self.damaged),
            temporary=len(self.temporary),
            temporary_bytes=sum(f.size for f in self.temporary),
        )


@dataclass(frozen=True)
class CheckSummary:
    """The figures of a check, as kept in the instance folder and shown to the administrator."""

    checked_at: str  # ISO 8601, UTC
    files: int
    unreferenced: int
    unreferenced_bytes: int
    missing: int
    damaged: int
    temporary: int
    temporary_bytes: int

    @property
    def checked(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.checked_at)


# --- the store's folders ------------------------------------------------------------------------


def _is_hex2(name):
    return len(name) == 2 and set(name) <= _HEX


def walk_store(root) -> tuple:
    """(stored, temporary): the [Leftover] files in the store's ab/cd folders, the temporary ones
    apart. Anything else under the root (not the store's) is left out."""
    stored, temporary = [], []
    for top in _subfolders(root):
        for sub in _subfolders(top):
            try:
                entries = list(os.scandir(sub))
            except FileNotFoundError:
                continue
            for entry in entries:
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed while we looked (an upload's temporary file, linked into place)
                found = Leftover(Path(entry.path), info.st_size, _utc(info.st_mtime))
                (temporary if entry.name.startswith(TEMPORARY_PREFIX) else stored).append(found)
    return stored, temporary


def _subfolders(folder):
    try:
        with os.scandir(folder) as entries:
            return [e.path for e in entries if _is_hex2(e.name) and e.is_dir(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _utc(timestamp):
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


# --- temporary files ------------------------------------------------------------------------------


def tidy_temporary_files(storage, older_than=TEMPORARY_AGE, *, now=None) -> Removed:
    """Remove the `.tmp-*` files of the store under `storage` older than `older_than` (writes cut off
    by a crash). Returns how many were removed and their bytes."""
    cutoff = (now or utcnow()) - older_than
    count = size = 0
    for leftover in walk_store(storage)[1]:
        if leftover.modified_at >= cutoff:
            continue  # an upload in flight
        try:
            leftover.path.unlink()
        except FileNotFoundError:
            continue
        count, size = count + 1, size + leftover.size
    return Removed(count, size)


def tidy_at_start(app):
    """Remove old temporary files when the application starts serving (`qms serve`, and gunicorn
    through qms.wsgi), in a background thread so that serving starts at once. Several workers
    starting together tidy once: the first takes a lock on instance/files-tidied, the others skip,
    and a start within TEMPORARY_AGE of the last tidy skips too (nothing could have aged since).
    Returns the thread."""
    thread = threading.Thread(target=_tidy_once, args=(app,), name="qms-tidy", daemon=True)
    thread.start()
    return thread


def _tidy_once(app):
    marker = Path(app.instance_path) / TIDY_FILE
    try:
        with open(marker, "a+", encoding="ascii") as fh:
            if not _lock(fh):
                return None  # another worker of this start is at it
            fh.seek(0)
            try:
                last = float(fh.read().strip() or 0)
            except ValueError:
                last = 0
            if time.time() - last < TEMPORARY_AGE.total_seconds():
                return None
            removed = tidy_temporary_files(app.config["QMS_STORAGE_DIR"])
            fh.seek(0)
            fh.truncate()
            fh.write(f"{time.time():.3f}\n")
    except OSError:
        log.exception("temporary files of the store could not be tidied at start")
        return None
    if removed.count:
        log.warning("removed %d temporary file(s) (%d bytes) left by interrupted writes", removed.count, removed.bytes)
    return removed


def _lock(fh) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: `qms serve` is one process
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# --- the check --------------------------------------------------------------------------------------


def _row_sizes():
    return dict(db.session.execute(select(StoredFile.sha256, StoredFile.size)).all())


def check_files(*, record=True) -> FileCheck:
    """Walk the store and the stored-file rows: files no row refers to (temporary files apart), rows
    whose file is missing, rows whose bytes no longer hash to their SHA-256 (every file is read).
    record: record what is missing or damaged as a reader would (qms.files.services.mark_damaged,
    once per file) and keep the figures for the administrator's page. Call it in a unit of work."""
    checked_at = utcnow()
    root = storage_root()
    stored, temporary = walk_store(root)
    rows = _row_sizes()
    result = FileCheck(checked_at, root, files=len(stored), temporary=temporary)
    result.unreferenced = [f for f in stored if f.name not in rows]
    states = {sha256: file_state(sha256, fresh=True) for sha256 in sorted(rows)}  # before any write
    for sha256, state in states.items():
        if state == INTACT:
            continue
        (result.missing if state == MISSING else result.damaged).append(db.session.get(StoredFile, sha256))
        if record:
            mark_damaged(sha256, None, state=state)
    if record:
        save_summary(result.summary())
    return result


def save_summary(summary: CheckSummary):
    path = Path(current_app.instance_path) / CHECK_FILE
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(json.dumps(asdict(summary), indent=1), encoding="utf-8")
    os.replace(tmp, path)


def last_summary() -> CheckSummary | None:
    """The figures of the last check (`qms files check` or the job), or None before the first."""
    try:
        return CheckSummary(**json.loads((Path(current_app.instance_path) / CHECK_FILE).read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


# --- collecting unreferenced files ------------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    removed: list  # [Leftover] removed (or that would be, with dry_run)
    kept: list  # [Leftover] unreferenced but younger than the grace period

    @property
    def count(self):
        return len(self.removed)

    @property
    def bytes(self):
        return sum(f.size for f in self.removed)


def collect_garbage(actor=None, grace=GRACE, *, dry_run=False, now=None) -> Collected:
    """Remove the stored files no row refers to whose last change is older than `grace`, and record
    one event "files.collected" with their count and bytes (none when nothing was removed, or with
    dry_run, which removes nothing). A file a row refers to is never removed, however damaged.
    actor: the person, None for the system or the command line. Call it in a unit of work."""
    if grace < dt.timedelta(0):
        raise ValueError("the grace period cannot be negative")
    cutoff = (now or utcnow()) - grace
    rows = _row_sizes()
    removed, kept = [], []
    for leftover in walk_store(storage_root())[0]:
        if leftover.name in rows:
            continue
        if leftover.modified_at >= cutoff:
            kept.append(leftover)
        elif dry_run or _remove_unreferenced(leftover, cutoff):
            removed.append(leftover)
    result = Collected(removed, kept)
    if removed and not dry_run:
        record_event(
            actor,
            "files.collected",
            entity_type=StoredFile.__tablename__,
            entity_id="unreferenced",
            changes={"files_removed": (None, result.count), "bytes_removed": (None, result.bytes)},
            commune_id=getattr(actor, "commune_id", None),
        )
        _forget_collected(result)
    return result


def _remove_unreferenced(leftover, cutoff) -> bool:
    """Remove one unreferenced file unless an upload took it meanwhile. It is moved aside first (an
    upload then finds it gone and writes it again), then looked at a last time: refreshed by an
    upload of the same bytes, or referenced by a row committed since the walk, it is put back."""
    aside = leftover.path.with_name(f"{TEMPORARY_PREFIX}gc-{leftover.name}")
    try:
        os.rename(leftover.path, aside)
    except FileNotFoundError:
        return False
    try:
        if _utc(os.stat(aside).st_mtime) >= cutoff or _has_row(leftover.name):
            try:
                os.link(aside, leftover.path)
            except FileExistsError:
                pass  # an upload wrote it again meanwhile
            return False
        return True
    finally:
        aside.unlink()


def _has_row(sha256) -> bool:
    """Through a connection of its own: the unit of work's may read an older snapshot (SQLite)."""
    with db.engine.connect() as conn:
        return conn.scalar(select(StoredFile.sha256).where(StoredFile.sha256 == sha256)) is not None


def _forget_collected(collected):
    summary = last_summary()
    if summary is None:
        return
    left = max(summary.unreferenced - collected.count, 0)
    size = max(summary.unreferenced_bytes - collected.bytes, 0) if left else 0
    save_summary(CheckSummary(**{**asdict(summary), "unreferenced": left, "unreferenced_bytes": size}))


# --- the job ------------------------------------------------------------------------------------------


def daily_check(app):
    """Once a day: remove old temporary files, check the store and keep its figures."""
    last = last_summary()
    if last is not None and utcnow() - last.checked < CHECK_EVERY:
        return f"not due (store checked at {last.checked_at})"
    removed = tidy_temporary_files(storage_root())
    tidied = f"{removed.count} temporary file(s) removed ({removed.bytes} bytes)"
    check = check_files()
    summary = check.summary()
    return (
        f"{tidied}; {summary.files} stored file(s), {summary.unreferenced} unreferenced "
        f"({summary.unreferenced_bytes} bytes), {summary.missing} missing, {summary.damaged} damaged"
    )


register_job(
    "files.check",
    daily_check,
    "Remove temporary files left by interrupted writes; once a day check every stored file against its row",
)

register(
    actions={"files.collected": _l("Stored files no record refers to removed")},
    fields={"files_removed": _l("Files removed"), "bytes_removed": _l("Bytes removed")},
)
