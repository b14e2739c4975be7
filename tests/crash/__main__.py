"""`python -m tests.crash [--kills N] [--seed N] [--keep]` (`make crash`): the crash test.

Why: an acknowledged write must survive the process dying at any moment. The application promises
it (the unit of work commits before the answer leaves; a stored file is written to a temporary name,
synced and linked into place before its row), and this run shows it holds, checked from outside.
It kills processes, not the machine: what the operating system was handed survives, so a commit
made without waiting for the disk (a download's audit event, qms.db.relax_durability) counts as
kept here, though a power cut could lose the last few of them.

What it does:
1. a fresh temporary instance folder on SQLite: `qms db upgrade` and `qms demo load` (QMS_DEMO=1 for
   the load only); the demo password is read from <instance>/demo-password.txt;
2. gunicorn with 3 sync workers serving qms.wsgi:app (the README's production command) in a process group of its own;
3. client threads over HTTP, each signed in like a browser (GET /login for the CSRF token, POST the
   user name and password) before the first kill; a session outlives the kills. Uploaders register
   new files of documents of external origin (a one-page PDF whose text is the request id, so every
   upload has bytes of its own), downloaders fetch controlled copies of versions in force. Every
   request carries its own X-Request-ID, which the application records in the audit event's
   request_id. An upload is acknowledged when the server answers 303 to the new version's page; a
   download when it answers 200 with the file;
4. at random moments, SIGKILL to the whole process group (master and workers), 20 times; each time
   gunicorn is started again and the time from the kill until it answers GET /login is measured;
5. gunicorn stopped, the checks read the SQLite file with sqlite3 and the storage folder
   (tests/crash/checks.py): every acknowledged upload has its version, its file row, its stored file
   with the right SHA-256 and its audit event; every acknowledged download has its audit event;
   `qms audit verify --full` and `PRAGMA integrity_check` pass.

Printed: kills, acknowledged uploads and downloads, lost writes (each named), restart time median and
max, leftovers (.tmp-* files and stored files no row refers to: space, not data), the total time.
Exit 1 when a write was lost, the chain or the database is broken, or nothing was acknowledged.
Runs in under 3 minutes on a 2-core machine; never part of `make test`.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlencode

from tests.benchmarks.server import free_port, keep_cookies, multipart, with_cookies
from tests.crash import checks

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS = 3
UPLOADERS = 2
DOWNLOADERS = 2
KILLS = 20
LOAD_SECONDS = (0.8, 3.0)  # how long the load runs between answering again and the next kill
SECRET = "crash-test-secret-key-not-for-production"
UPLOADER = "qo"  # quality officer: registers files of external documents
DOWNLOADER = "staff"


# --- the client ---------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VERSION_PAGE = re.compile(r"/documents/versions/(\d+)$")
NETWORK_ERRORS = (OSError, http.client.HTTPException)


class Browser:
    """A signed-in person's browser over http.client: cookies kept, the CSRF token read from a page.
    One connection per request (sync workers close it after each answer); nothing is retried, so an
    answer is the server's answer to this very request."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = None

    def send(self, method, path, *, body=None, headers=None, request_id=None):
        headers = with_cookies(headers, self.cookies)
        headers["X-Request-ID"] = request_id or f"crash-x-{uuid.uuid4().hex[:16]}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        keep_cookies(self.cookies, response)
        return response, data

    def read_csrf(self, path):
        response, page = self.send("GET", path)
        match = CSRF.search(page.decode(errors="replace"))
        if response.status != 200 or not match:
            raise RuntimeError(f"GET {path} answered {response.status} without a CSRF token")
        return match.group(1) or match.group(2)

    def sign_in(self, username, password):
        """Sign in; self.csrf is set only once the signed-in session's token is read (a kill in between
        leaves it None, so the next step signs in again instead of posting a stale token)."""
        self.csrf, self.cookies = None, {}
        token = self.read_csrf("/login")
        body = urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        response, _data = self.send(
            "POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        if response.status not in (302, 303):
            raise RuntimeError(f"signing in as {username} answered {response.status}")
        self.csrf = self.read_csrf("/")


MESSAGE = re.compile(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>\s*([^<]+)|<h1[^>]*>\s*([^<]+)')


def page_message(page: bytes) -> str:
    """The first error message or heading of a page, to say why a request was refused."""
    match = MESSAGE.search(page.decode(errors="replace"))
    return " ".join((match.group(1) or match.group(2)).split()) if match else repr(page[:120])


def one_page_pdf(text: str) -> bytes:
    """A valid one-page PDF showing `text` (ASCII): bytes of their own for every upload."""
    content = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class Load:
    """The client threads and what the server acknowledged to them."""

    def __init__(self, port, password, upload_documents, download_versions):
        self.port, self.password = port, password
        self.upload_documents, self.download_versions = upload_documents, download_versions
        self.uploads, self.downloads = [], []  # checks.Upload / checks.Download, acknowledged
        self.refused = []  # answers that were neither an acknowledgment nor a dropped connection
        self.dropped = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.signed_in = set()  # the threads that have signed in once

    def start(self):
        for n in range(UPLOADERS):
            document_id = self.upload_documents[n % len(self.upload_documents)]
            self.threads.append(threading.Thread(target=self._run, args=(UPLOADER, self._upload, n, document_id)))
        for n in range(DOWNLOADERS):
            self.threads.append(
                threading.Thread(target=self._run, args=(DOWNLOADER, self._download, n, self.download_versions))
            )
        for thread in self.threads:
            thread.start()

    def wait_signed_in(self, timeout=300):
        """Wait until every thread has signed in once (argon2 takes its time; a session outlives the
        kills, so the threads keep working across them)."""
        deadline = time.monotonic() + timeout
        while len(self.signed_in) < len(self.threads):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(self.signed_in)} of {len(self.threads)} clients signed in")
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _run(self, username, step, n, target):
        browser = Browser(self.port)
        made = 0
        while not self.stopping.is_set():
            try:
                if browser.csrf is None:
                    browser.sign_in(username, self.password)
                    with self.lock:
                        self.signed_in.add(threading.get_ident())
                made += 1
                step(browser, n, made, target)
            except NETWORK_ERRORS:
                with self.lock:
                    self.dropped += 1
                time.sleep(0.05)  # the server is down: try again shortly
            except RuntimeError as exc:
                with self.lock:
                    self.refused.append(str(exc))
                browser.csrf = None  # sign in again
                time.sleep(0.05)

    def _upload(self, browser, n, made, document_id):
        request_id = f"crash-u{n}-{made}-{uuid.uuid4().hex[:8]}"
        data = one_page_pdf(request_id)
        fields = {"csrf_token": browser.csrf, "change_summary": f"crash test {request_id}", "reason": ""}
        body, content_type = multipart(fields, f"{request_id}.pdf", data, "application/pdf")
        response, page = browser.send(
            "POST",
            f"/documents/{document_id}/versions/new",
            body=body,
            headers={"Content-Type": content_type},
            request_id=request_id,
        )
        match = VERSION_PAGE.search(response.headers.get("Location", ""))
        if response.status == 303 and match:
            with self.lock:
                self.uploads.append(checks.Upload(request_id, int(match.group(1)), sha256(data).hexdigest()))
        else:
            raise RuntimeError(f"upload {request_id} answered {response.status}: {page_message(page)}")

    def _download(self, browser, n, made, versions):
        request_id = f"crash-d{n}-{made}-{uuid.uuid4().hex[:8]}"
        version_id = versions[made % len(versions)]
        response, data = browser.send("GET", f"/documents/versions/{version_id}/download", request_id=request_id)
        if response.status == 200 and data[:2] == b"PK" and response.headers.get("X-Request-ID") == request_id:
            with self.lock:
                self.downloads.append(checks.Download(request_id, version_id))
        else:
            raise RuntimeError(f"download {request_id} answered {response.status}: {page_message(data)}")


# --- gunicorn ---------------------------------------------------------------------------------------


class Server:
    """gunicorn in a process group of its own, so that one killpg takes the master and its workers."""

    def __init__(self, env, port, log):
        self.env, self.port, self.log = env, port, log
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "qms.wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own session and process group
        )

    def wait_answering(self, timeout=60):
        """Wait until GET /login answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: see {self.log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    connection.request("GET", "/login")
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            except NETWORK_ERRORS:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s: see {self.log.name}")

    def kill(self):
        """SIGKILL to the whole group, then reap the master (the workers are reparented and reaped
        by init)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._wait_group_gone()

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self._wait_group_gone()

    def _wait_group_gone(self, timeout=10):
        """Wait until no process of the group is alive (a zombie left to init counts as gone: its
        sockets are closed, so the port can be bound again)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and alive_in_group(self.process.pid):
            time.sleep(0.01)


def alive_in_group(pgid):
    """The processes of process group `pgid` that are not zombies (read from /proc)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            alive.append(int(stat.parent.name))
    return alive


# --- the run ------------------------------------------------------------------------------------------


def qms(env, *args, check=True):
    result = subprocess.run([str(BIN / "qms"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"qms {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def storage_folder(env):
    """QMS_STORAGE_DIR as the application resolves it (instance/files unless set)."""
    code = "from qms import create_app; print(create_app().config['QMS_STORAGE_DIR'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return Path(result.stdout.strip().splitlines()[-1])


def targets(db_path):
    """The documents of external origin (uploads) and the versions in force of the others (downloads)."""
    connection = sqlite3.connect(db_path)
    try:
        external = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM documents WHERE kind = 'external' AND status = 'active' ORDER BY id"
            )
        ]
        in_force = [
            row[0]
            for row in connection.execute(
                "SELECT v.id FROM document_versions v JOIN documents d ON d.id = v.document_id "
                "WHERE v.status = 'effective' AND d.kind IN ('form', 'procedure') ORDER BY v.id"
            )
        ]
    finally:
        connection.close()
    if len(external) < UPLOADERS or not in_force:
        raise RuntimeError("the demo has no documents to upload to or download from")
    return external[:UPLOADERS], in_force


def say(text):
    print(text, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.crash", description=__doc__.split("\n\n")[1])
    parser.add_argument("--kills", type=int, default=KILLS, help=f"kill -9's of the process group ({KILLS})")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random moments")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and print where it is")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    chance = random.Random(seed)
    began = time.monotonic()

    folder = Path(tempfile.mkdtemp(prefix="qms-crash-"))
    instance = folder / "instance"
    instance.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env.update(
        QMS_INSTANCE_PATH=str(instance),
        QMS_SECRET_KEY=SECRET,
        QMS_DATABASE_URL=f"sqlite:///{instance / 'qms.sqlite3'}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    db_path = instance / "qms.sqlite3"
    failed = True
    try:
        say(f"crash test: instance {instance}, seed {seed}")
        qms(env, "db", "upgrade")
        qms({**env, "QMS_DEMO": "1"}, "demo", "load")
        password = (instance / "demo-password.txt").read_text().strip()
        storage = storage_folder(env)
        upload_documents, download_versions = targets(db_path)
        say(f"demo loaded ({time.monotonic() - began:.0f} s); storage {storage}")

        with open(folder / "gunicorn.log", "w") as log:
            server = Server(env, free_port(), log)
            server.start()
            server.wait_answering()
            load = Load(server.port, password, upload_documents, download_versions)
            load.start()
            load.wait_signed_in()
            say(f"{UPLOADERS} uploaders and {DOWNLOADERS} downloaders signed in ({time.monotonic() - began:.0f} s)")
            restarts = []
            try:
                for kill in range(1, args.kills + 1):
                    time.sleep(chance.uniform(*LOAD_SECONDS))
                    killed_at = time.monotonic()
                    server.kill()
                    server.start()
                    server.wait_answering()
                    restarts.append(time.monotonic() - killed_at)
                    say(
                        f"kill {kill}/{args.kills}: answering again after {restarts[-1]:.2f} s; "
                        f"acknowledged so far {len(load.uploads)} uploads, {len(load.downloads)} downloads"
                    )
                time.sleep(chance.uniform(*LOAD_SECONDS))
            finally:
                load.stop()
                server.stop()

        say("checking from outside ...")
        snapshot = checks.read_snapshot(db_path)
        lost = checks.lost_writes(load.uploads, load.downloads, snapshot, checks.hash_of_stored_file(storage))
        chain = qms(env, "audit", "verify", "--full", check=False)
        integrity = checks.integrity_check(db_path)
        left = checks.leftovers(storage, snapshot.stored)
        median, longest = checks.restart_figures(restarts)

        for line in lost[:20]:
            say(f"  LOST {line}")
        say(f"kills: {len(restarts)}")
        say(f"acknowledged: {len(load.uploads)} uploads, {len(load.downloads)} downloads")
        say(f"lost writes: {len(lost)}")
        say(f"restart time: median {median:.2f} s, max {longest:.2f} s")
        say(f"leftovers: {left.temporary} .tmp-* files, {left.unreferenced} stored files no row refers to")
        say(f"audit chain: {(chain.stdout or chain.stderr).strip().splitlines()[0]}")
        say(f"integrity_check: {integrity}")
        say(
            f"other answers: {len(load.refused)} refused or unexpected, {load.dropped} dropped by the kills"
            + (f" (first: {load.refused[0][:160]})" if load.refused else "")
        )
        say(f"total time: {time.monotonic() - began:.0f} s")
        failed = bool(lost) or chain.returncode != 0 or integrity != "ok" or not (load.uploads and load.downloads)
        return 1 if failed else 0
    finally:
        if args.keep or failed:
            say(f"instance kept: {instance} (gunicorn log: {folder / 'gunicorn.log'})")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
