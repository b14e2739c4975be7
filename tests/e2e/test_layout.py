"""Pages fit and read naturally, in a real browser at 1366 x 900 (the common office laptop screen):

* no list page scrolls sideways, for any role that may open it, and no table is cut by the box it
  scrolls in (the audit trail cut its IP address column); a name in the trail stays on two lines;
* the units page reads as a table: the one-stop box and the Save button in their own columns;
* the date column of the documents list is "Ngày hiệu lực" ("Có hiệu lực" is the status badge);
* the sign-in page names the commune, and the site has an icon (no 404 for it).

Screenshots of the trail, a record history, a version page (as the auditor), the units page and the
sign-in page go to tests/_screenshots/."""

import pytest

from qms.auth.models import ALL_ROLES
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ACCOUNTS, pages_of

pytestmark = pytest.mark.e2e

LIST_PAGES = {
    "home.index",
    "documents.list_documents",
    "documents.current_forms",
    "documents.master_list",
    "documents.periodic_review",
    "documents.list_change_requests",
    "audit.index",
    "audit.record_history",
    "admin.list_users",
    "admin.list_units",
    "communes.list_communes",
    "audits.show_programme",
}

# What does not fit in the window: the page scrolling sideways, a box scrolling its table sideways
# (a table-responsive wrapper hides the columns it cannot show), a table wider than the content, a
# person's name in the trail broken onto more than two lines.
OVERFLOWS = """() => {
  const problems = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth) {
    problems.push(`the page scrolls sideways: ${page.scrollWidth}px in a window ${page.clientWidth}px wide`);
  }
  const name = (el) => el.id ? "#" + el.id : el.tagName.toLowerCase() + "." + [...el.classList].join(".");
  const main = document.querySelector("main").getBoundingClientRect();
  for (const box of document.querySelectorAll("main *")) {
    const overflow = getComputedStyle(box).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1) {
      const table = box.querySelector("table");
      problems.push(`${name(box)} scrolls ${table ? name(table) : "its content"} sideways: `
        + `${box.scrollWidth}px in ${box.clientWidth}px`);
    }
  }
  for (const table of document.querySelectorAll("main table")) {
    const right = table.getBoundingClientRect().right;
    if (right > main.right + 1) {
      problems.push(`${name(table)} ends ${Math.round(right - main.right)}px past the content`);
    }
  }
  for (const cell of document.querySelectorAll("#trail tbody td:nth-child(3)")) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
    if (lines > 2) problems.push(`the trail breaks "${cell.innerText.trim()}" onto ${lines} lines`);
  }
  return problems;
}"""


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_list_page_scrolls_sideways_at_1366(role, demo_site, wide_page, screenshot):
    base, app = demo_site
    page = wide_page
    sign_in(page, base, ACCOUNTS[role])
    problems, seen = [], set()
    shots = {"audit.index": "trail", "audit.record_history": "record-history", "documents.show_version": "version"}
    for endpoint, path in pages_of(app, role):
        if role == "auditor" and endpoint in shots:
            page.goto(base + path)
            screenshot(page, shots.pop(endpoint))
        if endpoint not in LIST_PAGES:
            continue
        seen.add(endpoint)
        page.goto(base + path)
        problems += [f"{path}: {problem}" for problem in page.evaluate(OVERFLOWS)]
        if path == "/admin/units":
            screenshot(page, "units")
    assert "documents.list_documents" in seen and "home.index" in seen
    assert not problems, f"at 1366 x 900, for {role}:\n" + "\n".join(problems)


def test_the_units_page_reads_as_a_table(live_server, wide_page, make_commune, make_unit, make_user, screenshot):
    """Each unit's row has its name, its one-stop box and its buttons in the columns of the same
    names; the name and the box are saved with the row's own Save button."""
    commune = make_commune(name="UBND xã Hòa Bình")
    make_unit(commune, code="TTHCC", name="Trung tâm Phục vụ hành chính công", is_one_stop=True)
    economy = make_unit(commune, code="KT", name="Phòng Kinh tế")
    make_user("administrator", commune=commune, username="quantri")
    page = wide_page
    sign_in(page, live_server, "quantri")
    page.goto(f"{live_server}/admin/units")

    headers = page.eval_on_selector_all("#units-table thead th", "cells => cells.map(c => c.innerText.trim())")
    assert headers[:4] == ["Mã", "Tên", "Bộ phận một cửa", "Trạng thái"]
    assert page.get_attribute("#units-table thead th:nth-child(5) span", "class") == "visually-hidden"

    def column_of(selector):
        """The number of the column the element sits in (1 for the first)."""
        return page.eval_on_selector(selector, "el => el.closest('td, th').cellIndex + 1")

    row = f"#unit-{economy.id}"
    assert column_of(f"{row}-name") == 2
    assert column_of(f"{row}-one-stop") == 3
    assert column_of(f"{row}-save") == 5  # the actions column, named for screen readers only
    # The cells line up with their headers: nothing of the row sits under another column.
    for selector, header in ((f"{row}-one-stop", "th:nth-child(3)"), (f"{row}-save", "th:nth-child(5)")):
        box, head = page.locator(selector).bounding_box(), page.locator(f"#units-table thead {header}").bounding_box()
        assert head["x"] - 1 <= box["x"] and box["x"] + box["width"] <= head["x"] + head["width"] + 1, selector
    assert not page.is_checked(f"{row}-one-stop")
    screenshot(page, "units-table")

    page.fill(f"{row}-name", "Phòng Kinh tế - Hạ tầng")
    page.check(f"{row}-one-stop")
    page.click(f"{row}-save")
    page.wait_for_selector(".alert-success")
    assert page.input_value(f"{row}-name") == "Phòng Kinh tế - Hạ tầng"
    assert page.is_checked(f"{row}-one-stop")


def test_the_documents_list_titles_its_date_column_effective_date(demo_site, wide_page):
    base, _app = demo_site
    page = wide_page
    sign_in(page, base, ACCOUNTS["staff"])
    page.goto(f"{base}/documents/")
    headers = page.eval_on_selector_all("#documents-table thead th", "cells => cells.map(c => c.innerText.trim())")
    assert "Ngày hiệu lực" in headers and "Có hiệu lực" not in headers
    # "Có hiệu lực" is the status of a document in force, in the same table.
    assert "Có hiệu lực" in page.inner_text("#documents-table tbody")
    for path in ("/documents/master-list", "/documents/master-list?which=external"):
        page.goto(base + path)
        headers = page.eval_on_selector_all("thead th", "cells => cells.map(c => c.innerText.trim())")
        assert "Ngày hiệu lực" in headers and "Có hiệu lực" not in headers


def test_the_sign_in_page_names_the_commune_and_the_site_has_an_icon(demo_site, wide_page, screenshot):
    base, _app = demo_site
    page = wide_page
    failed = []
    page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login")
    assert page.inner_text("#login-commune") == "UBND xã Hòa Bình"
    assert "UBND xã Hòa Bình" in page.inner_text("nav") and "UBND xã Hòa Bình" in page.title()
    icons = page.eval_on_selector_all("link[rel='icon']", "links => links.map(l => l.href)")
    assert icons
    for href in icons:
        response = page.request.get(href)
        assert response.status == 200 and response.headers["content-type"].startswith("image/"), href
    page.wait_for_load_state("networkidle")
    assert not failed, failed  # nothing failed to load, the icon included
    screenshot(page, "sign-in")


def test_the_sign_in_page_of_several_communes_names_the_installation(live_server, wide_page, make_commune, make_user):
    first = make_commune(name="UBND xã Hòa Bình")
    make_commune(name="UBND xã Tân Lập")
    make_user("staff", commune=first, username="lan")
    page = wide_page
    page.goto(f"{live_server}/login")
    assert page.locator("#login-commune").count() == 0
    assert page.inner_text(".navbar-brand").strip() == "QMS"
    page.fill("#username", "lan")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/")
    assert page.inner_text(".navbar-brand").strip() == "QMS · UBND xã Hòa Bình"
