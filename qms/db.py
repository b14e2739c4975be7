"""Declarative base with a constraint naming convention, UTC timestamps and the shared session."""

import contextlib
import contextvars
import datetime as dt
import re

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone decides who writes next
    fcntl = None

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Date, DateTime, Enum, MetaData, TypeDecorator, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.functions import FunctionElement

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
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(cls, length=20):
    """The column type of a workflow enum: its values stored as text (no database enum type, so a
    new value needs no type migration), checked on the way in."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=cls.__name__.lower(),
    )


class month_start(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """The first day of the month of a date column, as a date, in SQLite and PostgreSQL alike: what
    reports per month group by."""

    type = Date()
    name = "month_start"
    inherit_cache = True


@compiles(month_start)
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class DomainError(Exception):
    """A rule of the domain forbids the requested change; the message is for a person to read.

    A refusal undoes its unit of work, even when the caller catches it to show the message on a
    form or after a redirect: whatever the refused service had written is never committed."""

    kept = False

    def __init__(self, message, *, code="invalid", status=400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        work = _current_work.get()
        if work is not None:
            work.refusals.append(self)


def enum_choice(enum_cls, value, message, *, refusal=DomainError):
    """`value` as a member of `enum_cls` (given as the member or its value), or `refusal` raised
    with `message` and the code invalid_choice."""
    try:
        return value if isinstance(value, enum_cls) else enum_cls(value)
    except ValueError:
        raise refusal(message, code="invalid_choice") from None


class RecordedRefusal(DomainError):
    """A refusal whose record must stay: a wrong password typed to sign in or to sign, a stored
    file found damaged. The service records it (an attempt, an audit event) before changing
    anything else and raises this; the unit of work then commits that record instead of undoing it."""

    kept = True


class ConflictError(DomainError):
    """Someone else changed the same record first."""

    def __init__(self, message):
        super().__init__(message, code="conflict", status=409)


def require(refusal, code="forbidden", status=403):
    """Raise a permissions.*_refusal() reason as a DomainError, if there is one."""
    if refusal is not None:
        raise DomainError(refusal, code=code, status=status)


class OptimisticLock:
    """An area's optimistic locking, its conflict told in the area's words (`message`): a page or an
    API client acted on what it saw at a row_version, and anything newer is someone else's change."""

    def __init__(self, message):
        self.message = message

    def check_row_version(self, record, expected):
        if expected is not None and int(expected) != record.row_version:
            raise ConflictError(self.message)

    def flush(self):
        """Flush, turning a lost race (a stale row_version, a unique constraint) into a conflict."""
        try:
            db.session.flush()
        except (StaleDataError, IntegrityError):
            raise ConflictError(self.message) from None


def insert_numbered(row, *, scope, field, number, refusal, attempts=5):
    """Add `row` with the next serial number of its sequence (the rows of its table matching the
    conditions `scope`, such as one commune's year) and `field` set to `number(serial)` (SKPH-2026-007,
    GY-2026-0042). A serial a concurrent writer took meanwhile (the table's unique constraint) is
    retried in a savepoint; after `attempts` the DomainError `refusal()` makes is raised (made only
    then: a DomainError made is a refusal of the unit of work). The row's table has a `serial` column."""
    model = type(row)
    for _attempt in range(attempts):
        row.serial = (db.session.scalar(select(func.max(model.serial)).where(*scope)) or 0) + 1
        setattr(row, field, number(row.serial))
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
            return row
        except IntegrityError:
            continue
    raise refusal()


class _Work:
    def __init__(self):
        self.refusals = []
        self.succeeded = True
        self.durable = True  # see relax_durability()
        self.bulk = False


_current_work = contextvars.ContextVar("qms_unit_of_work", default=None)


@contextlib.contextmanager
def unit_of_work():
    """The one unit of work of a request, a command or a job: everything the services change in
    the block is committed together at its end, or nothing is.

    It commits when the block ends normally without a refusal (and, for a request, with a
    response below 400: the view sets `work.succeeded`); it rolls back when the block raises or
    a service refused (DomainError), even if the caller caught the refusal. A RecordedRefusal
    is the exception: what the refusing service recorded is committed, then the refusal goes on.
    """
    work = _Work()
    token = _current_work.set(work)
    try:
        yield work
    except BaseException:
        _finish(work, ok=False)
        raise
    else:
        _finish(work, ok=work.succeeded)
    finally:
        _current_work.reset(token)


@contextlib.contextmanager
def answers_only():
    """A check that writes nothing and whose refusals are answers to report, not refusals of the
    unit of work (a dry run judging many files): the DomainErrors made inside are not recorded."""
    work = _current_work.get()
    before = len(work.refusals) if work is not None else 0
    try:
        yield
    finally:
        if work is not None:
            del work.refusals[before:]


@contextlib.contextmanager
def standalone_part():
    """A part of the unit of work that stands or falls on its own (one item of a batch, in a
    savepoint): a DomainError inside it undoes what the part wrote and is no refusal of the whole,
    whose other parts are still committed; the error goes on to the caller, who reports it.

    A RecordedRefusal keeps what its service recorded (the savepoint is released, the unit of work
    commits the record as usual); any other exception undoes the part and goes on as usual."""
    work = _current_work.get()
    before = len(work.refusals) if work is not None else 0
    part = db.session.begin_nested()
    try:
        yield
    except DomainError as exc:
        if exc.kept:
            part.commit()
        else:
            part.rollback()
            if work is not None:
                del work.refusals[before:]
        raise
    except BaseException:
        part.rollback()
        raise
    else:
        part.commit()


def relax_durability(*, bulk=False):
    """What the unit of work under way is about to write only records that something was read (the
    audit event of a download), or is work that a later durable commit of the same job confirms and
    that can be done again without loss if a power cut takes it (a batch of an import, which passes
    over the rows already recorded): on SQLite its commit need not wait for the disk
    (synchronous=NORMAL for that one transaction, instead of FULL). A power cut may then lose the
    last such transactions, never anything else: each is kept or lost whole, the audit chain stays
    unbroken, and the next ordinary commit makes them durable too (WAL is written in order). Waiting
    for the disk took most of a download's time, all of it holding the database's write lock.

    `bulk`: the unit of work writes thousands of rows (a batch of an import). SQLite then moves the
    write-ahead log into the database (a checkpoint, which waits for the disk) once it holds
    BULK_CHECKPOINT_PAGES pages rather than 1,000: a checkpoint every few batches took 3.5 of the
    33 s of an import of 100,000 rows. The next ordinary commit checkpoints what is left.

    It applies only when called before the unit of work's first write; PostgreSQL ignores it."""
    work = _current_work.get()
    if work is not None:
        work.durable, work.bulk = False, bulk


def settle(refusal):
    """After a refusal a view shows on its page: end the unit of work's changes now, so that the page
    is rendered from the database as it is (a failed flush leaves the session unusable until then).
    A recorded refusal is committed, anything else undone, as the unit of work would at its end."""
    if refusal.kept:
        db.session.commit()
    else:
        db.session.rollback()


def _finish(work, ok):
    if any(refusal.kept for refusal in work.refusals):
        db.session.commit()
    elif ok and not work.refusals:
        db.session.commit()
    else:
        db.session.rollback()


_WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_RELAXED = "qms_relaxed_durability"
CHECKPOINT_PAGES = 1000  # SQLite's default
BULK_CHECKPOINT_PAGES = 10_000  # 40 MB of 4 KB pages
_SAVEPOINT = re.compile(r"\s*SAVEPOINT\b", re.IGNORECASE)


def configure_sqlite(engine):
    """Foreign keys on, WAL so readers never wait for the writer, a generous busy timeout, and the
    writers of this installation taking turns (WriterTurns)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # explicit: every commit is on disk before it returns (relax_durability() is the exception)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _relaxed_if_asked(conn, cursor, statement, parameters, context, executemany):
        work = _current_work.get()
        if (
            work is None
            or work.durable
            or _RELAXED in conn.info
            or not (_WRITE_STATEMENT.match(statement) or _SAVEPOINT.match(statement))
        ):
            return
        # the level cannot change inside a transaction: set before the one a write or a savepoint opens
        if not cursor.connection.in_transaction:
            cursor.execute("PRAGMA synchronous=NORMAL")
            if work.bulk:
                cursor.execute(f"PRAGMA wal_autocheckpoint={BULK_CHECKPOINT_PAGES}")
            conn.info[_RELAXED] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _savepoint_inside_a_transaction(conn, cursor, statement, parameters, context, executemany):
        # The driver opens a transaction only before a data change; a SAVEPOINT sent first would open
        # one of its own, which its RELEASE commits: the rows written under it would outlive a later
        # rollback. So a savepoint outside a transaction begins one first.
        if _SAVEPOINT.match(statement) and not cursor.connection.in_transaction:
            cursor.execute("BEGIN")

    @event.listens_for(engine.pool, "checkin")
    def _durable_again(dbapi_connection, record):
        if record is not None and record.info.pop(_RELAXED, False):
            dbapi_connection.execute("PRAGMA synchronous=FULL")
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")

    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:") and fcntl is not None:
        WriterTurns(f"{database}-writer.lock").watch(engine)


class WriterTurns:
    """SQLite lets one transaction write at a time; another writer that finds the database locked
    sleeps in SQLite's busy handler, by steps of 1, 2, 5, 10, 15, 20, 25... ms, and comes back late
    even when the lock was free a moment after it looked: most writes take a few milliseconds, so
    every download (it records its audit event) queued behind another waited 10 to 50 ms.

    So before its first write a transaction takes an exclusive lock on a file beside the database
    (flock, which every worker process and thread of the installation sees), and gives it back when
    its connection returns to the pool, after the commit or rollback. A writer waiting for its turn
    is woken within a fraction of a millisecond of the previous one's end. The lock is taken at
    the moment SQLite would take its own write lock, so it never blocks what SQLite would not; if it
    cannot be had within the busy timeout (a writer outside the application, a stuck process),
    the transaction goes on without it and SQLite's own lock decides, as before."""

    KEY = "qms_writer_turn"
    POLL_SECONDS = 0.0002
    TIMEOUT_SECONDS = 30

    def __init__(self, path):
        self.path = path

    def watch(self, engine):
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine.pool, "checkin", self._checkin)
        event.listen(engine.pool, "invalidate", self._checkin)

    def _before_execute(self, conn, cursor, statement, parameters, context, executemany):
        info = conn.info
        if self.KEY not in info and _WRITE_STATEMENT.match(statement):
            info[self.KEY] = self._take()

    def _take(self):
        import os
        import time

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    return None
                time.sleep(self.POLL_SECONDS)

    def _checkin(self, dbapi_connection, record, *args):
        import os

        fd = record.info.pop(self.KEY, None) if record is not None else None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


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
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def drop_append_only_ddl(dialect_name, table):
    if dialect_name == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic autogenerate: SQLite's FTS5 shadow tables are created by hand in a migration."""
    return not (type_ == "table" and name.startswith("search_entries_fts"))
