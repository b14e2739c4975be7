"""Fixtures of the feedback-box tests: the `world`'s two communes, a citizen's browser that sends
feedback as the public page does, and items received through the service."""

import datetime as dt
import itertools

import pytest

from qms.core.calendar import utcnow
from qms.db import db
from qms.feedback import services
from tests.conftest import csrf_token
from tests.core.support import IsolatedClient

_n = itertools.count(1)
ADDRESS = "203.0.113.7"


@pytest.fixture
def client_class():
    """Test clients whose requests each get their own app context, as in production."""
    return IsolatedClient


def stamp(app, seconds_ago=60):
    """The signed time of a form shown `seconds_ago` (a person took that long to write)."""
    with app.app_context():
        return services.form_stamp(utcnow() - dt.timedelta(seconds=seconds_ago))


def send(app, client, commune_code, *, seconds_ago=60, address=ADDRESS, **fields):
    """Open the public page, then send it as a person would (after `seconds_ago`), from `address`."""
    path = f"/feedback?commune={commune_code}"
    data = {
        "csrf_token": csrf_token(client, path),
        "kind": "complaint",
        "message": f"Chờ ở quầy tiếp nhận hơn một giờ (lần {next(_n)}).",
        "shown_at": stamp(app, seconds_ago),
        **fields,
    }
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def make_item(app, world):
    """An item of commune "a" received through the service (with contact details), committed."""

    def factory(side="a", **kw):
        values = {
            "kind": "complaint",
            "message": "Cán bộ hẹn trả kết quả nhưng đến ngày hẹn chưa có.",
            "name": "Nguyễn Văn Dân",
            "phone": "0912 345 678",
            "email": "dan@example.vn",
            "dossier_code": "000.00.31.H01-261201-0003",
            "client_address": f"198.51.100.{next(_n)}",
            "form_stamp_value": stamp(app),
        }
        values.update(kw)
        item = services.receive_feedback(world[side]["commune"], **values)
        db.session.commit()
        return item

    return factory
