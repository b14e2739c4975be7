"""Declarative base with a constraint naming convention, UTC timestamps and the shared session."""
import datetime as dt

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware UTC datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class DomainError(Exception):
    """A rule of the domain forbids the requested change; the message is for a person to read."""

    def __init__(self, message, *, code="invalid", status=400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class ConflictError(DomainError):
    """Someone else changed the same record first."""

    def __init__(self, message):
        super().__init__(message, code="conflict", status=409)


def configure_sqlite(engine):
    """Foreign keys on, WAL so readers never wait for the writer, and a generous busy timeout."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def append_only_ddl(dialect_name, table):
    """Statements that make the database itself refuse UPDATE and DELETE on `table` (and TRUNCATE
    on PostgreSQL). Used by migrations; the function qms_refuse_change() is created by the first."""
    if dialect_name == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION qms_refuse_change() RETURNS trigger AS $$
               BEGIN
                   RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
               END;
               $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION qms_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION qms_refuse_change()",
        ]
    return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
            for verb in ("UPDATE", "DELETE")]


def drop_append_only_ddl(dialect_name, table):
    if dialect_name == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic autogenerate: SQLite's FTS5 shadow tables are created by hand in a migration."""
    return not (type_ == "table" and name.startswith("search_entries_fts"))
