"""The audit group: 1,000,000 events (100,000 with --quick), then

(a) verify_chain() against plain SHA-256 chaining of the same bytes, measured in the same run
    (goal: within 3x); beside them, for scale, the same check in one process, and the time it takes
    only to read the rows one by one;
(b) the auditor's trail through the app (test client, signed in as an auditor): the first page
    and the deepest page (reached with the cursor, a million events below the newest), unfiltered
    and filtered by action, action prefix, record type, user, record and period
    (goal: under 20 ms median on SQLite);
(c) the daily check: a checkpoint over every event, a full verification of the installation (which
    keeps the last verified state), then 1,000 new events and `qms audit verify` resuming after
    the checkpoint.

The events are bulk-inserted in large transactions (COPY on PostgreSQL); their hashes are computed
with the same canonical serialisation as record_event(), and the chain is verified before
anything is timed.
"""

import datetime as dt
import hashlib
import os
import random
import re
from urllib.parse import urlencode

from sqlalchemy import func, insert, select, update

from qms.audit.checkpoints import checkpoint_key_path, create_checkpoint, load_checkpoint_key
from qms.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from qms.audit.services import canonical_bytes, canonical_changes, event_hash
from qms.audit.verify import _COLUMNS, _SCAN_SQL, RANGE_SIZE, _worker_count, verify_chain, verify_installation
from qms.db import db
from tests.benchmarks.harness import (
    PASSWORD,
    Stopwatch,
    at_most_times,
    database_kind,
    group,
    measure,
    signed_in_client,
    temporary_app,
    under_ms,
)

FULL_SIZE = 1_000_000
QUICK_SIZE = 100_000
NEW_EVENTS = 1000  # the daily check's new events
KEY = bytes.fromhex("5a" * 32)  # the checkpoint key of the benchmark's installation
INSERT_BATCH = 20_000
TRANSACTION_ROWS = 250_000
START = dt.datetime(2025, 1, 2, 1, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=29, microseconds=123)  # a million events over about eleven months
VIETNAM = dt.timezone(dt.timedelta(hours=7))

# (action, record type, weight): a commune's everyday mix, sign-ins and downloads dominating
ACTIONS = [
    ("auth.sign_in", "users", 30),
    ("auth.sign_out", "users", 25),
    ("auth.sign_in_failed", "users", 4),
    ("document.version.submitted", "document_versions", 6),
    ("document.version.approved", "document_versions", 5),
    ("document.copy.downloaded", "document_versions", 15),
    ("document.created", "documents", 3),
    ("document.acknowledged", "documents", 8),
    ("user.updated", "users", 2),
    ("user.locale_changed", "users", 1),
    ("unit.updated", "units", 1),
]
_KINDS = [(action, entity_type) for action, entity_type, _weight in ACTIONS]
_WEIGHTS = [weight for _action, _entity_type, weight in ACTIONS]
RARE_ACTION = "user.password_reset"  # one event in 5,000: the hard case for a first page
TITLES = [
    "Quy trình cấp bản sao từ sổ gốc",
    "Hướng dẫn tiếp nhận hồ sơ một cửa",
    "Sổ tay chất lượng",
    "Biểu mẫu phiếu kiểm soát quá trình",
    "Quy trình chứng thực chữ ký",
]
_FIELDS = (
    "occurred_at",
    "commune_id",
    "actor_id",
    "actor_name",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "reason",
    "ip",
    "request_id",
)


def people():
    """Commune A (where the auditor reads) with an auditor and ten colleagues; commune B with
    three people. Made with the services, so the first events are real record_event() events,
    dated (as record_event() would date them) no later than the generated events that follow."""
    from unittest import mock

    with mock.patch("qms.audit.services.utcnow", lambda: START - dt.timedelta(days=1)):
        return _people()


def _people():
    from qms.auth.services import create_commune, create_user

    a = create_commune(None, code="XA-A", name="UBND xã Hòa Bình")
    b = create_commune(None, code="XA-B", name="UBND xã Tân Lập")
    auditor = create_user(
        None, a, username="auditor", full_name="Nguyễn Thị Kiểm", password=PASSWORD, roles=["auditor"]
    )
    staff_a = [
        create_user(None, a, username=f"a{i}", full_name=f"Trần Văn Công {i}", password=PASSWORD, roles=["staff"])
        for i in range(10)
    ]
    staff_b = [
        create_user(None, b, username=f"b{i}", full_name=f"Lê Thị Bích {i}", password=PASSWORD, roles=["staff"])
        for i in range(3)
    ]
    db.session.commit()
    return {"a": a, "b": b, "auditor": auditor, "actors_a": [auditor, *staff_a], "actors_b": staff_b}


def _content(rng, n, who):
    """The fields of the n-th generated event (all but seq, prev_hash and hash); one in a hundred
    belongs to the other commune."""
    commune, actors = (who["b"], who["actors_b"]) if n % 100 == 99 else (who["a"], who["actors_a"])
    actor = actors[rng.randrange(len(actors))]
    if n % 5000 == 2500:
        action, entity_type = RARE_ACTION, "users"
    else:
        action, entity_type = rng.choices(_KINDS, _WEIGHTS)[0]
    entity_id = str(actor.id) if entity_type == "users" else str(rng.randrange(1, 400))
    changes, reason = "{}", ""
    if action == "document.version.approved":
        changes = canonical_changes({"status": ("in_review", "approved")})
    elif action == "user.updated":
        changes = canonical_changes({"full_name": (actor.full_name, actor.full_name + " (đổi)")})
        reason = "Cập nhật theo yêu cầu của lãnh đạo"
    elif action == "document.created":
        changes = canonical_changes({"title": (None, TITLES[n % len(TITLES)])})
    return (
        START + n * STEP,
        commune.id,
        actor.id,
        actor.full_name,
        action,
        entity_type,
        entity_id,
        changes,
        reason,
        f"10.0.{n % 7}.{n % 250 + 1}",
        f"{rng.getrandbits(128):032x}",
    )


def _batches(count, who, seq, prev, seed, first):
    """Rows of `count` events after (seq, prev), INSERT_BATCH at a time, hashed as record_event()
    hashes them, the first dated as the `first`-th generated event. The last item is the new head
    (its sequence number, hash and time)."""
    rng = random.Random(seed)
    done, when = 0, None
    while done < count:
        rows = []
        for _ in range(min(INSERT_BATCH, count - done)):
            seq += 1
            content = _content(rng, first + done, who)
            when = content[0]
            digest = event_hash(canonical_bytes(seq, prev, *content))
            rows.append({"seq": seq, "prev_hash": prev, "hash": digest, **dict(zip(_FIELDS, content))})
            prev = digest
            done += 1
        yield rows
    yield seq, prev, when


def generate_events(count, who, seed=20261125, first=0):
    """Append `count` events after the current head, about TRANSACTION_ROWS per transaction, and move
    the head in the last one. SQLite: multi-row INSERTs; PostgreSQL: COPY. first: how many generated
    events came before (the new ones are dated after them)."""
    head = db.session.get(AuditChainHead, 1)
    batches = _batches(count, who, head.seq, head.hash, seed, first)
    db.session.commit()
    engine = db.engine
    columns = ["seq", "prev_hash", "hash", *_FIELDS]
    in_transaction = 0
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cursor = raw.cursor()
            for rows in batches:
                if isinstance(rows, tuple):
                    seq, prev, when = rows
                    break
                with cursor.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
                in_transaction += len(rows)
                if in_transaction >= TRANSACTION_ROWS:
                    raw.commit()
                    in_transaction = 0
            cursor.execute(
                "UPDATE audit_chain_head SET seq = %s, hash = %s, occurred_at = %s WHERE id = 1", (seq, prev, when)
            )
            raw.commit()
        else:
            raw.close()
            raw = None
            conn = engine.connect()
            try:
                for rows in batches:
                    if isinstance(rows, tuple):
                        seq, prev, when = rows
                        break
                    conn.execute(insert(AuditEvent.__table__), rows)
                    in_transaction += len(rows)
                    if in_transaction >= TRANSACTION_ROWS:
                        conn.commit()
                        in_transaction = 0
                conn.execute(
                    update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=seq, hash=prev, occurred_at=when)
                )
                conn.commit()
            finally:
                conn.close()
    finally:
        if raw is not None:
            raw.close()
    if engine.dialect.name == "postgresql":
        # what autovacuum would have done by now; SQLite is left without statistics, as an
        # installation is (nothing runs ANALYZE there)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE audit_events")
    return seq, prev


# --- (a) verification against raw chaining ---------------------------------------------------


def canonical_chunks(chunk=100_000):
    """The canonical bytes of every event, oldest first, a chunk at a time (a million of them
    never sit in memory at once), built the exact way: column types, then canonical_bytes()."""
    last = None
    while True:
        stmt = select(*_COLUMNS).order_by(AuditEvent.seq).limit(chunk)
        if last is not None:
            stmt = stmt.where(AuditEvent.seq > last)
        rows = db.session.execute(stmt).all()
        if not rows:
            return
        yield [canonical_bytes(seq, link, *content) for seq, link, *content, _stored in rows]
        last = rows[-1][0]


def raw_chaining(repeat):
    """Plain SHA-256 chaining of those bytes, already in memory: each event's bytes hashed together
    with the previous digest. Each chunk is built once (untimed) and hashed `repeat` times; returns
    one total per repeat, and the number of bytes hashed."""
    sha256 = hashlib.sha256
    watches = [Stopwatch() for _ in range(repeat)]
    digests = [GENESIS_HASH.encode()] * repeat
    volume = 0
    for payloads in canonical_chunks():
        volume += sum(map(len, payloads))
        for r, watch in enumerate(watches):
            digest = digests[r]
            with watch.running():
                for payload in payloads:
                    digest = sha256(digest + payload).digest()
            digests[r] = digest
    return [w.elapsed for w in watches], volume


def read_rows_only():
    """Only reading the rows one by one, all their columns through a raw cursor (as verify_chain() read
    them before it had the database write each event's canonical bytes): no serialising, no hashing."""
    result = db.session.connection().exec_driver_sql(_SCAN_SQL, execution_options={"yield_per": 20000})
    count = sum(1 for _row in result)
    result.close()
    db.session.commit()
    return count


# --- (b) the trail through the app -----------------------------------------------------------

ROW = re.compile(r"<tr>\s*<td>(\d+)</td>")
OLDER = re.compile(r'id="older" href="\?([^"]+)"')


def trail_cases(who, count):
    """(name, query arguments, the same filter as SQL conditions); `count` events were generated."""
    a = who["a"]
    staff = who["actors_a"][3]
    base = [AuditEvent.commune_id == a.id]
    # one Vietnam day in the first week: a million events older than the newest
    day = (START + dt.timedelta(days=3)).astimezone(VIETNAM).date()
    day_start = dt.datetime.combine(day, dt.time.min, VIETNAM)
    in_day = [AuditEvent.occurred_at >= day_start, AuditEvent.occurred_at < day_start + dt.timedelta(days=1)]
    month_start = dt.datetime(2025, 2, 1, tzinfo=VIETNAM)
    in_month = [AuditEvent.occurred_at >= month_start, AuditEvent.occurred_at < dt.datetime(2025, 3, 1, tzinfo=VIETNAM)]
    last = (START + (count - 1) * STEP).astimezone(VIETNAM).date()
    recent = last - dt.timedelta(days=29)
    in_recent = [AuditEvent.occurred_at >= dt.datetime.combine(recent, dt.time.min, VIETNAM)]
    return [
        ("no filter", {}, base),
        ("action=auth.sign_in", {"action": "auth.sign_in"}, base + [AuditEvent.action == "auth.sign_in"]),
        ("action=document.*", {"action": "document.*"}, base + [AuditEvent.action.startswith("document.")]),
        (f"action={RARE_ACTION} (1 in 5,000)", {"action": RARE_ACTION}, base + [AuditEvent.action == RARE_ACTION]),
        (
            "entity_type=document_versions",
            {"entity_type": "document_versions"},
            base + [AuditEvent.entity_type == "document_versions"],
        ),
        ("entity_type=units (1 in 100)", {"entity_type": "units"}, base + [AuditEvent.entity_type == "units"]),
        ("entity_type=communes (2 events)", {"entity_type": "communes"}, base + [AuditEvent.entity_type == "communes"]),
        ("user=one staff member", {"user": str(staff.id)}, base + [AuditEvent.actor_id == staff.id]),
        (
            "one record (type and id)",
            {"entity_type": "documents", "entity_id": "17"},
            base + [AuditEvent.entity_type == "documents", AuditEvent.entity_id == "17"],
        ),
        (f"period={day:%d/%m/%Y} (an old day)", {"from": f"{day:%d/%m/%Y}", "to": f"{day:%d/%m/%Y}"}, base + in_day),
        ("period=February 2025 (an old month)", {"from": "01/02/2025", "to": "28/02/2025"}, base + in_month),
        (f"period=from {recent:%d/%m/%Y} (the last 30 days)", {"from": f"{recent:%d/%m/%Y}"}, base + in_recent),
    ]


def page_request(client, args, expect_rows):
    """A function that GETs the trail page with `args` and checks it shows `expect_rows` events."""
    url = "/audit/?" + urlencode(args)

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        page = response.get_data(as_text=True)
        shown = len(ROW.findall(page))
        if shown != expect_rows:
            raise RuntimeError(f"{url} showed {shown} events, expected {expect_rows}")
        return page

    return get


def deepest_cursor(where, size):
    """The cursor of the page holding the oldest `size` events of a filter: the bottom of the trail."""
    oldest = db.session.scalars(select(AuditEvent.seq).where(*where).order_by(AuditEvent.seq).limit(size + 1)).all()
    return oldest[-1] if len(oldest) > size else None


@group("audit", "the audit trail: verify_chain() vs raw SHA-256 chaining; the auditor's pages")
def audit_group(bench):
    count = QUICK_SIZE if bench.quick else FULL_SIZE
    with temporary_app() as app:
        who = people()
        bench.say(f"audit: generating {count:,} events on {database_kind()} ...")
        watch = Stopwatch()
        with watch.running():
            seq, head = generate_events(count, who)
        bench.say(f"audit: {count:,} events written in {watch.elapsed:.0f} s; head at {seq:,}")
        check = verify_chain()
        if not check.ok or (check.count, check.head_hash) != (seq, head):
            raise RuntimeError(f"the generated chain does not verify: {check.as_dict()}")
        db.session.commit()

        table = bench.table(f"audit: verification of {seq:,} events on {database_kind()}")
        repeat = bench.runs(3)
        raw, volume = raw_chaining(repeat)
        baseline = table.add(
            "raw SHA-256 chaining of the same bytes",
            raw,
            baseline="self",
            note=f"{volume / 1e6:,.0f} MB of canonical bytes, in memory",
        )
        workers = verify_workers(seq)
        table.add(
            "verify_chain()",
            measure(lambda: _verified(verify_chain(), seq), repeat=repeat, warmup=0),
            baseline=baseline,
            goal=at_most_times(3),
            goal_on="ratio",
            note=f"every event, {workers} worker process{'es' if workers != 1 else ''} ({os.cpu_count()} processors)",
        )
        table.add(
            "  for scale: the same in this process alone",
            measure(lambda: _verified(verify_chain(workers=1), seq), repeat=repeat, warmup=0),
            baseline=baseline,
        )
        table.add(
            "  for scale: only reading the rows one by one",
            measure(read_rows_only, repeat=repeat, warmup=0),
            baseline=baseline,
            note="every column of every row through a raw cursor, fetched and dropped: "
            "the floor for a verification that serialises the events in Python",
        )

        client = signed_in_client(app, "auditor")
        size = app.config["QMS_AUDIT_PAGE_SIZE"]
        goal = under_ms(20) if database_kind() == "SQLite" else None
        pages = bench.table(
            f"audit: the trail page through the app, {seq:,} events, {size} per page, signed in as an auditor"
        )
        page_repeat = bench.runs(25)
        for name, args, where in trail_cases(who, count):
            total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where))
            first = page_request(client, args, min(size, total))
            pages.add(
                f"first page, {name}",
                measure(first, repeat=page_repeat, warmup=2),
                goal=goal,
                note=f"{total:,} matching event{'s' if total != 1 else ''}" if total <= size else "",
            )
            cursor = deepest_cursor(where, size)
            if cursor is None:
                continue
            older = OLDER.search(first())
            if older is None or "before=" not in older.group(1):
                raise RuntimeError(f"the first page of {name} has no 'older' link")
            deep = page_request(client, {**args, "before": cursor}, size)
            pages.add(
                f"deepest page, {name}",
                measure(deep, repeat=page_repeat, warmup=2),
                goal=goal,
                note=f"{total:,} matching events; before={cursor:,}, {seq - cursor:,} events newer",
            )
        db.session.commit()

        daily_check(bench, app, who, count)


def daily_check(bench, app, who, count):
    """(c): a checkpoint over the whole chain and a full verification of the installation, then
    NEW_EVENTS more events and the resumed check a daily job runs."""
    instance = app.instance_path
    checkpoint_key_path(instance).write_text(KEY.hex())
    seq = create_checkpoint(load_checkpoint_key(instance), instance).seq  # the pages' sign-in came after the million
    db.session.commit()
    table = bench.table(f"audit: the daily check on {database_kind()}, with a checkpoint at event {seq:,}")
    full = table.add(
        "verify_installation(), every event",
        measure(lambda: _verified(verify_installation(instance), seq), repeat=bench.runs(3), warmup=0),
        note="with the checkpoint's evidence for every event, its signature and the journal; "
        "keeps the checkpoint as the last verified state",
    )
    new_seq, _head = generate_events(NEW_EVENTS, who, seed=20261206, first=count)
    db.session.commit()

    def resumed():
        result = verify_installation(instance, resume=True)
        if not result.ok or result.count != new_seq or result.resumed_from != seq:
            raise RuntimeError(f"the resumed check did not resume after {seq}: {result.as_dict()}")

    table.add(
        f"verify_installation(resume=True), {NEW_EVENTS:,} new events",
        measure(resumed, repeat=bench.runs(25), warmup=1),
        baseline=full,
        note=f"what `qms audit verify` does each day: events {seq + 1:,}..{new_seq:,} replayed, "
        "the rest vouched for by the last verified state",
    )


def verify_workers(seq):
    """How many processes verify_chain() shares `seq` events between on this machine."""
    ranges = [(first, min(first + RANGE_SIZE - 1, seq)) for first in range(1, seq + 1, RANGE_SIZE)]
    return _worker_count(None, ranges)


def _verified(result, seq):
    if not result.ok or result.count != seq:
        raise RuntimeError(f"verify_chain() failed on the generated chain: {result.as_dict()}")
