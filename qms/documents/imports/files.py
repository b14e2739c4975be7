"""The files a master list names: a folder, or a .zip of one, as a commune keeps them.

A file is found by the path the list writes (its folders included) or, when that names no file, by
its name alone wherever it sits (a list usually gives the name only); a list that gives no file
name finds the file whose name, without its extension, is the document's code. Names are compared
without regard to case, diacritics or the Unicode form they are written in (a folder copied from a
Mac writes "ế" as two characters).

The .zip is read where it lies, entry by entry, never unpacked to the disk; it is refused when it
is not a readable .zip or when its entries claim more than the import allows in number or size
(a zip bomb); each file then passes the upload checks of any upload (qms.files) on its own.
"""

import os
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l

from qms.core.sheets import FileRefused
from qms.core.text import fold

MAX_FILES = 20_000
MAX_TOTAL_BYTES = 20 * 1024**3  # what the entries of a .zip may claim, together
_SKIPPED = ("__macosx/", ".ds_store", "thumbs.db", "desktop.ini")


def name_key(name) -> str:
    """A file name or path as it is compared: NFC, folded, "/" between folders."""
    text = unicodedata.normalize("NFC", str(name)).replace("\\", "/").strip("/")
    return fold(text)


def _skipped(relative) -> bool:
    key = relative.lower()
    return key.startswith(_SKIPPED[0]) or PurePosixPath(key).name in _SKIPPED[1:] or "/__macosx/" in key


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the folder, "/" between folders
    size: int

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


class FileSet:
    """The files of a folder or a .zip: `entries` (sorted by path), `find()` and `read()`."""

    def __init__(self, label, entries):
        self.label = label
        self.entries = sorted(entries, key=lambda e: e.path)
        self._by_path = {name_key(e.path): e for e in self.entries}
        self._by_name = {}
        self._by_stem = {}
        for entry in self.entries:
            self._by_name.setdefault(name_key(entry.name), []).append(entry)
            self._by_stem.setdefault(name_key(PurePosixPath(entry.name).stem), []).append(entry)

    def find(self, written) -> list:
        """The entries a list's file cell names: by its path, else by its name wherever it is (two
        or more: the cell is ambiguous)."""
        key = name_key(written)
        if key in self._by_path:
            return [self._by_path[key]]
        return list(self._by_name.get(PurePosixPath(key).name, ()))

    def entry(self, path) -> Entry:
        return self._by_path[name_key(path)]

    def find_by_code(self, code) -> list:
        """The entries named after a document's code ("QT-01.docx"), for a list without file names."""
        return list(self._by_stem.get(name_key(code), ()))

    def read(self, entry) -> bytes:
        raise NotImplementedError

    def close(self):
        pass


class FolderFiles(FileSet):
    def __init__(self, root: Path):
        self.root = root
        entries = []
        for directory, folders, names in os.walk(root):
            folders.sort()
            for name in names:
                path = Path(directory, name)
                relative = path.relative_to(root).as_posix()
                if not _skipped(relative) and path.is_file():
                    entries.append(Entry(relative, path.stat().st_size))
                    if len(entries) > MAX_FILES:
                        raise FileRefused(_too_many())
        super().__init__(root.name, entries)

    def read(self, entry) -> bytes:
        try:
            return (self.root / entry.path).read_bytes()
        except OSError:
            raise FileRefused(_l("The file %(name)s cannot be read.", name=entry.path)) from None


class ZipFiles(FileSet):
    def __init__(self, label, stream):
        try:
            self._zip = zipfile.ZipFile(stream)
            infos = [i for i in self._zip.infolist() if not i.is_dir() and not _skipped(_zip_name(i))]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise FileRefused(
                _l("The files' .zip cannot be read. Make it again (Send to > Compressed folder).")
            ) from None
        if len(infos) > MAX_FILES:
            raise FileRefused(_too_many())
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES or any(i.flag_bits & 0x1 for i in infos):
            raise FileRefused(_l("The files' .zip is encrypted or too large. Make it again without a password."))
        self._infos = {_zip_name(i): i for i in infos}
        super().__init__(label, [Entry(name, info.file_size) for name, info in self._infos.items()])

    def read(self, entry) -> bytes:
        """The entry's bytes; FileRefused when they cannot be read (damaged in the .zip)."""
        info = self._infos[entry.path]
        try:
            with self._zip.open(info) as member:  # reads no more than the entry says it holds
                return member.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            raise FileRefused(
                _l("The file %(name)s is damaged in the .zip: make the .zip again.", name=entry.path)
            ) from None

    def close(self):
        self._zip.close()


def _zip_name(info) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not marked UTF-8: Windows' compressed folders write cp437 names
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name.replace("\\", "/").lstrip("/"))


def _too_many():
    return _l("There are more than %(n)d files: import the document system in parts.", n=MAX_FILES)


def open_file_set(path) -> FileSet:
    """The files of a folder, or of a .zip file, at `path`."""
    path = Path(path)
    if path.is_dir():
        return FolderFiles(path)
    if not path.is_file():
        raise FileRefused(_l("There is no folder or .zip file at %(path)s.", path=str(path)))
    return ZipFiles(path.name, path.open("rb"))


def empty_file_set() -> FileSet:
    """No files at all (a list of documents registered without their files is refused row by row)."""
    return FileSet("", [])
