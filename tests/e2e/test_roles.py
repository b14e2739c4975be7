"""Each role, in a real browser: sign in through the form, land on that role's home page in
Vietnamese, switch to English with the footer's language form, sign out."""

import re

import pytest

from qms.auth.models import ALL_ROLES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

# Home-page sections (registered by the feature areas) that show which role's page this is.
SECTIONS = {
    "administrator": {"admin-locked", "account-sign-ins"},
    "quality_officer": {"audit-checkpoint", "account-sign-ins"},
    "leader": {"account-sign-ins"},
    "staff": {"account-sign-ins"},
    "auditor": {"audit-checkpoint", "audit-recent", "account-sign-ins"},
    "installation_admin": {"account-sign-ins"},
}
ROLE_ONLY = {"admin-locked": {"administrator"}, "audit-checkpoint": {"quality_officer", "auditor"}}


def html_lang(page):
    return page.get_attribute("html", "lang")


def section_ids(page):
    return {
        sid.removeprefix("section-")
        for sid in page.eval_on_selector_all("section[id^='section-']", "nodes => nodes.map(n => n.id)")
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_role_signs_in_sees_home_in_vietnamese_switches_to_english_and_signs_out(
    role, live_server, page, screenshot, make_commune, make_unit, make_user
):
    commune = make_commune(code="XA-E2E", name="UBND xã Hòa Bình")
    unit = make_unit(commune, code="TTHCC", name="Trung tâm Phục vụ hành chính công", is_one_stop=True)
    user = make_user(role, commune=commune, units=[unit], username=f"e2e_{role}", full_name="Nguyễn Văn Thử")

    page.goto(f"{live_server}/login")
    assert html_lang(page) == "vi"
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/")

    # The role's home page, in Vietnamese.
    assert html_lang(page) == "vi"
    assert page.inner_text("#account-link") == "Nguyễn Văn Thử"
    assert "UBND xã Hòa Bình" in page.inner_text("nav")
    shown = section_ids(page)
    assert SECTIONS[role] <= shown
    for section, roles in ROLE_ONLY.items():
        assert (section in shown) == (role in roles), section
    screenshot(page, "home-vi")
    # Vietnamese catalogue: "Sign out" must read "Đăng xuất" (fails only if that translation is missing).
    assert page.inner_text("#logout-button").strip() == "Đăng xuất"

    # Switch to English with the footer's language form.
    page.select_option("#locale-select", "en")
    page.click("#language-submit")
    page.wait_for_url(f"{live_server}/")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("#logout-button").strip() == "Sign out"
    assert re.search(r"Hello, Nguyễn Văn Thử", page.inner_text("main"))
    assert SECTIONS[role] <= section_ids(page)
    screenshot(page, "home-en")

    # Sign out: back on the sign-in page, and the home page is closed again.
    page.click("#logout-button")
    page.wait_for_url(re.compile(r".*/login.*"))
    assert page.is_visible("#login-form")
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    assert page.is_visible("#login-form")
