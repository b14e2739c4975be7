"""The actions of document control through the pages' forms: registering and editing documents,
uploads (a refused one leaves nothing behind), the signed steps (a wrong password signs nothing, an
outdated page is a conflict), change requests, acknowledgment and withdrawal."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qms.db import db
from qms.documents.models import (
    Acknowledgment,
    ChangeRequest,
    ChangeRequestStatus,
    Document,
    DocumentStatus,
    DocumentVersion,
    SignatureMeaning,
    VersionStatus,
)
from qms.files.models import StoredFile
from qms.signatures.models import Signature
from tests.conftest import PASSWORD
from tests.core.support import events, fresh
from tests.documents.conftest import walk
from tests.documents.views_support import html, ids, library, signed_in, submit  # noqa: F401 (fixture)
from tests.files.samples import docx_bytes
from tests.files.test_uploads import make_ole

WRONG = "Not-The-Password-1"


def value_of(page, element_id):
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*id="{re.escape(element_id)}"', page
    )
    assert match, f"no #{element_id} with a value"
    return match.group(1)


def marked_invalid(page, attribute):
    """The page's element with `attribute` (e.g. 'name="code"') carries the is-invalid class."""
    return re.search(rf"{attribute}[^>]*is-invalid|is-invalid[^>]*{attribute}", page)


def stored_files(app):
    root = Path(app.config["QMS_STORAGE_DIR"])
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def count(model, *where):
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def version_page(client, version):
    return html(client.get(f"/documents/versions/{version.id}"))


# --- documents ---------------------------------------------------------------------------------------


def test_registering_a_document_through_the_form(app, people):
    client = signed_in(app, people.author)
    response = submit(
        client,
        "/documents/new",
        {
            "kind": "procedure",
            "code": "QT-05",
            "title": "Quy trình chứng thực",
            "field": "Chứng thực",
            "owning_unit": people.unit.id,
            "owner": 0,
            "parent": 0,
            "review_interval_months": "12",
            "access": "internal",
            "legal_status": "",
        },
        page="/documents/new",
    )
    assert response.status_code == 303
    document = db.session.scalar(select(Document).where(Document.code == "QT-05"))
    assert document.title == "Quy trình chứng thực" and document.owning_unit_id == people.unit.id
    assert response.headers["Location"].endswith(f"/documents/{document.id}")


def test_a_code_off_the_communes_format_is_a_form_error_and_registers_nothing(app, people):
    client = signed_in(app, people.author)
    response = submit(
        client,
        "/documents/new",
        {
            "kind": "procedure",
            "code": "QUY TRINH 1",
            "title": "Sai mã",
            "owning_unit": 0,
            "owner": 0,
            "parent": 0,
            "access": "internal",
            "legal_status": "",
        },
        page="/documents/new",
    )
    assert response.status_code == 400
    assert marked_invalid(html(response), 'name="code"')
    assert count(Document) == 0


def test_registering_a_document_of_external_origin_with_its_legal_data(app, people):
    client = signed_in(app, people.author)
    response = submit(
        client,
        "/documents/new",
        {
            "kind": "external",
            "code": "LHT-2014",
            "title": "Luật Hộ tịch",
            "owning_unit": 0,
            "owner": 0,
            "parent": 0,
            "access": "public",
            "issuer": "Quốc hội",
            "number": "60/2014/QH13",
            "issued_on": "20/11/2014",
            "effective_on": "01/01/2016",
            "legal_status": "in_force",
        },
        page="/documents/new",
    )
    assert response.status_code == 303
    document = db.session.scalar(select(Document).where(Document.code == "LHT-2014"))
    assert document.number == "60/2014/QH13" and document.issued_on.year == 2014
    assert document.legal_status.value == "in_force"


def test_an_external_document_without_its_number_is_told_so_under_the_number(app, people):
    client = signed_in(app, people.author)
    response = submit(
        client,
        "/documents/new",
        {
            "kind": "external",
            "code": "QĐ-1",
            "title": "Quyết định",
            "owning_unit": 0,
            "owner": 0,
            "parent": 0,
            "access": "internal",
            "issuer": "UBND tỉnh",
            "number": "",
            "legal_status": "in_force",
        },
        page="/documents/new",
    )
    assert response.status_code == 400
    assert marked_invalid(html(response), 'name="number"')
    assert count(Document) == 0


def test_fields_hidden_for_the_chosen_kind_are_not_held_against_it(app, people, library):
    """The page hides the procedure and the external fields for a procedure (qms.css); values left in
    them from an earlier choice of kind do not refuse the registration."""
    client = signed_in(app, people.author)
    response = submit(
        client,
        "/documents/new",
        {
            "kind": "procedure",
            "code": "QT-07",
            "title": "Quy trình mới",
            "owning_unit": 0,
            "owner": 0,
            "parent": library.procedure.id,
            "access": "internal",
            "issuer": "Chính phủ",
            "number": "1/2020",
            "legal_status": "in_force",
        },
        page="/documents/new",
    )
    assert response.status_code == 303
    document = db.session.scalar(select(Document).where(Document.code == "QT-07"))
    assert document.parent_id is None and document.issuer == "" and document.legal_status is None


def test_editing_a_documents_details_and_its_distribution(app, people, library):
    client = signed_in(app, people.author)
    path = f"/documents/{library.procedure.id}/edit"
    assert client.get(path).status_code == 200
    response = submit(
        client,
        path,
        {
            "title": "Quy trình khai sinh (sửa)",
            "field": "Hộ tịch",
            "owning_unit": people.unit.id,
            "owner": people.author.id,
            "parent": 0,
            "review_interval_months": "24",
            "access": "internal",
            "legal_status": "",
            "reason": "Đổi tên",
        },
        page=path,
    )
    assert response.status_code == 303
    document = fresh(library.procedure)
    assert document.title == "Quy trình khai sinh (sửa)" and document.review_interval_months == 24
    response = submit(client, f"/documents/{document.id}/distribution", {"roles": ["staff", "leader"]}, page=path)
    assert response.status_code == 303
    assert sorted(d.role.code for d in fresh(document).distributions) == ["leader", "staff"]


def test_editing_a_form_keeps_its_procedure(app, people, library):
    client = signed_in(app, people.author)
    path = f"/documents/{library.form.id}/edit"
    page = html(client.get(path))
    assert (
        f'<option selected value="{library.procedure.id}">' in page
        or f'value="{library.procedure.id}" selected' in page
    )
    response = submit(
        client,
        path,
        {
            "title": "Tờ khai (mới)",
            "owning_unit": 0,
            "owner": 0,
            "parent": library.procedure.id,
            "access": "internal",
            "legal_status": "",
        },
        page=path,
    )
    assert response.status_code == 303 and fresh(library.form).parent_id == library.procedure.id


# --- uploads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, data, words",
    [
        ("Quy trình.doc", make_ole("WordDocument", "1Table"), ".docx"),
        ("ghi chú.txt", b"plain text is not a document", ".docx"),
        ("cắt cụt.docx", docx_bytes("Cắt")[:300], None),
    ],
)
def test_a_refused_upload_says_why_and_leaves_no_row_and_no_file(app, people, make_document, filename, data, words):
    document = make_document(title="Tài liệu chưa có bản nào")
    client = signed_in(app, people.author)
    path = f"/documents/{document.id}/versions/new"
    before = stored_files(app)
    response = submit(client, path, {"change_summary": ""}, page=path, files={"file": (data, filename)})
    assert response.status_code == 400
    page = html(response)
    assert "upload-error" in ids(page)
    message = re.search(r'id="upload-error">(.*?)</div>\s*\n', page, re.S).group(1)
    if words:
        assert words in message
    assert count(DocumentVersion) == 0 and count(StoredFile) == 0
    assert stored_files(app) == before == []


def test_a_file_over_the_limit_is_refused_with_the_limit_named(app, people, make_document):
    app.config["QMS_MAX_UPLOAD_MB"] = 1
    document = make_document()
    client = signed_in(app, people.author)
    path = f"/documents/{document.id}/versions/new"
    response = submit(client, path, {}, page=path, files={"file": (b"x" * (1024 * 1024 + 10), "lớn.docx")})
    assert response.status_code == 413
    assert "upload-error" in ids(html(response)) and "larger than 1 MB" in html(response)
    assert count(DocumentVersion) == 0 and stored_files(app) == []


def test_an_upload_creates_a_draft_and_the_draft_form_replaces_its_file(app, people, make_document):
    document = make_document()
    client = signed_in(app, people.author)
    path = f"/documents/{document.id}/versions/new"
    response = submit(
        client,
        path,
        {"change_summary": "", "reason": "Ban hành lần đầu"},
        page=path,
        files={"file": (docx_bytes("Bản đầu"), "QT.docx")},
    )
    assert response.status_code == 303
    version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id))
    assert version.status is VersionStatus.draft and version.reason == "Ban hành lần đầu"
    response = act(
        client,
        version,
        "draft",
        {"change_summary": "", "reason": "Sửa lỗi chính tả"},
        files={"file": (docx_bytes("Bản sửa"), "QT sửa.docx")},
    )
    assert response.status_code == 303
    version = fresh(version)
    assert version.primary_file.filename == "QT sửa.docx" and version.reason == "Sửa lỗi chính tả"
    assert len(stored_files(app)) == 2


def test_a_refused_file_for_a_draft_keeps_the_draft_as_it_was(app, people, library):
    client = signed_in(app, people.author)
    draft = library.draft
    old = draft.primary_file.sha256
    files_before, rows_before = stored_files(app), count(StoredFile)
    response = act(
        client,
        draft,
        "draft",
        {"change_summary": "", "reason": ""},
        files={"file": (b"MZ\x90\x00 not a document", "virus.docx")},
    )
    assert response.status_code == 400
    assert marked_invalid(html(response), 'id="draft-form-file"')
    assert fresh(draft).primary_file.sha256 == old
    assert stored_files(app) == files_before and count(StoredFile) == rows_before


# --- the signed steps -----------------------------------------------------------------------------------

FORM_IDS = {
    "draft": "draft-form",
    "submit": "submit-form",
    "review": "review-form",
    "approve": "approve-form",
    "return": "return-form",
    "confirm": "confirm-form",
    "acknowledge": "ack-form",
}


def act(client, version, action, data=None, files=None, row_version=None):
    """Open the version's page and send one of its forms as the browser would: with the page's CSRF
    token and the row_version its form carries (or the `row_version` given, seen earlier)."""
    path = f"/documents/versions/{version.id}"
    page = html(client.get(path))
    seen = row_version if row_version is not None else value_of(page, f"{FORM_IDS[action]}-row-version")
    return submit(client, f"{path}/{action}", {**(data or {}), "row_version": seen}, page=path, files=files)


def test_submit_review_and_approve_through_the_forms(app, people, library):
    draft = library.draft
    response = act(signed_in(app, people.author), draft, "submit")
    assert response.status_code == 303 and fresh(draft).status is VersionStatus.in_review

    response = act(signed_in(app, people.leader), draft, "review", {"password": PASSWORD, "comment": "Đạt"})
    assert response.status_code == 303
    version = fresh(draft)
    assert version.reviewed_by_id == people.leader.id
    [signature] = version.signatures
    assert signature.meaning == SignatureMeaning.reviewed and signature.comment == "Đạt"
    assert signature.signed_digest == version.primary_file.sha256

    approver = signed_in(app, people.qo2)
    assert "approve-form" in ids(version_page(approver, version))
    response = act(approver, version, "approve", {"password": PASSWORD, "effective_date": "", "comment": ""})
    assert response.status_code == 303
    version = fresh(draft)
    assert version.status is VersionStatus.effective and version.approved_by_id == people.qo2.id
    assert version_page(approver, version).count("signature-valid") == 2


def test_a_wrong_password_is_a_form_error_and_signs_nothing(app, people, library):
    version = library.in_review
    response = act(signed_in(app, people.leader), version, "review", {"password": WRONG, "comment": ""})
    assert response.status_code == 403
    page = html(response)
    assert marked_invalid(page, 'id="review-form-password"')
    assert "The password is wrong; nothing was signed." in page
    version = fresh(version)
    assert version.reviewed_by_id is None and version.signatures == []
    assert [e["action"] for e in events("signature.password_refused")] == ["signature.password_refused"]


def test_an_empty_password_is_a_form_error_too(app, people, library):
    response = act(signed_in(app, people.leader), library.in_review, "review", {"password": ""})
    assert response.status_code == 400 and fresh(library.in_review).signatures == []


def test_acting_on_an_outdated_page_is_a_conflict_that_changes_nothing(app, people, library):
    version = library.in_review
    leader = signed_in(app, people.leader)
    seen = value_of(version_page(leader, version), "review-form-row-version")
    response = act(signed_in(app, people.qo2), version, "return", {"password": PASSWORD, "comment": "Thiếu bước 3"})
    assert response.status_code == 303 and fresh(version).status is VersionStatus.draft
    response = act(leader, version, "review", {"password": PASSWORD, "comment": ""}, row_version=seen)
    assert response.status_code == 409
    assert "Someone else changed this version while you were working on it." in html(response)
    version = fresh(version)
    assert version.status is VersionStatus.draft and version.reviewed_by_id is None
    assert [s.meaning for s in version.signatures] == [SignatureMeaning.returned]


def test_returning_needs_a_comment_and_shows_it_on_the_draft(app, people, library):
    version = library.in_review
    leader = signed_in(app, people.leader)
    response = act(leader, version, "return", {"password": PASSWORD, "comment": ""})
    assert response.status_code == 400 and fresh(version).status is VersionStatus.in_review
    response = act(leader, version, "return", {"password": PASSWORD, "comment": "Bổ sung căn cứ pháp lý"})
    assert response.status_code == 303
    page = version_page(signed_in(app, people.author), version)
    assert "returned-comment" in ids(page) and "Bổ sung căn cứ pháp lý" in page


def test_approving_with_a_later_effective_date_leaves_it_approved(app, people, library):
    walk(library.draft, people, to="reviewed")
    response = act(
        signed_in(app, people.qo2), library.draft, "approve", {"password": PASSWORD, "effective_date": "31/12/2099"}
    )
    assert response.status_code == 303
    version = fresh(library.draft)
    assert version.status is VersionStatus.approved and version.effective_date.year == 2099


def test_a_badly_written_effective_date_is_a_form_error(app, people, library):
    walk(library.draft, people, to="reviewed")
    response = act(
        signed_in(app, people.qo2), library.draft, "approve", {"password": PASSWORD, "effective_date": "31.12.99"}
    )
    assert response.status_code == 400 and "Enter the date as dd/mm/yyyy." in html(response)
    assert fresh(library.draft).status is VersionStatus.in_review


def test_someone_without_the_right_cannot_sign(app, people, library):
    staff = signed_in(app, people.staff)
    response = submit(staff, f"/documents/versions/{library.in_review.id}/review", {"password": PASSWORD})
    assert response.status_code == 404  # staff do not even see a version in review
    author = signed_in(app, people.author)
    response = submit(author, f"/documents/versions/{library.in_review.id}/review", {"password": PASSWORD})
    assert response.status_code == 403 and fresh(library.in_review).signatures == []


def test_confirming_still_valid_moves_the_review_date_with_a_signature(app, people, library):
    version = library.effective
    before = version.next_review_on
    response = act(signed_in(app, people.qo2), version, "confirm", {"password": PASSWORD, "comment": "Vẫn phù hợp"})
    assert response.status_code == 303
    version = fresh(version)
    assert version.signatures[-1].meaning == SignatureMeaning.confirmed and version.next_review_on >= before


def test_staff_acknowledge_a_version_once(app, people, library):
    version = library.effective
    staff = signed_in(app, people.staff)
    assert act(staff, version, "acknowledge").status_code == 303
    ack = db.session.scalar(
        select(Acknowledgment).where(Acknowledgment.version_id == version.id, Acknowledgment.user_id == people.staff.id)
    )
    assert ack.acknowledged_at is not None
    page = version_page(staff, version)
    assert "own-acknowledgment" in ids(page) and "ack-form" not in ids(page)
    officer = version_page(signed_in(app, people.author), version)
    assert f"not-acknowledged-{people.staff.id}" not in ids(officer)


def test_withdrawing_needs_the_password_and_a_reason(app, people, library):
    document = library.form
    officer = signed_in(app, people.qo2)
    path = f"/documents/{document.id}"
    response = submit(officer, f"{path}/withdraw", {"password": WRONG, "reason": "Không dùng nữa"}, page=path)
    assert response.status_code == 403 and "withdraw-form" in ids(html(response))
    assert fresh(document).status is DocumentStatus.active
    response = submit(officer, f"{path}/withdraw", {"password": PASSWORD, "reason": ""}, page=path)
    assert response.status_code == 400 and fresh(document).status is DocumentStatus.active
    response = submit(officer, f"{path}/withdraw", {"password": PASSWORD, "reason": "Không dùng nữa"}, page=path)
    assert response.status_code == 303
    document = fresh(document)
    assert document.status is DocumentStatus.obsolete
    assert all(v.status is VersionStatus.obsolete for v in document.versions)
    assert signed_in(app, people.staff).get(path).status_code == 404


# --- change requests ---------------------------------------------------------------------------------


def test_staff_propose_a_change_and_the_quality_officer_accepts_it_into_a_draft(app, people, library):
    document = library.form
    staff = signed_in(app, people.staff)
    path = f"/documents/{document.id}/change-requests/new"
    assert staff.get(path).status_code == 200
    response = submit(staff, path, {"what": "", "why": ""}, page=path)
    assert response.status_code == 400 and count(ChangeRequest) == 0
    response = submit(staff, path, {"what": "Thêm ô số điện thoại", "why": "Để liên hệ người nộp"}, page=path)
    assert response.status_code == 303
    change_request = db.session.scalar(select(ChangeRequest))
    assert change_request.status is ChangeRequestStatus.open and change_request.requested_by_id == people.staff.id
    mine = html(staff.get("/documents/change-requests"))
    assert f"change-request-{change_request.id}" in ids(mine) and f"accept-{change_request.id}" not in ids(mine)

    officer = signed_in(app, people.author)
    page = html(officer.get(f"/documents/{document.id}"))
    assert {f"accept-{change_request.id}", f"decline-{change_request.id}"} <= ids(page)
    response = submit(
        officer,
        f"/documents/change-requests/{change_request.id}/accept",
        {"reason": "Hợp lý"},
        page=f"/documents/{document.id}",
    )
    assert response.status_code == 303
    change_request = fresh(change_request)
    draft = change_request.draft_version
    assert change_request.status is ChangeRequestStatus.accepted
    assert response.headers["Location"].endswith(f"/documents/versions/{draft.id}")
    assert draft.status is VersionStatus.draft and draft.issue_no == 2
    assert draft.change_summary == "Thêm ô số điện thoại"
    assert f"decline-{change_request.id}" not in ids(html(officer.get(f"/documents/{document.id}")))


def test_declining_a_change_request_needs_a_reason_the_proposer_sees(app, people, library):
    staff = signed_in(app, people.staff)
    path = f"/documents/{library.form.id}/change-requests/new"
    submit(staff, path, {"what": "Bỏ mục 4", "why": "Trùng mục 2"}, page=path)
    change_request = db.session.scalar(select(ChangeRequest))
    officer = signed_in(app, people.author)
    response = submit(officer, f"/documents/change-requests/{change_request.id}/decline", {"reason": ""})
    assert response.status_code == 303 and fresh(change_request).status is ChangeRequestStatus.open
    assert "Say why the request is declined." in html(officer.get(response.headers["Location"]))
    response = submit(
        officer, f"/documents/change-requests/{change_request.id}/decline", {"reason": "Mục 4 vẫn cần thiết"}
    )
    assert response.status_code == 303 and fresh(change_request).status is ChangeRequestStatus.declined
    page = html(staff.get("/documents/change-requests?status=declined"))
    assert "Mục 4 vẫn cần thiết" in page
    assert "no-change-requests" in ids(html(staff.get("/documents/change-requests?status=open")))


def test_staff_cannot_decide_change_requests(app, people, library):
    staff = signed_in(app, people.staff)
    path = f"/documents/{library.form.id}/change-requests/new"
    submit(staff, path, {"what": "Sửa", "why": "Vì"}, page=path)
    change_request = db.session.scalar(select(ChangeRequest))
    assert submit(staff, f"/documents/change-requests/{change_request.id}/accept").status_code == 403
    assert fresh(change_request).status is ChangeRequestStatus.open


# --- settings ------------------------------------------------------------------------------------------


def test_the_settings_form_saves_the_rules(app, people):
    client = signed_in(app, people.author)
    page = html(client.get("/documents/settings"))
    data = {name: value for name, value in re.findall(r'name="((?:format|regex)_\w+)"[^>]*value="([^"]*)"', page)}
    data.update({"review_interval_months": "18", "allow_same_reviewer_approver": "y", "reason": "Họp ISO"})
    for kind in ("policy", "procedure", "instruction", "form", "internal"):
        data[f"reviewers_{kind}"] = ["quality_officer", "leader"]
        data[f"approvers_{kind}"] = ["leader"]
    response = submit(client, "/documents/settings", data, page="/documents/settings")
    assert response.status_code == 303
    from qms.documents.settings import document_settings

    settings = document_settings(fresh(people.commune))
    assert settings.review_interval_months == 18 and settings.allow_same_reviewer_approver
    assert settings.approvers_for("form") == {"leader"}
    assert settings.code_format("form") == "BM-{nn}-{QT}"  # the formats went through the form unchanged


def test_a_kind_nobody_approves_is_refused_on_the_settings_page(app, people):
    client = signed_in(app, people.author)
    response = submit(client, "/documents/settings", {"review_interval_months": "12"}, page="/documents/settings")
    assert response.status_code == 400
    assert count(Signature) == 0
    from qms.documents.settings import document_settings

    assert document_settings(fresh(people.commune)).approvers_for("form") == {"quality_officer"}
