"""The dossiers-volume group (issue 10, section 5): a commune's ledger and its monthly on-time report
over 1,000,000 dossiers (100,000 with --quick).

(a) the data set: the dossiers of one commune received 02/01/2024 to 20/11/2026 (results by
    30/11/2026), written straight into the dossiers table with SQLAlchemy Core (one executemany of
    the values as the database stores them per transaction of CHUNK rows, on the app's own engine:
    its SQLite pragmas), in the order they were received (the indexes grow at their end), every
    NOT NULL column filled as the services fill it: the code in the commune's
    default format and the serial of its Vietnam day, the three procedures of the dossiers group
    with the process they follow, the channel (in person / online / post, about 60/30/10; online
    also on days off and at night), the effective receipt date and due date from the shipped
    calendar (the procedure's working days and cut-off hour), a status mix like a commune's history
    (most returned, some with a result waiting, being handled, refused or withdrawn) and for every
    result its time, timeliness (about one in eight late), Vietnam day and working days taken
    (counted from the effective receipt to the result's working day; no supplement pauses). The
    control sheet's lines, the audit events and ratings are not written: neither the ledger nor the
    report's counts read them. How long writing took and the database's size are printed, not
    judged. On PostgreSQL the table is vacuumed and analysed after writing, as autovacuum would
    have done by the time anyone reads it; SQLite is left as the app leaves it (no ANALYZE).
(b) the ledger page (GET /dossiers/, 50 a page, signed in as the quality officer): the first page,
    a deep page (page 500), the last page (for scale) and the first page of "late only" (?late=1),
    each against the same reading in raw SQL written by hand, measured interleaved in the same run
    (as the nonconformities group measures its register): the page's 50 rows with the process they
    follow and their holder, and the total. Every page is checked once before it is timed: it lists
    the dossiers the raw SQL lists, in its order, and their number.
(c) the monthly on-time report (qms.dossiers.monitoring.monthly) for 2025, by commune and by
    procedure, against the same aggregate in raw SQL: the two GROUP BY queries it is built from
    ((1) the dossiers received in the year by month of receipt, key and channel; (2) those with a
    result in the year by month of the result, key and timeliness, with the working days taken),
    run with the DB-API cursor and read into tuples. Goal: within 1.5x. The report also reads the
    month's ratings (a third query, on an empty table here), which the baseline does not. The
    report's totals (received, results and late results per month) are checked against the raw
    SQL's before its time counts; if the report does not exist, its rows are left out and a line
    says so.
"""

import datetime as dt
import os
import random
import re
from urllib.parse import urlencode

from sqlalchemy import Date, bindparam, select, text

from qms.auth.models import Unit
from qms.core.calendar import is_working_day, local_today
from qms.db import db
from qms.dossiers.models import Dossier
from qms.processes.models import Procedure, ProcessMapVersion
from tests.benchmarks.documents import interleaved
from tests.benchmarks.dossiers import (
    FIRST_DAY,
    LAST_DAY,
    NAMES,
    PROCEDURES,
    SURNAMES,
    VILLAGES,
    VN,
    commune_with_procedures,
)
from tests.benchmarks.harness import (
    Stopwatch,
    at_most_times,
    database_kind,
    group,
    signed_in_client,
    temporary_app,
)

ROWS = 1_000_000
QUICK_ROWS = 100_000
CHUNK = 20_000  # rows per transaction while writing the data set
PER_PAGE = 50
DEEP_PAGE = 500
YEAR = 2025  # the report's year
REPORT_GOAL = 1.5  # the report within 1.5x of its two GROUP BY queries in raw SQL
UNIT_CODE = "TN-TKQ"  # the one-stop unit of commune_with_procedures (tests.benchmarks.documents._people)
DAY_OFF_SHARE = 0.1  # a day off receives a tenth of a working day's dossiers (online only)
CHANNELS = ("in_person",) * 6 + ("online",) * 3 + ("post",)
LATE_SHARE = 0.12
ROW_ID = re.compile(r'<tr id="dossier-(\d+)"')
COUNT = re.compile(r'id="dossier-count">(\d+)\D')


# --- (a) the data set ----------------------------------------------------------------------------------


class WorkingDays:
    """The shipped calendar's working days around the data set, as a list: the n-th working day
    after another is an index away (what add_working_days and working_days_between count)."""

    def __init__(self, first, last):
        self.first = first
        self.days = []
        self.next_index = []  # by day from `first`: the index of that day, or of the next working day
        pending = 0
        day = first
        while day <= last:
            pending += 1
            if is_working_day(day):
                self.next_index += [len(self.days)] * pending
                self.days.append(day)
                pending = 0
            day += dt.timedelta(days=1)

    def index(self, day):
        """The index of `day`, or of the first working day after it."""
        return self.next_index[(day - self.first).days]


def _procedures(commune_id):
    """(procedure id, process map id, working days, cut-off) of the commune's three procedures."""
    limits = {code: (days, dt.time(15, 0) if cutoff else None) for code, _doc, days, cutoff in PROCEDURES}
    rows = db.session.execute(
        select(Procedure.id, Procedure.code, ProcessMapVersion.id)
        .join(ProcessMapVersion, ProcessMapVersion.procedure_id == Procedure.id)
        .where(Procedure.commune_id == commune_id)
        .order_by(Procedure.code)
    ).all()
    if len(rows) != len(PROCEDURES):
        raise RuntimeError(f"the commune has {len(rows)} procedures with a map, not {len(PROCEDURES)}")
    return [(procedure_id, map_id, *limits[code]) for procedure_id, code, map_id in rows]


def _days_of_receipt(n):
    """(day, how many dossiers received that day, is a working day) from FIRST_DAY to LAST_DAY: n in all,
    a day off a tenth of a working day's."""
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        days.append((day, is_working_day(day)))
        day += dt.timedelta(days=1)
    weights = [1.0 if working else DAY_OFF_SHARE for _day, working in days]
    total, cumulative, given, counts = sum(weights), 0.0, 0, []
    for (day, working), weight in zip(days, weights):
        cumulative += weight
        upto = round(cumulative * n / total)
        counts.append((day, upto - given, working))
        given = upto
    return counts


COLUMNS = (
    "commune_id",
    "code",
    "received_on",
    "serial",
    "procedure_id",
    "process_map_id",
    "unit_id",
    "channel",
    "applicant_name",
    "applicant_phone",
    "applicant_address",
    "components",
    "received_at",
    "received_by_id",
    "effective_receipt_date",
    "due_date",
    "status",
    "step_id",
    "step_started_at",
    "holder_id",
    "paused_days",
    "supplement_items",
    "refusal_reason",
    "withdraw_reason",
    "result_ready_at",
    "result_on",
    "handling_days",
    "completed_at",
    "timeliness",
    "apology_reason",
    "imported_from",
    "created_at",
)


class Stored:
    """Values as the database stores them, made once per value instead of by SQLAlchemy's bind
    processing per column of every row (which took half of the writing): on SQLite, UTC times as
    SQLAlchemy writes them ("2025-03-04 01:02:03.000000") and days in ISO; on PostgreSQL, the
    values themselves (psycopg adapts them), JSON cast in the statement."""

    def __init__(self, dialect):
        self.sqlite = dialect == "sqlite"

    def moment(self, value):
        if value is None:
            return None
        return value.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else value

    def day(self, value):
        return value.isoformat() if self.sqlite else value

    def statement(self):
        table = Dossier.__table__.name
        mark = "?" if self.sqlite else "%s"
        json_mark = mark if self.sqlite else "CAST(%s AS json)"
        marks = ", ".join(json_mark if name in ("components", "supplement_items") else mark for name in COLUMNS)
        return f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"


def generate_dossiers(n, commune, staff, seed=20261206):
    """Write `n` dossiers of `commune` (see the module's docstring), CHUNK rows a transaction, in the
    order they were received. Returns {status: count}."""
    rng = random.Random(seed)
    procedures = _procedures(commune.id)
    unit_id = db.session.scalar(select(Unit.id).where(Unit.commune_id == commune.id, Unit.code == UNIT_CODE))
    calendar = WorkingDays(FIRST_DAY - dt.timedelta(days=10), LAST_DAY + dt.timedelta(days=120))
    stored = Stored(db.engine.dialect.name)
    statement = stored.statement()
    days = [stored.day(day) for day in calendar.days]
    created = stored.moment(dt.datetime.now(dt.UTC))
    counted = dict.fromkeys(("in_progress", "result_ready", "returned", "refused", "withdrawn"), 0)
    chunk = []
    staff_id, commune_id = staff.id, commune.id

    def flush():
        with db.engine.begin() as conn:
            conn.exec_driver_sql(statement, chunk)
        chunk.clear()

    for day, count, working in _days_of_receipt(n):
        if not count:
            continue
        midnight = dt.datetime.combine(day, dt.time(0, 0), VN)
        moments = []
        for _ in range(count):
            channel = rng.choice(CHANNELS) if working else "online"
            # the desk and the post room open 7:30 to 17:00; online any time
            second = rng.randrange(86_400) if channel == "online" else 27_000 + rng.randrange(34_200)
            moments.append((second, channel))
        moments.sort()
        prefix, received_on = f"{UNIT_CODE}-{day:%y%m%d}-", stored.day(day)
        for serial, (second, channel) in enumerate(moments, start=1):
            procedure_id, map_id, limit, cutoff = procedures[rng.randrange(len(procedures))]
            local = midnight + dt.timedelta(seconds=second)
            after_cutoff = cutoff is not None and second // 60 > cutoff.hour * 60 + cutoff.minute
            effective = calendar.index(day + dt.timedelta(days=1) if after_cutoff else day)
            due = effective + limit
            received_at = local.astimezone(dt.UTC)
            received = stored.moment(received_at)
            status, step_id, holder_id, refusal, withdrawal = "returned", "sign", None, "", ""
            result_at = result_on = handling_days = completed_at = timeliness = None
            roll = rng.random()
            if roll < 0.06:
                status, step_id, holder_id = "in_progress", rng.choice(("receive", "sign")), staff_id
            elif roll < 0.11:
                status, step_id = ("refused", "receive") if roll < 0.09 else ("withdrawn", "sign")
                refusal = "Hồ sơ không đủ điều kiện" if status == "refused" else ""
                withdrawal = "Công dân xin rút hồ sơ" if status == "withdrawn" else ""
                completed_at = stored.moment(received_at + dt.timedelta(hours=rng.randint(1, 48)))
            else:
                late = rng.random() < LATE_SHARE
                done = due + rng.randint(1, 3) if late else max(due - min(limit, rng.randint(0, 1)), effective)
                result = dt.datetime.combine(calendar.days[done], dt.time(14, 0), VN) + dt.timedelta(
                    seconds=rng.randrange(10_800)
                )
                result = max(result, local + dt.timedelta(minutes=10))
                result_day = result.date()
                due_day = calendar.days[due]
                timeliness = "late" if result_day > due_day else "on_time" if result_day == due_day else "early"
                result_utc = result.astimezone(dt.UTC)
                result_at, result_on = stored.moment(result_utc), stored.day(result_day)
                handling_days = done - effective  # both working days: the index counts those between
                if roll < 0.19:  # the result waits for the citizen
                    status, holder_id = "result_ready", staff_id
                else:
                    completed_at = stored.moment(
                        result_utc + dt.timedelta(days=rng.randint(0, 3), minutes=rng.randint(1, 60))
                    )
            counted[status] += 1
            chunk.append(
                (
                    commune_id,
                    f"{prefix}{serial:03d}",
                    received_on,
                    serial,
                    procedure_id,
                    map_id,
                    unit_id,
                    channel,
                    f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}",
                    f"09{rng.randrange(10**8):08d}",
                    rng.choice(VILLAGES),
                    "[]",
                    received,
                    staff_id,
                    days[effective],
                    days[due],
                    status,
                    step_id,
                    received,
                    holder_id,
                    0,
                    "[]",
                    refusal,
                    withdrawal,
                    result_at,
                    result_on,
                    handling_days,
                    completed_at,
                    timeliness,
                    "",
                    "",
                    created,
                )
            )
            if len(chunk) >= CHUNK:
                flush()
    if chunk:
        flush()
    return counted


def database_size():
    """The database's size on disk (SQLite: the file and its write-ahead log) or on the server."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = db.engine.url.database
        return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


def _mb(size):
    return f"{size / 2**20:,.0f} MB"


# --- (b) the ledger page -----------------------------------------------------------------------------


def _ledger_where(late):
    where = "d.commune_id = :commune"
    if late:
        where += " AND (d.timeliness = 'late' OR (d.status IN ('in_progress', 'supplement') AND d.due_date < :today))"
    return where


def ledger_sql(late, offset):
    """The ledger page's reading: its 50 rows with the process they follow and their holder, and the
    total."""
    where = _ledger_where(late)
    rows = _sql(f"""
        SELECT d.id, d.code, d.received_at, d.due_date, d.status, d.step_id, d.timeliness,
               m.content, u.full_name
        FROM dossiers d
        JOIN process_maps m ON m.id = d.process_map_id
        LEFT JOIN users u ON u.id = d.holder_id
        WHERE {where}
        ORDER BY d.received_at DESC, d.id DESC
        LIMIT {PER_PAGE} OFFSET {offset}""")
    total = _sql(f"SELECT count(*) FROM dossiers d WHERE {where}")
    return rows, total


def _sql(statement):
    return text(statement).bindparams(bindparam("today", type_=Date)) if ":today" in statement else text(statement)


def run_raw(statements, params):
    """Run hand-written SELECTs on one connection and fetch every row (what the page reads)."""
    with db.engine.connect() as conn:
        return [conn.execute(s, {k: v for k, v in params.items() if f":{k}" in str(s)}).all() for s in statements]


def ledger_pages(client, commune, total, table, repeat):
    """(b) the ledger page, first, deep, last and late only, each checked, against its raw SQL."""
    params = {"commune": commune.id, "today": local_today()}
    last = -(-total // PER_PAGE)
    cases = (
        ("first page", False, 1),
        (f"page {DEEP_PAGE}", False, DEEP_PAGE),
        (f"the last page ({last:,}), for scale", False, last),
        ("late only, first page", True, 1),
    )
    for label, late, page in cases:
        statements = ledger_sql(late, (page - 1) * PER_PAGE)
        rows, ((matched,),) = run_raw(statements, params)
        expected = [row[0] for row in rows]
        if not expected or (not late and matched != total):
            raise RuntimeError(f"the raw SQL of the ledger ({label}) reads {len(expected)} of {matched}")
        args = {k: v for k, v in (("late", "1" if late else None), ("page", page if page > 1 else None)) if v}
        url = "/dossiers/" + (f"?{urlencode(args)}" if args else "")

        response = client.get(url)
        html = response.get_data(as_text=True)
        listed = [int(i) for i in ROW_ID.findall(html)]
        count = COUNT.search(html)
        if response.status_code != 200 or listed != expected or not count or int(count.group(1)) != matched:
            raise RuntimeError(
                f"GET {url} answered {response.status_code} and does not list the dossiers the raw SQL lists"
                f" ({listed[:3]}... of {count and count.group(1)}; {expected[:3]}... of {matched:,} expected)"
            )

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")

        pages, raw = interleaved(get, lambda s=statements: run_raw(s, params), repeat=repeat)
        baseline = table.add(
            f"ledger, {label}: raw SQL (50 rows with process and holder, the total)",
            raw,
            baseline="self",
            note=f"{matched:,} dossiers match" if late else "",
        )
        table.add(f"ledger, {label}: GET {url}", pages, baseline=baseline)


def explain_ledger(commune_id, late, offset):
    """The query plan of the ledger page's SELECT (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN)."""
    rows, total = ledger_sql(late, offset)
    params = {"commune": commune_id, "today": local_today()}
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    lines = []
    with db.engine.connect() as conn:
        for statement in (rows, total):
            compiled = _sql(prefix + str(statement))
            used = {k: v for k, v in params.items() if f":{k}" in str(statement)}
            lines += [" ".join(str(c) for c in row) for row in conn.execute(compiled, used)]
    return lines


# --- (c) the monthly report ---------------------------------------------------------------------------


def monthly_sql(dialect, by):
    """The report's two GROUP BY queries in raw SQL for `by` ("commune" or "procedure"), in the DB-API's
    parameter style: (received by month of receipt, key and channel; results by month of the
    result, key and timeliness, with the working days taken)."""
    key = {"commune": "d.commune_id", "procedure": "d.procedure_id"}[by]
    if dialect == "sqlite":
        mark, received, result = "?", "strftime('%Y-%m', d.received_on)", "strftime('%Y-%m', d.result_on)"
    else:
        mark, received, result = "%s", "date_trunc('month', d.received_on)", "date_trunc('month', d.result_on)"
    received_sql = f"""
        SELECT {received} AS month, {key} AS key, d.channel, count(*)
        FROM dossiers d
        WHERE d.commune_id = {mark} AND d.received_on >= {mark} AND d.received_on < {mark}
        GROUP BY 1, 2, 3"""
    results_sql = f"""
        SELECT {result} AS month, {key} AS key, d.timeliness, count(*), sum(d.handling_days)
        FROM dossiers d
        WHERE d.commune_id = {mark} AND d.timeliness IS NOT NULL AND d.result_on >= {mark} AND d.result_on < {mark}
        GROUP BY 1, 2, 3"""
    return received_sql, results_sql


def run_monthly_sql(statements, commune_id, year):
    """Both queries with the DB-API cursor (exec_driver_sql), every row read into a tuple."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if db.engine.dialect.name == "sqlite":
        start, end = start.isoformat(), end.isoformat()
    with db.engine.connect() as conn:
        return [[tuple(row) for row in conn.exec_driver_sql(s, (commune_id, start, end))] for s in statements]


def _month_number(value):
    """1..12 from what either database gives for a month: '2025-03' or a timestamp."""
    return int(value[5:7]) if isinstance(value, str) else value.month


def raw_totals(received, results):
    """{month: (received, results, late results)} from the raw SQL's two queries."""
    totals = {}

    def add(month, values):
        month = _month_number(month)
        totals[month] = tuple(a + b for a, b in zip(totals.get(month, (0, 0, 0)), values))

    for month, _key, _channel, count in received:
        add(month, (count, 0, 0))
    for month, _key, timeliness, count, _days in results:
        add(month, (0, count, count if timeliness == "late" else 0))
    return totals


def report_totals(figures):
    """{month: (received, results, late results)} from the report's Figures."""
    totals = {}
    for f in figures:
        values = (f.received, f.results, f.late)
        totals[f.month.month] = tuple(a + b for a, b in zip(totals.get(f.month.month, (0, 0, 0)), values))
    return totals


def monthly_report(commune, table, repeat, say):
    """(c) the monthly report by commune and by procedure, checked, against its two queries in raw SQL."""
    try:
        from qms.dossiers.monitoring import monthly
    except ImportError:
        say("dossiers-volume: not measured: the monthly report (qms.dossiers.monitoring.monthly) does not exist yet")
        return
    dialect = db.engine.dialect.name
    for by in ("commune", "procedure"):
        statements = monthly_sql(dialect, by)
        received, results = run_monthly_sql(statements, commune.id, YEAR)
        figures = monthly(commune.id, YEAR, by=by)
        db.session.rollback()
        expected, got = raw_totals(received, results), report_totals(figures)
        if got != expected:
            raise RuntimeError(f"monthly(by={by!r}) counts {got}, the raw SQL {expected}")

        def report(by=by):
            monthly(commune.id, YEAR, by=by)
            db.session.rollback()  # as a request ends: nothing cached in the session for the next run

        ours, raw = interleaved(report, lambda s=statements: run_monthly_sql(s, commune.id, YEAR), repeat=repeat)
        baseline = table.add(
            f"report {YEAR} by {by}: raw SQL (the two GROUP BY queries, DB-API cursor)",
            raw,
            baseline="self",
            note=f"{len(received):,} + {len(results):,} rows of groups; "
            f"{sum(done for _received, done, _late in expected.values()):,} results in {YEAR}",
        )
        table.add(
            f"report {YEAR} by {by}: monitoring.monthly(commune, {YEAR}, by={by!r})",
            ours,
            baseline=baseline,
            goal=at_most_times(REPORT_GOAL),
            goal_on="ratio",
        )


# --- the group -----------------------------------------------------------------------------------------


@group(
    "dossiers-volume",
    "1,000,000 dossiers of one commune: the ledger page (first, deep, late) and the monthly report vs raw SQL",
)
def dossiers_volume_group(bench):
    n = QUICK_ROWS if bench.quick else ROWS
    repeat = bench.runs(5)
    with temporary_app() as app:
        commune, staff = commune_with_procedures()
        bench.say(f"dossiers-volume: writing {n:,} dossiers on {database_kind()} ...")
        watch = Stopwatch()
        with watch.running():
            counted = generate_dossiers(n, commune, staff)
        if db.engine.dialect.name == "postgresql":  # what autovacuum would have done by the time anyone reads
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE dossiers")
        size = database_size()
        bench.say(
            f"dossiers-volume: {n:,} dossiers written in {watch.elapsed:.1f} s "
            f"({n / watch.elapsed:,.0f} rows/s, {CHUNK:,} a transaction); database {_mb(size)}; "
            + ", ".join(f"{count:,} {status}" for status, count in sorted(counted.items()))
        )
        table = bench.table(
            f"dossiers-volume: {n:,} dossiers of one commune (written in {watch.elapsed:.0f} s, "
            f"database {_mb(size)}), on {database_kind()}"
        )
        client = signed_in_client(app, "qo1")
        ledger_pages(client, commune, n, table, repeat)
        slow = [r for r in table.rows if r.name.startswith(f"ledger, page {DEEP_PAGE}: GET") and r.median > 2]
        if slow:
            bench.say("dossiers-volume: the deep page takes over 2 s; its plan:")
            for line in explain_ledger(commune.id, False, (DEEP_PAGE - 1) * PER_PAGE):
                bench.say(f"    {line}")
        monthly_report(commune, table, repeat, bench.say)
