"""The whole story of document control, in a real browser: a staff member proposes a change to a form
in force -> the quality officer accepts it, uploads the edited file into the new draft and submits it
-> a leader reviews and a second quality officer approves, both signing with their password -> the
staff member opens "current forms", downloads the new form, and the file is the controlled copy of
issue 02. Screenshots of each main page go to tests/_screenshots/."""

import io
import re

import docx
import pytest

from qms.db import db
from qms.documents import services
from tests.conftest import PASSWORD
from tests.documents.conftest import People, walk

pytestmark = pytest.mark.e2e

FIELDS = ["Họ, chữ đệm, tên", "Ngày, tháng, năm sinh", "Nơi sinh", "Quê quán"]


def form_docx(fields):
    """The birth-registration form, as a commune would write it: a title, a table of fields and the
    usual header line."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "UBND xã Hòa Bình"
    document.add_paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    document.add_paragraph("Độc lập - Tự do - Hạnh phúc")
    document.add_heading("TỜ KHAI ĐĂNG KÝ KHAI SINH", level=1)
    table = document.add_table(rows=0, cols=2)
    for name in fields:
        row = table.add_row().cells
        row[0].text, row[1].text = name, "………………………………"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def commune(make_commune, make_unit, make_user):
    """UBND xã Hòa Bình: a one-stop unit, two quality officers, a leader and a one-stop officer; the
    birth-registration procedure QT-01 and its form BM-01-QT-01, both in force at issue 01."""
    commune = make_commune(code="XA-HB", name="UBND xã Hòa Bình")
    unit = make_unit(commune, code="TTHCC", name="Trung tâm Phục vụ hành chính công", is_one_stop=True)
    people = {
        "officer": make_user(
            "quality_officer", commune=commune, units=[unit], username="thu.iso", full_name="Trần Thị Thu"
        ),
        "officer2": make_user(
            "quality_officer", commune=commune, units=[unit], username="hai.iso", full_name="Lê Văn Hải"
        ),
        "leader": make_user("leader", commune=commune, units=[unit], username="minh.ct", full_name="Nguyễn Văn Minh"),
        "staff": make_user("staff", commune=commune, units=[unit], username="lan.motcua", full_name="Phạm Thị Lan"),
    }
    officer = people["officer"]
    procedure = services.create_document(
        officer,
        commune,
        code="QT-01",
        title="Quy trình đăng ký khai sinh",
        kind="procedure",
        field="Hộ tịch",
        owning_unit=unit,
        distribution=[(unit, None)],
    )
    form = services.create_document(
        officer,
        commune,
        code="BM-01-QT-01",
        title="Tờ khai đăng ký khai sinh",
        kind="form",
        parent=procedure,
        owning_unit=unit,
        distribution=[(unit, None)],
    )
    certificate = services.create_document(
        officer,
        commune,
        code="QT-02",
        title="Quy trình chứng thực bản sao từ bản chính",
        kind="procedure",
        field="Chứng thực",
        owning_unit=unit,
    )
    versions = [
        services.create_draft_version(
            officer,
            procedure,
            filename="QT-01 Khai sinh.docx",
            data=form_docx(["Bước 1: Tiếp nhận hồ sơ", "Bước 2: Thẩm định"]),
        ),
        services.create_draft_version(officer, form, filename="BM-01 Tờ khai khai sinh.docx", data=form_docx(FIELDS)),
        services.create_draft_version(
            officer, certificate, filename="QT-02 Chứng thực.docx", data=form_docx(["Bước 1: Tiếp nhận bản chính"])
        ),
    ]
    db.session.commit()
    walker = People(author=officer, leader=people["leader"], qo2=people["officer2"])
    for version in versions:
        walk(version, walker)
    people.update(form=form, procedure=procedure)
    return people


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


def click_and_load(page, selector):
    """Click a link or a form's button and wait for the page it loads (often the same URL again, after
    a POST and its redirect, so waiting for the URL would not do)."""
    with page.expect_navigation():
        page.click(selector)


def sign_out(page, base):
    page.click("#logout-button")
    page.wait_for_url(re.compile(r".*/login.*"))


def test_a_change_from_proposal_to_the_new_current_form(live_server, page, screenshot, commune, tmp_path):
    base, form = live_server, commune["form"]

    # 1. Staff find the form among the current forms and propose a change.
    sign_in(page, base, commune["staff"])
    click_and_load(page, "nav a[href='/documents/forms']")
    assert page.url == f"{base}/documents/forms"
    assert "Hộ tịch" in page.inner_text("main") and "Chứng thực" in page.inner_text("main")
    assert not page.is_visible(f"#current-file-{form.id}")  # the index names procedures, not every form
    screenshot(page, "01-current-forms-staff")
    click_and_load(page, f"a[href='?procedure={commune['procedure'].id}']")
    assert page.is_visible(f"#current-file-{form.id}")
    assert page.inner_text(".breadcrumb [aria-current]") == "QT-01"  # under Hộ tịch, a link back to it
    assert page.inner_text(".breadcrumb li:nth-child(2) a") == "Hộ tịch"
    screenshot(page, "01-current-forms-procedure")
    click_and_load(page, f"#current-file-{form.id} a.fw-semibold")
    assert page.url == f"{base}/documents/{form.id}"
    screenshot(page, "02-form-page-staff")
    click_and_load(page, "#propose-change")
    page.fill("#what", "Thêm ô “Số điện thoại liên hệ” của người đi khai sinh.")
    page.fill("#why", "Để cán bộ một cửa gọi báo khi hồ sơ cần bổ sung.")
    screenshot(page, "03-propose-change")
    click_and_load(page, "#change-request-submit")
    assert page.url == f"{base}/documents/{form.id}"
    assert page.is_visible("#change-requests .change-request")
    sign_out(page, base)

    # 2. The quality officer sees the request on the home page, accepts it, edits and submits the draft.
    sign_in(page, base, commune["officer"])
    assert page.is_visible("#section-documents-change-requests li")
    screenshot(page, "04-home-quality-officer")
    click_and_load(page, "#section-documents-change-requests li a")
    assert re.fullmatch(rf".*/documents/{form.id}#change-request-\d+", page.url)
    screenshot(page, "05-form-page-with-request")
    page.locator("[id^=decide-][id$=-reason]").first.fill("Đồng ý, bổ sung vào lần ban hành 02.")
    with page.expect_navigation():
        page.locator("[id^=accept-]").first.click()
    assert re.fullmatch(r".*/documents/versions/\d+", page.url)
    draft_url = page.url
    assert "02" in page.inner_text("#issue-label")
    edited = tmp_path / "BM-01 Tờ khai khai sinh (sửa).docx"
    edited.write_bytes(form_docx(FIELDS + ["Số điện thoại liên hệ"]))
    page.set_input_files("#draft-form-file", str(edited))
    page.fill("#draft-form-reason", "Theo đề xuất của bộ phận một cửa.")
    click_and_load(page, "#draft-save")
    assert "(sửa).docx" in page.inner_text("#version-file")
    screenshot(page, "06-draft-with-new-file")
    click_and_load(page, "#submit-form button")
    assert page.is_visible("#version-status .status-in_review")
    sign_out(page, base)

    # 3. The leader reviews it, signing with the password; a wrong one first signs nothing.
    sign_in(page, base, commune["leader"])
    click_and_load(page, "#section-documents-review li a")
    assert page.url == draft_url
    page.fill("#review-form-password", "Wrong-Password-1")
    click_and_load(page, "#review-form button")
    assert page.is_visible("#review-form .invalid-feedback")
    assert not page.is_visible("#signatures-table")
    page.fill("#review-form-password", PASSWORD)
    page.fill("#review-form-comment", "Nội dung phù hợp.")
    screenshot(page, "07-review-leader")
    click_and_load(page, "#review-form button")
    assert page.url == draft_url
    assert page.is_visible("#signatures-table .signature-reviewed .signature-valid")
    sign_out(page, base)

    # 4. A second quality officer approves it, effective today.
    sign_in(page, base, commune["officer2"])
    click_and_load(page, "#section-documents-approve li a")
    assert page.url == draft_url
    page.fill("#approve-form-password", PASSWORD)
    screenshot(page, "08-approve-officer")
    click_and_load(page, "#approve-form button")
    assert page.url == draft_url
    assert page.is_visible("#version-status .status-effective")
    assert page.locator("#signatures-table .signature-valid").count() == 2
    screenshot(page, "09-version-effective")
    click_and_load(page, "#compare-previous")
    assert "Số điện thoại liên hệ" in "\n".join(page.locator("#compare-table .compare-added").all_inner_texts())
    screenshot(page, "10-compare")
    sign_out(page, base)

    # 5. Staff download the new current form: the controlled copy of issue 02.
    sign_in(page, base, commune["staff"])
    assert page.is_visible("#section-documents-acknowledge li")
    page.goto(f"{base}/documents/forms")
    page.fill("#current-forms-q", "to khai khai sinh")  # found without its diacritics
    click_and_load(page, "#current-forms-submit")
    link = page.locator(f"#current-file-{form.id} a[id^=download-]")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "downloaded.docx"
    info.value.save_as(path)
    copy = docx.Document(str(path))
    header = "\n".join(p.text for section in copy.sections for p in section.header.paragraphs)
    assert "BẢN KIỂM SOÁT" in header and "Lần ban hành: 02" in header and "BM-01-QT-01" in header
    assert "Phạm Thị Lan" in header
    assert "Số điện thoại liên hệ" in [cell.text for table in copy.tables for row in table.rows for cell in row.cells]
    screenshot(page, "11-current-forms-after")

    # The new issue waits on the home page to be read and acknowledged.
    page.goto(f"{base}/")
    click_and_load(page, "#section-documents-acknowledge li a")
    assert page.is_visible("#version-status .status-effective")
    click_and_load(page, "#ack-form button")
    assert page.is_visible("#own-acknowledgment")
    page.goto(f"{base}/")
    assert page.locator("#section-documents-acknowledge li").count() == 1  # issue 01 of QT-01 still waits

    # The master list shows issue 02 in force; on a phone the current forms still read well.
    page.goto(f"{base}/documents/master-list?which=internal")
    assert "02" in page.inner_text(f"#master-row-{form.id}")
    screenshot(page, "12-master-list")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/documents/forms")
    screenshot(page, "13-current-forms-phone")
