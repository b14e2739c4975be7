"""Signing the chain's head without a shell: the daily job audit.checkpoint signs it when events were
recorded since the last checkpoint and that one is a day old; the quality officer (or administrator)
signs it now with a button on the trail's page; auditors see when it was last signed, and nobody signs
a broken chain."""

import datetime as dt

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from qms.audit import checkpoints
from qms.audit.models import AuditCheckpoint, AuditEvent
from qms.audit.services import record_event
from qms.core.jobs import run_jobs
from qms.db import db
from tests.audit.conftest import drop_triggers, raw_sql
from tests.audit.support import UTC, clock
from tests.core.support import post, signed_in_client

START = dt.datetime(2031, 3, 2, 1, 0, tzinfo=UTC)


def count():
    return db.session.scalar(select(func.count()).select_from(AuditCheckpoint))


def one_event(world, when):
    with clock(when):
        staff = world["a"]["users"]["staff"]
        record_event(staff, "user.locale_changed", entity_type="users", entity_id=str(staff.id), reason="test")
        db.session.commit()


def job(app):
    ((name, summary, error),) = run_jobs(app, ["audit.checkpoint"])
    assert error is None
    return summary


def test_the_job_signs_the_head_once_a_day_and_only_when_something_new_was_recorded(app, world):
    one_event(world, START)
    with clock(START):
        assert checkpoints.checkpoint_due()
        assert job(app).startswith("checkpoint signed at event")
        assert count() == 1 and not checkpoints.checkpoint_due()
        assert job(app) == "no checkpoint due"
    one_event(world, START + dt.timedelta(hours=3))
    with clock(START + dt.timedelta(hours=23)):
        assert job(app) == "no checkpoint due", "a checkpoint is less than a day old"
    with clock(START + dt.timedelta(hours=24)):
        assert job(app).startswith("checkpoint signed at event")
    head = checkpoints.last_checkpoint()
    assert head.seq == db.session.scalar(select(func.max(AuditEvent.seq)))
    assert count() == 2
    with clock(START + dt.timedelta(days=5)):
        assert job(app) == f"no checkpoint due; chain verified up to event {head.seq}", "nothing was recorded since"
        assert job(app) == "no checkpoint due", "the chain was verified less than a day ago"
    assert count() == 2


@pytest.mark.parametrize("role", ["quality_officer", "administrator"])
def test_the_quality_officer_signs_the_chain_from_the_trail_page(app, world, role):
    client = signed_in_client(app, f"a_{role}")
    page = client.get("/audit/").get_data(as_text=True)
    with app.test_request_context(), force_locale("vi"):
        assert gettext("No checkpoint has been signed yet: the system signs the chain once a day.") in page
        assert gettext("Sign the chain now") in page
    response = post(client, "/audit/checkpoints", page="/audit/", follow_redirects=True)
    assert response.status_code == 200
    signed = checkpoints.last_checkpoint()
    assert signed is not None and count() == 1
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale("vi"):
        assert gettext("The chain has been signed at event %(seq)d.", seq=signed.seq) in page
        assert "Điểm kiểm tra gần nhất: chuỗi được ký tại sự kiện" in page
    # At once again: nothing new was recorded (the sign-in and the page were before), so nothing is signed.
    response = post(client, "/audit/checkpoints", page="/audit/", follow_redirects=True)
    with app.test_request_context(), force_locale("vi"):
        assert gettext("Nothing was recorded since the last checkpoint.") in response.get_data(as_text=True)
    assert count() == 1


def test_an_auditor_sees_the_last_checkpoint_but_cannot_sign(app, world):
    one_event(world, START)
    key = checkpoints.load_checkpoint_key(app.instance_path, create=True)
    checkpoints.create_checkpoint(key, app.instance_path)
    db.session.commit()
    client = signed_in_client(app, "a_auditor")
    for path in ("/audit/", "/audit/verify"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="last-checkpoint"' in page and "Điểm kiểm tra gần nhất" in page
        assert 'id="sign-checkpoint"' not in page
    assert post(client, "/audit/checkpoints", page="/audit/").status_code == 403
    assert count() == 1


def test_a_broken_chain_is_not_signed(app, world):
    one_event(world, START)
    drop_triggers("audit_events")
    seq = db.session.scalar(select(func.max(AuditEvent.seq)))
    raw_sql(update(AuditEvent).where(AuditEvent.seq == seq).values(reason="đã sửa"))
    client = signed_in_client(app, "a_quality_officer")
    response = post(client, "/audit/checkpoints", page="/audit/", follow_redirects=True)
    with app.test_request_context(), force_locale("vi"):
        assert gettext(
            "The audit chain is broken at event %(seq)d, so no checkpoint was signed. Open the chain check.",
            seq=seq,
        ) in response.get_data(as_text=True)
    assert count() == 0
    ((_, summary, error),) = run_jobs(app, ["audit.checkpoint"])
    assert summary is None and error is not None
    assert count() == 0
