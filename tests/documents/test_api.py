"""The JSON API of document control (/api/v1/documents), through the test client with bearer tokens:
what staff and quality officers see, the filters and their refusals, other communes, the stamped
download and its audit event, and uploads (accepted, refused, conflicting)."""

import io
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from sqlalchemy import func, select

from qms.auth.services import create_api_token
from qms.db import db
from qms.documents import services
from qms.documents.models import DocumentVersion, VersionStatus
from qms.documents.services import versions as versions_service
from qms.files.models import StoredFile
from tests.conftest import PASSWORD
from tests.core.support import events, head_seq, statements
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes

API = "/api/v1/documents"
LAW = "NĐ-61"


def bearer(user):
    _token, plain = create_api_token(user, user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def url(code, tail=""):
    return f"{API}/{quote(code)}{tail}"


def draft(people, document, text, summary=""):
    version = services.create_draft_version(
        people.author, document, filename=f"{document.code}.docx", data=docx_bytes(text), change_summary=summary
    )
    db.session.commit()
    return version


@pytest.fixture
def library(people, make_document):
    """Commune a: QT-01 effective with issue 02 drafted; form BM-01-QT-01 at issue 02 (01 superseded);
    QT-02 only drafted; QT-03 in review; QT-04 withdrawn; the decree NĐ-61 registered. Commune b has
    its own QT-01."""
    procedure = make_document(code="QT-01", title="Quy trình đăng ký khai sinh")
    walk(draft(people, procedure, "Đăng ký khai sinh cho trẻ em"), people)
    draft(people, procedure, "Lần 2", summary="Rút ngắn thời hạn")
    form = make_document(code="BM-01-QT-01", kind="form", parent=procedure, title="Tờ khai đăng ký khai sinh")
    walk(draft(people, form, "Tờ khai lần 1"), people)
    walk(draft(people, form, "Tờ khai lần 2", summary="Thêm ô số định danh"), people)
    draft(people, make_document(code="QT-02", title="Quy trình chứng thực"), "Chứng thực bản sao")
    walk(draft(people, make_document(code="QT-03", title="Quy trình khai tử"), "Khai tử"), people, to="in_review")
    withdrawn = make_document(code="QT-04", title="Quy trình cũ")
    walk(draft(people, withdrawn, "Cũ"), people)
    services.withdraw_document(people.author, withdrawn, password=PASSWORD, reason="Không còn áp dụng")
    law = make_document(
        code=LAW,
        kind="external",
        title="Nghị định về một cửa",
        issuer="Chính phủ",
        number="61/2018/NĐ-CP",
        legal_status="in_force",
    )
    services.register_external_file(people.author, law, filename="nd61.docx", data=docx_bytes("Điều 1"))
    services.create_document(
        people.other_qo, people.other_commune, code="QT-01", title="Quy trình của xã B", kind="procedure"
    )
    db.session.commit()
    return {"procedure": procedure, "form": form, "law": law}


def codes(response):
    assert response.status_code == 200, response.get_json()
    return [d["code"] for d in response.get_json()["documents"]]


def version_count(document=None):
    query = select(func.count()).select_from(DocumentVersion)
    if document is not None:
        query = query.where(DocumentVersion.document_id == document.id)
    db.session.rollback()  # read what the requests committed, not what this session remembers
    return db.session.scalar(query)


def stored_files(app):
    root = Path(app.config["QMS_STORAGE_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, headers, code, data, filename="ban-moi.docx", **fields):
    body = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(url(code, "/versions"), data=body, headers=headers, content_type="multipart/form-data")


# --- the list -----------------------------------------------------------------------------------------


def test_staff_list_only_documents_in_force_quality_officer_all(client, people, library):
    staff = codes(client.get(API, headers=bearer(people.staff)))
    assert sorted(staff) == sorted(["QT-01", "BM-01-QT-01", LAW])
    officer = codes(client.get(API, headers=bearer(people.author)))
    assert sorted(officer) == sorted(["QT-01", "BM-01-QT-01", "QT-02", "QT-03", "QT-04", LAW])
    auditor = codes(client.get(API, headers=bearer(people.auditor)))
    assert sorted(auditor) == sorted(officer)
    entry = next(
        d for d in client.get(API, headers=bearer(people.staff)).get_json()["documents"] if d["code"] == "BM-01-QT-01"
    )
    assert entry["current_version"]["issue_no"] == 2 and entry["current_version"]["status"] == "effective"
    assert entry["parent"]["code"] == "QT-01"
    assert entry["links"]["download"] == url("BM-01-QT-01", "/current/download")


def test_a_form_names_its_procedure_only_to_those_who_may_see_it(client, people, library, make_document):
    # QT-02 is only drafted: staff may not see it, so its form in force does not name it to them
    procedure = services.document_by_code(people.author.commune_id, "QT-02")
    form = make_document(code="BM-01-QT-02", kind="form", parent=procedure, title="Tờ khai chứng thực")
    walk(draft(people, form, "Tờ khai chứng thực"), people)
    db.session.commit()

    def entry(user):
        listed = client.get(API, query_string={"kind": "form"}, headers=bearer(user)).get_json()["documents"]
        return next(d for d in listed if d["code"] == "BM-01-QT-02")

    assert entry(people.staff)["parent"] is None
    assert entry(people.author)["parent"] == {"code": "QT-02", "title": "Quy trình chứng thực", "kind": "procedure"}
    detail = client.get(url("BM-01-QT-02"), headers=bearer(people.staff)).get_json()
    assert detail["parent"] is None and detail["current_version"]["issue_no"] == 1


def test_the_list_reads_a_page_in_one_statement_however_long(client, people, library):
    officer = bearer(people.author)
    counts = []
    for per_page in (1, 6):
        with statements() as seen:
            listed = client.get(API, query_string={"per_page": per_page}, headers=officer).get_json()
        assert len(listed["documents"]) == per_page and listed["total"] == 6
        counts.append(len([s for s, *_ in seen if "api_tokens" not in s]))
    # the documents, their units, versions in force and in progress, procedures and count: one SELECT
    assert counts == [1, 1]


def test_filters_kind_status_and_search(client, people, library):
    officer, staff = bearer(people.author), bearer(people.staff)
    assert codes(client.get(API, query_string={"kind": "form"}, headers=officer)) == ["BM-01-QT-01"]
    assert codes(client.get(API, query_string={"kind": "external"}, headers=staff)) == [LAW]
    assert sorted(codes(client.get(API, query_string={"status": "draft"}, headers=officer))) == ["QT-01", "QT-02"]
    assert codes(client.get(API, query_string={"status": "in_review"}, headers=officer)) == ["QT-03"]
    assert codes(client.get(API, query_string={"status": "obsolete"}, headers=officer)) == ["QT-04"]
    assert codes(client.get(API, query_string={"status": "draft", "kind": "procedure"}, headers=staff)) == []
    # text content, without diacritics: "Chứng thực bản sao" is in QT-02's draft only
    assert codes(client.get(API, query_string={"q": "chung thuc ban sao"}, headers=officer)) == ["QT-02"]
    assert codes(client.get(API, query_string={"q": "chung thuc ban sao"}, headers=staff)) == []
    assert codes(client.get(API, query_string={"q": "khai sinh", "kind": "form"}, headers=staff)) == ["BM-01-QT-01"]


def test_pagination_follows_next_to_the_end(client, people, library):
    officer = bearer(people.author)
    first = client.get(API, query_string={"per_page": 4}, headers=officer).get_json()
    assert (first["total"], first["pages"], first["page"], first["previous"]) == (6, 2, 1, None)
    assert len(first["documents"]) == 4 and first["next"]
    second = client.get(first["next"], headers=officer).get_json()
    assert second["page"] == 2 and len(second["documents"]) == 2 and second["next"] is None
    assert {d["code"] for d in first["documents"]}.isdisjoint(d["code"] for d in second["documents"])
    assert client.get(second["previous"], headers=officer).get_json()["documents"] == first["documents"]
    beyond = client.get(API, query_string={"per_page": 4, "page": 9}, headers=officer).get_json()
    assert beyond["documents"] == [] and beyond["total"] == 6


@pytest.mark.parametrize(
    "args, error",
    [
        ({"kind": "law"}, "bad_kind"),
        ({"status": "superseded"}, "bad_status"),
        ({"status": "Effective"}, "bad_status"),
        ({"page": "0"}, "bad_page"),
        ({"page": "-1"}, "bad_page"),
        ({"page": "two"}, "bad_page"),
        ({"page": "1.5"}, "bad_page"),
        ({"per_page": "0"}, "bad_per_page"),
        ({"per_page": "201"}, "bad_per_page"),
        ({"q": "x" * 201}, "bad_q"),
        ({"kinds": "form"}, "unknown_parameter"),
    ],
)
def test_a_bad_filter_is_400_with_the_reason(client, people, library, args, error):
    response = client.get(API, query_string=args, headers=bearer(people.staff))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == error and body["message"].strip()


# --- one document and its versions -------------------------------------------------------------------


def test_staff_never_see_a_draft_in_review_or_withdrawn_document(client, people, library, make_document):
    draft(people, make_document(code="BM-02-QT-01", kind="form", parent=library["procedure"]), "Chưa ban hành")
    staff, officer = bearer(people.staff), bearer(people.author)
    mine = client.get(url("QT-01"), headers=staff).get_json()
    assert mine["current_version"]["issue_no"] == 1 and mine["version_in_progress"] is None
    assert [c["code"] for c in mine["children"]] == ["BM-01-QT-01"]
    full = client.get(url("QT-01"), headers=officer).get_json()
    assert full["version_in_progress"]["issue_no"] == 2 and full["version_in_progress"]["status"] == "draft"
    assert [c["code"] for c in full["children"]] == ["BM-01-QT-01", "BM-02-QT-01"]
    for code in ("QT-02", "QT-03", "QT-04", "BM-02-QT-01"):
        for tail in ("", "/versions", "/current/download"):
            response = client.get(url(code, tail), headers=staff)
            assert response.status_code == 404, (code, tail)
            assert response.get_json()["error"] == "not_found"
    withdrawn = client.get(url("QT-04"), headers=officer).get_json()
    assert withdrawn["status"] == "obsolete" and withdrawn["withdrawn_reason"] == "Không còn áp dụng"
    law = client.get(url(LAW), headers=staff).get_json()
    assert (law["issuer"], law["number"], law["legal_status"]) == ("Chính phủ", "61/2018/NĐ-CP", "in_force")


def test_versions_for_staff_are_the_one_in_force(client, people, library):
    staff, officer = bearer(people.staff), bearer(people.author)
    seen = client.get(url("BM-01-QT-01", "/versions"), headers=staff).get_json()["versions"]
    assert [(v["issue_no"], v["status"]) for v in seen] == [(2, "effective")]
    assert seen[0]["signatures"] == [] and "sha256" not in seen[0]["file"]
    assert [v["issue_no"] for v in client.get(url("QT-01", "/versions"), headers=staff).get_json()["versions"]] == [1]
    everything = client.get(url("BM-01-QT-01", "/versions"), headers=officer).get_json()["versions"]
    assert [(v["issue_no"], v["status"]) for v in everything] == [(1, "superseded"), (2, "effective")]
    assert [s["meaning"] for s in everything[1]["signatures"]] == ["reviewed", "approved"]
    assert all(s["valid"] for s in everything[1]["signatures"]) and len(everything[1]["file"]["sha256"]) == 64
    assert everything[1]["change_summary"] == "Thêm ô số định danh"
    drafts = client.get(url("QT-01", "/versions"), headers=officer).get_json()["versions"]
    assert [v["status"] for v in drafts] == ["effective", "draft"]
    one = client.get(url("BM-01-QT-01", "/versions"), query_string={"issue": 1}, headers=officer).get_json()
    assert [v["issue_no"] for v in one["versions"]] == [1]
    assert (
        client.get(url("BM-01-QT-01", "/versions"), query_string={"issue": 1}, headers=staff).get_json()["versions"]
        == []
    )
    bad = client.get(url("BM-01-QT-01", "/versions"), query_string={"issue": "x"}, headers=officer)
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_issue"


def test_another_communes_document_is_not_found(client, people, library):
    other = bearer(people.other_qo)
    seq = head_seq()
    for tail in ("", "/versions", "/current/download"):
        response = client.get(url("BM-01-QT-01", tail), headers=other)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert upload(client, other, "BM-01-QT-01", docx_bytes("B"), change_summary="x").status_code == 404
    assert client.get(API, headers=other).get_json()["total"] == 1
    # the same code names each commune's own document
    assert client.get(url("QT-01"), headers=other).get_json()["title"] == "Quy trình của xã B"
    assert client.get(url("QT-01"), headers=bearer(people.staff)).get_json()["title"] == "Quy trình đăng ký khai sinh"
    assert [e["action"] for e in events(after=seq)] == ["api_token.created"]  # the staff token only


# --- the controlled copy ---------------------------------------------------------------------------------


def test_download_is_the_stamped_controlled_copy_and_is_audited(client, people, library):
    seq = head_seq()
    response = client.get(url("QT-01", "/current/download"), headers=bearer(people.staff))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (
        "attachment" in response.headers["Content-Disposition"]
        and "QT-01_L01" in response.headers["Content-Disposition"]
    )
    assert response.headers["X-QMS-Stamped"] == "true"
    document = docx.Document(io.BytesIO(response.data))
    header = "\n".join(p.text for section in document.sections for p in section.header.paragraphs)
    assert "BẢN KIỂM SOÁT" in header and "QT-01" in header and "Lần ban hành: 01" in header
    assert people.staff.full_name in header
    assert "Đăng ký khai sinh cho trẻ em" in [p.text for p in document.paragraphs]
    downloads = events("document.version.downloaded", after=seq)
    assert len(downloads) == 1
    event = downloads[0]
    current = services.current_version(library["procedure"])
    assert (event["actor_id"], event["entity_id"]) == (people.staff.id, str(current.id))
    assert event["changes"]["via"] == [None, "api"] and event["changes"]["label"] == [None, "BẢN KIỂM SOÁT"]


def test_nothing_in_force_nothing_to_download(client, people, library):
    officer = bearer(people.author)
    seq = head_seq()
    for code in ("QT-02", "QT-03", "QT-04"):
        response = client.get(url(code, "/current/download"), headers=officer)
        assert response.status_code == 404 and response.get_json()["error"] == "no_current_version"
    assert events("document.version.downloaded", after=seq) == []


# --- uploads -----------------------------------------------------------------------------------------------


def test_upload_creates_the_next_draft(app, client, people, library):
    form = library["form"]
    officer = bearer(people.author)
    before = stored_files(app)
    response = upload(
        client,
        officer,
        "BM-01-QT-01",
        docx_bytes("Tờ khai lần 3"),
        filename="Tờ khai.docx",
        change_summary="Bỏ ô fax",
        reason="Không còn dùng fax",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["issue_no"], body["status"], body["change_summary"], body["reason"]) == (
        3,
        "draft",
        "Bỏ ô fax",
        "Không còn dùng fax",
    )
    assert body["author"]["id"] == people.author.id and body["file"]["filename"] == "Tờ khai.docx"
    assert response.headers["Location"].endswith(url("BM-01-QT-01", "/versions?issue=3"))
    listed = client.get(response.headers["Location"], headers=officer).get_json()["versions"]
    assert [(v["id"], v["status"]) for v in listed] == [(body["id"], "draft")]
    assert version_count(form) == 3 and len(stored_files(app)) == len(before) + 1
    version = db.session.get(DocumentVersion, body["id"])
    assert version.status is VersionStatus.draft and version.primary_file.sha256 == body["file"]["sha256"]
    assert events("document.version.created")[-1]["entity_id"] == str(body["id"])
    # staff still see issue 02 only
    staff = client.get(url("BM-01-QT-01", "/versions"), headers=bearer(people.staff)).get_json()["versions"]
    assert [v["issue_no"] for v in staff] == [2]


def _vba_docx():
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes("Có macro")), "r") as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("word/vbaProject.bin", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    return out.getvalue()


@pytest.mark.parametrize(
    "data, filename, fields, status, error",
    [
        (_vba_docx(), "co-macro.docx", {"change_summary": "x"}, 400, "macros"),
        (b"Just some text, not a document", "ghi-chu.docx", {"change_summary": "x"}, 400, "unsupported_type"),
        (docx_bytes("Tốt")[:300], "cut.docx", {"change_summary": "x"}, 400, "corrupt"),
        (b"", "rong.docx", {"change_summary": "x"}, 400, "empty"),
        (docx_bytes("Tốt"), "bad\x07name.docx", {"change_summary": "x"}, 400, "bad_name"),
        (docx_bytes("Tốt"), "lan-3.docx", {}, 400, "summary_required"),
    ],
)
def test_a_refused_upload_answers_the_reason_and_leaves_nothing(
    app, client, people, library, data, filename, fields, status, error
):
    form = library["form"]
    before_files, before_versions = stored_files(app), version_count()
    headers = bearer(people.author)
    seq = head_seq()
    response = upload(client, headers, "BM-01-QT-01", data, filename=filename, **fields)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == error and body["message"].strip()
    assert version_count() == before_versions and version_count(form) == 2
    assert stored_files(app) == before_files
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == len(before_files)
    assert events(after=seq) == []


def test_a_file_over_the_size_limit_is_413(make_app, people, library):
    app = make_app(QMS_MAX_UPLOAD_MB=1)
    client = app.test_client()
    before_files = stored_files(app)
    big = docx_bytes("Lớn", paragraphs=["x"]) + bytes(1024 * 1024 + 10)
    response = upload(client, bearer(people.author), "BM-01-QT-01", big, change_summary="x")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
    assert stored_files(app) == before_files
    assert version_count(library["form"]) == 2


def test_an_upload_must_be_multipart_with_one_file(client, people, library):
    officer = bearer(people.author)
    seq = head_seq()
    as_json = client.post(url("BM-01-QT-01", "/versions"), json={"change_summary": "x"}, headers=officer)
    assert as_json.status_code == 400 and as_json.get_json()["error"] == "multipart_required"
    no_file = client.post(
        url("BM-01-QT-01", "/versions"),
        data={"change_summary": "x"},
        headers=officer,
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 400 and no_file.get_json()["error"] == "file_required"
    empty_name = client.post(
        url("BM-01-QT-01", "/versions"),
        headers=officer,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(docx_bytes()), ""), "change_summary": "x"},
    )
    assert empty_name.status_code == 400 and empty_name.get_json()["error"] == "file_required"
    two = client.post(
        url("BM-01-QT-01", "/versions"),
        headers=officer,
        content_type="multipart/form-data",
        data={
            "file": [(io.BytesIO(docx_bytes("1")), "a.docx"), (io.BytesIO(docx_bytes("2")), "b.docx")],
            "change_summary": "x",
        },
    )
    assert two.status_code == 400 and two.get_json()["error"] == "one_file"
    long_text = upload(client, officer, "BM-01-QT-01", docx_bytes(), change_summary="x" * 4001)
    assert long_text.status_code == 400 and long_text.get_json()["error"] == "text_too_long"
    assert events(after=seq) == [] and version_count(library["form"]) == 2


def test_a_document_with_a_version_in_progress_is_409(app, client, people, library):
    before = stored_files(app)
    response = upload(client, bearer(people.author), "QT-01", docx_bytes("Lần 3"), change_summary="x")
    assert response.status_code == 409
    assert response.get_json()["error"] == "version_in_progress" and response.get_json()["message"].strip()
    assert version_count(library["procedure"]) == 2 and stored_files(app) == before


@pytest.mark.parametrize("role", ["staff", "auditor", "leader", "admin"])
def test_only_a_quality_officer_uploads(app, client, people, library, role):
    before = stored_files(app)
    headers = bearer(people[role])
    seq = head_seq()
    response = upload(client, headers, "BM-01-QT-01", docx_bytes("Không được"), change_summary="x")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert version_count(library["form"]) == 2 and stored_files(app) == before and events(after=seq) == []


def test_a_withdrawn_document_takes_no_upload(client, people, library):
    response = upload(client, bearer(people.author), "QT-04", docx_bytes("Mới"), change_summary="x")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_an_external_document_is_registered_in_force(client, people, library):
    response = upload(
        client,
        bearer(people.author),
        LAW,
        docx_bytes("Điều 1 sửa đổi"),
        filename="nd61-2.docx",
        change_summary="Văn bản hợp nhất",
    )
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["issue_no"], response.get_json()["status"]) == (2, "effective")
    versions = client.get(url(LAW, "/versions"), headers=bearer(people.author)).get_json()["versions"]
    assert [v["status"] for v in versions] == ["superseded", "effective"]


def test_a_concurrent_upload_is_a_json_409_and_leaves_no_file(app, client, people, library, monkeypatch):
    """Another upload took the issue number between the check and the insert: the unique
    (document, issue_no) refuses this one, and the file it stored is removed with the rollback."""
    form = library["form"]
    monkeypatch.setattr(versions_service, "next_issue_no", lambda document: 2)
    before = stored_files(app)
    response = upload(client, bearer(people.author), "BM-01-QT-01", docx_bytes("Cùng lúc"), change_summary="x")
    assert response.status_code == 409
    assert response.get_json()["error"] == "conflict" and response.get_json()["message"].strip()
    assert version_count(form) == 2 and stored_files(app) == before


# --- the OpenAPI description of these routes ------------------------------------------------------------------


def test_the_openapi_document_describes_the_document_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    listing = paths["/api/v1/documents"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"kind", "status", "q", "page", "per_page"}
    assert "page" in listing["description"] and "400" in listing["responses"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["documents"]
    post = paths["/api/v1/documents/{code}/versions"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"file", "change_summary", "reason"} and schema["required"] == ["file"]
    assert {"201", "400", "403", "404", "409", "413"} <= set(post["responses"])
    assert "Location" in post["responses"]["201"]["headers"]
    assert "quality_officer" in post["description"]
    download = paths["/api/v1/documents/{code}/current/download"]["get"]
    assert download["operationId"] == "download_current_document"
    assert (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        in download["responses"]["200"]["content"]
    )
    for item in (paths["/api/v1/documents/{code}"], paths["/api/v1/documents/{code}/versions"]):
        for operation in item.values():
            assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == ["code"]
            assert "404" in operation["responses"]


def test_the_lists_links_are_those_its_routes_build(app, client, people, library):
    from flask import url_for

    documents = client.get(API, headers=bearer(people.author)).get_json()["documents"]
    assert LAW in [d["code"] for d in documents]  # a code with a Vietnamese letter, quoted
    with app.test_request_context():
        for d in documents:
            links = d["links"]
            assert links["self"] == url_for("api.show_document", code=d["code"])
            assert links["versions"] == url_for("api.list_document_versions", code=d["code"])
            assert links["download"] in (None, url_for("api.download_current_document", code=d["code"]))
            assert links["page"] == url_for("documents.show_document", document_id=d["id"])


def test_the_list_reads_the_forms_procedures_in_one_query(client, people, make_document):
    """However many forms of different procedures a page lists, their procedures come in one query."""
    from tests.core.support import statements

    officer = bearer(people.author)

    def listing():
        with statements() as seen:
            assert client.get(API, query_string={"kind": "form"}, headers=officer).status_code == 200
        return len(seen)

    def form_of_a_new_procedure(n):
        procedure = make_document(code=f"QT-{50 + n}")
        make_document(code=f"BM-01-QT-{50 + n}", kind="form", parent=procedure)

    form_of_a_new_procedure(0)
    one = listing()
    for n in range(1, 4):
        form_of_a_new_procedure(n)
    assert listing() == one
