"""Language: a signed-in user's choice is stored on their account; an anonymous visitor's in the session."""

import re

from qms.auth.models import User
from qms.db import db
from tests.conftest import login
from tests.core.support import events, fresh, post


def page_language(client, path="/"):
    return re.search(r'<html lang="(\w+)"', client.get(path).get_data(as_text=True)).group(1)


def test_vietnamese_is_the_default(client, make_user):
    make_user("staff", username="an")
    assert page_language(client, "/login") == "vi"
    login(client, "an")
    assert page_language(client) == "vi"


def test_a_users_choice_is_stored_and_follows_them_to_a_new_session(app, make_user):
    user = make_user("staff", username="binh")
    client = app.test_client()
    login(client, "binh")
    response = post(client, "/language", {"locale": "en", "next": "/account"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert fresh(user).locale == "en"
    assert page_language(client) == "en"
    [event] = events("user.locale_changed")
    assert event["changes"] == {"locale": ["vi", "en"]}

    other_computer = app.test_client()
    login(other_computer, "binh")
    assert page_language(other_computer) == "en"
    assert "Sign out" in other_computer.get("/").get_data(as_text=True)


def test_an_anonymous_choice_lives_in_the_session_only(app, make_user):
    client = app.test_client()
    response = post(client, "/language", {"locale": "en", "next": "/login"}, page="/login")
    assert response.status_code == 302
    assert page_language(client, "/login") == "en"
    assert page_language(app.test_client(), "/login") == "vi"
    assert events("user.locale_changed") == []


def test_the_account_language_wins_over_the_anonymous_choice(client, make_user):
    make_user("staff", username="chi", locale="vi")
    post(client, "/language", {"locale": "en"}, page="/login")
    login(client, "chi")
    assert page_language(client) == "vi"


def test_an_unknown_language_is_refused(client, make_user):
    user = make_user("staff", username="dung")
    login(client, "dung")
    assert post(client, "/language", {"locale": "fr"}).status_code == 400
    assert fresh(user).locale == "vi"
    assert db.session.get(User, user.id).locale == "vi"
