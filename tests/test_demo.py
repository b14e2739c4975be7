"""The demo commune's document set (qms/demo.py, qms/documents/demo/): loaded once per module with
`qms demo load` on a test database (SQLite, or PostgreSQL when QMS_TEST_DATABASE_URL is set), then
read: the kinds of document, the content of the generated files, the states of the versions, the
signatures and separation of duties, the distribution, what staff may see, the audit chain, and the
times the story's steps carry (in order, in the past, on working days)."""

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import docx
import openpyxl
import pytest
from docx.shared import Mm
from pypdf import PdfReader
from sqlalchemy import func, select

from qms import create_app
from qms.audit.models import AuditChainHead, AuditEvent
from qms.audit.verify import verify_chain
from qms.audits import services as audits
from qms.audits.models import Audit, AuditFinding, AuditProgramme, AuditStatus, ChecklistResult, ProgrammeStatus
from qms.auth.models import Commune, User
from qms.auth.services import find_user
from qms.cli import main
from qms.core import calendar
from qms.core.calendar import local_today, to_local
from qms.db import db
from qms.demo import DEMO_USERS
from qms.documents import permissions as perm
from qms.documents import queries
from qms.documents.exports import master_list_rows
from qms.documents.models import (
    Acknowledgment,
    ChangeRequest,
    ChangeRequestStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    LegalStatus,
    SignatureMeaning,
    VersionStatus,
)
from qms.documents.search import search_version_ids
from qms.documents.services import current_version
from qms.dossiers.models import DONE_STATUSES, Channel, Dossier, DossierStatus, HandoverKind, Timeliness
from qms.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from qms.files.storage import read_bytes
from qms.nonconformities.models import (
    Disposition,
    NcAction,
    NcMeaning,
    NcSource,
    NcStatus,
    Nonconformity,
    ReviewResult,
)
from qms.nonconformities.services import find_opened_from, similar_ncs
from qms.nonconformities.services.common import derived_status
from qms.processes import maps
from qms.processes.models import Procedure
from qms.processes.services import map_in_force, read_maps
from qms.signatures.models import Signature
from qms.signatures.services import signatures_of, verify
from tests.conftest import BASE_CONFIG, login
from tests.core.support import IsolatedClient

DEMO_PASSWORD = "Lantern-Harbour-Quill-73"
TERMINAL = (NcStatus.closed, NcStatus.cancelled)
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")


# --- one demo per module ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_database(database_template, tmp_path_factory):
    """A database of its own for this module, copied from the migrated template (as database_url
    does per test: loading the demo takes seconds, so it is done once and the tests read it)."""
    kind, base, name, admin = database_template
    folder = tmp_path_factory.mktemp("demo")
    if kind == "sqlite":
        target = folder / "demo.sqlite3"
        shutil.copyfile(base, target)
        yield f"sqlite:///{target}", folder
        return
    db_name = f"{name}_demo"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{db_name}" TEMPLATE "{name}"')
    yield base.set(database=db_name).render_as_string(hide_password=False), folder
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def load_started(demo_database):
    """The moment just before `qms demo load` runs (the demo fixture asks for it first)."""
    return dt.datetime.now(dt.UTC)


class LoadedDemo(NamedTuple):
    app: object
    result: object  # what `qms demo load` printed
    last_seq: int  # the last audit event of the demo (the tests sign in and download after it)


@pytest.fixture(scope="module")
def demo(demo_database, load_started):
    """The demo app after `qms demo load`, what the command printed and its last audit event."""
    url, folder = demo_database
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QMS_DEMO_PASSWORD", DEMO_PASSWORD)
        app = create_app(
            {**BASE_CONFIG, "QMS_DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance"), "QMS_DEMO": True}
        )
        app.test_client_class = IsolatedClient
        with app.app_context():
            result = app.test_cli_runner().invoke(main, args=["demo", "load", "--if-empty"])
            last_seq = db.session.get(AuditChainHead, 1).seq
            db.session.remove()
        assert result.exit_code == 0, result.stderr
        yield LoadedDemo(app, result, last_seq)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(demo):
    """The demo app in an app context (this module's `app`, instead of conftest's empty one)."""
    demo_app = demo.app
    with demo_app.app_context():
        yield demo_app
        db.session.remove()


def document(code):
    return db.session.scalar(select(Document).where(Document.code == code))


def versions(code):
    return document(code).versions


def statuses(code):
    return [v.status for v in versions(code)]


def file_bytes(version):
    return read_bytes(version.primary_file.sha256)


def docx_of(version):
    return docx.Document(io.BytesIO(file_bytes(version)))


def docx_text(document_):
    """Body paragraphs and table cells, then the headers, as one text."""
    parts = [p.text for p in document_.paragraphs]
    for table in document_.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    for section in document_.sections:
        header = section.header
        parts.extend(p.text for p in header.paragraphs)
        parts.extend(cell.text for table in header.tables for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def header_text(document_):
    header = document_.sections[0].header
    return "\n".join(
        [
            *(p.text for p in header.paragraphs),
            *(cell.text for table in header.tables for row in table.rows for cell in row.cells),
        ]
    )


def change_history(document_):
    """The rows (as lists of cell texts) of the change-history table, without its heading row and
    the blank rows left for later revisions."""
    for table in document_.tables:
        heading = [cell.text for cell in table.rows[0].cells]
        if "Nội dung sửa đổi" in heading:
            return [[c.text for c in row.cells] for row in table.rows[1:] if any(c.text for c in row.cells)]
    return None


def xlsx_cells(version):
    workbook = openpyxl.load_workbook(io.BytesIO(file_bytes(version)))
    return {
        sheet.title: [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        for sheet in workbook.worksheets
    }


# --- the command -------------------------------------------------------------------------------------


def test_demo_load_prints_every_demo_account_with_the_password(demo):
    result = demo.result
    assert "Demo commune loaded." in result.stdout
    assert DEMO_PASSWORD in result.stdout
    for username, _name, role, _units in DEMO_USERS:
        assert re.search(rf"^\s+{username}\s+{role}$", result.stdout, re.MULTILINE), username
    assert {"qo", "qo2"} <= {u for u, _n, role, _u in DEMO_USERS if role == "quality_officer"}


def test_loading_again_with_if_empty_keeps_the_data(app):
    counted = (Document, DocumentVersion, Signature, User)
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in counted]
    head = db.session.get(AuditChainHead, 1).seq
    result = app.test_cli_runner().invoke(main, args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.stderr
    assert "Existing data kept" in result.stdout and "qo2" in result.stdout
    refused = app.test_cli_runner().invoke(main, args=["demo", "load"])
    assert refused.exit_code == 1
    db.session.expire_all()
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in counted] == before
    assert db.session.get(AuditChainHead, 1).seq == head


# --- what the set holds --------------------------------------------------------------------------------


def test_every_kind_of_document_is_present(app):
    kinds = {
        kind: count for kind, count in db.session.execute(select(Document.kind, func.count()).group_by(Document.kind))
    }
    assert set(kinds) >= {
        DocumentKind.policy,
        DocumentKind.procedure,
        DocumentKind.instruction,
        DocumentKind.form,
        DocumentKind.external,
    }
    assert kinds[DocumentKind.procedure] >= 10 and kinds[DocumentKind.form] >= 10
    assert kinds[DocumentKind.external] >= 6
    codes = set(db.session.scalars(select(Document.code)))
    # policy and objectives; system procedures; the four demo procedures; the one-stop forms
    assert {"CS-01", "MT-01", "QT-01", "QT-02", "QT-03", "QT-04", "QT-05"} <= codes
    assert {"QT-07", "QT-08", "QT-09", "QT-10"} <= codes
    assert {f"BM-0{n}-QT-06" for n in range(1, 7)} <= codes
    assert all(document(f"BM-0{n}-QT-06").parent.code == "QT-06" for n in range(1, 7))
    assert document("MT-01").title == f"Mục tiêu chất lượng năm {document('MT-01').versions[0].effective_date.year}"


def test_every_internal_docx_is_an_a4_times_new_roman_document_with_header_block_and_change_history(app):
    checked = 0
    for version in db.session.scalars(
        select(DocumentVersion).join(Document).where(Document.kind != DocumentKind.external)
    ):
        if version.primary_file.kind != "docx":
            continue
        checked += 1
        code, label = version.document.code, f"{version.issue_no:02d}"
        file = docx_of(version)
        section = file.sections[0]
        size = (round(section.page_width / Mm(1)), round(section.page_height / Mm(1)))
        assert size == ((297, 210) if code == "BM-06-QT-06" else (210, 297)), code  # the ledger: landscape
        normal = file.styles["Normal"].font
        assert normal.name == "Times New Roman" and normal.size.pt == 13, code
        text = docx_text(file)
        assert len(VIETNAMESE.findall(text)) > 100, code
        head = header_text(file)
        assert code in head and f"Lần ban hành: {label}" in head and "Ngày ban hành:" in head, code
        if version.effective_date:
            assert version.effective_date.strftime("%d/%m/%Y") in head, code
        assert "NGƯỜI SOẠN THẢO" in text and "NGƯỜI XEM XÉT" in text and "NGƯỜI PHÊ DUYỆT" in text, code
        assert version.author.full_name in text, code
        rows = change_history(file)
        assert rows is not None, f"{code}: no change-history table"
        assert [row[-1] for row in rows] == [f"{n:02d}" for n in range(1, version.issue_no + 1)], code
        assert rows[-1][3] == (version.change_summary if version.issue_no > 1 else "Ban hành lần đầu"), code
    assert checked >= 25


def test_procedures_say_their_legal_bases_steps_time_and_records(app):
    text = docx_text(docx_of(current_version(document("QT-07"))))
    for expected in (
        "ĐĂNG KÝ KHAI SINH",
        "1.001193",
        "Cơ sở pháp lý",
        "Luật Hộ tịch số 60/2014/QH13",
        "Thành phần hồ sơ",
        "Tờ khai đăng ký khai sinh",
        "Thời hạn giải quyết",
        "sau 15 giờ",
        "Quy trình xử lý công việc",
        "Trách nhiệm",
        "Thời gian",
        "BM-01-QT-06",
        "BM-05-QT-06",
        "HỒ SƠ CẦN LƯU",
        "Miễn lệ phí",
    ):
        assert expected in text, expected
    assert {d.code for d in document("QT-07").legal_bases} >= {"L-60-2014-QH13", "NĐ-123-2015", "NĐ-118-2025"}
    copy = docx_text(docx_of(current_version(document("QT-09"))))
    assert "2.000 đồng/trang" in copy and "200.000 đồng/bản" in copy
    signature = docx_text(docx_of(current_version(document("QT-10"))))
    assert "10.000 đồng/trường hợp" in signature and "ký trước mặt" in signature
    # the system procedures and the policy
    assert "Đánh giá nội bộ ít nhất một lần mỗi năm" in docx_text(docx_of(current_version(document("QT-02"))))
    assert "nguyên nhân gốc rễ" in docx_text(docx_of(current_version(document("QT-03"))))
    assert "Đầu vào của cuộc họp" in docx_text(docx_of(current_version(document("QT-04"))))
    assert "Mức rủi ro" in docx_text(docx_of(current_version(document("QT-05"))))
    assert "CHÍNH SÁCH CHẤT LƯỢNG" in docx_text(docx_of(current_version(document("CS-01"))))


def test_every_process_map_names_documents_the_demo_holds(app):
    """Each map in process_maps/ names a process document, forms and legal bases of the demo, and its
    process document states the procedure's national code (QT-12..QT-18 came with the maps)."""
    held = {}
    for code, kind in db.session.execute(select(Document.code, Document.kind)):
        held.setdefault(kind, set()).add(code)
    files = sorted((Path(__file__).parents[1] / "process_maps").glob("*.yaml"))
    assert len(files) >= 12
    for file in files:
        process = maps.load(file.read_text(encoding="utf-8"), file.name)
        maps.check_codes(
            process,
            forms=held[DocumentKind.form],
            external=held[DocumentKind.external],
            procedures=held[DocumentKind.procedure],
        )
        version = versions(process.process_document)[-1]
        assert process.code in docx_text(docx_of(version)), file.name
    for n in range(12, 19):
        assert statuses(f"QT-{n}") == statuses(f"BM-01-QT-{n}") == [VersionStatus.effective]
    contract = docx_text(docx_of(current_version(document("QT-17"))))
    assert "50.000 đồng/hợp đồng, giao dịch" in contract and "ký trước mặt" in contract
    assert "Công chức Văn hóa - Xã hội" in docx_text(docx_of(current_version(document("QT-18"))))


def test_the_objectives_are_measurable_with_owner_deadline_and_method(app):
    file = docx_of(current_version(document("MT-01")))
    table = next(t for t in file.tables if "Phương pháp đo lường, đánh giá" in [c.text for c in t.rows[0].cells])
    headings = [c.text for c in table.rows[0].cells]
    assert headings == [
        "TT",
        "Mục tiêu",
        "Chỉ tiêu",
        "Người chịu trách nhiệm",
        "Thời hạn",
        "Phương pháp đo lường, đánh giá",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) >= 5 and all(all(cell.strip() for cell in row) for row in rows)
    targets = " ".join(row[2] for row in rows)
    assert "≥ 98 %" in targets and "≥ 30 %" in targets and "≥ 95 %" in targets


def test_the_one_stop_forms_are_filled_in_forms_with_their_control_page(app):
    receipt = docx_text(docx_of(current_version(document("BM-01-QT-06"))))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ",
        "Thành phần hồ sơ nộp gồm",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Mẫu số 01",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "THÔNG TIN KIỂM SOÁT BIỂU MẪU",
    ):
        assert expected in receipt, expected
    old_receipt = docx_text(docx_of(versions("BM-01-QT-06")[0]))
    assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in old_receipt and "TRUNG TÂM PHỤC VỤ" not in old_receipt
    titles = {
        "BM-02-QT-06": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "BM-03-QT-06": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "BM-04-QT-06": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "BM-05-QT-06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "BM-01-QT-07": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "BM-01-QT-08": "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
    }
    for code, title in titles.items():
        assert title in docx_text(docx_of(current_version(document(code)))), code
    assert "CHỦ TỊCH" in docx_text(docx_of(current_version(document("BM-04-QT-06"))))


def test_the_dossier_ledger_is_a_landscape_form_and_the_registers_are_workbooks_with_real_column_headings(app):
    # The ledger is filled by the system for a period (qms.dossiers.fill): a Word form whose row repeats.
    ledger = current_version(document("BM-06-QT-06"))
    assert ledger.primary_file.kind == "docx"
    file = docx_of(ledger)
    assert file.sections[0].page_width > file.sections[0].page_height  # landscape
    text = docx_text(file)
    for heading in (
        "SỔ THEO DÕI HỒ SƠ",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Tên cá nhân, tổ chức",
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Trả kết quả cho cá nhân, tổ chức",
        "Ký nhận",
        "BM-06-QT-06",
        "Lần ban hành: 01",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "{{so_theo_doi.ma_ho_so}}",
        "THEO DÕI SỬA ĐỔI TÀI LIỆU",
        "NGƯỜI PHÊ DUYỆT",
        "Ban hành lần đầu",
    ):
        assert heading in text, heading
    for code, sheet, heading in (
        ("BM-01-QT-09", "Sổ chứng thực bản sao", "Tên bản chính giấy tờ, văn bản"),
        ("BM-01-QT-10", "Sổ chứng thực chữ ký", "Tên giấy tờ, văn bản được chứng thực chữ ký"),
    ):
        assert heading in xlsx_cells(current_version(document(code)))[sheet], code


def test_documents_of_external_origin_are_identified_and_linked_as_legal_bases(app):
    externals = list(db.session.scalars(select(Document).where(Document.kind == DocumentKind.external)))
    for external in externals:
        assert external.issuer and external.number and external.legal_status is not None, external.code
        version = current_version(external)
        assert version is not None and version.primary_file.kind == "docx", external.code
        assert external.number in docx_text(docx_of(version)), external.code
    replaced, replacing = document("NĐ-61-2018"), document("NĐ-118-2025")
    assert replaced.legal_status is LegalStatus.replaced and replacing.legal_status is LegalStatus.in_force
    assert (replacing.issued_on, replacing.effective_on) == (dt.date(2025, 6, 9), dt.date(2025, 7, 1))
    assert {d.code for d in document("QT-06").legal_bases} == {"NĐ-118-2025", "TT-01-2018-VPCP"}
    assert {"BM-01-QT-06", "QT-06"} <= {d.code for d in document("TT-01-2018-VPCP").based_on_this}
    assert {"QT-09", "QT-10"} <= {d.code for d in document("NĐ-23-2015").based_on_this}
    assert document("L-60-2014-QH13").effective_on == dt.date(2016, 1, 1)
    # each text is in force from its own date, not from the day the demo registered it
    assert current_version(document("L-52-2014-QH13")).effective_date == dt.date(2015, 1, 1)
    assert current_version(replacing).effective_date == dt.date(2025, 7, 1)
    for external in externals:
        if external.effective_on is not None:
            assert current_version(external).effective_date == external.effective_on, external.code
    rows = {row["code"]: row for row in master_list_rows(find_user("qo"), external=True)}
    assert rows["NĐ-61-2018"]["legal_status_label"] == "Đã bị thay thế"


# --- versions and their states ---------------------------------------------------------------------------


def test_issue_02_is_effective_and_issue_01_superseded(app):
    for code in ("QT-06", "BM-01-QT-06"):
        first, second = versions(code)
        assert (first.status, second.status) == (VersionStatus.superseded, VersionStatus.effective), code
        assert first.effective_date < second.effective_date <= local_today()
        assert first.superseded_at is not None and second.change_summary


def test_versions_in_review_wait_for_the_reviewer_or_the_approver(app):
    waiting_review = versions("QT-10")[-1]
    assert (waiting_review.issue_no, waiting_review.status) == (2, VersionStatus.in_review)
    assert waiting_review.reviewed_by_id is None
    assert statuses("QT-10") == [VersionStatus.effective, VersionStatus.in_review]
    assert perm.can_review(find_user("leader"), waiting_review)
    assert not perm.can_review(find_user("qo2"), waiting_review)  # its author

    waiting_approval = versions("BM-02-QT-06")[-1]
    assert waiting_approval.status is VersionStatus.in_review and waiting_approval.reviewed_by.username == "leader"
    assert perm.can_approve(find_user("qo2"), waiting_approval)
    assert not perm.can_approve(find_user("qo"), waiting_approval)  # its author
    assert waiting_approval in queries.versions_in_review(waiting_approval.commune_id)
    assert statuses("QT-11") == [VersionStatus.draft]


def test_an_effective_version_is_overdue_for_periodic_review(app):
    today = local_today()
    overdue = current_version(document("QT-04"))
    assert overdue.effective_date < today - dt.timedelta(days=365)
    assert overdue.next_review_on < today
    due = queries.due_for_review(overdue.commune_id, today)
    assert overdue in due
    assert current_version(document("QT-02")) in due  # due within the month
    confirmed = current_version(document("QT-01"))
    assert confirmed.effective_date < today - dt.timedelta(days=365) and confirmed.next_review_on > today
    assert [s.meaning for s in confirmed.signatures].count(SignatureMeaning.confirmed) == 1
    assert confirmed not in due


def test_a_withdrawn_document_is_obsolete_and_its_version_too(app):
    withdrawn = document("HD-01-QT-06")
    assert withdrawn.status is DocumentStatus.obsolete and withdrawn.withdrawn_reason
    assert statuses("HD-01-QT-06") == [VersionStatus.obsolete]
    assert SignatureMeaning.withdrawn in [s.meaning for s in withdrawn.versions[0].signatures]
    assert withdrawn.kind is DocumentKind.instruction and withdrawn.parent.code == "QT-06"


def test_one_effective_version_per_active_document(app):
    for doc in db.session.scalars(select(Document)):
        effective = [v for v in doc.versions if v.status is VersionStatus.effective]
        if doc.status is DocumentStatus.obsolete or statuses(doc.code) == [VersionStatus.draft]:
            assert effective == [], doc.code
        else:
            assert len(effective) == 1, doc.code


def test_separation_of_duties_and_signatures_that_verify(app):
    signed = list(db.session.scalars(select(DocumentVersion).where(DocumentVersion.approved_by_id.is_not(None))))
    assert len(signed) >= 25
    for version in signed:
        code = version.document.code
        if version.document.kind is DocumentKind.external:
            continue
        people = (version.author_id, version.reviewed_by_id, version.approved_by_id)
        assert len(set(people)) == 3, code
        expected = "leader" if version.document.kind is DocumentKind.policy else "quality_officer"
        assert version.approved_by.has_role(expected), code
        meanings = [s.meaning for s in version.signatures]
        assert meanings[:2] == [SignatureMeaning.reviewed, SignatureMeaning.approved], code
    # a version's file never changes after it is signed (an NC's signatures: see test_nc_signatures_verify)
    for signature in db.session.scalars(
        select(Signature).where(Signature.subject_type == DocumentVersion.__tablename__)
    ):
        check = verify(signature)
        assert check.sealed and check.content_matches, signature.id


def test_change_requests_one_open_one_declined(app):
    requests = {r.document.code: r for r in db.session.scalars(select(ChangeRequest))}
    assert requests["QT-07"].status is ChangeRequestStatus.open
    assert requests["QT-07"].requested_by.username == "staff"
    assert requests["BM-06-QT-06"].status is ChangeRequestStatus.declined
    assert requests["BM-06-QT-06"].decision_reason


# --- distribution, staff, the audit trail ------------------------------------------------------------------


def test_staff_of_the_one_stop_unit_get_read_and_understood_tasks_for_the_forms(app):
    staff = find_user("staff")
    for n in range(1, 7):
        assert [d.unit.code for d in document(f"BM-0{n}-QT-06").distributions] == ["TTHCC"]
    open_tasks = {(a.version.document.code, a.version.issue_no) for a in queries.open_acknowledgments(staff)}
    assert {("QT-06", 2), ("BM-01-QT-06", 2), ("BM-05-QT-06", 1)} <= open_tasks
    done, waiting = queries.acknowledgment_state(current_version(document("BM-03-QT-06")))
    assert [u.username for u, _a in done] == ["staff"] and waiting == []
    done, waiting = queries.acknowledgment_state(current_version(document("QT-06")))
    assert [u.username for u, _a in waiting] == ["staff"]


def test_staff_see_only_effective_versions(app):
    staff = find_user("staff")
    listed = queries.list_documents(staff, per_page=500)
    listed_codes = {d.code for d in listed.items}
    assert "QT-11" not in listed_codes and "HD-01-QT-06" not in listed_codes and "QT-10" in listed_codes
    for version in db.session.scalars(select(DocumentVersion)):
        visible = version.status is VersionStatus.effective and version.document.status is DocumentStatus.active
        assert perm.can_view_version(staff, version) is visible, (version.document.code, version.issue_no)

    client = app.test_client()
    assert login(client, "staff", DEMO_PASSWORD).status_code == 302
    index = client.get("/documents/forms").get_data(as_text=True)
    one_stop, birth = document("QT-06").id, document("QT-07").id
    assert f'href="?procedure={one_stop}"' in index and f'href="?procedure={birth}"' in index
    pages = [client.get(f"/documents/forms?procedure={n}").get_data(as_text=True) for n in (one_stop, birth)]
    assert "BM-01-QT-06" in pages[0] and "Tờ khai đăng ký khai sinh" in pages[1]
    for shown in (index, *pages):
        assert "QT-11" not in shown and "HD-01-QT-06" not in shown
    for hidden in (versions("QT-10")[-1], versions("QT-06")[0], versions("QT-11")[0], versions("HD-01-QT-06")[0]):
        assert client.get(f"/documents/versions/{hidden.id}").status_code in (403, 404)
        assert client.get(f"/documents/versions/{hidden.id}/download").status_code in (403, 404)

    receipt = document("BM-01-QT-06")
    response = client.get(f"/documents/{receipt.id}/current/download")
    assert response.status_code == 200
    stamped = docx.Document(io.BytesIO(response.data))
    head = header_text(stamped)
    assert "BẢN KIỂM SOÁT" in head and "Lần ban hành: 02" in head and "Phạm Thị Một" in head


@pytest.mark.parametrize("username", ["qo", "auditor"])
def test_the_pages_of_every_demo_document_and_version_open(app, username):
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    paths = [
        "/",
        "/documents/",
        "/documents/forms",
        "/documents/periodic-review",
        "/documents/change-requests",
        "/documents/master-list?which=internal",
        "/documents/master-list?which=external",
        "/documents/master-list?which=internal&format=docx",
        "/documents/master-list?which=external&format=xlsx",
    ]
    paths += [f"/documents/{i}" for i in db.session.scalars(select(Document.id))]
    paths += [f"/documents/versions/{i}" for i in db.session.scalars(select(DocumentVersion.id))]
    failed = [(path, status) for path in paths if (status := client.get(path).status_code) != 200]
    assert failed == []
    overdue = client.get("/documents/periodic-review").get_data(as_text=True)
    assert "QT-04" in overdue


def test_search_finds_the_demo_content_without_diacritics(app):
    commune_id = document("QT-09").commune_id
    found = {
        db.session.get(DocumentVersion, i).document.code
        for i in search_version_ids(commune_id, "chung thuc ban sao", statuses=[VersionStatus.effective])
    }
    assert "QT-09" in found
    found = {
        db.session.get(DocumentVersion, i).document.code
        for i in search_version_ids(commune_id, "phieu xin loi hen lai", statuses=[VersionStatus.effective])
    }
    assert "BM-04-QT-06" in found


def test_the_audit_chain_verifies_and_records_the_story(app):
    result = verify_chain()
    assert result.ok, (result.broken_seq, result.kind, result.detail)
    actions = dict(db.session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
    for action in (
        "document.created",
        "document.version.created",
        "document.version.submitted",
        "document.version.reviewed",
        "document.version.approved",
        "document.version.effective",
        "document.version.superseded",
        "document.version.registered",
        "document.withdrawn",
        "document.version.confirmed",
        "document.version.acknowledged",
        "document.updated",
        "document.change_request.declined",
    ):
        assert actions.get(action), action
    assert not actions.get("signature.password_refused")


# --- the story's times (issue #8) --------------------------------------------------------------------

STEPS = ("created_at", "submitted_at", "reviewed_at", "approved_at", "effective_at")
# The events of a version's steps, in the order they happen.
STEP_ACTIONS = (
    "document.version.created",
    "document.version.submitted",
    "document.version.reviewed",
    "document.version.approved",
    "document.version.effective",
    "document.version.acknowledged",
)


def local_day(moment):
    return to_local(moment).date()


def is_office_time(moment):
    """At office hours on a working day of the product's calendar (a make-up Saturday is one)."""
    local = to_local(moment)
    return calendar.is_working_day(local.date()) and dt.time(7) <= local.time() <= dt.time(17, 30)


def events(last_seq=None, **where):
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if last_seq is not None:
        query = query.where(AuditEvent.seq <= last_seq)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(db.session.scalars(query))


def test_every_version_takes_its_steps_in_order_before_the_demo_was_loaded(app, load_started):
    for version in db.session.scalars(select(DocumentVersion)):
        label = (version.document.code, version.issue_no)
        times = [getattr(version, step) for step in STEPS if getattr(version, step) is not None]
        assert times == sorted(times), label
        later = [t for t in (version.superseded_at, version.withdrawn_at) if t is not None]
        assert all(times[-1] <= t for t in later), label
        assert all(t < load_started for t in (*times, *later)), label
        if version.document.kind is DocumentKind.external:
            # an external text keeps its own date; it is in force here from that date or, when
            # registered later, from its registration
            if version.effective_at is not None:
                registered = local_day(version.approved_at)
                assert local_day(version.effective_at) == max(version.effective_date, registered), label
            continue
        if version.effective_at is not None:
            assert local_day(version.effective_at) == version.effective_date, label
        # drafted, submitted, reviewed and approved at office hours on working days, one after the other
        done = [getattr(version, step) for step in STEPS[:4] if getattr(version, step) is not None]
        assert all(is_office_time(t) for t in done), label
        days = [local_day(t) for t in done]
        assert days == sorted(set(days)), label
        if version.approved_at is not None:
            assert local_day(version.approved_at) <= version.effective_date, label
            assert version.effective_date - local_day(version.created_at) <= dt.timedelta(days=21), label


def test_the_effective_version_came_into_force_on_its_effective_date(app):
    for code in ("QT-06", "CS-01", "MT-01", "QT-04", "QT-07"):
        version = current_version(document(code))
        assert local_day(version.effective_at) == version.effective_date < local_today(), code
        assert version.approved_at <= version.effective_at, code
    # the reform's issues superseded the first ones when they came into force
    first, second = versions("QT-06")
    assert first.superseded_at == second.effective_at


def test_signatures_follow_the_steps_of_their_version(app, load_started):
    signed = 0
    for version in db.session.scalars(select(DocumentVersion)):
        label = (version.document.code, version.issue_no)
        signatures = sorted(version.signatures, key=lambda s: s.id)
        times = [s.signed_at for s in signatures]
        assert times == sorted(times) and all(t < load_started for t in times), label
        for signature in signatures:
            signed += 1
            if signature.meaning == SignatureMeaning.reviewed:
                assert signature.signed_at == version.reviewed_at, label
                assert version.submitted_at < signature.signed_at, label
            elif signature.meaning == SignatureMeaning.approved:
                assert signature.signed_at == version.approved_at, label
                assert version.reviewed_at < signature.signed_at <= version.effective_at, label
            else:  # confirmed still valid, withdrawn: once in force
                assert version.effective_at < signature.signed_at, label
    assert signed >= 50
    confirmed = next(
        s for s in current_version(document("QT-01")).signatures if s.meaning == SignatureMeaning.confirmed
    )
    assert local_today() - dt.timedelta(days=25) <= local_day(confirmed.signed_at) < local_today()


def test_acknowledgments_follow_a_few_days_after_the_version_came_into_force(app, load_started):
    acknowledged = list(db.session.scalars(select(Acknowledgment).where(Acknowledgment.acknowledged_at.is_not(None))))
    assert len(acknowledged) >= 40
    for ack in acknowledged:
        version, label = ack.version, (ack.version.document.code, ack.version.issue_no, ack.user_id)
        assert ack.assigned_at == version.effective_at, label
        assert local_day(version.effective_at) < local_day(ack.acknowledged_at), label
        assert ack.acknowledged_at - version.effective_at < dt.timedelta(days=10), label
        assert is_office_time(ack.acknowledged_at) and ack.acknowledged_at < load_started, label


def test_the_audit_trail_runs_in_chronological_order_from_the_commune_to_the_work_in_progress(demo, app, load_started):
    trail = events(demo.last_seq)
    assert len(trail) >= 300
    times = [event.occurred_at for event in trail]
    assert times == sorted(times)
    assert trail[0].action == "commune.created" and trail[-1].occurred_at < load_started
    # the commune, its units and accounts before the first document, the registry before the drafts
    first_document = next(e for e in trail if e.action == "document.created")
    assert {e.action for e in trail[: trail.index(first_document)]} == {
        "commune.created",
        "unit.created",
        "user.created",
    }
    first_draft = next(e for e in trail if e.action == "document.version.created")
    assert local_day(first_document.occurred_at) < local_day(first_draft.occurred_at)
    commune = db.session.scalar(select(Commune))
    assert commune.created_at == trail[0].occurred_at
    assert all(user.created_at < first_document.occurred_at for user in db.session.scalars(select(User)))
    # the story is told over more than a year, and ends before the day it was loaded
    assert first_draft.occurred_at < load_started - dt.timedelta(days=365)
    assert local_day(trail[-1].occurred_at) < local_today()


def test_the_events_of_a_version_follow_its_steps_and_carry_their_times(app):
    for version in db.session.scalars(select(DocumentVersion)):
        label = (version.document.code, version.issue_no)
        actions = [e.action for e in events(entity_type="document_versions", entity_id=str(version.id))]
        steps = [a for a in actions if a in STEP_ACTIONS]
        assert steps == sorted(steps, key=STEP_ACTIONS.index), (label, actions)
        external = version.document.kind is DocumentKind.external
        for action, step in zip(STEP_ACTIONS, STEPS):
            if external and action in ("document.version.created", "document.version.approved"):
                action = "document.version.registered"  # registered, effective at once
            recorded = [
                e.occurred_at for e in events(entity_type="document_versions", entity_id=str(version.id), action=action)
            ]
            assert recorded == ([getattr(version, step)] if getattr(version, step) else []), (label, action)


def test_external_documents_are_registered_after_their_issue_and_before_the_documents_citing_them(app):
    registered = {}
    for external in db.session.scalars(select(Document).where(Document.kind == DocumentKind.external)):
        version = external.versions[0]
        registered[external.code] = version.approved_at
        if external.issued_on is not None:
            assert external.issued_on < local_day(version.approved_at), external.code
    linked = 0
    for event in events(entity_type="documents"):
        if event.action not in ("document.created", "document.updated"):
            continue
        bases = json.loads(event.changes).get("legal_bases")
        for code in bases[1] if bases else ():
            linked += 1
            assert registered[code] < event.occurred_at, (event.seq, code)
    assert linked >= 30
    assert registered["NĐ-118-2025"] > registered["NĐ-61-2018"]


def test_the_work_in_progress_is_from_the_last_days(app, load_started):
    recently = load_started - dt.timedelta(days=21)
    in_review, reviewed, draft = versions("QT-10")[-1], versions("BM-02-QT-06")[-1], versions("QT-11")[-1]
    moments = [
        in_review.created_at,
        in_review.submitted_at,
        reviewed.created_at,
        reviewed.reviewed_at,
        draft.created_at,
    ]
    for request in db.session.scalars(select(ChangeRequest)):
        moments += [request.requested_at] + ([request.decided_at] if request.decided_at else [])
    assert all(recently < moment < load_started and is_office_time(moment) for moment in moments), moments
    assert all(local_day(moment) < local_today() for moment in moments)
    # after everything that came into force
    last_in_force = max(v.effective_at for v in db.session.scalars(select(DocumentVersion)) if v.effective_at)
    assert last_in_force < min(moments)


# --- the files in LibreOffice ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_generated_files_convert_with_libreoffice(app, tmp_path):
    """A procedure, a form and the ledger open in LibreOffice headless and print as A4 pages with
    their text (the page numbers of the header block are computed)."""
    names = {}
    for code in ("QT-07", "BM-01-QT-06", "BM-06-QT-06"):
        version = current_version(document(code))
        names[code] = tmp_path / f"{code}.{version.primary_file.kind}"
        names[code].write_bytes(file_bytes(version))
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, names.values()),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    procedure = PdfReader(tmp_path / "QT-07.pdf")
    pages = len(procedure.pages)
    assert pages >= 3
    width, height = (float(v) * 25.4 / 72 for v in procedure.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    first = unicodedata.normalize("NFC", procedure.pages[0].extract_text())
    assert "ĐĂNG KÝ KHAI SINH" in first and f"1/{pages}" in first.replace(" ", "")
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in unicodedata.normalize(
        "NFC", PdfReader(tmp_path / "BM-01-QT-06.pdf").pages[0].extract_text()
    )
    assert "SỔ THEO DÕI HỒ SƠ" in unicodedata.normalize(
        "NFC", PdfReader(tmp_path / "BM-06-QT-06.pdf").pages[0].extract_text()
    )


# --- nonconformities (issue #9, point 9) ------------------------------------------------------------------


def nc_titled(start):
    return db.session.scalar(select(Nonconformity).where(Nonconformity.title.startswith(start)))


def nc_actions(nc):
    return [e.action for e in events(entity_type=Nonconformity.__tablename__, entity_id=str(nc.id))]


def opened_from_dossiers(ncs):
    """The NCs the dossier services opened for the demo's late dossiers (qms/dossiers/demo.py)."""
    refs = {f"{Dossier.__tablename__} {id_}" for id_ in db.session.scalars(select(Dossier.id))}
    return [nc for nc in ncs if nc.source_ref in refs]


def opened_from_audits(ncs):
    """The NCs the demo's internal audits' findings opened (qms/audits/demo.py)."""
    ids = set(db.session.scalars(select(AuditFinding.nc_id).where(AuditFinding.nc_id.is_not(None))))
    return [nc for nc in ncs if nc.id in ids]


def test_the_ncs_cover_every_source_and_status(app):
    ncs = list(db.session.scalars(select(Nonconformity)))
    assert len(ncs) >= 8
    # the late dossiers' NCs, opened by the dossier services and not yet taken up, and the audit
    # findings' NCs (see the audits' tests below), beside the NCs' own story (qms/nonconformities/demo.py)
    late = opened_from_dossiers(ncs)
    assert len(late) >= 4
    assert {(nc.source, nc.status) for nc in late} == {(NcSource.late_dossier, NcStatus.new)}
    told = [nc for nc in ncs if nc not in late and nc not in opened_from_audits(ncs)]
    assert Counter(nc.source for nc in told) == {
        NcSource.internal_audit: 2,
        NcSource.external_audit: 1,
        NcSource.late_dossier: 1,
        NcSource.citizen_feedback: 1,
        NcSource.staff_report: 2,
        NcSource.management_review: 1,
        NcSource.other: 1,
    }
    assert Counter(nc.status for nc in told) == {
        NcStatus.new: 1,
        NcStatus.correction: 1,
        NcStatus.analysis: 1,
        NcStatus.action_plan: 1,
        NcStatus.actions: 1,
        NcStatus.effectiveness_review: 1,
        NcStatus.closed: 2,
        NcStatus.cancelled: 1,
    }
    # numbered in the order they were detected, in Vietnamese, by the demo's people
    assert [nc.number for nc in sorted(ncs, key=lambda nc: nc.detected_at)] == [
        f"SKPH-{to_local(nc.detected_at).year}-{nc.serial:03d}" for nc in sorted(ncs, key=lambda nc: nc.detected_at)
    ]
    assert all(VIETNAMESE.search(nc.title) and VIETNAMESE.search(nc.description) for nc in ncs)
    usernames = {u for u, _n, _r, _units in DEMO_USERS}
    assert {nc.detected_by.username for nc in ncs} <= usernames
    # each status is where its record puts it (the services derived it)
    assert all(nc.status in (NcStatus.closed, NcStatus.cancelled) or nc.status is derived_status(nc) for nc in ncs)


def test_the_closed_nc_tells_the_whole_story(app):
    nc = nc_titled("Thu sai phí chứng thực")
    assert nc.status is NcStatus.closed and nc.source is NcSource.staff_report and nc.round_no == 1
    assert nc.correction and nc.correction_done_at and nc.disposition is Disposition.corrected
    (round_,) = nc.rounds
    assert len(round_.whys) >= 3 and all(w.question and w.answer for w in round_.whys)
    assert len({c.category for c in round_.causes}) >= 3 and any(c.is_root for c in round_.causes)
    assert round_.analysis_accepted_by.has_role("quality_officer")
    items = nc.actions
    assert len(items) == 2 and all(item.done_at and item.result for item in items)
    # one item revised a form: its change request accepted into a draft of the form's next issue
    (revision,) = [item for item in items if item.document_id]
    form = db.session.get(Document, revision.document_id)
    assert form.code == "BM-01-QT-09" and form.kind is DocumentKind.form
    request = db.session.get(ChangeRequest, revision.change_request_id)
    assert request.status is ChangeRequestStatus.accepted and request.what == revision.what
    draft = db.session.get(DocumentVersion, request.draft_version_id)
    assert (draft.issue_no, draft.status, draft.change_summary) == (2, VersionStatus.draft, revision.what)
    assert draft.based_on_id == current_version(form).id and draft.author.username == "qo2"
    assert nc.number in request.why
    # an effective review after the last item was done, by someone who did none of them
    (review,) = nc.reviews
    assert review.result is ReviewResult.effective
    assert review.reviewed_on >= max(local_day(item.done_at) for item in items)
    assert review.reviewer_id not in {item.owner_id for item in items}
    # closed with the quality officer's signature; the form named as a document to update
    assert nc.closed_by.has_role("quality_officer") and nc.documents_need_update and not nc.risks_need_update
    assert nc.documents_to_update == [form.id]
    meanings = [s.meaning for s in signatures_of(nc)]
    assert meanings == [NcMeaning.analysis_accepted.value, NcMeaning.closed.value]
    assert verify(signatures_of(nc)[-1]).valid
    story = nc_actions(nc)
    for action in (
        "nc.reported",
        "nc.correction_recorded",
        "nc.disposition_recorded",
        "nc.why_added",
        "nc.cause_added",
        "nc.analysis_accepted",
        "nc.action_added",
        "nc.action_completed",
        "nc.review_planned",
        "nc.review_recorded",
        "nc.closed",
    ):
        assert action in story, action
    assert story[0] == "nc.reported" and story[-1] == "nc.closed"


def test_an_ineffective_review_opened_a_second_round(app):
    nc = nc_titled("Quầy tiếp nhận còn dùng Giấy tiếp nhận")
    assert nc.source is NcSource.internal_audit and nc.round_no == 2 and nc.status is NcStatus.action_plan
    first, second = nc.rounds
    (review,) = first.reviews
    assert review.result is ReviewResult.not_effective and review.notes
    assert second.opened_reason == review.notes and second.opened_at == review.recorded_at
    # the first round stays as it was: its analysis, its items done, its review
    assert first.whys and first.analysis_accepted_at and len(first.actions) == 2
    assert all(item.done_at for item in first.actions)
    assert second.whys and any(c.is_root for c in second.causes) and second.analysis_accepted_at
    assert second.actions == [] and second.reviews == []
    assert [s.meaning for s in signatures_of(nc)] == [NcMeaning.analysis_accepted.value] * 2


def test_an_nc_has_an_overdue_action_item(app):
    today = local_today()
    overdue = [
        item
        for item in db.session.scalars(select(NcAction))
        if item.done_at is None and item.due_on < today and item.nonconformity.is_open
    ]
    assert [item.nonconformity.source for item in overdue] == [NcSource.late_dossier]
    assert overdue[0].nonconformity.status is NcStatus.actions and overdue[0].owner.username == "staff"


def test_the_late_dossier_nc_was_opened_from_elsewhere_and_its_duplicate_cancelled(app):
    nc = nc_titled("Hồ sơ đăng ký kết hôn trả kết quả quá hạn")
    assert nc.source_ref == f"dossiers {nc.dossier_code}" and nc.recorded_by_id is None
    assert find_opened_from(nc.commune_id, nc.source_ref) is nc
    assert nc_actions(nc)[0] == "nc.opened_from_elsewhere"
    duplicate = db.session.scalar(select(Nonconformity).where(Nonconformity.status == NcStatus.cancelled))
    assert duplicate.dossier_code == nc.dossier_code and nc.number in duplicate.cancel_reason
    assert [s.meaning for s in signatures_of(duplicate)] == [NcMeaning.cancelled.value]
    similar = nc_titled("Tỷ lệ hồ sơ hộ tịch giải quyết đúng hạn")
    assert similar_ncs(nc) == [similar] and similar_ncs(similar) == [nc]


def test_nc_signatures_verify(app):
    signatures = list(
        db.session.scalars(select(Signature).where(Signature.subject_type == Nonconformity.__tablename__))
    )
    # the NCs' own story, and last year's audit findings' two NCs (analysed, closed)
    assert Counter(s.meaning for s in signatures) == {"analysis_accepted": 5 + 2, "closed": 2 + 2, "cancelled": 1}
    assert all(verify(s).sealed for s in signatures)
    assert all(s.signer.has_role("quality_officer") for s in signatures)
    # a closed or cancelled NC has not changed since its last signature
    for nc in db.session.scalars(select(Nonconformity).where(Nonconformity.status.in_(TERMINAL))):
        assert verify(signatures_of(nc)[-1]).valid, nc.number


def test_the_ncs_steps_are_on_working_days_at_office_hours_before_the_load(app, load_started):
    trail = events(entity_type=Nonconformity.__tablename__)
    assert len(trail) >= 80
    assert all(event.occurred_at < load_started for event in trail)
    # the late dossier is opened by the morning job (07:00); people act at office hours on working days
    for event in trail:
        assert calendar.is_working_day(local_day(event.occurred_at)), (event.seq, event.action)
        assert is_office_time(event.occurred_at), (event.seq, event.action)
    for nc in db.session.scalars(select(Nonconformity)):
        assert is_office_time(nc.detected_at) and is_office_time(nc.created_at), nc.number
        assert nc.detected_at <= nc.created_at < nc.detected_at + dt.timedelta(days=2), nc.number
    # the NCs' own story after the documents it names were in force (last year's audits found theirs
    # before), and the audit chain holds
    from_audits = {str(nc.id) for nc in opened_from_audits(list(db.session.scalars(select(Nonconformity))))}
    told = [e for e in trail if e.entity_id not in from_audits]
    assert min(e.occurred_at for e in told) > current_version(document("BM-01-QT-06")).effective_at
    result = verify_chain()
    assert result.ok, (result.broken_seq, result.kind, result.detail)


# --- the citizens' feedback box (issue #9, points 5 and 9) ---------------------------------------------


def test_the_feedback_box_holds_letters_waiting_one_closed_and_one_made_an_nc(app):
    from qms.feedback.models import FeedbackItem, FeedbackStatus

    items = list(db.session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)))
    assert Counter(item.status for item in items) == {
        FeedbackStatus.waiting: 2,
        FeedbackStatus.nc_opened: 1,
        FeedbackStatus.closed: 1,
    }
    assert [item.reference for item in items] == [
        f"GY-{to_local(item.received_at).year}-{n:04d}" for n, item in enumerate(items, start=1)
    ]
    assert all(VIETNAMESE.search(item.message) for item in items)
    opened = next(item for item in items if item.status is FeedbackStatus.nc_opened)
    nc = find_opened_from(opened.commune_id, opened)
    assert nc.source is NcSource.citizen_feedback and nc.description == opened.message
    assert nc.detected_at == opened.received_at and opened.triaged_by.has_role("quality_officer")
    closed = next(item for item in items if item.status is FeedbackStatus.closed)
    assert VIETNAMESE.search(closed.close_reason)
    # the home page of the quality officer lists what waits
    client = app.test_client()
    login(client, "qo", DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    section = home.split('id="section-feedback-waiting"', 1)[1].split("</section>", 1)[0]
    waiting = [item.reference for item in items if item.status is FeedbackStatus.waiting]
    assert all(reference in section for reference in waiting) and opened.reference not in section


def test_the_letters_are_written_at_their_times_and_the_nc_keeps_no_contact_details(app, load_started):
    items = list(db.session.scalars(select(FeedbackItem).order_by(FeedbackItem.received_at)))
    for item in items:
        assert is_office_time(item.received_at) and item.received_at < load_started, item.reference
        assert calendar.is_working_day(local_day(item.received_at)), item.reference
    received = events(entity_type=FeedbackItem.__tablename__, action="feedback.received")
    assert [e.occurred_at for e in received] == [item.received_at for item in items]
    assert all(event.actor_id is None for event in received)
    waiting = [item for item in items if item.status is FeedbackStatus.waiting]
    assert {item.kind for item in waiting} == {FeedbackKind.feedback, FeedbackKind.complaint}
    assert all(item.triaged_at is None for item in waiting)
    # the complaint's NC: opened by the triage, then placed (unit, procedure) by the quality officer;
    # the citizen's name and phone stay with the letter
    (opened,) = [item for item in items if item.status is FeedbackStatus.nc_opened]
    nc = find_opened_from(opened.commune_id, opened)
    assert nc.status is NcStatus.correction and nc_actions(nc)[:2] == ["nc.opened_from_elsewhere", "nc.updated"]
    assert nc.unit.code == "TTHCC" and nc.handler.username == "staff"
    assert opened.contact_name and opened.contact_phone
    shown = nc.title + nc.description + nc.correction
    assert opened.contact_name not in shown and opened.contact_phone not in shown


@pytest.mark.parametrize("username", ["qo", "auditor"])
def test_the_register_and_every_demo_nc_page_open(app, username):
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    ncs = list(db.session.scalars(select(Nonconformity)))
    response = client.get("/nc/")
    assert response.status_code == 200
    register = response.get_data(as_text=True)
    assert all(nc.number in register for nc in ncs)
    overdue = client.get("/nc/?overdue=1").get_data(as_text=True)
    late = nc_titled("Hồ sơ đăng ký kết hôn trả kết quả quá hạn")
    assert late.number in overdue and nc_titled("Thu sai phí").number not in overdue
    failed = [(nc.number, status) for nc in ncs if (status := client.get(f"/nc/{nc.id}").status_code) != 200]
    assert failed == []
    story = client.get(f"/nc/{nc_titled('Thu sai phí').id}").get_data(as_text=True)
    assert "BM-01-QT-09" in story and "Cập nhật bảng niêm yết phí chứng thực" in story


def test_the_one_stop_forms_in_force_are_templates_the_system_fills(app):
    """Each one-stop form in force holds placeholders where its blanks are, all of its kind
    (qms.dossiers.fill); the receipt's issue 01, from before the system, has none."""
    from qms.core.fill import placeholders
    from qms.dossiers.fill import PLACEHOLDERS
    from qms.dossiers.services.forms import DEFAULT_FORMS

    for kind, code in DEFAULT_FORMS.items():
        held = placeholders(file_bytes(current_version(document(code))))
        assert held and held <= PLACEHOLDERS[kind].names, (code, held - PLACEHOLDERS[kind].names)
    assert {"ma_qr", "ma_ho_so", "thanh_phan.ten"} <= placeholders(file_bytes(current_version(document("BM-01-QT-06"))))
    assert placeholders(file_bytes(versions("BM-01-QT-06")[0])) == set()


# --- procedures and dossiers (issue #10) ------------------------------------------------------------------


PROCESS_MAPS = Path(__file__).parents[1] / "process_maps"


def dossiers():
    return list(db.session.scalars(select(Dossier).order_by(Dossier.id)))


def test_every_procedure_has_its_process_map_in_force_but_the_draft_death_registration(app):
    files = {maps.load(text, source).code: source for source, text in read_maps(PROCESS_MAPS)}
    procedures = {p.code: p for p in db.session.scalars(select(Procedure))}
    assert set(procedures) == set(files) and len(files) == 12
    for code, procedure in procedures.items():
        assert procedure.map_file == files[code]
        (mapped,) = procedure.maps  # imported once: the second import found it unchanged
        version = db.session.get(DocumentVersion, mapped.document_version_id)
        assert db.session.get(User, mapped.imported_by_id).has_role("quality_officer"), code
        if code == "1.000656":  # the death registration: its QT-11 is a first draft, its map waits with it
            assert (version.document.code, version.status) == ("QT-11", VersionStatus.draft)
            assert map_in_force(procedure) is None
            continue
        assert map_in_force(procedure) is mapped, code
        assert version.status is VersionStatus.effective and version.effective_at < mapped.imported_at, code
    # imported in the story: after QT-12..QT-18 came into force, before the first dossier
    first_dossier = min(d.received_at for d in dossiers())
    in_force = max(current_version(document(f"QT-{n:02d}")).effective_at for n in range(7, 19) if n != 11)
    assert all(
        in_force < m.imported_at < first_dossier for p in procedures.values() if p.code != "1.000656" for m in p.maps
    )


def test_the_dossiers_of_the_last_weeks_cover_every_status_and_most_procedures(app):
    found = dossiers()
    assert 60 <= len(found) <= 120
    assert {d.status for d in found} == set(DossierStatus)
    codes = Counter(d.procedure.code for d in found)
    assert len(codes) >= 10 and "1.000656" not in codes
    # about 30 % filed online, a few by post
    online = sum(d.channel is Channel.online for d in found) / len(found)
    assert 0.2 <= online <= 0.4 and any(d.channel is Channel.post for d in found)
    # most on time or early; a few late
    completed = [d for d in found if d.timeliness is not None]
    late = [d for d in completed if d.timeliness is Timeliness.late]
    assert 2 <= len(late) <= 0.1 * len(completed)
    assert any(d.timeliness is Timeliness.early for d in completed)
    # the last six weeks, numbered per day in the commune's format
    assert min(local_day(d.received_at) for d in found) >= local_today() - dt.timedelta(days=50)
    for d in found:
        assert d.code == f"TTHCC-{d.received_on:%y%m%d}-{d.serial:03d}", d.code
    # invented applicants of the commune, in Vietnamese, with mobile numbers
    assert sum(bool(VIETNAMESE.search(d.applicant_name)) for d in found) > 0.8 * len(found)
    for d in found:
        assert len(d.applicant_name.split()) == 3, d.code
        assert re.fullmatch(r"09\d{8}", d.applicant_phone), d.code
        assert d.applicant_address.endswith("xã Hòa Bình") and d.components, d.code
    assert len({d.applicant_name for d in found}) > 0.8 * len(found)


def test_each_dossier_is_handled_by_the_people_its_process_names(app):
    holders = {"one_stop": {"staff"}, "civil_status": {"qo2"}, "culture_social": {"social"}, "leader": {"leader"}}
    holders["clerk"] = {"qo"}
    for d in dossiers():
        steps = {step.id: step for step in d.process_map.process.steps}
        assert d.received_by.username == "staff", d.code
        handovers = [h for h in d.handovers if h.kind is HandoverKind.handover]
        for line in handovers:
            # the line ends a step: given by whoever held it, to whoever holds the next
            assert line.from_user.username in holders[steps[line.step_id].role], (d.code, line.seq)
        for line, following in zip(handovers, handovers[1:]):
            assert line.to_user_id == following.from_user_id, (d.code, line.seq)
        if d.status in DONE_STATUSES:
            assert [h.step_id for h in handovers] == [s.id for s in d.process_map.process.steps[:-1]], d.code


def test_every_dossier_step_is_at_office_hours_on_a_working_day_before_the_load(app, load_started):
    found = dossiers()
    trail = events(entity_type=Dossier.__tablename__)
    assert len(trail) >= 5 * len(found)
    for event in trail:
        assert is_office_time(event.occurred_at) and event.occurred_at < load_started, (event.seq, event.action)
    for d in found:
        times = [d.received_at, *(line.at for line in d.handovers)]
        assert times == sorted(times) and all(is_office_time(t) for t in times), d.code
        assert local_day(times[-1]) < local_today(), d.code
        received = next(e for e in trail if e.entity_id == str(d.id) and e.action == "dossier.received")
        assert received.occurred_at == d.received_at, d.code


def test_each_late_dossier_has_its_nc_opened_by_the_services(app):
    today = local_today()
    found = dossiers()
    completed_late = [d for d in found if d.timeliness is Timeliness.late]
    overdue = [d for d in found if d.is_open and d.due_date < today]
    extended = [d for d in found if d.apology_signed_at is not None]
    assert completed_late and len(overdue) == 1 and len(extended) == 1
    late = completed_late + overdue + extended
    for d in late:
        nc = find_opened_from(d.commune_id, d)
        assert nc is not None and nc.source is NcSource.late_dossier and nc.dossier_code == d.code, d.code
        assert nc.procedure_id == d.procedure.process_document_id and d.code in nc.title, d.code
        assert nc_actions(nc)[0] == "nc.opened_from_elsewhere", d.code
    # none for the others, and no other NC from a dossier
    ncs = list(db.session.scalars(select(Nonconformity)))
    assert {nc.source_ref for nc in opened_from_dossiers(ncs)} == {f"dossiers {d.id}" for d in late}
    # the unfinished dossier past its due date: opened by the daily job (no one acting), the morning after
    (open_late,) = overdue
    nc = find_opened_from(open_late.commune_id, open_late)
    assert nc.recorded_by_id is None and local_day(nc.detected_at) > open_late.due_date
    assert to_local(nc.detected_at).time() == dt.time(7)


def test_the_extended_dossier_carries_the_leaders_valid_signature(app):
    (d,) = [d for d in dossiers() if d.apology_signed_at is not None]
    (signature,) = signatures_of(d)
    assert signature.meaning == "apology_signed" and signature.signer.username == "leader"
    assert signature.signed_at == d.apology_signed_at and verify(signature).valid
    (line,) = [h for h in d.handovers if h.kind is HandoverKind.extended]
    assert line.notes == d.apology_reason and VIETNAMESE.search(d.apology_reason)
    # before the due date it replaced, to a later working day; the result came by the new date
    old_due = json.loads(
        events(entity_type=Dossier.__tablename__, entity_id=str(d.id), action="dossier.extended")[0].changes
    )
    old_due = dt.date.fromisoformat(old_due["due_date"][0])
    assert local_day(d.apology_signed_at) < old_due < d.apology_due_date == d.due_date
    assert calendar.is_working_day(d.due_date) and d.timeliness in (Timeliness.early, Timeliness.on_time)
    nc = find_opened_from(d.commune_id, d)
    assert nc.detected_at == d.apology_signed_at and nc.detected_by.username == "leader"


def test_a_supplement_a_refusal_and_a_withdrawal(app):
    found = dossiers()
    (done,) = [d for d in found if d.supplement_received_at is not None]
    assert done.paused_days > 0 and done.status in DONE_STATUSES and done.supplement_items
    kinds = [h.kind for h in done.handovers]
    assert kinds.index(HandoverKind.supplement_requested) < kinds.index(HandoverKind.supplement_received)
    process = done.process_map.process
    deadline = calendar.due_date(done.received_at, process.working_days, cutoff=maps.cutoff_time(process))
    assert done.due_date == calendar.add_working_days(deadline.due_date, done.paused_days)
    (waiting,) = [d for d in found if d.status is DossierStatus.supplement]
    assert waiting.supplement_items and waiting.due_date > calendar.add_working_days(local_today(), 1)
    (refused,) = [d for d in found if d.status is DossierStatus.refused]
    assert VIETNAMESE.search(refused.refusal_reason) and refused.handovers[-1].from_user.username == "qo2"
    (withdrawn,) = [d for d in found if d.status is DossierStatus.withdrawn]
    assert VIETNAMESE.search(withdrawn.withdraw_reason) and withdrawn.completed_at


@pytest.mark.parametrize(("username", "section"), [("staff", "dossiers-warnings"), ("qo", "dossiers-commune-warnings")])
def test_the_warning_lists_of_the_home_pages_show_dossiers_due_soon_and_overdue(app, username, section):
    today, horizon = local_today(), calendar.add_working_days(local_today(), 1)
    warned = [d for d in dossiers() if d.is_open and d.due_date <= horizon]
    assert any(d.due_date < today for d in warned) and any(d.due_date >= today for d in warned)
    client = app.test_client()
    login(client, username, DEMO_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    shown = home.split(f'id="section-{section}"', 1)[1].split("</section>", 1)[0]
    assert all(d.code in shown for d in warned), [d.code for d in warned]


# --- the internal audits (issue 11, point 8) ----------------------------------------------------------


def programme_of(year):
    return db.session.scalar(select(AuditProgramme).where(AuditProgramme.year == year))


def test_last_years_programme_is_completed_with_its_findings_ncs_closed(app):
    this_year = max(db.session.scalars(select(AuditProgramme.year)))
    programme = programme_of(this_year - 1)
    assert programme.status is ProgrammeStatus.approved and audits.approval_holds(programme)
    assert len(programme.audits) == 2
    for audit in programme.audits:
        assert audit.status is AuditStatus.closed, audit.code
        assert audit.items and all(item.result is not None and item.notes for item in audit.items), audit.code
        assert verify(audits.report_signature(audit)).valid, audit.code
        assert verify(audits.plan_approval(audit)).valid, audit.code
        follow = audits.follow_up(audit)
        assert follow and all(nc.status is NcStatus.closed for _finding, nc in follow), audit.code
        assert all(f.decision is not None for f in audit.findings if f.nc_id is None), audit.code
        assert audit.started_at < audit.reported_at < audit.closed_at
        assert to_local(audit.closed_at).year == programme.year
        # impartial: no auditor of the team belongs to a unit or performs a process of the audit
        assert all(not audits.conflicts(audit, member.user, now=audit.started_at) for member in audit.team)


def test_this_years_programme_is_approved_with_an_audit_in_progress_and_one_planned(app):
    this_year = max(db.session.scalars(select(AuditProgramme.year)))
    programme = programme_of(this_year)
    assert programme.status is ProgrammeStatus.approved and audits.approval_holds(programme)
    assert programme.revision == 2, "revised with the procedures' audit and approved again"
    assert [a.status for a in programme.audits] == [AuditStatus.in_progress, AuditStatus.planned]
    in_progress, planned = programme.audits
    answered = [item for item in in_progress.items if item.result is not None]
    assert 0 < len(answered) < len(in_progress.items)
    assert {f.grade.value for f in in_progress.findings} == {"minor", "observation"}
    ((_finding, nc),) = audits.follow_up(in_progress)
    assert nc.status is NcStatus.new and nc.source is NcSource.internal_audit
    assert audits.plan_signature(planned) is not None and audits.plan_approval(planned) is None
    assert not planned.items and planned.planned_start >= to_local(in_progress.started_at).date()
    assert {p.system_process for p in in_progress.processes} == {"nonconformities", "monitoring"}
    assert {p.procedure_id for p in planned.processes} <= set(db.session.scalars(select(Procedure.id)))


def test_the_audits_are_in_vietnamese_at_office_hours_before_the_load(app, load_started):
    usernames = {u for u, _n, _r, _units in DEMO_USERS}
    for audit in db.session.scalars(select(Audit)):
        assert VIETNAMESE.search(audit.title) and VIETNAMESE.search(audit.criteria), audit.code
        assert audit.lead_auditor.username in usernames and not audit.lead_auditor.is_read_only
        for item in audit.items:
            if item.result is not None:
                assert VIETNAMESE.search(item.notes), (audit.code, item.question.key)
                assert is_office_time(item.answered_at) and item.answered_at < load_started
        assert all(item.result is ChecklistResult.conform or item.finding_id for item in audit.items if item.result)
    tables = ("audit_programmes", "audits", "audit_findings", "audit_checklist_items")
    trail = [e for e in events() if e.entity_type in tables]
    assert {"audit_programme.approved", "audit.started", "audit.reported", "audit.closed"} <= {e.action for e in trail}
    assert all(is_office_time(e.occurred_at) and e.occurred_at < load_started for e in trail)
