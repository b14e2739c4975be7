"""End-to-end fixtures: the app served for real on a free localhost port (in a background thread, on
this test's database) and Debian's Chromium driven by Playwright."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "_screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is a test extra: make test installs it")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 and a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="qms-e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, name) saves tests/_screenshots/<module>-<parameters>-<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    prefix = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None:
        prefix += "-" + callspec.id.replace("/", "_")

    def take(page, name):
        path = SCREENSHOTS / f"{prefix}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- the demo commune, served once per test process ------------------------------------------------

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def demo_site(database_template, tmp_path_factory):
    """The demo commune (qms.demo.load_demo, with the tests' password) in a database of its own,
    served on 127.0.0.1 for the whole test process: the pages every role sees, with real data.
    Yields (base URL, app). Tests only read it (a failed sign-in or a form sent empty changes
    nothing a page shows)."""
    from qms import create_app
    from qms.core.commands import run_service
    from qms.db import db
    from qms.demo import load_demo
    from tests.conftest import BASE_CONFIG, PASSWORD

    kind, base, name, admin = database_template
    folder = tmp_path_factory.mktemp("demo-site")
    if kind == "sqlite":
        target = folder / "demo.sqlite3"
        shutil.copyfile(base, target)
        url = f"sqlite:///{target}"
    else:
        db_name = f"{name}_demo_site"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{db_name}" TEMPLATE "{name}"')
        url = base.set(database=db_name).render_as_string(hide_password=False)
    app = create_app({**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance")})
    with app.app_context():
        run_service(load_demo, PASSWORD)  # its quality officer imports process_maps/ in the story
        db.session.remove()
    import_provincial_file(app)
    check_the_sample_document_system(app)
    build_an_evidence_pack(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="qms-demo-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if kind != "sqlite":
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def build_an_evidence_pack(app):
    """The auditor's evidence pack of the demo's first audit, built as a page's request builds it:
    the pack's page has a finished pack to show."""
    from sqlalchemy import select

    from qms.audits.models import Audit
    from qms.auth.models import User
    from qms.db import db, unit_of_work
    from qms.evidence.models import SubjectKind
    from qms.evidence.runs import run_pack
    from qms.evidence.services import request_pack

    with app.app_context():
        with unit_of_work():
            auditor = db.session.scalar(select(User).where(User.username == "auditor"))
            audit_id = db.session.scalar(select(Audit.id).order_by(Audit.id).limit(1))
            pack_id = request_pack(auditor, SubjectKind.audit, audit_id).id
        assert run_pack(pack_id).status.value == "done"
        db.session.remove()


def check_the_sample_document_system(app):
    """The dry run of the sample document system (tests/fixtures/document_system), started by the
    demo's quality officer as the import page starts it and left waiting for the confirmation (no
    document changes): the import's page has a run to show."""
    import io
    import zipfile
    from pathlib import Path

    from sqlalchemy import select

    from qms.auth.models import User
    from qms.db import db, unit_of_work
    from qms.documents.imports import runs
    from qms.documents.imports.files import ZipFiles
    from qms.documents.imports.services import start_run

    sample = Path(__file__).resolve().parents[1] / "fixtures" / "document_system"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((sample / "tep").iterdir()):
            out.write(path, path.name)
    list_data, files_data = (sample / "danh-muc-tai-lieu.xlsx").read_bytes(), archive.getvalue()
    with app.app_context():
        with unit_of_work():
            officer = db.session.scalar(select(User).where(User.username == "qo"))
            files = ZipFiles("tep.zip", io.BytesIO(files_data))
            run_id = start_run(
                officer,
                officer.commune,
                list_name="danh-muc-tai-lieu.xlsx",
                list_data=list_data,
                files=files,
                files_data=files_data,
            ).id
        assert runs.check(run_id).status.value == "checked"
        db.session.remove()


def import_provincial_file(app):
    """The README's example export of the provincial one-stop system imported by the demo's staff,
    as `qms dossier import` does (some of its rows are refused): the import's report page has a run
    to show."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "dossiers" / "data" / "ho-so-mot-cua-tinh.csv"
    result = app.test_cli_runner().invoke(args=["dossier", "import", str(example), "--as", "staff"])
    # exit 1 says rows were refused (reported on stderr), not that the import failed
    assert result.exit_code in (0, 1) and isinstance(result.exception, (SystemExit, type(None))), result.output


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, as tests/e2e/package-lock.json pins it: .ci/run installs it with
    `npm ci --prefix tests/e2e`; when it is missing and npm is there, the first test process to
    need it does the same (the others wait for it)."""
    if not AXE_JS.exists() and shutil.which("npm"):
        import fcntl
        import subprocess

        with open(AXE_JS.parents[2] / ".npm-install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not AXE_JS.exists():
                subprocess.run(
                    ["npm", "ci", "--prefix", str(AXE_JS.parents[2]), "--no-audit", "--no-fund", "--silent"],
                    check=False,
                    timeout=300,
                )
    if not AXE_JS.exists():
        pytest.skip(f"{AXE_JS} is missing: run `npm ci --prefix tests/e2e` (needs npm)")
    return AXE_JS.read_text()


@pytest.fixture
def wide_page(browser):
    """A page 1366 x 900 (the common office laptop screen)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base, username, password=None):
    """Sign in through the form (the tests' password unless another is given)."""
    from tests.conftest import PASSWORD

    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password or PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")
