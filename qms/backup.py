"""`qms backup PATH` and `qms restore PATH`: the database and the stored files in one .zip archive.

The archive holds:
  manifest.json          format, creation time (UTC), database kind, migration revision, the row
                         count of every table, the audit chain head, every file with its SHA-256,
                         and (files_missing, files_damaged) the stored files it could not keep
  database/qms.sqlite3   SQLite: a copy made with SQLite's online backup API
  database/qms.pgdump    PostgreSQL: `pg_dump -Fc` of the application's schema
  files/...              the stored files (QMS_STORAGE_DIR), under their paths in that folder

Backing up is safe while the application runs: the copy is one consistent snapshot (SQLite's
backup API reads one committed state; on PostgreSQL the row counts, the list of stored files and
pg_dump share one exported snapshot), and the files are those the snapshot's stored_files rows
name, copied after the database. The storage folder is never listed, so the temporary files of
uploads in flight never enter a backup, and every file the snapshot refers to exists (stored files
are addressed by their hash and never change). Should one be missing, or its bytes no longer hash
to its name, the backup still keeps everything else and its manifest names the file (files_missing,
files_damaged): a backup is still worth having, and `qms backup` says what is not in it. A .zip
opens on any Windows machine.

Restoring checks everything before it changes anything: the manifest, the kind of database, every
member's SHA-256 and, for SQLite, the copy's integrity and row counts. Only then does it replace
the database (SQLite: the backup API again; PostgreSQL: the schema is dropped and the dump applied
by psql in a single transaction), write the files back, check the row counts and the audit chain
head against the manifest, and verify the audit chain. Files the backup could not keep are named
again on restoring.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zipfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path, PurePosixPath

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.db import db
from qms.files.storage import path_for

FORMAT = "qms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database/qms.sqlite3", "postgresql": "database/qms.pgdump"}
FILES_PREFIX = "files/"
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024
_ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a .zip can record


class BackupError(Exception):
    """The backup cannot be made, or the archive cannot be restored; the message says why."""


# --- facts about a database ----------------------------------------------------------------------


def database_kind(url) -> str:
    backend = sa.engine.make_url(url).get_backend_name()
    if backend not in DB_MEMBERS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def database_facts(conn) -> dict:
    """Row count of every table, the audit chain head and the migration revision, as one connection
    (and so, inside a transaction, one snapshot) sees them."""
    preparer = conn.dialect.identifier_preparer
    tables = {}
    for name in sorted(sa.inspect(conn).get_table_names()):
        tables[name] = conn.execute(sa.text(f"SELECT count(*) FROM {preparer.quote(name)}")).scalar_one()
    head = {"seq": 0, "hash": None}
    if "audit_chain_head" in tables:
        row = conn.execute(sa.text("SELECT seq, hash FROM audit_chain_head WHERE id = 1")).first()
        if row is not None:
            head = {"seq": int(row.seq), "hash": row.hash}
    revision = None
    if "alembic_version" in tables:
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return {"tables": tables, "audit_head": head, "alembic_revision": revision}


def _sqlite_path(url) -> Path:
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(path)


def _sqlite_facts(path: Path) -> dict:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return database_facts(conn)
    finally:
        engine.dispose()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL client tools -------------------------------------------------------------------


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools "
            "(Debian/Ubuntu: apt install postgresql-client) and put them on the PATH"
        )
    return path


def _pg_args(url):
    """Connection flags and environment for pg_dump/pg_restore/psql from the SQLAlchemy URL: the
    password goes through PGPASSWORD (never the command line); without one the environment's
    PGPASSWORD or ~/.pgpass applies."""
    u = sa.engine.make_url(url)
    args = []
    if u.host:
        args += ["-h", u.host]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    return args, env, u.database


def _run(cmd, env, what):
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what} failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return proc


# --- backup -------------------------------------------------------------------------------------


def default_archive_name(now=None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"qms-backup-{now:%Y%m%d-%H%M%S}Z.zip"


def create_backup(app, path) -> tuple[Path, dict]:
    """Write a backup of `app`'s database and stored files to `path` (a new file, or a folder to
    put a dated file in). Returns the archive's path and its manifest. Raises BackupError."""
    path = Path(path)
    if path.is_dir():
        path = path / default_archive_name()
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new name (backups are never overwritten)")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    kind = database_kind(url)
    storage = Path(app.config["QMS_STORAGE_DIR"])
    created_at = dt.datetime.now(dt.UTC)

    with tempfile.TemporaryDirectory(prefix="qms-backup-") as tmp:
        dump = Path(tmp) / PurePosixPath(DB_MEMBERS[kind]).name
        if kind == "sqlite":
            facts = _dump_sqlite(url, dump)
        else:
            facts = _dump_postgresql(url, dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "qms_version": _qms_version(),
            "database": {
                "kind": kind,
                "member": DB_MEMBERS[kind],
                "sha256": _sha256_file(dump),
                "size": dump.stat().st_size,
                "alembic_revision": facts["alembic_revision"],
                **({"schema": facts["schema"]} if "schema" in facts else {}),
            },
            "tables": facts["tables"],
            "audit_head": facts["audit_head"],
            "files": [],
            "files_missing": [],
            "files_damaged": [],
        }
        partial = path.with_name(f".{path.name}.partial")
        try:
            with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
                zf.write(
                    dump,
                    DB_MEMBERS[kind],
                    compress_type=zipfile.ZIP_DEFLATED if kind == "sqlite" else zipfile.ZIP_STORED,
                )
                _add_stored_files(zf, storage, facts["stored_files"], manifest)
                zf.writestr(
                    MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False), compress_type=zipfile.ZIP_DEFLATED
                )
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path, manifest


def _qms_version():
    try:
        return metadata.version("qms")
    except metadata.PackageNotFoundError:
        return None


def _copy_sqlite(source_path: Path, target_path: Path, failure: str):
    """Copy one SQLite database over another with the online backup API: it reads one committed
    state (in WAL mode neither waiting for writers nor making them wait) and writes the target in
    one transaction, so a failure leaves the target as it was."""
    source = sqlite3.connect(source_path, timeout=30)
    dest = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(dest)
    except sqlite3.Error as exc:
        raise BackupError(f"{failure}: {exc}") from exc
    finally:
        dest.close()
        source.close()


def _dump_sqlite(url, target: Path) -> dict:
    """Copy the database, then read the facts and the stored files' list from the copy itself, so
    that the files backed up are exactly those its rows name."""
    _copy_sqlite(_sqlite_path(url), target, "the SQLite backup failed")
    engine = sa.create_engine(f"sqlite:///{target}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return {**database_facts(conn), "stored_files": _stored_file_names(conn)}
    finally:
        engine.dispose()


def _dump_postgresql(url, target: Path) -> dict:
    """pg_dump of the application's schema, the row counts and the stored files' list from one
    exported snapshot, so the manifest and the files describe exactly the rows in the dump even
    while the application writes."""
    pg_dump = _pg_tool("pg_dump")
    args, env, dbname = _pg_args(url)
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
            facts = database_facts(conn)
            facts["stored_files"] = _stored_file_names(conn)
            _run(
                [
                    pg_dump,
                    *args,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--schema={schema}",
                    f"--file={target}",
                    dbname,
                ],
                env,
                "pg_dump",
            )
    facts["schema"] = schema
    return facts


def _stored_file_names(conn) -> list[str]:
    """The SHA-256 of every stored_files row this connection's snapshot holds, sorted."""
    if not sa.inspect(conn).has_table("stored_files"):
        return []
    return sorted(conn.execute(sa.text("SELECT sha256 FROM stored_files")).scalars())


def _stored_files(storage: Path, names):
    """(sha256, absolute path, path relative to the storage folder) of every stored file the
    snapshot names; the path is None for a name that cannot be a stored file's. The folder itself
    is never listed: what else is in it (temporary files of uploads in flight, files no row refers
    to) is no part of the snapshot."""
    found = []
    for sha in names:
        try:
            source = path_for(sha)
            found.append((sha, source, source.relative_to(storage).as_posix()))
        except ValueError:
            found.append((sha, None, None))
    return found


def _add_stored_files(zf, storage: Path, names, manifest) -> None:
    """Copy the stored files the snapshot names into the archive. One that is missing goes to the
    manifest's files_missing; one whose bytes no longer hash to its name to files_damaged (its bytes
    stay in the archive for inspection, but a restore never puts them back under that name). Either
    way the backup goes on: everything else is worth having."""
    for sha, source, relative in _stored_files(storage, names):
        if source is None:
            manifest["files_missing"].append(sha)
            continue
        try:
            entry = _add_file(zf, source, FILES_PREFIX + relative)
        except FileNotFoundError:
            manifest["files_missing"].append(sha)
            continue
        except OSError as exc:
            raise BackupError(f"the stored file {source} cannot be read: {exc}") from None
        if entry["sha256"] == sha:
            manifest["files"].append(entry)
        else:
            manifest["files_damaged"].append({**entry, "expected_sha256": sha})


def _add_file(zf, source: Path, arcname: str) -> dict:
    """Copy one file into the archive, hashing the very bytes written. Raises OSError (nothing
    written) when the file cannot be opened; a read error part way leaves the bytes copied so far,
    which then do not match the file's name."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src:
        st = os.fstat(src.fileno())
        info = zipfile.ZipInfo(arcname, date_time=time.localtime(max(st.st_mtime, _ZIP_EPOCH))[:6])
        info.external_attr = (st.st_mode & 0xFFFF) << 16
        info.file_size = st.st_size
        # Stored files are .docx/.xlsx/.pdf, already compressed: deflating them again only costs time.
        info.compress_type = zipfile.ZIP_STORED
        with zf.open(info, "w", force_zip64=True) as out:
            try:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            except OSError:
                pass
    return {"path": arcname[len(FILES_PREFIX) :], "sha256": digest.hexdigest(), "size": size}


# --- restore ------------------------------------------------------------------------------------


def read_manifest(zf) -> dict:
    """The archive's manifest, checked for shape. Raises BackupError for a foreign archive."""
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise BackupError("this is not a qms backup: it has no manifest.json") from None
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"the backup's manifest.json is damaged: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this is not a qms backup: its manifest.json is of another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"this backup has format version {manifest.get('format_version')!r}; this qms "
            f"reads version {FORMAT_VERSION} only: restore it with the qms version that made it"
        )
    try:
        kind = manifest["database"]["kind"]
        if kind not in DB_MEMBERS or manifest["database"]["member"] != DB_MEMBERS[kind]:
            raise ValueError("database")
        for entry in manifest["files"] + manifest.get("files_damaged", []):
            _safe_relative(entry["path"])
            if not isinstance(entry["sha256"], str):
                raise ValueError("files")
        if not all(isinstance(sha, str) for sha in manifest.get("files_missing", [])):
            raise ValueError("files_missing")
        if not isinstance(manifest["tables"], dict) or not isinstance(manifest["audit_head"], dict):
            raise ValueError("tables")
    except (KeyError, TypeError, ValueError):
        raise BackupError("the backup's manifest.json is incomplete or damaged") from None
    return manifest


def _safe_relative(name: str) -> str:
    """Refuse member names that could write outside the storage folder."""
    parts = PurePosixPath(name).parts
    if (
        not name
        or "\\" in name
        or name.startswith("/")
        or ".." in parts
        or "" in parts
        or any(ord(c) < 32 for c in name)
        or ":" in parts[0]
    ):
        raise ValueError(f"unsafe file name in the backup: {name!r}")
    return name


def _extract_checked(zf, member: str, target: Path, expected_sha256: str):
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zf.open(member) as src, open(target, "wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except KeyError:
        raise BackupError(f"the backup is incomplete: {member} is missing") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(f"the backup is damaged: {member} cannot be read ({exc})") from None
    if digest.hexdigest() != expected_sha256:
        raise BackupError(f"the backup is damaged: {member} does not match its SHA-256 in the manifest")


def _compare_facts(manifest, facts, what) -> None:
    expected, found = manifest["tables"], facts["tables"]
    for name in sorted(set(expected) | set(found)):
        if expected.get(name) != found.get(name):
            raise BackupError(
                f"{what}: table {name} has {found.get(name)} rows, the manifest says {expected.get(name)}"
            )
    if facts["audit_head"] != manifest["audit_head"]:
        raise BackupError(
            f"{what}: the audit chain head is {facts['audit_head']}, the manifest says {manifest['audit_head']}"
        )


@contextmanager
def _staging_dir(storage: Path):
    """A scratch folder beside the storage folder, so finished files move into place by rename."""
    storage.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".qms-restore-", dir=storage.parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def restore_backup(app, path) -> dict:
    """Replace `app`'s database and restore its stored files from the archive at `path`.

    Everything is checked first; a damaged, foreign or mismatched archive raises BackupError and
    nothing is changed. Stored files that are not in the backup are left in place (they are
    addressed by hash, so they cannot clash). Files the backup could not keep (its manifest's
    files_missing and files_damaged) are not restored; a warning line on stderr names each.
    Returns the manifest. The caller verifies the chain.
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    kind = database_kind(url)
    storage = Path(app.config["QMS_STORAGE_DIR"])
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"{path} is not a readable qms backup (.zip): {exc}") from None
    with zf, _staging_dir(storage) as staging:
        manifest = read_manifest(zf)
        theirs = manifest["database"]["kind"]
        if theirs != kind:
            raise BackupError(
                f"this backup holds a {KIND_NAMES[theirs]} database, but this installation uses "
                f"{KIND_NAMES[kind]} (QMS_DATABASE_URL). Restore it into an installation configured "
                f"for {KIND_NAMES[theirs]}; a backup cannot move data between database kinds."
            )
        expected = {MANIFEST, manifest["database"]["member"]} | {
            FILES_PREFIX + f["path"] for f in manifest["files"] + manifest.get("files_damaged", [])
        }
        unexpected = sorted(set(zf.namelist()) - expected)
        if unexpected:
            raise BackupError(f"the backup holds members its manifest does not list: {', '.join(unexpected[:5])}")

        dump = staging / PurePosixPath(manifest["database"]["member"]).name
        _extract_checked(zf, manifest["database"]["member"], dump, manifest["database"]["sha256"])
        files_dir = staging / "files"
        for entry in manifest["files"]:
            _extract_checked(zf, FILES_PREFIX + entry["path"], files_dir / entry["path"], entry["sha256"])

        if kind == "sqlite":
            _check_sqlite_copy(dump, manifest)
        else:
            script = staging / "restore.sql"
            _pg_script(url, dump, manifest, script)

        # Nothing of this process may hold the database while it is replaced.
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            _restore_sqlite(url, dump)
        else:
            _restore_postgresql(url, script)

        for entry in manifest["files"]:
            target = storage / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(files_dir / entry["path"], target)

    with db.engine.connect() as conn:
        _compare_facts(manifest, database_facts(conn), "the restored database does not match the backup")
    for line in not_backed_up(manifest, restoring=True):
        click.echo(line, err=True)
    return manifest


def not_backed_up(manifest, *, restoring=False) -> list[str]:
    """One warning line per stored file the backup could not keep (none for an archive made before
    files_missing and files_damaged were recorded)."""
    after = "it was not restored" if restoring else "it is NOT in this backup"
    lines = [
        f"Warning: stored file {sha} was missing when the backup was made; {after}"
        for sha in manifest.get("files_missing", [])
    ]
    lines += [
        f"Warning: stored file {entry['expected_sha256']} was damaged when the backup was made (its bytes "
        f"no longer match its SHA-256); {after}"
        for entry in manifest.get("files_damaged", [])
    ]
    return lines


def _check_sqlite_copy(dump: Path, manifest):
    try:
        conn = sqlite3.connect(dump)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the backup's database is not a readable SQLite database: {exc}") from None
    if result != "ok":
        raise BackupError(f"the backup's database fails SQLite's integrity check: {result}")
    _compare_facts(manifest, _sqlite_facts(dump), "the backup's database does not match its manifest")


def _restore_sqlite(url, dump: Path):
    """Copy the archived database over the configured one."""
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(dump, target, "restoring the SQLite database failed")


def _pg_script(url, dump: Path, manifest, script: Path):
    """Turn the dump into one SQL script that first drops the schema (so tables added by later
    migrations go too) and then recreates everything. pg_restore reading the whole dump here also
    proves it is intact before anything changes."""
    pg_restore = _pg_tool("pg_restore")
    _pg_tool("psql")
    schema = manifest["database"].get("schema", "public")
    with db.engine.connect() as conn:
        current = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        quoted = conn.dialect.identifier_preparer.quote(schema)
    if current != schema:
        raise BackupError(f"this backup holds the schema {schema!r}, but the configured database uses {current!r}")
    body = script.with_suffix(".body.sql")
    _run(
        [pg_restore, "--no-owner", "--no-privileges", f"--file={body}", str(dump)],
        dict(os.environ),
        "pg_restore (reading the backup)",
    )
    with open(script, "w", encoding="utf-8") as out, open(body, encoding="utf-8") as src:
        out.write("SET lock_timeout = '60s';\n")
        out.write(f"DROP SCHEMA IF EXISTS {quoted} CASCADE;\n")
        shutil.copyfileobj(src, out)
    body.unlink()


def _restore_postgresql(url, script: Path):
    """Apply the script in a single transaction: on any error PostgreSQL rolls all of it back."""
    args, env, dbname = _pg_args(url)
    _run(
        [
            _pg_tool("psql"),
            *args,
            "-X",
            "-q",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            f"--file={script}",
            "--dbname",
            dbname,
        ],
        env,
        "psql (applying the backup)",
    )


# --- commands -----------------------------------------------------------------------------------


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path):
    """Write the database and the stored files to PATH (.zip), or to a dated file when PATH is a
    folder. Safe while the application runs."""
    try:
        written, manifest = create_backup(current_app, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    head = manifest["audit_head"]
    click.echo(f"Backup written to {written}")
    click.echo(
        f"  database {KIND_NAMES[manifest['database']['kind']]}: {len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows"
    )
    click.echo(f"  audit chain head: event {head['seq']}, {head['hash']}")
    click.echo(f"  stored files: {len(manifest['files'])}")
    problems = not_backed_up(manifest)
    if problems:
        click.echo(
            f"  stored files NOT in this backup: {len(problems)} (missing or damaged in the storage "
            "folder; the warnings name them)"
        )
    for line in problems:
        click.echo(line, err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@with_appcontext
def restore_command(path, yes):
    """Replace the database and restore the stored files from a backup made by `qms backup`, then
    verify the audit chain. Stop the application first."""
    from qms.audit.checkpoints import set_aside_journal
    from qms.audit.verify import verify_installation

    if not yes:
        from qms.core.installation import describe_installation

        installation = describe_installation(current_app).summary()
        click.confirm(
            f"This replaces every record and stored file of the installation {installation}\n"
            f"with the contents of {path}. Continue?",
            abort=True,
            err=True,
        )
    try:
        manifest = restore_backup(current_app, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored the backup of {manifest['created_at']}: "
        f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
        f"{len(manifest['files'])} stored files"
    )
    aside = set_aside_journal(current_app.instance_path, manifest["audit_head"]["seq"])
    if aside is not None:
        click.echo(f"Checkpoints of events after this backup were moved out of the journal to {aside}")
    result = verify_installation(current_app.instance_path)
    if not result.ok:
        click.echo(f"Audit chain BROKEN at {result.broken_seq}: {result.kind} ({result.detail})", err=True)
        raise SystemExit(1)
    click.echo(f"Audit chain OK: {result.count} events, head {result.head_hash}")
    _warn_if_behind(manifest)


def _warn_if_behind(manifest):
    from qms.core.installation import migration_heads

    heads = migration_heads(current_app)
    revision = manifest["database"].get("alembic_revision")
    if revision not in heads:
        click.echo(
            f"The restored database is at migration {revision}, this qms expects "
            f"{', '.join(heads)}: run `qms db upgrade` if the backup is older."
        )
