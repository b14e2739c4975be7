"""Sign-in, sign-out, failed sign-in, lock-out and every administration change are events of the
request that made them: the acting person, the record, the client's IP and the request id the
response carries. (What each event says in detail is tested in tests/auth and tests/admin; here:
that each change through the web is exactly its event(s), from that request.)"""

import itertools

import pytest
from sqlalchemy import select

from qms.auth.models import Unit, User
from qms.db import db
from tests.conftest import PASSWORD, csrf_token
from tests.core.support import events, head_seq, post

IP = "192.0.2.44"
_ids = itertools.count(1)


def send(client, path, data=None, page="/", status=None):
    """POST a form (CSRF token from `page`) from IP with a request id of its own; returns the
    response and the events it added. status: the expected status (default: any success)."""
    token = csrf_token(client, page)
    request_id = f"req-{next(_ids)}"
    before = head_seq()
    response = client.post(
        path,
        data={**(data or {}), "csrf_token": token},
        headers={"X-Request-ID": request_id},
        environ_base={"REMOTE_ADDR": IP},
    )
    assert response.status_code == status if status else response.status_code < 400, (
        path,
        response.status_code,
        response.get_data(as_text=True)[-3000:],
    )
    added = events(after=before)
    assert response.headers["X-Request-ID"] == request_id
    assert all((e["ip"], e["request_id"]) == (IP, request_id) for e in added), added
    return response, added


def actions(added):
    return [e["action"] for e in added]


def test_sign_in_failure_lock_out_and_sign_out_are_events_of_their_requests(app, make_user):
    user = make_user("staff", username="hoa")
    client = app.test_client()
    for _ in range(4):
        _, added = send(
            client, "/login", {"username": "hoa", "password": "Not-Her-Password-1"}, page="/login", status=401
        )
        assert actions(added) == ["auth.sign_in_failed"]
        assert (added[0]["actor_id"], added[0]["entity_id"]) == (None, str(user.id))
    _, added = send(client, "/login", {"username": "hoa", "password": "Not-Her-Password-1"}, page="/login", status=429)
    assert actions(added) == ["auth.sign_in_failed", "auth.locked_out"]

    # the administrator lifts the lock; then she signs in and out
    admin = make_user("administrator", commune=user.commune, username="quan_tri")
    admin_client = app.test_client()
    send(admin_client, "/login", {"username": "quan_tri", "password": PASSWORD}, page="/login")
    _, added = send(admin_client, f"/admin/users/{user.id}/unlock", page=f"/admin/users/{user.id}")
    assert actions(added) == ["user.unlocked"] and added[0]["actor_id"] == admin.id

    _, added = send(client, "/login", {"username": "hoa", "password": PASSWORD}, page="/login")
    assert actions(added) == ["auth.sign_in"] and added[0]["actor_id"] == user.id
    _, added = send(client, "/logout")
    assert actions(added) == ["auth.sign_out"] and added[0]["actor_id"] == user.id


def test_every_administration_change_is_its_event(app, world):
    admin = world["a"]["users"]["administrator"]
    staff = world["a"]["users"]["staff"]
    client = app.test_client()
    send(client, "/login", {"username": "a_administrator", "password": PASSWORD}, page="/login")
    unit = world["a"]["unit"]

    def change(path, data, page, expected, entity_type, entity_id=None):
        _, added = send(client, path, data, page)
        assert actions(added) == [expected], (path, added)
        event = added[0]
        assert (event["actor_id"], event["actor_name"]) == (admin.id, admin.full_name)
        assert event["commune_id"] == admin.commune_id and event["entity_type"] == entity_type
        if entity_id is not None:
            assert event["entity_id"] == str(entity_id)
        return event

    created = change(
        "/admin/users/new",
        {
            "username": "moi",
            "full_name": "Người Mới",
            "password": "Bien-Nhan-Tiep-2026",
            "roles": ["staff"],
            "locale": "vi",
        },
        "/admin/users/new",
        "user.created",
        "users",
    )
    new_user = db.session.scalar(select(User).where(User.username == "moi"))
    assert created["entity_id"] == str(new_user.id)
    change(
        f"/admin/users/{new_user.id}",
        {"full_name": "Người Mới Đổi Tên", "roles": ["staff", "leader"], "reason": "điều động"},
        f"/admin/users/{new_user.id}",
        "user.updated",
        "users",
        new_user.id,
    )
    change(
        f"/admin/users/{new_user.id}/password",
        {"new_password": "Ho-So-Mot-Cua-77", "reason": "quên"},
        f"/admin/users/{new_user.id}",
        "user.password_reset",
        "users",
        new_user.id,
    )
    change(
        f"/admin/users/{staff.id}/disable",
        {"reason": "nghỉ phép dài"},
        f"/admin/users/{staff.id}",
        "user.disabled",
        "users",
        staff.id,
    )
    change(f"/admin/users/{staff.id}/enable", {}, f"/admin/users/{staff.id}", "user.enabled", "users", staff.id)
    change("/admin/units", {"code": "VH", "name": "Phòng Văn hóa - Xã hội"}, "/admin/units", "unit.created", "units")
    culture = db.session.scalar(select(Unit).where(Unit.code == "VH"))
    change(
        f"/admin/units/{culture.id}",
        {"code": "VH", "name": "Phòng Văn hóa"},
        "/admin/units",
        "unit.updated",
        "units",
        culture.id,
    )
    change(f"/admin/units/{unit.id}/active", {"reason": "sáp nhập"}, "/admin/units", "unit.updated", "units", unit.id)


@pytest.mark.parametrize(
    "path, data, page",
    [
        ("/admin/users/new", {"username": "", "full_name": "", "password": ""}, "/admin/users/new"),
        ("/admin/units", {"code": "", "name": ""}, "/admin/units"),
    ],
)
def test_a_refused_administration_change_records_nothing(app, world, path, data, page):
    client = app.test_client()
    send(client, "/login", {"username": "a_administrator", "password": PASSWORD}, page="/login")
    before = head_seq()
    response = post(client, path, data, page=page)
    assert response.status_code == 400
    assert head_seq() == before
