"""Each test on PostgreSQL gets a database with the migrated template's contents and nothing else
(tests.postgres_copies): what a test wrote, deleted, numbered or changed in the schema is gone
for the next one."""

import psycopg
import pytest

from qms import create_app
from qms.audit.services import record_event
from qms.db import db
from tests.conftest import BASE_CONFIG
from tests.postgres_copies import WorkingCopy


@pytest.fixture
def copy(database_template):
    kind, base, name, admin = database_template
    if kind != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite each test copies the template's file")
    copy = WorkingCopy(admin, base, name)
    yield copy
    copy.drop()


def state(copy):
    """Every table's rows and every sequence's next value in the copy."""
    with psycopg.connect(copy.conninfo) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
        rows = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for (t,) in tables}
        sequences = conn.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1").fetchall()
    return rows, sequences


def test_a_used_copy_comes_back_with_the_templates_rows_and_numbers(copy):
    url = copy.fresh_url()
    before = state(copy)
    assert before[0]["roles"] and before[0]["alembic_version"]
    with psycopg.connect(copy.conninfo) as conn:
        conn.execute("INSERT INTO communes (code, name, settings, created_at) VALUES ('XA-1', 'Một', '{}', now())")
        conn.execute("INSERT INTO roles (code, name_vi, name_en) VALUES ('extra', 'Thêm', 'Extra')")
        conn.execute("DELETE FROM roles WHERE code = 'extra' OR id = (SELECT max(id) FROM roles)")
        conn.execute("UPDATE calendar_days SET name = 'đổi' WHERE id = (SELECT min(id) FROM calendar_days)")
    with psycopg.connect(copy.conninfo) as conn:  # a connection the test left open
        assert copy.fresh_url() == url
    assert state(copy) == before


def test_the_audit_trail_comes_back_empty_although_it_refuses_deletes(copy, tmp_path):
    url = copy.fresh_url()
    before = state(copy)
    app = create_app({**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        record_event(None, "test.done", entity_type="communes", entity_id=1, reason="thử")
        db.session.commit()
        db.engine.dispose()
    assert state(copy) != before
    copy.fresh_url()
    assert state(copy) == before


def test_a_copy_whose_schema_changed_is_made_again(copy):
    copy.fresh_url()
    before = state(copy)
    with psycopg.connect(copy.conninfo) as conn:
        conn.execute("ALTER TABLE communes ADD COLUMN extra text")
        conn.execute("CREATE TABLE leftover (id int)")
    copy.fresh_url()
    assert state(copy) == before
