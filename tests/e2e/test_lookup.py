"""A citizen looks up their dossier in a real browser, on a phone (390x844) and on a desktop
(1366x900): the receipt slip's QR link opens the page with the code filled in, the four digits show
where the dossier stands and nothing personal; once the result is returned they rate the service,
and a "dissatisfied" rating with a comment reaches the quality officer's feedback triage; the desk's
rating form on the dossier's page and the ratings page. Every page passes axe-core, loads nothing the
content security policy refuses, and fits the phone's width."""

import pytest
from sqlalchemy import select

from qms.auth.models import Commune
from qms.db import db
from qms.dossiers.models import DossierRating, Rating, RatingChannel
from qms.dossiers.views.lookup import lookup_url
from qms.feedback.models import FeedbackItem, FeedbackStatus
from tests.dossiers.conftest import catalogue, people, receive, vn  # noqa: F401  (fixtures)
from tests.dossiers.rating_support import walk_to_return
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import check_page, listen

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def fits_width(page):
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_citizen_looks_up_the_dossier_and_rates_the_service(
    app,
    receive,  # noqa: F811  (a fixture imported above)
    catalogue,  # noqa: F811
    live_server,
    browser,
    axe_source,
    screenshot,
    viewport,
):
    waiting = receive(vn(2026, 12, 7, 9, 0), applicant_name="Nguyễn Thị Mai", applicant_phone="0912 345 678")
    done = receive(vn(2026, 12, 7, 9, 5), applicant_name="Nguyễn Thị Mai", applicant_phone="0912 345 678")
    walk_to_return(done, catalogue, catalogue.leader, vn(2026, 12, 8, 10, 0))
    with app.test_request_context():
        qr_link = lookup_url(db.session.get(Commune, catalogue.commune.id), waiting.code, external=False)

    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
    context.set_default_timeout(15000)
    page = context.new_page()
    console = listen(page)
    problems = []
    page.goto(live_server + qr_link)  # the QR code on the receipt slip
    assert page.input_value("#code") == waiting.code
    problems += check_page(page, axe_source, "lookup (from the QR code)", console)
    assert fits_width(page)
    screenshot(page, "01-qr-link")
    page.fill("#digits", "5678")
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-result")
    assert "Chứng thực chữ ký" in page.inner_text("#lookup-procedure")
    assert page.inner_text("#lookup-received") == "07/12/2026"
    assert "09/12/2026" in page.inner_text("#lookup-due")
    assert "Nguyễn Thị Mai" not in page.content() and "0912" not in page.content()
    problems += check_page(page, axe_source, "lookup: in progress", console)
    assert fits_width(page)
    screenshot(page, "02-in-progress")

    page.fill("#code", done.code)
    page.fill("#digits", "1234")  # a wrong digit: the neutral answer
    page.click("#lookup-submit")
    page.wait_for_selector("#error-message")
    assert "Không tìm thấy hồ sơ" in page.inner_text("#error-message")
    problems += check_page(page, axe_source, "lookup: not found", console)
    screenshot(page, "03-not-found")
    page.fill("#digits", "5678")
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-rating-form")
    assert "Đã trả kết quả" in page.inner_text("#lookup-status")
    problems += check_page(page, axe_source, "lookup: returned, to rate", console)
    assert fits_width(page)
    screenshot(page, "04-returned-to-rate")
    page.check("#lookup-rating-4")  # không hài lòng
    page.fill("#comment", "Phải đến ba lần mới nhận được kết quả.")
    page.click("#lookup-rating-submit")
    page.wait_for_selector(".alert-success")
    assert "Không hài lòng" in page.inner_text(".alert-success")
    problems += check_page(page, axe_source, "lookup: rated", console)
    screenshot(page, "05-rated")
    context.close()

    db.session.rollback()
    rating = db.session.scalar(select(DossierRating))
    assert (rating.rating, rating.channel) == (Rating.dissatisfied, RatingChannel.lookup)
    item = db.session.scalar(select(FeedbackItem))
    assert item.status is FeedbackStatus.waiting and item.dossier_code == done.code

    # the quality officer reads the rating on the dossier's page, and the ratings page (at the office)
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    console = listen(page)
    sign_in(page, live_server, catalogue.qo.username)
    page.goto(f"{live_server}/dossiers/{done.code}#rating")
    page.wait_for_selector("#rating-given")
    assert "Phải đến ba lần" in page.inner_text("#rating-comment")
    problems += check_page(page, axe_source, "dossier page: the citizen's rating", console)
    screenshot(page, "06-dossier-rating")
    page.goto(f"{live_server}/dossiers/satisfaction?year=2026")
    page.wait_for_selector("#per-officer-table")
    problems += check_page(page, axe_source, "ratings page", console)
    screenshot(page, "07-satisfaction")
    context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_officer_who_returned_the_result_records_the_rating_at_the_desk(
    app,
    receive,  # noqa: F811  (a fixture imported above)
    catalogue,  # noqa: F811
    live_server,
    browser,
    axe_source,
    screenshot,
):
    dossier = receive(vn(2026, 12, 7, 9, 0))
    walk_to_return(dossier, catalogue, catalogue.leader, vn(2026, 12, 8, 10, 0))
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    console = listen(page)
    sign_in(page, live_server, catalogue.leader.username)
    page.goto(f"{live_server}/dossiers/{dossier.code}")
    page.wait_for_selector("#rating-form")
    problems = check_page(page, axe_source, "dossier page: the desk's rating form", console)
    screenshot(page, "01-desk-form")
    page.click("#rating-form-submit")  # nothing chosen
    page.wait_for_selector("#rating-form-rating-error")
    problems += check_page(page, axe_source, "dossier page: the desk's rating form, refused", console)
    page.check("#rating-form-rating-1")
    page.click("#rating-form-submit")
    page.wait_for_selector("#rating-given")
    assert "Rất hài lòng" in page.inner_text("#rating-given")
    screenshot(page, "02-desk-rated")
    context.close()
    assert not problems, "\n".join(problems)
