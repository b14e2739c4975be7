"""Import of a commune's existing document system (qms.documents.imports): the master list and its
files become documents in force as issued; dry run, bad rows and files, idempotence, a higher
issue superseding, the signed declaration, and the round trip of qms's own master list."""

import datetime as dt
import functools
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.db import DomainError, db
from qms.documents.exports import master_list_rows, master_list_xlsx
from qms.documents.imports.files import FileSet, ZipFiles, open_file_set
from qms.documents.imports.plan import CREATE, NEXT_VERSION, REFUSED, UNCHANGED
from qms.documents.imports.services import import_documents
from qms.documents.models import Document, DocumentImport, DocumentKind, DocumentVersion, VersionStatus
from qms.files.storage import path_for
from qms.signatures.services import verify
from tests.conftest import PASSWORD
from tests.files.samples import docx_bytes, xlsx_bytes

HEADER = [
    "STT",
    "Mã hiệu",
    "Tên tài liệu",
    "Loại tài liệu",
    "Lần ban hành",
    "Ngày ban hành",
    "Ngày hiệu lực",
    "Đơn vị quản lý",
    "Thuộc quy trình",
    "Tên tệp",
    "Người soạn thảo",
    "Người xem xét",
    "Người phê duyệt",
]


def workbook(rows, header=HEADER, title_rows=2):
    book = openpyxl.Workbook()
    sheet = book.active
    for n in range(title_rows):
        sheet.append(["ỦY BAN NHÂN DÂN XÃ THỬ" if n == 0 else "DANH MỤC TÀI LIỆU NỘI BỘ"])
    sheet.append(header)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def files_of(files):
    return ZipFiles("tep.zip", io.BytesIO(zip_of(files)))


GOOD_ROWS = [
    ["QT-20", "Quy trình đăng ký khai sinh", "Quy trình", "02", "01/03/2021", "15/03/2021", "", "", "QT-20.docx",
     "Nguyễn Văn Soạn", "Trần Thị Xét", "Lê Văn Duyệt"],
    ["BM-01-QT-20", "Tờ khai đăng ký khai sinh", "Biểu mẫu", "01", "01/03/2021", "15/03/2021", "", "QT-20",
     "BM-01-QT-20.docx", "Nguyễn Văn Soạn", "", "Lê Văn Duyệt"],
    ["HD-01", "Hướng dẫn lưu trữ hồ sơ", "Hướng dẫn", "1", "", "02/01/2020", "", "", "HD-01.xlsx", "", "", ""],
]  # fmt: skip


@functools.cache
def _good_files():
    return {
        "QT-20.docx": docx_bytes("Quy trình đăng ký khai sinh"),
        "BM-01-QT-20.docx": docx_bytes("Tờ khai đăng ký khai sinh"),
        "HD-01.xlsx": xlsx_bytes("Hướng dẫn"),
    }


def good_files():
    """The same bytes every time (a file made again a second later has other timestamps inside)."""
    return dict(_good_files())


def run(people, rows=GOOD_ROWS, files=None, *, dry_run=False, actor=None, data=None, password=PASSWORD):
    result = import_documents(
        actor or people.author,
        people.commune,
        list_name="danh-muc.xlsx",
        list_data=data or workbook(rows),
        files=files or files_of(good_files()),
        password=password,
        dry_run=dry_run,
    )
    db.session.commit()
    return result


def documents_count():
    return db.session.scalar(select(func.count()).select_from(Document))


def test_a_list_with_its_files_becomes_documents_in_force_as_issued_and_signed(people):
    result = run(people)
    assert result.plan.counts == {CREATE: 3, NEXT_VERSION: 0, UNCHANGED: 0, REFUSED: 0}
    procedure = db.session.scalar(select(Document).where(Document.code == "QT-20"))
    (version,) = procedure.versions
    assert version.status is VersionStatus.effective and version.issue_no == 2
    assert version.effective_date == dt.date(2021, 3, 15) and version.issued_on == dt.date(2021, 3, 1)
    assert (version.drafted_by_name, version.reviewed_by_name, version.approved_by_name) == (
        "Nguyễn Văn Soạn",
        "Trần Thị Xét",
        "Lê Văn Duyệt",
    )
    assert version.imported_id == result.run.id and version.imported_row == 4
    assert version.signatures == []  # no signature of the past is invented
    form = db.session.scalar(select(Document).where(Document.code == "BM-01-QT-20"))
    assert form.kind is DocumentKind.form and form.parent_id == procedure.id
    assert db.session.scalar(select(Document).where(Document.code == "HD-01")).kind is DocumentKind.instruction
    (signature,) = result.run.signatures
    assert signature.meaning == "declared_issued" and signature.signer_id == people.author.id
    assert verify(signature).valid
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"document.version.imported", "document.import.finished"} <= actions


def test_the_dry_run_writes_nothing(people):
    before = (documents_count(), db.session.scalar(select(func.count()).select_from(AuditEvent)))
    result = run(people, dry_run=True)
    assert result.run is None and result.plan.count(CREATE) == 3
    assert (documents_count(), db.session.scalar(select(func.count()).select_from(AuditEvent))) == before


def test_running_the_same_list_again_changes_nothing_and_says_so(people):
    run(people)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = run(people)
    assert again.run is None and again.nothing_to_change
    assert again.plan.counts[UNCHANGED] == 3, again.plan.problems
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert db.session.scalar(select(func.count()).select_from(DocumentImport)) == 1


def test_a_higher_issue_becomes_the_next_version_and_supersedes(people):
    run(people)
    rows = [list(GOOD_ROWS[0])]
    rows[0][3], rows[0][5], rows[0][8] = "03", "01/06/2023", "QT-20 lan 3.docx"
    files = files_of({"QT-20 lan 3.docx": docx_bytes("Quy trình đăng ký khai sinh, sửa đổi")})
    result = run(people, rows, files)
    assert result.plan.counts[NEXT_VERSION] == 1
    procedure = db.session.scalar(select(Document).where(Document.code == "QT-20"))
    assert [(v.issue_no, v.status) for v in procedure.versions] == [
        (2, VersionStatus.superseded),
        (3, VersionStatus.effective),
    ]
    assert documents_count() == 3


def test_a_lower_or_same_issue_with_another_file_is_refused(people):
    run(people)
    rows = [list(GOOD_ROWS[0])]
    rows[0][8] = "other.docx"
    result = run(people, rows, files_of({"other.docx": docx_bytes("Khác")}), dry_run=True)
    (row,) = result.plan.rows
    assert row.action == REFUSED and row.problems[0].column == "Lần ban hành"
    rows[0][3] = "01"
    (row,) = run(people, rows, files_of({"other.docx": docx_bytes("Khác")}), dry_run=True).plan.rows
    assert row.action == REFUSED and "02" in str(row.problems[0].message)


def refusals(people, rows, files):
    result = run(people, rows, files_of(files), dry_run=True)
    return {r.row: [(p.column, str(p.message)) for p in r.problems] for r in result.plan.rows if r.problems}


def test_every_bad_row_is_reported_with_its_column_and_the_good_rows_are_kept(people):
    rows = GOOD_ROWS + [
        ["QUY TRINH 7", "Sai mã", "Quy trình", "01", "", "01/01/2021", "", "", "QT-20.docx", "", "", ""],
        ["QT-21", "Loại lạ", "Công văn", "01", "", "01/01/2021", "", "", "QT-20.docx", "", "", ""],
        ["QT-22", "Thiếu tệp", "Quy trình", "01", "", "01/01/2021", "", "", "khong-co.docx", "", "", ""],
        ["QT-23", "Ngày sai", "Quy trình", "01", "", "31/02/2020", "", "", "QT-20.docx", "", "", ""],
        ["QT-20", "Trùng mã", "Quy trình", "01", "", "01/01/2021", "", "", "QT-20.docx", "", "", ""],
        ["BM-02-QT-99", "Mẫu lạc", "Biểu mẫu", "01", "", "01/01/2021", "", "QT-99", "QT-20.docx", "", "", ""],
        ["QT-24", "Tệp giả", "Quy trình", "01", "", "01/01/2021", "", "", "gia.docx", "", "", ""],
        ["QT-25", "Đơn vị lạ", "Quy trình", "01", "", "01/01/2021", "Phòng Không Có", "", "QT-20.docx", "", "", ""],
        ["TL-01", "", "Sổ tay", "01", "", "", "", "", "QT-20.docx", "", "", ""],
    ]  # fmt: skip
    files = {**good_files(), "gia.docx": b"this is plain text, not Word", "thua.docx": docx_bytes("Không ai nêu")}
    found = refusals(people, rows, files)
    columns = {row: [c for c, _m in problems] for row, problems in found.items()}
    assert columns == {
        7: ["Mã hiệu"],
        8: ["Loại tài liệu"],
        9: ["Tên tệp"],
        10: ["Ngày hiệu lực"],
        11: ["Mã hiệu"],
        12: ["Thuộc quy trình"],
        13: ["Tên tệp"],
        14: ["Đơn vị quản lý"],
        15: ["Tên tài liệu", "Ngày hiệu lực"],
    }
    assert "QT-99" in found[12][0][1] and "khong-co.docx" in found[9][0][1]
    result = run(people, rows, files_of(files))
    assert result.plan.counts[CREATE] == 3 and result.plan.counts[REFUSED] == 9
    assert result.plan.unlisted_files == ["thua.docx"]
    assert documents_count() == 3
    assert result.run.refused == 9 and result.run.report["rows"][3]["problems"][0]["column"] == "Mã hiệu"


def test_a_code_that_does_not_follow_the_communes_format_is_reported(people):
    rows = [["BM-01", "Mẫu không theo định dạng", "Biểu mẫu", "01", "", "01/01/2021", "", "QT-20", "x.docx"] + [""] * 3]
    rows = GOOD_ROWS[:1] + rows
    found = refusals(people, rows, {**good_files(), "x.docx": docx_bytes("x")})
    assert found[5][0][0] == "Mã hiệu" and "BM-{nn}-{QT}" in found[5][0][1]


def test_without_a_kind_column_the_code_tells_the_kind_and_files_are_found_by_code(people):
    header = ["STT", "Mã hiệu", "Tên tài liệu", "Lần ban hành", "Ngày hiệu lực"]
    data = workbook([["QT-30", "Quy trình", "01", "01/01/2022"], ["BM-01-QT-30", "Mẫu", "01", "01/01/2022"]], header)
    files = files_of({"QT-30.docx": docx_bytes("a"), "mau/BM-01-QT-30.docx": docx_bytes("b")})
    result = run(people, data=data, files=files)
    assert result.plan.counts[CREATE] == 2, result.plan.problems
    form = db.session.scalar(select(Document).where(Document.code == "BM-01-QT-30"))
    assert form.kind is DocumentKind.form and form.parent.code == "QT-30"


def test_only_the_communes_quality_officer_imports(people):
    for actor in (people.staff, people.leader, people.auditor, people.other_qo):
        with pytest.raises(DomainError) as refused:
            run(people, actor=actor, dry_run=True)
        assert refused.value.status == 403
    db.session.rollback()
    assert documents_count() == 0


def test_a_wrong_password_signs_nothing_and_writes_no_document(people):
    from qms.signatures.models import Signature

    with pytest.raises(DomainError):
        run(people, password="wrong")
    db.session.rollback()
    assert documents_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_the_declaration_fails_when_an_imported_file_changes(people):
    result = run(people)
    (signature,) = result.run.signatures
    version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.imported_row == 4))
    path = path_for(version.primary_file.sha256)
    path.chmod(0o644)
    path.write_bytes(docx_bytes("Đã bị sửa"))
    assert not verify(signature).valid


def test_the_master_list_qms_exports_comes_back_as_it_is(people, make_document, make_commune, make_user, tmp_path):
    from qms.documents import services
    from tests.documents.conftest import walk

    procedure = make_document("QT-05", title="Quy trình chứng thực", owning_unit=people.unit)
    form = make_document("BM-01-QT-05", kind="form", title="Mẫu chứng thực", parent=procedure)
    folder = tmp_path / "tep"
    folder.mkdir()
    for document, body in ((procedure, "quy trình"), (form, "mẫu")):
        data = docx_bytes(body)
        version = services.create_draft_version(people.author, document, filename="x.docx", data=data)
        walk(version, people)
        (folder / f"{document.code}.docx").write_bytes(data)
    db.session.commit()
    exported = master_list_xlsx(people.commune, master_list_rows(people.author, False), False, dt.date(2026, 12, 7))

    other = make_commune()
    from qms.auth.services import create_unit

    create_unit(None, other, code="VP", name=people.unit.name)
    officer = make_user("quality_officer", commune=other)
    result = import_documents(
        officer,
        other,
        list_name="danh-muc.xlsx",
        list_data=exported,
        files=open_file_set(folder),
        password=PASSWORD,
    )
    db.session.commit()
    assert result.plan.counts == {CREATE: 2, NEXT_VERSION: 0, UNCHANGED: 0, REFUSED: 0}, result.plan.problems
    copied = db.session.scalar(select(Document).where(Document.commune_id == other.id, Document.code == "BM-01-QT-05"))
    assert copied.parent.code == "QT-05" and copied.kind is DocumentKind.form
    procedure_copy = copied.parent
    assert procedure_copy.owning_unit.name == people.unit.name
    assert procedure_copy.versions[0].issue_no == 1


def test_a_zip_that_is_not_one_is_refused(people):
    from qms.core.sheets import FileRefused

    with pytest.raises(FileRefused):
        ZipFiles("tep.zip", io.BytesIO(b"not a zip"))
    assert FileSet("", []).find("x") == []


# --- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    listed = tmp_path / "danh-muc.xlsx"
    bad = ["QUY TRINH 7", "Sai mã", "Quy trình", "01", "", "01/01/2021", "", "", "QT-20.docx", "", "", ""]
    listed.write_bytes(workbook([*GOOD_ROWS, bad]))
    folder = tmp_path / "tep"
    folder.mkdir()
    for name, data in good_files().items():
        (folder / name).write_bytes(data)
    return listed, folder


def test_the_command_dry_run_says_what_each_row_becomes_and_writes_nothing(people, app, sample):
    listed, folder = sample
    result = app.test_cli_runner().invoke(
        args=["documents", "import", str(listed), str(folder), "--as", people.author.username, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "row 4: QT-20 issue 02: new document" in result.stdout
    assert "4 rows read: 3 new documents, 0 new issues would be written, 0 unchanged, 1 refused." in result.stdout
    assert result.stderr.startswith("row 7, Mã hiệu: ")
    assert documents_count() == 0


def test_the_command_imports_with_the_password_from_standard_input_then_changes_nothing(people, app, sample):
    listed, folder = sample
    args = ["documents", "import", str(listed), str(folder), "--as", people.author.username]
    runner = app.test_cli_runner()
    wrong = runner.invoke(args=args, input="wrong\n")
    assert wrong.exit_code == 1 and "Error:" in wrong.stderr and documents_count() == 0
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "3 new documents, 0 new issues were written, 0 unchanged, 1 refused." in result.stdout
    assert "Signed as declared issued" in result.stdout and documents_count() == 3
    again = runner.invoke(args=args, input=PASSWORD + "\n")
    assert again.exit_code == 0 and "Nothing to change" in again.stdout
    assert db.session.scalar(select(func.count()).select_from(DocumentImport)) == 1


def test_the_command_refuses_who_may_not_import_and_files_it_cannot_read(people, app, sample, tmp_path):
    listed, folder = sample
    runner = app.test_cli_runner()
    staff = runner.invoke(args=["documents", "import", str(listed), str(folder), "--as", people.staff.username])
    assert staff.exit_code == 1 and "Error:" in staff.stderr
    broken = tmp_path / "tep.zip"
    broken.write_bytes(b"not a zip")
    bad = runner.invoke(args=["documents", "import", str(listed), str(broken), "--as", people.author.username])
    assert bad.exit_code == 1 and ".zip" in bad.stderr
    not_a_list = tmp_path / "list.csv"
    not_a_list.write_text("a,b\n1,2\n", encoding="utf-8")
    bad = runner.invoke(args=["documents", "import", str(not_a_list), str(folder), "--as", people.author.username])
    assert bad.exit_code == 1 and "Error:" in bad.stderr
    assert documents_count() == 0


# --- what the pages and copies show of an imported version -------------------------------------------


def test_every_page_showing_an_imported_version_marks_it_with_its_origin(people, app):
    from qms.documents.services import sign_off_text
    from tests.documents.views_support import html, signed_in

    result = run(people)
    version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.imported_row == 4))
    document_id, version_id, sha = version.document_id, version.id, version.primary_file.sha256
    assert sign_off_text(version) == (
        "Soạn thảo: Nguyễn Văn Soạn – Xem xét: Trần Thị Xét – Phê duyệt: Lê Văn Duyệt – Ban hành: 01/03/2021"
    )
    officer = signed_in(app, people.author, locale="vi")
    page = html(officer.get(f"/documents/versions/{version_id}"))
    assert 'id="imported-notice"' in page and "danh-muc.xlsx" in page and sha in page
    assert people.author.full_name in page and "Nguyễn Văn Soạn" in page and "01/03/2021" in page
    assert f"/documents/import/{result.run.id}" in page  # the import, with its signature
    assert "imported-badge" in html(officer.get(f"/documents/{document_id}"))
    assert "imported-badge" in html(officer.get("/documents/"))
    assert "imported-badge" in html(officer.get("/documents/master-list"))
    staff = signed_in(app, people.staff, locale="vi")
    forms = html(staff.get(f"/documents/forms?procedure={document_id}"))
    assert "BM-01-QT-20" in forms
    assert "(đã nhập)" in forms
    assert result.run.id


def test_a_wrong_password_is_refused_even_when_nothing_would_change(people):
    run(people)
    with pytest.raises(DomainError):
        run(people, password="wrong")


def test_a_forms_file_that_is_not_what_its_name_says_is_refused_on_its_row(people):
    rows = [
        *GOOD_ROWS[:1],
        ["BM-01-QT-20", "Tờ khai", "Biểu mẫu", "01", "", "01/01/2021", "", "QT-20", "gia.docx"] + [""] * 3,
    ]
    found = refusals(people, rows, {**good_files(), "gia.docx": b"plain text named .docx"})
    assert [column for column, _message in found[5]] == ["Tên tệp"]


def test_files_refused_in_the_dry_run_do_not_refuse_the_unit_of_work_that_imports_the_rest(people):
    """The import runs in the command's or request's unit of work: the rows it refuses are reported,
    and what it writes is committed."""
    from qms.db import unit_of_work

    rows = [*GOOD_ROWS, ["QT-24", "Tệp giả", "Quy trình", "01", "", "01/01/2021", "", "", "gia.docx", "", "", ""]]
    files = files_of({**good_files(), "gia.docx": b"plain text named .docx"})
    with unit_of_work():
        result = import_documents(
            people.author,
            people.commune,
            list_name="danh-muc.xlsx",
            list_data=workbook(rows),
            files=files,
            password=PASSWORD,
        )
    assert result.plan.counts[REFUSED] == 1
    db.session.remove()
    assert documents_count() == 3
    assert db.session.scalar(select(func.count()).select_from(DocumentImport)) == 1


def test_each_file_passes_the_checks_of_any_upload_and_a_bad_one_refuses_its_row(people):
    from tests.files.test_uploads import make_docx, make_ole, rewrite

    macro = rewrite(make_docx(), add={"word/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)})
    bad_files = {
        "macro.docx": macro,
        "encrypted.docx": make_ole("EncryptionInfo", "EncryptedPackage"),
        "old.docx": make_ole("WordDocument"),
        "empty.docx": b"",
    }
    rows = [
        [f"QT-{30 + n}", f"Quy trình {n}", "Quy trình", "01", "", "01/01/2021", "", "", name, "", "", ""]
        for n, name in enumerate(bad_files)
    ]
    result = run(people, rows, files_of(bad_files), dry_run=True)
    reasons = {row.file_path or row.code: [p.column for p in row.problems] for row in result.plan.rows}
    assert reasons == {name: ["Tên tệp"] for name in bad_files}
    messages = [str(row.problems[0].message) for row in result.plan.rows]
    assert len(set(messages)) == 4  # each says its own reason


def test_the_list_of_external_documents_qms_exports_comes_back_as_it_is(
    people, make_document, make_commune, make_user, tmp_path
):
    from qms.documents import services
    from qms.documents.models import LegalStatus

    law = make_document(
        "L-60-2014-QH13",
        kind="external",
        title="Luật Hộ tịch",
        issuer="Quốc hội",
        number="60/2014/QH13",
        issued_on=dt.date(2014, 11, 20),
        effective_on=dt.date(2016, 1, 1),
        legal_status=LegalStatus.amended,
    )
    folder = tmp_path / "tep"
    folder.mkdir()
    data = docx_bytes("Luật Hộ tịch")
    services.register_external_file(people.author, law, filename="luat.docx", data=data)
    db.session.commit()
    (folder / "60-2014-QH13.docx").write_bytes(data)
    exported = master_list_xlsx(people.commune, master_list_rows(people.author, True), True, dt.date(2026, 12, 7))

    other = make_commune()
    officer = make_user("quality_officer", commune=other)
    result = import_documents(
        officer,
        other,
        list_name="danh-muc-ngoai.xlsx",
        list_data=exported,
        files=open_file_set(folder),
        password=PASSWORD,
    )
    db.session.commit()
    assert result.plan.counts[CREATE] == 1, result.plan.problems
    copy = db.session.scalar(select(Document).where(Document.commune_id == other.id))
    assert (copy.code, copy.kind, copy.number, copy.issuer) == (
        "60-2014-QH13",
        DocumentKind.external,
        "60/2014/QH13",
        "Quốc hội",
    )
    assert (copy.issued_on, copy.effective_on, copy.legal_status) == (
        dt.date(2014, 11, 20),
        dt.date(2016, 1, 1),
        LegalStatus.amended,
    )
    assert copy.versions[0].status is VersionStatus.effective
