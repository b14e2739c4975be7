"""Units are data: the administrator adds, renames and deactivates them; each change is an event."""

import pytest
from sqlalchemy import select

from qms.auth.models import Unit
from qms.db import db
from tests.conftest import login
from tests.core.support import events, fresh, head_seq, post


@pytest.fixture
def admin_client(app, world):
    client = app.test_client()
    assert login(client, "a_administrator").status_code == 302
    return client


def test_adding_a_unit(admin_client, world):
    response = post(admin_client, "/admin/units", {"code": "KT", "name": "Phòng Kinh tế"}, page="/admin/units")
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "KT"))
    assert unit.commune_id == world["a"]["commune"].id and unit.is_active and not unit.is_one_stop
    assert events("unit.created")[-1]["changes"]["name"] == [None, "Phòng Kinh tế"]
    assert 'value="Phòng Kinh tế"' in admin_client.get("/admin/units").get_data(as_text=True)


def test_a_code_is_unique_within_the_commune(admin_client, world):
    seq = head_seq()
    response = post(admin_client, "/admin/units", {"code": world["a"]["unit"].code, "name": "Bis"}, page="/admin/units")
    assert response.status_code == 400 and head_seq() == seq
    other_commune = post(
        admin_client, "/admin/units", {"code": world["b"]["unit"].code, "name": "Riêng"}, page="/admin/units"
    )
    assert other_commune.status_code == 302


def test_renaming_and_deactivating_a_unit(admin_client, world):
    unit = world["a"]["unit"]
    post(admin_client, f"/admin/units/{unit.id}", {"code": unit.code, "name": "Trung tâm PVHCC"}, page="/admin/units")
    assert fresh(unit).name == "Trung tâm PVHCC" and not fresh(unit).is_one_stop
    [renamed] = events("unit.updated")
    assert renamed["changes"]["name"] == ["Trung tâm Phục vụ hành chính công", "Trung tâm PVHCC"]
    post(admin_client, f"/admin/units/{unit.id}/active", page="/admin/units")
    assert not fresh(unit).is_active
    assert events("unit.updated")[-1]["changes"] == {"is_active": [True, False]}


@pytest.mark.parametrize("suffix", ["", "/active"])
def test_another_communes_unit_is_not_found(admin_client, world, suffix):
    unit = world["b"]["unit"]
    seq = head_seq()
    response = post(
        admin_client, f"/admin/units/{unit.id}{suffix}", {"code": unit.code, "name": "Taken over"}, page="/admin/units"
    )
    assert response.status_code == 404
    assert head_seq() == seq and fresh(unit).name != "Taken over" and fresh(unit).is_active
