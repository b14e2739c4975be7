"""The public catalogue of procedures (no sign-in, like the feedback box): a commune's procedures in
force grouped by field with their limit, fee and online level, a search without diacritics, a
procedure's page with its requirements, legal bases and the blank forms in force, and those forms
downloaded as public copies (stamped BẢN CÔNG KHAI, recorded without the reader's address); what
is not public, not in force or of no such procedure is not found."""

import io
import re

import docx
import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.db import db
from qms.documents import services as documents
from tests.conftest import PASSWORD, login
from tests.processes.conftest import approve

A = "?commune=XA-A"


def events():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def shown(html):
    return re.findall(r'<li class="list-group-item px-0" id="procedure-([\d.]+)"', html)


def test_without_a_commune_the_reader_chooses_one(client, catalogue):
    html = page(client, "/thu-tuc")
    assert 'id="catalogue-communes"' in html
    assert "/thu-tuc?commune=XA-A" in html and "/thu-tuc?commune=XA-B" in html
    # a procedure's page without a commune sends the reader to choose one
    response = client.get("/thu-tuc/1.001193")
    assert response.status_code == 302 and response.headers["Location"].endswith("/thu-tuc")


def test_the_catalogue_lists_the_procedures_in_force_by_field_without_sign_in(client, catalogue):
    before = events()
    html = page(client, "/thu-tuc" + A)
    assert catalogue.commune.name in html
    headings = re.findall(r'<h2 class="h5 field-heading"[^>]*>([^<]+)</h2>', html)
    assert headings == ["Chứng thực", "Hộ tịch"]
    assert shown(html) == ["2.000884", "1.001193"]
    birth = html[html.index('id="procedure-1.001193"') :].split("</li>")[0]
    assert "Đăng ký khai sinh" in birth and "Miễn lệ phí nếu đăng ký đúng hạn" in birth
    assert "Trong ngày (tiếp nhận trước 15:00" in birth and "Một phần" in birth
    assert "/thu-tuc/1.001193?commune=XA-A" in birth
    signature = html[html.index('id="procedure-2.000884"') :].split("</li>")[0]
    assert "2 ngày làm việc" in signature and "10.000 đồng/trường hợp" in signature and "Không" in signature
    assert events() == before  # reading writes nothing
    # nothing of the staff's pages: no menu, no internal documents
    assert "QT-07" not in html and 'id="mainnav"' not in html


@pytest.mark.parametrize("q", ["khai sinh", "KHAI SINH", "Khai sinh", "đăng ký khai sinh", "dang ky khai sinh"])
def test_the_catalogue_search_ignores_diacritics_and_case(client, catalogue, q):
    assert shown(page(client, f"/thu-tuc{A}&q={q}")) == ["1.001193"]


def test_the_search_form_keeps_the_commune_chosen(client, catalogue):
    html = page(client, "/thu-tuc" + A)
    form = html[html.index('id="catalogue-search"') :].split("</form>")[0]
    assert 'type="hidden"' in form and 'name="commune"' in form and 'value="XA-A"' in form


def test_a_search_that_finds_nothing_says_so(client, catalogue):
    html = page(client, f"/thu-tuc{A}&q=ket hon")
    assert shown(html) == [] and 'id="no-procedures"' in html


def test_the_procedure_page_shows_requirements_limit_fee_online_level_legal_bases_and_public_forms(client, catalogue):
    html = page(client, "/thu-tuc/1.001193" + A)
    assert "Đăng ký khai sinh" in html and catalogue.commune.name in html
    assert "Tờ khai đăng ký khai sinh theo mẫu" in html and "Giấy chứng sinh" in html
    assert "Trong ngày (tiếp nhận trước 15:00" in html and "Miễn lệ phí" in html and "Một phần" in html
    assert '<span class="nowrap">60/2014/QH13</span>: Luật Hộ tịch 2014' in html
    # the public form in force only: not the internal one, not the one with a draft only
    assert re.findall(r'id="form-([A-Z0-9-]+)"', html) == ["BM-01-QT-07"]
    assert 'href="/thu-tuc/1.001193/bieu-mau/BM-01-QT-07?commune=XA-A"' in html
    assert "Mẫu BM-01-QT-07" in html and "BM-02-QT-07" not in html
    # nothing internal: no link into document control, no steps, no people
    assert "/documents/" not in html and "Thẩm định hồ sơ" not in html and catalogue.qo.full_name not in html


def test_a_public_form_downloads_as_a_public_copy_recorded_without_the_readers_address(client, catalogue):
    before = events()
    response = client.get("/thu-tuc/1.001193/bieu-mau/BM-01-QT-07" + A, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 200
    assert (
        "attachment" in response.headers["Content-Disposition"]
        and "BM-01-QT-07_L01" in response.headers["Content-Disposition"]
    )
    header = [p.text for p in docx.Document(io.BytesIO(response.get_data())).sections[0].header.paragraphs]
    assert header[0].startswith("BẢN CÔNG KHAI – BM-01-QT-07 – Lần ban hành: 01")
    assert "Công khai tại Bộ phận Một cửa" in header[0]
    assert events() == before + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    version = documents.current_version(catalogue.documents["BM-01-QT-07"])
    assert event.action == "document.version.downloaded" and event.actor_id is None
    assert event.entity_id == str(version.id) and event.commune_id == catalogue.commune.id
    assert '"via":[null,"public_catalogue"]' in event.changes and '"label":[null,"BẢN CÔNG KHAI"]' in event.changes
    assert event.ip == "" and "198.51.100.7" not in (event.changes or "")


def test_public_downloads_from_one_address_are_limited_per_hour(make_app, catalogue):
    """Each public download is an audit event: a client fetching forms in a loop would fill the
    trail. QMS_PUBLIC_DOWNLOADS_PER_HOUR of them an hour from one address, then 429, nothing recorded."""
    limited = make_app(QMS_PUBLIC_DOWNLOADS_PER_HOUR=2)
    client = limited.test_client()
    path = "/thu-tuc/1.001193/bieu-mau/BM-01-QT-07" + A
    for _ in range(2):
        assert client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 200
    before = events()
    refused = client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert refused.status_code == 429 and "tải quá nhiều biểu mẫu" in refused.get_data(as_text=True)
    db.session.rollback()
    assert events() == before
    assert client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 200  # another citizen


@pytest.mark.parametrize(
    "form_code",
    [
        "BM-02-QT-07",  # internal, in force
        "BM-03-QT-07",  # public, a draft only
        "BM-01-QT-06",  # produced by a step, not one of the procedure's forms (and internal)
        "BM-99-QT-07",  # no such document
    ],
)
def test_a_form_not_published_for_the_procedure_is_not_found(client, catalogue, form_code):
    before = events()
    page(client, f"/thu-tuc/1.001193/bieu-mau/{form_code}{A}", status=404)
    assert events() == before


NOT_FOUND = "Trang hoặc dữ liệu được yêu cầu không tồn tại."


def test_a_public_form_of_another_procedure_is_not_found_through_this_one(client, catalogue):
    before = events()
    assert NOT_FOUND in page(client, f"/thu-tuc/2.000884/bieu-mau/BM-01-QT-07{A}", status=404)
    assert events() == before  # nothing served, no download recorded


def test_a_withdrawn_form_is_no_longer_offered_nor_served(client, catalogue):
    documents.withdraw_document(catalogue.qo, catalogue.documents["BM-01-QT-07"], reason="Bãi bỏ", password=PASSWORD)
    db.session.commit()
    html = page(client, "/thu-tuc/1.001193" + A)
    assert 'id="form-BM-01-QT-07"' not in html
    page(client, f"/thu-tuc/1.001193/bieu-mau/BM-01-QT-07{A}", status=404)


def test_only_the_process_in_force_is_published(client, catalogue):
    from qms.processes import services
    from tests.processes.conftest import BIRTH

    (outcome,) = services.import_maps(
        catalogue.qo,
        catalogue.commune,
        [("1.001193.yaml", BIRTH.replace("Miễn lệ phí nếu", "Lệ phí 8.000 đồng nếu không"))],
    )
    db.session.commit()
    # the draft's map is not public: the catalogue says what the map in force says
    html = page(client, "/thu-tuc/1.001193" + A)
    assert "Miễn lệ phí nếu đăng ký đúng hạn" in html and "8.000" not in html
    assert "8.000" not in page(client, "/thu-tuc" + A)
    approve(catalogue, outcome.document_version)
    assert "Lệ phí 8.000 đồng nếu không đăng ký đúng hạn" in page(client, "/thu-tuc/1.001193" + A)


def test_a_procedure_without_a_process_in_force_is_not_published(client, catalogue):
    from qms.documents import services as docs
    from qms.processes import services
    from tests.processes.conftest import SIGNATURE

    qt = docs.create_document(catalogue.qo, catalogue.commune, code="QT-20", title="Quy trình mới", kind="procedure")
    db.session.commit()
    text = SIGNATURE.replace('"2.000884"', '"2.000815"').replace("QT-10", "QT-20")
    services.import_maps(catalogue.qo, catalogue.commune, [("2.000815.yaml", text)])
    db.session.commit()
    assert qt.versions and qt.versions[0].status.value == "draft"
    assert "2.000815" not in shown(page(client, "/thu-tuc" + A))
    page(client, "/thu-tuc/2.000815" + A, status=404)
    # once its process document is approved, it is
    approve(catalogue, qt.versions[0])
    assert "2.000815" in shown(page(client, "/thu-tuc" + A))


def test_an_unknown_commune_or_procedure_is_not_found(client, catalogue):
    for path in (
        "/thu-tuc?commune=XA-ZZ",
        "/thu-tuc/9.999999" + A,
        "/thu-tuc/1.001193?commune=XA-B",  # commune B has no such procedure
    ):
        html = page(client, path, status=404)
        assert NOT_FOUND in html and "Đăng ký khai sinh" not in html, path


def test_signed_in_the_catalogue_is_ones_own_communes(client, catalogue):
    login(client, catalogue.staff.username)
    assert shown(page(client, "/thu-tuc")) == ["2.000884", "1.001193"]
    assert "Đăng ký khai sinh" in page(client, "/thu-tuc/1.001193")


def test_signed_in_another_communes_user_reads_their_own(client, catalogue):
    login(client, catalogue.other_staff.username)
    assert shown(page(client, "/thu-tuc")) == []
    page(client, "/thu-tuc/1.001193", status=404)
    page(client, "/thu-tuc/1.001193/bieu-mau/BM-01-QT-07", status=404)
    assert shown(page(client, "/thu-tuc" + A)) == ["2.000884", "1.001193"]  # a's, asked for: public


def test_the_pages_are_for_a_phone_too(client, catalogue):
    html = page(client, "/thu-tuc/1.001193" + A)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "<table" not in html  # lists and label: value pairs, that wrap on a narrow screen
    assert "<table" not in page(client, "/thu-tuc" + A)
