"""Several communes per installation: the installation's administrator adds a commune with its own
administrator (page and `qms commune create`); bad input changes nothing."""

import pytest
from sqlalchemy import func, select

from qms.auth.models import Commune, User
from qms.cli import main
from qms.db import db
from tests.conftest import login
from tests.core.support import events, post, signed_in_client

NEW = {
    "code": "XA-TANLAP",
    "name": "UBND xã Tân Lập",
    "admin_username": "quantri.tanlap",
    "admin_full_name": "Lý Thị Quản",
    "admin_password": "Tan-Lap-Quan-Tri-2026",
}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_installation_administrator_adds_a_commune_with_its_administrator(app, make_user):
    make_user("installation_admin", username="sysadmin", locale="en")
    client = signed_in_client(app, "sysadmin")
    response = post(client, "/installation/communes", NEW, page="/installation/communes")
    assert response.status_code == 303
    page = client.get("/installation/communes").get_data(as_text=True)
    assert "UBND xã Tân Lập" in page and "XA-TANLAP" in page
    commune = db.session.scalar(select(Commune).where(Commune.code == "XA-TANLAP"))
    administrator = db.session.scalar(select(User).where(User.username == "quantri.tanlap"))
    assert administrator.commune_id == commune.id and administrator.role_codes == {"administrator"}
    assert [e["action"] for e in events() if e["commune_id"] == commune.id] == ["commune.created", "user.created"]
    newcomer = app.test_client()
    assert login(newcomer, "quantri.tanlap", NEW["admin_password"]).status_code == 302
    assert newcomer.get("/admin/users").status_code == 200


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"code": "XÃ TÂN LẬP"}, "letters, digits"),
        ({"admin_password": "short"}, "at least 10 characters"),
        ({"name": "   "}, "Enter a name"),
    ],
)
def test_bad_input_is_refused_under_its_field_and_changes_nothing(app, make_user, change, field_message):
    make_user("installation_admin", username="sysadmin", locale="en")
    client = signed_in_client(app, "sysadmin")
    users, communes = _count(User), _count(Commune)
    response = post(client, "/installation/communes", {**NEW, **change}, page="/installation/communes")
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert (_count(User), _count(Commune)) == (users, communes)


def test_a_taken_administrator_name_leaves_no_commune_behind(app, make_user):
    make_user("installation_admin", username="sysadmin", locale="en")
    make_user("staff", username="quantri.tanlap")
    client = signed_in_client(app, "sysadmin")
    communes = _count(Commune)
    response = post(client, "/installation/communes", NEW, page="/installation/communes")
    assert response.status_code == 409 and "already taken" in response.get_data(as_text=True)
    assert _count(Commune) == communes


def test_the_command_adds_a_commune(app, runner):
    result = runner.invoke(main, ["commune", "create", "XA-ANBINH", "UBND xã An Bình"], input="An-Binh-Quan-Tri-2026\n")
    assert result.exit_code == 0, result.output + result.stderr
    assert "admin.xa-anbinh" in result.output
    administrator = db.session.scalar(select(User).where(User.username == "admin.xa-anbinh"))
    assert administrator.full_name == "Quản trị UBND xã An Bình" and administrator.commune.code == "XA-ANBINH"
    again = runner.invoke(main, ["commune", "create", "xa-anbinh", "Một xã khác"], input="Another-Password-2026\n")
    assert again.exit_code == 1 and "Đã có xã với mã xa-anbinh" in again.stderr
    listed = runner.invoke(main, ["commune", "list"])
    assert "XA-ANBINH" in listed.output


def test_only_the_installation_administrator_sees_the_communes(app, make_user):
    make_user("administrator", username="commune_admin")
    assert signed_in_client(app, "commune_admin").get("/installation/communes").status_code == 403
