from tests.conftest import login


def test_sign_in_shows_home_in_vietnamese(client, make_user):
    make_user("staff", username="staff1")
    response = login(client, "staff1")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Đăng xuất" in page or "Sign out" in page
