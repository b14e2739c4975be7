"""The master lists (page, .docx, .xlsx) and the comparison of two versions, through the test client."""

import io

import docx
import openpyxl
import pytest

from tests.documents.views_support import html, ids, library, signed_in  # noqa: F401 (fixture)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    return "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )


def xlsx_text(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


# --- master lists --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ("staff", "auditor"))
def test_the_internal_master_list_shows_the_issues_in_force_only(app, people, library, who):
    page = html(signed_in(app, people[who]).get("/documents/master-list?which=internal"))
    assert {f"master-row-{library.procedure.id}", f"master-row-{library.form.id}"} <= ids(page)
    assert f"master-row-{library.draft_form.id}" not in ids(page)
    assert f"master-row-{library.withdrawn.id}" not in ids(page)
    assert f"master-row-{library.external.id}" not in ids(page)
    assert f'href="/documents/versions/{library.effective.id}/download"' in page
    assert f"/documents/versions/{library.in_review.id}/" not in page


def test_the_external_master_list_shows_the_documents_of_external_origin(app, people, library):
    page = html(signed_in(app, people.staff).get("/documents/master-list?which=external"))
    assert f"master-row-{library.external.id}" in ids(page) and "123/2015/NĐ-CP" in page
    assert f"master-row-{library.procedure.id}" not in ids(page)


@pytest.mark.parametrize(
    "which, title", [("internal", "DANH MỤC TÀI LIỆU NỘI BỘ"), ("external", "DANH MỤC TÀI LIỆU CÓ NGUỒN GỐC BÊN NGOÀI")]
)
def test_the_master_list_downloads_open_in_python_docx_and_openpyxl(app, people, library, which, title):
    client = signed_in(app, people.staff)
    response = client.get(f"/documents/master-list?which={which}&format=docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".docx" in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    assert title in text
    response = client.get(f"/documents/master-list?which={which}&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    cells = xlsx_text(response.data)
    assert title in cells
    if which == "internal":
        for content in (text, cells):
            assert "QT-01" in content and "BM-01-QT-01" in content
            assert "BM-02-QT-01" not in content and "QT-09" not in content
    else:
        assert "123/2015/NĐ-CP" in text and "123/2015/NĐ-CP" in cells


def test_an_empty_master_list_says_so_and_still_downloads(app, people):
    client = signed_in(app, people.staff)
    assert "master-list-empty" in ids(html(client.get("/documents/master-list?which=internal")))
    response = client.get("/documents/master-list?which=internal&format=docx")
    assert "Chưa có tài liệu nào trong danh mục." in docx_text(response.data)


@pytest.mark.parametrize("query", ["which=secret", "which=internal&format=pdf"])
def test_an_unknown_list_or_format_is_not_found(app, people, query):
    assert signed_in(app, people.staff).get(f"/documents/master-list?{query}").status_code == 404


def test_the_list_page_links_both_master_lists(app, people, library):
    page = html(signed_in(app, people.staff).get("/documents/"))
    assert 'href="/documents/master-list?which=internal"' in page
    assert 'href="/documents/master-list?which=external"' in page


# --- comparison --------------------------------------------------------------------------------------


def test_compare_shows_the_changed_line_against_the_previous_issue(app, people, library):
    page = html(signed_in(app, people.auditor).get(f"/documents/versions/{library.effective.id}/compare"))
    assert "compare-table" in ids(page)
    changed = [row for row in page.split("<tr") if 'class="compare-changed"' in row]
    assert len(changed) == 1
    assert '<del class="compare-mark">3</del>' in changed[0] and '<ins class="compare-mark">2</ins>' in changed[0]
    assert "Bước 1: tiếp nhận hồ sơ" in page  # the unchanged line, shown once on each side


def test_compare_with_a_chosen_issue_puts_the_older_on_the_left(app, people, library):
    client = signed_in(app, people.leader)
    page = html(client.get(f"/documents/versions/{library.superseded.id}/compare?with={library.in_review.id}"))
    left, right = page.index("Issue 01</th>"), page.index("Issue 03</th>")
    assert left < right
    assert "Bản dự thảo bí mật lần 3" in page


def test_compare_with_a_version_of_another_document_is_not_found(app, people, library):
    client = signed_in(app, people.leader)
    path = f"/documents/versions/{library.effective.id}/compare"
    assert client.get(f"{path}?with={library.form_effective.id}").status_code == 404
    assert client.get(f"{path}?with=abc").status_code == 404


def test_the_first_issue_alone_has_nothing_to_compare(app, people, library):
    page = html(signed_in(app, people.auditor).get(f"/documents/versions/{library.form_effective.id}/compare"))
    assert "compare-nothing" in ids(page) and "compare-table" not in ids(page)


def test_staff_may_not_compare(app, people, library):
    client = signed_in(app, people.staff)
    assert client.get(f"/documents/versions/{library.effective.id}/compare").status_code == 403
