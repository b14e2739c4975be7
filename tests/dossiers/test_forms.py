"""The one-stop forms filled from a dossier's data (qms.dossiers.fill): each from the version in force
of the commune's controlled form (the demo's forms of Circular 01/2018, issued in the test commune),
re-opened with python-docx and one printed by LibreOffice; a revision of a form changes what is
filled without a change of code; a template with an unknown placeholder is refused at upload, naming
it; the receipt's QR code is the dossier's address on the citizens' lookup page; who may fill what;
the ledger for a period; the page of the one-stop forms and its setting."""

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata

import docx
import pytest
import segno
from PIL import Image
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import clock_at
from qms.core.fill import placeholders
from qms.db import DomainError, db
from qms.documents import services as documents
from qms.documents.demo.forms import FORM_FILES
from qms.documents.demo.parts import Control, Person
from qms.dossiers import fill, services
from qms.dossiers.services import forms as form_settings
from qms.dossiers.views.lookup import lookup_url
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.documents.views_support import html
from tests.documents.views_support import signed_in as _signed_in
from tests.dossiers.conftest import vn
from tests.files.samples import docx_bytes

pytestmark = pytest.mark.usefixtures("app")

CODES = form_settings.DEFAULT_FORMS


def signed_in(app, user):
    from qms.auth.models import User
    from tests.core.support import IsolatedClient

    app.test_client_class = IsolatedClient
    return _signed_in(app, db.session.get(User, user.id))


def render(commune, code, issue_no=1) -> bytes:
    """The demo's form `code` at `issue_no`, for the commune."""
    renderer, _name = FORM_FILES[code]
    control = Control(
        commune=commune.name,
        code=code,
        title=f"Biểu mẫu {code}",
        issue_no=issue_no,
        issued_on=dt.date(2026, 11, 2),
        drafted=Person("Trần Văn Soạn", "Công chức"),
        reviewed=Person("Lê Thị Xem", "Phó Chủ tịch"),
        approved=Person("Phạm Văn Duyệt", "Chủ tịch"),
    )
    return renderer(control)


def issue(people, document, data, summary=""):
    """A new version of `document` with `data`, reviewed, approved and in force; committed."""
    version = documents.create_draft_version(
        people.qo, document, filename=f"{document.code}.docx", data=data, change_summary=summary
    )
    documents.submit_for_review(people.qo, version)
    documents.review_version(people.leader, version, password=PASSWORD)
    documents.approve_version(people.qo2, version, password=PASSWORD)
    db.session.commit()
    return version


@pytest.fixture
def forms(catalogue):
    """The six one-stop forms of commune A in force, from the demo's renderers: BM-01-QT-06 at issue
    02 (the catalogue's issue 01 holds no placeholder), BM-02..BM-06-QT-06 at issue 01."""
    commune, made = catalogue.commune, catalogue.documents
    issue(catalogue, made["BM-01-QT-06"], render(commune, "BM-01-QT-06", 2), summary="Mẫu điền từ hồ sơ")
    for code in list(CODES.values())[1:]:
        made[code] = documents.create_document(
            catalogue.qo,
            commune,
            code=code,
            title=fill.PLACEHOLDERS[_kind(code)].title,
            kind="form",
            parent=made["QT-06"],
        )
        issue(catalogue, made[code], render(commune, code))
    return catalogue


def _kind(code):
    return next(kind for kind, used in CODES.items() if used == code)


@pytest.fixture
def handled(forms, receive):
    """Two dossiers commune A's staff received: `returned` (2.000884: a supplement requested and
    brought, a new return date signed by the leader, handed to the leader, result, returned) and
    `refused` (refused at receipt)."""
    people = forms
    returned = receive(
        vn(2026, 12, 7, 9, 0),
        applicant_name="Nguyễn Văn An",
        applicant_phone="0912 345 678",
        applicant_address="Thôn Đông, xã A",
        components=["Giấy tờ tùy thân", "Văn bản cần chứng thực chữ ký"],
    )
    with clock_at(vn(2026, 12, 7, 9, 30)):
        services.request_supplement(
            people.staff, returned, items=["Bản sao căn cước công dân", "Giấy ủy quyền"], notes="Thiếu giấy tờ"
        )
    with clock_at(vn(2026, 12, 7, 10, 0)):
        services.receive_supplement(people.staff, returned)
    with clock_at(vn(2026, 12, 8, 8, 0)):
        services.extend_due_date(
            people.leader,
            returned,
            reason="Chờ xác minh chữ ký với cơ quan khác",
            new_due_date=dt.date(2026, 12, 11),
            password=PASSWORD,
        )
    with clock_at(vn(2026, 12, 8, 9, 0)):
        services.hand_over(people.staff, returned, to_user=people.leader, notes="Đủ giấy tờ")
    with clock_at(vn(2026, 12, 9, 10, 0)):
        services.record_result(people.leader, returned)
    with clock_at(vn(2026, 12, 9, 14, 0)):
        services.return_result(people.leader, returned)
    refused = receive(vn(2026, 12, 7, 11, 0), applicant_name="Trần Thị Bình", applicant_phone="0987 000 111")
    with clock_at(vn(2026, 12, 7, 11, 20)):
        services.refuse_dossier(people.staff, refused, reason="Văn bản cần chứng thực có nội dung trái pháp luật")
    db.session.commit()
    people["returned"], people["refused"] = returned, refused
    return people


def opened(data) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def text_of(document) -> str:
    """Every paragraph of the body and its tables (nested ones too), and the headers, NFC."""
    parts = []

    def walk(container):
        for block in container.iter_inner_content():
            if isinstance(block, docx.text.paragraph.Paragraph):
                parts.append(block.text)
            else:
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)

    walk(document)
    for section in document.sections:
        walk(section.header)
    return unicodedata.normalize("NFC", "\n".join(parts))


def the_form(document) -> str:
    """The text of the form, without its control page (printed apart, after a page break)."""
    return text_of(document).split("THÔNG TIN KIỂM SOÁT BIỂU MẪU")[0]


def table_rows(document, first_heading):
    table = next(t for t in document.tables if t.rows[0].cells[0].text.strip() == first_heading)
    return [[unicodedata.normalize("NFC", c.text) for c in row.cells] for row in table.rows]


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


LOOKUP = "http://localhost/tra-cuu-ho-so?ma=X"


# --- every form filled from its template ------------------------------------------------------------


def test_every_one_stop_form_of_a_dossier_is_filled_from_its_form_in_force(handled):
    people, dossier, refused = handled, handled.returned, handled.refused
    filled = {}
    for kind, of in (
        ("receipt", dossier),
        ("supplement", dossier),
        ("refusal", refused),
        ("apology", dossier),
        ("control_sheet", dossier),
    ):
        code, data = fill.fill_dossier_form(people.staff, of, kind, url=LOOKUP)
        assert code == CODES[kind]
        document = opened(data)
        left = placeholders(data) & fill.PLACEHOLDERS[kind].names
        assert not left, (kind, left)  # every placeholder of its kind was filled
        assert "{{" not in the_form(document), kind
        filled[kind] = document
    db.session.commit()

    receipt = the_form(filled["receipt"])
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {dossier.code}",
        "Tiếp nhận hồ sơ của: Nguyễn Văn An",
        "Địa chỉ: Thôn Đông, xã A",
        "Số điện thoại: 0912 345 678",
        "Nội dung yêu cầu giải quyết: Chứng thực chữ ký (2.000884)",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 02 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 07/12/2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: ngày 11/12/2026",  # the date in force
        people.staff.full_name,
        ", ngày 07 tháng 12 năm 2026",
    ):
        assert expected in receipt, expected
    assert table_rows(filled["receipt"], "TT")[1:] == [
        ["1", "Giấy tờ tùy thân", "", ""],
        ["2", "Văn bản cần chứng thực chữ ký", "", ""],
    ]
    assert len(filled["receipt"].inline_shapes) == 1  # the QR code

    supplement = the_form(filled["supplement"])
    assert "Hồ sơ của: Nguyễn Văn An" in supplement and "Lý do: Thiếu giấy tờ" in supplement
    assert "1. Bản sao căn cước công dân" in supplement and "2. Giấy ủy quyền" in supplement

    refusal = the_form(filled["refusal"])
    assert "Tiếp nhận hồ sơ của: Trần Thị Bình" in refusal and f"Mã hồ sơ: {refused.code}" in refusal
    assert "Văn bản cần chứng thực có nội dung trái pháp luật" in refusal

    apology = the_form(filled["apology"])
    assert "Kính gửi: Nguyễn Văn An" in apology
    assert "Thời hạn trả kết quả giải quyết hồ sơ: ngày 09/12/2026." in apology, apology  # before the new date
    assert "vào ngày 11/12/2026." in apology and "Lý do: Chờ xác minh chữ ký với cơ quan khác" in apology
    assert people.leader.full_name in apology and ", ngày 08 tháng 12 năm 2026" in apology

    rows = table_rows(filled["control_sheet"], "TÊN CƠ QUAN, ĐƠN VỊ")[1:]
    assert len(rows) == len(dossier.handovers) == 6
    handover = rows[3]
    assert handover[0] == f"1. Giao: {people.staff.full_name}\n2. Nhận: {people.leader.full_name}"
    assert handover[1].startswith("09 giờ 00 phút, ngày 08/12/2026")
    assert handover[2] in ("Trước hạn", "Đúng hạn", "Quá hạn") and "Đủ giấy tờ" in handover[3]
    assert rows[0][3].startswith("Yêu cầu bổ sung, hoàn thiện hồ sơ") and rows[0][0].endswith("Tổ chức, cá nhân")
    assert rows[-1][3] == "Trả kết quả" and rows[-1][0].endswith("Nhận: Tổ chức, cá nhân")
    assert "Tình trạng hồ sơ: Đã trả kết quả." in the_form(filled["control_sheet"])

    # each reading of a form is a download of its version in force, and the applicant's a reading
    downloads = events("document.version.downloaded")
    assert [e.actor_id for e in downloads] == [people.staff.id] * 5
    assert all('"template"' in e.changes for e in downloads)
    assert '"one_stop_receipt"' in downloads[0].changes
    assert len(events("dossier.applicant_read")) == 5


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_filled_receipt_prints_in_libreoffice(handled, tmp_path):
    _code, data = fill.fill_dossier_form(handled.staff, handled.returned, "receipt", url=LOOKUP)
    (tmp_path / "receipt.docx").write_bytes(data)
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "receipt.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    from pypdf import PdfReader

    pdf = PdfReader(tmp_path / "receipt.pdf")
    width, height = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (210, 297)
    first = unicodedata.normalize("NFC", pdf.pages[0].extract_text())
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in first and handled.returned.code in first and "Nguyễn Văn An" in first
    assert "{{" not in first
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "receipt.pdf"),
                str(tmp_path / "receipt"),
            ],
            check=True,
            timeout=120,
        )
        (page,) = tmp_path.glob("receipt-*.png")
        image = Image.open(page).convert("L")
        # the QR code prints: the page's top third holds a block of dark modules beside the code
        top = image.crop((image.width // 2, 0, image.width, image.height // 3))
        assert sum(1 for p in top.tobytes() if p < 80) > 200  # one byte per pixel of a grey image


# --- a revision of a form changes what is filled ------------------------------------------------------


def test_a_new_issue_of_the_receipt_changes_the_filled_output_without_a_code_change(handled):
    people, dossier = handled, handled.returned
    before = the_form(opened(fill.fill_dossier_form(people.staff, dossier, "receipt", url=LOOKUP)[1]))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in before

    revised = opened(render(people.commune, "BM-01-QT-06", 3))
    for paragraph in revised.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "PHIẾU TIẾP NHẬN VÀ HẸN TRẢ")
    paragraph = revised.add_paragraph("Công dân {{ten_nguoi_nop}} nhận kết quả tại quầy số 3.")
    buffer = io.BytesIO()
    revised.save(buffer)
    version = issue(people, people.documents["BM-01-QT-06"], buffer.getvalue(), summary="Đổi tên phiếu; thêm quầy")
    assert version.issue_no == 3 and documents.current_version(people.documents["BM-01-QT-06"]) == version

    after = text_of(opened(fill.fill_dossier_form(people.staff, dossier, "receipt", url=LOOKUP)[1]))
    assert "PHIẾU TIẾP NHẬN VÀ HẸN TRẢ" in after and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" not in after
    assert "Công dân Nguyễn Văn An nhận kết quả tại quầy số 3." in after


def test_another_set_of_forms_is_a_change_of_the_setting(handled):
    """Moving to the forms of Circular 03/2025: a new form, named as the control sheet."""
    people = handled
    new = documents.create_document(
        people.qo,
        people.commune,
        code="BM-07-QT-06",
        title="Phiếu kiểm soát (TT 03/2025)",
        kind="form",
        parent=people.documents["QT-06"],
    )
    issue(people, new, docx_bytes("PHIẾU KIỂM SOÁT MỚI", paragraphs=["Mã hồ sơ: {{ma_ho_so}}"]))
    changes = form_settings.update_one_stop_forms(people.qo, people.commune, codes={"control_sheet": "BM-07-QT-06"})
    db.session.commit()
    assert changes == {"one_stop_forms": (CODES, {**CODES, "control_sheet": "BM-07-QT-06"})}
    (event,) = events("dossier.one_stop_forms_changed")
    assert event.actor_id == people.qo.id and "BM-07-QT-06" in event.changes
    code, data = fill.fill_dossier_form(people.staff, people.returned, "control_sheet")
    assert code == "BM-07-QT-06"
    assert f"Mã hồ sơ: {people.returned.code}" in text_of(opened(data))


# --- templates are checked at upload --------------------------------------------------------------


def test_a_template_with_an_unknown_placeholder_is_refused_at_upload_naming_it(forms):
    people = forms
    document = people.documents["BM-03-QT-06"]
    wrong = docx_bytes("Tiếp nhận hồ sơ của: {{ten_nguoi_nop_sai}}", paragraphs=["Lý do: {{ly_do_tu_choi}}"])
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(DomainError) as refused:
        documents.create_draft_version(people.qo, document, filename="x.docx", data=wrong, change_summary="Sửa")
    db.session.rollback()
    assert refused.value.code == "unknown_placeholder" and refused.value.status == 400
    message = str(refused.value.message)
    assert "{{ten_nguoi_nop_sai}}" in message and "BM-03-QT-06" in message and "{{ly_do_tu_choi}}" not in message
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before  # nothing written
    assert len(document.versions) == 1

    # the right placeholders pass; a placeholder of another kind does not (the apology's new date)
    documents.create_draft_version(
        people.qo, document, filename="x.docx", data=docx_bytes("{{ly_do_tu_choi}}"), change_summary="Sửa"
    )
    draft = documents.pending_version(document)
    with pytest.raises(DomainError) as refused:
        documents.replace_draft_file(people.qo, draft, filename="y.docx", data=docx_bytes("{{ngay_hen_moi}}"))
    assert "{{ngay_hen_moi}}" in str(refused.value.message)
    db.session.rollback()
    # a form that is not a one-stop form takes any placeholder
    other = people.documents["BM-02-QT-07"]
    documents.create_draft_version(
        people.qo, other, filename="x.docx", data=docx_bytes("{{bat_ky}}"), change_summary="Sửa"
    )


def test_the_upload_page_shows_the_unknown_placeholder_on_the_file(app, forms):
    document = forms.documents["BM-04-QT-06"]
    client = signed_in(app, forms.qo)
    path = f"/documents/{document.id}/versions/new"
    response = client.post(
        path,
        data={
            "file": (io.BytesIO(docx_bytes("Kính gửi: {{nguoi_nop}}")), "phieu.docx"),
            "change_summary": "Sửa lời văn",
            "reason": "",
            "csrf_token": csrf_token(client, path),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    message = re.search(r'id="upload-error">(.*?)</div>', html(response), re.S).group(1)
    assert "{{nguoi_nop}}" in message and "BM-04-QT-06" in message
    assert len(document.versions) == 1


def test_naming_a_form_whose_version_in_force_has_unknown_placeholders_is_refused(forms):
    people = forms
    loose = documents.create_document(
        people.qo, people.commune, code="BM-08-QT-06", title="Phiếu", kind="form", parent=people.documents["QT-06"]
    )
    issue(people, loose, docx_bytes("{{ma_ho_so}} {{so_thu_tu_quay}}"))  # not a one-stop form yet: accepted
    with pytest.raises(form_settings.FormSettingRefused) as refused:
        form_settings.update_one_stop_forms(people.qo, people.commune, codes={"refusal": "BM-08-QT-06"})
    assert refused.value.kind == "refusal" and "{{so_thu_tu_quay}}" in str(refused.value.message)
    db.session.rollback()
    for codes, why in (
        ({"refusal": "BM-99-QT-06"}, "unknown_form"),
        ({"refusal": "QT-06"}, "unknown_form"),  # a procedure, not a form
        ({"refusal": "BM-01-QT-06"}, "duplicate_form"),
        ({"refusal": " "}, "invalid_form"),
    ):
        with pytest.raises(DomainError) as refused:
            form_settings.update_one_stop_forms(people.qo, people.commune, codes=codes)
        assert refused.value.code == why, codes
        db.session.rollback()
    with pytest.raises(DomainError) as refused:
        form_settings.update_one_stop_forms(people.staff, people.commune, codes={"refusal": "BM-08-QT-06"})
    assert refused.value.status == 403
    db.session.rollback()
    assert form_settings.one_stop_forms(people.commune) == CODES


# --- the QR code -------------------------------------------------------------------------------------


def _qr_picture(document) -> bytes:
    (shape,) = document.inline_shapes
    rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    return document.part.related_parts[rid].blob


def _matrix_of(png: bytes, border=2) -> list:
    """The dark and light modules a QR code's picture draws (segno's PNG: square modules)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    side = image.width
    for version in range(1, 41):
        modules = 17 + 4 * version
        scale = side / (modules + 2 * border)
        if scale == int(scale):
            break
    scale = int(scale)
    return [
        tuple(
            image.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2)) < 128
            for x in range(modules)
        )
        for y in range(modules)
    ]


def test_the_receipts_qr_code_is_the_dossiers_address_on_the_lookup_page(app, handled):
    dossier = handled.returned
    response = signed_in(app, handled.staff).get(f"/dossiers/{dossier.code}/forms/receipt.docx")
    assert response.status_code == 200, html(response)[:500]
    assert response.mimetype.endswith("wordprocessingml.document")
    with app.test_request_context("/"):
        expected = lookup_url(handled.commune, dossier.code)
    assert expected.startswith("http://localhost/tra-cuu-ho-so?") and f"ma={dossier.code}" in expected
    document = opened(response.data)
    png = _qr_picture(document)
    (shape,) = document.inline_shapes
    assert round(shape.width.mm) == fill.QR_WIDTH_MM
    drawn = _matrix_of(png)
    assert drawn == [tuple(bool(m) for m in row) for row in segno.make(expected, error="m").matrix]
    if shutil.which("zbarimg"):
        decoded = (
            subprocess.run(["zbarimg", "--quiet", "--raw", "-"], input=png, capture_output=True, timeout=60, check=True)
            .stdout.decode()
            .strip()
        )
        assert decoded == expected
    assert expected in text_of(document) or "{{url_tra_cuu}}" not in placeholders(
        documents.form_template(handled.staff, handled.commune, "BM-01-QT-06", purpose="test")
    )


# --- who may fill what ---------------------------------------------------------------------------------


def test_only_those_handling_the_dossier_fill_its_forms(app, handled):
    dossier = handled.returned
    url = f"/dossiers/{dossier.code}/forms/control_sheet.docx"
    clients = {user: signed_in(app, user) for user in (handled.auditor, handled.qo, handled.staff2)}
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for user, client in clients.items():
        response = client.get(url)
        assert response.status_code == 403, user.username
        assert "applicant" in html(response)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert signed_in(app, handled.leader).get(url).status_code == 200  # on its control sheet
    assert signed_in(app, handled.other_staff).get(url).status_code == 404  # another commune's


def test_a_form_of_what_has_not_happened_is_not_filled(app, handled):
    client = signed_in(app, handled.staff)
    refused = client.get(f"/dossiers/{handled.refused.code}/forms/supplement.docx")
    assert refused.status_code == 409 and "No supplement was requested" in html(refused)
    assert client.get(f"/dossiers/{handled.returned.code}/forms/refusal.docx").status_code == 409
    assert client.get(f"/dossiers/{handled.returned.code}/forms/other.docx").status_code == 404


def test_without_a_version_in_force_the_form_names_the_code_to_issue(app, handled):
    people = handled
    blank = documents.create_document(
        people.qo, people.commune, code="BM-09-QT-06", title="Phiếu", kind="form", parent=people.documents["QT-06"]
    )
    db.session.commit()
    form_settings.update_one_stop_forms(people.qo, people.commune, codes={"refusal": blank.code})
    db.session.commit()
    response = signed_in(app, people.staff).get(f"/dossiers/{people.refused.code}/forms/refusal.docx")
    assert response.status_code == 409 and "BM-09-QT-06" in html(response)


def test_the_dossier_page_offers_the_forms_of_what_happened(app, handled):
    page = html(signed_in(app, handled.staff).get(f"/dossiers/{handled.refused.code}"))
    links = set(re.findall(r'id="form-link-(\w+)"', page))
    assert links == {"receipt", "refusal", "control_sheet"}
    page = html(signed_in(app, handled.staff).get(f"/dossiers/{handled.returned.code}"))
    assert set(re.findall(r'id="form-link-(\w+)"', page)) == {"receipt", "supplement", "apology", "control_sheet"}
    assert "form-link-" not in html(signed_in(app, handled.auditor).get(f"/dossiers/{handled.returned.code}"))


# --- the ledger ------------------------------------------------------------------------------------------


def test_the_ledger_is_filled_for_a_period_with_names_only_for_who_handles_them(app, handled):
    people, returned, refused = handled, handled.returned, handled.refused
    other = None
    with clock_at(vn(2026, 12, 7, 14, 0)):
        other = services.receive_dossier(
            people.staff2, people.commune, procedure=returned.procedure, channel="online", applicant_name="Lê Văn Cư"
        )
        db.session.commit()
    query = "?received_from=01/12/2026&received_to=31/12/2026"
    response = signed_in(app, people.staff).get(f"/dossiers/ledger.docx{query}")
    assert response.status_code == 200, html(response)[:500]
    document = opened(response.data)
    text = the_form(document)
    assert "Năm: 2026" in text and "Từ ngày 01/12/2026 đến ngày 31/12/2026: 3 hồ sơ" in text
    rows = table_rows(document, "TT")[3:]
    assert [row[1] for row in rows] == [returned.code, refused.code, other.code]  # in the order received
    assert [row[4] for row in rows] == ["Nguyễn Văn An", "Trần Thị Bình", "(ẩn)"]  # staff did not handle `other`
    assert rows[0][8] == "11/12/2026 (hẹn lại)" and rows[0][11].startswith("14:00 09/12/2026")
    assert "Phiếu xin lỗi ngày 08/12/2026" in rows[0][13] and "Từ chối" in rows[1][13]
    assert "{{" not in text
    assert len(events("dossier.applicant_read")) == 2

    by_qo = opened(signed_in(app, people.qo).get(f"/dossiers/ledger.docx{query}").data)
    assert {row[4] for row in table_rows(by_qo, "TT")[3:]} == {"(ẩn)"}
    assert len(events("dossier.applicant_read")) == 2  # the quality officer read no one's details

    assert signed_in(app, people.qo).get("/dossiers/ledger.docx?received_from=31/02/2026").status_code == 400


# --- the page of the one-stop forms -------------------------------------------------------------------


def test_the_page_lists_each_form_in_use_with_its_issue_and_placeholders(app, forms):
    page = html(signed_in(app, forms.auditor).get("/dossiers/one-stop-forms"))
    for kind, code in CODES.items():
        assert f'id="form-{kind}"' in page and code in page
    assert "Issue 02" in page and "{{ten_nguoi_nop}}" in page and "{{kiem_soat.ben_giao}}" in page
    assert "Họ và tên người nộp hồ sơ" in page  # the meaning, in Vietnamese
    assert 'id="one-stop-forms-form"' not in page  # the auditor names no form


def test_the_quality_officer_names_the_forms_on_the_page(app, forms):
    client = signed_in(app, forms.qo)
    assert 'id="one-stop-forms-form"' in html(client.get("/dossiers/one-stop-forms"))
    data = {**CODES, "apology": "BM-99", "reason": ""}
    refused = post_form(client, "/dossiers/one-stop-forms", data, page="/dossiers/one-stop-forms")
    assert refused.status_code == 400
    assert re.search(r'id="apology-error">.*BM-99', html(refused), re.S)  # under the field it is about
    assert form_settings.one_stop_forms(forms.commune) == CODES
    staff = signed_in(app, forms.staff)
    forbidden = post_form(staff, "/dossiers/one-stop-forms", data, page="/dossiers/one-stop-forms")
    assert forbidden.status_code == 403

    new = documents.create_document(
        forms.qo,
        forms.commune,
        code="BM-07-QT-06",
        title="Phiếu xin lỗi",
        kind="form",
        parent=forms.documents["QT-06"],
    )
    db.session.commit()
    saved = post_form(
        client,
        "/dossiers/one-stop-forms",
        {**CODES, "apology": new.code, "reason": "TT 03/2025"},
        page="/dossiers/one-stop-forms",
    )
    assert saved.status_code == 303
    assert form_settings.one_stop_forms(forms.commune)["apology"] == "BM-07-QT-06"
    (event,) = events("dossier.one_stop_forms_changed")
    assert event.reason == "TT 03/2025"
    page = html(client.get("/dossiers/one-stop-forms"))
    assert "No version in force: the form cannot be filled." in page
