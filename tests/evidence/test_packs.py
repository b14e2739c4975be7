"""Evidence packs built with the services: what a document's pack holds, its manifest against its
files, and checking a pack (offline: changed, missing and extra files; against the installation's
chain)."""

import hashlib
import json

import pytest

from qms.audit.models import AuditChainHead, AuditEvent
from qms.db import DomainError, db
from qms.evidence import services
from qms.evidence.models import SubjectKind
from qms.evidence.pack import PackUnreadable, head_on_chain, verify_pack
from tests.evidence.conftest import read_pack, rewrite_pack

REVIEWED, APPROVED = "Đã xem xét", "Đã phê duyệt"


@pytest.fixture
def pack(people, two_issues, tmp_path):
    path = tmp_path / "pack.zip"
    contents, manifest = services.build_to_file(people.auditor, SubjectKind.document, "QT-07", path)
    return path, manifest


def test_the_manifest_names_every_file_with_its_sha256_and_size(pack):
    path, manifest = pack
    files = read_pack(path)
    assert set(files) == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    for entry in manifest["files"]:
        data = files[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    written = json.loads(files["manifest.json"])
    assert written["files"] == manifest["files"]
    assert written["subject"] == {"kind": "document", "key": "QT-07", "name": "QT-07 – Quy trình chứng thực"}
    assert written["generated_by"]["name"] == "A auditor"


def test_the_manifest_names_the_chain_head_and_the_last_checkpoint(app, people, pack):
    path, manifest = pack
    head = db.session.scalar(db.select(AuditChainHead))
    assert manifest["chain_head"] == {"seq": head.seq, "hash": head.hash}
    assert manifest["last_checkpoint"] is None  # none signed yet in this installation
    from qms.audit.checkpoints import sign_checkpoint

    sign_checkpoint(app.instance_path)
    db.session.commit()
    again = services.build_to_file(people.auditor, SubjectKind.document, "QT-07", path)[1]
    assert again["last_checkpoint"]["seq"] == head.seq and again["last_checkpoint"]["signature"]


def test_a_document_pack_holds_every_versions_original_and_controlled_copy(pack, two_issues):
    path, manifest = pack
    files = read_pack(path)
    for version in two_issues.versions:
        folder = f"versions/{version.issue_label}"
        name = version.primary_file.filename
        original = files[f"{folder}/original/{name}"]
        assert hashlib.sha256(original).hexdigest() == version.primary_file.sha256
        stamped = files[f"{folder}/controlled-copy/{name}"]
        assert stamped != original
        label = "BẢN KIỂM SOÁT" if version.status.value == "effective" else "HẾT HIỆU LỰC"
        assert label in _docx_text(stamped)
    record = json.loads(files["record.json"])
    assert [v["issue"] for v in record["versions"]] == [1, 2]
    meanings = [[s["meaning"] for s in v["signatures"]] for v in record["versions"]]
    assert meanings == [[REVIEWED, APPROVED], [REVIEWED, APPROVED]]
    assert all(s["state"].startswith("Hợp lệ") for v in record["versions"] for s in v["signatures"])
    assert [n["title"] for n in record["nonconformities"]] == ["Sai biểu mẫu"]
    assert any(name.startswith("nonconformities/") for name in files)
    assert "index.docx" in files and "QT-07" in _docx_text(files["index.docx"])


def test_the_events_csv_holds_the_documents_and_versions_events(pack, two_issues):
    path, manifest = pack
    rows = read_pack(path)["events.csv"].decode("utf-8-sig").splitlines()
    assert rows[0].startswith("seq,time_vn,user,action")
    actions = [row.split(",")[3] for row in rows[1:]]
    assert "document.created" in actions and "document.version.approved" in actions and "nc.reported" in actions
    seqs = [int(row.split(",")[0]) for row in rows[1:]]
    assert seqs == sorted(seqs) and seqs[-1] <= manifest["chain_head"]["seq"]
    expected = db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "document_versions")
    )
    assert sum(1 for row in rows[1:] if row.split(",")[4] == "document_versions") == expected


def test_verify_passes_on_a_fresh_pack(pack):
    check = verify_pack(pack[0])
    assert check.holds and not (check.changed or check.missing or check.extra)


def test_verify_catches_a_changed_a_missing_and_an_extra_file(pack, tmp_path):
    path, manifest = pack
    changed = rewrite_pack(path, tmp_path / "changed.zip", change="record.json")
    assert verify_pack(changed).changed == ["record.json"] and not verify_pack(changed).holds
    missing = rewrite_pack(path, tmp_path / "missing.zip", drop="events.csv")
    assert verify_pack(missing).missing == ["events.csv"]
    extra = rewrite_pack(path, tmp_path / "extra.zip", add="versions/01/note.txt")
    assert verify_pack(extra).extra == ["versions/01/note.txt"]


def test_verify_refuses_what_is_no_pack(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(PackUnreadable):
        verify_pack(junk)


def test_the_head_is_checked_against_the_installations_chain(pack):
    path, manifest = pack
    assert head_on_chain(verify_pack(path)).head_on_chain is True
    check = verify_pack(path)
    check.manifest = {**check.manifest, "chain_head": {"seq": manifest["chain_head"]["seq"], "hash": "0" * 64}}
    assert head_on_chain(check).head_on_chain is False and not check.holds
    check.manifest = {**check.manifest, "chain_head": {"seq": 10**9, "hash": manifest["chain_head"]["hash"]}}
    assert head_on_chain(check).head_on_chain is False


def test_another_communes_record_is_not_found(people, two_issues, tmp_path):
    with pytest.raises(DomainError) as refused:
        services.build_to_file(people.other_qo, SubjectKind.document, "QT-07", tmp_path / "x.zip")
    assert refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        services.build_to_file(people.staff, SubjectKind.document, "QT-07", tmp_path / "x.zip")
    assert refused.value.status == 403


def test_an_nc_pack_holds_its_record_report_and_evidence(people, two_issues, tmp_path):
    from qms.nonconformities.models import Nonconformity
    from qms.nonconformities.services import attach_evidence
    from tests.files.samples import docx_bytes

    nc = db.session.scalar(db.select(Nonconformity))
    attach_evidence(people.staff, nc, filename="Ảnh chụp.docx", data=docx_bytes("Bằng chứng"))
    db.session.commit()
    contents, manifest = services.build_to_file(people.auditor, SubjectKind.nonconformity, nc.id, tmp_path / "nc.zip")
    files = read_pack(tmp_path / "nc.zip")
    assert json.loads(files["record.json"])["so_phieu"] == nc.number
    assert f"{nc.number}.docx" in files
    assert any(name.startswith("attachments/") and name.endswith("Ảnh chụp.docx") for name in files)
    assert verify_pack(tmp_path / "nc.zip").holds


def _docx_text(data):
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        for table in section.header.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
