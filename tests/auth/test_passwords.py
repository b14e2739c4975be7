"""The password policy (at least 10 characters, not a common password) and argon2id hashes."""

import os
import sys
import threading

import pytest
from argon2 import PasswordHasher

from qms.auth import services
from qms.auth.models import User
from qms.auth.passwords import HASHING_NICENESS, check_password, check_policy, hash_password
from qms.db import DomainError, db
from tests.conftest import PASSWORD, login
from tests.core.support import events, fresh, is_signed_in, post, signed_in_client


@pytest.mark.parametrize("password", ["Short-Pw9", "", "abcdefghi"])
def test_passwords_shorter_than_ten_characters_are_refused(app, password):
    with pytest.raises(DomainError) as refused:
        check_policy(password, "someone")
    assert refused.value.code == "weak_password"


def test_ten_characters_are_enough(app):
    assert check_policy("Xk#9vTq!2m", "someone") is None  # accepted: no refusal raised
    with pytest.raises(DomainError) as refused:
        check_policy("Xk#9vTq!2", "someone")  # one character less
    assert refused.value.code == "weak_password"


@pytest.mark.parametrize("password", ["qwertyuiop", "1234567890", "password123", "PASSWORD123", "1q2w3e4r5t"])
def test_common_passwords_are_refused_whatever_their_case(app, password):
    with pytest.raises(DomainError) as refused:
        check_policy(password, "someone")
    assert refused.value.code == "weak_password"


def test_a_password_containing_the_user_name_is_refused(app):
    with pytest.raises(DomainError):
        check_policy("Nguyenvana-2026", "NguyenVanA")
    check_policy("Ngu-yen-van-2026", "qo")  # two letters turn up by chance: not checked


def test_the_minimum_length_is_configurable(make_app):
    app = make_app(QMS_PASSWORD_MIN_LENGTH=14)
    with app.app_context():
        with pytest.raises(DomainError):
            check_policy("Xk#9vTq!2m-ab", "someone")
        check_policy("Xk#9vTq!2m-abc", "someone")


def test_create_user_stores_an_argon2id_hash_never_the_password(app, make_commune):
    commune = make_commune()
    user = services.create_user(None, commune, username="lan", full_name="Trần Thị Lan", password=PASSWORD)
    db.session.commit()
    stored = fresh(user).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert check_password(stored, PASSWORD)
    assert not check_password(stored, PASSWORD + "x")
    created = events("user.created")[-1]
    assert PASSWORD not in str(created)


def test_create_user_refuses_a_weak_password_and_creates_nothing(app, make_commune):
    commune = make_commune()
    with pytest.raises(DomainError):
        services.create_user(None, commune, username="lan", full_name="Lan", password="123456789")
    db.session.rollback()
    assert services.find_user("lan") is None


def test_a_hash_made_with_old_parameters_is_renewed_at_sign_in(make_app, make_user):
    user = make_user("staff", username="hoa")
    old = fresh(user).password_hash
    stronger = make_app(QMS_ARGON2_MEMORY_KIB=2048)
    response = login(stronger.test_client(), "hoa")
    assert response.status_code == 302
    renewed = fresh(user).password_hash
    assert renewed != old and renewed.startswith("$argon2id$")
    assert not PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1).check_needs_rehash(renewed)


def test_users_change_their_own_password_within_the_policy(client, make_user):
    user = make_user("staff", username="minh", locale="en")
    login(client, "minh")
    weak = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "abc12345", "confirm": "abc12345"},
        page="/account",
    )
    assert weak.status_code == 400
    assert check_password(fresh(user).password_hash, PASSWORD)
    wrong = post(
        client,
        "/account/password",
        {"current_password": "not-my-password", "new_password": "Brand-New-Secret-7", "confirm": "Brand-New-Secret-7"},
        page="/account",
    )
    assert wrong.status_code == 400
    done = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "Brand-New-Secret-7", "confirm": "Brand-New-Secret-7"},
        page="/account",
    )
    assert done.status_code == 302
    assert check_password(fresh(user).password_hash, "Brand-New-Secret-7")
    assert [e["entity_id"] for e in events("user.password_changed")] == [str(user.id)]
    assert db.session.get(User, user.id).password_changed_at is not None


def _change(client, current, new="Brand-New-Secret-7"):
    return post(
        client, "/account/password", {"current_password": current, "new_password": new, "confirm": new}, page="/account"
    )


def test_wrong_current_passwords_count_toward_the_lockout(app, client, make_user):
    """The change-password form is no way round the lock-out: each wrong current password counts like
    a failed sign-in, and at the limit the account is locked (signing in is refused too)."""
    user = make_user("staff", username="nga", locale="en")
    login(client, "nga")
    for _ in range(app.config["QMS_LOCKOUT_ATTEMPTS"] - 1):
        response = _change(client, "guess-" + "x" * 8)
        assert response.status_code == 400 and "The current password is wrong." in response.get_data(as_text=True)
    response = _change(client, "guess-" + "y" * 8)
    assert "this account is locked" in response.get_data(as_text=True)
    assert fresh(user).is_locked()
    assert _change(client, PASSWORD).status_code == 400  # even the right one, while locked
    assert check_password(fresh(user).password_hash, PASSWORD)
    assert len(events("user.password_change_refused")) == app.config["QMS_LOCKOUT_ATTEMPTS"]
    assert [e["entity_id"] for e in events("auth.locked_out")] == [str(user.id)]
    other = app.test_client()
    assert login(other, "nga").status_code == 429


def test_changing_the_password_ends_the_other_sessions(app, make_user):
    make_user("staff", username="oanh", locale="en")
    office, phone = signed_in_client(app, "oanh"), signed_in_client(app, "oanh")
    assert _change(office, PASSWORD).status_code == 302
    assert is_signed_in(office) and not is_signed_in(phone)


def _priority():
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's priority is set on Linux only")
def test_argon2_runs_below_the_requests_priority_and_leaves_the_requests_as_it_was(app, monkeypatch):
    """A hash takes every core for a few hundred milliseconds: other requests must go first."""
    seen = []
    for name in ("hash", "verify"):
        real = getattr(PasswordHasher, name)

        def spy(self, *args, _real=real):
            seen.append((threading.get_native_id(), _priority()))
            return _real(self, *args)

        monkeypatch.setattr(PasswordHasher, name, spy)
    mine = _priority()
    stored = hash_password(PASSWORD)
    assert check_password(stored, PASSWORD)
    assert not check_password(stored, PASSWORD + "x")
    assert len(seen) == 3
    for thread, priority in seen:
        assert thread != threading.get_native_id()
        assert priority == min(mine + HASHING_NICENESS, 19)
    assert _priority() == mine


def test_an_unexpected_failure_of_argon2_reaches_the_caller(app, monkeypatch):
    def broken(self, *args):
        raise MemoryError("no memory for the hash")

    monkeypatch.setattr(PasswordHasher, "verify", broken)
    with pytest.raises(MemoryError, match="no memory for the hash"):
        check_password(PasswordHasher().hash(PASSWORD), PASSWORD)
