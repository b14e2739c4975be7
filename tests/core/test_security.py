"""CSRF on every state-changing request, security headers on every response, and the session
cookie's flags (HttpOnly, SameSite=Lax, Secure over HTTPS, also behind a trusted reverse proxy)."""

import contextlib
import re

import pytest

from qms.auth import services
from qms.db import db
from tests.conftest import PASSWORD, csrf_token, login
from tests.core.support import events, head_seq, is_signed_in, post

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def session_set_cookie(response):
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("qms_session=")]
    return [part.strip().lower() for part in header.split(";")]


@pytest.fixture
def signed_in(client, make_user):
    make_user("staff", username="an")
    login(client, "an")
    return client


def test_a_post_without_csrf_token_is_rejected_and_changes_nothing(signed_in):
    seq = head_seq()
    response = signed_in.post("/language", data={"locale": "en"})
    assert response.status_code == 400
    assert head_seq() == seq
    response = signed_in.post("/logout")
    assert response.status_code == 400 and is_signed_in(signed_in)


def test_a_post_with_a_forged_csrf_token_is_rejected(signed_in):
    seq = head_seq()
    response = signed_in.post("/account/tokens", data={"name": "x", "csrf_token": "forged"})
    assert response.status_code == 400 and head_seq() == seq


def test_a_csrf_token_of_another_session_is_rejected(app, signed_in, make_user):
    make_user("staff", username="binh")
    other = app.test_client()
    login(other, "binh")
    foreign = csrf_token(other, "/")
    seq = head_seq()
    assert signed_in.post("/logout", data={"csrf_token": foreign}).status_code == 400
    assert head_seq() == seq and is_signed_in(signed_in)


@pytest.mark.parametrize(
    "path", ["/login", "/", "/static/qms.css", "/no-such-page", "/api/v1/openapi.json", "/api/v1/me"]
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    for header in HEADERS:
        assert response.headers.get(header), f"{path} lacks {header}"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_error_and_redirect_responses_carry_them_too(signed_in):
    for response in (signed_in.get("/admin/users"), signed_in.post("/logout", data={}), signed_in.get("/login")):
        assert response.status_code in (302, 400, 403)
        assert all(response.headers.get(h) for h in HEADERS)


def test_hsts_only_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_pages_are_not_cached_but_static_files_may_be(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/qms.css").headers.get("Cache-Control", "")


def test_the_session_cookie_is_httponly_and_samesite_lax_over_http(client, make_user):
    make_user("staff", username="chi")
    flags = session_set_cookie(login(client, "chi"))
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags


def test_the_session_cookie_is_secure_over_https(app, make_user):
    make_user("staff", username="dung")
    client = app.test_client()
    response = login_over(client, "https://localhost", "dung")
    flags = session_set_cookie(response)
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(make_app, make_user):
    make_user("staff", username="em")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = make_app().test_client()
    response = untrusted.get("/login", headers=forwarded)
    assert "Strict-Transport-Security" not in response.headers

    trusted = make_app(QMS_PROXY_FIX=True).test_client()
    assert "Strict-Transport-Security" in trusted.get("/login", headers=forwarded).headers
    token = csrf_token(trusted)
    response = trusted.post(
        "/login",
        data={"username": "em", "password": PASSWORD, "csrf_token": token},
        headers={**forwarded, "Referer": "https://localhost/login"},
    )
    assert "secure" in session_set_cookie(response)
    assert events("auth.sign_in")[-1]["ip"] == "203.0.113.9"


def test_the_proxy_setting_comes_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("QMS_PROXY_FIX", "1")
    assert make_app().config["QMS_PROXY_FIX"] is True


def test_no_page_can_be_framed_and_no_inline_script_runs(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "<script>" not in client.get("/login").get_data(as_text=True)


def test_over_https_a_post_from_another_site_is_rejected(app, make_user):
    make_user("staff", username="hoa")
    client = app.test_client()
    assert login_over(client, "https://localhost", "hoa", referer="https://evil.example/").status_code == 400
    assert login_over(client, "https://localhost", "hoa").status_code == 302


def login_over(client, base_url, username, password=PASSWORD, referer=None):
    """Sign in over `base_url`; over HTTPS Flask-WTF also checks that the Referer is this site,
    as a browser sends it."""
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login", base_url=base_url).get_data(as_text=True)
    ).group(1)
    return client.post(
        "/login",
        base_url=base_url,
        headers={"Referer": referer or f"{base_url}/login"},
        data={"username": username, "password": password, "csrf_token": token},
    )


def test_api_tokens_work_without_csrf_since_cookies_are_never_read_there(app, make_user):
    user = make_user("staff", username="giang")
    _token, plain = services.create_api_token(user, user, "x")
    db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


# --- input no database could store -------------------------------------------------------------


def test_a_nul_character_in_a_form_is_refused_with_a_message_and_changes_nothing(app, make_user):
    from qms.auth.models import User

    make_user("administrator", username="quantri")
    client = app.test_client()
    login(client, "quantri")
    seq = head_seq()
    response = post(
        client,
        "/admin/users/new",
        {"username": "moi", "full_name": "Nguyễn\x00Văn", "password": PASSWORD, "roles": "staff"},
        page="/admin/users/new",
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True) and 'lang="vi"' in response.get_data(as_text=True)
    assert head_seq() == seq and db.session.query(User).filter_by(username="moi").count() == 0


def test_a_nul_character_in_a_query_or_an_api_form_is_a_json_400(app, make_user):
    user = make_user("auditor", username="kiemtra")
    _token, plain = services.create_api_token(user, user)
    db.session.commit()
    response = app.test_client().get("/api/v1/audit-events?action=a%00b", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_character"


@pytest.mark.parametrize(
    "given, kept", [("abc-123_X.y", True), ("a b", False), ("x" * 65, False), ("<script>", False), ("", False)]
)
def test_a_request_id_from_a_proxy_is_kept_only_if_it_looks_like_one(client, given, kept):
    returned = client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert (returned == given) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", returned)


@contextlib.contextmanager
def _serving(app):
    """The app served by waitress as `qms serve` serves it, on a free port, for the block (which
    gets the base URL). The server is closed from its own loop: closed from here, its sockets
    would vanish under the loop's select() (EBADF in the server's thread)."""
    import threading

    from waitress import wasyncore
    from waitress.server import create_server

    from qms.cli import waitress_options

    server = create_server(app, **waitress_options(app, host="127.0.0.1", port=0, threads=2))
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        loop.join(timeout=10)
        server.task_dispatcher.shutdown()
        assert not loop.is_alive()


@pytest.mark.parametrize("proxy_fix", [True, False])
def test_qms_serve_behind_a_proxy_sees_https_as_gunicorn_does(make_app, proxy_fix):
    """waitress drops X-Forwarded-* unless told to keep them: with QMS_PROXY_FIX the application's
    ProxyFix must see them (HSTS and Secure cookies over the proxy's HTTPS), without it never."""
    import urllib.request

    app = make_app(QMS_PROXY_FIX=proxy_fix)
    with _serving(app) as base:
        request = urllib.request.Request(
            base + "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = response.headers
    assert ("Strict-Transport-Security" in headers) is proxy_fix


def test_downloads_are_never_stored_by_the_browser(app, make_user):
    """A file sent with send_file says no-cache (which lets a browser keep it on disk); every response
    but the static files says no-store."""
    import io

    from flask import send_file

    app.add_url_rule("/test-file", "test_file", lambda: send_file(io.BytesIO(b"x"), download_name="a.txt", max_age=0))
    app.view_functions["test_file"].qms_access = "public"
    assert app.test_client().get("/test-file").headers["Cache-Control"] == "no-store"
