"""Administration of accounts: create with roles and units, edit (old -> new in the trail), disable
(never delete), enable, unlock, reset passwords; administrators only, and only in their commune."""

import re

import pytest
from sqlalchemy import func, select

from qms.auth.models import User
from qms.auth.passwords import check_password
from qms.db import db
from tests.conftest import PASSWORD, login
from tests.core.support import events, fresh, head_seq, is_signed_in, post


@pytest.fixture
def admin_client(app, world):
    client = app.test_client()
    assert login(client, "a_administrator").status_code == 302
    return client


def new_user_form(world, **overrides):
    data = {
        "username": "thu",
        "full_name": "Lê Thị Thu",
        "email": "thu@example.vn",
        "password": "Bien-Nhan-2026",
        "roles": ["staff", "auditor"],
        "units": [str(world["a"]["unit"].id)],
        "locale": "vi",
    }
    data.update(overrides)
    return data


def find(username):
    db.session.commit()
    return db.session.scalar(select(User).where(User.username == username))


def test_an_administrator_creates_a_user_with_roles_and_units(admin_client, world):
    response = post(admin_client, "/admin/users/new", new_user_form(world), page="/admin/users/new")
    user = find("thu")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.commune_id == world["a"]["commune"].id
    assert user.role_codes == {"staff", "auditor"} and [u.id for u in user.units] == [world["a"]["unit"].id]
    assert user.password_hash.startswith("$argon2id$") and check_password(user.password_hash, "Bien-Nhan-2026")
    [event] = events("user.created")[-1:]
    assert event["actor_id"] == world["a"]["users"]["administrator"].id
    assert event["changes"]["roles"] == [None, ["auditor", "staff"]]
    assert event["changes"]["units"] == [None, [world["a"]["unit"].code]]
    assert "Bien-Nhan-2026" not in str(event)
    new_client = admin_client.application.test_client()
    assert login(new_client, "thu", "Bien-Nhan-2026").status_code == 302


@pytest.mark.parametrize(
    "overrides",
    [
        {"password": "short-1"},
        {"password": "password123"},
        {"username": "a_staff"},
        {"username": "has space"},
        {"full_name": ""},
        {"email": "not-an-address"},
        {"roles": ["superuser"]},
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(admin_client, world, overrides):
    before = db.session.scalar(select(func.count()).select_from(User))
    seq = head_seq()
    response = post(admin_client, "/admin/users/new", new_user_form(world, **overrides), page="/admin/users/new")
    assert response.status_code == 400
    assert 'class="invalid-feedback"' in response.get_data(as_text=True) or "text-danger" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert head_seq() == seq


def test_a_unit_of_another_commune_cannot_be_given(admin_client, world):
    response = post(
        admin_client,
        "/admin/users/new",
        new_user_form(world, units=[str(world["b"]["unit"].id)]),
        page="/admin/users/new",
    )
    assert response.status_code == 400
    assert find("thu") is None


def test_the_edit_page_shows_the_current_roles_and_units(admin_client, world):
    staff = world["a"]["users"]["staff"]
    html = admin_client.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked', html)
    values = {a or b for a, b in checked}
    assert values == {"staff", str(world["a"]["unit"].id)}
    assert 'value="A staff"' in html


def test_editing_roles_and_units_records_old_and_new(admin_client, world, make_unit):
    staff = world["a"]["users"]["staff"]
    second = make_unit(world["a"]["commune"], code="KT", name="Phòng Kinh tế")
    response = post(
        admin_client,
        f"/admin/users/{staff.id}",
        {"full_name": "A staff", "roles": ["staff", "leader"], "units": [str(second.id)], "reason": "new post"},
        page=f"/admin/users/{staff.id}",
    )
    assert response.status_code == 302
    user = fresh(staff)
    assert user.role_codes == {"staff", "leader"} and [u.code for u in user.units] == ["KT"]
    [event] = events("user.updated")
    assert event["changes"] == {"roles": [["staff"], ["leader", "staff"]], "units": [[world["a"]["unit"].code], ["KT"]]}
    assert event["reason"] == "new post" and event["entity_id"] == str(staff.id)


def test_saving_without_changes_records_nothing(admin_client, world):
    staff = world["a"]["users"]["staff"]
    post(
        admin_client,
        f"/admin/users/{staff.id}",
        {"full_name": "A staff", "roles": ["staff"], "units": [str(world["a"]["unit"].id)]},
        page=f"/admin/users/{staff.id}",
    )
    assert events("user.updated") == []


def test_an_administrator_cannot_remove_their_own_administrator_role(admin_client, world):
    admin = world["a"]["users"]["administrator"]
    response = post(
        admin_client,
        f"/admin/users/{admin.id}",
        {"full_name": "A administrator", "roles": ["staff"]},
        page=f"/admin/users/{admin.id}",
    )
    assert response.status_code == 400
    assert fresh(admin).role_codes == {"administrator"}


def test_disable_then_enable_keeps_the_account_and_its_history(admin_client, world):
    staff = world["a"]["users"]["staff"]
    response = post(admin_client, f"/admin/users/{staff.id}/disable", {"reason": "left"}, page="/admin/users")
    assert response.status_code == 302
    assert fresh(staff) is not None and not fresh(staff).is_active_account
    assert login(admin_client.application.test_client(), "a_staff").status_code == 403
    post(admin_client, f"/admin/users/{staff.id}/enable", {"reason": "came back"}, page="/admin/users")
    assert fresh(staff).is_active_account
    assert [e["action"] for e in events() if e["action"] in ("user.disabled", "user.enabled")] == [
        "user.disabled",
        "user.enabled",
    ]
    assert login(admin_client.application.test_client(), "a_staff").status_code == 302


def test_an_administrator_cannot_disable_themself(admin_client, world):
    admin = world["a"]["users"]["administrator"]
    post(admin_client, f"/admin/users/{admin.id}/disable", page="/admin/users")
    assert fresh(admin).is_active_account
    assert is_signed_in(admin_client)
    assert events("user.disabled") == []


def test_resetting_a_password(admin_client, world):
    staff = world["a"]["users"]["staff"]
    weak = post(
        admin_client, f"/admin/users/{staff.id}/password", {"new_password": "12345"}, page=f"/admin/users/{staff.id}"
    )
    assert weak.status_code == 400 and check_password(fresh(staff).password_hash, PASSWORD)
    done = post(
        admin_client,
        f"/admin/users/{staff.id}/password",
        {"new_password": "Mat-Khau-Moi-2026", "reason": "forgotten"},
        page=f"/admin/users/{staff.id}",
    )
    assert done.status_code == 302
    app = admin_client.application
    assert login(app.test_client(), "a_staff", PASSWORD).status_code == 401
    assert login(app.test_client(), "a_staff", "Mat-Khau-Moi-2026").status_code == 302
    [event] = events("user.password_reset")
    assert event["reason"] == "forgotten" and "Mat-Khau-Moi-2026" not in str(event)


def test_unlocking_a_locked_account(admin_client, world):
    app = admin_client.application
    attacker = app.test_client()
    for _ in range(5):
        login(attacker, "a_staff", "Wrong-Password-00")
    staff = world["a"]["users"]["staff"]
    assert fresh(staff).is_locked()
    page = admin_client.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    assert 'id="unlock-form"' in page and 'id="locked-until"' in page
    assert post(admin_client, f"/admin/users/{staff.id}/unlock", page="/admin/users").status_code == 302
    assert not fresh(staff).is_locked()
    assert login(app.test_client(), "a_staff").status_code == 302
    assert fail_once_more_is_not_a_lock(app)
    assert [e["entity_id"] for e in events("user.unlocked")] == [str(staff.id)]


def fail_once_more_is_not_a_lock(app):
    """The failures that caused the lock no longer count after an unlock."""
    return login(app.test_client(), "a_staff", "Wrong-Password-00").status_code == 401


def test_unlocking_an_account_that_is_not_locked_changes_nothing(admin_client, world):
    staff = world["a"]["users"]["staff"]
    seq = head_seq()
    post(admin_client, f"/admin/users/{staff.id}/unlock", page="/admin/users")
    assert head_seq() == seq


def test_the_user_list_shows_only_the_administrators_commune(admin_client, world):
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert all(f'id="user-{u.id}"' in html for u in world["a"]["users"].values())
    assert not any(f'id="user-{u.id}"' in html for u in world["b"]["users"].values())


@pytest.mark.parametrize("action", ["", "/disable", "/enable", "/unlock", "/password"])
def test_another_communes_user_is_not_found(admin_client, world, action):
    other = world["b"]["users"]["staff"]
    seq = head_seq()
    if action:
        response = post(
            admin_client, f"/admin/users/{other.id}{action}", {"new_password": "Another-Secret-11"}, page="/admin/users"
        )
    else:
        response = admin_client.get(f"/admin/users/{other.id}")
    assert response.status_code == 404
    assert head_seq() == seq and fresh(other).is_active_account


@pytest.mark.parametrize("role", ["quality_officer", "leader", "staff", "auditor"])
def test_only_administrators_reach_the_administration_pages(app, world, role):
    client = app.test_client()
    login(client, f"a_{role}")
    staff = world["a"]["users"]["staff"]
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/units").status_code == 403
    seq = head_seq()
    assert post(client, f"/admin/users/{staff.id}/disable").status_code == 403
    assert head_seq() == seq and fresh(staff).is_active_account
    assert 'href="/admin/users"' not in client.get("/").get_data(as_text=True)


def test_a_post_without_csrf_token_changes_nothing(admin_client, world):
    staff = world["a"]["users"]["staff"]
    seq = head_seq()
    response = admin_client.post(f"/admin/users/{staff.id}/disable", data={"reason": "x"})
    assert response.status_code == 400
    assert fresh(staff).is_active_account and head_seq() == seq
