"""The nonconformities group (issue 9, point 10): the register over 10,000 NCs of one commune.

(a) the register page (GET /nc/, 50 a page), its first page and a filtered page (late dossiers that
    are overdue), signed in as the quality officer, each against the same reading in raw SQL written
    by hand (the page's 50 rows with their unit, the total, the counts per status);
(b) the API list (GET /api/v1/nonconformities, 50 a page, a staff API token), its first page and a
    page from the middle of the list (walked to with the cursor), each against the same SELECT in raw
    SQL (the 51 rows after the cursor, with their unit);
(c) one NC's page (GET /nc/<id>) with 50 events on its timeline, against its reading in raw SQL (the
    NC's row and its 50 audit events).

The 10,000 NCs are bulk-inserted through the models' tables (SQLAlchemy core): the rows the services
write for an NC at each status (its number in the commune's format for the year it was detected,
its first round, the correction, the accepted analysis, the action items and reviews it has reached;
some corrections, items and reviews past their dates, so the overdue filter finds some), but not
their audit events (the register does not read them). The NC of (c) is built through the services,
one step at a time: its 50 events are the real ones. Every response is checked before anything is
timed: the page and the API list the NCs the raw SQL lists, in the same order, and the NC page shows
its 50 steps.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Date, bindparam, func, insert, select, text

from qms.audit.models import AuditEvent
from qms.auth.services import create_api_token, create_unit
from qms.core.calendar import local_today, to_local
from qms.db import db
from qms.nonconformities import services
from qms.nonconformities.models import (
    OPEN_STATUSES,
    CauseCategory,
    Disposition,
    NcAction,
    NcReview,
    NcRound,
    NcSource,
    NcStatus,
    Nonconformity,
    ReviewResult,
    Severity,
)
from qms.nonconformities.settings import nc_settings
from tests.benchmarks.documents import _people, interleaved
from tests.benchmarks.harness import (
    PASSWORD,
    Stopwatch,
    database_kind,
    group,
    signed_in_client,
    temporary_app,
)

NCS = 10_000
QUICK_NCS = 2_000
PER_PAGE = 50
YEARS = 3  # detected over the last three years
TIMELINE_EVENTS = 50

STATUS_WEIGHTS = {
    NcStatus.closed: 60,
    NcStatus.cancelled: 4,
    NcStatus.new: 5,
    NcStatus.correction: 5,
    NcStatus.analysis: 8,
    NcStatus.action_plan: 4,
    NcStatus.actions: 9,
    NcStatus.effectiveness_review: 5,
}
SOURCE_WEIGHTS = {
    NcSource.late_dossier: 35,
    NcSource.citizen_feedback: 15,
    NcSource.internal_audit: 20,
    NcSource.staff_report: 15,
    NcSource.external_audit: 5,
    NcSource.management_review: 5,
    NcSource.other: 5,
}
SEVERITY_WEIGHTS = {Severity.major: 15, Severity.minor: 70, Severity.observation: 15}
TITLES = (
    "Hồ sơ đăng ký khai sinh trả kết quả quá hạn",
    "Thu sai phí chứng thực bản sao từ bản chính",
    "Quầy tiếp nhận dùng biểu mẫu hết hiệu lực",
    "Người dân phản ánh phải chờ lâu tại quầy tiếp nhận",
    "Hồ sơ đăng ký kết hôn thiếu Phiếu kiểm soát quá trình",
    "Giấy tiếp nhận ghi sai ngày hẹn trả kết quả",
    "Sổ theo dõi hồ sơ ghi thiếu thời gian giao nhận",
    "Chưa lập Phiếu xin lỗi cho hồ sơ quá hạn",
)
UNITS = (("VP", "Văn phòng HĐND và UBND"), ("KT", "Phòng Kinh tế"), ("VHXH", "Phòng Văn hóa - Xã hội"))
FILTER = {"source": NcSource.late_dossier.value, "overdue": "1"}  # the filtered page


# --- the 10,000 NCs ----------------------------------------------------------------------------------


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _office_moment(rng, day):
    return (
        dt.datetime.combine(day, dt.time(7, 30), dt.UTC)
        - dt.timedelta(hours=7)
        + dt.timedelta(minutes=rng.randrange(0, 9 * 60))
    )


def generate_ncs(n, commune, units, who, seed=20261206):
    """Bulk-insert `n` NCs with the rows the services write at their statuses (see the module's
    docstring); returns how many rows of each table were written."""
    rng = random.Random(seed)
    today = local_today()
    people = [who["qo1"], who["qo2"], who["leader"], who["staff"]]
    owners = [who["qo2"], who["staff"], who["leader"]]
    number_format = nc_settings(commune).number_format
    moments = sorted(_office_moment(rng, today - dt.timedelta(days=rng.randrange(1, 365 * YEARS))) for _ in range(n))
    serials = {}
    ncs, rounds, actions, reviews = [], [], [], []
    first_id = (db.session.scalar(select(func.max(Nonconformity.id))) or 0) + 1
    first_round = (db.session.scalar(select(func.max(NcRound.id))) or 0) + 1
    for i, detected_at in enumerate(moments):
        nc_id, round_id = first_id + i, first_round + i
        year = to_local(detected_at).year
        serials[year] = serial = serials.get(year, 0) + 1
        status = _weighted(rng, STATUS_WEIGHTS)
        source = _weighted(rng, SOURCE_WEIGHTS)
        severity = _weighted(rng, SEVERITY_WEIGHTS)
        if status is NcStatus.new and severity is Severity.observation:
            severity = Severity.minor  # an observation starts under analysis
        reporter = rng.choice(people)
        day = to_local(detected_at).date()
        source_ref = {
            NcSource.late_dossier: f"dossiers 000.00.21.H12-{day:%y%m%d}-{i:05d}",
            NcSource.citizen_feedback: f"feedback_items {i}",
        }.get(source)
        row = {
            "id": nc_id,
            "commune_id": commune.id,
            "number": number_format.render(year=year, serial=serial),
            "year": year,
            "serial": serial,
            "title": rng.choice(TITLES),
            "description": "Phát hiện trong quá trình giải quyết hồ sơ; chi tiết trong biên bản kèm theo.",
            "source": source,
            "source_ref": source_ref,
            "severity": severity,
            "status": status,
            "clause": rng.choice(("8.5.1", "7.5.3", "8.2.1", "9.1.3", "")),
            "unit_id": rng.choice(units).id if rng.random() < 0.9 else None,
            "procedure_id": None,
            "process_step": "",
            "document_id": None,
            "dossier_code": source_ref.split(" ", 1)[1] if source is NcSource.late_dossier else "",
            "detected_by_id": reporter.id,
            "detected_at": detected_at,
            "recorded_by_id": None if source is NcSource.late_dossier else reporter.id,
            "created_at": detected_at,
            "handler_id": None,
            "correction": "",
            "correction_by_id": None,
            "correction_due_on": None,
            "correction_done_at": None,
            "disposition": None,
            "disposition_by_id": None,
            "disposition_at": None,
            "action_needed": None,
            "no_action_reason": "",
            "round_no": 1,
            "closed_at": None,
            "closed_by_id": None,
            "risks_need_update": None,
            "documents_need_update": None,
            "documents_to_update": [],
            "cancelled_at": None,
            "cancel_reason": "",
            "reopened_count": 0,
            "row_version": 1,
        }
        round_row = {
            "id": round_id,
            "nonconformity_id": nc_id,
            "number": 1,
            "opened_at": detected_at,
            "opened_reason": "",
            "analysis_accepted_at": None,
            "analysis_accepted_by_id": None,
        }
        _reach(rng, status, row, round_row, actions, reviews, owners, who, today)
        ncs.append(row)
        rounds.append(round_row)
    for table, rows in (
        (Nonconformity.__table__, ncs),
        (NcRound.__table__, rounds),
        (NcAction.__table__, actions),
        (NcReview.__table__, reviews),
    ):
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(table), rows[start : start + 1000])
    db.session.commit()
    return {"nonconformities": len(ncs), "rounds": len(rounds), "actions": len(actions), "reviews": len(reviews)}


def _reach(rng, status, row, round_row, actions, reviews, owners, who, today):
    """Fill in what an NC at `status` has recorded, as the services would have."""
    start = row["detected_at"]
    step = dt.timedelta(days=2)
    qo = who["qo1"]
    if status is NcStatus.new:
        return
    if status is NcStatus.cancelled:
        row.update(cancelled_at=start + step, cancel_reason="Ghi nhận trùng.")
        return
    row.update(
        correction="Khắc phục ngay tại quầy, báo công dân.",
        correction_by_id=rng.choice(owners).id,
        correction_due_on=to_local(start + step).date(),
    )
    if status is NcStatus.correction:
        return
    row.update(
        correction_done_at=start + step,
        disposition=Disposition.corrected,
        disposition_by_id=qo.id,
        disposition_at=start + step,
        action_needed=True,
    )
    if status is NcStatus.analysis:
        return
    round_row.update(analysis_accepted_at=start + 2 * step, analysis_accepted_by_id=qo.id)
    if status is NcStatus.action_plan:
        return
    done = status in (NcStatus.effectiveness_review, NcStatus.closed)
    owners_of = set()
    for n in range(rng.randint(1, 3)):
        owner = rng.choice(owners)
        owners_of.add(owner.id)
        due = to_local(start + (4 + 3 * n) * step).date()
        actions.append(
            {
                "nonconformity_id": row["id"],
                "round_id": round_row["id"],
                "what": "Cập nhật hướng dẫn và tập huấn lại công chức tiếp nhận.",
                "owner_id": owner.id,
                "due_on": due,
                "created_at": start + 3 * step,
                "done_at": start + (4 + 3 * n) * step if done else None,
                "result": "Đã thực hiện." if done else "",
                "document_id": None,
                "change_request_id": None,
            }
        )
    if not done:
        return
    reviewer = next(p for p in (who["leader"], who["qo2"], who["staff"], qo) if p.id not in owners_of)
    last_done = start + (4 + 3 * 2) * step
    closed = status is NcStatus.closed
    reviews.append(
        {
            "nonconformity_id": row["id"],
            "round_id": round_row["id"],
            "planned_on": to_local(last_done + 5 * step).date(),
            "reviewer_id": reviewer.id,
            "result": ReviewResult.effective if closed else None,
            "reviewed_on": to_local(last_done + 5 * step).date() if closed else None,
            "recorded_at": last_done + 5 * step if closed else None,
            "notes": "Không tái diễn sau 3 tháng theo dõi." if closed else "",
        }
    )
    if closed:
        row.update(
            closed_at=last_done + 6 * step,
            closed_by_id=qo.id,
            risks_need_update=False,
            documents_need_update=False,
        )


# --- the same readings in raw SQL -----------------------------------------------------------------

OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
OVERDUE_SQL = f"""
    n.status IN ({OPEN}) AND (
        (n.correction_due_on < :today AND n.correction_done_at IS NULL)
        OR EXISTS (SELECT 1 FROM nc_actions a
                   WHERE a.nonconformity_id = n.id AND a.done_at IS NULL AND a.due_on < :today)
        OR EXISTS (SELECT 1 FROM nc_reviews r
                   WHERE r.nonconformity_id = n.id AND r.result IS NULL AND r.planned_on < :today))"""


def _where(filtered):
    return "n.commune_id = :commune" + (f" AND n.source = :source AND {OVERDUE_SQL}" if filtered else "")


def _sql(statement):
    return text(statement).bindparams(bindparam("today", type_=Date)) if ":today" in statement else text(statement)


def register_sql(filtered):
    """The register page's reading: its 50 rows with their unit, the total, the counts per status."""
    where = _where(filtered)
    rows = _sql(f"""
        SELECT n.id, n.number, n.title, n.status, n.source, n.severity, n.detected_at, u.name
        FROM nonconformities n LEFT JOIN units u ON u.id = n.unit_id
        WHERE {where}
        ORDER BY n.detected_at DESC, n.id DESC
        LIMIT 50 OFFSET 0""")
    total = _sql(f"SELECT count(*) FROM nonconformities n WHERE {where}")
    counts = _sql(f"SELECT n.status, count(*) FROM nonconformities n WHERE {where} GROUP BY n.status")
    return rows, total, counts


def api_sql(with_cursor):
    """The API list's reading: the 51 rows after the cursor (one more tells whether a page follows)."""
    after = " AND (n.detected_at < :moment OR (n.detected_at = :moment AND n.id < :last))" if with_cursor else ""
    return text(f"""
        SELECT n.id, n.number, n.title, n.status, n.source, n.severity, n.detected_at, u.id, u.code, u.name
        FROM nonconformities n LEFT JOIN units u ON u.id = n.unit_id
        WHERE n.commune_id = :commune{after}
        ORDER BY n.detected_at DESC, n.id DESC
        LIMIT 51""")


NC_SQL = (
    text("SELECT * FROM nonconformities WHERE id = :id"),
    text(
        "SELECT seq, occurred_at, actor_id, action, changes, reason FROM audit_events "
        "WHERE commune_id = :commune AND entity_type = 'nonconformities' AND entity_id = :entity ORDER BY seq"
    ),
)


def run_raw(statements, params):
    """Run hand-written SELECTs on one connection and fetch every row (what a page would read)."""
    with db.engine.connect() as conn:
        result = [conn.execute(s, {k: v for k, v in params.items() if f":{k}" in str(s)}).all() for s in statements]
    return result


# --- the NC with 50 events -------------------------------------------------------------------------------


def nc_with_a_long_story(commune, unit, who):
    """One NC taken through its whole story with the services, 50 steps: reported, corrected, a
    5-Whys chain and a fishbone, the analysis accepted, 12 items added and done, reviewed, closed."""
    qo, qo2, leader, staff = who["qo1"], who["qo2"], who["leader"], who["staff"]
    nc = services.report_nc(
        staff,
        commune,
        title="Hồ sơ đăng ký khai sinh trả kết quả quá hạn",
        description="Hồ sơ tiếp nhận đủ nhưng trả kết quả chậm 2 ngày.",
        unit=unit,
        clause="8.5.1",
    )
    services.record_correction(qo, nc, what="Gọi điện xin lỗi, trả kết quả ngay.", by=staff)
    services.record_correction(qo, nc, what="Gọi điện xin lỗi, trả kết quả ngay.", by=staff, done=True)
    services.record_disposition(qo, nc, disposition=Disposition.citizen_informed)
    for n in range(8):
        services.add_why(qo, nc, question=f"Vì sao ({n + 1})?", answer=f"Vì nguyên nhân thứ {n + 1}.")
    categories = list(CauseCategory)
    for n in range(10):
        services.add_cause(
            qo, nc, category=categories[n % len(categories)], description=f"Nguyên nhân {n + 1}", is_root=n == 0
        )
    services.accept_analysis(qo, nc, password=PASSWORD)
    items = [
        services.add_action(
            qo, nc, what=f"Hành động khắc phục số {n + 1}", owner=(qo2, staff)[n % 2], due_on=local_today()
        )
        for n in range(12)
    ]
    for item in items:
        services.complete_action(item.owner, item, result="Đã thực hiện.")
    review = services.plan_review(qo, nc, planned_on=local_today(), reviewer=leader)
    services.record_review(leader, review, result=ReviewResult.effective, notes="Có hiệu lực.")
    services.close_nc(qo, nc, password=PASSWORD, risks_need_update=False, documents_need_update=False)
    db.session.commit()
    events = db.session.scalar(
        select(func.count()).where(AuditEvent.entity_type == "nonconformities", AuditEvent.entity_id == str(nc.id))
    )
    if events != TIMELINE_EVENTS:
        raise RuntimeError(f"the NC has {events} events on its timeline, not {TIMELINE_EVENTS}")
    return nc


# --- the measurements ------------------------------------------------------------------------------------

NUMBER = re.compile(r"SKPH-\d{4}-\d+")


def _get(client, url, check, **kwargs):
    def get():
        response = client.get(url, **kwargs)
        if response.status_code != 200:
            raise NotMeasured(f"GET {url} answered {response.status_code}")
        return response

    check(get())
    return get


def _numbers_in_order(html):
    seen = []
    for number in NUMBER.findall(html):
        if number not in seen:
            seen.append(number)
    return seen


class NotMeasured(RuntimeError):
    """A page or endpoint that does not exist yet, or does not answer what the raw SQL reads."""


@dataclass
class World:
    app: object
    commune: object
    who: dict
    total: int  # NCs of the commune
    story: Nonconformity  # the NC with 50 events
    params: dict  # the raw SQL's parameters
    repeat: int


@group("nonconformities", "the NC register page and API list over 10,000 NCs vs raw SQL; an NC page of 50 events")
def nonconformities_group(bench):
    n = QUICK_NCS if bench.quick else NCS
    with temporary_app() as app:
        commune, unit, who = _people("XA-BENCH", "UBND xã Thử Nghiệm", ("staff", "Phạm Thị Một", "staff"))
        units = [unit] + [create_unit(None, commune, code=c, name=name) for c, name in UNITS]
        db.session.commit()
        bench.say(f"nonconformities: generating {n:,} NCs on {database_kind()} ...")
        watch = Stopwatch()
        with watch.running():
            written = generate_ncs(n, commune, units, who)
        bench.say(
            f"nonconformities: {', '.join(f'{v:,} {k}' for k, v in written.items())} written in {watch.elapsed:.1f} s"
        )
        world = World(
            app,
            commune,
            who,
            total=n + 1,
            story=nc_with_a_long_story(commune, unit, who),
            params={"commune": commune.id, "today": local_today(), "source": FILTER["source"]},
            repeat=bench.runs(5 if bench.quick else 21),
        )
        table = bench.table(f"nonconformities: {n + 1:,} NCs of one commune, {PER_PAGE} a page, on {database_kind()}")
        for section in (register_page, api_list, nc_page):
            try:
                section(world, table)
            except NotMeasured as exc:
                bench.say(f"nonconformities: not measured: {exc}")


def register_page(world, table):
    """(a) the register page, first page and filtered, against its reading in raw SQL."""
    if "nonconformities.list_ncs" not in world.app.view_functions:
        raise NotMeasured("the register page (nonconformities.list_ncs) does not exist yet")
    client = signed_in_client(world.app, "qo1")
    for label, filtered in (("first page", False), ("late dossiers, overdue", True)):
        statements = register_sql(filtered)
        rows, count, counts = run_raw(statements, world.params)
        expected, matched = [r.number for r in rows], count[0][0]
        if (not filtered and matched != world.total) or not expected or len(expected) != min(PER_PAGE, matched):
            raise RuntimeError(f"the raw SQL of the register ({label}) reads {len(expected)} of {matched}")
        url = "/nc/" + (f"?{urlencode(FILTER)}" if filtered else "")

        def check(response, expected=expected, url=url):
            if _numbers_in_order(response.get_data(as_text=True))[: len(expected)] != expected:
                raise NotMeasured(f"GET {url} does not list the NCs the raw SQL lists, in its order")

        get = _get(client, url, check)
        pages, raw = interleaved(get, lambda s=statements: run_raw(s, world.params), repeat=world.repeat)
        baseline = table.add(
            f"register, {label}: raw SQL (rows, total, counts per status)",
            raw,
            baseline="self",
            note=f"{matched:,} NCs match, {len(counts)} statuses counted",
        )
        table.add(f"register, {label}: GET {url}", pages, baseline=baseline)


def api_list(world, table):
    """(b) the API list, first page and one from the middle, against its SELECT in raw SQL."""
    if "api.list_nonconformities" not in world.app.view_functions:
        raise NotMeasured("the API list (api.list_nonconformities) does not exist yet")
    from qms.nonconformities.api.register import encode_cursor

    _token, token = create_api_token(None, world.who["staff"], "bench")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = world.app.test_client()
    middle = db.session.scalars(
        select(Nonconformity)
        .where(Nonconformity.commune_id == world.commune.id)
        .order_by(Nonconformity.detected_at.desc(), Nonconformity.id.desc())
        .offset(world.total // 2 - 1)
        .limit(1)
    ).one()
    for label, cursor_nc in (("first page", None), ("a page from the middle", middle)):
        statement = api_sql(cursor_nc is not None)
        values = dict(world.params)
        args = {"limit": PER_PAGE}
        if cursor_nc is not None:
            values.update(moment=cursor_nc.detected_at, last=cursor_nc.id)
            args["cursor"] = encode_cursor(cursor_nc)
        (rows,) = run_raw([statement], values)
        expected = [r[0] for r in rows[:PER_PAGE]]
        url = "/api/v1/nonconformities?" + urlencode(args)

        def check(response, expected=expected, url=url):
            body = response.get_json()
            if [nc["id"] for nc in body["nonconformities"]] != expected or not body["next_cursor"]:
                raise NotMeasured(f"GET {url} does not list the NCs the raw SQL lists, in its order")

        get = _get(client, url, check, headers=headers)
        pages, raw = interleaved(get, lambda s=statement, v=values: run_raw([s], v), repeat=world.repeat)
        baseline = table.add(f"API, {label}: raw SQL (51 rows with their unit)", raw, baseline="self")
        shown = "/api/v1/nonconformities?limit=50" + ("&cursor=..." if cursor_nc is not None else "")
        table.add(f"API, {label}: GET {shown}", pages, baseline=baseline)


def nc_page(world, table):
    """(c) one NC's page with 50 events on its timeline, against its reading in raw SQL."""
    if "nonconformities.show_nc" not in world.app.view_functions:
        raise NotMeasured("the NC page (nonconformities.show_nc) does not exist yet")
    story = world.story
    client = signed_in_client(world.app, "qo1")
    values = {"id": story.id, "commune": world.commune.id, "entity": str(story.id)}
    _row, events = run_raw(NC_SQL, values)
    if len(events) != TIMELINE_EVENTS:
        raise RuntimeError(f"the raw SQL reads {len(events)} events")

    def check(response):
        html = response.get_data(as_text=True)
        if story.number not in html or "Hành động khắc phục số 12" not in html:
            raise NotMeasured(f"GET /nc/{story.id} does not tell the NC's story")

    get = _get(client, f"/nc/{story.id}", check)
    pages, raw = interleaved(get, lambda: run_raw(NC_SQL, values), repeat=world.repeat)
    baseline = table.add(f"NC page: raw SQL (the NC's row, its {TIMELINE_EVENTS} events)", raw, baseline="self")
    table.add(f"NC page: GET /nc/<id>, {TIMELINE_EVENTS} events on its timeline", pages, baseline=baseline)
