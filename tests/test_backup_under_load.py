"""`qms backup` while the application writes: 20 backups while one thread uploads new files (each a
new stored file, written as a .tmp-… file and linked into place) and another downloads originals
(each an audit event), each thread in its own app ("worker process"). No backup fails, and every
archive restores into a fresh installation whose audit chain verifies and whose every stored_files
row has its file with the right hash. Runs on the test database's kind (SQLite, or PostgreSQL when
QMS_TEST_DATABASE_URL is set)."""

import hashlib
import json
import shutil
import threading
import time
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from qms import create_app
from qms.audit.verify import verify_chain
from qms.auth.models import User
from qms.backup import MANIFEST, restore_backup
from qms.cli import main
from qms.db import db
from qms.documents import services
from qms.documents.models import DocumentVersion
from qms.files.models import StoredFile
from qms.files.storage import path_for
from tests.conftest import BASE_CONFIG
from tests.documents.conftest import make_document, people, walk  # noqa: F401 (fixtures)
from tests.files.samples import docx_bytes

BACKUPS = 20


@pytest.fixture(autouse=True)
def _pg_tools(app):
    if db.engine.dialect.name == "postgresql" and not all(shutil.which(t) for t in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("pg_dump, pg_restore or psql is not installed: PostgreSQL backups need the client tools")


class Worker(threading.Thread):
    """Repeat `step` in an app context of its own until stopped; keep the first error."""

    def __init__(self, app, step):
        super().__init__(daemon=True)
        self.app, self.step = app, step
        self.stop, self.done, self.error = threading.Event(), 0, None

    def run(self):
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    self.step(self.done)
                    db.session.commit()
                    self.done += 1
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            with self.app.app_context():
                db.session.remove()


def _uploader(author_id, draft_id):
    def step(n):
        author = db.session.get(User, author_id)
        draft = db.session.get(DocumentVersion, draft_id)
        services.replace_draft_file(author, draft, filename=f"upload-{n}.docx", data=docx_bytes(f"Upload {n}"))

    return step


def _downloader(reader_id, version_id):
    def step(n):
        data = services.download_original(
            db.session.get(User, reader_id), db.session.get(DocumentVersion, version_id), via="api"
        ).data
        assert data

    return step


@pytest.fixture
def fresh_installation(database_template, tmp_path):
    """Build an app on a new, empty database of the test's kind (and drop it afterwards)."""
    kind, base, template_name, admin = database_template
    made = []

    def factory():
        folder = tmp_path / f"restored-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'qms.sqlite3'}"
        else:
            name = f"{template_name}_r{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            made.append(name)
            url = base.set(database=name).render_as_string(hide_password=False)
        return create_app({**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance")})

    yield factory
    for name in made:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_restored(app, archive):
    """Restore `archive` into `app` (a fresh installation): the chain verifies and every stored
    file row has its file with the right hash. Returns the number of stored files."""
    with app.app_context():
        try:
            manifest = restore_backup(app, archive)
            result = verify_chain()
            assert result.ok, (archive.name, result.broken_seq, result.kind, result.detail)
            assert result.count == manifest["audit_head"]["seq"]
            names = db.session.scalars(sa.select(StoredFile.sha256)).all()
            for sha in names:
                assert hashlib.sha256(path_for(sha).read_bytes()).hexdigest() == sha, (archive.name, sha)
            return len(names)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_backups_never_fail_while_files_are_uploaded_and_downloaded(
    app, make_app, runner, people, make_document, fresh_installation, tmp_path
):
    draft = services.create_draft_version(
        people.author, make_document(), filename="nhap.docx", data=docx_bytes("Bản nháp")
    )
    effective = services.create_draft_version(
        people.author, make_document(), filename="hieu-luc.docx", data=docx_bytes("Bản hiệu lực")
    )
    db.session.commit()
    walk(effective, people)
    uploader = Worker(make_app(), _uploader(people.author.id, draft.id))
    downloader = Worker(make_app(), _downloader(people.qo2.id, effective.id))
    archives, failures = [], []
    started = time.monotonic()
    uploader.start()
    downloader.start()
    try:
        for i in range(BACKUPS):
            uploads_before = uploader.done
            while uploader.done == uploads_before and uploader.is_alive() and time.monotonic() - started < 60:
                time.sleep(0.005)  # every backup sees files arrive since the last one
            archive = tmp_path / f"backup-{i:02d}.zip"
            result = runner.invoke(main, args=["backup", str(archive)])
            if result.exit_code != 0 or "Warning" in result.stderr:
                failures.append((i, result.exit_code, result.stderr, repr(result.exception)))
            else:
                archives.append(archive)
    finally:
        uploader.stop.set()
        downloader.stop.set()
        uploader.join(30)
        downloader.join(30)

    assert uploader.error is None, repr(uploader.error)
    assert downloader.error is None, repr(downloader.error)
    assert failures == []
    assert uploader.done >= BACKUPS and downloader.done > 0
    counts = []
    for archive in archives:
        with zipfile.ZipFile(archive) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            assert not [name for name in zf.namelist() if ".tmp-" in name]
        assert manifest["files_missing"] == [] and manifest["files_damaged"] == []
        restored = _check_restored(fresh_installation(), archive)
        assert restored == len(manifest["files"])
        counts.append(restored)
    assert counts == sorted(counts) and counts[-1] > counts[0]  # each backup holds the uploads so far
