"""A stored file that no longer matches its SHA-256 (edited or damaged on the disk) or that has gone
missing: its version page shows the file as damaged and its signatures as not matching, every
download is refused with a message a person understands (never a 500), the damage is recorded in
the audit trail once, and the administrator's home page lists it until a good copy is back."""

import sqlalchemy as sa

from qms.audit.models import AuditEvent
from qms.db import db
from qms.files.storage import path_for
from tests.core.support import post
from tests.documents.views_support import html, signed_in
from tests.files.samples import docx_bytes


def _damage(version, how="edit"):
    path = path_for(version.primary_file.sha256)
    if how == "edit":
        path.write_bytes(path.read_bytes() + b"tampered")
    else:
        path.unlink()


def _events(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_a_damaged_file_is_shown_refused_recorded_and_listed(app, world, people, effective_version):
    _damage(effective_version)
    version_id = effective_version.id

    page = html(signed_in(app, people.auditor).get(f"/documents/versions/{version_id}"))
    assert 'id="file-damaged"' in page and "no longer matches its SHA-256" in page
    assert page.count("signature-mismatch") == 2 and "signature-valid" not in page
    assert 'id="download-copy"' not in page and 'id="download-original"' not in page

    staff = signed_in(app, people.staff)
    response = staff.get(f"/documents/versions/{version_id}/download")
    assert response.status_code == 409
    assert "The stored file is missing or damaged" in html(response)
    assert staff.get(f"/documents/{effective_version.document_id}/current/download").status_code == 409
    assert signed_in(app, people.auditor).get(f"/documents/versions/{version_id}/original").status_code == 409
    [damaged] = _events("file.damaged")  # recorded once, however often it is asked for
    assert damaged.commune_id == people.commune.id and damaged.actor_id == people.staff.id
    assert _events("document.version.downloaded") == []

    home = html(signed_in(app, people.admin).get("/"))
    section = home[home.index('id="section-admin-damaged-files"') :]
    assert f"/documents/versions/{version_id}" in section and "Quy trình.docx" in section
    other = html(signed_in(app, world["b"]["users"]["administrator"]).get("/"))
    assert f"/documents/versions/{version_id}" not in other and 'id="section-admin-damaged-files"' in other


def test_the_api_answers_409_with_a_reason(app, people, effective_version):
    from qms.auth.services import create_api_token

    _token, plain = create_api_token(people.staff, people.staff, "test")
    db.session.commit()
    _damage(effective_version, how="delete")
    response = app.test_client().get(
        f"/api/v1/documents/{effective_version.document.code}/current/download",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 409 and response.get_json()["error"] == "file_damaged"
    [damaged] = _events("file.damaged")
    assert '"state":[null,"missing"]' in damaged.changes


def test_a_good_copy_brought_back_is_served_again(app, people, effective_version):
    original = path_for(effective_version.primary_file.sha256).read_bytes()
    _damage(effective_version)
    staff = signed_in(app, people.staff)
    assert staff.get(f"/documents/versions/{effective_version.id}/download").status_code == 409
    path_for(effective_version.primary_file.sha256).write_bytes(original)  # restored from the backup
    assert staff.get(f"/documents/versions/{effective_version.id}/download").status_code == 200
    assert [e.action for e in _events("file.repaired")] == ["file.repaired"]
    home = html(signed_in(app, people.admin).get("/"))
    section = home[home.index('id="section-admin-damaged-files"') :]
    assert f"/documents/versions/{effective_version.id}" not in section.split("</section>")[0]


def test_a_damaged_file_is_never_signed(app, people, effective_version):
    from qms.documents import services

    document = effective_version.document
    draft = services.create_draft_version(
        people.author, document, filename="QT2.docx", data=docx_bytes("Lần 2"), change_summary="Sửa"
    )
    services.submit_for_review(people.author, draft)
    db.session.commit()
    _damage(draft)
    response = post(
        signed_in(app, people.leader),
        f"/documents/versions/{draft.id}/review",
        {"password": "Correct-Horse-Battery-42", "row_version": str(draft.row_version)},
        page=f"/documents/versions/{draft.id}",
    )
    assert response.status_code == 409 and "missing or damaged" in html(response)
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).reviewed_by_id is None
    assert len(_events("file.damaged")) == 1
