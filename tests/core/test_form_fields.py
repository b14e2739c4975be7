"""Fields say when they are wrong, to screen readers too (templates/_macros/forms.html and lists.html):
an invalid field carries aria-invalid="true" and aria-describedby naming the element that holds its
message, on the sign-in form, a form of the administration, a list's filters and a search box."""

import re
from html.parser import HTMLParser

from tests.conftest import csrf_token, login, post_form

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Fields(HTMLParser):
    """The page's form controls (tag, attributes) and the text of every element with an id."""

    def __init__(self, html):
        super().__init__()
        self.controls, self.text, self._open = [], {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append((tag, attrs))
        if tag not in VOID:
            self._open.append(attrs.get("id"))
            if attrs.get("id"):
                self.text[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def invalid_fields(html):
    """{name: the text of the elements its aria-describedby names} of the fields marked invalid; an
    invalid-looking field (class is-invalid) without aria-invalid, or naming an id the page lacks,
    fails the test."""
    page = Fields(html)
    out = {}
    for _tag, attrs in page.controls:
        classes = attrs.get("class", "").split()
        if "is-invalid" not in classes and attrs.get("aria-invalid") != "true":
            continue
        assert attrs.get("aria-invalid") == "true", f"{attrs.get('name')} looks invalid but does not say so"
        described = (attrs.get("aria-describedby") or "").split()
        assert described, f"{attrs.get('name')} does not point at its message"
        missing = [ref for ref in described if ref not in page.text]
        assert not missing, f"{attrs.get('name')} points at {missing}, which the page lacks"
        out[attrs["name"]] = " ".join(re.sub(r"\s+", " ", page.text[ref]).strip() for ref in described)
    return out


def test_an_empty_sign_in_names_each_missing_field(client, make_user):
    make_user("staff", username="lan")
    response = client.post("/login", data={"username": "", "password": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert invalid_fields(response.get_data(as_text=True)) == {
        "username": "Vui lòng nhập tên đăng nhập.",
        "password": "Vui lòng nhập mật khẩu.",
    }


def test_the_sign_in_fields_say_what_a_password_manager_fills_in(client):
    controls = {attrs["name"]: attrs for _tag, attrs in Fields(client.get("/login").get_data(as_text=True)).controls}
    assert controls["username"]["autocomplete"] == "username"
    assert controls["password"]["autocomplete"] == "current-password"
    assert "aria-invalid" not in controls["username"]  # nothing is wrong before anything is sent


def test_a_refused_form_of_the_administration_points_at_its_messages(client, make_user):
    make_user("administrator", username="quantri")
    login(client, "quantri")
    response = post_form(client, "/admin/users/new", {"username": "", "full_name": ""}, page="/admin/users/new")
    assert response.status_code == 400
    invalid = invalid_fields(response.get_data(as_text=True))
    assert {"username", "full_name"} <= set(invalid)
    assert all(invalid.values())


def test_a_wrong_filter_and_a_long_search_point_at_their_messages(client, make_user):
    make_user("staff", username="lan")
    login(client, "lan")
    documents = client.get("/documents/?kind=nonsense").get_data(as_text=True)
    assert list(invalid_fields(documents)) == ["kind"]
    forms = client.get("/documents/forms?q=" + "x" * 300).get_data(as_text=True)
    assert list(invalid_fields(forms)) == ["q"]
