"""The procedures' pages (qms.processes.views): the commune's list with its field filter and a search
that ignores diacritics and case, a procedure's page (what its map in force says, the diagram drawn
inline, its steps, branches and the history of its maps), the diagram's downloads, and who may read
them."""

import re

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.db import db
from tests.conftest import login
from tests.processes.conftest import approve, changed_birth_map


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def listed(html):
    """The national codes of the procedures a list shows, in order."""
    return re.findall(r'<tr id="procedure-([\d.]+)"', html)


@pytest.fixture
def staff(client, catalogue):
    login(client, catalogue.staff.username)
    return client


def test_the_list_shows_each_procedure_with_its_limit_online_level_process_document_and_map(staff, catalogue):
    html = page(staff, "/procedures/")
    # by field (Chứng thực before Hộ tịch), then by code
    assert listed(html) == ["2.000884", "1.001193"]
    row = html[html.index('id="procedure-1.001193"') :].split("</tr>")[0]
    assert "Đăng ký khai sinh" in row and "Hộ tịch" in row
    assert "Trong ngày, nhận trước 15:00" in row and "Một phần" in row
    assert f'/documents/{catalogue.documents["QT-07"].id}"' in row and "QT-07" in row and "01" in row
    assert "map-in_force" in row and "map-awaiting_approval" not in row and "map-first-draft" not in row
    signature = html[html.index('id="procedure-2.000884"') :].split("</tr>")[0]
    assert "2 ngày làm việc" in signature and "Không" in signature


@pytest.mark.parametrize("q", ["khai sinh", "KHAI SINH", "Khai Sinh", "khai sinh".upper(), "đăng ký khai sinh"])
def test_the_search_ignores_diacritics_and_case(staff, q):
    assert listed(page(staff, "/procedures/?q=" + q)) == ["1.001193"]


def test_the_search_finds_text_typed_with_or_without_its_marks(staff):
    assert listed(page(staff, "/procedures/?q=dang ky khai sinh")) == ["1.001193"]
    assert listed(page(staff, "/procedures/?q=chứng thực")) == ["2.000884"]
    assert listed(page(staff, "/procedures/?q=chung thuc")) == ["2.000884"]
    assert listed(page(staff, "/procedures/?q=2.000884")) == ["2.000884"]
    assert listed(page(staff, "/procedures/?q=QT-07")) == ["1.001193"]
    html = page(staff, "/procedures/?q=ket hon")
    assert listed(html) == [] and 'id="no-procedures"' in html


def test_the_field_filter_keeps_one_field_and_refuses_an_unknown_one(staff):
    assert listed(page(staff, "/procedures/?field=Hộ tịch")) == ["1.001193"]
    html = page(staff, "/procedures/?field=Đất đai", status=400)
    assert listed(html) == []


def test_the_list_is_paginated_with_the_filters_kept(staff, monkeypatch):
    from qms.core import lists

    monkeypatch.setattr(lists, "PER_PAGE", 1)
    monkeypatch.setattr(lists.page_of, "__kwdefaults__", {"per_page": 1})
    html = page(staff, "/procedures/")
    assert listed(html) == ["2.000884"] and "page=2" in html
    assert listed(page(staff, "/procedures/?page=2")) == ["1.001193"]
    page(staff, "/procedures/?page=3", status=404)


def test_the_procedure_page_shows_what_the_map_in_force_says(staff, catalogue):
    html = page(staff, "/procedures/1.001193")
    assert "Đăng ký khai sinh" in html and "Miễn lệ phí nếu đăng ký đúng hạn" in html
    assert "15:00" in html and "Một phần" in html
    assert "Tờ khai đăng ký khai sinh theo mẫu" in html and "Giấy chứng sinh" in html
    docs = catalogue.documents
    for code in ("L-60-2014-QH13", "BM-01-QT-07", "BM-02-QT-07", "QT-07"):
        assert f'href="/documents/{docs[code].id}"' in html, code
    assert "Luật Hộ tịch 2014" in html
    assert 'id="awaiting-approval"' not in html and 'id="not-in-force"' not in html


def test_the_procedure_page_shows_the_steps_and_the_branches(staff):
    html = page(staff, "/procedures/1.001193")
    steps = html[html.index('id="steps-table"') : html.index("</table>", html.index('id="steps-table"'))]
    rows = re.findall(r'<tr id="step-(\w+)">(.*?)</tr>', steps, re.S)
    assert [step_id for step_id, _row in rows] == ["receive", "appraise", "sign", "return"]
    receive = rows[0][1]
    assert "Tiếp nhận, kiểm tra hồ sơ" in receive and "Công chức Bộ phận Một cửa" in receive
    assert "1 giờ làm việc" in receive and "BM-01-QT-06" in receive
    assert "Chủ tịch/Phó Chủ tịch UBND xã" in rows[2][1] and "2 giờ làm việc" in rows[2][1]
    assert 'id="branch-supplement"' in html and "Hồ sơ cần bổ sung" in html
    assert 'id="branch-refused"' in html and "Từ chối giải quyết" in html


def test_the_procedure_page_draws_the_diagram_inline_in_a_scrolling_box(staff):
    html = page(staff, "/procedures/1.001193")
    box = html[html.index('id="diagram-box"') :]
    assert box.index("<svg") < box.index("</div>")
    assert "<?xml" not in html  # the drawing without its XML declaration, inside the page
    svg = box[box.index("<svg") : box.index("</svg>")]
    for step in ("receive", "appraise", "sign", "return"):
        assert f'data-step="{step}"' in svg
    assert "Tiếp nhận" in svg and "Đăng ký khai sinh" in svg
    assert 'tabindex="0"' in html[html.index('id="diagram-box"') - 200 : html.index('id="diagram-box"') + 200]
    assert 'href="/procedures/1.001193/diagram.svg"' in html and 'href="/procedures/1.001193/diagram.png"' in html


def test_the_diagram_downloads_as_svg_and_png(staff):
    response = staff.get("/procedures/1.001193/diagram.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert (
        "attachment" in response.headers["Content-Disposition"]
        and "QT-07_1.001193.svg" in response.headers["Content-Disposition"]
    )
    assert response.get_data(as_text=True).lstrip().startswith("<?xml") and "</svg>" in response.get_data(as_text=True)
    response = staff.get("/procedures/1.001193/diagram.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "QT-07_1.001193.png" in response.headers["Content-Disposition"]


def test_the_history_names_each_import_its_version_and_state(client, catalogue):
    draft = changed_birth_map(catalogue)
    login(client, catalogue.qo.username)
    html = page(client, "/procedures/1.001193")
    # the map in force is still the first one: the page says a new version awaits approval, with a link
    notice = html[html.index('id="awaiting-approval"') :].split("</div>")[0]
    assert f'href="/documents/versions/{draft.id}"' in notice and "QT-07" in notice and "02" in notice
    assert "4 giờ làm việc" in html  # the step still takes what the map in force says
    rows = re.findall(r'<tr id="map-(\d+)">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    newest, first = rows[0][1], rows[1][1]
    assert "map-awaiting_approval" in newest and "02" in newest and catalogue.qo.full_name in newest
    assert "map-in_force" in first and "01" in first
    # approved: the new map is in force, the first superseded
    approve(catalogue, draft)
    html = page(client, "/procedures/1.001193")
    assert 'id="awaiting-approval"' not in html and "3 giờ làm việc" in html
    rows = re.findall(r'<tr id="map-(\d+)">(.*?)</tr>', html, re.S)
    assert "map-in_force" in rows[0][1] and "map-superseded" in rows[1][1]
    listing = page(client, "/procedures/")
    assert "map-awaiting_approval" not in listing


def test_staff_are_told_a_new_version_awaits_approval_without_a_link_to_the_draft(staff, catalogue):
    draft = changed_birth_map(catalogue)
    html = page(staff, "/procedures/1.001193")
    notice = html[html.index('id="awaiting-approval"') :].split("</div>")[0]
    assert "QT-07" in notice and f"/documents/versions/{draft.id}" not in notice
    assert f"/documents/versions/{draft.id}" not in html
    assert "map-awaiting_approval" in page(staff, "/procedures/")


def test_the_auditor_reads_the_list_the_page_and_the_diagram(client, catalogue):
    login(client, catalogue.auditor.username)
    assert listed(page(client, "/procedures/")) == ["2.000884", "1.001193"]
    assert "Ký Giấy khai sinh" in page(client, "/procedures/1.001193")
    assert client.get("/procedures/1.001193/diagram.svg").status_code == 200


def test_another_communes_user_finds_nothing(client, catalogue):
    login(client, catalogue.other_staff.username)
    html = page(client, "/procedures/")
    assert listed(html) == [] and "Đăng ký khai sinh" not in html
    for path in ("/procedures/1.001193", "/procedures/1.001193/diagram.svg", "/procedures/1.001193/diagram.png"):
        page(client, path, status=404)


def test_an_unknown_code_is_not_found_and_reading_writes_nothing(staff):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    page(staff, "/procedures/9.999999", status=404)
    page(staff, "/procedures/1.001193")
    page(staff, "/procedures/?q=khai sinh")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_signed_out_the_pages_ask_to_sign_in(client, catalogue):
    for path in ("/procedures/", "/procedures/1.001193", "/procedures/1.001193/diagram.svg"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_menu_has_the_procedures(staff):
    assert 'href="/procedures/"' in page(staff, "/")


def test_a_procedure_whose_process_document_is_not_in_force_yet_says_so(client, catalogue):
    from qms.documents import services as documents
    from qms.processes import services
    from tests.processes.conftest import SIGNATURE

    documents.create_document(catalogue.qo, catalogue.commune, code="QT-20", title="Quy trình mới", kind="procedure")
    db.session.commit()
    text = SIGNATURE.replace('"2.000884"', '"2.000815"').replace("QT-10", "QT-20")
    services.import_maps(catalogue.qo, catalogue.commune, [("2.000815.yaml", text)])
    db.session.commit()
    login(client, catalogue.qo.username)
    listing = page(client, "/procedures/")
    row = listing[listing.index('id="procedure-2.000815"') :].split("</tr>")[0]
    assert "map-first-draft" in row and "map-in_force" not in row
    html = page(client, "/procedures/2.000815")
    assert 'id="not-in-force"' in html and 'id="public-page"' not in html
    assert "map-awaiting_approval" in html  # its only map, in the history
