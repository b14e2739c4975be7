"""Fixtures: a database per test with the migrated template's contents (SQLite by default: a copy of
the file; PostgreSQL when QMS_TEST_DATABASE_URL is set: a working copy put back to the template's
contents, tests/postgres_copies.py), the app, clients, factories (make_commune, make_unit,
make_user) and a login helper."""

import itertools
import os
import re
import shutil
import uuid

import jinja2
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from qms import QmsFlask, create_app
from qms.db import db


class CompiledTemplates(jinja2.BytecodeCache):
    """The templates compiled once for the whole test process. Each test builds its own app, whose
    Jinja environment would otherwise compile again every template the test renders (about 60 ms
    a test that opens a page); every app of the suite has the same Jinja settings, so the code
    compiled for one serves all. A template whose source changed is compiled again."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        checksum, code = self.compiled.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)


QmsFlask.jinja_options = {**QmsFlask.jinja_options, "bytecode_cache": CompiledTemplates()}

PASSWORD = "Correct-Horse-Battery-42"
PG_URL = os.environ.get("QMS_TEST_DATABASE_URL")

BASE_CONFIG = {
    "TESTING": True,
    "QMS_SECRET_KEY": "test-secret-key-not-for-production",
    "QMS_ARGON2_TIME_COST": 1,
    "QMS_ARGON2_MEMORY_KIB": 1024,
    "QMS_ARGON2_PARALLELISM": 1,
}


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, the tests that never touch the test database (no database_url or
    database_template among their fixtures: a .docx stamped in memory, the README's commands on
    their own SQLite installation) and those marked same_on_every_database are skipped: the SQLite
    pass of `make test` runs them, and they would run the same again."""
    if not PG_URL:
        return
    once = pytest.mark.skip(reason="the same on every database: the SQLite pass runs it")
    for item in items:
        uses_database = {"database_url", "database_template"} & set(getattr(item, "fixturenames", ()))
        if not uses_database or item.get_closest_marker("same_on_every_database"):
            item.add_marker(once)


def _pg_admin_engine():
    url = sa.engine.make_url(
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if PG_URL.startswith("postgresql://") else PG_URL
    )
    return url, sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _migrate(url, instance):
    app = create_app({**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per test process; every test gets the result's contents (fresh_database_url)."""
    instance = tmp_path_factory.mktemp("template-instance")
    if PG_URL:
        url, admin = _pg_admin_engine()
        name = f"qms_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        _migrate(url.set(database=name).render_as_string(hide_password=False), instance)
        yield ("postgresql", url, name, admin)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    else:
        path = instance / "template.sqlite3"
        _migrate(f"sqlite:///{path}", instance)
        yield ("sqlite", path, None, None)


_counter = itertools.count()


@pytest.fixture(scope="session")
def working_copies(database_template):
    """On PostgreSQL, the working copies of this test process (tests.postgres_copies); None on SQLite."""
    kind, base, _name, admin = database_template
    if kind == "sqlite":
        yield None
        return
    from tests.postgres_copies import WorkingCopies

    copies = WorkingCopies(admin, base)
    yield copies
    copies.close()


def fresh_database_url(database_template, working_copies, tmp_path, template=None):
    """The URL of a database of this test's own with the contents of a template (the migrated one,
    or another made from it: a SQLite file, a PostgreSQL database's name): a copy of the file on
    SQLite, a working copy put back to the template's contents on PostgreSQL."""
    kind, base, name, _admin = database_template
    if kind == "sqlite":
        target = tmp_path / "qms.sqlite3"
        shutil.copyfile(template or base, target)
        return f"sqlite:///{target}"
    return working_copies.fresh_url(template or name)


@pytest.fixture
def database_url(database_template, working_copies, tmp_path):
    return fresh_database_url(database_template, working_copies, tmp_path)


@pytest.fixture
def client_class():
    """The test client of the apps make_app builds. Test folders whose requests must not share the
    test's app context (sessions, sign-out) override this with tests.core.support.IsolatedClient."""
    return FlaskClient


@pytest.fixture
def make_app(database_url, tmp_path, client_class):
    """Build an app on this test's database (call twice for two 'worker processes')."""
    apps = []

    def factory(**overrides):
        instance = tmp_path / "instance"
        app = create_app({**BASE_CONFIG, "QMS_DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), **overrides})
        app.test_client_class = client_class
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------------------------


@pytest.fixture
def make_commune(app):
    from qms.auth.services import create_commune

    def factory(code=None, name=None, **kw):
        n = next(_counter)
        commune = create_commune(None, code=code or f"XA-{n}", name=name or f"UBND xã Thử {n}", **kw)
        db.session.commit()
        return commune

    return factory


@pytest.fixture
def make_unit(app):
    from qms.auth.services import create_unit

    def factory(commune, code=None, name=None, is_one_stop=False):
        n = next(_counter)
        unit = create_unit(None, commune, code=code or f"U{n}", name=name or f"Phòng {n}", is_one_stop=is_one_stop)
        db.session.commit()
        return unit

    return factory


@pytest.fixture
def make_user(app, make_commune):
    from qms.auth.services import create_user

    def factory(*roles, commune=None, username=None, full_name=None, units=(), password=PASSWORD, locale="vi"):
        n = next(_counter)
        commune = commune or make_commune()
        user = create_user(
            None,
            commune,
            username=username or f"user{n}",
            full_name=full_name or f"Người dùng {n}",
            password=password,
            roles=roles,
            unit_ids=[u.id for u in units],
            locale=locale,
        )
        db.session.commit()
        return user

    return factory


def csrf_token(client, path="/login"):
    """Fetch a page and read its CSRF token (tests run with CSRF protection on, as in production)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username, password=PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def post_form(client, path, data=None, page=None):
    """POST a form with a valid CSRF token taken from `page` (default: the home page)."""
    token = csrf_token(client, page or "/")
    return client.post(path, data={**(data or {}), "csrf_token": token})


def build_two_communes():
    """Two communes, each with a one-stop unit and one user per role (usernames a_<role>, b_<role>),
    committed: {side: {"commune", "unit", "users": {role: user}}}."""
    from qms.auth.models import ALL_ROLES
    from qms.auth.services import create_commune, create_unit, create_user

    out = {}
    for prefix in ("a", "b"):
        commune = create_commune(None, code=f"XA-{prefix.upper()}", name=f"UBND xã {prefix.upper()}")
        unit = create_unit(
            None, commune, code=f"TTHCC-{prefix}", name="Trung tâm Phục vụ hành chính công", is_one_stop=True
        )
        users = {
            role: create_user(
                None,
                commune,
                username=f"{prefix}_{role}",
                full_name=f"{prefix.upper()} {role}",
                password=PASSWORD,
                roles=[role],
                unit_ids=[unit.id],
            )
            for role in ALL_ROLES
        }
        out[prefix] = {"commune": commune, "unit": unit, "users": users}
    db.session.commit()
    return out


@pytest.fixture
def world(app):
    """Two communes, each with a one-stop unit and one user per role (usernames a_<role>, b_<role>)."""
    return build_two_communes()


def cli_error(result):
    """What a `qms` command wrote on stderr after the line naming the installation, which a writing
    command prints first (qms.cli)."""
    first, _newline, rest = result.stderr.partition("\n")
    return rest if first.startswith("Installation: ") else result.stderr
