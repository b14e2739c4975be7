"""The role x endpoint matrix, generated from app.url_map.

(a) every endpoint declares who may use it (@allow / @public; `static` is public);
(b) every rule, requested as anonymous, as a signed-in user without a role and as each role, answers
    as its declaration says: anonymous -> sign-in (302 to /login, or 401 JSON under /api/v1), a role
    outside the declaration -> 403 and nothing changes, an allowed role -> neither 403 nor 5xx, and
    a GET never adds an audit event;
(c) a user of commune b with an allowed role never reaches commune a's record (404 or 403) and
    changes nothing.
URL arguments are filled from tests/core/url_samples.py: see there how to add an area.
"""

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

import pytest

from qms import create_app
from qms.auth import services
from qms.auth.models import ALL_ROLES, READ_ONLY_ROLES
from qms.core.access import PUBLIC, SIGNED_IN, access_of, endpoint_access
from qms.db import db
from tests.conftest import BASE_CONFIG, build_two_communes, csrf_token, fresh_database_url, login
from tests.core.support import events, head_seq, statements
from tests.core.url_samples import AUDITED_READS, COUNTED_READS, MAY_REFUSE, NOT_RECORDS, build_world, sample

ANONYMOUS, NO_ROLE = "anonymous", "no_role"
# Nothing is written on a GET, not even by a request hook (session bookkeeping, say); an audited
# read (a download) writes its audit event and nothing else, and a public read under a rate limit
# its client's count.
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
AUDIT_WRITE = re.compile(r"\s*(INSERT INTO audit_events|UPDATE audit_chain_head)\b", re.IGNORECASE)
COUNT_WRITE = re.compile(r"\s*INSERT INTO rate_limit_hits\b", re.IGNORECASE)
REQUESTERS = (ANONYMOUS, NO_ROLE, *ALL_ROLES)


@dataclass(frozen=True)
class Case:
    rule: str
    endpoint: str
    method: str
    arguments: tuple
    access: object

    @property
    def is_api(self):
        return self.rule.startswith("/api/")

    def allows(self, requester):
        if self.access == PUBLIC:
            return True
        if requester == ANONYMOUS or self.access is None:
            return False
        return SIGNED_IN in self.access or requester in self.access

    @property
    def names_a_record(self):
        return any(arg not in NOT_RECORDS for arg in self.arguments)

    def __str__(self):
        return f"{self.method} {self.rule} ({self.endpoint})"


def undeclared_endpoints(app):
    """Endpoints whose view carries no access declaration."""
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_of(app.view_functions[rule.endpoint]) is None
    )


def cases_of(app):
    out = []
    with app.app_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
            methods = rule.methods - {"HEAD", "OPTIONS"}
            method = "GET" if "GET" in methods else sorted(methods)[0]
            out.append(
                Case(rule.rule, rule.endpoint, method, tuple(sorted(rule.arguments)), endpoint_access(rule.endpoint))
            )
    return out


def _collected_cases():
    """The rules, read from an app built for collection only (it never touches its database)."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {**BASE_CONFIG, "QMS_DATABASE_URL": f"sqlite:///{instance}/unused.sqlite3", "INSTANCE_PATH": instance}
        )
        return cases_of(app)


CASES = _collected_cases()


def pytest_generate_tests(metafunc):
    if "allowed_case" in metafunc.fixturenames:
        pairs = [(case, who) for case in CASES for who in REQUESTERS if case.allows(who)]
        metafunc.parametrize("allowed_case", pairs, ids=[f"{c.endpoint}-{who}" for c, who in pairs])
    if "denied_case" in metafunc.fixturenames:
        denied = [case for case in CASES if any(not case.allows(who) for who in REQUESTERS)]
        metafunc.parametrize("denied_case", denied, ids=[c.endpoint for c in denied])
    if "record_case" in metafunc.fixturenames:
        scoped = [case for case in CASES if case.names_a_record]
        metafunc.parametrize("record_case", scoped, ids=[c.endpoint for c in scoped])


# --- the world the matrix runs in -----------------------------------------------------------------


def _refs(value):
    """The world with every record replaced by (its class, its id), to be loaded again later."""
    if isinstance(value, dict):
        return {key: _refs(item) for key, item in value.items()}
    if isinstance(value, db.Model):
        return (type(value), value.id)
    return value


class _Records(Mapping):
    """The world of _refs() whose records are loaded in the current session when first read: a
    test reads the few records its URL names, not the hundred of the world."""

    def __init__(self, refs):
        self._refs, self._loaded = refs, {}

    def __getitem__(self, key):
        if key not in self._loaded:
            self._loaded[key] = _records(self._refs[key])
        return self._loaded[key]

    def __iter__(self):
        return iter(self._refs)

    def __len__(self):
        return len(self._refs)


def _records(value):
    """The world of _refs() with its records loaded in the current session."""
    if isinstance(value, dict):
        return _Records(value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], type):
        return db.session.get(*value)
    return value


@pytest.fixture(scope="session")
def matrix_database(database_template, tmp_path_factory):
    """The matrix's world (the conftest world, one roleless account per commune, and every area's
    sample records) built once per test process in a database of its own: each test gets a copy
    of it and of its stored files, rather than building the world again (about a second a test)."""
    kind, base, name, admin = database_template
    folder = tmp_path_factory.mktemp("matrix")
    if kind == "sqlite":
        source = folder / "matrix.sqlite3"
        shutil.copyfile(base, source)
        url = f"sqlite:///{source}"
    else:
        source = f"{name}_matrix"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{source}" TEMPLATE "{name}"')
        url = base.set(database=source).render_as_string(hide_password=False)
    app = create_app({**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        world = build_two_communes()
        for side in ("a", "b"):
            world[side]["roleless"] = services.create_user(
                None,
                world[side]["commune"],
                username=f"{side}_{NO_ROLE}",
                full_name=f"{side} no role",
                password="Roleless-Password-2026",
            )
        db.session.commit()
        spec = _refs(build_world(world))
        db.session.remove()
        db.engine.dispose()
    yield kind, source, spec, folder / "instance" / "files"
    if kind != "sqlite":
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)')


@pytest.fixture
def database_url(matrix_database, database_template, working_copies, tmp_path):
    """This module's tests start from a copy of the matrix's world (and its stored files)."""
    _kind, source, _spec, files = matrix_database
    shutil.copytree(files, tmp_path / "instance" / "files")
    return fresh_database_url(database_template, working_copies, tmp_path, template=source)


@pytest.fixture
def app(make_app):
    """The matrix's app runs the pages' long work (an evidence pack asked for) in the request, not in
    a thread that would go on writing while the matrix counts statements and events, or after the
    test has closed its database."""
    app = make_app(QMS_IMPORT_IN_BACKGROUND=False)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def matrix_world(app, matrix_database):
    """The matrix's world, its records loaded in this test's session."""
    return _records(matrix_database[2])


def url_of(app, case, world, side):
    missing = [arg for arg in case.arguments if sample(case.endpoint, arg) is None]
    if missing:
        pytest.fail(
            f"{case} has URL argument(s) {missing} without a sample: add them to URL_SAMPLES "
            "in tests/core/url_samples.py (see the instructions at the top of that file)"
        )
    values = {arg: sample(case.endpoint, arg)(world, side) for arg in case.arguments}
    return app.url_map.bind("localhost").build(case.endpoint, values, method=case.method)


def requester_user(world, side, requester):
    return world[side]["roleless"] if requester == NO_ROLE else world[side]["users"][requester]


def client_for(app, world, side, requester, case):
    """A test client signed in as `requester` of commune `side` (a bearer token for the API), and
    the headers and CSRF token its request needs."""
    client = app.test_client()
    headers = {}
    if requester == ANONYMOUS:
        return client, headers, (csrf_token(client, "/login") if not case.is_api else None)
    user = requester_user(world, side, requester)
    if case.is_api:
        _token, plain = services.create_api_token(user, user, "matrix")
        db.session.commit()
        headers["Authorization"] = f"Bearer {plain}"
        return client, headers, None
    password = "Roleless-Password-2026" if requester == NO_ROLE else None
    response = login(client, user.username, *([password] if password else []))
    assert response.status_code == 302, f"{user.username} could not sign in"
    return client, headers, csrf_token(client, "/account")


def send(client, case, url, headers, token):
    kwargs = {"headers": headers, "buffered": True}
    if case.method != "GET":
        if case.is_api:
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": token}
    return client.open(url, method=case.method, **kwargs)


def expect_sign_in(case, response):
    if case.is_api:
        assert response.status_code == 401, f"{case} as anonymous: {response.status_code}"
        assert response.get_json()["error"] == "unauthorized"
    else:
        assert response.status_code == 302, f"{case} as anonymous: {response.status_code}"
        assert response.headers["Location"].startswith("/login"), f"{case} as anonymous"


# --- (a) declarations ---------------------------------------------------------------------------


def test_every_endpoint_declares_who_may_use_it(app):
    missing = undeclared_endpoints(app)
    assert not missing, "endpoints without @allow(...) or @public: " + ", ".join(missing)


def test_an_undeclared_endpoint_is_found_and_closed_to_everyone(make_app, make_user):
    app = make_app()
    app.add_url_rule("/undeclared", "undeclared", lambda: "open")
    assert undeclared_endpoints(app) == ["undeclared"]
    with app.app_context():
        make_user("administrator", username="root")
    client = app.test_client()
    assert client.get("/undeclared").status_code == 302
    login(client, "root")
    assert client.get("/undeclared").status_code == 403


def test_every_url_argument_has_a_sample():
    missing = sorted(
        {f"{arg} (in {case})" for case in CASES for arg in case.arguments if sample(case.endpoint, arg) is None}
    )
    assert not missing, "URL arguments without a sample in tests/core/url_samples.py URL_SAMPLES: " + "; ".join(missing)


def test_the_matrix_covers_every_rule(app):
    assert {c.endpoint for c in CASES} == {r.endpoint for r in app.url_map.iter_rules()}


# --- (b) the declaration holds for every role ----------------------------------------------------


def test_allowed(app, matrix_world, allowed_case):
    case, requester = allowed_case
    url = url_of(app, case, matrix_world, "a")
    client, headers, token = client_for(app, matrix_world, "a", requester, case)
    seq = head_seq()
    with statements() as ran:
        response = send(client, case, url, headers, token)
    status = response.status_code
    assert status < 500, f"{case} as {requester}: {status}"
    if status == 403:
        assert (case.endpoint, requester) in MAY_REFUSE or refused_to_readers(app, case, requester), (
            f"{case} as {requester} (allowed): 403"
        )
    if case.method == "GET":
        recorded = [e for e in events(after=seq) if e["action"] not in AUDITED_READS.get(case.endpoint, ())]
        assert recorded == [], f"GET {url} as {requester} changed state: {recorded}"
        writes = [
            sql
            for sql, _params, _stmt in ran
            if WRITE.match(sql)
            and not (case.endpoint in AUDITED_READS and AUDIT_WRITE.match(sql))
            and not (case.endpoint in COUNTED_READS and COUNT_WRITE.match(sql))
        ]
        assert writes == [], f"GET {url} as {requester} wrote: {writes}"
        if requester in READ_ONLY and response.mimetype == "text/html":
            offered = changing_forms(app, response.get_data(as_text=True))
            assert offered == [], f"GET {url} offers the auditor forms that change state: {offered}"


READ_ONLY = {role for role in ALL_ROLES if role in READ_ONLY_ROLES}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


def changing_forms(app, page):
    """The endpoints a page's POST forms send to, but those about the person's own session and account."""
    adapter = app.url_map.bind("localhost")
    found = []
    for tag in FORM.findall(page):
        if 'method="post"' not in tag.lower():
            continue
        action = re.search(r'action="([^"]*)"', tag).group(1).split("?")[0]
        endpoint, _args = adapter.match(action, method="POST")
        view = app.view_functions[endpoint]
        if not getattr(view, "qms_own_account", False) and access_of(view) != PUBLIC:
            found.append(endpoint)
    return found


def refused_to_readers(app, case, requester):
    """An auditor changes nothing: every request that could is refused, but those about their own
    session and account (sign-out, password, API tokens)."""
    view = app.view_functions[case.endpoint]
    return requester in READ_ONLY and case.method in UNSAFE and not getattr(view, "qms_own_account", False)


def test_denied(app, matrix_world, denied_case):
    case = denied_case
    url = url_of(app, case, matrix_world, "a")
    for requester in REQUESTERS:
        if case.allows(requester):
            continue
        client, headers, token = client_for(app, matrix_world, "a", requester, case)
        seq = head_seq()
        response = send(client, case, url, headers, token)
        if requester == ANONYMOUS:
            expect_sign_in(case, response)
        else:
            assert response.status_code == 403, f"{case} as {requester}: {response.status_code}"
            if case.is_api:
                assert response.get_json()["error"] == "forbidden"
        assert events(after=seq) == [], f"{case} as {requester} was refused but changed state"


# --- (c) one commune never reaches another's records ----------------------------------------------


def test_other_communes_records_are_out_of_reach(app, matrix_world, record_case):
    case = record_case
    url = url_of(app, case, matrix_world, "a")
    allowed = [who for who in REQUESTERS if who != ANONYMOUS and case.allows(who)]
    assert allowed, f"{case} names a record but no signed-in user may call it"
    for requester in allowed:
        client, headers, token = client_for(app, matrix_world, "b", requester, case)
        seq = head_seq()
        response = send(client, case, url, headers, token)
        assert response.status_code in (403, 404), f"{case} as b's {requester} on a's record: {response.status_code}"
        assert events(after=seq) == [], f"{case} as b's {requester} changed state"


def test_the_record_history_of_another_commune_shows_nothing(app, matrix_world):
    """record_history takes an entity type and id, not a record: it filters the viewer's commune."""
    subject = matrix_world["a"]["subject"]
    client = app.test_client()
    login(client, "a_auditor")
    own = client.get(f"/audit/records/users/{subject.id}").get_data(as_text=True)
    assert "user.created" in own
    other = app.test_client()
    login(other, "b_auditor")
    response = other.get(f"/audit/records/users/{subject.id}")
    assert response.status_code == 200 and "user.created" not in response.get_data(as_text=True)


# --- (d) no list, search or download of one commune shows anything of another ----------------------

# Pages that show every commune by design: the installation administrator's list of communes.
INSTALLATION_WIDE = {"communes.list_communes"}
# Extra query strings a list is also asked with: searches for commune a's codes and titles, and the
# master lists as files.
QUERIES = {
    "documents.list_documents": ["", "?q=QT-11", "?q=T%C3%A0i+li%E1%BB%87u"],
    "documents.current_forms": ["", "?q=QT-11", "?q=BM-01"],
    "api.list_documents": ["", "?q=QT-11"],
    "documents.master_list": ["", "?which=external", "?format=docx", "?format=xlsx", "?which=external&format=xlsx"],
    "audit.index": ["", "?action=user.*", "?entity_type=documents"],
    "audit.export_csv": [""],
}


def _readable(response):
    """The text a person or a program could read in a response: a .docx or .xlsx by every part."""
    body = response.get_data()
    if body.startswith(b"PK"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as package:
            return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    return body.decode("utf-8", "replace")


def _markers(world, side):
    """Strings only commune `side`'s records carry: its name, its people, its documents' codes."""
    users = [*world[side]["users"].values(), world[side]["roleless"], world[side]["subject"], world[side]["author"]]
    return {
        world[side]["commune"].name,
        *(u.full_name for u in users),
        world[side]["procedure"].code,
        world[side]["draft"].document.code,
        world[side]["in_review"].document.code,
    }


LIST_CASES = [
    case
    for case in CASES
    if case.method == "GET"
    and not case.names_a_record
    and case.access != PUBLIC
    and case.endpoint not in INSTALLATION_WIDE
]


@pytest.mark.parametrize("list_case", LIST_CASES, ids=[c.endpoint for c in LIST_CASES])
def test_no_list_search_or_download_shows_another_communes_records(app, matrix_world, list_case):
    case = list_case
    url = url_of(app, case, matrix_world, "b")
    foreign = _markers(matrix_world, "a")
    assert not foreign & _markers(matrix_world, "b")
    for requester in (who for who in REQUESTERS if who != ANONYMOUS and case.allows(who)):
        client, headers, token = client_for(app, matrix_world, "b", requester, case)
        for query in QUERIES.get(case.endpoint, [""]):
            response = send(client, case, url + query, headers, token)
            text = _readable(response)
            asked = unquote_plus(query)  # what was searched for is shown back in the search box
            leaked = sorted(marker for marker in foreign if marker in text and marker not in asked)
            assert leaked == [], f"{case}{query} as b's {requester} shows commune a's {leaked}"


# --- (e) an auditor changes nothing ---------------------------------------------------------------


def test_an_auditor_is_refused_every_state_changing_request(app, matrix_world):
    """Every rule of the URL map that takes POST/PUT/PATCH/DELETE, and every such operation of the
    OpenAPI document, answers an auditor with 403 and writes nothing, but for the person's own
    session and account."""
    from qms.api import openapi_document

    auditor = matrix_world["a"]["users"]["auditor"]
    page_client, _headers, token = client_for(
        app, matrix_world, "a", "auditor", Case("/", "home.index", "GET", (), None)
    )
    _token, plain = services.create_api_token(auditor, auditor, "matrix")
    db.session.commit()
    api_client = app.test_client()
    checked, own = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = rule.methods & UNSAFE
        if not methods or rule.endpoint == "static":
            continue
        case = Case(rule.rule, rule.endpoint, sorted(methods)[0], tuple(sorted(rule.arguments)), None)
        url = url_of(app, case, matrix_world, "a")
        if (
            getattr(app.view_functions[rule.endpoint], "qms_own_account", False)
            or access_of(app.view_functions[rule.endpoint]) == PUBLIC
        ):
            own.append(rule.endpoint)
            continue
        seq = head_seq()
        if case.is_api:
            response = api_client.open(url, method=case.method, json={}, headers={"Authorization": f"Bearer {plain}"})
        else:
            response = page_client.open(url, method=case.method, data={"csrf_token": token})
        assert response.status_code == 403, f"{case} as the auditor: {response.status_code}"
        assert events(after=seq) == [], f"{case} as the auditor wrote"
        checked.append(rule.endpoint)
    operations = [
        (path, method)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method.upper() in UNSAFE
    ]
    assert operations and all(
        f"api.{openapi_document()['paths'][p][m]['operationId']}" in checked for p, m in operations
    )
    # Asking for an evidence pack writes the request's own row and, once built, who exported what; it
    # changes no record, and the external auditor is exactly who needs packs (qms.evidence.views).
    packs = {"evidence.request_document_pack", "evidence.request_nc_pack", "evidence.request_audit_pack"}
    assert len(checked) > 20 and set(own) >= {"auth.logout", "auth.change_password"} | packs
