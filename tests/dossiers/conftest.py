"""Fixtures of dossier handling: the procedures' catalogue of commune A (tests.processes.conftest:
1.001193 birth registration, same day with a 15:00 cut-off, four steps; 2.000884 signature
certification, 2 working days, two steps) and a factory of dossiers received at a given time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qms.core.calendar import clock_at
from qms.db import db
from qms.dossiers import services
from qms.processes.models import Procedure
from tests.processes.conftest import catalogue, people  # noqa: F401  (fixtures)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args):
    """A moment in Vietnam time: vn(2026, 12, 7, 9, 30)."""
    return dt.datetime(*args, tzinfo=VN)


def procedure(code):
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


@pytest.fixture
def receive(catalogue):  # noqa: F811
    """receive(at, code="2.000884", **fields): a dossier received by staff at `at`, committed."""

    def factory(at, code="2.000884", by=None, **fields):
        values = {"channel": "in_person", "applicant_name": "Nguyễn Văn An", "applicant_phone": "0912 345 678"}
        values.update(fields)
        with clock_at(at):
            dossier = services.receive_dossier(
                by or catalogue.staff, catalogue.commune, procedure=procedure(code), **values
            )
            db.session.commit()
        return dossier

    return factory
