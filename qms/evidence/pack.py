"""The pack itself: a .zip written piece by piece to a file on disk (PackWriter), every file's SHA-256
and size noted as it is written, and manifest.json last; and checking a pack against its manifest
offline (verify_pack), and its chain head against an installation's trail (head_on_chain).

manifest.json:
  format            "qms-evidence-pack/1"
  subject           {"kind", "key", "name"}: what the pack is about
  commune           the commune's name
  generated_at      ISO 8601, UTC; generated_by {"id", "name"}
  chain_head        {"seq", "hash"}: the audit chain's head when the pack was made
  last_checkpoint   {"seq", "hash", "signature", "key_id", "created_at"} or null: the last signed one
  files             [{"path", "size", "sha256"}]: every other file of the pack, once each
"""

import hashlib
import io
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

FORMAT = "qms-evidence-pack/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20
_UNSAFE = re.compile(r'[\x00-\x1f<>:"|?*\\]+')


def safe_name(name: str, fallback="file") -> str:
    """A file name as a pack may hold it: no folder, no control or reserved character."""
    name = _UNSAFE.sub("_", (name or "").replace("/", "_")).strip(" .")
    return name[:150] or fallback


class _Hashing(io.RawIOBase):
    """A writable stream into a zip entry that hashes and counts what passes."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


class PackWriter:
    """A pack being written to `path`. add_bytes / add_text / add_stream put one file in it (a name
    given twice is an error: a manifest names each file once); finish() writes the manifest."""

    def __init__(self, path):
        self.path = path
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True)
        self.files = []
        self._names = set()

    def _entry(self, name):
        name = posixpath.normpath(name).lstrip("/")
        if name in self._names or name == MANIFEST or name.startswith(".."):
            raise ValueError(f"a pack cannot hold {name!r} twice")
        self._names.add(name)
        return name

    def add_stream(self, name, chunks):
        """Write the pieces of `chunks` (bytes or str, UTF-8) as one file, never holding it whole."""
        name = self._entry(name)
        with self._zip.open(name, "w", force_zip64=True) as target:
            out = _Hashing(target)
            for chunk in chunks:
                out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        self.files.append({"path": name, "size": out.size, "sha256": out.digest.hexdigest()})
        return name

    def add_bytes(self, name, data: bytes):
        return self.add_stream(name, (data,))

    def add_json(self, name, value):
        return self.add_bytes(name, json_bytes(value))

    def finish(self, manifest: dict) -> dict:
        """Write manifest.json (with the files written) and close the zip; returns the manifest."""
        manifest = {**manifest, "format": FORMAT, "files": list(self.files)}
        self._zip.writestr(MANIFEST, json_bytes(manifest))
        self._zip.close()
        return manifest

    def abandon(self):
        self._zip.close()


def json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str).encode("utf-8") + b"\n"


# --- checking a pack ------------------------------------------------------------------------------


class PackUnreadable(Exception):
    """Not a pack: not a zip, or no readable manifest. Its message says which."""


@dataclass
class PackCheck:
    """What checking a pack found: files whose bytes differ from the manifest's SHA-256 or size
    (changed), named by the manifest but absent (missing), present but not named (extra); and, when
    an installation was asked, whether the pack's chain head is on its chain (None: not asked)."""

    manifest: dict
    changed: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    head_on_chain: bool | None = None
    checkpoint_known: bool | None = None

    @property
    def files_hold(self) -> bool:
        return not (self.changed or self.missing or self.extra)

    @property
    def holds(self) -> bool:
        return self.files_hold and self.head_on_chain is not False


def _sha256_of_entry(archive, name):
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_manifest(archive) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise PackUnreadable("the pack has no manifest.json") from None
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise PackUnreadable(f"manifest.json cannot be read: {exc}") from None
    shaped = isinstance(manifest, dict) and isinstance(manifest.get("files"), list)
    if not shaped or manifest.get("format") != FORMAT:
        raise PackUnreadable("manifest.json is not the manifest of an evidence pack")
    return manifest


def verify_pack(source) -> PackCheck:
    """Check a pack (a path or a binary file object) against its manifest, offline: every file the
    manifest names is there with its SHA-256 and size, and no other file is. Raises PackUnreadable."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackUnreadable(f"not a zip file: {exc}") from None
    with archive:
        manifest = read_manifest(archive)
        check = PackCheck(manifest)
        present = {info.filename for info in archive.infolist() if not info.is_dir()} - {MANIFEST}
        named = set()
        for entry in manifest["files"]:
            path = str(entry.get("path", ""))
            named.add(path)
            if path not in present:
                check.missing.append(path)
                continue
            try:
                sha256, size = _sha256_of_entry(archive, path)
            except (zipfile.BadZipFile, OSError, EOFError):  # a damaged entry (its CRC fails)
                check.changed.append(path)
                continue
            if sha256 != entry.get("sha256") or size != entry.get("size"):
                check.changed.append(path)
        check.extra = sorted(present - named)
    return check


def head_on_chain(check: PackCheck) -> PackCheck:
    """Whether the pack's chain head is on this installation's chain (the event with that sequence
    number has that hash) and its last checkpoint is one of this installation's signed checkpoints.
    Needs an application context."""
    from sqlalchemy import select

    from qms.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
    from qms.db import db

    head = check.manifest.get("chain_head") or {}
    seq, hash_ = head.get("seq"), head.get("hash")
    if seq == 0:
        check.head_on_chain = hash_ == GENESIS_HASH
    else:
        found = None
        if isinstance(seq, int):
            found = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
        check.head_on_chain = found is not None and found == hash_
    checkpoint = check.manifest.get("last_checkpoint")
    if checkpoint:
        check.checkpoint_known = (
            db.session.scalar(
                select(AuditCheckpoint.id).where(
                    AuditCheckpoint.seq == checkpoint.get("seq"),
                    AuditCheckpoint.hash == checkpoint.get("hash"),
                    AuditCheckpoint.signature == checkpoint.get("signature"),
                )
            )
            is not None
        )
    return check
