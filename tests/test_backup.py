"""`qms backup` / `qms restore`: a round trip brings back every row, the audit chain head and the
stored files; damaged, foreign and mismatched archives are refused without changing anything; a
backup is consistent while other connections read and write. Runs on the test database's kind."""

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from qms import backup as backup_module
from qms.audit.models import AuditChainHead, AuditCheckpoint
from qms.auth.models import Commune
from qms.auth.services import find_user
from qms.backup import DB_MEMBERS, MANIFEST
from qms.cli import main
from qms.db import db
from qms.files.models import StoredFile

CONTENT = b"PK\x03\x04 a stored form, byte for byte " * 100
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def _pg_tools(app):
    if db.engine.dialect.name == "postgresql" and not all(shutil.which(t) for t in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("pg_dump, pg_restore or psql is not installed: PostgreSQL backups need the client tools")


def qms(runner, *args):
    return runner.invoke(main, args=[str(a) for a in args])


def table_counts():
    """Row count of every table the application defines, counted through the ORM's metadata."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def chain_head():
    head = db.session.get(AuditChainHead, 1)
    return {"seq": head.seq, "hash": head.hash}


def stored_path(app):
    return Path(app.config["QMS_STORAGE_DIR"]) / SHA[:2] / SHA[2:4] / SHA


@pytest.fixture
def data(app, runner, make_commune, make_unit, make_user):
    """Two communes with users (and so audit events), a stored file with its row, a checkpoint."""
    for code in ("XA-A", "XA-B"):
        commune = make_commune(code=code)
        unit = make_unit(commune, is_one_stop=True)
        for role in ("administrator", "quality_officer", "staff"):
            make_user(role, commune=commune, units=[unit])
    path = stored_path(app)
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT)  # where qms.files.storage keeps it
    db.session.add(StoredFile(sha256=SHA, size=len(CONTENT)))
    db.session.commit()
    assert qms(runner, "audit", "checkpoint").exit_code == 0
    db.session.expire_all()


def read_manifest(archive):
    with zipfile.ZipFile(archive) as zf:
        return json.loads(zf.read(MANIFEST))


def test_round_trip_restores_rows_chain_head_and_files(app, runner, data, make_user, tmp_path):
    before_counts, before_head = table_counts(), chain_head()
    archive = tmp_path / "backup.zip"

    result = qms(runner, "backup", archive)
    assert result.exit_code == 0, result.stderr
    manifest = read_manifest(archive)
    assert manifest["format"] == "qms-backup" and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("Z")
    assert manifest["database"]["kind"] == db.engine.dialect.name
    assert {name: manifest["tables"][name] for name in before_counts} == before_counts
    assert manifest["audit_head"] == before_head
    assert manifest["files"] == [{"path": f"{SHA[:2]}/{SHA[2:4]}/{SHA}", "sha256": SHA, "size": len(CONTENT)}]

    # Life goes on after the backup: a new user (and events), a lost file.
    make_user("leader", username="after_backup")
    stored_path(app).unlink()
    db.session.expire_all()
    assert table_counts() != before_counts and chain_head() != before_head

    result = qms(runner, "restore", archive, "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"Audit chain OK: {before_head['seq']} events, head {before_head['hash']}" in result.stdout

    assert table_counts() == before_counts
    assert chain_head() == before_head
    assert find_user("after_backup") is None
    assert stored_path(app).read_bytes() == CONTENT
    assert db.session.scalar(sa.select(AuditCheckpoint.seq)) is not None
    verify = qms(runner, "audit", "verify")
    assert verify.exit_code == 0 and verify.stdout.startswith(f"OK {before_head['seq']} events")


def test_backup_is_consistent_while_other_connections_read_and_write(app, runner, data, tmp_path):
    committed = table_counts()
    reader, writer = db.engine.connect(), db.engine.connect()
    read_tx, write_tx = reader.begin(), writer.begin()
    try:
        assert reader.execute(sa.select(sa.func.count()).select_from(Commune)).scalar_one() == 2
        writer.execute(sa.insert(Commune).values(code="XA-PENDING", name="Not committed yet"))
        result = qms(runner, "backup", tmp_path / "busy.zip")
        assert result.exit_code == 0, result.stderr
    finally:
        write_tx.rollback()
        read_tx.rollback()
        writer.close()
        reader.close()
    manifest = read_manifest(tmp_path / "busy.zip")
    assert {name: manifest["tables"][name] for name in committed} == committed


def test_backup_into_a_folder_names_the_file_and_never_overwrites(app, runner, data, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    assert qms(runner, "backup", folder).exit_code == 0
    [archive] = folder.glob("qms-backup-*Z.zip")
    size = archive.stat().st_size
    again = qms(runner, "backup", archive)
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert archive.stat().st_size == size
    missing = qms(runner, "backup", tmp_path / "no-such-folder" / "b.zip")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


# --- refusals ---------------------------------------------------------------------------------


def rewrite(archive, target, *, replace=None, add=None, manifest=None):
    """Copy a backup, replacing member contents, adding members or editing the manifest (zipfile
    writes fresh CRCs, so only qms's own hash checks can notice)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == MANIFEST and manifest is not None:
                doc = json.loads(data)
                manifest(doc)
                data = json.dumps(doc).encode()
            out.writestr(name, (replace or {}).get(name, data))
        for name, data in (add or {}).items():
            out.writestr(name, data)


def _other_kind(doc):
    other = "sqlite" if doc["database"]["kind"] == "postgresql" else "postgresql"
    doc["database"].update(kind=other, member=DB_MEMBERS[other])


def _escape(doc):
    doc["files"][0]["path"] = "../../escaped"


def _future(doc):
    doc["format_version"] = 99


def _foreign(doc):
    doc["format"] = "something-else"


FILE_MEMBER = f"files/{SHA[:2]}/{SHA[2:4]}/{SHA}"

DAMAGES = {
    "not a zip": (lambda a, t: t.write_bytes(b"just some text, not an archive"), "not a readable qms backup"),
    "truncated": (lambda a, t: t.write_bytes(a.read_bytes()[: a.stat().st_size // 2]), "not a readable qms backup"),
    "no manifest": (lambda a, t: zipfile.ZipFile(t, "w").close(), "no manifest.json"),
    "foreign manifest": (lambda a, t: rewrite(a, t, manifest=_foreign), "not a qms backup"),
    "newer format": (lambda a, t: rewrite(a, t, manifest=_future), "format version 99"),
    "tampered file": (
        lambda a, t: rewrite(a, t, replace={FILE_MEMBER: b"forged"}),
        f"{FILE_MEMBER} does not match its SHA-256",
    ),
    "tampered database": (
        lambda a, t: rewrite(a, t, replace={m: b"forged" for m in DB_MEMBERS.values()}),
        "does not match its SHA-256",
    ),
    "unlisted member": (lambda a, t: rewrite(a, t, add={"files/extra.bin": b"x"}), "does not list"),
    "path escape": (lambda a, t: rewrite(a, t, manifest=_escape), "incomplete or damaged"),
    "other database kind": (
        lambda a, t: rewrite(a, t, manifest=_other_kind),
        "a backup cannot move data between database kinds",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_restore_refuses_a_bad_archive_and_changes_nothing(app, runner, data, make_user, tmp_path, damage):
    good = tmp_path / "good.zip"
    assert qms(runner, "backup", good).exit_code == 0
    make_user("staff", username="after_backup")
    stored_path(app).unlink()
    db.session.expire_all()
    counts, head = table_counts(), chain_head()

    bad = tmp_path / "bad.zip"
    make_bad, message = DAMAGES[damage]
    make_bad(good, bad)
    result = qms(runner, "restore", bad, "--yes")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: ")  # after the line naming the installation
    assert message in result.stderr
    assert "Restored" not in result.stdout
    db.session.expire_all()
    assert table_counts() == counts and chain_head() == head
    assert find_user("after_backup") is not None
    assert not stored_path(app).exists()
    assert not (tmp_path / "escaped").exists()
    leftovers = [p.name for p in Path(app.config["QMS_STORAGE_DIR"]).parent.iterdir() if p.name.startswith(".qms-")]
    assert leftovers == []


def test_restore_asks_for_confirmation(app, runner, data, make_user, tmp_path):
    archive = tmp_path / "b.zip"
    assert qms(runner, "backup", archive).exit_code == 0
    make_user("staff", username="after_backup")
    result = runner.invoke(main, args=["restore", str(archive)], input="n\n")
    assert result.exit_code == 1
    db.session.expire_all()
    assert find_user("after_backup") is not None


def test_the_manifest_describes_the_archived_database(app, runner, data, tmp_path):
    """The counts in the manifest come from the very copy in the archive (for SQLite, readable
    directly); a restore compares them again after replacing the database."""
    archive = tmp_path / "b.zip"
    assert qms(runner, "backup", archive).exit_code == 0
    manifest = read_manifest(archive)
    with zipfile.ZipFile(archive) as zf:
        member = zf.read(manifest["database"]["member"])
    assert hashlib.sha256(member).hexdigest() == manifest["database"]["sha256"]
    assert manifest["database"]["alembic_revision"]
    if manifest["database"]["kind"] == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        copy.write_bytes(member)
        engine = sa.create_engine(f"sqlite:///{copy}")
        with engine.connect() as conn:
            for name, rows in manifest["tables"].items():
                assert conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() == rows
            assert conn.execute(sa.text("SELECT seq, hash FROM audit_chain_head")).one() == (
                manifest["audit_head"]["seq"],
                manifest["audit_head"]["hash"],
            )
        engine.dispose()
    else:
        assert member.startswith(b"PGDMP")  # pg_dump's custom format
    assert len(member) == manifest["database"]["size"]


def test_what_qms_writes_is_for_its_own_account_only(app, runner, tmp_path):
    """The database, the stored files, the instance folder and the backups: files 0600, folders 0700,
    so that nobody else logged in to the machine can read them."""
    from qms.files.services import receive_upload
    from tests.files.samples import docx_bytes

    checked = receive_upload("Tờ khai.docx", docx_bytes("riêng tư"))
    db.session.commit()
    stored = Path(app.config["QMS_STORAGE_DIR"]) / checked.sha256[:2] / checked.sha256[2:4] / checked.sha256
    archive = tmp_path / "backups" / "backup.zip"
    archive.parent.mkdir()
    assert qms(runner, "backup", archive).exit_code == 0

    def mode(path):
        return oct(path.stat().st_mode & 0o777)

    assert mode(Path(app.instance_path)) == "0o700"
    assert mode(stored) == "0o600" and mode(stored.parent) == "0o700" and mode(stored.parent.parent) == "0o700"
    assert mode(archive) == "0o600"
    if db.engine.dialect.name == "sqlite":
        database = Path(db.engine.url.database)
        fresh = database.with_name("fresh.sqlite3")
        sa.create_engine(f"sqlite:///{fresh}").connect().close()  # a database qms creates anew
        assert mode(fresh) == "0o600"


# --- what a backup takes: the files the snapshot's rows name, never a directory listing -----------


def test_temporary_files_of_uploads_in_flight_never_enter_a_backup(app, runner, data, tmp_path, monkeypatch):
    """An upload writes .tmp-… beside its final name and links it into place: such files may appear
    and vanish at any moment, and a backup neither copies them nor fails when one vanishes."""
    folder = stored_path(app).parent
    lingering = folder / ".tmp-left-by-a-crash"
    lingering.write_bytes(b"half an upload")
    vanishing = folder / ".tmp-upload-in-flight"
    vanishing.write_bytes(b"an upload about to be linked into place")
    real_add_file = backup_module._add_file

    def upload_finishes_meanwhile(*args, **kwargs):
        vanishing.unlink(missing_ok=True)
        return real_add_file(*args, **kwargs)

    monkeypatch.setattr(backup_module, "_add_file", upload_finishes_meanwhile)
    archive = tmp_path / "b.zip"
    result = qms(runner, "backup", archive)

    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    with zipfile.ZipFile(archive) as zf:
        assert not [name for name in zf.namelist() if ".tmp-" in name]
    manifest = read_manifest(archive)
    assert [entry["sha256"] for entry in manifest["files"]] == [SHA]
    assert manifest["files_missing"] == [] and manifest["files_damaged"] == []
    assert lingering.exists()  # not the backup's to remove


def test_a_file_stored_without_a_row_is_not_backed_up(app, runner, data, tmp_path):
    """Bytes whose row was never committed (an upload cut off) belong to no snapshot."""
    orphan = b"an upload whose transaction never committed"
    sha = hashlib.sha256(orphan).hexdigest()
    path = Path(app.config["QMS_STORAGE_DIR"]) / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orphan)
    archive = tmp_path / "b.zip"
    assert qms(runner, "backup", archive).exit_code == 0
    assert [entry["sha256"] for entry in read_manifest(archive)["files"]] == [SHA]


def _store_row(app, content):
    sha = hashlib.sha256(content).hexdigest()
    path = Path(app.config["QMS_STORAGE_DIR"]) / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    db.session.add(StoredFile(sha256=sha, size=len(content)))
    db.session.commit()
    return sha, path


def test_a_missing_or_damaged_file_is_named_and_everything_else_is_backed_up(app, runner, data, tmp_path):
    lost_sha, lost = _store_row(app, b"a file someone deleted by hand")
    damaged_sha, damaged = _store_row(app, b"a file whose disk went bad")
    lost.unlink()
    damaged.write_bytes(b"a file whose disk went bAd")
    archive = tmp_path / "b.zip"

    result = qms(runner, "backup", archive)

    assert result.exit_code == 0, result.output  # a backup of everything else is still worth having
    manifest = read_manifest(archive)
    assert [entry["sha256"] for entry in manifest["files"]] == [SHA]
    assert manifest["files_missing"] == [lost_sha]
    assert [entry["expected_sha256"] for entry in manifest["files_damaged"]] == [damaged_sha]
    warnings = result.stderr.splitlines()
    assert any(lost_sha in line and "missing" in line for line in warnings)
    assert any(damaged_sha in line and "damaged" in line for line in warnings)
    assert "stored files: 1" in result.stdout and "NOT in this backup: 2" in result.stdout
    with zipfile.ZipFile(archive) as zf:
        assert zf.read(FILE_MEMBER) == CONTENT
        assert f"files/{lost_sha[:2]}/{lost_sha[2:4]}/{lost_sha}" not in zf.namelist()

    # The restore brings back everything the backup holds and names again what it does not.
    stored_path(app).unlink()
    damaged.unlink()
    restored = qms(runner, "restore", archive, "--yes")
    assert restored.exit_code == 0, restored.output
    assert stored_path(app).read_bytes() == CONTENT
    assert not lost.exists() and not damaged.exists()  # damaged bytes are never restored under the name
    assert lost_sha in restored.stderr and damaged_sha in restored.stderr


def test_an_archive_made_before_files_missing_existed_still_restores(app, runner, data, make_user, tmp_path):
    archive, old = tmp_path / "b.zip", tmp_path / "old.zip"
    assert qms(runner, "backup", archive).exit_code == 0

    def older_format(doc):
        del doc["files_missing"], doc["files_damaged"]

    rewrite(archive, old, manifest=older_format)
    make_user("staff", username="after_backup")
    stored_path(app).unlink()
    result = qms(runner, "restore", old, "--yes")
    assert result.exit_code == 0, result.output
    assert stored_path(app).read_bytes() == CONTENT
    db.session.expire_all()
    assert find_user("after_backup") is None
