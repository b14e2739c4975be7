"""Importing process maps (qms.processes.services.import_maps, `qms process import`): a new map
creates the procedure, a changed map drafts a new version of its process document (the process in
force changes only when that version is approved), an unchanged map changes nothing, and one bad
map stops the whole import."""

import io

import docx
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.documents.models import VersionStatus
from qms.files.services import read_stored
from qms.processes import services
from qms.processes.exports import APPENDIX_HEADING
from qms.processes.models import Procedure
from tests.conftest import PASSWORD
from tests.files.samples import docx_bytes
from tests.processes.test_maps import GOOD

FORMS = ("BM-01-QT-10", "BM-01-QT-06", "BM-03-QT-06")


@pytest.fixture
def commune(world, make_user):
    """Commune A with QT-10 and the forms GOOD names, each with its issue 01 in force (drafted by
    the QO, reviewed by the leader, approved by a second QO)."""
    a = world["a"]
    qo, leader = a["users"]["quality_officer"], a["users"]["leader"]
    qo2 = make_user("quality_officer", commune=a["commune"], username="a_qo2", units=[a["unit"]])
    made = {}
    for code, kind in (("QT-06", "procedure"), ("QT-10", "procedure"), *((form, "form") for form in FORMS)):
        parent = made.get(code.split("-", 2)[2]) if kind == "form" else None
        document = made[code] = documents.create_document(
            qo, a["commune"], code=code, title=f"Tài liệu {code}", kind=kind, parent=parent
        )
        version = documents.create_draft_version(
            qo, document, filename=f"{code}.docx", data=docx_bytes(f"Nội dung {code}")
        )
        documents.submit_for_review(qo, version)
        documents.review_version(leader, version, password=PASSWORD)
        documents.approve_version(qo2, version, password=PASSWORD)
    db.session.commit()
    a["qo"], a["qo2"] = qo, qo2
    return a


def events():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def qt10(commune):
    from qms.documents.models import Document

    return db.session.scalar(
        select(Document).where(Document.commune_id == commune["commune"].id, Document.code == "QT-10")
    )


def run(commune, text, source="2.000884-chung-thuc-chu-ky.yaml"):
    outcomes = services.import_maps(commune["qo"], commune["commune"], [(source, text)])
    db.session.commit()
    return outcomes


def appendices(version):
    data = read_stored(version.primary_file.sha256)
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs].count(APPENDIX_HEADING)


def test_a_new_map_creates_the_procedure_on_the_effective_process_document(commune):
    (outcome,) = run(commune, GOOD)
    assert outcome.outcome == services.CREATED
    procedure = db.session.scalar(select(Procedure))
    assert procedure.code == "2.000884" and procedure.process_document_id == qt10(commune).id
    assert outcome.document_version.issue_no == 1 and outcome.document_version.status is VersionStatus.effective
    in_force = services.map_in_force(procedure)
    assert in_force.process.name == "Chứng thực chữ ký" and in_force.source_text == GOOD
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "process.procedure.created" and event.actor_id == commune["qo"].id


def test_an_unchanged_map_changes_nothing_and_says_so(commune):
    run(commune, GOOD)
    before = events()
    relaid = "# chỉ thêm ghi chú\n" + GOOD
    (outcome,) = run(commune, relaid)
    assert outcome.outcome == services.UNCHANGED
    assert events() == before and len(qt10(commune).versions) == 1


def test_a_changed_map_drafts_a_new_version_and_the_process_in_force_waits_for_its_approval(commune):
    run(commune, GOOD)
    procedure = db.session.scalar(select(Procedure))
    changed = GOOD.replace("{hours: 4}", "{hours: 3}").replace("Ký chứng thực", "Xem xét, ký chứng thực")
    (outcome,) = run(commune, changed)
    assert outcome.outcome == services.CHANGED
    draft = outcome.document_version
    assert draft.issue_no == 2 and draft.status is VersionStatus.draft
    assert "sửa bước Xem xét, ký chứng thực" in draft.change_summary
    assert appendices(draft) == 1
    # the effective process has not changed silently
    assert services.map_in_force(procedure).process.steps[1].hours == 4
    # the same changed map again: nothing new, it waits for the approval of issue 02
    before = events()
    assert run(commune, changed)[0].outcome == services.WAITING and events() == before
    # changed again before anyone submitted the draft: the draft is brought up to date, no issue 03
    again = changed.replace("{hours: 3}", "{hours: 2}")
    (outcome,) = run(commune, again)
    assert outcome.outcome == services.CHANGED and outcome.document_version.id == draft.id
    assert appendices(draft) == 1  # the appendix replaced, not appended twice
    # reviewed and approved: the new process is in force
    documents.submit_for_review(commune["qo"], draft)
    documents.review_version(commune["users"]["leader"], draft, password=PASSWORD)
    documents.approve_version(commune["qo2"], draft, password=PASSWORD)
    db.session.commit()
    assert draft.status is VersionStatus.effective
    assert services.map_in_force(procedure).process.steps[1].hours == 2


def test_a_changed_map_is_refused_while_the_process_document_is_in_review(commune):
    run(commune, GOOD)
    (outcome,) = run(commune, GOOD.replace("{hours: 4}", "{hours: 3}"))
    documents.submit_for_review(commune["qo"], outcome.document_version)
    db.session.commit()
    before = events()
    with pytest.raises(DomainError) as caught:
        services.import_maps(commune["qo"], commune["commune"], [("m.yaml", GOOD.replace("{hours: 4}", "{hours: 2}"))])
    assert caught.value.code == "conflict" and "QT-10" in str(caught.value.message)
    db.session.rollback()
    assert events() == before


def test_one_bad_map_and_nothing_is_imported(commune):
    bad = GOOD.replace('code: "2.000884"', 'code: "2.000815"').replace("{hours: 4}", "{days: 2}")
    with pytest.raises(services.MapsRefused) as caught:
        services.import_maps(commune["qo"], commune["commune"], [("a.yaml", GOOD), ("b.yaml", bad)])
    db.session.rollback()
    (error,) = caught.value.errors
    assert error.source == "b.yaml" and error.step == "sign"
    assert db.session.scalar(select(func.count()).select_from(Procedure)) == 0


def test_two_maps_for_one_procedure_are_refused(commune):
    with pytest.raises(services.MapsRefused, match="đã có sơ đồ trong a.yaml"):
        services.import_maps(commune["qo"], commune["commune"], [("a.yaml", GOOD), ("b.yaml", GOOD)])


def test_only_a_quality_officer_imports(commune):
    for role in ("staff", "leader", "auditor", "administrator"):
        with pytest.raises(DomainError) as caught:
            services.import_maps(commune["users"][role], commune["commune"], [("a.yaml", GOOD)])
        assert caught.value.status == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Procedure)) == 0


def test_the_command_imports_a_folder_and_reports_each_map(commune, runner, tmp_path):
    (tmp_path / "2.000884-chung-thuc-chu-ky.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("không phải sơ đồ", encoding="utf-8")
    result = runner.invoke(args=["process", "import", str(tmp_path), "--as", "a_quality_officer"])
    assert result.exit_code == 0, result.output
    assert "2.000884-chung-thuc-chu-ky.yaml: 2.000884: new procedure, process QT-10 issue 01" in result.stdout
    result = runner.invoke(args=["process", "import", str(tmp_path), "--as", "a_quality_officer"])
    assert result.exit_code == 0 and "1 unchanged" in result.stdout


def test_the_command_refuses_a_bad_map_on_stderr_and_writes_nothing(commune, runner, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(GOOD.replace("    role: leader\n", ""), encoding="utf-8")
    before = events()
    result = runner.invoke(args=["process", "import", str(path), "--as", "a_quality_officer"])
    assert result.exit_code == 1
    assert "x.yaml, dòng" in result.stderr and "chưa có vai trò chịu trách nhiệm" in result.stderr
    assert result.stdout == "" and events() == before
    result = runner.invoke(args=["process", "import", str(tmp_path / "missing"), "--as", "a_quality_officer"])
    assert result.exit_code == 1 and "missing" in result.stderr
    result = runner.invoke(args=["process", "import", str(path), "--as", "nobody"])
    assert result.exit_code == 1 and "no active user of a commune" in result.stderr
