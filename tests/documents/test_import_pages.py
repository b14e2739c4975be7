"""The page importing a commune's document system (qms.documents.views.imports, issue 15): upload
of the master list with a .zip or a folder, the dry run shown row by row, the confirmation with the
password (a wrong one imports nothing), the outcome with its signature; the auditor reads, staff
and other communes are refused; bad uploads are refused with a reason and write nothing. The work
runs at once (QMS_IMPORT_IN_BACKGROUND off)."""

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from qms.core.calendar import utcnow
from qms.db import db
from qms.documents.models import Document, DocumentImport, ImportStatus, VersionStatus
from tests.conftest import PASSWORD, csrf_token, login
from tests.documents.test_import import GOOD_ROWS, good_files, workbook, zip_of
from tests.files.samples import docx_bytes

BAD_ROW = ["BM-01-QT-99", "Biểu mẫu lạc", "Biểu mẫu", "01", "01/03/2021", "15/03/2021", "", "QT-99",
           "BM-01-QT-99.docx", "", "", ""]  # fmt: skip
DECLARATION = "Tôi xác nhận các tài liệu trên đã được ban hành và có hiệu lực như danh mục ghi"


@pytest.fixture
def web(make_app, people):
    """An app running the imports' work at once, on the test's database."""
    return make_app(QMS_IMPORT_IN_BACKGROUND=False)


def client_as(web, user):
    client = web.test_client()
    response = login(client, user.username)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def text(response):
    return response.get_data(as_text=True)


def upload(client, *, list_data=None, list_name="danh-muc.xlsx", zip_data=None, folder=None, extra=None):
    token = csrf_token(client, "/documents/import")
    data = {"csrf_token": token}
    if list_data is not None:
        data["list_file"] = (io.BytesIO(list_data), list_name)
    if zip_data is not None:
        data["files_zip"] = (io.BytesIO(zip_data), "tep.zip")
    if folder is not None:
        data["folder"] = [(io.BytesIO(content), name) for name, content in folder.items()]
    data.update(extra or {})
    return client.post("/documents/import", data=data, content_type="multipart/form-data")


def imports_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(DocumentImport))


def documents_count():
    return db.session.scalar(select(func.count()).select_from(Document))


def start(client, rows=(*GOOD_ROWS, BAD_ROW), files=None):
    files = files if files is not None else {**good_files(), "ghi-chu.docx": good_files()["QT-20.docx"]}
    response = upload(client, list_data=workbook(list(rows)), zip_data=zip_of(files))
    assert response.status_code == 303, text(response)[:2000]
    match = re.search(r"/documents/import/(\d+)$", response.headers["Location"])
    return int(match.group(1))


def confirm(client, import_id, password=PASSWORD):
    token = csrf_token(client, f"/documents/import/{import_id}")
    return client.post(f"/documents/import/{import_id}/confirm", data={"csrf_token": token, "password": password})


def test_the_dry_run_shows_each_row_and_problem_then_the_confirmed_import_is_signed(web, people):
    client = client_as(web, people.author)
    assert 'id="import-documents-link"' in text(client.get("/documents/"))
    import_id = start(client)
    page = client.get(f"/documents/import/{import_id}")
    html = text(page)
    assert page.status_code == 200
    run = db.session.get(DocumentImport, import_id)
    assert run.status is ImportStatus.checked and run.total == 4 and run.done == 4
    assert "Tạo mới" in html and "Bị từ chối" in html
    row = re.search(r'<tr id="row-7".*?</tr>', html, re.S).group(0)  # the bad row: 3 title rows, header, 4th
    assert "BM-01-QT-99" in row and "<strong>Tên tệp</strong>: Tệp BM-01-QT-99.docx" in row
    assert "15/03/2021" in html and "Biểu mẫu" in html and "Quy trình" in html
    assert "ghi-chu.docx" in html  # the file no row names
    assert DECLARATION in html and 'id="confirm-form"' in html
    assert documents_count() == 0

    # a wrong password: the form again with the reason, nothing imported
    wrong = confirm(client, import_id, "not-the-password")
    assert wrong.status_code in (400, 403)
    assert "Mật khẩu không đúng" in text(wrong) and 'id="confirm-form"' in text(wrong)
    db.session.expire_all()
    assert db.session.get(DocumentImport, import_id).status is ImportStatus.checked and documents_count() == 0

    done = confirm(client, import_id)
    assert done.status_code == 303
    db.session.expire_all()
    run = db.session.get(DocumentImport, import_id)
    assert run.status is ImportStatus.done and (run.created, run.refused) == (3, 1)
    assert documents_count() == 3
    procedure = db.session.scalar(select(Document).where(Document.code == "QT-20"))
    assert procedure.versions[0].status is VersionStatus.effective
    html = text(client.get(f"/documents/import/{import_id}"))
    assert "signature-valid" in html and people.author.full_name in html
    assert f"/documents/{procedure.id}" in html  # a link to a document brought in
    assert 'id="confirm-form"' not in html
    # a second confirmation changes nothing
    assert confirm(client, import_id).status_code == 409
    assert documents_count() == 3


def test_the_same_list_again_has_nothing_to_change_and_offers_no_confirmation(web, people):
    client = client_as(web, people.author)
    first = start(client, rows=GOOD_ROWS, files=good_files())
    assert confirm(client, first).status_code == 303
    again = start(client, rows=GOOD_ROWS, files=good_files())
    html = text(client.get(f"/documents/import/{again}"))
    assert 'id="nothing-to-change"' in html and 'id="confirm-form"' not in html
    assert "Không thay đổi" in html
    assert confirm(client, again).status_code == 409
    listing = text(client.get("/documents/import"))
    assert f"/documents/import/{first}" in listing and f"/documents/import/{again}" in listing


def test_a_folder_sent_file_by_file_is_zipped_and_imported(web, people):
    client = client_as(web, people.author)
    folder = {f"tep/{name}": data for name, data in good_files().items()}
    response = upload(client, list_data=workbook(GOOD_ROWS), folder=folder)
    assert response.status_code == 303, text(response)[:2000]
    run = db.session.scalar(select(DocumentImport))
    assert run.files_name == "tep" and run.files_sha256
    assert run.status is ImportStatus.checked and run.report["counts"]["create"] == 3


def test_a_folder_of_more_files_than_a_form_usually_takes_is_accepted(web, people):
    """Each file of a folder is a part of the form: far more than the 1,000 parts a request may have."""
    client = client_as(web, people.author)
    folder = {f"tep/{name}": data for name, data in good_files().items()}
    folder.update({f"tep/cu/ghi-chu-{n:04d}.txt": b"ghi chu" for n in range(1200)})
    response = upload(client, list_data=workbook(GOOD_ROWS), folder=folder)
    assert response.status_code == 303, text(response)[:2000]
    run = db.session.scalar(select(DocumentImport))
    assert run.report["counts"]["create"] == 3 and len(run.report["unlisted_files"]) == 1200


def test_a_higher_issue_is_shown_as_replacing_the_one_in_force(web, people):
    client = client_as(web, people.author)
    assert confirm(client, start(client, rows=GOOD_ROWS, files=good_files())).status_code == 303
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][3] = "03"
    files = {**good_files(), "QT-20.docx": docx_bytes("Quy trình đăng ký khai sinh, lần 03")}
    html = text(client.get(f"/documents/import/{start(client, rows=rows, files=files)}"))
    assert "Lần ban hành mới (thay thế lần 02)" in html


def test_progress_is_json_and_a_run_without_progress_for_ten_minutes_is_stopped(web, people):
    client = client_as(web, people.author)
    import_id = start(client, rows=GOOD_ROWS, files=good_files())
    state = client.get(f"/documents/import/{import_id}/progress").get_json()
    assert state["status"] == "checked" and state["finished"] and state["total"] == 3
    run = db.session.get(DocumentImport, import_id)
    run.status, run.updated_at = ImportStatus.importing, utcnow() - dt.timedelta(minutes=11)
    db.session.commit()
    assert client.get(f"/documents/import/{import_id}/progress").get_json()["status"] == "stopped"
    html = text(client.get(f"/documents/import/{import_id}"))
    assert 'id="import-stopped"' in html and "data-progress-url" not in html
    run.updated_at = utcnow()
    db.session.commit()
    html = text(client.get(f"/documents/import/{import_id}"))
    assert "data-progress-url" in html and 'id="import-bar"' in html


def test_the_auditor_reads_and_changes_nothing(web, people):
    client = client_as(web, people.author)
    import_id = start(client)
    auditor = client_as(web, people.auditor)
    listing = auditor.get("/documents/import")
    assert listing.status_code == 200 and 'id="import-form"' not in text(listing)
    assert f"/documents/import/{import_id}" in text(listing)
    page = auditor.get(f"/documents/import/{import_id}")
    assert page.status_code == 200 and 'id="confirm-form"' not in text(page) and "Tạo mới" in text(page)
    assert 'id="import-documents-link"' not in text(auditor.get("/documents/"))
    token = csrf_token(auditor, "/documents/")
    assert (
        auditor.post(f"/documents/import/{import_id}/confirm", data={"csrf_token": token, "password": PASSWORD})
    ).status_code == 403
    assert upload(auditor, list_data=workbook(GOOD_ROWS), zip_data=zip_of(good_files())).status_code == 403
    assert documents_count() == 0 and imports_count() == 1


def test_staff_and_other_communes_are_refused(web, people):
    client = client_as(web, people.author)
    import_id = start(client)
    staff = client_as(web, people.staff)
    assert staff.get("/documents/import").status_code == 403
    assert staff.get(f"/documents/import/{import_id}").status_code == 403
    assert staff.get(f"/documents/import/{import_id}/progress").status_code == 403
    other = client_as(web, people.other_qo)
    assert other.get(f"/documents/import/{import_id}").status_code == 404
    assert other.get(f"/documents/import/{import_id}/progress").status_code == 404
    assert confirm(other, import_id).status_code == 404
    assert f"/documents/import/{import_id}" not in text(other.get("/documents/import"))
    # a second quality officer of the commune sees it but the one who started it confirms
    qo2 = client_as(web, people.qo2)
    html = text(qo2.get(f"/documents/import/{import_id}"))
    assert 'id="confirm-form"' not in html and 'id="confirm-by-starter"' in html
    assert confirm(qo2, import_id).status_code == 403
    assert documents_count() == 0


@pytest.mark.parametrize(
    "case, message",
    [
        ("no list", "Hãy chọn danh mục tài liệu"),
        ("not a spreadsheet", "Excel"),
        ("pdf named xlsx", None),
        ("no columns", None),
        ("zip that is not one", ".zip"),
        ("files too big", "2 MB"),
        ("list too big", "1 MB"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_write_nothing(web, people, case, message, make_app):
    small = {"QMS_MAX_UPLOAD_MB": 1, "QMS_MAX_IMPORT_MB": 3}  # the files up to 2 MB, the list 1 MB
    app = make_app(QMS_IMPORT_IN_BACKGROUND=False, **small) if "too big" in case else web
    client = client_as(app, people.author)
    list_data, list_name, zip_data = workbook(GOOD_ROWS), "danh-muc.xlsx", zip_of(good_files())
    if case == "no list":
        list_data = None
    elif case == "not a spreadsheet":
        list_name = "danh-muc.docx"
    elif case == "pdf named xlsx":
        list_data = b"%PDF-1.4\n" + b"x" * 200
    elif case == "no columns":
        list_data, list_name = "Cột A,Cột B\n1,2\n".encode(), "danh-muc.csv"
    elif case == "zip that is not one":
        zip_data = b"PK\x03\x04" + b"\x00" * 100
    elif case == "files too big":  # within the request's limit, beyond the files'
        zip_data = b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024 + 10)
    elif case == "list too big":
        list_data = b"x" * (1024 * 1024 + 10)
    response = upload(client, list_data=list_data, list_name=list_name, zip_data=zip_data)
    html = text(response)
    assert response.status_code in (400, 413), html[:1000]
    assert 'id="import-error"' in html and 'id="import-form"' in html
    if message:
        assert message in html
    assert re.search(r"[ạảãáàâầấẩẫậăằắẳẵặđêềếểễệôồốổỗộơờớởỡợưừứửữự]", html)
    assert imports_count() == 0 and documents_count() == 0


def test_an_import_that_fails_midway_keeps_the_rows_written_and_says_why(web, people, monkeypatch):
    from qms.documents.imports import runs, services

    client = client_as(web, people.author)
    import_id = start(client, rows=GOOD_ROWS, files=good_files())
    real, calls = services._write_row, []

    def write_then_break(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_write_row", write_then_break)
    run = db.session.get(DocumentImport, import_id)
    runs.begin_apply(people.author, run, PASSWORD)
    db.session.commit()
    runs.apply(import_id, batch=1)
    db.session.expire_all()
    run = db.session.get(DocumentImport, import_id)
    assert run.status is ImportStatus.failed and "disk full" in run.error
    assert documents_count() == 1 and (run.created, run.refused) == (1, 2)
    html = text(client.get(f"/documents/import/{import_id}"))
    assert 'id="import-stopped"' in html and "disk full" in html
    assert 'id="import-documents"' in html and "Đã tạo mới" in html
    assert "signature-valid" in html  # the confirmed declaration covers the rows written
    assert html.count("Chưa được nhập: việc nhập đã dừng trước dòng này.") == 2


def test_a_dry_run_that_fails_is_shown_stopped_with_its_reason(web, people, monkeypatch):
    from qms.documents.imports import services

    def broken(*args, **kwargs):
        raise RuntimeError("cannot plan")

    monkeypatch.setattr(services, "read_plan", broken)
    client = client_as(web, people.author)
    import_id = start(client, rows=GOOD_ROWS, files=good_files())
    page = client.get(f"/documents/import/{import_id}")
    assert page.status_code == 200 and 'id="import-stopped"' in text(page) and "cannot plan" in text(page)
    assert 'id="confirm-form"' not in text(page)
    assert client.get(f"/documents/import/{import_id}/progress").get_json()["status"] == "failed"
