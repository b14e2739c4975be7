"""The server group (issue 14, point 8): the app under gunicorn, as in production, under load.

gunicorn runs `--workers 3` sync workers (the README's production command, with the worker class it
leaves at gunicorn's default) on a temporary instance folder and SQLite database, with the production
argon2 parameters. A load generator in this process keeps 4 connections busy (threads with
http.client; a sync worker closes the connection after each answer, so each request connects anew,
as it would behind a proxy that does not pool) for a few seconds per measurement, in rounds whose
order rotates:

(a) the baseline: the same 50 KB .docx sent by the app as a static file (Flask's /static/ route,
    pointed at a temporary folder by bench_app(); no sign-in, no database);
(b) an authenticated request that does next to nothing: GET /api/v1/me with a staff API token;
(c) the stamped download through the API: GET /api/v1/documents/BM-01-QT-01/current/download;
(d) a 10-item document list through the API: GET /api/v1/documents?per_page=10 (staff);
(e) (c) again while one more client signs in a loop: the author uploads a draft (API) and submits
    it, the leader signs it reviewed, the second quality officer signs it approved (web forms,
    with the password, as people do), over and over.

Reported: requests per second (median over the rounds), the ratio to (a), p50 and p99 latencies over
all rounds and p99/p50, the resident memory of each worker when it has just started and after the
load (VmRSS in /proc), and the downloads' p99 while signing against their p99 without. Goals:
(c) at least 1/5 of (a), (d) at least 1/4, p99 within 4x p50, at most 100 MB per worker. Every
answer is checked (status, size, the stamp's zip signature, the JSON's 10 items).
"""

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks.harness import PASSWORD, database_kind, group, temporary_app

WORKERS = 3
CONNECTIONS = 4
STATIC_NAME = "form.docx"
PRODUCTION_ARGON2 = {"QMS_ARGON2_TIME_COST": 3, "QMS_ARGON2_MEMORY_KIB": 65536, "QMS_ARGON2_PARALLELISM": 4}
SECRET = "benchmark-secret-key-not-for-production"
RSS_LIMIT_MB = 100


def bench_app():
    """What gunicorn serves: the real application, whose static folder is the bench's temporary one
    (so /static/form.docx is the same bytes as the stored form). No route is added."""
    from qms import create_app

    app = create_app()
    app.static_folder = os.environ["QMS_BENCH_STATIC"]
    return app


# --- the load generator -----------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Load:
    """What one measurement gave: requests answered, seconds, each request's latency."""

    count: int
    seconds: float
    latencies: list

    @property
    def per_second(self):
        return self.count / self.seconds


class Connection:
    """One client connection: reconnects when the server closed it (sync workers always do)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def send(self, request):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(request.method, request.path, body=request.body, headers=request.headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            return response, data
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_load(port, request, check, seconds, connections=CONNECTIONS):
    """Keep `connections` connections sending `request` for `seconds`; every answer goes through
    check(response, data), which raises when it is wrong."""
    stop_at = time.perf_counter() + seconds
    latencies = [[] for _ in range(connections)]
    errors = []

    def worker(mine):
        connection = Connection(port)
        try:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                response, data = connection.send(request)
                mine.append(time.perf_counter() - start)
                check(response, data)
        except Exception as exc:  # reported after the threads end
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(latencies[n],)) for n in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{request.method} {request.path}: {errors[0]!r}") from errors[0]
    pooled = [x for mine in latencies for x in mine]
    return Load(len(pooled), elapsed, pooled)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- a browser-like client for the signing loop -----------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COOKIE = re.compile(r"^([^=;\s]+)=([^;]*)")


def with_cookies(headers, cookies) -> dict:
    """`headers` (a copy) with the Cookie header a browser would send for `cookies`."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return headers


def keep_cookies(cookies, response):
    """Remember in `cookies` what the response's Set-Cookie headers set."""
    for value in response.headers.get_all("Set-Cookie") or ():
        match = COOKIE.match(value)
        if match:
            cookies[match.group(1)] = match.group(2)


class WebClient:
    """A signed-in person's browser: cookies kept, CSRF token read from a page."""

    def __init__(self, port):
        self.connection = Connection(port)
        self.cookies = {}
        self.csrf = None

    def _send(self, method, path, body=None, headers=None):
        headers = with_cookies(headers, self.cookies)
        response, data = self.connection.send(Request(method, path, headers, body))
        keep_cookies(self.cookies, response)
        return response, data

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, fields):
        from urllib.parse import urlencode

        body = urlencode({**fields, "csrf_token": self.csrf}).encode()
        return self._send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, username, password=PASSWORD):
        _response, page = self.get("/login")
        self.csrf = CSRF.search(page.decode()).group(1)
        response, _data = self.post("/login", {"username": username, "password": password})
        if response.status not in (302, 303):
            raise RuntimeError(f"signing in as {username} answered {response.status}")
        _response, page = self.get("/")
        self.csrf = CSRF.search(page.decode()).group(1)  # the signed-in session's token
        return self


def multipart(fields, filename, data, media_type):
    boundary = "qmsbench7d1f0c"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class SigningLoop:
    """Draft (API upload), submit, review and approve (web, with the password), in a loop run by
    start() in a thread of its own until stop()."""

    def __init__(self, port, code, author_token, data, filename, media_type):
        self.code, self.data, self.filename, self.media_type = code, data, filename, media_type
        self.author_token = author_token
        self.author = WebClient(port).sign_in("qo1")
        self.reviewer = WebClient(port).sign_in("leader")
        self.approver = WebClient(port).sign_in("qo2")
        self.api = Connection(port)
        self.made = 0
        self._reset()

    def _reset(self):
        self.stopping = threading.Event()
        self.signatures = []  # latency of each signed request (review, approve)
        self.cycles = 0
        self.error = None
        self.thread = None

    def cycle(self):
        self.made += 1
        body, content_type = multipart(
            {"change_summary": f"Sửa đổi lần {self.made}"}, self.filename, self.data, self.media_type
        )
        response, data = self.api.send(
            Request(
                "POST",
                f"/api/v1/documents/{self.code}/versions",
                {"Authorization": f"Bearer {self.author_token}", "Content-Type": content_type},
                body,
            )
        )
        if response.status != 201:
            raise RuntimeError(f"upload answered {response.status}: {data[:300]!r}")
        version_id = json.loads(data)["id"]
        for client, action, fields in (
            (self.author, "submit", {}),
            (self.reviewer, "review", {"password": PASSWORD, "comment": ""}),
            (self.approver, "approve", {"password": PASSWORD, "effective_date": "", "comment": ""}),
        ):
            start = time.perf_counter()
            response, data = client.post(f"/documents/versions/{version_id}/{action}", fields)
            if action != "submit":
                self.signatures.append(time.perf_counter() - start)
            if response.status != 303:
                raise RuntimeError(f"{action} of version {version_id} answered {response.status}")
        self.cycles += 1

    def _run(self):
        try:
            while not self.stopping.is_set():
                self.cycle()
        except Exception as exc:
            self.error = exc

    def start(self):
        self._reset()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self):
        """Stop after the cycle under way; returns (signed request latencies, cycles)."""
        self.stopping.set()
        self.thread.join()
        if self.error is not None:
            raise RuntimeError(f"the signing loop failed: {self.error!r}") from self.error
        return self.signatures, self.cycles


# --- gunicorn -----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, *, instance, database_url, static):
        self.port = free_port()
        env = {
            **os.environ,
            "QMS_SECRET_KEY": SECRET,
            "QMS_DATABASE_URL": database_url,
            "QMS_INSTANCE_PATH": instance,
            "QMS_BENCH_STATIC": static,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for key in PRODUCTION_ARGON2:
            env.pop(key, None)  # the production defaults
        self.log = open(Path(instance) / "gunicorn.log", "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "tests.benchmarks.server:bench_app()",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: see {self.log.name}")
            if len(self.workers()) == WORKERS:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        pass
                    # every worker has imported the app once it answers; give the others a moment
                    time.sleep(1.0)
                    return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def workers(self):
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def rss_mb(self):
        """VmRSS of each worker, in MB."""
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def settled_rss_mb(self, timeout=15):
        """VmRSS of each worker once none has grown for a second (each has imported the app)."""
        deadline = time.monotonic() + timeout
        last = self.rss_mb()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.rss_mb()
            if len(now) == len(last) == WORKERS and all(abs(a - b) < 0.5 for a, b in zip(now, last)):
                return now
            last = now
        return last

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- the data -----------------------------------------------------------------------------------


@dataclass
class World:
    staff_token: str
    author_token: str
    form_code: str
    form_bytes: bytes
    signing_code: str
    signing_bytes: bytes


def build_world(app, static):
    """A commune, its people (production password hashes), the 50 KB .docx form in force, ten more
    documents in force for the list, and the form the signing loop revises; API tokens for staff and
    the author. The form's bytes are copied to the static folder."""
    from qms.auth.services import create_api_token
    from qms.db import db
    from qms.documents import services
    from tests.benchmarks.documents import _effective, _people, _sized, form_docx, generate_forms

    commune, unit, who = _people("XA-HB", "UBND xã Hòa Bình", ("staff", "Phạm Thị Một Cửa", "staff"))
    author, reviewer, approver = who["qo1"], who["leader"], who["qo2"]
    procedure = services.create_document(
        author, commune, code="QT-01", title="Quy trình đăng ký khai sinh", kind="procedure", owning_unit=unit
    )
    _effective(author, reviewer, approver, procedure, "Quy trình đăng ký khai sinh.docx", form_docx(5))
    form = _sized(form_docx)
    made = {}
    for code, title, data in (
        ("BM-01-QT-01", "Tờ khai đăng ký khai sinh", form),
        ("BM-02-QT-01", "Phiếu tiếp nhận hồ sơ đăng ký khai sinh", form_docx(5)),
    ):
        document = services.create_document(
            author, commune, code=code, title=title, kind="form", parent=procedure, owning_unit=unit
        )
        _effective(author, reviewer, approver, document, f"{title}.docx", data)
        made[code] = data
    generate_forms(2, commune, unit, who)  # ten more documents in force (bulk-inserted)
    _token, staff_token = create_api_token(None, who["staff"], "bench")
    _token, author_token = create_api_token(None, author, "bench")
    db.session.commit()
    db.session.remove()
    Path(static, STATIC_NAME).write_bytes(form)
    return World(staff_token, author_token, "BM-01-QT-01", form, "BM-02-QT-01", made["BM-02-QT-01"])


# --- the figures ----------------------------------------------------------------------------------


@dataclass
class Measured:
    name: str
    loads: list
    ratio_goal: float | None = None  # at least this share of the baseline's requests per second
    p99_goal: float | None = 4.0  # p99 within this many times p50

    @property
    def per_second(self):
        return statistics.median(load.per_second for load in self.loads)

    @property
    def latencies(self):
        return [x for load in self.loads for x in load.latencies]

    def p(self, q):
        return percentile(self.latencies, q)


def _ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def _verdict(ok):
    return "met" if ok else "NOT MET"


class ServerTable:
    """The group's table: requests per second, ratio to the baseline, latencies, and each goal."""

    def __init__(self, title):
        self.title = title
        self.rows = []  # Measured
        self.lines = []  # further figures: (text, goal, result)
        self.notes = []

    def render(self):
        baseline = self.rows[0]
        header = ("measurement", "runs", "req/s", "vs (a)", "p50", "p99", "p99/p50", "goals")
        lines = []
        for row in self.rows:
            share = row.per_second / baseline.per_second
            spread = row.p(99) / row.p(50)
            goals = []
            if row.ratio_goal is not None:
                goals.append(f">= {row.ratio_goal:.2f} of (a): {_verdict(share >= row.ratio_goal)}")
            if row.p99_goal is not None:
                goals.append(f"p99 <= {row.p99_goal:g}x p50: {_verdict(spread <= row.p99_goal)}")
            lines.append(
                (
                    row.name,
                    str(len(row.loads)),
                    f"{row.per_second:,.0f}",
                    "baseline" if row is baseline else f"{share:.2f} (1/{1 / share:.1f})",
                    _ms(row.p(50)),
                    _ms(row.p(99)),
                    f"{spread:.1f}x",
                    "; ".join(goals),
                )
            )
        widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(header)]

        def aligned(cells):
            return "  ".join(c.rjust(w) if 0 < i < 7 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        out = [self.title, aligned(header).rstrip(), aligned(["-" * w for w in widths]).rstrip()]
        out += [aligned(line).rstrip() for line in lines]
        out += [f"{text}{f'  [{goal}: {result}]' if goal else ''}" for text, goal, result in self.lines]
        out += [f"  * {note}" for note in self.notes]
        return "\n".join(out)


@group("server", "the app under gunicorn (3 workers, 4 connections): static send vs API download, list, signing")
def server_group(bench):
    seconds = 1.0 if bench.quick else 3.0
    rounds = bench.runs(2 if bench.quick else 5)
    with temporary_app(**PRODUCTION_ARGON2) as app:
        instance = app.instance_path
        static = Path(instance).parent / "static"
        static.mkdir()
        bench.say("server: building the data (production password hashes) ...")
        world = build_world(app, str(static))
        server = Gunicorn(instance=instance, database_url=app.config["SQLALCHEMY_DATABASE_URI"], static=str(static))
        try:
            fresh = server.settled_rss_mb()
            _measure(bench, server, world, seconds, rounds, fresh)
        finally:
            server.stop()


def _measure(bench, server, world, seconds, rounds, fresh):
    port = server.port
    staff = {"Authorization": f"Bearer {world.staff_token}"}
    size = len(world.form_bytes)

    def ok_static(response, data):
        if response.status != 200 or data != world.form_bytes:
            raise RuntimeError(f"static answered {response.status} with {len(data):,} bytes")

    def ok_me(response, data):
        if response.status != 200 or b'"username":"staff"' not in data.replace(b" ", b""):
            raise RuntimeError(f"/me answered {response.status}: {data[:200]!r}")

    def ok_download(response, data):
        if response.status != 200 or data[:2] != b"PK" or len(data) < size * 0.8:
            raise RuntimeError(f"download answered {response.status} with {len(data):,} bytes: {data[:200]!r}")

    def ok_list(response, data):
        if response.status != 200 or len(json.loads(data)["documents"]) != 10:
            raise RuntimeError(f"list answered {response.status}: {data[:200]!r}")

    download = Request("GET", f"/api/v1/documents/{world.form_code}/current/download", staff)
    scenarios = [
        ("(a) GET /static/form.docx: the same .docx as a static file (no sign-in, no DB)",
         Request("GET", f"/static/{STATIC_NAME}"), ok_static, None),
        ("(b) GET /api/v1/me: authenticated, does next to nothing", Request("GET", "/api/v1/me", staff), ok_me, None),
        ("(c) GET /api/v1/documents/BM-01-QT-01/current/download: stamped", download, ok_download, 0.20),
        ("(d) GET /api/v1/documents?per_page=10: 10-item list", Request("GET", "/api/v1/documents?per_page=10", staff),
         ok_list, 0.25),
    ]  # fmt: skip
    measured = [Measured(name, [], goal) for name, _r, _c, goal in scenarios]
    signing = Measured("(e) (c) while one more client signs reviews and approvals in a loop", [], None)

    bench.say(f"server: gunicorn pid {server.process.pid}, workers {server.workers()}, warming up ...")
    for _name, request, check, _goal in scenarios:
        run_load(port, request, check, min(seconds, 1.0))
    loop = SigningLoop(
        port,
        world.signing_code,
        world.author_token,
        world.signing_bytes,
        "Phiếu tiếp nhận.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    loop.cycle()  # the signing path works, and is warm
    signed, cycles = [], 0
    for n in range(rounds):
        order = list(range(len(scenarios)))
        order = order[n % len(order) :] + order[: n % len(order)]
        for index in order:
            _name, request, check, _goal = scenarios[index]
            measured[index].loads.append(run_load(port, request, check, seconds))
        loop.start()
        try:
            signing.loads.append(run_load(port, download, ok_download, seconds))
        finally:
            latencies, done = loop.stop()
        signed, cycles = signed + latencies, cycles + done
        bench.say(
            f"server: round {n + 1}/{rounds}: "
            + ", ".join(f"{m.loads[-1].per_second:,.0f}" for m in [*measured, signing])
            + " req/s"
        )
    after = server.rss_mb()

    table = ServerTable(
        f"server: gunicorn, {WORKERS} sync workers, {CONNECTIONS} connections, {seconds:g} s x {rounds} rounds, "
        f"on {database_kind()}"
    )
    bench.tables.append(table)
    table.rows = [*measured, signing]
    plain = measured[2]
    table.lines.append(
        (
            f"downloads' p99 while signing: {_ms(signing.p(99))}, without: {_ms(plain.p(99))} "
            f"({signing.p(99) / plain.p(99):.1f}x); p99 within 4x the p50 without signing",
            f"<= {_ms(4 * plain.p(50))}",
            _verdict(signing.p(99) <= 4 * plain.p(50)),
        )
    )
    table.lines.append(
        (
            f"signed requests during (e): {len(signed)} ({cycles} cycles), "
            f"median {_ms(statistics.median(signed))}, max {_ms(max(signed))}"
            if signed
            else "no signature during (e)",
            "",
            "",
        )
    )
    table.lines.append(
        (
            "resident memory per worker: fresh " + ", ".join(f"{mb:.0f}" for mb in fresh) + " MB; after the load "
            + ", ".join(f"{mb:.0f}" for mb in after) + " MB",
            f"<= {RSS_LIMIT_MB} MB after the load",
            _verdict(bool(after) and max(after) <= RSS_LIMIT_MB),
        )
    )  # fmt: skip
    table.notes.append(
        "req/s: median over the rounds; p50/p99: every request of every round; (e) downloads as in (c), "
        "with a draft uploaded (API), submitted, reviewed and approved (web forms, production argon2) in a loop"
    )
