"""Personal API tokens on the account page: shown once, stored hashed, revocable, owner only."""

import hashlib
import re

import pytest
from sqlalchemy import select

from qms.auth import services
from qms.auth.models import ApiToken
from qms.db import DomainError, db
from tests.conftest import login
from tests.core.support import events, post


def bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


def test_a_token_is_shown_once_and_stored_hashed(client, make_user):
    user = make_user("staff", username="an")
    login(client, "an")
    response = post(client, "/account/tokens", {"name": "Excel report"}, page="/account")
    assert response.status_code == 201
    plain = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest() and plain not in token.token_hash
    assert plain not in client.get("/account").get_data(as_text=True)
    me = client.get("/api/v1/me", headers=bearer(plain))
    assert me.status_code == 200 and me.get_json()["username"] == "an"
    assert events("api_token.created")[0]["entity_id"] == str(token.id)
    assert user.id == token.user_id


def test_the_api_never_accepts_the_session_cookie(client, make_user):
    make_user("staff", username="binh")
    login(client, "binh")
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_a_revoked_token_stops_working(client, make_user):
    user = make_user("staff", username="chi")
    token, plain = services.create_api_token(user, user, "script")
    db.session.commit()
    login(client, "chi")
    response = post(client, f"/account/tokens/{token.id}/revoke", page="/account")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401
    assert [e["entity_id"] for e in events("api_token.revoked")] == [str(token.id)]


def test_nobody_revokes_someone_elses_token(client, make_user):
    owner = make_user("staff", username="dung")
    make_user("administrator", username="em", commune=owner.commune)
    token, plain = services.create_api_token(owner, owner, "script")
    db.session.commit()
    login(client, "em")
    assert post(client, f"/account/tokens/{token.id}/revoke", page="/account").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200


def test_a_disabled_account_gets_no_token(app, make_user):
    user = make_user("staff", username="giang")
    services.disable_user(None, user)
    with pytest.raises(DomainError):
        services.create_api_token(None, user, "x")
