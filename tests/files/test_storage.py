"""The file store: content-addressed, atomic, never overwritten, verified on every read."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from qms.db import db
from qms.files.models import StoredFile
from qms.files.storage import StorageError, path_for, read_bytes, store_bytes


def test_stores_by_sha256_under_two_level_folders(app):
    data = b"%PDF-1.4 hello"
    stored = store_bytes(data)
    db.session.commit()
    sha = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == sha and stored.size == len(data)
    path = Path(app.config["QMS_STORAGE_DIR"]) / sha[:2] / sha[2:4] / sha
    assert path_for(sha) == path
    assert path.read_bytes() == data
    assert read_bytes(sha) == data
    assert not [p for p in path.parent.iterdir() if p.name != sha], "no temporary file left behind"


def test_same_bytes_twice_is_one_row_and_one_file(app):
    store_bytes(b"same")
    store_bytes(b"same")
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(StoredFile)) == 1


def test_an_existing_file_is_never_rewritten(app):
    data = b"original bytes"
    sha = store_bytes(data).sha256
    db.session.commit()
    path = path_for(sha)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    store_bytes(data)
    db.session.commit()
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_reading_a_tampered_file_fails(app):
    sha = store_bytes(b"the approved text").sha256
    db.session.commit()
    path_for(sha).write_bytes(b"the edited text")
    with pytest.raises(StorageError):
        read_bytes(sha)


def test_reading_a_missing_file_fails(app):
    sha = store_bytes(b"soon gone").sha256
    db.session.commit()
    path_for(sha).unlink()
    with pytest.raises(StorageError):
        read_bytes(sha)


def test_a_rolled_back_transaction_leaves_no_file(app):
    sha = store_bytes(b"never committed").sha256
    assert path_for(sha).exists()
    db.session.rollback()
    assert not path_for(sha).exists()
    assert db.session.get(StoredFile, sha) is None


def test_rollback_keeps_a_file_that_was_already_stored(app):
    sha = store_bytes(b"kept").sha256
    db.session.commit()
    store_bytes(b"kept")
    db.session.rollback()
    assert read_bytes(sha) == b"kept"
