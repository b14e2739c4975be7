"""The pieces every benchmark group shares: a registry of groups, timing (median, ratio), goals
printed beside the figures, a readable table, a temporary app on its own database, a signed-in
test client.

A group is a function decorated with @group("name", "what it measures"); it receives a Bench and
adds rows to its table. Goals are printed as met / not met, never asserted: a benchmark informs,
the test suite decides.
"""

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

GROUPS = {}


@dataclass
class Group:
    name: str
    description: str
    run: Callable


def group(name, description):
    """Register a benchmark group: `python -m tests.benchmarks NAME` runs it."""

    def decorate(fn):
        if name in GROUPS:
            raise ValueError(f"benchmark group {name!r} is registered twice")
        GROUPS[name] = Group(name, description, fn)
        return fn

    return decorate


# --- timing ---------------------------------------------------------------------------------


def measure(fn, *, repeat, warmup=1):
    """Call fn() `warmup` times untimed, then `repeat` times; return the durations in seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples):
    return statistics.median(samples)


def ratio(value, baseline):
    return value / baseline if baseline else float("inf")


class Stopwatch:
    """Accumulates time over several timed sections (to leave untimed preparation out)."""

    def __init__(self):
        self.elapsed = 0.0

    @contextlib.contextmanager
    def running(self):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.elapsed += time.perf_counter() - start


# --- goals and the table --------------------------------------------------------------------


@dataclass
class Goal:
    """A target printed beside a figure: `text` for the reader, `met(value)` to judge it."""

    text: str
    met: Callable[[float], bool]


def at_most_times(limit):
    return Goal(f"<= {limit:g}x", lambda value: value <= limit)


def under_ms(limit):
    return Goal(f"< {limit:g} ms", lambda seconds: seconds * 1000 < limit)


def under_kb(limit):
    return Goal(f"< {limit:g} KB", lambda size: size < limit * 1024)


@dataclass
class Row:
    name: str
    samples: list
    baseline: Optional["Row"] = None  # the row this one is a ratio of (itself for a baseline)
    goal: Goal | None = None
    goal_on: str = "median"  # the goal judges the "median" (seconds) or the "ratio"
    note: str = ""

    @property
    def median(self):
        return median(self.samples)

    @property
    def ratio(self):
        return ratio(self.median, self.baseline.median) if self.baseline else None

    def verdict(self):
        if self.goal is None:
            return ""
        value = self.ratio if self.goal_on == "ratio" else self.median
        return "met" if self.goal.met(value) else "NOT MET"


@dataclass
class Figure:
    """A figure that is not a duration (a page's size in bytes): shown in the median column, judged
    by its goal, never a ratio."""

    name: str
    value: float
    text: str
    goal: Goal | None = None
    note: str = ""
    baseline = None

    def verdict(self):
        if self.goal is None:
            return ""
        return "met" if self.goal.met(self.value) else "NOT MET"


def format_seconds(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


@dataclass
class Table:
    title: str
    rows: list = field(default_factory=list)

    def add(self, name, samples, *, baseline=None, goal=None, goal_on="median", note=""):
        """Add a measurement. baseline: the Row it is a ratio of, or "self" for a baseline."""
        row = Row(name, list(samples), None, goal, goal_on, note)
        row.baseline = row if baseline == "self" else baseline
        self.rows.append(row)
        return row

    def add_figure(self, name, value, text, *, goal=None, note=""):
        """Add a figure that is not a time (see Figure)."""
        figure = Figure(name, value, text, goal, note)
        self.rows.append(figure)
        return figure

    def render(self):
        header = ("measurement", "runs", "median", "min", "ratio", "goal", "result")
        lines = [
            (r.name, "", r.text, "", "", r.goal.text if r.goal else "", r.verdict())
            if isinstance(r, Figure)
            else (
                r.name,
                str(len(r.samples)),
                format_seconds(r.median),
                format_seconds(min(r.samples)),
                "" if r.baseline is None else "baseline" if r.baseline is r else f"{r.ratio:.2f}x",
                r.goal.text if r.goal else "",
                r.verdict(),
            )
            for r in self.rows
        ]
        widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(header)]

        def aligned(cells):
            return "  ".join(
                c.rjust(w) if 0 < i < 5 else c.ljust(w)  # noqa: E731
                for i, (c, w) in enumerate(zip(cells, widths))
            ).rstrip()

        out = [self.title, aligned(header), aligned(["-" * w for w in widths])]
        out += [aligned(line) for line in lines]
        out += [f"  * {r.name.strip()}: {r.note}" for r in self.rows if r.note]
        return "\n".join(out)


class Bench:
    """What a group gets: the options of the run and the tables it fills."""

    def __init__(self, *, quick=False, repeat=None, out=sys.stdout):
        self.quick = quick
        self.repeat = repeat
        self.out = out
        self.tables = []

    def table(self, title):
        table = Table(title)
        self.tables.append(table)
        return table

    def runs(self, default):
        """Repeats for a measurement: --repeat when given, else the group's default."""
        return self.repeat or default

    def say(self, text):
        print(text, file=self.out, flush=True)


# --- a temporary app on its own database ----------------------------------------------------

BENCH_CONFIG = {
    "TESTING": True,
    "QMS_SECRET_KEY": "benchmark-secret-key-not-for-production",
    # cheap password hashing: signing in is not what the benchmarks measure
    "QMS_ARGON2_TIME_COST": 1,
    "QMS_ARGON2_MEMORY_KIB": 1024,
    "QMS_ARGON2_PARALLELISM": 1,
}
PASSWORD = "Bench-Mark-Password-42"


def database_kind():
    return "PostgreSQL" if os.environ.get("QMS_BENCH_DATABASE_URL") else "SQLite"


@contextlib.contextmanager
def _database(directory):
    """A fresh database for one run: a SQLite file in `directory`, or, when QMS_BENCH_DATABASE_URL
    names a PostgreSQL server, a new database on it (dropped afterwards)."""
    url = os.environ.get("QMS_BENCH_DATABASE_URL")
    if not url:
        yield f"sqlite:///{directory}/bench.sqlite3"
        return
    import sqlalchemy as sa

    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    base = sa.engine.make_url(url)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"qms_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def temporary_app(**overrides):
    """An app on a fresh, migrated database in a temporary instance folder; its app context is
    pushed for the duration (the caller sets up data with the services)."""
    from flask_migrate import upgrade

    from qms import create_app
    from qms.db import db
    from tests.core.support import IsolatedClient

    with tempfile.TemporaryDirectory(prefix="qms-bench-") as directory, _database(directory) as url:
        app = create_app(
            {**BENCH_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": f"{directory}/instance", **overrides}
        )
        # each request gets its own context, as in production, not the benchmark's pushed one
        app.test_client_class = IsolatedClient
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
                upgrade()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def signed_in_client(app, username, password=PASSWORD):
    """A test client signed in through the real sign-in form (CSRF token and all)."""
    from tests.conftest import login

    client = app.test_client()
    response = login(client, username, password)
    if response.status_code != 302:
        raise RuntimeError(f"signing in as {username} failed with {response.status_code}")
    return client
