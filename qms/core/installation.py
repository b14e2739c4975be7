"""Which installation a command acts on: its instance folder, its database (the URL without its
password), its stored files and its commune(s), with the migration the database is at.

Every `qms` command that writes prints it on stderr before it acts (qms.cli), `qms info` prints it
for a person checking, and `qms restore` names it in its question. Describing never fails and never
writes: a database not created or not migrated yet, or one that cannot be reached, is said so."""

import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@dataclass(frozen=True)
class Installation:
    instance_path: str
    database_url: str  # the password hidden
    storage_dir: str
    communes: tuple  # (code, name) pairs, in the order of their codes
    revision: str | None  # the migration the database is at (None: not set up)
    problem: str | None  # why the communes could not be read (not set up yet, unreachable), or None

    @property
    def communes_text(self):
        if self.problem:
            return self.problem
        if not self.communes:
            return "no commune yet"
        return ", ".join(f"{code} {name}" for code, name in self.communes)

    @property
    def database_read(self):
        """Whether the database answered (set up or not)."""
        return self.problem in (None, NOT_SET_UP)

    def summary(self):
        """One line: where a command acts."""
        if self.problem:
            communes = self.problem
        else:
            communes = ("communes " if len(self.communes) > 1 else "commune ") + self.communes_text
        return f"{self.instance_path} · database {self.database_url} · files {self.storage_dir} · {communes}"


def hide_password(url):
    """The database URL as a person may see it: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable URL)"


def describe_installation(app):
    """The installation app acts on, its communes read from the database with a connection of its
    own (none of the application's pooled ones, and no SQLite file created where none is)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    communes, revision, problem = _read_database(url)
    return Installation(
        instance_path=str(app.instance_path),
        database_url=hide_password(url),
        storage_dir=str(app.config["QMS_STORAGE_DIR"]),
        communes=communes,
        revision=revision,
        problem=problem,
    )


NOT_SET_UP = "database not set up yet (run `qms db upgrade`)"


def _read_database(url):
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return (), None, "database URL cannot be read"
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not os.path.exists(parsed.database):
            return (), None, NOT_SET_UP
    engine = sa.create_engine(parsed, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            revision = None
            if "alembic_version" in names:
                revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            if "communes" not in names:
                return (), revision, NOT_SET_UP
            rows = conn.execute(sa.text("SELECT code, name FROM communes ORDER BY code")).all()
            return tuple((code, name) for code, name in rows), revision, None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return (), None, f"database cannot be read ({reason})"
    finally:
        engine.dispose()


def migration_heads(app):
    """The migrations this qms knows as the newest."""
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory(app.extensions["migrate"].directory).get_heads())
