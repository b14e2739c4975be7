"""Per-commune document-control settings: defaults, validation, audit, and their effect."""

import pytest
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.db import DomainError, db
from qms.documents.settings import document_settings, max_upload_bytes, update_document_settings


def test_defaults(app, people):
    settings = document_settings(people.commune)
    assert settings.code_fits("procedure", "QT-01") and not settings.code_fits("procedure", "QT-1")
    assert settings.code_fits("form", "BM-02-QT-01") and not settings.code_fits("form", "BM-02")
    assert settings.code_fits("instruction", "HD-01") and settings.code_fits("instruction", "HD-01-QT-03")
    assert settings.code_fits("external", "anything-at-all")
    assert settings.approvers_for("policy") == {"leader"}
    assert settings.approvers_for("form") == {"quality_officer"}
    assert not settings.allow_same_reviewer_approver and settings.review_interval_months == 12
    assert max_upload_bytes() == app.config["QMS_MAX_UPLOAD_MB"] * 1024 * 1024


def test_update_is_validated_and_audited(people, make_document):
    values = document_settings(people.commune).as_dict()
    values["code_formats"]["procedure"] = "QT.{nnn}"
    values["review_interval_months"] = 24
    changes = update_document_settings(people.author, people.commune, **values, reason="Quy ước mới")
    db.session.commit()
    assert set(changes) == {"code_formats", "review_interval_months"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "documents.settings_updated"))
    assert event.reason == "Quy ước mới" and '"review_interval_months":[12,24]' in event.changes
    assert make_document(code="QT.001").review_interval_months == 24
    with pytest.raises(DomainError):
        make_document(code="QT-01")


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda v: v["code_regexes"].update(form="BM-(\\d"), "invalid_pattern"),
        (lambda v: v["code_formats"].update(form="BM-{nn"), "invalid_pattern"),
        (lambda v: v["approver_roles"].update(form=[]), "no_role"),
        (lambda v: v["reviewer_roles"].update(form=["chief_wizard"]), "invalid"),
        (lambda v: v.update(review_interval_months=0), "invalid_interval"),
        (lambda v: v.update(review_interval_months="twelve"), "invalid_interval"),
    ],
)
def test_invalid_settings_are_refused(people, change, code):
    values = document_settings(people.commune).as_dict()
    change(values)
    with pytest.raises(DomainError) as refused:
        update_document_settings(people.author, people.commune, **values)
    assert refused.value.code == code
    assert document_settings(people.commune).as_dict() == document_settings(people.other_commune).as_dict()


def test_settings_are_per_commune(people):
    values = document_settings(people.commune).as_dict()
    values["allow_same_reviewer_approver"] = True
    update_document_settings(people.author, people.commune, **values)
    db.session.commit()
    assert document_settings(people.commune).allow_same_reviewer_approver
    assert not document_settings(people.other_commune).allow_same_reviewer_approver


def test_only_quality_officers_and_administrators_change_settings(people):
    values = document_settings(people.commune).as_dict()
    values["review_interval_months"] = 6
    for user in (people.staff, people.leader, people.auditor, people.other_qo):
        with pytest.raises(DomainError) as refused:
            update_document_settings(user, people.commune, **values)
        assert refused.value.status == 403
    assert update_document_settings(people.admin, people.commune, **values)
