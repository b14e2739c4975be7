"""A dossier's whole story, in a real browser at 1366 px, through the Vietnamese pages: a one-stop
officer receives a birth registration (1.001193, whose process map is in force: receive -> appraise
-> sign -> return) and downloads its receipt and appointment slip -> the civil-status officer it is
handed to asks the citizen for a supplement (the dossier waits, its clock stopped) and records it
brought -> the leader signs and hands it to the one-stop officer of the last step, who records the
result and returns it -> the control sheet lists every line. Then the procedure's page: the drawn
process, its lanes and steps, and its download as SVG. Screenshots go to tests/_screenshots/."""

import re
import xml.etree.ElementTree as ET

import docx
import pytest
from sqlalchemy import select

from qms.core.calendar import format_date
from qms.db import db
from qms.dossiers.models import Dossier, DossierStatus
from tests.dossiers.conftest import catalogue, people  # noqa: F401  (fixtures)
from tests.dossiers.test_forms import forms, text_of  # noqa: F401  (forms: the one-stop forms in force)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

BIRTH = "Đăng ký khai sinh (1.001193)"
SVG_NS = "{http://www.w3.org/2000/svg}"


def sign_out(page, base):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r".*/login.*"))


def press(page, name):
    """Click a form's button by its words and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def success_message(page):
    return page.locator(".alert-success").inner_text()


def control_sheet(page):
    """The control sheet's rows, each as the texts of its cells."""
    rows = page.locator("#control-sheet-table tbody tr")
    return [
        [" ".join(cell.split()) for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())
    ]


def test_a_dossier_from_receipt_to_return_and_its_drawn_process(
    live_server,
    wide_page,
    screenshot,
    forms,  # noqa: F811  (a fixture imported above)
    tmp_path,
):
    base, page, people = live_server, wide_page, forms
    staff, appraiser, leader = people.staff, people.staff2, people.leader

    # 1. The one-stop officer receives the dossier from the ledger's button.
    sign_in(page, base, staff.username)
    page.get_by_role("link", name="Hồ sơ TTHC").first.click()
    page.wait_for_url(f"{base}/dossiers/")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url(f"{base}/dossiers/new")
    page.get_by_label("Thủ tục").select_option(label=BIRTH)
    page.get_by_label("Tờ khai đăng ký khai sinh theo mẫu").check()
    page.get_by_label("Giấy chứng sinh").check()
    page.get_by_label("Giấy tờ khác đã nhận (mỗi dòng một loại)").fill("Bản sao căn cước công dân của người mẹ")
    page.get_by_label("Trực tiếp").check()
    page.get_by_label("Họ và tên người nộp").fill("Nguyễn Thị Mai")
    page.get_by_label("Điện thoại").fill("0912 345 678")
    page.get_by_label("Địa chỉ").fill("Thôn Đông, xã A")
    press(page, "Ghi nhận hồ sơ")
    code = page.inner_text("#dossier-code")
    assert page.url == f"{base}/dossiers/{code}"
    db.session.rollback()
    dossier = db.session.scalars(select(Dossier).where(Dossier.code == code)).one()
    due = format_date(dossier.due_date)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", due)
    assert success_message(page) == f"Đã tiếp nhận hồ sơ {code}; hạn trả kết quả ngày {due}."
    assert page.inner_text("#due-date").strip() == due
    assert page.inner_text("#dossier-status") == "Đang giải quyết"
    assert page.locator("#components li").all_inner_texts() == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh",
        "Bản sao căn cước công dân của người mẹ",
    ]
    assert "Nguyễn Thị Mai" in page.inner_text("#applicant-details")
    screenshot(page, "01-received")

    # 2. The receipt and appointment slip, filled from the commune's form in force.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Giấy tiếp nhận và hẹn trả (.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    receipt = tmp_path / download.suggested_filename
    download.save_as(receipt)
    receipt_text = text_of(docx.Document(str(receipt)))
    assert code in receipt_text
    assert "Nguyễn Thị Mai" in receipt_text and due in receipt_text
    assert "{{" not in receipt_text

    # 3. Handed to the civil-status officer, who asks for a supplement and records it brought.
    page.get_by_label("Bàn giao cho").select_option(label=appraiser.full_name)
    page.locator("#handover-form").get_by_label("Ghi chú").fill("Đủ giấy tờ theo danh mục")
    press(page, "Bàn giao")
    assert success_message(page) == f"Đã bàn giao hồ sơ cho {appraiser.full_name}."
    assert page.get_by_role("button", name="Bàn giao", exact=True).count() == 0  # no longer its holder
    sign_out(page, base)

    sign_in(page, base, appraiser.username)
    page.goto(f"{base}/dossiers/{code}")
    assert "Thẩm định hồ sơ, dự thảo Giấy khai sinh" in page.inner_text("#current-step")
    page.get_by_label("Nội dung công dân cần bổ sung (mỗi dòng một nội dung)").fill(
        "Giấy chứng nhận kết hôn của cha mẹ\nBản chính giấy chứng sinh"
    )
    press(page, "Gửi yêu cầu bổ sung")
    assert success_message(page) == (
        "Đã ghi yêu cầu bổ sung: thời hạn giải quyết tạm dừng cho đến khi công dân nộp đủ."
    )
    assert page.inner_text("#dossier-status") == "Chờ bổ sung"
    waiting = page.inner_text("#current-step")
    assert "Chờ công dân bổ sung từ" in waiting and "thời hạn giải quyết tạm dừng" in waiting
    assert f"Người đang giữ: {appraiser.full_name}." in waiting
    assert page.locator("#supplement-items li").all_inner_texts() == [
        "Giấy chứng nhận kết hôn của cha mẹ",
        "Bản chính giấy chứng sinh",
    ]
    assert page.locator("#step-appraise").get_by_text("Chờ bổ sung").is_visible()
    assert page.get_by_role("button", name="Bàn giao", exact=True).count() == 0  # paused: nothing to hand over
    screenshot(page, "02-waiting-for-supplement")
    press(page, "Ghi nhận đã nhận bổ sung")
    db.session.rollback()
    due = format_date(db.session.get(Dossier, dossier.id).due_date)  # pushed by the days it waited, if any
    assert success_message(page) == f"Đã ghi nhận hồ sơ bổ sung; hạn trả kết quả nay là ngày {due}."
    assert page.inner_text("#dossier-status") == "Đang giải quyết"
    assert page.inner_text("#due-date").split()[0] == due
    page.get_by_label("Bàn giao cho").select_option(label=leader.full_name)
    press(page, "Bàn giao")
    sign_out(page, base)

    # 4. The leader signs and hands it to the one-stop officer, who records the result and returns it.
    sign_in(page, base, leader.username)
    page.goto(f"{base}/dossiers/{code}")
    page.get_by_label("Bàn giao cho").select_option(label=staff.full_name)
    press(page, "Bàn giao")
    assert success_message(page) == f"Đã bàn giao hồ sơ cho {staff.full_name}."
    sign_out(page, base)

    sign_in(page, base, staff.username)
    page.goto(f"{base}/dossiers/{code}")
    assert "Trả kết quả" in page.inner_text("#current-step")
    press(page, "Đã có kết quả")
    assert success_message(page) == "Kết quả đã sẵn sàng để trả cho công dân."
    assert page.inner_text("#dossier-status") == "Đã có kết quả"
    assert " ".join(page.inner_text("#current-step p").split()) == (
        f"Kết quả đang chờ công dân đến nhận. Người đang giữ: {staff.full_name}."
    )
    press(page, "Đã trả kết quả cho công dân")
    assert success_message(page) == "Đã trả kết quả cho công dân."
    assert page.inner_text("#dossier-status") == "Đã trả kết quả"
    assert page.inner_text("#current-step p").strip() == "Đã kết thúc xử lý: Đã trả kết quả."
    assert page.locator("#process-steps .step-done").count() == 4
    lines = control_sheet(page)
    assert [row[:4] for row in lines] == [
        ["1", "Bàn giao Tiếp nhận, kiểm tra hồ sơ", staff.full_name, appraiser.full_name],
        ["2", "Yêu cầu bổ sung Thẩm định hồ sơ, dự thảo Giấy khai sinh", appraiser.full_name, "—"],
        ["3", "Đã nhận bổ sung Thẩm định hồ sơ, dự thảo Giấy khai sinh", appraiser.full_name, "—"],
        ["4", "Bàn giao Thẩm định hồ sơ, dự thảo Giấy khai sinh", appraiser.full_name, leader.full_name],
        ["5", "Bàn giao Ký Giấy khai sinh", leader.full_name, staff.full_name],
        ["6", "Đã có kết quả Trả kết quả", staff.full_name, "—"],
        ["7", "Đã trả kết quả cho công dân Trả kết quả", staff.full_name, "—"],
    ]
    assert lines[0][5] == "Đủ giấy tờ theo danh mục"
    screenshot(page, "03-returned")
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).status is DossierStatus.returned

    # 5. The procedure's page: the drawn process, its lanes and steps; the drawing as a file.
    page.get_by_role("link", name=BIRTH).click()
    page.wait_for_url(f"{base}/procedures/1.001193")
    drawing = page.locator("#diagram-box svg")
    assert drawing.is_visible()
    box = drawing.bounding_box()
    assert box["width"] > 800 and box["height"] > 300
    words = page.evaluate(
        """() => Array.from(document.querySelectorAll('#diagram-box svg text'))
            .map(t => Array.from(t.querySelectorAll('tspan')).map(s => s.textContent).join(' '))"""
    )
    for lane in ("Công chức Bộ phận Một cửa", "Công chức Tư pháp - Hộ tịch", "Chủ tịch/Phó Chủ tịch UBND xã"):
        assert lane in words, lane
    for step in (
        "Tiếp nhận, kiểm tra hồ sơ",
        "Thẩm định hồ sơ, dự thảo Giấy khai sinh",
        "Ký Giấy khai sinh",
        "Trả kết quả",
    ):
        assert step in words, step
    drawing.scroll_into_view_if_needed()
    screenshot(page, "04-procedure-diagram")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải về (.svg)").click()
    download = download_info.value
    assert download.suggested_filename == "QT-07_1.001193.svg"
    svg_file = tmp_path / download.suggested_filename
    download.save_as(svg_file)
    root = ET.parse(svg_file).getroot()
    assert root.tag == f"{SVG_NS}svg"
    texts = [" ".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    assert "Công chức Tư pháp - Hộ tịch" in texts and "Thẩm định hồ sơ, dự thảo Giấy khai sinh" in texts
