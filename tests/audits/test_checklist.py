"""Checklists: the commune's library starts as the shipped one and is kept by the quality officer; a
question a checklist used is revised as its next version; an audit's checklist takes library
questions of its clauses and its own; the team gives each a result, notes and evidence files, and a
result other than conform records its finding (a major or minor one opens its NC) at once, once."""

import pytest
from sqlalchemy import func, select

from qms.audits import services
from qms.audits.models import AuditAttachment, AuditQuestion, ChecklistResult, Grade
from qms.db import DomainError, db
from qms.files.uploads import UploadRefused
from qms.nonconformities.models import Nonconformity
from tests.core.support import events
from tests.files.samples import docx_bytes


def refusal(call):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value.code


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_commune_reads_the_shipped_library_without_writing_it(audit_world):
    questions = services.current_questions(audit_world.commune.id)
    assert len(questions) >= 60
    assert {q.clause.split(".")[0] for q in questions} == {"4", "5", "6", "7", "8", "9", "10"}
    assert count(AuditQuestion) == 0
    assert {q.clause for q in services.current_questions(audit_world.commune.id, ["8.5", "7"])} >= {"8.5", "7.1", "7.5"}


def test_only_the_quality_officer_keeps_the_library(audit_world):
    w = audit_world
    for person in (w.staff, w.leader, w.auditor):
        assert refusal(lambda p=person: services.add_question(p, w.commune.id, clause="7.5", text="Câu hỏi?")) == (
            "forbidden"
        )
    assert refusal(lambda: services.add_question(w.qo, w.commune.id, clause="11.1", text="Câu hỏi?")) == (
        "invalid_clause"
    )
    assert refusal(lambda: services.add_question(w.qo, w.commune.id, clause="7.5", text="  ")) == "text_required"
    assert count(AuditQuestion) == 0, "a refusal writes nothing, not even the library's copy"
    question = services.add_question(
        w.qo, w.commune.id, clause="7.5", text="Sổ theo dõi văn bản đến có được cập nhật hằng ngày?"
    )
    db.session.commit()
    shipped = [q for q in services.current_questions(w.commune.id) if q.clause == "7.5" and q.id != question.id]
    assert question.key == f"7.5-{len(shipped) + 1:02d}"
    assert count(AuditQuestion) == len(services.current_questions(w.commune.id))
    assert [e["changes"]["questions"][1] for e in events("audit_library.created")] == [count(AuditQuestion) - 1]


def test_a_used_question_is_revised_as_its_next_version(audit_world, started):
    w = audit_world
    item = started.items[0]
    used = item.question
    old_text = used.text
    newer = services.revise_question(w.qo, used, text="Câu hỏi đã sửa?", evidence="Sổ", source="")
    db.session.commit()
    assert (newer.key, newer.version, newer.is_current) == (used.key, used.version + 1, True)
    assert not used.is_current and used.text == old_text and item.text == old_text, "the checklist keeps its wording"
    assert services.question_by_key(w.commune.id, used.key).text == "Câu hỏi đã sửa?"
    unused = services.add_question(w.qo, w.commune.id, clause="9.1", text="Có đo lường sự hài lòng?")
    db.session.commit()
    same = services.revise_question(w.qo, unused, text="Có khảo sát sự hài lòng?")
    db.session.commit()
    assert same.id == unused.id and same.version == 1, "an unused question changes in place"
    services.withdraw_question(w.qo, same)
    db.session.commit()
    assert services.question_by_key(w.commune.id, same.key) is None


def test_the_checklist_takes_questions_of_the_audits_clauses_and_its_own(audit_world, approved):
    w = audit_world
    audit = approved[0].audits[0]
    keys = [q.key for q in services.current_questions(w.commune.id, ["8.5"])][:2]
    other = next(q.key for q in services.current_questions(w.commune.id, ["9.2"]))
    assert refusal(lambda: services.set_checklist(w.kiem, audit, keys + [other])) == "invalid_question"
    assert refusal(lambda: services.set_checklist(w.staff, audit, keys)) == "forbidden"
    services.set_checklist(w.kiem, audit, keys)
    own = services.add_own_question(w.tra, audit, clause="8.5.1", text="Phiếu kiểm soát có đủ chữ ký?")
    db.session.commit()
    assert sorted(i.question.key for i in audit.items if i.question) == sorted(keys)
    assert own.text == "Phiếu kiểm soát có đủ chữ ký?" and own.clause == "8.5.1"
    assert refusal(lambda: services.add_own_question(w.tra, audit, clause="9.2", text="x")) == "clause_outside_scope"
    services.set_checklist(w.qo, audit, keys[:1])
    db.session.commit()
    assert len(audit.items) == 2, "one library question and the audit's own"


def test_a_nonconforming_result_records_its_finding_and_nc_once(audit_world, started):
    w = audit_world
    item = started.items[0]
    assert refusal(lambda: services.answer_item(w.tra, item, result="major", notes="")) == "notes_required"
    assert refusal(lambda: services.answer_item(w.auditor, item, result="conform", notes="")) == "forbidden"
    assert refusal(lambda: services.answer_item(w.qo, item, result="conform", notes="")) == "forbidden"
    assert refusal(lambda: services.answer_item(w.tra, item, result="fine", notes="")) == "invalid_choice"
    services.answer_item(w.tra, item, result="major", notes="Không có sổ theo dõi hồ sơ")
    db.session.commit()
    finding = item.finding
    assert (finding.grade, finding.clause, finding.description) == (
        Grade.major,
        item.clause,
        "Không có sổ theo dõi hồ sơ",
    )
    assert count(Nonconformity) == 1 and finding.nc_id is not None
    services.answer_item(w.tra, item, result="major", notes="Không có sổ theo dõi hồ sơ năm 2026")
    db.session.commit()
    assert count(Nonconformity) == 1 and len(started.findings) == 1, "the notes change, no second finding"
    assert refusal(lambda: services.answer_item(w.tra, item, result="conform", notes="")) == "finding_recorded"
    services.answer_item(w.kiem, started.items[1], result=ChecklistResult.improvement, notes="Nên số hoá sổ")
    db.session.commit()
    assert started.items[1].finding.grade is Grade.improvement and started.items[1].finding.nc_id is None
    assert count(Nonconformity) == 1
    assert events("audit.question_answered")[0]["changes"]["checklist_result"] == [None, "major"]


def test_evidence_files_go_through_the_shared_upload_checks(audit_world, started):
    w = audit_world
    item = started.items[0]
    attachment = services.attach_evidence(w.tra, item, filename="so-theo-doi.docx", data=docx_bytes())
    db.session.commit()
    assert item.attachments == [attachment] and len(attachment.sha256) == 64
    with pytest.raises(UploadRefused):
        services.attach_evidence(w.tra, item, filename="virus.exe", data=b"MZ\x90\x00 not an office file")
    db.session.rollback()
    assert count(AuditAttachment) == 1
    assert refusal(lambda: services.attach_evidence(w.auditor, item, filename="a.docx", data=docx_bytes())) == (
        "forbidden"
    )
    assert [e["changes"]["file"] for e in events("audit.evidence_attached")] == [[None, "so-theo-doi.docx"]]
