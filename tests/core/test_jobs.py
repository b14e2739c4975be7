"""Jobs: what the system does by itself. A version approved for a later date comes into force on
that date through the job, with its audit event by the system, and never because a page was read."""

import datetime as dt
import time

from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.core.jobs import jobs, run_jobs, start_scheduler
from qms.db import db
from qms.documents import services
from qms.documents.models import DocumentVersion, VersionStatus
from tests.conftest import PASSWORD
from tests.core.support import signed_in_client
from tests.files.samples import docx_bytes

VN = dt.timezone(dt.timedelta(hours=7))


def _approved_for(world, day):
    a = world["a"]
    qo, leader = a["users"]["quality_officer"], a["users"]["leader"]
    document = services.create_document(qo, a["commune"], code="QT-05", title="Quy trình", kind="procedure")
    version = services.create_draft_version(qo, document, filename="qt.docx", data=docx_bytes("QT-05"))
    services.submit_for_review(qo, version)
    services.review_version(leader, version, password=PASSWORD)
    db.session.commit()
    approver = _second_quality_officer(world)
    services.approve_version(approver, version, password=PASSWORD, effective_date=day, today=day - dt.timedelta(days=9))
    db.session.commit()
    return version


def _second_quality_officer(world):
    from qms.auth.services import create_user

    user = create_user(
        None,
        world["a"]["commune"],
        username="a_qo_b",
        full_name="Người phê duyệt",
        password=PASSWORD,
        roles=["quality_officer"],
    )
    db.session.commit()
    return user


def _status(version_id):
    db.session.expire_all()
    return db.session.get(DocumentVersion, version_id).status


def test_a_version_comes_into_force_on_its_date_through_the_job_not_a_page(app, world):
    day = dt.date(2031, 3, 10)
    version = _approved_for(world, day)
    assert version.status is VersionStatus.approved
    with clock_at(dt.datetime(2031, 3, 10, 8, 0, tzinfo=VN)):
        reader = signed_in_client(app, "a_staff")
        assert reader.get("/").status_code == 200
        assert reader.get("/documents/forms").status_code == 200
        assert _status(version.id) is VersionStatus.approved  # reading changes nothing
        results = run_jobs(app, ["documents.activate_due"])
    assert results == [("documents.activate_due", "1 version(s) made effective", None)]
    assert _status(version.id) is VersionStatus.effective
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.effective"))
    assert event.actor_id is None and event.ip == "job"


def test_the_day_before_nothing_happens(app, world):
    version = _approved_for(world, dt.date(2031, 3, 10))
    with clock_at(dt.datetime(2031, 3, 9, 23, 59, tzinfo=VN)):
        assert run_jobs(app, ["documents.activate_due"])[0][1] == "0 version(s) made effective"
    assert _status(version.id) is VersionStatus.approved


def test_qms_serve_runs_the_jobs_in_the_background(app, world):
    version = _approved_for(world, dt.date(2031, 3, 10))
    with clock_at(dt.datetime(2031, 3, 10, 0, 5, tzinfo=VN)):
        thread = start_scheduler(app, every_minutes=60)
        for _ in range(100):
            if _status(version.id) is VersionStatus.effective:
                break
            time.sleep(0.05)
        thread.stop.set()
        thread.join(5)
    assert _status(version.id) is VersionStatus.effective


def test_every_job_is_listed_with_what_it_does(app):
    names = {job.name: job.description for job in jobs()}
    assert {"documents.activate_due", "auth.end_expired_sessions"} <= set(names)
    assert all(names.values())
