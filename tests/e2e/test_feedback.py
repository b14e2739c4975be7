"""A citizen's feedback in a real browser, from the sign-in page to a nonconformity: the public page
(the commune chosen, the form, the reference), then the quality officer's triage (the home page, the
item, its contact details, the NC opened from it). Every page passes axe-core and loads nothing the
content security policy refuses; the honeypot is out of the keyboard's way."""

import re

import pytest
from sqlalchemy import select

from qms.db import db
from qms.feedback.models import FeedbackItem, FeedbackStatus
from tests.core.support import events
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import check_page, listen

pytestmark = pytest.mark.e2e


def test_a_citizens_feedback_is_sent_then_triaged_into_a_nonconformity(
    app, world, live_server, page, browser, axe_source, screenshot
):
    base = live_server
    console = listen(page)
    problems = []
    page.goto(f"{base}/login")
    page.click("#login-feedback")
    problems += check_page(page, axe_source, "/feedback (choose a commune)", console)
    page.click("text=UBND xã A")
    page.wait_for_selector("#feedback-form")
    problems += check_page(page, axe_source, "/feedback?commune=XA-A", console)

    page.check("#kind-1")  # phản ánh, khiếu nại
    page.fill("#message", "Tôi nộp hồ sơ khai sinh ngày 01/12 nhưng đến ngày hẹn vẫn chưa có kết quả.")
    page.fill("#dossier_code", "H01-261201-0003")
    page.fill("#name", "Trần Văn Bình")
    page.fill("#phone", "0987 654 321")
    page.focus("#email")
    page.keyboard.type("binh@example.vn")
    page.keyboard.press("Tab")  # past the hidden honeypot, straight to the button
    assert page.evaluate("() => document.activeElement.id") == "feedback-submit"
    trap = page.locator("#feedback-trap").bounding_box()  # the honeypot's box: one clipped pixel
    assert trap["width"] <= 1 and trap["height"] <= 1
    screenshot(page, "01-form")
    page.wait_for_timeout(4500)  # a person takes longer than the minimum fill time
    page.click("#feedback-submit")
    page.wait_for_selector("#feedback-reference")
    reference = page.inner_text("#feedback-reference")
    assert re.fullmatch(r"GY-\d{4}-0001", reference)
    problems += check_page(page, axe_source, "/feedback/sent", console)
    screenshot(page, "02-reference")

    sign_in(page, base, "a_quality_officer")
    page.click(f"#section-feedback-waiting a:has-text('{reference}')")
    page.wait_for_selector("#feedback-item")
    assert "Trần Văn Bình" not in page.content()
    problems += check_page(page, axe_source, "feedback item", console)
    page.click("#feedback-contact-show")
    page.wait_for_selector("#feedback-contact-details")
    assert "0987 654 321" in page.inner_text("#feedback-contact-details")
    problems += check_page(page, axe_source, "feedback item with contact details", console)
    screenshot(page, "03-item-with-contact")
    page.fill("#title", "Trả kết quả khai sinh trễ hẹn")
    page.select_option("#severity", "major")
    page.click("#feedback-open-nc")
    page.wait_for_selector("#feedback-nc")
    problems += check_page(page, axe_source, "feedback item, NC opened", console)
    screenshot(page, "04-nc-opened")
    page.goto(f"{base}/feedback/items")
    problems += check_page(page, axe_source, "/feedback/items", console)

    item_url = page.url

    # the auditor reads the item without the contact details, and is offered nothing to change
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    reader = context.new_page()
    reader_console = listen(reader)
    sign_in(reader, base, "a_auditor")
    reader.goto(item_url)
    assert "0987 654 321" not in reader.content() and reader.locator("form[method=post] #feedback-open-nc").count() == 0
    problems += check_page(reader, axe_source, "feedback item (auditor)", reader_console)
    context.close()

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    db.session.rollback()
    item = db.session.scalar(select(FeedbackItem))
    assert item.status is FeedbackStatus.nc_opened and item.contact_phone == "0987 654 321"
    assert [e["action"] for e in events() if e["action"].startswith("feedback.")] == [
        "feedback.received",
        "feedback.contact_read",
        "feedback.nc_opened",
    ]
