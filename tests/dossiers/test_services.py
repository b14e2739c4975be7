"""The rules of dossier handling (qms.dossiers.services): the code and due date at receipt, the
control sheet's lines against each step's allowance, the supplement that stops the clock (once),
refusal with its reason, the result early / on time / late, the apology letter a leader signs once
before the due date, and late dossiers into nonconformities through the NC service."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.db import DomainError, db
from qms.dossiers import permissions as perm
from qms.dossiers import services
from qms.dossiers.models import Dossier, DossierStatus, Handover, HandoverKind, Timeliness
from qms.nonconformities.models import NcSource, Nonconformity
from qms.nonconformities.services import find_opened_from
from qms.signatures.services import signatures_of, verify
from tests.conftest import PASSWORD
from tests.dossiers.conftest import procedure, vn


def events():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def refused(call, code=None, status=None):
    before = events()
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert events() == before
    if code:
        assert caught.value.code == code
    if status:
        assert caught.value.status == status
    return caught.value


# --- receipt --------------------------------------------------------------------------------------


def test_a_received_dossier_gets_its_code_its_process_and_its_due_date(receive, catalogue):
    # Monday 07/12/2026 09:00, 2 working days: due Wednesday 09/12 (the day of receipt not counted)
    first = receive(vn(2026, 12, 7, 9, 0))
    second = receive(vn(2026, 12, 7, 9, 5))
    assert first.code == "TTHCC-a-261207-001" and second.code == "TTHCC-a-261207-002"
    assert first.effective_receipt_date == dt.date(2026, 12, 7) and first.due_date == dt.date(2026, 12, 9)
    assert first.process_map.process.code == "2.000884" and first.step_id == "receive"
    assert first.holder_id == catalogue.staff.id and first.status is DossierStatus.in_progress
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "dossier.received" and "applicant_name" not in event.changes


def test_after_the_cut_off_a_same_day_dossier_is_due_the_next_working_day(receive):
    before = receive(vn(2026, 12, 4, 15, 0), code="1.001193")  # Friday 15:00: before the cut-off
    after = receive(vn(2026, 12, 4, 15, 1), code="1.001193")
    assert before.due_date == dt.date(2026, 12, 4)
    assert after.effective_receipt_date == after.due_date == dt.date(2026, 12, 7)


def test_the_code_format_is_the_communes_setting(receive, catalogue):
    catalogue.commune.settings = {services.CODE_FORMAT_SETTING: "HS/{yyyy}/{nnnn}"}
    db.session.commit()
    assert receive(vn(2026, 12, 7, 9, 0)).code == "HS/2026/0001"
    for bad in ("HS-{yyyy}", "{nn}-{nnn}", "HS {nnn}", "{unit}-{xx}-{nnn}"):
        with pytest.raises(DomainError):
            services.check_code_format(bad)


def test_who_may_receive_and_what_a_receipt_needs(receive, catalogue):
    commune, p = catalogue.commune, procedure("2.000884")

    def call(actor, **fields):
        values = {"procedure": p, "channel": "in_person", "applicant_name": "Trần Thị B", **fields}
        return lambda: services.receive_dossier(actor, commune, **values)

    for actor in (catalogue.auditor, catalogue.admin, catalogue.other_staff):
        assert refused(call(actor)).status == 403
    for fields, code in (
        ({"applicant_name": "  "}, "applicant_required"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"applicant_phone": "abc"}, "invalid_phone"),
        ({"received_at": vn(2099, 1, 1, 8, 0)}, "future"),
        ({"procedure": None}, "procedure_required"),
    ):
        assert refused(call(catalogue.staff, **fields)).code == code
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


# --- the control sheet ----------------------------------------------------------------------------


def test_hand_overs_are_appended_with_their_timeliness_against_the_step_allowance(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 8, 0))  # the receive step: 2 working hours, due 10:00
    with clock_at(vn(2026, 12, 7, 9, 30)):
        line = services.hand_over(catalogue.staff, dossier, to_user=catalogue.leader, notes="Đủ giấy tờ")
        db.session.commit()
    assert line.kind is HandoverKind.handover and line.step_id == "receive" and line.timeliness is Timeliness.on_time
    assert line.step_due_at == vn(2026, 12, 7, 10, 0)
    assert dossier.step_id == "sign" and dossier.holder_id == catalogue.leader.id
    # the staff member no longer holds it
    refused(lambda: services.hand_over(catalogue.staff, dossier, to_user=catalogue.staff), status=403)
    # the sign step is the last: a hand-over is refused, the result is recorded instead
    refused(lambda: services.hand_over(catalogue.leader, dossier, to_user=catalogue.staff), code="last_step")


def test_a_step_handed_over_after_its_allowance_is_late_and_a_day_early_is_early(receive, catalogue):
    late = receive(vn(2026, 12, 7, 8, 0))
    with clock_at(vn(2026, 12, 7, 10, 1)):
        assert services.hand_over(catalogue.staff, late, to_user=catalogue.leader).timeliness is Timeliness.late
        db.session.commit()
    early = receive(vn(2026, 12, 7, 16, 0))  # 2 working hours: due Tuesday 08:30
    with clock_at(vn(2026, 12, 7, 16, 30)):
        line = services.hand_over(catalogue.staff, early, to_user=catalogue.leader)
        db.session.commit()
    assert line.step_due_at == vn(2026, 12, 8, 8, 30) and line.timeliness is Timeliness.early


def test_a_supplement_stops_the_clock_once(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 9, 0))  # due Wednesday 09/12
    with clock_at(vn(2026, 12, 7, 10, 0)):
        refused(lambda: services.request_supplement(catalogue.staff, dossier, items=[" "]), code="items_required")
        services.request_supplement(catalogue.staff, dossier, items=["Bản sao CCCD"])
        db.session.commit()
    assert dossier.status is DossierStatus.supplement
    refused(lambda: services.hand_over(catalogue.staff, dossier, to_user=catalogue.leader), code="not_open")
    with clock_at(vn(2026, 12, 9, 14, 0)):  # back on Wednesday: 2 working days paused
        services.receive_supplement(catalogue.staff, dossier)
        db.session.commit()
    assert dossier.paused_days == 2 and dossier.due_date == dt.date(2026, 12, 11)
    with clock_at(vn(2026, 12, 9, 15, 0)):
        refused(lambda: services.request_supplement(catalogue.staff, dossier, items=["Khác"]), code="once")


def test_a_refusal_needs_its_reason_and_ends_the_dossier(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 9, 0))
    with clock_at(vn(2026, 12, 7, 9, 30)):
        refused(lambda: services.refuse_dossier(catalogue.staff, dossier, reason=""), code="reason_required")
        services.refuse_dossier(catalogue.staff, dossier, reason="Không thuộc thẩm quyền của xã")
        db.session.commit()
    assert dossier.status is DossierStatus.refused and dossier.holder_id is None
    assert [line.kind for line in dossier.handovers] == [HandoverKind.refused]
    refused(lambda: services.hand_over(catalogue.staff, dossier, to_user=catalogue.leader), status=403)


# --- the result -------------------------------------------------------------------------------------


def walk_to_last_step(dossier, catalogue, at):
    with clock_at(at):
        services.hand_over(catalogue.staff, dossier, to_user=catalogue.leader)
        db.session.commit()


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (vn(2026, 12, 8, 16, 0), Timeliness.early),
        (vn(2026, 12, 9, 16, 59), Timeliness.on_time),
        (vn(2026, 12, 10, 8, 0), Timeliness.late),
    ],
)
def test_the_result_is_early_on_time_or_late_against_the_due_date(receive, catalogue, done, expected):
    dossier = receive(vn(2026, 12, 7, 9, 0))  # due 09/12
    walk_to_last_step(dossier, catalogue, vn(2026, 12, 7, 10, 0))
    with clock_at(done):
        assert services.record_result(catalogue.leader, dossier) is expected
        db.session.commit()
    nc = find_opened_from(catalogue.commune.id, dossier)
    if expected is Timeliness.late:
        assert nc.source is NcSource.late_dossier and nc.dossier_code == dossier.code
        assert nc.title == f"Hồ sơ {dossier.code} trả kết quả quá hạn"
    else:
        assert nc is None
    with clock_at(done + dt.timedelta(hours=1)):
        services.return_result(catalogue.leader, dossier)
        db.session.commit()
    assert dossier.status is DossierStatus.returned and dossier.completed_at is not None


def test_the_result_is_recorded_at_the_last_step_only(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 9, 0))
    with clock_at(vn(2026, 12, 7, 9, 10)):
        assert refused(lambda: services.record_result(catalogue.staff, dossier)).code == "not_last_step"
        assert refused(lambda: services.return_result(catalogue.staff, dossier)).code == "not_ready"
    assert dossier.status is DossierStatus.in_progress and dossier.result_ready_at is None


# --- the apology letter ---------------------------------------------------------------------------


def test_a_leader_signs_the_apology_once_before_the_due_date_and_an_nc_opens(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 9, 0))  # due 09/12

    def extend(actor, when, new=dt.date(2026, 12, 14), password=PASSWORD, reason="Cần xác minh thêm"):
        with clock_at(when):
            services.extend_due_date(actor, dossier, reason=reason, new_due_date=new, password=password)
            db.session.commit()

    refused(lambda: extend(catalogue.staff, vn(2026, 12, 8, 9, 0)), status=403)
    refused(lambda: extend(catalogue.leader, vn(2026, 12, 8, 9, 0), reason=""), code="reason_required")
    refused(lambda: extend(catalogue.leader, vn(2026, 12, 8, 9, 0), new=dt.date(2026, 12, 13)), code="invalid_date")
    refused(lambda: extend(catalogue.leader, vn(2026, 12, 9, 9, 0)), code="too_late")  # on the due date
    extend(catalogue.leader, vn(2026, 12, 8, 9, 0))
    assert dossier.due_date == dossier.apology_due_date == dt.date(2026, 12, 14)
    (signature,) = signatures_of(dossier)
    assert signature.meaning == services.APOLOGY_SIGNED and verify(signature, dossier).valid
    nc = find_opened_from(catalogue.commune.id, dossier)
    assert nc.source is NcSource.late_dossier and "hẹn lại" in nc.title
    refused(lambda: extend(catalogue.leader, vn(2026, 12, 10, 9, 0), new=dt.date(2026, 12, 15)), code="once")
    walk_to_last_step(dossier, catalogue, vn(2026, 12, 11, 9, 0))
    assert verify(signature, dossier).valid  # the letter's signature holds while handling goes on


def test_a_wrong_password_signs_nothing(receive, catalogue):
    from qms.auth.services import PasswordRefused

    dossier = receive(vn(2026, 12, 7, 9, 0))
    with clock_at(vn(2026, 12, 8, 9, 0)), pytest.raises(PasswordRefused):
        services.extend_due_date(
            catalogue.leader, dossier, reason="x", new_due_date=dt.date(2026, 12, 14), password="no"
        )
    db.session.rollback()
    assert dossier.apology_due_date is None and signatures_of(dossier) == []


# --- late dossiers --------------------------------------------------------------------------------


def test_the_daily_job_opens_one_nc_per_overdue_dossier(receive, catalogue):
    overdue = receive(vn(2026, 12, 7, 9, 0))  # due 09/12
    receive(vn(2026, 12, 9, 9, 0))  # due 11/12
    assert services.open_overdue_ncs(today=dt.date(2026, 12, 9)) == 0
    assert services.open_overdue_ncs(today=dt.date(2026, 12, 10)) == 1
    assert services.open_overdue_ncs(today=dt.date(2026, 12, 10)) == 0  # never twice
    db.session.commit()
    nc = find_opened_from(catalogue.commune.id, overdue)
    assert nc.title == f"Hồ sơ {overdue.code} quá hạn giải quyết"
    assert db.session.scalar(select(func.count()).select_from(Nonconformity)) == 1


def test_a_dossier_waiting_for_the_citizen_is_not_overdue_while_its_clock_stands_still(receive, catalogue):
    from qms.dossiers import queries
    from qms.dossiers.services.lookup import public_status

    waiting = receive(vn(2026, 12, 7, 9, 0))  # due 09/12
    with clock_at(vn(2026, 12, 8, 9, 0)):
        services.request_supplement(catalogue.staff, waiting, items=["Bản sao giấy tờ tùy thân"])
        db.session.commit()
    assert services.open_overdue_ncs(today=dt.date(2026, 12, 14)) == 0
    assert queries.due_soon(catalogue.commune.id, today=dt.date(2026, 12, 14)) == []
    assert waiting.overdue_on(dt.date(2026, 12, 14)) is False
    assert public_status(waiting, today=dt.date(2026, 12, 14)).is_late is False
    with clock_at(vn(2026, 12, 14, 9, 0)):  # brought four working days later: due 15/12 now
        services.receive_supplement(catalogue.staff, waiting)
        db.session.commit()
    assert waiting.due_date == dt.date(2026, 12, 15) and not waiting.overdue_on(dt.date(2026, 12, 15))
    assert waiting.overdue_on(dt.date(2026, 12, 16))
    assert services.open_overdue_ncs(today=dt.date(2026, 12, 16)) == 1


def test_personal_data_is_for_those_handling_the_dossier(receive, catalogue):
    dossier = receive(vn(2026, 12, 7, 9, 0))
    assert perm.can_see_applicant(catalogue.staff, dossier)
    assert not perm.can_see_applicant(catalogue.leader, dossier)
    assert not perm.can_see_applicant(catalogue.auditor, dossier)
    assert not perm.can_see_applicant(catalogue.qo, dossier)
    walk_to_last_step(dossier, catalogue, vn(2026, 12, 7, 10, 0))
    assert perm.can_see_applicant(catalogue.leader, dossier)
    assert db.session.scalar(select(func.count()).select_from(Handover)) == 1
