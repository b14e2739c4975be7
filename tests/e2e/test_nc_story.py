"""A nonconformity's whole story, in a real browser at 1366 px: a one-stop officer reports it -> the
quality officer records the correction, decides a corrective action is needed, adds 5 Whys and
fishbone causes (one root) and accepts the analysis with the password -> two action items, each done
by its owner -> a reviewer who owns no item records "effective" -> the quality officer closes it with
the password. Screenshots of the NC under analysis, closed, and of the register go to tests/_screenshots/."""

import datetime as dt
import re

import pytest

from qms.core.calendar import local_today
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def commune(make_commune, make_unit, make_user):
    commune = make_commune(code="XA-HB", name="UBND xã Hòa Bình")
    unit = make_unit(commune, code="TTHCC", name="Trung tâm Phục vụ hành chính công", is_one_stop=True)

    def person(role, username, name):
        return make_user(role, commune=commune, units=[unit], username=username, full_name=name)

    return {
        "officer": person("quality_officer", "thu.iso", "Trần Thị Thu"),
        "leader": person("leader", "minh.ct", "Nguyễn Văn Minh"),
        "staff": person("staff", "lan.motcua", "Phạm Thị Lan"),
        "staff2": person("staff", "hung.motcua", "Đỗ Văn Hùng"),
        "unit": unit,
    }


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


def sign_out(page, base):
    page.click("#logout-button")
    page.wait_for_url(re.compile(r".*/login.*"))


def submit(page, selector):
    """Click a form's button and wait for the page it leads to (the NC page again, after a redirect)."""
    with page.expect_navigation():
        page.click(selector)


def choose(page, select, label):
    page.select_option(select, label=label)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_from_a_staff_report_to_a_signed_closure(live_server, wide_page, screenshot, commune):
    base, page = live_server, wide_page
    due = (local_today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    today = local_today().strftime("%d/%m/%Y")

    # 1. A one-stop officer reports what went wrong.
    sign_in(page, base, commune["staff"])
    page.click("nav a[href='/nc/']")
    page.wait_for_url(f"{base}/nc/")
    submit(page, "#report-nc")
    page.fill("#title", "Trả kết quả khai sinh muộn 2 ngày")
    page.fill("#description", "Hồ sơ 000.00.00.H01-260101-0001 hẹn trả ngày 05, trả ngày 07.")
    choose(page, "#severity", "Nhẹ")
    choose(page, "#unit", "Trung tâm Phục vụ hành chính công")
    page.fill("#dossier_code", "000.00.00.H01-260101-0001")
    submit(page, "#nc-save")
    assert re.fullmatch(rf"{base}/nc/\d+", page.url)
    nc_url = page.url
    assert "Trả kết quả khai sinh muộn 2 ngày" in page.inner_text("h1")
    assert not page.is_visible("#correction-form")  # staff who do not handle it take no step
    sign_out(page, base)

    # 2. The quality officer: correction, decision, 5 Whys, fishbone, signed acceptance, two items.
    sign_in(page, base, commune["officer"])
    page.goto(nc_url)
    assert "Ghi nhận khắc phục tức thời" in page.inner_text("#next-step")
    page.fill("#correction-form-what", "Gọi điện xin lỗi công dân, trả kết quả ngay trong ngày.")
    choose(page, "#correction-form-by", "Phạm Thị Lan")
    page.check("#correction-form-done")
    submit(page, "#correction-form-submit")
    assert page.is_visible(".alert-success")
    page.check("#disposition-form-disposition-1")
    submit(page, "#disposition-form-submit")
    page.check("#action-needed-form-needed-1")  # yes
    submit(page, "#action-needed-form-submit")
    for question, answer in [
        ("Vì sao trả muộn?", "Hồ sơ chuyển sang bộ phận chuyên môn chậm 2 ngày."),
        ("Vì sao chuyển chậm?", "Không ai theo dõi hạn xử lý của từng hồ sơ."),
    ]:
        page.fill("#why-form-question", question)
        page.fill("#why-form-answer", answer)
        submit(page, "#why-form-submit")
    choose(page, "#cause-form-category", "Phương pháp")
    page.fill("#cause-form-description", "Quy trình không nêu người theo dõi hạn.")
    page.check("#cause-form-is_root")
    submit(page, "#cause-form-submit")
    choose(page, "#cause-form-category", "Con người")
    page.fill("#cause-form-description", "Cán bộ mới chưa được hướng dẫn.")
    submit(page, "#cause-form-submit")
    assert "Quy trình không nêu người theo dõi hạn." in page.inner_text("#fishbone-1-method")
    assert no_horizontal_scroll(page)
    screenshot(page, "analysis")
    # a wrong password signs nothing
    page.fill("#accept-form-password", "Wrong-Password-1")
    submit(page, "#accept-form-submit")
    assert page.is_visible("#accept-form .invalid-feedback")
    page.fill("#accept-form-password", PASSWORD)
    submit(page, "#accept-form-submit")
    assert page.is_visible("#accepted-1")
    for what, owner in [
        ("Phân công một cán bộ theo dõi hạn xử lý hồ sơ hằng ngày.", "Phạm Thị Lan"),
        ("Bổ sung bước theo dõi hạn vào quy trình.", "Đỗ Văn Hùng"),
    ]:
        page.fill("#action-form-what", what)
        choose(page, "#action-form-owner", owner)
        page.fill("#action-form-due_on", due)
        submit(page, "#action-form-submit")
    assert page.locator("[id^=item-]").filter(has_text="Phân công").count() >= 1
    sign_out(page, base)

    # 3. Each owner marks their item done, from their home page.
    for owner, result in [("staff", "Đã phân công chị Lan theo dõi."), ("staff2", "Đã bổ sung bước 4.")]:
        sign_in(page, base, commune[owner])
        assert page.is_visible("#section-nc-my-actions li")
        submit(page, "#section-nc-my-actions li a")
        form = page.locator("form[id^=complete-][id$=-form]").first
        form.locator("textarea").fill(result)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.is_visible(".alert-success")
        sign_out(page, base)

    # 4. The quality officer plans the review with the leader, who owns no item; the leader records it.
    sign_in(page, base, commune["officer"])
    page.goto(nc_url)
    page.fill("#plan-form-planned_on", today)
    choose(page, "#plan-form-reviewer", "Nguyễn Văn Minh")
    submit(page, "#plan-form-submit")
    sign_out(page, base)
    sign_in(page, base, commune["leader"])
    submit(page, "#section-nc-my-actions li a")
    form = page.locator("form[id^=review-][id$=-form]").first
    form.locator("input[value=effective]").check()
    form.locator("textarea").fill("Một tháng không còn hồ sơ trễ hạn.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    sign_out(page, base)

    # 5. The quality officer closes it with the password, answering the two questions.
    sign_in(page, base, commune["officer"])
    assert page.is_visible("#section-nc-decisions li")
    submit(page, "#section-nc-decisions li a")
    page.check("#close-form-risks-2")  # no
    page.check("#close-form-documents_need-2")  # no
    page.fill("#close-form-password", PASSWORD)
    submit(page, "#close-form-submit")
    assert "Đã đóng" in page.inner_text("#nc-status")
    assert "Đã đóng" in page.inner_text("#next-step")
    timeline = page.inner_text("#timeline")
    for step in ("Khắc phục", "Chấp nhận phân tích nguyên nhân gốc rễ", "Đóng sự không phù hợp"):
        assert step.lower() in timeline.lower(), step
    assert page.locator("#signatures tbody tr").count() == 2
    assert no_horizontal_scroll(page)
    screenshot(page, "closed-nc")
    page.goto(f"{base}/nc/")
    assert page.locator("#nc-table tbody tr").count() == 1
    assert no_horizontal_scroll(page)
    screenshot(page, "register")
