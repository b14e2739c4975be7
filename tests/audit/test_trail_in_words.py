"""The trail speaks in words (issue 14, point 2): records by what people call them ("QT-77 lần ban hành
01", a person's name, a change request's document and date), roles and units by name, dates as
dd/mm/yyyy, digests by their first digits, on the trail, a record's history and the home pages; the
stored codes stay on hover and in the CSV export; nothing of another commune is named."""

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.auth import services as accounts
from qms.auth.models import Role
from qms.db import db
from qms.documents import services
from tests.conftest import PASSWORD
from tests.core.support import signed_in_client
from tests.documents.conftest import People, walk
from tests.files.samples import docx_bytes

EFFECTIVE = dt.date(2031, 3, 15)


@pytest.fixture
def story(world, make_user):
    """Commune a: an account with a role and a unit, a procedure QT-77 taken to effective on 15/03/2031
    and distributed to the unit, a change request declined; commune b: a document of its own."""
    a, b = world["a"], world["b"]
    admin, qo = a["users"]["administrator"], a["users"]["quality_officer"]
    ha = accounts.create_user(
        admin,
        a["commune"],
        username="dothuha",
        full_name="Đỗ Thu Hà",
        password=PASSWORD,
        roles=["quality_officer"],
        unit_ids=[a["unit"].id],
    )
    people = People(
        author=qo,
        qo2=make_user("quality_officer", commune=a["commune"], full_name="Lê Văn Duyệt", units=[a["unit"]]),
        leader=a["users"]["leader"],
    )
    document = services.create_document(qo, a["commune"], code="QT-77", title="Quy trình thử", kind="procedure")
    version = services.create_draft_version(qo, document, filename="QT-77.docx", data=docx_bytes("QT-77"))
    db.session.commit()
    walk(version, people, effective_date=EFFECTIVE, today=EFFECTIVE)
    services.set_distribution(qo, document, [(a["unit"], None)])
    request = services.propose_change(a["users"]["staff"], document, what="Thêm bước", why="Thiếu bước")
    services.decline_change_request(qo, request, reason="Chưa cần")
    other = services.create_document(
        b["users"]["quality_officer"], b["commune"], code="QT-99", title="Của xã khác", kind="procedure"
    )
    db.session.commit()
    return {"ha": ha, "document": document, "version": version, "request": request, "other": other, "people": people}


def trail_text(client, path="/audit/"):
    page = client.get(path).get_data(as_text=True)
    table = page.split('id="trail"', 1)[1].split("</table>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))), page


def test_the_trail_names_records_people_roles_units_and_dates_in_words(app, world, story):
    client = signed_in_client(app, "a_auditor")
    text, page = trail_text(client)
    role = db.session.scalar(select(Role).where(Role.code == "quality_officer"))
    unit = world["a"]["unit"]
    assert "QT-77 lần ban hành 01" in text and "Đỗ Thu Hà" in text
    assert role.name_vi in text and unit.name in text, "roles and units by name"
    assert f"Mọi người thuộc {unit.name}" in text, "the distribution in words"
    assert "15/03/2031" in text and "2031-03-15" not in text, "dates as dd/mm/yyyy"
    assert "Lê Văn Duyệt" in text, "who approved, by name"
    assert re.search(r"Đề nghị thay đổi QT-77 ngày \d\d/\d\d/\d{4}", text)
    for kind in ("Tài khoản", "Phiên bản tài liệu", "Tài liệu", "Đề nghị thay đổi"):
        assert not re.search(rf"{kind} \d+(?![\d.])", text), f"a record named by its id: {kind} <id>"
    assert "→ quality_officer" not in text and not re.search(r"\b[0-9a-f]{20,}\b", text)
    # the stored codes on hover
    assert f'title="document_versions {story["version"].id}"' in page
    assert 'title="[&#34;quality_officer&#34;]">' in page


def test_a_record_history_is_titled_by_the_record(app, story):
    client = signed_in_client(app, "a_auditor")
    version = story["version"]
    text, page = trail_text(client, f"/audit/records/document_versions/{version.id}")
    assert "Lịch sử của QT-77 lần ban hành 01" in page
    assert "<title>Lịch sử của QT-77 lần ban hành 01" in page
    _, page = trail_text(client, f"/audit/records/users/{story['ha'].id}")
    assert "Lịch sử của Đỗ Thu Hà" in page


def test_another_communes_record_is_never_named(app, story):
    client = signed_in_client(app, "a_auditor")
    other = story["other"]
    page = client.get(f"/audit/records/documents/{other.id}").get_data(as_text=True)
    assert "QT-99" not in page and "Của xã khác" not in page
    assert f"Lịch sử của Tài liệu {other.id}" in page


def test_the_home_page_names_the_latest_events_records(app, story):
    client = signed_in_client(app, "a_auditor")
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Đề nghị thay đổi QT-77 ngày" in page or "QT-77" in page
    assert not re.search(r"(Tài liệu|Phiên bản tài liệu|Đề nghị thay đổi) \d+\b", page)


def test_the_csv_export_keeps_the_stored_codes(app, story):
    client = signed_in_client(app, "a_auditor")
    text = client.get("/audit/export.csv").get_data(as_text=True)
    version = story["version"]
    assert f"document_versions,{version.id}" in text
    assert '""quality_officer""' in text and "2031-03-15" in text


def test_in_english_the_same_records_read_in_english(app, story):
    client = signed_in_client(app, "a_auditor")
    client.post("/language", data={"locale": "en", "csrf_token": _token(client)})
    text, _page = trail_text(client)
    assert "QT-77 issue 01" in text and "Change request for QT-77 of" in text
    role = db.session.scalar(select(Role).where(Role.code == "quality_officer"))
    assert role.name_en in text


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_every_record_the_trail_holds_has_a_name(app, world, story):
    """Every record commune a's trail names is called by a name some area gives it."""
    from qms.core.labels import Names

    commune_id = world["a"]["commune"].id
    records = db.session.execute(
        select(AuditEvent.entity_type, AuditEvent.entity_id).where(AuditEvent.commune_id == commune_id).distinct()
    ).all()
    assert len({entity_type for entity_type, _ in records}) >= 5
    with app.test_request_context():
        names = Names(commune_id)
        assert [(t, i) for t, i in records if t and not names.get(t, i)] == []
