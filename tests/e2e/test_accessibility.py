"""Accessible to everyone (WCAG 2.1 AA), in a real browser, on the demo commune: every page every role
opens (tests/e2e/pages.py reads them from app.url_map) and the sign-in page in each of its states
pass axe-core with no violation, load nothing that fails (a 404, a script or style the content
security policy refuses), and show where the keyboard focus is: every element that takes the focus
draws an outline at least 2px wide that contrasts 3:1 with what is around it (on the blue top bar
as on the page).

axe runs with page.evaluate (a DevTools call, which the page's content security policy does not
govern), so the pages are tested under the policy they are served with."""

import pytest

from qms.auth.models import ALL_ROLES
from tests.e2e.conftest import sign_in
from tests.e2e.pages import ACCOUNTS, pages_of, public_pages_of

# The markup and styles axe reads are the same whatever the database; that every page of every role
# answers on PostgreSQL is the access matrix's (tests/core/test_access_matrix.py).
pytestmark = [pytest.mark.e2e, pytest.mark.same_on_every_database]

# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""

# Every element that takes the focus, focused in turn (after one Tab, so that the browser shows the
# focus as it does for a keyboard user): the ones whose focus is not drawn as a clear outline.
UNSEEN_FOCUS = """() => {
  const parse = (color) => {
    const m = color.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const luminance = ({r, g, b}) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const contrast = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  const backgroundAround = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color && color.a >= 0.5) return color;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const focusable = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), '
    + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const unseen = [];
  for (const el of document.querySelectorAll(focusable)) {
    el.focus();
    if (document.activeElement !== el) continue;  // hidden, so not focusable
    const style = getComputedStyle(el);
    const ring = parse(style.outlineColor);
    const width = parseFloat(style.outlineWidth);
    const ratio = ring ? contrast(ring, backgroundAround(el)) : 0;
    if (style.outlineStyle === "none" || width < 2 || !ring || ring.a < 1 || ratio < 3) {
      const name = el.id ? "#" + el.id : [el.tagName.toLowerCase(), ...el.classList].join(".");
      unseen.push(`${name} "${(el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30)}": `
        + `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}, contrast ${ratio.toFixed(2)}`);
    }
  }
  document.activeElement && document.activeElement.blur();
  return unseen;
}"""


def check_page(page, axe_source, label, console):
    """The problems of the page shown now: ["<label>: <problem>", ...]."""
    problems = [f"{label}: {message}" for message in console]
    console.clear()
    page.evaluate(axe_source)
    for violation in page.evaluate(RUN_AXE, AXE_TAGS):
        problems.append(f"{label}: axe {violation['id']} ({violation['impact']})")
        problems.extend(f"    {node}" for node in violation["nodes"][:5])
        if len(violation["nodes"]) > 5:
            problems.append(f"    ... and {len(violation['nodes']) - 5} more")
    page.keyboard.press("Tab")
    unseen = page.evaluate(UNSEEN_FOCUS)
    problems.extend(f"{label}: focus not visible on {element}" for element in unseen[:5])
    if len(unseen) > 5:
        problems.append(f"{label}: focus not visible on {len(unseen) - 5} more elements")
    return problems


def listen(page):
    """The console errors of the page (failed loads, refusals of the content security policy), but
    the status of the page itself (a 403 or 404 page is one of the pages checked)."""
    console = []

    def heard(message):
        if message.type == "error" and message.location.get("url") != page.url:
            console.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", heard)
    return console


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_page_of_the_role_passes_axe_and_shows_the_focus(role, demo_site, axe_source, wide_page):
    base, app = demo_site
    page = wide_page
    console = listen(page)
    sign_in(page, base, ACCOUNTS[role])
    problems = []
    for endpoint, path in pages_of(app, role):
        response = page.goto(base + path)
        assert response.headers["content-type"].startswith("text/html"), (
            f"{path} ({endpoint}) is not a page: add its endpoint to NOT_PAGES in tests/e2e/pages.py"
        )
        problems += check_page(page, axe_source, f"{path} ({response.status})", console)
    assert not problems, f"{len(problems)} accessibility problems for {role}:\n" + "\n".join(problems)


def test_every_public_page_passes_axe_signed_out(demo_site, axe_source, wide_page):
    """The pages anyone opens without signing in (tests/e2e/pages.py: public_pages_of), as they open."""
    base, app = demo_site
    page = wide_page
    console = listen(page)
    problems = []
    walked = public_pages_of(app)
    assert {"auth.login", "feedback.new_feedback", "lookup.lookup_form"} <= {endpoint for endpoint, _path in walked}
    for endpoint, path in walked:
        response = page.goto(base + path)
        assert response.headers["content-type"].startswith("text/html"), f"{path} ({endpoint}) is not a page"
        problems += check_page(page, axe_source, f"{path} ({response.status})", console)
    assert not problems, f"{len(problems)} accessibility problems of the public pages:\n" + "\n".join(problems)


def test_the_sign_in_page_in_each_state_passes_axe_and_shows_the_focus(demo_site, axe_source, wide_page):
    base, _app = demo_site
    page = wide_page
    console = listen(page)
    problems = []
    page.goto(f"{base}/login")
    problems += check_page(page, axe_source, "/login", console)
    page.click("#login-submit")  # nothing typed: both fields say what is missing
    page.wait_for_selector(".invalid-feedback")
    problems += check_page(page, axe_source, "/login (empty)", console)
    page.fill("#username", ACCOUNTS["staff"])
    page.fill("#password", "not the password")
    page.click("#login-submit")
    page.wait_for_selector(".alert-danger")
    problems += check_page(page, axe_source, "/login (wrong password)", console)
    page.goto(f"{base}/no-such-page")
    problems += check_page(page, axe_source, "/no-such-page (404)", console)
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_a_refused_sign_in_puts_the_focus_on_what_to_correct(demo_site, wide_page):
    base, _app = demo_site
    page = wide_page
    page.goto(f"{base}/login")
    assert page.get_attribute("#username", "autocomplete") == "username"
    assert page.get_attribute("#password", "autocomplete") == "current-password"

    page.click("#login-submit")  # nothing typed
    page.wait_for_selector("#username-error")
    # The browser runs autofocus at its next rendering update, after the page is parsed.
    page.wait_for_function("() => document.activeElement.id === 'username'", timeout=5000)
    focused = page.evaluate(
        "() => [document.activeElement.id, document.activeElement.getAttribute('aria-describedby')]"
    )
    assert focused == ["username", "username-error"]
    assert page.inner_text("#username-error") == "Vui lòng nhập tên đăng nhập."

    page.fill("#username", ACCOUNTS["staff"])
    page.fill("#password", "not the password")
    page.click("#login-submit")
    page.wait_for_selector("#error-message")
    page.wait_for_function("() => document.activeElement.id === 'error-message'", timeout=5000)
    assert page.get_attribute("#error-message", "role") == "alert"
    # The next Tab goes on from the message: to the form below it.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "username"


def test_the_keyboard_skips_to_the_content_and_the_search_has_a_label(demo_site, wide_page):
    base, _app = demo_site
    page = wide_page
    sign_in(page, base, ACCOUNTS["staff"])
    page.goto(f"{base}/documents/forms")
    label = page.locator("label[for='current-forms-q']")
    assert label.is_visible() and label.inner_text() == "Tìm kiếm"

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "skip-link"
    link = page.locator("#skip-link").bounding_box()
    assert link["width"] > 20 and link["height"] > 10 and link["y"] >= 0  # shown when it has the focus
    assert page.inner_text("#skip-link") == "Chuyển đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the first thing in the content, past the whole menu
    assert page.evaluate("() => document.activeElement.id") == "current-forms-q"
