"""The gates of an NC, enforced by the services: each refused with a 409 naming what is missing,
changing nothing; and the whole way from a report to a signed closure, status by status."""

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import local_today
from qms.db import DomainError, db
from qms.nonconformities import services
from qms.nonconformities.models import NcStatus, Severity
from qms.signatures.services import signatures_of, verify
from tests.conftest import PASSWORD
from tests.nonconformities.conftest import walk_nc


def event_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def assert_refused(step, code):
    """Run a step that must be refused with `code`; nothing it did is kept (the caller's unit of
    work rolls back, as the pages and the API do). Returns the message, in English."""
    before = event_count()
    with pytest.raises(DomainError) as caught:
        step()
    db.session.rollback()
    assert caught.value.code == code, caught.value.message
    assert event_count() == before
    with force_locale("en"):
        return str(caught.value.message)


def test_a_report_is_numbered_per_commune_and_year(people, make_nc):
    first, second = make_nc(), make_nc()
    year = local_today().year
    assert (first.number, second.number) == (f"SKPH-{year}-001", f"SKPH-{year}-002")
    other = services.report_nc(people.other_staff, people.other_commune, title="Khác")
    assert other.number == f"SKPH-{year}-001"
    assert first.status is NcStatus.new and first.detected_by_id == people.staff.id


def test_the_whole_way_to_a_signed_closure(people, make_nc):
    nc = walk_nc(make_nc(), people, to="closed")
    assert nc.status is NcStatus.closed and nc.closed_by_id == people.qo.id
    meanings = [s.meaning for s in signatures_of(nc)]
    assert meanings == ["analysis_accepted", "closed"]
    assert verify(signatures_of(nc)[-1]).valid
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "nonconformities", AuditEvent.entity_id == str(nc.id))
    ).all()
    assert actions[0] == "nc.reported" and actions[-1] == "nc.closed" and "nc.analysis_accepted" in actions


@pytest.mark.parametrize(
    "to, status",
    [
        ("correction", NcStatus.analysis),
        ("decided", NcStatus.analysis),
        ("accepted", NcStatus.action_plan),
        ("actions", NcStatus.actions),
        ("done", NcStatus.effectiveness_review),
        ("reviewed", NcStatus.effectiveness_review),
    ],
)
def test_the_status_follows_the_record(people, make_nc, to, status):
    assert walk_nc(make_nc(), people, to=to).status is status


def test_a_correction_not_yet_done_is_in_progress(people, make_nc):
    nc = make_nc()
    services.record_correction(people.qo, nc, what="Bổ sung giấy tờ", by=people.staff, due_on=local_today())
    assert nc.status is NcStatus.correction


# --- no action plan before the root cause is recorded and the analysis accepted ------------------------


def test_no_action_item_before_the_analysis_is_accepted(people, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    message = assert_refused(
        lambda: services.add_action(people.qo, nc, what="Làm gì đó", owner=people.staff, due_on=local_today()),
        "gate_analysis_not_accepted",
    )
    assert "root cause" in message


def test_the_analysis_is_not_accepted_without_a_root_cause(people, make_nc):
    nc = walk_nc(make_nc(), people, to="decided")
    services.add_why(people.qo, nc, answer="Vì chưa có người theo dõi")
    services.add_cause(people.qo, nc, category="method", description="Thiếu bước kiểm tra")  # not marked root
    db.session.commit()
    message = assert_refused(
        lambda: services.accept_analysis(people.qo, nc, password=PASSWORD), "gate_root_cause_missing"
    )
    assert "root cause" in message and "why" not in message.split("needs:")[1]


def test_the_analysis_is_not_accepted_without_a_why(people, make_nc):
    nc = walk_nc(make_nc(), people, to="decided")
    services.add_cause(people.qo, nc, category="method", description="Thiếu bước kiểm tra", is_root=True)
    db.session.commit()
    message = assert_refused(
        lambda: services.accept_analysis(people.qo, nc, password=PASSWORD), "gate_root_cause_missing"
    )
    assert "why" in message


def test_an_accepted_analysis_no_longer_changes(people, make_nc):
    nc = walk_nc(make_nc(), people, to="accepted")
    why = nc.current_round.whys[0]
    assert_refused(lambda: services.edit_why(people.qo, why, question="?", answer="Khác"), "gate_analysis_accepted")
    assert_refused(lambda: services.add_why(people.qo, nc, answer="Thêm"), "gate_analysis_accepted")


def test_a_why_is_editable_until_the_analysis_is_accepted(people, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    why = nc.current_round.whys[0]
    services.edit_why(people.qo, why, question=why.question, answer="Câu trả lời mới")
    assert why.answer == "Câu trả lời mới"


def test_the_analysis_is_accepted_by_the_quality_officer_only_with_the_password(people, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    assert_refused(lambda: services.accept_analysis(people.leader, nc, password=PASSWORD), "forbidden")
    with pytest.raises(DomainError) as wrong:
        services.accept_analysis(people.qo, nc, password="sai mật khẩu")
    assert wrong.value.code == "bad_password"
    db.session.commit()  # the refusal is recorded (it counts toward the lock-out), nothing else changed
    assert nc.current_round.analysis_accepted_at is None and signatures_of(nc) == []


# --- closing -------------------------------------------------------------------------------------------


def close(people, nc, **kw):
    return lambda: services.close_nc(
        people.qo, nc, password=PASSWORD, risks_need_update=False, documents_need_update=False, **kw
    )


def test_no_closing_without_the_correction(people, make_nc):
    nc = make_nc()
    services.decide_action_needed(people.qo, nc, needed=False, reason="Lỗi đơn lẻ, đã xử lý")
    db.session.commit()
    message = assert_refused(close(people, nc), "gate_not_ready_to_close")
    assert "correction" in message


def test_an_observation_closes_without_a_correction(people, make_nc):
    nc = make_nc(severity=Severity.observation)
    services.decide_action_needed(people.qo, nc, needed=False, reason="Chỉ là khuyến nghị")
    close(people, nc)()
    assert nc.status is NcStatus.closed


def test_no_closing_while_an_item_is_open(people, make_nc):
    nc = walk_nc(make_nc(), people, to="actions")
    message = assert_refused(close(people, nc), "gate_not_ready_to_close")
    assert "every action item done" in message


def test_no_closing_without_an_effective_review(people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    message = assert_refused(close(people, nc), "gate_not_ready_to_close")
    assert "effectiveness review" in message


def test_no_closing_on_a_review_dated_before_the_last_item_was_done(people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    services.record_review(people.leader, review, result="effective", reviewed_on=local_today() - dt.timedelta(days=1))
    db.session.commit()
    message = assert_refused(close(people, nc), "gate_not_ready_to_close")
    assert "on or after the last item was done" in message


def test_an_item_owner_cannot_review_the_effectiveness(people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    message = assert_refused(
        lambda: services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.staff),
        "reviewer_owns_item",
    )
    assert "owns an action item" in message


def test_no_closing_without_the_answers_on_risks_and_documents(people, make_nc):
    nc = walk_nc(make_nc(), people, to="reviewed")
    assert_refused(
        lambda: services.close_nc(
            people.qo, nc, password=PASSWORD, risks_need_update=None, documents_need_update=False
        ),
        "answers_required",
    )
    assert_refused(
        lambda: services.close_nc(people.qo, nc, password=PASSWORD, risks_need_update=True, documents_need_update=True),
        "documents_required",
    )


def test_closing_records_which_documents_need_updating(people, make_nc, make_procedure):
    nc = walk_nc(make_nc(), people, to="reviewed")
    procedure = make_procedure()
    services.close_nc(
        people.qo, nc, password=PASSWORD, risks_need_update=True, documents_need_update=True, documents=[procedure]
    )
    db.session.commit()
    assert nc.documents_to_update == [procedure.id] and nc.risks_need_update is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nc.closed"))
    assert procedure.code in event.changes


def test_no_corrective_action_needs_a_reason(people, make_nc):
    nc = make_nc()
    assert_refused(lambda: services.decide_action_needed(people.qo, nc, needed=False, reason=" "), "reason_required")


# --- not effective: a new round, the earlier one kept ----------------------------------------------------


def test_a_review_found_not_effective_opens_a_new_round(people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    db.session.commit()
    assert_refused(lambda: services.record_review(people.leader, review, result="not_effective"), "notes_required")
    services.record_review(people.leader, review, result="not_effective", notes="Vẫn còn hồ sơ trễ")
    db.session.commit()
    assert nc.round_no == 2 and nc.status is NcStatus.analysis
    first, second = nc.rounds
    assert len(first.whys) == 2 and len(first.actions) == 2 and second.whys == [] and second.actions == []
    assert_refused(
        lambda: services.add_action(people.qo, nc, what="Mới", owner=people.staff, due_on=local_today()),
        "gate_analysis_not_accepted",
    )
    message = assert_refused(close(people, nc), "gate_not_ready_to_close")
    assert "root-cause analysis" in message


# --- reopen and cancel: signed, with a reason -------------------------------------------------------------


def test_reopening_needs_a_reason_and_starts_a_new_round(people, make_nc):
    nc = walk_nc(make_nc(), people, to="closed")
    assert_refused(lambda: services.reopen_nc(people.qo, nc, password=PASSWORD, reason=""), "reason_required")
    services.reopen_nc(people.qo, nc, password=PASSWORD, reason="Tái diễn tại bộ phận một cửa")
    db.session.commit()
    assert nc.status is NcStatus.analysis and nc.round_no == 2 and nc.reopened_count == 1
    assert [s.meaning for s in signatures_of(nc)][-1] == "reopened"


def test_only_a_closed_nc_is_reopened(people, make_nc):
    nc = make_nc()
    assert_refused(lambda: services.reopen_nc(people.qo, nc, password=PASSWORD, reason="?"), "gate_not_closed")


def test_cancelling_needs_a_reason_and_a_signature(people, make_nc):
    nc = make_nc()
    assert_refused(lambda: services.cancel_nc(people.qo, nc, password=PASSWORD, reason=""), "reason_required")
    assert_refused(lambda: services.cancel_nc(people.staff, nc, password=PASSWORD, reason="Trùng"), "forbidden")
    services.cancel_nc(people.qo, nc, password=PASSWORD, reason="Trùng với SKPH khác")
    db.session.commit()
    assert nc.status is NcStatus.cancelled and signatures_of(nc)[-1].meaning == "cancelled"
    assert_refused(lambda: services.record_correction(people.qo, nc, what="x", by=people.staff), "forbidden")


# --- who may do what ---------------------------------------------------------------------------------------


def test_the_auditor_changes_nothing(people, make_nc):
    assert_refused(lambda: services.report_nc(people.auditor, people.commune, title="Kiểm tra"), "forbidden")
    nc = make_nc()
    assert_refused(lambda: services.record_correction(people.auditor, nc, what="x", by=people.staff), "forbidden")


def test_the_handler_records_the_correction_and_staff_do_not(people, make_nc):
    nc = make_nc()
    assert_refused(lambda: services.record_correction(people.staff2, nc, what="x", by=people.staff), "forbidden")
    services.assign_handler(people.qo, nc, people.staff2)
    services.record_correction(people.staff2, nc, what="Xin lỗi công dân", by=people.staff2, done=True)
    assert nc.correction_done_at is not None


def test_an_item_is_marked_done_by_its_owner(people, make_nc):
    nc = walk_nc(make_nc(), people, to="actions")
    first, second = nc.current_round.actions
    assert_refused(lambda: services.complete_action(people.staff2, first, result="x"), "forbidden")
    assert_refused(lambda: services.complete_action(people.staff, first, result=""), "result_required")
    services.complete_action(people.staff, first, result="Xong")
    assert first.done_at is not None


def test_another_communes_people_are_refused(people, make_nc):
    nc = make_nc()
    assert_refused(lambda: services.record_correction(people.other_qo, nc, what="x", by=people.staff), "forbidden")
    assert_refused(lambda: services.accept_analysis(people.other_qo, nc, password=PASSWORD), "forbidden")


def test_a_stale_page_conflicts(people, make_nc):
    nc = make_nc()
    seen = nc.row_version
    services.record_correction(people.qo, nc, what="Lần một", by=people.staff)
    db.session.commit()
    assert_refused(
        lambda: services.record_correction(people.qo, nc, what="Lần hai", by=people.staff, expected_row_version=seen),
        "conflict",
    )


# --- the way in from elsewhere ------------------------------------------------------------------------------


def test_opening_from_another_record_twice_returns_the_same_nc(people):
    record = "dossiers 41"
    first, created = services.open_from_elsewhere(
        None, people.commune, source="late_dossier", record=record, title="Hồ sơ trễ hạn", detected_by=people.qo
    )
    again, created_again = services.open_from_elsewhere(
        None, people.commune, source="late_dossier", record=record, title="Hồ sơ trễ hạn", detected_by=people.qo
    )
    db.session.commit()
    assert created and not created_again and first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(type(first))) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nc.opened_from_elsewhere"))
    assert event.actor_id is None and "dossiers 41" in event.changes


def test_the_same_record_in_another_commune_is_another_nc(people):
    one, _ = services.open_from_elsewhere(
        None, people.commune, source="late_dossier", record="dossiers 7", title="A", detected_by=people.qo
    )
    two, _ = services.open_from_elsewhere(
        None, people.other_commune, source="late_dossier", record="dossiers 7", title="B", detected_by=people.other_qo
    )
    assert one.id != two.id


def test_bad_input_is_refused(people):
    assert_refused(lambda: services.report_nc(people.staff, people.commune, title=" "), "title_required")
    assert_refused(
        lambda: services.report_nc(people.staff, people.commune, title="x", severity="huge"), "invalid_choice"
    )
    assert_refused(
        lambda: services.report_nc(people.staff, people.commune, title="x", source="rumour"), "invalid_choice"
    )
    assert_refused(lambda: services.report_nc(people.staff, people.commune, title="x", clause="3.1"), "invalid_clause")
    assert_refused(lambda: services.report_nc(people.staff, people.commune, title="x", clause="abc"), "invalid_clause")
    assert_refused(
        lambda: services.report_nc(people.staff, people.commune, title="x", unit=people.other_staff.units[0]),
        "other_commune",
    )


def test_an_item_revising_a_document_opens_a_change_request(people, make_nc, effective_procedure):
    from qms.documents.models import ChangeRequest

    nc = walk_nc(make_nc(), people, to="actions", document=effective_procedure)
    item = nc.current_round.actions[1]
    request = db.session.get(ChangeRequest, item.change_request_id)
    assert item.document_id == effective_procedure.id and request.document_id == effective_procedure.id
    assert request.what == item.what and nc.number in request.why
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "nc.action_added").order_by(AuditEvent.seq.desc())
    )
    assert effective_procedure.code in event.changes


def test_an_item_cannot_revise_a_document_not_in_force(people, make_nc, make_procedure):
    nc = walk_nc(make_nc(), people, to="accepted")
    draft_only = make_procedure()
    assert_refused(
        lambda: services.add_action(
            people.qo, nc, what="Sửa", owner=people.staff, due_on=local_today(), document=draft_only
        ),
        "forbidden",
    )


def test_the_trail_names_an_ncs_fields_as_the_nc_does(app, people, make_nc):
    """A change request's "why" is its reason; an NC's "why" is a step of its 5 Whys: the trail's
    labels follow the record type."""
    from qms.core.labels import field_label

    with force_locale("en"):
        assert str(field_label("why", "nonconformities")) == "Why?"
        assert str(field_label("why", "change_requests")) == str(field_label("why"))
        assert str(field_label("title", "nonconformities")) == "Title of the nonconformity"
