"""Error pages in the user's language (Vietnamese by default), JSON errors under /api/v1, and an
unexpected failure that rolls back its transaction and shows a page instead of a traceback."""

import pytest
from sqlalchemy import select

from qms.auth.models import Unit
from qms.core.access import SIGNED_IN, allow, public
from qms.db import db
from tests.conftest import login


@pytest.fixture
def failing_app(make_app, make_commune):
    """An app with two extra routes: one that fails after writing a row, one that is public."""
    app = make_app()

    @allow(SIGNED_IN)
    def fail_after_write():
        commune = db.session.scalar(select(Unit.commune_id).limit(1))
        db.session.add(Unit(commune_id=commune, code="HALF", name="Half written"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/test-fails", "test_fails", fail_after_write)
    app.add_url_rule("/api/v1/test-fails", "api_test_fails", public(lambda: 1 / 0))
    return app


def _page(client, path):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_not_found_and_forbidden_pages_are_in_vietnamese(client, make_user):
    make_user("staff", username="nhanvien")
    login(client, "nhanvien")
    status, html = _page(client, "/no-such-page")
    assert status == 404 and "Trang hoặc dữ liệu được yêu cầu không tồn tại." in html and 'lang="vi"' in html
    status, html = _page(client, "/admin/users")
    assert status == 403 and "Bạn không có quyền thực hiện thao tác này." in html


def test_error_pages_follow_the_users_language(client, make_user):
    make_user("staff", username="english", locale="en")
    login(client, "english")
    status, html = _page(client, "/no-such-page")
    assert status == 404 and "The page or record you asked for does not exist." in html


def test_an_unexpected_failure_shows_the_500_page_and_writes_nothing(failing_app, make_unit, make_user, world):
    client = failing_app.test_client()
    login(client, "a_staff")
    status, html = _page(client, "/test-fails")
    assert status == 500
    assert "Hệ thống gặp sự cố. Lỗi đã được ghi nhận" in html and "Traceback" not in html and "boom" not in html
    assert db.session.scalar(select(Unit).where(Unit.code == "HALF")) is None


def test_api_errors_are_json_with_a_code_and_a_message(failing_app, client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = failing_app.test_client().get("/api/v1/test-fails")
    assert response.status_code == 500
    assert response.get_json() == {"error": "server_error", "message": response.get_json()["message"]}
    assert response.get_json()["message"]
    response = client.post("/api/v1/me")
    assert response.status_code in (401, 405) and "error" in response.get_json()
