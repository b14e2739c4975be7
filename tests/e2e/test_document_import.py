"""Importing the sample document system through the page, in a real browser at 1366 px (issue 15):
the quality officer uploads tests/fixtures/document_system/danh-muc-tai-lieu.xlsx with its folder
tep/ (chosen as a folder, or as a .zip of it), follows the dry run's progress, reads what each row
would become and why the wrong rows are refused, confirms with the password, follows the import to
its end (the signed declaration verified); then staff find an imported form of QT-20 among the
current forms. The commune has the demo's units (the sample list names them). Screenshots go to
tests/_screenshots/."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import AXE_JS, sign_in
from tests.e2e.test_accessibility import check_page
from tests.e2e.test_nc_story import no_horizontal_scroll, sign_out

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "document_system"
UNITS = ("Văn phòng HĐND và UBND", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Trung tâm Phục vụ hành chính công")
SIGNATURE = "Mật khẩu của bạn (chữ ký điện tử)"


@pytest.fixture
def importing_commune(make_commune, make_unit, make_user):
    commune = make_commune(name="UBND xã Hòa Bình")
    units = [make_unit(commune, name=name) for name in UNITS]
    qo = make_user("quality_officer", commune=commune, full_name="Nguyễn Thị Chất", units=units[:1])
    staff = make_user("staff", commune=commune, full_name="Trần Văn Một Cửa", units=units[3:])
    return qo, staff


def accessible(page, label):
    """axe-core's problems of the page shown now (none when axe-core is not installed)."""
    return check_page(page, AXE_JS.read_text(), label, []) if AXE_JS.exists() else []


def zipped(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for item in sorted(folder.iterdir()):
            archive.write(item, f"{folder.name}/{item.name}")
    return path


@pytest.mark.parametrize("files_as", ["folder", "zip"])
def test_the_sample_document_system_is_imported_through_the_page(
    live_server, wide_page, screenshot, importing_commune, files_as, tmp_path
):
    base, page = live_server, wide_page
    qo, staff = importing_commune

    # 1. The quality officer finds the import from the documents' list and uploads the sample.
    sign_in(page, base, qo.username)
    page.goto(f"{base}/documents/")
    page.click("#import-documents-link")
    page.wait_for_url(f"{base}/documents/import")
    assert accessible(page, "upload") == []
    screenshot(page, "upload")
    page.set_input_files("#list_file", str(SAMPLE / "danh-muc-tai-lieu.xlsx"))
    if files_as == "folder":
        page.set_input_files("#folder", str(SAMPLE / "tep"))
    else:
        page.set_input_files("#files_zip", str(zipped(SAMPLE / "tep", tmp_path / "tep.zip")))
    with page.expect_navigation():
        page.click("#import-submit")
    page.wait_for_url(re.compile(rf"{base}/documents/import/\d+$"))

    # 2. The dry run: its progress, then every row, the refused ones with their reason.
    page.wait_for_selector("#import-rows, #import-stopped", timeout=60000)
    assert not page.is_visible("#import-stopped"), page.inner_text("#import-stopped")
    assert page.is_visible("#confirm-form")
    assert page.inner_text("#count-create") == "23" and page.inner_text("#count-refused") == "7"
    missing = page.inner_text("#row-17")
    assert "BM-03-QT-20" in missing and "Bị từ chối" in missing and "Tên tệp" in missing
    assert "Loại tài liệu" in page.inner_text("#row-33")
    assert "Tạo mới" in page.inner_text("#row-13") and "Quy trình" in page.inner_text("#row-13")
    assert "Bản nháp Sổ tay chất lượng 2024.docx" in page.inner_text("#import-unlisted")
    assert "Tôi xác nhận các tài liệu trên đã được ban hành và có hiệu lực như danh mục ghi" in page.inner_text(
        "#confirm-form"
    )
    assert no_horizontal_scroll(page)
    screenshot(page, "dry-run")
    assert accessible(page, "dry run") == []
    body = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    for raw in ("next_version", "create", "refused", "procedure", "checked", "None"):
        assert not re.search(rf"\b{raw}\b", body), raw

    # 3. A wrong password imports nothing; the right one starts the import, followed to its end.
    page.get_by_label(SIGNATURE).fill("not-the-password")
    with page.expect_navigation():
        page.click("#confirm-submit")
    assert "Mật khẩu không đúng" in page.inner_text("#confirm-form")
    page.get_by_label(SIGNATURE).fill(PASSWORD)
    with page.expect_navigation():
        page.click("#confirm-submit")
    page.wait_for_selector("#import-done", timeout=120000)
    assert page.inner_text("#count-create") == "23"
    assert page.is_visible("#import-signature .signature-valid")
    assert qo.full_name in page.inner_text("#import-signature")
    assert "BM-01-QT-20" in page.inner_text("#import-documents")
    assert no_horizontal_scroll(page)
    screenshot(page, "done")
    assert accessible(page, "done") == []

    # 4. Staff find the imported form among the current forms.
    sign_out(page, base)
    sign_in(page, base, staff.username)
    page.goto(f"{base}/documents/forms?q=BM-01-QT-20")
    results = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    assert "BM-01-QT-20" in results and "Tờ khai đăng ký lại khai sinh" in results
    page.goto(f"{base}/documents/forms")
    assert "QT-20" in page.inner_text("body")


def test_zipped(tmp_path):
    """The .zip the test makes of the folder holds every file of it, under the folder's name."""
    path = zipped(SAMPLE / "tep", tmp_path / "tep.zip")
    names = zipfile.ZipFile(io.BytesIO(path.read_bytes())).namelist()
    assert len(names) == len(list((SAMPLE / "tep").iterdir())) and all(n.startswith("tep/") for n in names)
