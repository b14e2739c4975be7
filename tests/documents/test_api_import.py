"""Bringing documents in through the API with bearer tokens: POST /api/v1/documents registers one
(accepted, its fields refused one by one, a taken code), and POST /api/v1/documents/import takes a
master list and a .zip of its files (the dry run, the real run signed with the quality officer's
password, the same list again, a bad list, a bad .zip, a wrong password, missing parts, people who
may not import); an imported version says where it came from."""

import io
import random
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.auth.models import LoginAttempt
from qms.db import db
from qms.documents.models import Document, DocumentImport, DocumentKind
from qms.signatures.models import Signature
from tests.conftest import PASSWORD
from tests.documents.test_api import bearer
from tests.documents.test_import import GOOD_ROWS, good_files, workbook, zip_of

API = "/api/v1/documents"
IMPORT = f"{API}/import"


def count(model):
    db.session.rollback()  # read what the requests committed
    return db.session.scalar(select(func.count()).select_from(model))


def recorded():
    """The audit events but the API tokens each request of these tests is given."""
    db.session.rollback()
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action.not_like("api_token.%"))
    return db.session.scalar(query)


def register(client, user, **body):
    return client.post(API, json=body, headers=bearer(user))


def refusal(response, status=400):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["message"], body
    return body["error"]


# --- registering one document -------------------------------------------------------------------------


def test_a_document_is_registered_and_shown_as_its_page_shows_it(client, people):
    officer = bearer(people.author)
    response = client.post(
        API,
        json={
            "code": "QT-31",
            "title": "Quy trình chứng thực bản sao",
            "kind": "procedure",
            "field": "Chứng thực",
            "owning_unit": people.unit.code,
            "review_interval_months": 24,
            "retention_years": 10,
            "access": "public",
        },
        headers=officer,
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert response.headers["Location"] == f"{API}/QT-31"
    assert client.get(response.headers["Location"], headers=officer).get_json() == created
    assert created["kind"] == "procedure" and created["owning_unit"]["code"] == people.unit.code
    assert created["review_interval_months"] == 24 and created["retention_years"] == 10
    assert created["access"] == "public" and created["current_version"] is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "document.created"))

    form = register(client, people.author, code="BM-01-QT-31", title="Tờ khai", kind="form", parent="QT-31")
    assert form.status_code == 201 and form.get_json()["parent"]["code"] == "QT-31"
    law = register(
        client,
        people.author,
        code="NĐ-23",
        title="Nghị định về chứng thực",
        kind="external",
        issuer="Chính phủ",
        number="23/2015/NĐ-CP",
        issued_on="2015-02-16",
        effective_on="2015-04-10",
        legal_status="in_force",
    )
    assert law.status_code == 201, law.get_json()
    assert (law.get_json()["issued_on"], law.get_json()["effective_on"]) == ("2015-02-16", "2015-04-10")
    based = register(client, people.author, code="QT-32", title="Quy trình", kind="procedure", legal_bases=["NĐ-23"])
    assert based.status_code == 201 and [b["code"] for b in based.get_json()["legal_bases"]] == ["NĐ-23"]
    assert client.get(f"{API}/{quote('NĐ-23')}", headers=officer).get_json()["based_on_this"][0]["code"] == "QT-32"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"code": "QT-40", "title": "T", "kind": "procedure", "colour": "red"}, "unknown_field"),
        ({"code": "QT-40", "kind": "procedure"}, "bad_field"),
        ({"title": "T", "kind": "procedure"}, "bad_field"),
        ({"code": "QT-40", "title": "T"}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "memo"}, "bad_field"),
        ({"code": "QT-40", "title": 7, "kind": "procedure"}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "review_interval_months": "12"}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "retention_years": True}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "access": "secret"}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "legal_bases": "NĐ-1"}, "bad_field"),
        ({"code": "NĐ-40", "title": "T", "kind": "external", "issued_on": "16/02/2015"}, "bad_field"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "owning_unit": "KHONG-CO"}, "unknown_unit"),
        ({"code": "BM-01-QT-99", "title": "T", "kind": "form", "parent": "QT-99"}, "unknown_document"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "legal_bases": ["NĐ-99"]}, "unknown_document"),
        ({"code": "BM-01-QT-40", "title": "T", "kind": "form"}, "parent_required"),
        ({"code": "QUY TRINH 40", "title": "T", "kind": "procedure"}, "invalid_code"),
        ({"code": "HD-40", "title": "T", "kind": "procedure"}, "invalid_code"),
        ({"code": "NĐ-40", "title": "T", "kind": "external"}, "external_required"),
        ({"code": "QT-40", "title": "T", "kind": "procedure", "review_interval_months": 99}, "invalid"),
    ],
)
def test_a_bad_field_is_refused_with_its_reason_and_nothing_is_registered(client, people, body, error):
    assert refusal(register(client, people.author, **body)) == error
    assert count(Document) == 0


def test_a_body_that_is_not_json_is_refused(client, people):
    response = client.post(API, data={"code": "QT-40"}, headers=bearer(people.author))
    assert refusal(response) == "json_required"


def test_a_taken_code_is_a_conflict(client, people, make_document):
    make_document("QT-41")
    response = register(client, people.author, code="QT-41", title="Lần nữa", kind="procedure")
    assert refusal(response, 409) == "taken" and "QT-41" in response.get_json()["message"]
    assert count(Document) == 1


def test_only_a_quality_officer_registers(client, people):
    for user in (people.staff, people.auditor, people.leader):
        response = register(client, user, code="QT-42", title="T", kind="procedure")
        assert refusal(response, 403) == "forbidden"
    assert count(Document) == 0


# --- importing a document system -----------------------------------------------------------------------


def send_import(client, user, *, rows=GOOD_ROWS, files=None, list_data=None, zip_data=None, **form):
    parts = {
        "list": (io.BytesIO(list_data if list_data is not None else workbook(rows)), "danh-muc.xlsx"),
        "files": (io.BytesIO(zip_data if zip_data is not None else zip_of(files or good_files())), "tep.zip"),
        **form,
    }
    parts = {name: value for name, value in parts.items() if value is not None}
    return client.post(IMPORT, data=parts, headers=bearer(user), content_type="multipart/form-data")


def test_the_dry_run_shows_each_row_and_every_problem_and_writes_nothing(client, people):
    bad = ["QT-22", "Thiếu tệp", "Quy trình", "01", "", "01/01/2021", "", "", "khong-co.docx", "", "", ""]
    files = {**good_files(), "thua.docx": b"nobody names it"}
    events = recorded()
    response = send_import(client, people.author, rows=[*GOOD_ROWS, bad], files=files, dry_run="true")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["dry_run"] is True and body["nothing_to_change"] is False and body["import"] is None
    plan = body["plan"]
    assert plan["counts"] == {"create": 3, "next_version": 0, "unchanged": 0, "refused": 1}
    assert [(r["code"], r["action"]) for r in plan["rows"]] == [
        ("QT-20", "create"),
        ("BM-01-QT-20", "create"),
        ("HD-01", "create"),
        ("QT-22", "refused"),
    ]
    (problem,) = plan["rows"][3]["problems"]
    assert problem["row"] == 7 and problem["column"] == "Tên tệp" and "khong-co.docx" in problem["reason"]
    assert plan["unlisted_files"] == ["thua.docx"]
    assert (count(Document), count(DocumentImport), recorded()) == (0, 0, events)


def test_the_real_run_imports_signs_and_the_same_list_again_changes_nothing(client, people):
    response = send_import(client, people.author, password=PASSWORD)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["dry_run"] is False and body["nothing_to_change"] is False
    assert body["plan"]["counts"] == {"create": 3, "next_version": 0, "unchanged": 0, "refused": 0}
    run = body["import"]
    assert run["counts"] == {"created": 3, "new_versions": 0, "unchanged": 0, "refused": 0}
    assert run["status"] == "done" and run["list_name"] == "danh-muc.xlsx" and run["files_name"] == "tep.zip"
    assert run["started_by"]["id"] == people.author.id and run["digest"]
    signature = run["signature"]
    assert signature["meaning"] == "declared_issued" and signature["valid"] is True
    assert signature["signer"] == {"id": people.author.id, "full_name": people.author.full_name}
    assert count(Document) == 3 and count(DocumentImport) == 1

    for user in (people.author, people.staff):
        (version,) = client.get(f"{API}/QT-20/versions", headers=bearer(user)).get_json()["versions"]
        assert version["status"] == "effective" and version["issue_no"] == 2
        assert version["imported"] == {
            "import_id": run["id"],
            "list_name": "danh-muc.xlsx",
            "row": 4,
            "imported_by": {"id": people.author.id, "full_name": people.author.full_name},
            "imported_at": run["started_at"],
            "issued_on": "2021-03-01",
            "drafted_by": "Nguyễn Văn Soạn",
            "reviewed_by": "Trần Thị Xét",
            "approved_by": "Lê Văn Duyệt",
        }
    form = db.session.scalar(select(Document).where(Document.code == "BM-01-QT-20"))
    assert form.kind is DocumentKind.form and form.parent.code == "QT-20"

    events, signatures = recorded(), count(Signature)
    again = send_import(client, people.author, password=PASSWORD)
    assert again.status_code == 200, again.get_json()
    body = again.get_json()
    assert body["nothing_to_change"] is True and body["import"] is None
    assert body["plan"]["counts"]["unchanged"] == 3
    assert (count(DocumentImport), recorded(), count(Signature)) == (1, events, signatures)


def test_a_version_made_in_qms_is_not_marked_imported(client, people, make_document):
    from tests.documents.test_api import draft

    draft(people, make_document("QT-43"), "Bản nháp")
    (version,) = client.get(f"{API}/QT-43/versions", headers=bearer(people.author)).get_json()["versions"]
    assert version["imported"] is None


def test_a_list_that_cannot_be_read_is_refused_with_the_reason(client, people):
    response = send_import(client, people.author, list_data=b"this is no workbook", dry_run="true")
    assert refusal(response) == "list_refused"
    headerless = workbook([["x"]], header=["Ghi chú"])
    response = send_import(client, people.author, list_data=headerless, password=PASSWORD)
    assert refusal(response) == "list_refused" and "Tên tài liệu" in response.get_json()["message"]
    assert count(DocumentImport) == 0


def test_a_zip_that_is_not_one_is_refused(client, people):
    response = send_import(client, people.author, zip_data=b"PK not really a zip", password=PASSWORD)
    assert refusal(response) == "zip_refused"
    assert (count(Document), count(DocumentImport)) == (0, 0)


def test_a_file_damaged_in_the_zip_refuses_its_row_and_the_rest_is_kept(client, people):
    data = bytearray(zip_of(good_files()))
    start = data.index(b"QT-20.docx") + len(b"QT-20.docx") + 40  # inside the first entry's data
    data[start : start + 64] = bytes(64)
    response = send_import(client, people.author, zip_data=bytes(data), password=PASSWORD)
    assert response.status_code == 201, response.get_json()
    rows = {row["code"]: row for row in response.get_json()["plan"]["rows"]}
    assert rows["QT-20"]["action"] == "refused" and rows["QT-20"]["problems"][0]["column"] == "Tên tệp"
    assert rows["BM-01-QT-20"]["action"] == "refused"  # its procedure's row is refused
    assert rows["HD-01"]["action"] == "create" and count(Document) == 1


def test_a_wrong_password_imports_and_signs_nothing_but_is_recorded(client, people):
    attempts = count(LoginAttempt)
    response = send_import(client, people.author, password="not-my-password")
    assert refusal(response, 403) == "bad_password"
    assert (count(Document), count(DocumentImport), count(Signature)) == (0, 0, 0)
    assert count(LoginAttempt) == attempts + 1
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "signature.password_refused")
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"drop": "list"}, "list_required"),
        ({"drop": "files"}, "files_required"),
        ({}, "password_required"),
        ({"dry_run": "perhaps"}, "bad_field"),
        ({"note": "x", "password": PASSWORD}, "unknown_field"),
    ],
)
def test_a_missing_or_unknown_part_is_refused(client, people, change, error):
    change = dict(change)
    drop = change.pop("drop", None)
    parts = {
        "list": (io.BytesIO(workbook(GOOD_ROWS)), "danh-muc.xlsx"),
        "files": (io.BytesIO(zip_of(good_files())), "tep.zip"),
        **change,
    }
    parts.pop(drop, None)
    response = client.post(IMPORT, data=parts, headers=bearer(people.author), content_type="multipart/form-data")
    assert refusal(response) == error
    assert count(DocumentImport) == 0


def test_an_import_sent_as_json_is_refused(client, people):
    response = client.post(IMPORT, json={"list": "danh-muc.xlsx"}, headers=bearer(people.author))
    assert refusal(response) == "multipart_required"


def test_staff_and_auditors_may_not_import(client, people):
    for user in (people.staff, people.auditor, people.leader):
        response = send_import(client, user, password=PASSWORD)
        assert refusal(response, 403) == "forbidden"
        response = send_import(client, user, dry_run="true")
        assert refusal(response, 403) == "forbidden"
    assert (count(Document), count(DocumentImport), count(Signature)) == (0, 0, 0)


def test_an_import_may_be_larger_than_one_upload(make_app, people):
    """The request of an import holds a whole document system: the upload limit binds each file in
    it, not the request."""
    app = make_app(QMS_MAX_UPLOAD_MB=1)
    client = app.test_client()
    with app.app_context():
        headers = bearer(people.author)
    noise = random.Random(7).randbytes(3 * 1024 * 1024)  # more than the 2 MB a request of this app may hold
    files = {**good_files(), "khac/thua.bin": noise}
    parts = {
        "list": (io.BytesIO(workbook(GOOD_ROWS)), "danh-muc.xlsx"),
        "files": (io.BytesIO(zip_of(files)), "tep.zip"),
        "dry_run": "true",
    }
    response = client.post(IMPORT, data=parts, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["plan"]["unlisted_files"] == ["khac/thua.bin"]


def test_the_openapi_document_describes_both_and_the_imported_version(client):
    document = client.get("/api/v1/openapi.json").get_json()
    register_op = document["paths"]["/api/v1/documents"]["post"]
    import_op = document["paths"]["/api/v1/documents/import"]["post"]
    for operation in (register_op, import_op):
        assert operation["description"].endswith("Roles: quality_officer.")
    assert "multipart/form-data" in import_op["requestBody"]["content"]
    assert {"200", "201", "400", "403"} <= set(import_op["responses"])
    versions = document["paths"]["/api/v1/documents/{code}/versions"]["get"]["responses"]["200"]
    version = versions["content"]["application/json"]["schema"]["properties"]["versions"]["items"]
    assert "list_name" in version["properties"]["imported"]["properties"]
