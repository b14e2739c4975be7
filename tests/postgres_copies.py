"""A fresh PostgreSQL database for each test, without creating one for each test.

Creating a database from a template and dropping it cost about 0.3 s a test (the template's pages
written to the WAL and flushed, then the files removed), more than most tests take. Instead, each
test process keeps one working copy of each template and gives it back to the next test with the
template's contents: every table emptied, the template's rows copied back (COPY, so that every
type comes back as it was), every sequence where the template left it. That takes a few
milliseconds. A test that changed the schema (a migration run down and up, say) gets a new copy
made from the template, as does a copy whose reset fails for any reason.

Foreign keys and the audit trail's append-only triggers are set aside for the reset (the session
acts as a replica, which fires no ordinary trigger); what is left behind is the template's own
state, in which they all hold. The working copies commit without waiting for the disk
(synchronous_commit off: only a crash of the PostgreSQL server could lose a test's commit)."""

import uuid

import psycopg
from psycopg import sql

# What a test that changes the schema changes: the relations and their columns, the constraints,
# triggers and functions, in every schema but the system's.
SCHEMA_FINGERPRINT = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relnatts, ','
                     ORDER BY n.nspname, c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'),
  (SELECT string_agg(t.tgname || ':' || t.tgenabled::text, ',' ORDER BY t.tgname)
     FROM pg_trigger t WHERE NOT t.tgisinternal),
  (SELECT string_agg(con.conname, ',' ORDER BY con.conname)
     FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'),
  (SELECT string_agg(p.proname, ',' ORDER BY p.proname)
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema')))
"""


class SchemaChanged(Exception):
    """The last test changed the schema: a copy made again from the template replaces this one."""


class WorkingCopy:
    """One database with a template's contents, put back to them before each use."""

    def __init__(self, admin, url, template):
        self.admin, self.template = admin, template
        self.name = f"{template}_work_{uuid.uuid4().hex[:6]}"
        self.url = url.set(database=self.name)
        self.conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._create()
        self.used = False

    def _create(self):
        self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')
        self._admin(f'ALTER DATABASE "{self.name}" SET synchronous_commit = off')
        with psycopg.connect(self.conninfo) as conn:
            self.fingerprint = conn.execute(SCHEMA_FINGERPRINT).fetchone()[0]
            tables = [
                sql.Identifier(*name)
                for name in conn.execute(
                    "SELECT schemaname, tablename FROM pg_tables"
                    " WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'"
                )
            ]
            self.contents = []  # (table, its rows as COPY writes them), for the tables with rows
            for table in tables:
                with conn.cursor().copy(sql.SQL("COPY {} TO STDOUT").format(table)) as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    self.contents.append((table, data))
            self.empty_all = sql.SQL(" ").join(sql.SQL("DELETE FROM {};").format(table) for table in tables)
            sequences = conn.execute(
                "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value),"
                " last_value IS NOT NULL FROM pg_sequences"
            ).fetchall()
            values = sql.SQL(", ").join(
                sql.SQL("({}, {}::bigint, {})").format(*map(sql.Literal, row)) for row in sequences
            )
            self.set_sequences = (
                sql.SQL("SELECT count(setval(s::regclass, v, c)) FROM (VALUES {}) AS q(s, v, c)").format(values)
                if sequences
                else None
            )

    def _admin(self, statement):
        with self.admin.connect() as conn:
            conn.exec_driver_sql(statement)

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def fresh_url(self):
        """This copy's URL, its contents put back to the template's if a test used it before."""
        if self.used:
            try:
                self._reset()
            except (psycopg.Error, SchemaChanged):
                self.drop()
                self._create()
        self.used = True
        return self.url.render_as_string(hide_password=False)

    def _reset(self):
        with psycopg.connect(self.conninfo) as conn:
            # What the last test left connected (a thread, a server it started) lets go first.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if conn.execute(SCHEMA_FINGERPRINT).fetchone()[0] != self.fingerprint:
                raise SchemaChanged
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(self.empty_all)
            for table, data in self.contents:
                with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(table)) as copy:
                    copy.write(data)
            if self.set_sequences is not None:
                conn.execute(self.set_sequences)


class WorkingCopies:
    """The working copies of one test process, one per template."""

    def __init__(self, admin, url):
        self.admin, self.url, self.copies = admin, url, {}

    def fresh_url(self, template):
        if template not in self.copies:
            self.copies[template] = WorkingCopy(self.admin, self.url, template)
        return self.copies[template].fresh_url()

    def close(self):
        for copy in self.copies.values():
            copy.drop()
        self.copies.clear()
