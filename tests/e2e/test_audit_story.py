"""An internal audit's whole story, in a real browser at 1366 px (issue 11): the quality officer plans
an audit of the signature-certification process in the year's programme -> a leader approves the
programme with the password -> the lead auditor signs the audit plan and the leader approves it -> the
lead auditor starts the audit -> a team member fills the checklist (one question a minor
nonconformity with notes, the others conform) and the audit's page shows the NC it opened, its number
and status -> the lead auditor writes and signs the report -> the quality officer closes the audit ->
the commune's auditor asks for the audit's evidence pack, follows its progress and downloads the .zip,
whose manifest.json lists the signed report. Screenshots go to tests/_screenshots/.

The people and the process are those of the audits' tests (tests/audits/conftest.py, audit_world):
the team (Phạm Văn Kiểm, lead; Đỗ Thu Tra) works in the office (Văn phòng HĐND và UBND), neither in
the audited one-stop unit nor on the steps or document of procedure 2.000884, so it is impartial."""

import hashlib
import io
import json
import re
import zipfile

import docx
import pytest
from sqlalchemy import select

from qms.audits.models import Audit, AuditStatus, RecordKind
from qms.core.calendar import local_today
from qms.db import db
from tests.audits.conftest import audit_world  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_nc_story import no_horizontal_scroll, sign_out
from tests.processes.conftest import catalogue, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

TITLE = "Đánh giá quy trình chứng thực chữ ký"
NC_NOTES = "Sổ chứng thực tháng 10 thiếu chữ ký của người yêu cầu ở 3 trang."
SIGNATURE = "Mật khẩu của bạn (chữ ký của bạn)"  # the password field of a signed step


def press(where, name):
    """Click the button named `name` (on the page or in one of its parts) and wait for the page it leads
    to (often the same page, after a redirect)."""
    page = getattr(where, "page", where)
    with page.expect_navigation():
        where.get_by_role("button", name=name, exact=True).click()


def sign_with(page, button, password=PASSWORD):
    """A signed step: the password typed again, then the step's button."""
    page.get_by_label(SIGNATURE).fill(password)
    press(page, button)


def test_an_audit_from_its_plan_to_its_evidence_pack(
    live_server,
    wide_page,
    screenshot,
    audit_world,  # noqa: F811  (a fixture imported above)
    tmp_path,
):
    base, page, w = live_server, wide_page, audit_world
    year = local_today().year
    today = local_today().strftime("%d/%m/%Y")

    # 1. The quality officer plans the audit in the year's programme.
    sign_in(page, base, w.qo.username)
    page.goto(f"{base}/audits/")
    page.wait_for_url(f"{base}/audits/programmes/{year}")
    assert page.is_visible("#no-programme")
    page.get_by_role("link", name="Lập kế hoạch đánh giá").click()
    page.wait_for_url(f"{base}/audits/programmes/{year}/new")
    page.get_by_label("Tên cuộc đánh giá").fill(TITLE)
    page.get_by_label("Chuẩn mực đánh giá").fill("TCVN ISO 9001:2015; QT-10; Nghị định 23/2015/NĐ-CP")
    page.get_by_label("Ngày bắt đầu dự kiến (dd/mm/yyyy)").fill(today)
    page.get_by_label("Ngày kết thúc dự kiến (dd/mm/yyyy)").fill(today)
    page.get_by_label("Trưởng đoàn đánh giá").select_option(label=w.kiem.full_name)
    page.get_by_label(w.tra.full_name, exact=True).check()
    page.get_by_label(re.compile(r"^2\.000884 ")).check()
    page.get_by_label(w.unit.name, exact=True).check()
    page.get_by_label(re.compile(r"^8\.5 Sản xuất và cung cấp dịch vụ")).check()
    screenshot(page, "01-plan-form")
    press(page, "Lập kế hoạch")
    assert re.fullmatch(rf"{base}/audits/\d+", page.url), page.url
    audit_url = page.url
    code = f"ĐGNB-{year}-01"
    assert code in page.inner_text("h1") and TITLE in page.inner_text("h1")
    assert page.is_visible("#audit-status .audit-status-planned")
    assert page.inner_text("#lead-auditor") == w.kiem.full_name
    assert w.tra.full_name in page.inner_text("#team")
    assert "2.000884" in page.inner_text("#scope-processes")
    assert no_horizontal_scroll(page)
    screenshot(page, "02-audit-planned")
    sign_out(page, base)

    # 2. The leader approves the programme with the password; a wrong one signs nothing.
    sign_in(page, base, w.leader.username)
    page.goto(f"{base}/audits/programmes/{year}")
    assert page.locator("#audit-table tbody tr").count() == 1
    assert code in page.inner_text("#audit-table")
    sign_with(page, "Phê duyệt và ký", "Wrong-Password-1")
    assert page.is_visible("#approve-form .invalid-feedback")
    sign_with(page, "Phê duyệt và ký")
    assert page.is_visible("#approval-holds")
    assert page.is_visible(".alert-success")
    screenshot(page, "03-programme-approved")
    sign_out(page, base)

    # 3. The lead auditor signs the audit plan; the leader approves it.
    sign_in(page, base, w.kiem.username)
    page.goto(audit_url)
    assert page.is_visible("#start-gate")  # the plan is neither signed nor approved yet
    sign_with(page, "Ký kế hoạch")
    assert w.kiem.full_name in page.inner_text("#plan-state")
    assert page.is_visible("#plan-download")
    assert not page.is_visible("#approve-plan-form")  # the lead auditor does not approve their own plan
    sign_out(page, base)
    sign_in(page, base, w.leader.username)
    page.goto(audit_url)
    sign_with(page, "Phê duyệt và ký")
    assert w.leader.full_name in page.inner_text("#plan-state")
    sign_out(page, base)

    # 4. The lead auditor starts the audit: the checklist takes the library's questions of clause 8.5.
    sign_in(page, base, w.kiem.username)
    page.goto(audit_url)
    press(page, "Bắt đầu đánh giá")
    assert page.is_visible("#audit-status .audit-status-in_progress")
    page.locator("#checklist-link").click()
    page.wait_for_url(f"{audit_url}/checklist")
    assert page.url == f"{audit_url}/checklist"
    items = page.locator("article[id^=item-]")
    assert items.count() >= 3
    item_ids = [int(items.nth(i).get_attribute("id").removeprefix("item-")) for i in range(items.count())]
    sign_out(page, base)

    # 5. A team member fills the checklist: the first question a minor nonconformity, the others conform.
    sign_in(page, base, w.tra.username)
    page.goto(f"{audit_url}/checklist")
    first, *others = item_ids
    form = page.locator(f"#answer-{first}")
    form.get_by_label("Không phù hợp nhẹ", exact=True).check()
    press(form, "Lưu kết quả")
    assert form.locator(".invalid-feedback").is_visible()  # a nonconformity needs its notes
    form.get_by_label("Không phù hợp nhẹ", exact=True).check()
    form.get_by_label("Bằng chứng đã xem (ghi chú)").fill(NC_NOTES)
    press(form, "Lưu kết quả")
    nc_number = page.inner_text(f"#item-{first}-nc")
    assert re.fullmatch(rf"SKPH-{year}-\d{{3}}", nc_number), nc_number
    assert "Không phù hợp nhẹ" in page.inner_text(f"#item-{first}-result")
    for item_id in others:
        form = page.locator(f"#answer-{item_id}")
        form.get_by_label("Phù hợp", exact=True).check()
        press(form, "Lưu kết quả")
    db.session.rollback()
    audit = db.session.scalars(select(Audit).where(Audit.code == code)).one()
    assert sorted(i.id for i in audit.items) == sorted(item_ids)
    assert [i.result.value for i in audit.items if i.result is not None].count("conform") == len(others)
    assert page.locator("details[open] form[id^=answer-]").count() == 0  # no question waits for its result
    assert no_horizontal_scroll(page)
    screenshot(page, "04-checklist-filled")

    # The audit's page shows the NC the finding opened, its number and status, in the follow-up.
    page.goto(audit_url)
    finding = page.locator("#findings li[id^=finding-]")
    assert finding.count() == 1
    assert "Không phù hợp nhẹ" in finding.inner_text() and NC_NOTES in finding.inner_text()
    assert page.locator("[id^=finding-][id$=-nc]").inner_text() == nc_number
    follow_up = page.inner_text("#follow-up-table")
    assert nc_number in follow_up and "Mới" in follow_up
    assert page.is_visible("#follow-up-summary")
    screenshot(page, "05-audit-with-nc")
    page.locator("#follow-up-table").get_by_role("link", name=nc_number).click()
    page.wait_for_url(re.compile(r".*/nc/\d+"))
    assert re.fullmatch(rf"{base}/nc/\d+", page.url), page.url
    assert nc_number in page.inner_text("main") and "Mới" in page.inner_text("#nc-status")
    sign_out(page, base)

    # 6. The lead auditor writes the report and signs it with the password.
    sign_in(page, base, w.kiem.username)
    page.goto(audit_url)
    report_form = page.locator("#report-form")
    report_form.get_by_label("Tóm tắt", exact=True).fill(
        "Đánh giá quá trình chứng thực chữ ký theo điều khoản 8.5 tại bộ phận một cửa."
    )
    report_form.get_by_label("Điểm mạnh", exact=True).fill(
        "Cán bộ nắm vững quy trình; thời hạn giải quyết được bảo đảm."
    )
    report_form.get_by_label("Kết luận", exact=True).fill(
        "Quá trình phù hợp, trừ một điểm không phù hợp nhẹ về sổ chứng thực."
    )
    press(page, "Lưu báo cáo")
    assert page.is_visible("#report-text")
    sign_with(page, "Ký báo cáo", "Wrong-Password-1")
    assert page.is_visible("#sign-report-form .invalid-feedback")
    sign_with(page, "Ký báo cáo")
    assert page.is_visible("#audit-status .audit-status-reported")
    assert w.kiem.full_name in page.inner_text("#report-state")
    assert page.is_visible("#report-download")
    sign_out(page, base)

    # 7. The quality officer closes the audit; its NC goes on in the follow-up.
    sign_in(page, base, w.qo.username)
    page.goto(audit_url)
    press(page, "Kết thúc cuộc đánh giá")
    assert page.is_visible("#audit-status .audit-status-closed")
    assert nc_number in page.inner_text("#follow-up-table")
    assert no_horizontal_scroll(page)
    screenshot(page, "06-audit-closed")
    sign_out(page, base)

    db.session.rollback()
    audit = db.session.get(Audit, audit.id)
    assert audit.status is AuditStatus.closed
    (report,) = [r for r in audit.records if r.kind is RecordKind.report]

    # 8. The commune's auditor asks for the audit's evidence pack, follows its progress and downloads it.
    sign_in(page, base, w.auditor.username)
    page.goto(audit_url)
    press(page, "Tạo hồ sơ bằng chứng")
    assert re.fullmatch(rf"{base}/evidence/\d+", page.url), page.url
    screenshot(page, "07-evidence-pack")
    # the page follows the build and reads itself again when it ends
    page.wait_for_selector("#pack-done, #pack-failed", timeout=60000)
    assert not page.is_visible("#pack-failed"), page.inner_text("#pack-failed")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải hồ sơ bằng chứng (.zip)").click()
    download = info.value
    assert re.fullmatch(r"ho-so-bang-chung-.+\.zip", download.suggested_filename), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    # The .zip: manifest.json names the signed report, with the SHA-256 of the .docx the lead auditor signed.
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        entries = {entry["path"]: entry for entry in manifest["files"]}
        (report_path,) = [p for p in entries if p.startswith("records/report-") and p.endswith("-bao-cao.docx")]
        report_bytes = archive.read(report_path)
    assert manifest["subject"]["kind"] == "audit" and code in manifest["subject"]["name"]
    assert entries[report_path]["sha256"] == report.sha256 == hashlib.sha256(report_bytes).hexdigest()
    assert names == set(entries) | {"manifest.json"}
    assert docx.Document(io.BytesIO(report_bytes)).paragraphs  # a Word file that opens
    screenshot(page, "08-evidence-pack-ready")
