"""The analysis figures (qms.nonconformities.analysis) and the analysis page: Pareto counts by
source, procedure and root-cause category, the median time to closure per severity, the share of
NCs that needed another round; the page's charts as accessible SVG with their tables."""

import datetime as dt
import re

import pytest
from sqlalchemy import event

from qms.auth.models import User
from qms.core.calendar import clock_at, local_today, to_local, utcnow
from qms.db import db
from qms.nonconformities import analysis, services
from qms.nonconformities.models import ReviewResult
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.documents.views_support import html
from tests.documents.views_support import signed_in as _signed_in
from tests.nonconformities.conftest import walk_nc


def signed_in(app, user):
    """A client of `user` reading English (the user loaded in this session, so that the choice of
    language is saved), each request in its own context as in production."""
    app.test_client_class = IsolatedClient
    return _signed_in(app, db.session.get(User, user.id))


@pytest.fixture
def story(people, make_nc, make_procedure):
    """Five NCs: two closed (minor, 10 and 4 days after detection, both in procedure P), one whose
    review was not effective (major, second round), one cancelled, one detected before the period."""
    procedure = make_procedure(code="QT-05", title="Quy trình chứng thực")
    start = utcnow() - dt.timedelta(days=60)
    with clock_at(start):
        first = make_nc(source="staff_report", procedure=procedure)
        second = make_nc(source="citizen_feedback", procedure=procedure)
        third = make_nc(source="citizen_feedback", severity="major")
        cancelled = make_nc(source="late_dossier")
        services.cancel_nc(people.qo, cancelled, password=PASSWORD, reason="Ghi nhầm")
        db.session.commit()
    with clock_at(start - dt.timedelta(days=400)):
        make_nc(source="late_dossier")
    with clock_at(start + dt.timedelta(days=4)):
        walk_nc(second, people)
    with clock_at(start + dt.timedelta(days=10)):
        walk_nc(first, people)
        walk_nc(third, people, to="done")
        review = services.plan_review(people.qo, third, planned_on=local_today(), reviewer=people.leader)
        services.record_review(people.leader, review, result="not_effective", notes="Vẫn còn hồ sơ trễ")
        db.session.commit()
    period = (to_local(start).date(), local_today())
    return {"procedure": procedure, "period": period, "first": first, "second": second, "third": third}


def test_figures_of_a_period(people, story):
    start, end = story["period"]
    figures = analysis.figures(people.commune.id, start, end)
    assert figures.total == 3  # the cancelled NC and the one detected before the period are left out

    sources = figures.by_source
    assert [(i.key, i.count, i.cumulative) for i in sources.items] == [
        ("citizen_feedback", 2, 66.7),
        ("staff_report", 1, 100.0),
    ]
    assert sources.items[0].label == "Citizen feedback or complaint" or sources.items[0].label  # in words

    procedures = figures.by_procedure
    assert [(i.short, i.count) for i in procedures.items] == [("QT-05", 2)]
    assert procedures.items[0].label == "QT-05 – Quy trình chứng thực"
    assert figures.without_procedure == 1

    # one root cause (method) per round analysed: two closed NCs and the first round of the third
    assert [(i.key, i.count) for i in figures.by_root_category.items] == [("method", 3)]

    by_severity = {row.severity.value: row for row in figures.time_to_close}
    assert by_severity["minor"].closed == 2
    assert by_severity["minor"].median_days == pytest.approx(7.0, abs=0.1)  # 4 and 10 days
    assert by_severity["major"].closed == 0 and by_severity["major"].median_days is None

    assert story["third"].round_no == 2 and story["third"].reviews[0].result is ReviewResult.not_effective
    assert (figures.reopened.reopened, figures.reopened.total, figures.reopened.percent) == (1, 3, 33.3)


def test_reopened_after_closing_counts(people, story):
    start, end = story["period"]
    services.reopen_nc(people.qo, story["first"], password=PASSWORD, reason="Lại trả muộn")
    db.session.commit()
    assert analysis.reopened_share(people.commune.id, start, end).reopened == 2


def test_another_communes_ncs_are_not_counted(people, story):
    start, end = story["period"]
    assert analysis.figures(people.other_commune.id, start, end).total == 0


def test_figures_take_the_same_queries_however_many_ncs(app, people, story, make_nc):
    start, end = story["period"]
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        analysis.figures(people.commune.id, start, end)
        before = len(statements)
        for _ in range(5):
            make_nc(source="other")
        statements.clear()
        analysis.figures(people.commune.id, start, end)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == before <= 7


# --- the page ------------------------------------------------------------------------------------------


def test_page_draws_accessible_pareto_charts(app, people, story):
    client = signed_in(app, people.qo)
    start, end = story["period"]
    response = client.get(f"/nc/analysis?start={start:%d/%m/%Y}&end={end:%d/%m/%Y}")
    assert response.status_code == 200
    page = html(response)
    for key in ("source", "procedure", "category"):
        svg = re.search(rf'<svg[^>]*id="chart-{key}".*?</svg>', page, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in svg
        assert f'<title id="chart-{key}-title">' in svg and f'<desc id="chart-{key}-desc">' in svg
        assert "style=" not in svg  # the Content-Security-Policy allows no inline style
        assert f'id="table-{key}"' in page  # the figures as a table, for screen readers
    source_svg = re.search(r'<svg[^>]*id="chart-source".*?</svg>', page, re.S).group(0)
    assert source_svg.count("<rect ") == 2 and "<polyline" in source_svg
    table = re.search(r'<table[^>]*id="table-source".*?</table>', page, re.S).group(0)
    assert "Citizen feedback or complaint" in table
    assert "66.7 %" in table and "100.0 %" in table
    assert "QT-05 – Quy trình chứng thực" in page
    assert "1 nonconformity names no procedure." in page
    assert re.search(r'id="time-to-close-minor".*?>7\.0</td>', page, re.S)
    assert "33.3 %" in page
    assert "3 nonconformities detected from" in page
    assert "Content-Security-Policy" in response.headers


def test_page_defaults_to_the_last_twelve_months(app, people):
    response = signed_in(app, people.leader).get("/nc/analysis")
    assert response.status_code == 200
    today = local_today()
    first = (
        (today.replace(year=today.year - 1) + dt.timedelta(days=1))
        if not (today.month == 2 and today.day == 29)
        else None
    )
    page = html(response)
    assert f'value="{today:%d/%m/%Y}"' in page
    if first:
        assert f'value="{first:%d/%m/%Y}"' in page
    assert 'id="pareto-source-empty"' in page


def test_a_bad_date_is_shown_under_its_field(app, people):
    response = signed_in(app, people.auditor).get("/nc/analysis?start=31/02/2026")
    assert response.status_code == 400
    assert "Enter the date as dd/mm/yyyy." in html(response)
    response = signed_in(app, people.auditor).get("/nc/analysis?start=10/05/2026&end=01/05/2026")
    assert response.status_code == 400
    assert "The end of the period cannot be before its start." in html(response)


def test_staff_do_not_see_the_analysis(app, people):
    assert signed_in(app, people.staff).get("/nc/analysis").status_code == 403
