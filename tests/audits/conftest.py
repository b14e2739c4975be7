"""Fixtures of the internal-audit tests: commune A of the procedures' tests (tests.processes.conftest:
a quality officer, a second one, a leader, staff, an auditor, and the procedures 1.001193 on QT-07 and
2.000884 on QT-10), with an office unit and two staff members in it who audit (Kiểm, Tra); `plan`
adds an audit with sensible defaults; `approved` is the year's programme with one audit, approved by
the leader."""

import datetime as dt

import pytest

from qms.audits import services
from qms.db import db
from tests.conftest import PASSWORD
from tests.dossiers.conftest import procedure, receive, vn  # noqa: F401  (fixtures)
from tests.nonconformities.conftest import People
from tests.processes.conftest import catalogue, people  # noqa: F401  (fixtures)

YEAR = 2026


@pytest.fixture
def audit_world(catalogue, make_unit, make_user):  # noqa: F811
    office = make_unit(catalogue.commune, code="VP", name="Văn phòng HĐND và UBND")
    kiem = make_user("staff", commune=catalogue.commune, username="a_kiem", full_name="Phạm Văn Kiểm", units=[office])
    tra = make_user("staff", commune=catalogue.commune, username="a_tra", full_name="Đỗ Thu Tra", units=[office])
    return People(
        **catalogue,
        office=office,
        kiem=kiem,
        tra=tra,
        birth=procedure("1.001193"),
        certification=procedure("2.000884"),
    )


@pytest.fixture
def plan(audit_world):
    """plan(**fields): an audit added to the YEAR programme by the quality officer, committed."""

    def factory(commit=True, **fields):
        w = audit_world
        programme = services.programme_for(w.qo, w.commune, YEAR)
        values = {
            "title": "Đánh giá quy trình chứng thực",
            "clauses": ["8.5", "7.5"],
            "planned_start": dt.date(YEAR, 3, 10),
            "planned_end": dt.date(YEAR, 3, 11),
            "lead_auditor": w.kiem,
            "team": [w.tra],
            "procedures": [w.certification],
            "criteria": "TCVN ISO 9001:2015; QT-10",
        }
        values.update(fields)
        audit = services.add_audit(w.qo, programme, **values)
        if commit:
            db.session.commit()
        return audit

    return factory


@pytest.fixture
def approved(audit_world, plan):
    """The YEAR programme with one audit (ĐGNB-2026-01), approved by the leader: (programme, signature)."""
    audit = plan()
    signature = services.approve_programme(audit_world.leader, audit.programme, PASSWORD)
    db.session.commit()
    return audit.programme, signature


@pytest.fixture
def start(audit_world):
    """start(audit): the programme approved by the leader (when it is not), the plan signed by the lead
    auditor and approved by the leader, and the audit started by its lead auditor, committed."""

    def starter(audit):
        w = audit_world
        if not services.approval_holds(audit.programme):
            services.approve_programme(w.leader, audit.programme, PASSWORD)
        lead = db.session.get(type(w.leader), audit.lead_auditor_id)
        services.sign_plan(lead, audit, PASSWORD)
        services.approve_plan(w.leader, audit, PASSWORD)
        services.start_audit(lead, audit)
        db.session.commit()
        return audit

    return starter


@pytest.fixture
def started(approved, start):
    """The approved programme's audit (ĐGNB-2026-01), its plan signed and approved, in progress."""
    return start(approved[0].audits[0])
