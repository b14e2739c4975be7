"""The lifecycle of a version, through the services: draft -> in review -> reviewed -> approved ->
effective (previous superseded), returned to draft, withdrawn; one effective version per document."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.cli import main
from qms.core.calendar import add_months, local_today
from qms.db import ConflictError, DomainError, db
from qms.documents import services
from qms.documents.models import Document, DocumentStatus, DocumentVersion, SignatureMeaning, VersionStatus
from qms.documents.services import versions as versions_service
from tests.conftest import PASSWORD
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes


def _actions(entity_type="document_versions"):
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.seq)
        )
    ]


def _draft(people, document, text="Lần ban hành"):
    version = services.create_draft_version(
        people.author,
        document,
        filename="QT.docx",
        data=docx_bytes(text),
        change_summary="Sửa bước 3" if document.versions else "",
    )
    db.session.commit()
    return version


def test_whole_lifecycle_supersedes_the_previous_issue(people, make_document):
    document = make_document(code="QT-01")
    first = walk(_draft(people, document), people)
    assert first.status is VersionStatus.effective and first.issue_no == 1
    assert first.effective_date == local_today()
    assert first.next_review_on == add_months(first.effective_date, 12)
    second = _draft(people, document, "Lần 2")
    assert second.issue_no == 2 and second.status is VersionStatus.draft
    walk(second, people)
    db.session.refresh(first)
    assert (first.status, second.status) == (VersionStatus.superseded, VersionStatus.effective)
    assert first.superseded_at is not None
    assert [s.meaning for s in second.signatures] == [SignatureMeaning.reviewed, SignatureMeaning.approved]
    assert second.reviewed_by_id == people.leader.id and second.approved_by_id == people.qo2.id
    assert {
        "document.version.created",
        "document.version.submitted",
        "document.version.reviewed",
        "document.version.approved",
        "document.version.effective",
        "document.version.superseded",
    } <= set(_actions())


def test_audit_records_old_and_new_status(people, make_document):
    version = _draft(people, make_document())
    services.submit_for_review(people.author, version)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.submitted"))
    assert '"status":["draft","in_review"]' in event.changes
    assert event.actor_id == people.author.id and event.entity_id == str(version.id)


def test_future_effective_date_waits_for_activation(people, make_document):
    document = make_document()
    today = dt.date(2026, 11, 25)
    version = walk(_draft(people, document), people, effective_date=dt.date(2026, 12, 1), today=today)
    assert version.status is VersionStatus.approved
    assert services.activate_due_versions(today=dt.date(2026, 11, 30)) == []
    assert services.activate_due_versions(today=dt.date(2026, 12, 1)) == [version]
    db.session.commit()
    assert version.status is VersionStatus.effective
    assert version.next_review_on == dt.date(2027, 12, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.version.effective"))
    assert event.actor_id is None  # the system put it into force


def test_make_effective_refuses_before_the_date(people, make_document):
    version = walk(_draft(people, make_document()), people, effective_date=dt.date(2030, 1, 1))
    with pytest.raises(DomainError):
        services.make_effective(None, version, today=dt.date(2029, 12, 31))


def test_the_activation_job_puts_due_versions_into_force(people, make_document, runner):
    version = walk(
        _draft(people, make_document()), people, effective_date=dt.date(2000, 1, 2), today=dt.date(2000, 1, 1)
    )
    assert version.status is VersionStatus.approved
    result = runner.invoke(main, args=["jobs", "run", "documents.activate_due"])
    assert result.exit_code == 0, result.output
    assert "documents.activate_due: 1 version(s) made effective" in result.output
    db.session.expire_all()
    assert db.session.get(DocumentVersion, version.id).status is VersionStatus.effective


def test_return_to_draft_clears_review_and_keeps_the_signatures(people, make_document):
    version = walk(_draft(people, make_document()), people, to="reviewed")
    with pytest.raises(DomainError) as refused:
        services.return_to_draft(people.qo2, version, password=PASSWORD, comment="  ")
    assert refused.value.code == "comment_required"
    services.return_to_draft(people.qo2, version, password=PASSWORD, comment="Thiếu bước kiểm tra")
    db.session.commit()
    assert version.status is VersionStatus.draft
    assert version.reviewed_by_id is None and version.returned_comment == "Thiếu bước kiểm tra"
    assert [s.meaning for s in version.signatures] == [SignatureMeaning.reviewed, SignatureMeaning.returned]
    walk(version, people)
    assert version.status is VersionStatus.effective


def test_one_version_in_progress_at_a_time(people, make_document):
    document = make_document()
    _draft(people, document)
    with pytest.raises(DomainError):
        services.create_draft_version(people.author, document, filename="b.docx", data=docx_bytes("b"))


def test_a_revision_needs_a_summary(people, effective_version):
    with pytest.raises(DomainError) as refused:
        services.create_draft_version(
            people.author, effective_version.document, filename="b.docx", data=docx_bytes("b"), change_summary=" "
        )
    assert refused.value.code == "summary_required"


def test_only_a_draft_changes_and_whoever_uploads_becomes_author(people, make_document):
    version = _draft(people, make_document())
    services.replace_draft_file(people.qo2, version, filename="new.docx", data=docx_bytes("mới"))
    db.session.commit()
    assert version.author_id == people.qo2.id and version.primary_file.filename == "new.docx"
    services.submit_for_review(people.qo2, version)
    with pytest.raises(DomainError):
        services.replace_draft_file(people.qo2, version, filename="x.docx", data=docx_bytes("x"))
    with pytest.raises(DomainError):  # the new author cannot approve: review by the first QO, approve by qo2
        services.review_version(people.qo2, version, password=PASSWORD)


def test_withdraw_makes_every_live_version_obsolete(people, effective_version):
    document = effective_version.document
    draft = _draft(people, document, "draft")
    request = services.propose_change(people.staff, document, what="a", why="b")
    with pytest.raises(DomainError) as refused:
        services.withdraw_document(people.author, document, password=PASSWORD, reason="")
    assert refused.value.code == "reason_required"
    services.withdraw_document(people.author, document, password=PASSWORD, reason="Thủ tục bị bãi bỏ")
    db.session.commit()
    assert document.status is DocumentStatus.obsolete and document.withdrawn_reason == "Thủ tục bị bãi bỏ"
    assert effective_version.status is VersionStatus.obsolete and draft.status is VersionStatus.obsolete
    assert effective_version.signatures[-1].meaning == SignatureMeaning.withdrawn
    assert request.status.value == "declined"
    with pytest.raises(DomainError):
        services.create_draft_version(people.author, document, filename="c.docx", data=docx_bytes("c"))


def test_the_database_allows_one_effective_version_per_document(people, effective_version):
    """Direct SQL, bypassing the services: a second effective row is refused by the partial index."""
    document = effective_version.document
    draft = _draft(people, document, "second")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text("UPDATE document_versions SET status = 'effective' WHERE id = :id"), {"id": draft.id}
        )
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text(
                "INSERT INTO document_versions (commune_id, document_id, issue_no, status, change_summary, reason, "
                "author_id, created_at, returned_comment, row_version) VALUES (:c, :d, 9, 'effective', '', '', :a, "
                ":t, '', 1)"
            ),
            {
                "c": document.commune_id,
                "d": document.id,
                "a": people.author.id,
                "t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            },
        )
    db.session.rollback()


def test_create_document_checks_code_format_and_uniqueness(people, make_document):
    make_document(code="QT-05")
    with pytest.raises(DomainError) as taken:
        make_document(code="QT-05")
    assert taken.value.code == "taken"
    db.session.rollback()
    with pytest.raises(DomainError) as wrong:
        make_document(code="QUYTRINH-5")
    assert wrong.value.code == "invalid_code"
    db.session.rollback()
    with pytest.raises(DomainError):
        make_document(code="QT 05")
    db.session.rollback()
    # the same code in another commune is fine
    from qms.documents.services import create_document

    create_document(people.other_qo, people.other_commune, code="QT-05", title="Khác", kind="procedure")


def test_a_form_belongs_to_a_procedure_and_bases_are_external(people, make_document):
    procedure = make_document(code="QT-01")
    with pytest.raises(DomainError) as refused:
        make_document(code="BM-01-QT-01", kind="form")
    assert refused.value.code == "parent_required"
    db.session.rollback()
    form = make_document(code="BM-01-QT-01", kind="form", parent=procedure)
    assert form.parent_id == procedure.id and procedure.children == [form]
    law = make_document(
        code="LUAT-HT-2014",
        kind="external",
        issuer="Quốc hội",
        number="60/2014/QH13",
        legal_status="in_force",
        issued_on=dt.date(2014, 11, 20),
    )
    with pytest.raises(DomainError):
        make_document(code="QT-02", legal_bases=[form])
    db.session.rollback()
    based = make_document(code="QT-03", legal_bases=[law])
    assert [d.code for d in based.legal_bases] == ["LUAT-HT-2014"] and law.based_on_this == [based]


def test_external_documents_need_issuer_number_and_status(people, make_document):
    with pytest.raises(DomainError) as refused:
        make_document(kind="external", issuer="Chính phủ", number="")
    assert refused.value.code == "external_required"
    db.session.rollback()
    law = make_document(kind="external", issuer="Chính phủ", number="118/2025/NĐ-CP", legal_status="in_force")
    changes = services.update_document(people.author, law, legal_status="replaced", reason="Nghị định mới")
    db.session.commit()
    assert changes == {"legal_status": (law.legal_status.__class__("in_force"), law.legal_status)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.updated"))
    assert '"legal_status":["in_force","replaced"]' in event.changes


def test_external_file_is_registered_in_force(people, make_document):
    law = make_document(kind="external", issuer="Chính phủ", number="61/2018/NĐ-CP", legal_status="in_force")
    first = services.register_external_file(people.author, law, filename="nd61.docx", data=docx_bytes("Điều 1"))
    second = services.register_external_file(people.author, law, filename="nd61b.docx", data=docx_bytes("Điều 2"))
    db.session.commit()
    assert (first.status, second.status) == (VersionStatus.superseded, VersionStatus.effective)


def test_update_document_records_old_and_new(people, make_document, make_unit):
    document = make_document(title="Cũ")
    unit = make_unit(people.commune, code="KT", name="Phòng Kinh tế")
    changes = services.update_document(people.author, document, title="Mới", owning_unit=unit, review_interval_months=6)
    db.session.commit()
    assert changes["title"] == ("Cũ", "Mới") and changes["owning_unit"] == (None, "KT")
    assert db.session.get(Document, document.id).review_interval_months == 6
    with pytest.raises(DomainError):
        services.update_document(people.staff, document, title="x")


def test_changing_the_legal_bases_records_their_codes(people, make_document):
    document = make_document(code="QT-41")
    law = make_document(
        kind="external", code="ND-61", issuer="Chính phủ", number="61/2018/NĐ-CP", legal_status="in_force"
    )
    decree = make_document(
        kind="external", code="ND-118", issuer="Chính phủ", number="118/2025/NĐ-CP", legal_status="in_force"
    )
    assert services.update_document(people.author, document, legal_bases=[law]) == {"legal_bases": ([], ["ND-61"])}
    assert services.update_document(people.author, document, legal_bases=[decree, law]) == {
        "legal_bases": (["ND-61"], ["ND-118", "ND-61"])
    }
    assert services.update_document(people.author, document, legal_bases=[law, decree]) == {}
    db.session.commit()
    assert [d.code for d in db.session.get(Document, document.id).legal_bases] == ["ND-118", "ND-61"]
    assert [d.code for d in decree.based_on_this] == ["QT-41"]


def test_add_months_keeps_the_end_of_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 25), 12) == dt.date(2027, 11, 25)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_conflicting_issue_numbers_are_a_conflict(people, make_document, monkeypatch):
    """Two uploads computing the same next issue number: the unique (document, issue_no) refuses one."""
    document = make_document()
    first = _draft(people, document)
    db.session.execute(sa.text("UPDATE document_versions SET status = 'obsolete' WHERE id = :id"), {"id": first.id})
    db.session.commit()
    db.session.expire_all()
    monkeypatch.setattr(versions_service, "next_issue_no", lambda doc: 1)
    with pytest.raises(ConflictError):
        services.create_draft_version(
            people.author, db.session.get(Document, document.id), filename="a.docx", data=docx_bytes("again")
        )
    db.session.rollback()
