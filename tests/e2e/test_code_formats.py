"""The document settings in a browser: a code format is read while it is typed, and the next code
(or what is wrong with the format) is shown under the field, before anything is saved."""

import pytest

from qms.auth.models import QUALITY_OFFICER
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ACCOUNTS

expect = pytest.importorskip("playwright.sync_api", reason="Playwright is a test extra").expect


def test_the_next_code_follows_the_format_as_it_is_typed(demo_site, page, screenshot):
    base, _app = demo_site
    sign_in(page, base, ACCOUNTS[QUALITY_OFFICER])
    page.goto(f"{base}/documents/settings")
    example = page.locator("#example-procedure")
    assert example.inner_text().startswith("Mã tiếp theo: QT-")
    assert "(cho QT-" in page.locator("#example-form").inner_text()

    page.fill("#format_procedure", "QT-{nnn}")
    expect(example).to_contain_text("QT-001")
    assert "giữ nguyên" in example.inner_text()  # the demo's QT-01 ... keep their codes

    page.fill("#format_procedure", "QT-{x}")
    expect(example).to_contain_text("{x}")
    assert "không phải là một phần của mã" in example.inner_text()
    screenshot(page, "settings-typing")

    page.click("#settings-regexes summary")
    page.fill("#regex_procedure", r"QT\.\d{3}")
    page.fill("#format_procedure", "QT-{nn}")
    expect(example).to_contain_text("biểu thức chính quy")
