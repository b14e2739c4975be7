"""Evidence packs through the pages (the button, the background run's progress, the pack's page and
its download), the API (three GET endpoints, 404 for another commune's record) and the commands
(`qms evidence pack` and `qms evidence verify`)."""

import io
import re
import time

import pytest

from qms.auth.services import create_api_token
from qms.cli import main
from qms.db import db
from qms.evidence.models import EvidencePack, PackStatus
from qms.evidence.pack import verify_pack
from tests.conftest import csrf_token, login
from tests.core.support import events, head_seq
from tests.evidence.conftest import read_pack, rewrite_pack


def bearer(user):
    _token, plain = create_api_token(user, user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


# --- pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def in_request(make_app, people):
    """A client of an app whose packs are built in the request's thread (not in a thread), signed in
    as the auditor."""
    app = make_app(QMS_IMPORT_IN_BACKGROUND=False)
    client = app.test_client()
    login(client, people.auditor.username)
    return client


def test_the_auditor_asks_for_a_documents_pack_and_downloads_it(in_request, people, two_issues):
    page = in_request.get(f"/documents/{two_issues.id}").get_data(as_text=True)
    assert "Create an evidence pack" in page or "Tạo hồ sơ bằng chứng" in page
    action = f"/evidence/documents/{two_issues.id}"
    assert f'action="{action}"' in page
    seq = head_seq()
    response = in_request.post(action, data={"csrf_token": csrf_token(in_request, f"/documents/{two_issues.id}")})
    assert response.status_code == 303
    pack = db.session.scalar(db.select(EvidencePack))
    assert response.headers["Location"].endswith(f"/evidence/{pack.id}")
    db.session.refresh(pack)
    assert pack.status is PackStatus.done and pack.done == pack.total > 2
    assert [(e["action"], e["entity_type"], e["entity_id"]) for e in events(after=seq)] == [
        ("evidence_pack.created", "documents", str(two_issues.id))
    ]
    shown = in_request.get(f"/evidence/{pack.id}").get_data(as_text=True)
    assert 'id="download-pack"' in shown and pack.sha256 in shown and "data-progress-url" not in shown
    download = in_request.get(f"/evidence/{pack.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert (
        "attachment" in download.headers["Content-Disposition"] and "QT-07" in download.headers["Content-Disposition"]
    )
    assert verify_pack(io.BytesIO(download.data)).holds


def test_staff_get_no_button_and_are_refused(make_app, people, two_issues):
    client = make_app(QMS_IMPORT_IN_BACKGROUND=False).test_client()
    login(client, people.staff.username)
    page = client.get(f"/documents/{two_issues.id}").get_data(as_text=True)
    assert 'id="evidence-pack"' not in page
    token = csrf_token(client, f"/documents/{two_issues.id}")
    assert client.post(f"/evidence/documents/{two_issues.id}", data={"csrf_token": token}).status_code == 403


def test_another_communes_pack_and_record_are_not_found(in_request, make_app, people, two_issues):
    token = csrf_token(in_request, f"/documents/{two_issues.id}")
    in_request.post(f"/evidence/documents/{two_issues.id}", data={"csrf_token": token})
    pack = db.session.scalar(db.select(EvidencePack))
    other = make_app(QMS_IMPORT_IN_BACKGROUND=False).test_client()
    login(other, people.other_qo.username)
    for url in (f"/evidence/{pack.id}", f"/evidence/{pack.id}/progress", f"/evidence/{pack.id}/download"):
        assert other.get(url).status_code == 404
    token = csrf_token(other, "/")
    assert other.post(f"/evidence/documents/{two_issues.id}", data={"csrf_token": token}).status_code == 404


def test_a_pack_built_in_the_background_shows_its_progress_then_its_download(app, people, two_issues):
    """The default app builds in a thread: the page polls the progress URL until the pack is done."""
    client = app.test_client()
    login(client, people.author.username)
    token = csrf_token(client, f"/documents/{two_issues.id}")
    response = client.post(f"/evidence/documents/{two_issues.id}", data={"csrf_token": token})
    pack_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/evidence/{pack_id}").get_data(as_text=True)
    progress_url = f"/evidence/{pack_id}/progress"
    assert f'data-progress-url="{progress_url}"' in page or 'id="download-pack"' in page
    states = []
    for _ in range(300):
        state = client.get(progress_url).get_json()
        states.append(state)
        if state["finished"]:
            break
        time.sleep(0.05)
    assert state["status"] == "done" and state["progress"] == 1.0 and state["done"] == state["total"]
    assert all(0 <= (s["progress"] or 0) <= 1 for s in states)
    assert 'id="download-pack"' in client.get(f"/evidence/{pack_id}").get_data(as_text=True)


def test_a_pack_that_fails_says_why(in_request, people, two_issues, monkeypatch):
    from qms.evidence import subjects

    def broken(actor, document):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(subjects, "document_contents", broken)
    token = csrf_token(in_request, f"/documents/{two_issues.id}")
    response = in_request.post(f"/evidence/documents/{two_issues.id}", data={"csrf_token": token})
    page = in_request.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="pack-failed"' in page and "the disk is full" in page


def test_the_nc_page_offers_the_pack(in_request, two_issues):
    from qms.nonconformities.models import Nonconformity

    nc = db.session.scalar(db.select(Nonconformity))
    page = in_request.get(f"/nc/{nc.id}").get_data(as_text=True)
    assert f'action="/evidence/nonconformities/{nc.id}"' in page


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_sends_a_documents_pack(client, people, two_issues):
    headers = bearer(people.auditor)
    seq = head_seq()
    response = client.get("/api/v1/documents/QT-07/evidence-pack", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert re.search(r'filename="?ho-so-bang-chung-QT-07-\d{8}-\d{4}\.zip', response.headers["Content-Disposition"])
    files = read_pack(response.data)
    assert "manifest.json" in files and "events.csv" in files
    assert verify_pack(io.BytesIO(response.data)).holds
    assert [e["action"] for e in events(after=seq)] == ["evidence_pack.created"]


def test_the_api_sends_an_ncs_pack_and_404s_another_communes(client, people, two_issues):
    from qms.nonconformities.models import Nonconformity

    nc = db.session.scalar(db.select(Nonconformity))
    assert (
        client.get(f"/api/v1/nonconformities/{nc.id}/evidence-pack", headers=bearer(people.leader)).status_code == 200
    )
    other = bearer(people.other_qo)
    for url in (
        f"/api/v1/nonconformities/{nc.id}/evidence-pack",
        "/api/v1/documents/QT-07/evidence-pack",
        "/api/v1/audits/999999/evidence-pack",
    ):
        response = client.get(url, headers=other)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert client.get(f"/api/v1/nonconformities/{nc.id}/evidence-pack", headers=bearer(people.staff)).status_code == 403


# --- commands -------------------------------------------------------------------------------------------


def test_the_command_packs_and_verifies(app, people, two_issues, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "qt07.zip"
    result = runner.invoke(main, args=["evidence", "pack", "document", "QT-07", "--out", str(out), "--as", "a_auditor"])
    assert result.exit_code == 0, result.output
    assert out.exists() and not (tmp_path / "qt07.zip.part").exists()
    result = runner.invoke(main, args=["evidence", "verify", str(out)])
    assert result.exit_code == 0 and "OK" in result.stdout and "on this installation's chain" in result.stdout
    changed = rewrite_pack(out, tmp_path / "changed.zip", change="index.docx", add="extra.txt")
    result = runner.invoke(main, args=["evidence", "verify", str(changed)])
    assert result.exit_code == 1
    assert (
        "changed / đã bị sửa: index.docx" in result.stderr
        and "extra / không có trong manifest: extra.txt" in result.stderr
    )


def test_the_command_names_what_it_refuses(app, people, two_issues, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "x.zip"
    result = runner.invoke(main, args=["evidence", "pack", "document", "QT-99", "--out", str(out), "--as", "a_auditor"])
    assert result.exit_code == 1 and "Error:" in result.stderr and not out.exists()
    result = runner.invoke(main, args=["evidence", "pack", "document", "QT-07", "--out", str(out), "--as", "a_staff"])
    assert result.exit_code == 1 and not out.exists()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"junk")
    result = runner.invoke(main, args=["evidence", "verify", str(junk)])
    assert result.exit_code == 1 and "not a zip file" in result.stderr


def test_verify_needs_no_installation(app, people, two_issues, tmp_path):
    """An auditor checks a pack on a computer where no installation is configured: the files only."""
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from qms.config import ConfigError
    from qms.evidence.models import SubjectKind
    from qms.evidence.services import build_to_file

    out = tmp_path / "qt07.zip"
    build_to_file(people.auditor, SubjectKind.document, "QT-07", out)

    def no_installation():
        raise ConfigError("No secret key is configured.")

    runner = CliRunner()
    result = runner.invoke(main, ["evidence", "verify", str(out)], obj=ScriptInfo(create_app=no_installation))
    assert result.exit_code == 0 and "OK" in result.stdout and "not checked" in result.stdout
    assert "secret key" not in result.stderr
    changed = rewrite_pack(out, tmp_path / "changed.zip", drop="record.json")
    result = runner.invoke(main, ["evidence", "verify", str(changed)], obj=ScriptInfo(create_app=no_installation))
    assert result.exit_code == 1 and "missing / bị thiếu: record.json" in result.stderr
