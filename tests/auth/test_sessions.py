"""Server-side sessions: sign-out ends them (a copied cookie stops working), disabling an account
ends them at the next request and revokes its tokens, and an idle session times out."""

import datetime as dt

from sqlalchemy import select

from qms.auth import services
from qms.auth.models import ApiToken, AuthSession
from qms.cli import main
from qms.core.calendar import clock_at, utcnow
from qms.db import db
from tests.conftest import login
from tests.core.support import events, fresh, is_signed_in, post, session_cookie, signed_in_client


def test_sign_out_ends_the_session_on_the_server(app, make_user):
    user = make_user("staff", username="an")
    client = signed_in_client(app, "an")
    copied = session_cookie(client)
    response = post(client, "/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_signed_in(client)

    replay = app.test_client()
    replay.set_cookie("qms_session", copied)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert db.session.scalar(select(AuthSession).where(AuthSession.user_id == user.id)).ended_at is not None
    [event] = events("auth.sign_out")
    assert event["actor_id"] == user.id


def test_a_copied_cookie_works_while_the_session_is_open(app, make_user):
    """The control for the test above: the replayed cookie is refused because of the sign-out."""
    make_user("staff", username="binh")
    client = signed_in_client(app, "binh")
    replay = app.test_client()
    replay.set_cookie("qms_session", session_cookie(client))
    assert is_signed_in(replay)


def test_sign_out_only_by_post(app, make_user):
    make_user("staff", username="chau")
    client = signed_in_client(app, "chau")
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_each_sign_in_has_its_own_session(app, make_user):
    make_user("staff", username="dao")
    office, phone = signed_in_client(app, "dao"), signed_in_client(app, "dao")
    post(office, "/logout")
    assert is_signed_in(phone) and not is_signed_in(office)


def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens(app, make_user):
    admin = make_user("administrator", username="admin1")
    user = make_user("staff", username="em", commune=admin.commune)
    _token, plain = services.create_api_token(user, user, "laptop")
    db.session.commit()
    client = signed_in_client(app, "em")
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200

    services.disable_user(admin, user, reason="moved to another commune")
    db.session.commit()

    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))
    assert all(s.ended_at is not None for s in db.session.scalars(select(AuthSession)))
    [event] = events("user.disabled")
    assert event["actor_id"] == admin.id and event["changes"] == {"is_active": [True, False]}
    assert event["reason"] == "moved to another commune"


def test_a_disabled_account_is_signed_out_even_if_its_session_row_is_open(app, make_user):
    """Disabling ends sessions; should a session row survive (another worker's race), the account
    flag alone still refuses the next request."""
    user = make_user("staff", username="giao")
    client = signed_in_client(app, "giao")
    user = fresh(user)
    user.is_active_account = False
    db.session.commit()
    assert not is_signed_in(client)


def test_an_idle_session_times_out_after_30_minutes(app, make_user):
    user = make_user("staff", username="hai")
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "hai")
    with clock_at(start + dt.timedelta(minutes=29)):
        assert is_signed_in(client)  # the visit moves the cookie's last activity on
    with clock_at(start + dt.timedelta(minutes=29 + 31)):
        response = client.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        assert events("auth.session_expired") == []  # reading a page writes nothing
        login(client, "hai")  # signing in again in this browser ends the idle session and says so
    [expired] = events("auth.session_expired")
    assert expired["entity_id"] == str(user.id) and expired["reason"] == "idle_timeout"
    sessions = list(
        db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id))
    )
    assert sessions[0].ended_at is not None and sessions[1].ended_at is None


def test_the_idle_timeout_is_configurable(make_app, make_user):
    make_user("staff", username="khanh")
    app = make_app(QMS_IDLE_TIMEOUT_MINUTES=5)
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "khanh")
    with clock_at(start + dt.timedelta(minutes=4)):
        assert is_signed_in(client)
    with clock_at(start + dt.timedelta(minutes=4 + 6)):
        assert not is_signed_in(client)


def test_activity_keeps_a_session_alive(app, make_user):
    make_user("staff", username="linh")
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "linh")
    for minutes in (20, 40, 60, 80):  # an hour and a half of work, never 30 minutes idle
        with clock_at(start + dt.timedelta(minutes=minutes)):
            assert is_signed_in(client)


def test_an_old_copy_of_the_cookie_is_idle_even_while_the_session_is_used(app, make_user):
    make_user("staff", username="loan")
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "loan")
        copied = session_cookie(client)
    with clock_at(start + dt.timedelta(minutes=25)):
        assert is_signed_in(client)
    with clock_at(start + dt.timedelta(minutes=45)):
        assert is_signed_in(client)
        replay = app.test_client()
        replay.set_cookie("qms_session", copied)
        assert not is_signed_in(replay)


def test_a_session_ends_after_its_lifetime_however_active(make_app, make_user, runner):
    user = make_user("staff", username="luong")
    app = make_app(QMS_SESSION_LIFETIME_HOURS=2)
    start = utcnow()
    with clock_at(start):
        client = signed_in_client(app, "luong")
    for minutes in range(20, 120, 20):
        with clock_at(start + dt.timedelta(minutes=minutes)):
            assert is_signed_in(client)
    with clock_at(start + dt.timedelta(minutes=121)), app.app_context():
        assert not is_signed_in(client)
        result = app.test_cli_runner().invoke(main, ["jobs", "run", "auth.end_expired_sessions"])
    assert result.exit_code == 0 and "1 session(s)" in result.output, result.output
    [expired] = events("auth.session_expired")
    assert expired["entity_id"] == str(user.id) and expired["reason"] == "session_lifetime"


def test_the_session_lifetime_is_twelve_hours_by_default(app):
    assert app.config["QMS_SESSION_LIFETIME_HOURS"] == 12


def test_resetting_a_password_ends_the_users_sessions(app, make_user):
    user = make_user("staff", username="minh")
    client = signed_in_client(app, "minh")
    services.reset_password(None, fresh(user), "A-Whole-New-Secret-9", reason="forgotten")
    db.session.commit()
    assert not is_signed_in(client)
