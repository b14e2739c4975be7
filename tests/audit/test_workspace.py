"""The auditor's workspace (issue 11, point 5): its front page shows what the last verification of the
chain found (when, how many events, OK or the first broken event) and the last signed checkpoint,
without verifying anything itself; and every record's page, in every area, links to the record's
history in the audit trail for those who read it."""

import json
import re

import pytest
from sqlalchemy import select, update

from qms.audit import checkpoints
from qms.audit import verify as verification
from qms.audit.models import AuditEvent
from qms.audit.services import record_event
from qms.audit.verify import verify_installation
from qms.core.jobs import run_jobs
from qms.db import db
from qms.processes.models import Procedure
from tests.audit.conftest import drop_triggers, raw_sql
from tests.conftest import login
from tests.core.support import events, head_seq
from tests.core.test_home import home, sections
from tests.core.url_samples import build_world


def english(user):
    user.locale = "en"
    db.session.commit()


@pytest.fixture
def auditor(world):
    user = world["a"]["users"]["auditor"]
    english(user)
    return user


# --- the front page -------------------------------------------------------------------------------------


def test_before_any_verification_the_front_page_says_so(app, auditor):
    shown = sections(home(app, "a_auditor"))
    assert shown["audit-chain"] == ([], True)
    assert "The chain has not been verified yet" in home(app, "a_auditor")


def test_the_daily_job_verifies_and_the_front_page_shows_it_with_the_checkpoint(app, auditor):
    ((_name, summary, error),) = run_jobs(app, ["audit.checkpoint"])
    assert error is None and summary.startswith("checkpoint signed at event")
    html = home(app, "a_auditor")
    shown = sections(html)
    [verified], _empty = shown["audit-chain"]
    seq = checkpoints.last_checkpoint().seq
    assert "OK" in verified and f"the {seq} events are intact" in verified
    assert "Every event was replayed" in verified
    [signed], _empty = shown["audit-checkpoint"]
    assert f"Chain signed at event {seq}" in signed
    section = re.search(r'id="section-audit-chain">(.*?)</section>', html, re.S).group(1)
    assert 'href="/audit/verify"' in section


def test_a_resumed_check_says_which_events_it_replayed(app, auditor, world):
    run_jobs(app, ["audit.checkpoint"])  # signs a checkpoint
    verify_installation(app.instance_path)  # finds the chain agreeing with it: the next check resumes there
    confirmed = checkpoints.last_checkpoint().seq
    staff = world["a"]["users"]["staff"]
    record_event(staff, "user.locale_changed", entity_type="users", entity_id=str(staff.id), reason="test")
    db.session.commit()
    checked = verify_installation(app.instance_path, resume=True)
    assert checked.resumed_from == confirmed and checked.count == head_seq()
    [verified], _empty = sections(home(app, "a_auditor"))["audit-chain"]
    assert f"the {checked.count} events are intact" in verified
    assert f"The events up to {confirmed} had been verified before" in verified


def test_the_front_page_verifies_nothing_and_writes_nothing(app, auditor, monkeypatch):
    verify_installation(app.instance_path)
    kept = checkpoints.last_check_path(app.instance_path).read_text()

    def refuse(*args, **kwargs):
        raise AssertionError("the front page verified the chain")

    monkeypatch.setattr(verification, "_verify", refuse)
    client = app.test_client()
    login(client, "a_auditor")
    seq = head_seq()
    response = client.get("/")
    assert response.status_code == 200 and "events are intact" in response.get_data(as_text=True)
    assert head_seq() == seq, "the front page recorded nothing"
    assert checkpoints.last_check_path(app.instance_path).read_text() == kept


def test_a_broken_chain_is_shown_with_its_first_broken_event(app, auditor, world):
    run_jobs(app, ["audit.checkpoint"])
    drop_triggers()
    victim = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq).limit(1).offset(2))
    raw_sql(update(AuditEvent).where(AuditEvent.seq == victim).values(reason="đã sửa"))
    result = verify_installation(app.instance_path)
    assert not result.ok
    [shown], _empty = sections(home(app, "a_auditor"))["audit-chain"]
    assert f"broken at event {result.broken_seq} (edited)" in shown
    assert "Open the chain check to see where and how it broke" in shown


def test_an_altered_record_of_the_last_check_is_not_trusted(app, auditor):
    run_jobs(app, ["audit.checkpoint"])  # the checkpoint key exists: the result is signed
    path = checkpoints.last_check_path(app.instance_path)
    data = json.loads(path.read_text())
    assert data["ok"] is True and data["signature"]
    path.write_text(json.dumps({**data, "count": data["count"] + 100}))
    [shown], _empty = sections(home(app, "a_auditor"))["audit-chain"]
    assert "does not carry a valid signature" in shown and "intact" not in shown


def test_the_quality_officer_sees_it_and_staff_do_not(app, world):
    verify_installation(app.instance_path)
    english(world["a"]["users"]["quality_officer"])
    assert "audit-chain" in sections(home(app, "a_quality_officer"))
    assert "audit-chain" not in sections(home(app, "a_staff"))


# --- every record page links to its history ---------------------------------------------------------------


def _procedure(world):
    return db.session.scalar(
        select(Procedure).where(
            Procedure.commune_id == world["a"]["commune"].id, Procedure.code == world["a"]["national_code"]
        )
    )


# endpoint -> (the record's type in the trail, its id, the URL arguments of its page), for commune a
RECORD_PAGES = {
    "documents.show_document": lambda w: ("documents", w["procedure"].id, {"document_id": w["procedure"].id}),
    "documents.show_version": lambda w: ("document_versions", w["effective"].id, {"version_id": w["effective"].id}),
    "nonconformities.show_nc": lambda w: ("nonconformities", w["nc"].id, {"nc_id": w["nc"].id}),
    "dossiers.show_dossier": lambda w: ("dossiers", w["dossier"].id, {"code": w["dossier"].code}),
    "processes.show_procedure": lambda w: ("procedures", w["procedure_record"].id, {"code": w["national_code"]}),
    "feedback.show_item": lambda w: ("feedback_items", w["feedback"].id, {"feedback_id": w["feedback"].id}),
    "admin.show_user": lambda w: ("users", w["subject"].id, {"user_id": w["subject"].id}),
    "audits.show_audit": lambda w: ("audits", w["audit"].id, {"audit_id": w["audit"].id}),
    "documents.show_import": lambda w: (
        "document_imports",
        w["document_import"].id,
        {"import_id": w["document_import"].id},
    ),
}
# Change requests have no page of their own: each is shown on its document's page (and the list).
LISTED_RECORDS = {
    "change_requests": lambda w: (w["change_request"].id, "documents.show_document", {"document_id": w["procedure"].id})
}
# Pages of one record that are not a record's page of their own, and why.
NOT_RECORD_PAGES = {
    "audits.show_checklist": "a part of the audit's page (its history link is there)",
    "audits.show_programme": "a year's programme: its audits link to their histories",
    "dossiers.show_import": "the progress of an import, not a record of the quality system",
    "evidence.show_pack": "an evidence pack's events are recorded on its subject's history",
}


def test_every_record_page_is_listed_here(app):
    """A new page of one record (an endpoint show_*) must be walked by the test below, or say why not."""
    shown = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.arguments
        and not rule.rule.startswith("/api/")
        and rule.endpoint.split(".")[-1].startswith("show_")
    }
    assert shown - set(RECORD_PAGES) - set(NOT_RECORD_PAGES) == set()


def test_every_record_page_links_to_its_history(app, world):
    build_world(world)
    w = {**world["a"], "procedure_record": _procedure(world)}
    for user in world["a"]["users"].values():
        user.locale = "en"
    db.session.commit()
    readers = {"admin.show_user": "a_administrator"}
    walked = []
    for endpoint, record in RECORD_PAGES.items():
        entity_type, entity_id, arguments = record(w)
        client = app.test_client()
        login(client, readers.get(endpoint, "a_auditor"))
        with app.test_request_context():
            from flask import url_for

            page = url_for(endpoint, **arguments)
            history = url_for("audit.record_history", entity_type=entity_type, entity_id=entity_id)
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'href="{history}"' in response.get_data(as_text=True), f"{page} does not link to {history}"
        recorded = [e for e in events() if e["entity_type"] == entity_type and e["entity_id"] == str(entity_id)]
        assert recorded, f"{history} would show nothing"
        assert client.get(history).status_code == 200
        walked.append(entity_type)
    for entity_type, record in LISTED_RECORDS.items():
        entity_id, endpoint, arguments = record(w)
        client = app.test_client()
        login(client, "a_auditor")
        with app.test_request_context():
            from flask import url_for

            page = url_for(endpoint, **arguments)
            history = url_for("audit.record_history", entity_type=entity_type, entity_id=entity_id)
        assert f'href="{history}"' in client.get(page).get_data(as_text=True), f"{page} does not link to {history}"
        walked.append(entity_type)
    assert len(walked) == len(RECORD_PAGES) + len(LISTED_RECORDS)


def test_the_history_link_is_only_for_those_who_read_the_trail(app, world):
    build_world(world)
    nc = world["a"]["nc"]
    client = app.test_client()
    login(client, "a_staff")
    page = client.get(f"/nc/{nc.id}").get_data(as_text=True)
    assert "/audit/records/" not in page, "staff cannot open the trail: no link that would answer 403"
