"""Sign-in: audit events, and the lock-out after 5 failures within 15 minutes, counted in the
database so that it holds across worker processes (two app instances on one database here)."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from qms.auth.models import LoginAttempt, User
from qms.core.calendar import clock_at, utcnow
from qms.db import db
from tests.conftest import PASSWORD, csrf_token, login
from tests.core.support import events, fresh, is_signed_in

WRONG = "Not-The-Password-1"


def fail(client, username, times=1):
    for _ in range(times):
        response = login(client, username, WRONG)
    return response


def test_signing_in_opens_a_session_and_is_recorded(client, make_user):
    user = make_user("staff", username="an")
    response = login(client, "an")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    [event] = events("auth.sign_in")
    assert (event["actor_id"], event["entity_type"], event["entity_id"]) == (user.id, "users", str(user.id))
    assert event["commune_id"] == user.commune_id and event["ip"] == "127.0.0.1"


def test_user_names_are_not_case_sensitive(client, make_user):
    make_user("staff", username="Binh")
    assert login(client, "  bINH ").status_code == 302


def test_a_wrong_password_is_refused_and_recorded(client, make_user):
    user = make_user("staff", username="chi")
    response = fail(client, "chi")
    assert response.status_code == 401
    assert not is_signed_in(client)
    [event] = events("auth.sign_in_failed")
    assert event["entity_id"] == str(user.id) and event["reason"] == "wrong_password"
    assert event["actor_id"] is None
    attempt = db.session.scalar(select(LoginAttempt))
    assert (attempt.user_id, attempt.succeeded) == (user.id, False)


def test_an_unknown_user_name_is_refused_the_same_way_and_recorded(client, make_user):
    make_user("staff", username="dung")
    response = fail(client, "nobody")
    assert response.status_code == 401
    [event] = events("auth.sign_in_failed")
    assert event["changes"] == {"username": [None, "nobody"]}


def test_an_empty_form_is_a_form_error(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "username": "", "password": ""})
    assert response.status_code == 400
    assert events("auth.sign_in_failed") == []


def test_five_failures_lock_the_account_even_against_the_right_password(client, make_user):
    user = make_user("staff", username="giang")
    assert [fail(client, "giang").status_code for _ in range(4)] == [401] * 4
    assert fail(client, "giang").status_code == 429
    assert fresh(user).is_locked()
    [locked] = events("auth.locked_out")
    assert locked["entity_id"] == str(user.id) and locked["changes"]["locked_until"][0] is None
    right = login(client, "giang", PASSWORD)
    assert right.status_code == 429
    assert not is_signed_in(client)
    assert [e["reason"] for e in events("auth.sign_in_refused")] == ["account_locked"]
    assert events("auth.sign_in") == []


def test_the_lock_holds_across_two_app_instances_on_one_database(make_app, make_user):
    make_user("staff", username="ha")
    first, second = make_app().test_client(), make_app().test_client()
    assert [fail(first, "ha").status_code for _ in range(3)] == [401] * 3
    assert [fail(second, "ha").status_code for _ in range(2)] == [401, 429]
    assert login(first, "ha", PASSWORD).status_code == 429
    assert login(second, "ha", PASSWORD).status_code == 429
    assert not is_signed_in(first) and not is_signed_in(second)


def test_the_lock_ends_after_15_minutes(client, make_user):
    user = make_user("staff", username="khoa")
    fail(client, "khoa", times=5)
    assert login(client, "khoa", PASSWORD).status_code == 429
    _move_back(user, minutes=14)
    assert login(client, "khoa", PASSWORD).status_code == 429
    _move_back(user, minutes=1, seconds=1)
    assert login(client, "khoa", PASSWORD).status_code == 302
    assert not fresh(user).is_locked()


def test_after_a_lock_ends_one_more_failure_does_not_lock_again(client, make_user):
    user = make_user("staff", username="lam")
    fail(client, "lam", times=5)
    _move_back(user, minutes=15, seconds=1)
    assert fail(client, "lam").status_code == 401
    assert not fresh(user).is_locked()


def test_failures_older_than_15_minutes_do_not_count(client, make_user):
    user = make_user("staff", username="mai")
    fail(client, "mai", times=4)
    _move_back(user, minutes=15, seconds=1)
    assert [fail(client, "mai").status_code for _ in range(4)] == [401] * 4
    assert not fresh(user).is_locked()
    assert fail(client, "mai").status_code == 429


def test_a_successful_sign_in_starts_the_count_afresh(make_app, make_user):
    make_user("staff", username="nam")
    app = make_app()
    attacker, owner = app.test_client(), app.test_client()
    fail(attacker, "nam", times=4)
    assert login(owner, "nam").status_code == 302
    assert [fail(attacker, "nam").status_code for _ in range(4)] == [401] * 4
    assert fail(attacker, "nam").status_code == 429


def test_lock_out_settings_are_configurable(make_app, make_user):
    make_user("staff", username="oanh")
    client = make_app(QMS_LOCKOUT_ATTEMPTS=3, QMS_LOCKOUT_MINUTES=60).test_client()
    assert [fail(client, "oanh").status_code for _ in range(3)] == [401, 401, 429]
    user = db.session.scalar(select(User).where(User.username == "oanh"))
    db.session.refresh(user)
    assert user.locked_until - utcnow() > dt.timedelta(minutes=59)


def test_a_disabled_account_cannot_sign_in(client, make_user):
    from qms.auth.services import disable_user

    user = make_user("staff", username="phuc")
    disable_user(None, user, reason="left the commune")
    db.session.commit()
    response = login(client, "phuc")
    assert response.status_code == 403
    assert not is_signed_in(client)
    assert events("auth.sign_in_failed")[-1]["reason"] == "account_disabled"


def test_a_sign_in_without_csrf_token_is_refused(client, make_user):
    make_user("staff", username="quang")
    response = client.post("/login", data={"username": "quang", "password": PASSWORD})
    assert response.status_code == 400
    assert not is_signed_in(client)
    assert events("auth.sign_in") == [] and db.session.scalar(select(LoginAttempt)) is None


@pytest.mark.parametrize(
    "target, landing",
    [
        ("/account", "/account"),
        ("//evil.example/x", "/"),
        ("/\\evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_after_sign_in_only_pages_of_this_site_are_followed(client, make_user, target, landing):
    make_user("staff", username="son")
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": "son", "password": PASSWORD, "next": target, "csrf_token": token}
    )
    assert response.headers["Location"] == landing


def test_an_anonymous_visit_is_sent_to_sign_in_and_back(client, make_user):
    make_user("staff", username="tam")
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/account")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/account?"' in login_page


def _move_back(user, **delta):
    """Pretend the attempts and the lock happened `delta` earlier."""
    shift = dt.timedelta(**delta)
    db.session.commit()
    for attempt in db.session.scalars(select(LoginAttempt).where(LoginAttempt.user_id == user.id)):
        attempt.attempted_at -= shift
    user = db.session.get(User, user.id)
    if user.locked_until is not None:
        user.locked_until -= shift
    db.session.commit()


def test_a_locked_account_and_an_unknown_name_answer_the_same(client, make_user):
    """Whether an account exists is never told by the answers: an unknown name is refused, and then
    locked, exactly as a known one is."""
    make_user("staff", username="real")
    answers = {}
    for name in ("real", "nobody-here"):
        responses = [fail(client, name) for _ in range(6)]
        answers[name] = [
            (r.status_code, re.sub(r'name="csrf_token"[^>]*', "", r.get_data(as_text=True))) for r in responses
        ]
    assert [status for status, _ in answers["real"]] == [401, 401, 401, 401, 429, 429]
    assert answers["real"] == [(status, page.replace("nobody-here", "real")) for status, page in answers["nobody-here"]]
    assert login(client, "nobody-here", PASSWORD).status_code == 429


def test_an_unknown_names_lock_ends_like_an_accounts(client, make_user):
    for _ in range(5):
        fail(client, "ghost")
    later = utcnow() + dt.timedelta(minutes=16)
    with clock_at(later):
        assert fail(client, "ghost").status_code == 401
