"""Impartiality of auditors (ISO 9001 9.2.2 c): an auditor does not audit a unit they belong to, a
procedure whose dossiers they handled in the last 12 months or whose process document they own, nor a
system process their role performs. The choice is refused with every reason; a change of scope checks
the whole team again."""

import datetime as dt

import pytest

from qms.audits import services
from qms.audits.models import Audit
from qms.audits.processes import SYSTEM_PROCESSES
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.dossiers import services as dossiers
from tests.audits.conftest import YEAR


def refused(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert caught.value.code == "not_impartial"
    return str(caught.value.message)


def no_audit_planned():
    return db.session.query(Audit).count() == 0


def test_an_auditor_of_the_unit_in_scope_is_refused_naming_the_unit(audit_world, plan):
    w = audit_world
    message = refused(lambda: plan(lead_auditor=w.staff2, team=[], units=[w.unit]))
    assert "Lê Văn Hai" in message and "Trung tâm Phục vụ hành chính công" in message
    assert no_audit_planned()
    # a member of the team is checked as the lead is
    message = refused(lambda: plan(team=[w.staff2], units=[w.unit]))
    assert "Lê Văn Hai" in message
    assert plan(units=[w.unit]).code == f"ĐGNB-{YEAR}-01", "Kiểm and Tra are of the office, not the one-stop unit"


def test_a_person_who_handled_the_procedures_dossiers_is_refused(audit_world, plan, receive):
    w = audit_world
    dossier = receive(dt.datetime.now(dt.UTC) - dt.timedelta(days=30), by=w.kiem)
    dossiers.hand_over(w.kiem, dossier, to_user=w.leader)
    db.session.commit()
    message = refused(lambda: plan())
    assert "Phạm Văn Kiểm" in message and "2.000884" in message and "12" in message
    # not the birth registration, whose dossiers Kiểm never handled
    assert plan(procedures=[w.birth]).lead_auditor_id == w.kiem.id


def test_the_owner_of_the_process_document_is_refused(audit_world, plan):
    w = audit_world
    documents.update_document(w.qo, w.documents["QT-10"], owner=w.tra, reason="Giao chủ trì")
    db.session.commit()
    message = refused(lambda: plan())
    assert "Đỗ Thu Tra" in message and "QT-10" in message
    assert "Phạm Văn Kiểm" not in message


def test_a_role_that_performs_a_system_process_is_refused(audit_world, plan):
    w = audit_world
    message = refused(lambda: plan(lead_auditor=w.qo, team=[], procedures=[], system_processes=["documents"]))
    assert w.qo.full_name in message and str(SYSTEM_PROCESSES["documents"].name) in message
    # the quality officer may audit leadership, which a leader performs, but not the leader
    assert plan(lead_auditor=w.qo, team=[], procedures=[], system_processes=["leadership"])
    refused(lambda: plan(lead_auditor=w.leader, team=[], procedures=[], system_processes=["leadership"]))


def test_every_reason_is_given_at_once(audit_world, plan):
    w = audit_world
    documents.update_document(w.qo, w.documents["QT-10"], owner=w.staff2, reason="Giao chủ trì")
    db.session.commit()
    audit = plan(units=[w.unit])
    reasons = [str(reason) for reason in services.conflicts(audit, w.staff2)]
    assert len(reasons) == 2  # the one-stop unit and QT-10, each said
    assert "Trung tâm Phục vụ hành chính công" in reasons[0] and "QT-10" in reasons[1]
    assert services.conflicts(audit, w.tra) == []


def test_a_change_of_scope_checks_the_team_again(audit_world, plan):
    w = audit_world
    audit = plan()
    fields = {
        "title": audit.title,
        "clauses": audit.clauses,
        "planned_start": audit.planned_start,
        "planned_end": audit.planned_end,
        "lead_auditor": w.kiem,
        "team": [w.tra],
        "procedures": [w.certification],
    }
    message = refused(lambda: services.change_audit(w.qo, audit, **fields, units=[w.office]))
    assert "Phạm Văn Kiểm" in message and "Đỗ Thu Tra" in message and "Văn phòng HĐND và UBND" in message
    audit = db.session.get(Audit, audit.id)
    assert [u.unit_id for u in audit.units] == []
    fields["lead_auditor"], fields["team"] = w.qo, []
    refused(lambda: services.change_audit(w.qo, audit, **fields, system_processes=["documents"], units=[]))
    fields["lead_auditor"], fields["team"] = w.kiem, [w.tra]
    services.change_audit(w.qo, audit, **fields, units=[w.unit])
    db.session.commit()
    assert [u.unit_id for u in db.session.get(Audit, audit.id).units] == [w.unit.id]


def test_dossiers_handled_more_than_12_months_ago_do_not_count(audit_world, plan, receive):
    from qms.core.calendar import clock_at

    w = audit_world
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    dossier = receive(long_ago, by=w.kiem)
    with clock_at(long_ago + dt.timedelta(hours=1)):
        dossiers.hand_over(w.kiem, dossier, to_user=w.leader)
    db.session.commit()
    assert plan().lead_auditor_id == w.kiem.id
