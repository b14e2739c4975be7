"""Monitoring the one-stop shop: the figures per month, procedure and field (received, online,
results early / on time / late, working days taken, ratings), the quality officer's targets, a month
below its on-time target taken up as a nonconformity with one signed action, the page with its
charts, and its workbook."""

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from qms.auth.models import LoginAttempt
from qms.auth.services import create_api_token
from qms.db import DomainError, db
from qms.dossiers import monitoring
from qms.dossiers.models import Dossier, Indicator, MonitoringTarget, MonthShortfall, Rating, RatingChannel
from qms.dossiers.services.monitoring import set_targets, take_up_shortfall
from qms.dossiers.services.rating import rate_dossier
from qms.nonconformities.models import NcSource, Nonconformity
from qms.nonconformities.services import find_opened_from
from qms.signatures.services import signatures_of, verify
from tests.conftest import PASSWORD, csrf_token
from tests.core.support import IsolatedClient, events, signed_in_client
from tests.dossiers.conftest import vn
from tests.dossiers.rating_support import walk_to_return

# 2.000884 signature certification: 2 working days. Received Monday 02/11/2026 at 09:00: due
# Wednesday 04/11 (the day of receipt is not counted).
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)


@pytest.fixture
def client_class():
    return IsolatedClient


@pytest.fixture
def november(receive, catalogue):
    """November 2026: four dossiers of 2.000884 (one online), results early (Tue 03/11), on time
    (Wed 04/11), late (Thu 05/11, an NC opened at once); one still being handled. One birth
    registration (1.001193, same day) received online on 09/11 and returned that day."""
    made = []
    for when, result in (
        (vn(2026, 11, 2, 9, 0), vn(2026, 11, 3, 10, 0)),
        (vn(2026, 11, 2, 9, 5), vn(2026, 11, 4, 10, 0)),
        (vn(2026, 11, 2, 9, 10), vn(2026, 11, 5, 10, 0)),
    ):
        dossier = receive(when, channel="online" if not made else "in_person")
        made.append(walk_to_return(dossier, catalogue, catalogue.staff, result))
    made.append(receive(vn(2026, 11, 2, 9, 15)))
    birth = receive(vn(2026, 11, 9, 8, 0), code="1.001193", channel="online")
    made.append(walk_to_return(birth, catalogue, catalogue.staff, vn(2026, 11, 9, 14, 0)))
    return made


def test_a_result_records_its_day_and_the_working_days_it_took(november):
    early, on_time, late, _open, birth = november
    assert (early.result_on, early.handling_days, early.timeliness.value) == (dt.date(2026, 11, 3), 1, "early")
    assert (on_time.result_on, on_time.handling_days, on_time.timeliness.value) == (dt.date(2026, 11, 4), 2, "on_time")
    assert (late.result_on, late.handling_days, late.timeliness.value) == (dt.date(2026, 11, 5), 3, "late")
    assert (birth.result_on, birth.handling_days, birth.timeliness.value) == (dt.date(2026, 11, 9), 0, "on_time")


def test_the_months_figures_count_receipts_results_and_their_timeliness(november, catalogue):
    rows = monitoring.monthly(catalogue.commune.id, 2026)
    assert [row.month for row in rows] == [NOV]
    month = rows[0]
    assert (month.received, month.online, month.results) == (5, 2, 4)
    assert (month.early, month.on_time, month.late) == (1, 2, 1)
    assert month.on_time_rate == 75.0
    assert month.online_share == 40.0
    assert month.average_days == 6 / 4
    assert month.satisfied_share is None  # nobody rated
    assert monitoring.monthly(catalogue.commune.id, 2025) == []


def test_the_figures_equal_the_dossiers_counted_one_by_one(november, catalogue):
    dossiers = db.session.scalars(select(Dossier).where(Dossier.commune_id == catalogue.commune.id)).all()
    per_procedure = {row.key: row for row in monitoring.monthly(catalogue.commune.id, 2026, by="procedure")}
    for procedure_id, row in per_procedure.items():
        mine = [d for d in dossiers if d.procedure_id == procedure_id]
        assert row.received == len(mine)
        assert row.results == sum(1 for d in mine if d.timeliness is not None)
        assert row.late == sum(1 for d in mine if d.timeliness is not None and d.timeliness.value == "late")
        assert row.handling_days == sum(d.handling_days or 0 for d in mine)
    assert sum(r.received for r in per_procedure.values()) == len(dossiers)


def test_a_result_counts_in_the_month_it_was_ready_and_a_receipt_in_the_month_received(receive, catalogue):
    dossier = receive(vn(2026, 11, 30, 9, 0))  # Monday 30/11, due Wednesday 02/12
    walk_to_return(dossier, catalogue, catalogue.staff, vn(2026, 12, 1, 9, 0))
    months = {row.month: row for row in monitoring.monthly(catalogue.commune.id, 2026)}
    assert (months[NOV].received, months[NOV].results) == (1, 0)
    assert (months[DEC].received, months[DEC].results, months[DEC].early) == (0, 1, 1)


def test_ratings_stand_beside_the_months_figures(november, catalogue):
    early, on_time, *_ = november
    rate_dossier(catalogue.staff, early, Rating.very_satisfied, "", via=RatingChannel.desk)
    rate_dossier(catalogue.staff, on_time, Rating.neutral, "", via=RatingChannel.desk)
    db.session.commit()
    report = monitoring.report(catalogue.commune.id, 2026, _entries(catalogue))
    rated = [m for m in report.months if m.ratings]
    assert len(rated) == 1 and (rated[0].ratings, rated[0].satisfied, rated[0].satisfied_share) == (2, 1, 50.0)


def _entries(catalogue):
    from qms.dossiers import queries

    return queries.procedures(catalogue.commune.id)


def test_the_report_sums_per_procedure_and_per_field_and_filters(november, catalogue):
    report = monitoring.report(catalogue.commune.id, 2026, _entries(catalogue), today=dt.date(2026, 12, 6))
    names = dict(report.procedures)
    signature = next(f for name, f in report.procedures if "2.000884" in name)
    assert (signature.received, signature.results, signature.late) == (4, 3, 1)
    assert dict(report.fields)["Hộ tịch"].received == 1
    assert report.total.received == 5 and len(names) == 2
    assert [m.month.month for m in report.months] == list(range(1, 13))
    assert report.begun[-1] == DEC
    birth_id = next(e.procedure.id for e in _entries(catalogue) if e.code == "1.001193")
    filtered = monitoring.report(catalogue.commune.id, 2026, _entries(catalogue), procedure_ids=[birth_id])
    assert filtered.filtered and filtered.total.received == 1 and filtered.total.on_time_rate == 100.0


# --- targets ---------------------------------------------------------------------------------------


def test_only_the_quality_officer_sets_the_targets(catalogue):
    for user in (catalogue.leader, catalogue.staff, catalogue.auditor, catalogue.other_qo):
        with pytest.raises(DomainError) as refused:
            set_targets(user, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
        assert refused.value.code == "forbidden"
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MonitoringTarget)) == 0


def test_targets_are_set_changed_and_removed_each_in_the_trail(catalogue):
    assert (
        set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95, Indicator.handling_days: 2.5})
        == 2
    )
    db.session.commit()
    assert monitoring.targets(catalogue.commune.id, 2026) == {
        Indicator.on_time_rate: 95.0,
        Indicator.handling_days: 2.5,
    }
    assert set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95}) == 0  # unchanged
    assert (
        set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 98, Indicator.handling_days: None})
        == 2
    )
    db.session.commit()
    assert monitoring.targets(catalogue.commune.id, 2026) == {Indicator.on_time_rate: 98.0}
    recorded = [(e["action"], e["changes"].get("target")) for e in events() if e["action"].startswith("dossier.target")]
    assert recorded == [
        ("dossier.target_set", [None, 95.0]),
        ("dossier.target_set", [None, 2.5]),
        ("dossier.target_set", [95.0, 98.0]),
        ("dossier.target_removed", [2.5, None]),
    ]


@pytest.mark.parametrize(
    "values", [{Indicator.on_time_rate: 101}, {Indicator.online_share: -1}, {Indicator.handling_days: "3"}]
)
def test_a_target_out_of_range_is_refused_and_nothing_is_written(catalogue, values):
    with pytest.raises(DomainError) as refused:
        set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.satisfied_share: 90, **values})
    assert refused.value.code == "invalid_target"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MonitoringTarget)) == 0


# --- a month below target --------------------------------------------------------------------------


def test_a_month_below_its_target_opens_a_signed_nonconformity_once(november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    db.session.commit()
    shortfall, nc = take_up_shortfall(catalogue.qo, catalogue.commune, NOV, password=PASSWORD)
    db.session.commit()
    assert (shortfall.results, shortfall.on_time, shortfall.target, shortfall.rate) == (4, 3, 95.0, 75.0)
    assert nc.source is NcSource.monitoring and find_opened_from(catalogue.commune.id, shortfall).id == nc.id
    assert "11/2026" in nc.title and "75 %" in nc.description and "95 %" in nc.description
    signature = signatures_of(shortfall)[0]
    assert signature.meaning == "shortfall_taken_up" and signature.signer_id == catalogue.qo.id
    assert verify(signature).valid
    [event] = events("dossier.shortfall_taken_up")
    assert event["changes"]["target"] == [None, 95.0] and event["changes"]["on_time"] == [None, 3]
    with pytest.raises(DomainError) as again:
        take_up_shortfall(catalogue.leader, catalogue.commune, NOV, password=PASSWORD)
    assert again.value.code == "once"


def test_a_month_is_refused_without_a_target_when_not_below_or_with_a_wrong_password(november, catalogue):
    def refusal(**kwargs):
        with pytest.raises(DomainError) as refused:
            take_up_shortfall(
                catalogue.qo, catalogue.commune, kwargs.pop("month", NOV), **{"password": PASSWORD, **kwargs}
            )
        return refused.value.code

    assert refusal() == "no_target"
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 75})
    db.session.commit()
    assert refusal() == "not_below"  # 75 % is not below 75 %
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 90})
    db.session.commit()
    assert refusal(password="wrong") == "bad_password"
    db.session.commit()  # the failed attempt is kept, nothing else
    assert refusal(month=dt.date(2027, 1, 1)) == "future"
    with pytest.raises(DomainError) as auditor:
        take_up_shortfall(catalogue.auditor, catalogue.commune, NOV, password=PASSWORD)
    assert auditor.value.code == "forbidden"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MonthShortfall)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(Nonconformity).where(Nonconformity.source == NcSource.monitoring)
        )
        == 0
    )
    failed = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.purpose == "signature")
    assert db.session.scalar(failed.where(LoginAttempt.user_id == catalogue.qo.id)) == 1


# --- the page --------------------------------------------------------------------------------------


def test_the_page_shows_the_months_the_charts_and_the_targets(app, november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    db.session.commit()
    client = signed_in_client(app, catalogue.qo.username)
    response = client.get("/dossiers/monitoring?year=2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Theo dõi giải quyết hồ sơ năm 2026" in html
    for indicator in Indicator:
        assert f'id="chart-{indicator.value}"' in html
    november_row = html.split('id="month-2026-11"')[1].split("</tr>")[0]
    assert "75 %" in november_row and "Dưới chỉ tiêu" in november_row  # below its target: the form to sign
    assert 'id="shortfall-form-2026-11"' in html
    assert 'id="targets-form"' in html


def test_auditors_read_the_page_without_any_form_and_staff_are_refused(app, november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    db.session.commit()
    html = (
        signed_in_client(app, catalogue.auditor.username).get("/dossiers/monitoring?year=2026").get_data(as_text=True)
    )
    assert 'id="month-2026-11"' in html and '<form method="post"' not in html.split("<main")[1].split("</main>")[0]
    assert signed_in_client(app, catalogue.staff.username).get("/dossiers/monitoring").status_code == 403


def test_a_wrong_filter_is_said_on_the_page(app, catalogue):
    client = signed_in_client(app, catalogue.qo.username)
    response = client.get("/dossiers/monitoring?year=1999")
    assert response.status_code == 400 and "Năm" in response.get_data(as_text=True)
    assert client.get("/dossiers/monitoring.xlsx?year=abc").status_code == 400


def test_the_targets_form_takes_a_decimal_comma_and_refuses_words(app, catalogue):
    client = signed_in_client(app, catalogue.qo.username)
    page = "/dossiers/monitoring?year=2026"
    data = {"csrf_token": csrf_token(client, page), "year": "2026", "on_time_rate": "97,5", "handling_days": "2.5"}
    assert client.post("/dossiers/monitoring/targets", data=data).status_code == 303
    db.session.rollback()
    assert monitoring.targets(catalogue.commune.id, 2026) == {
        Indicator.on_time_rate: 97.5,
        Indicator.handling_days: 2.5,
    }
    data.update(on_time_rate="chín mươi", handling_days="")
    response = client.post("/dossiers/monitoring/targets", data=data)
    assert response.status_code == 400 and "Hãy nhập một số" in response.get_data(as_text=True)
    db.session.rollback()
    assert monitoring.targets(catalogue.commune.id, 2026)[Indicator.on_time_rate] == 97.5


def test_a_leader_signs_the_months_nonconformity_on_the_page(app, november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    db.session.commit()
    client = signed_in_client(app, catalogue.leader.username)
    page = "/dossiers/monitoring?year=2026"
    path = "/dossiers/monitoring/2026/11/nonconformity"
    wrong = client.post(path, data={"m2026-11-csrf_token": csrf_token(client, page), "m2026-11-password": "nope"})
    assert wrong.status_code == 403 and "Mật khẩu không đúng" in wrong.get_data(as_text=True)
    done = client.post(path, data={"m2026-11-csrf_token": csrf_token(client, page), "m2026-11-password": PASSWORD})
    assert done.status_code == 303
    html = client.get(page).get_data(as_text=True)
    db.session.rollback()
    nc = db.session.scalar(select(Nonconformity).where(Nonconformity.source == NcSource.monitoring))
    assert 'id="nc-2026-11"' in html and nc.number in html


def test_the_workbook_holds_the_months_procedures_and_fields(app, november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    db.session.commit()
    response = signed_in_client(app, catalogue.auditor.username).get("/dossiers/monitoring.xlsx?year=2026")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Theo tháng", "Theo thủ tục", "Theo lĩnh vực"]
    months = workbook["Theo tháng"]
    rows = {row[0]: row for row in months.iter_rows(min_row=11, values_only=True)}
    november_row = rows["Tháng 11/2026"]
    assert november_row[1:5] == (5, 2, 40.0, 4) and november_row[8] == 75.0 and november_row[-1] == "Dưới chỉ tiêu"
    assert rows["Chỉ tiêu năm"][8] == 95.0
    assert "Cả năm" in rows


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_gives_the_pages_figures_and_refuses_bad_parameters(client, november, catalogue):
    set_targets(catalogue.qo, catalogue.commune, 2026, {Indicator.on_time_rate: 95})
    _token, plain = create_api_token(catalogue.auditor, catalogue.auditor, "test")
    _token, staff = create_api_token(catalogue.staff, catalogue.staff, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    body = client.get("/api/v1/monitoring?year=2026", headers=headers).get_json()
    november_row = next(m for m in body["months"] if m["month"] == "2026-11")
    assert (november_row["received"], november_row["results"], november_row["late"]) == (5, 4, 1)
    assert november_row["on_time_rate"] == 75.0 and november_row["below_target"] == ["on_time_rate"]
    assert body["targets"] == {"on_time_rate": 95.0} and body["year_total"]["online"] == 2
    assert {p["code"] for p in body["procedures"]} == {"1.001193", "2.000884"}
    births = client.get("/api/v1/monitoring?year=2026&procedure=1.001193", headers=headers).get_json()
    assert births["year_total"]["received"] == 1 and births["year_total"]["below_target"] == []
    for query, code in (
        ("year=1999", "bad_year"),
        ("procedure=9.9", "bad_procedure"),
        ("field=X", "bad_field"),
        ("x=1", "unknown_parameter"),
    ):
        response = client.get(f"/api/v1/monitoring?{query}", headers=headers)
        assert response.status_code == 400 and response.get_json()["error"] == code
    assert client.get("/api/v1/monitoring", headers={"Authorization": f"Bearer {staff}"}).status_code == 403
