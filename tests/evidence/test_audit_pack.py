"""An internal audit's evidence pack: the audit's record (checklist with results and notes, findings
with their NCs' states), its evidence files, the signed plan's file with its signatures, its events."""

import json

from qms.audits.labels import RESULT_LABELS
from qms.audits.models import ChecklistResult
from qms.core.exports import vietnamese
from qms.db import db
from qms.evidence import services
from qms.evidence.models import SubjectKind
from qms.evidence.pack import verify_pack
from tests.audits.conftest import (  # noqa: F401  (fixtures)
    approved,
    audit_world,
    catalogue,
    people,
    plan,
    procedure,
    receive,
    start,
    started,
    vn,
)
from tests.evidence.conftest import read_pack
from tests.files.samples import docx_bytes


def test_an_audits_pack_holds_its_checklist_findings_signed_plan_and_events(started, audit_world, tmp_path):
    from qms.audits.services import checklist

    audit = started
    items = list(audit.items)
    checklist.answer_item(audit_world.kiem, items[0], result="conform", notes="Sổ theo dõi đầy đủ")
    checklist.answer_item(audit_world.kiem, items[1], result="minor", notes="Thiếu chữ ký người nhận")
    checklist.attach_evidence(audit_world.kiem, items[0], filename="Biên bản.docx", data=docx_bytes("Biên bản"))
    db.session.commit()

    path = tmp_path / "audit.zip"
    contents, manifest = services.build_to_file(audit_world.auditor, SubjectKind.audit, audit.id, path)
    files = read_pack(path)
    record = json.loads(files["record.json"])
    assert record["code"] == audit.code
    answered = {item["notes"]: item["result"] for item in record["checklist"]}
    assert answered["Sổ theo dõi đầy đủ"] == vietnamese(RESULT_LABELS, ChecklistResult.conform)
    finding = next(f for f in record["findings"] if f["description"] == "Thiếu chữ ký người nhận")
    assert finding["nc"].startswith("SKPH-") and finding["nc_status"]
    plan_files = [name for name in files if name.startswith("records/plan-")]
    assert plan_files and all(files[name][:2] == b"PK" for name in plan_files)
    assert any(s["state"].startswith("Hợp lệ") for r in record["records"] for s in r["signatures"])
    assert any(name.startswith("attachments/") and name.endswith("Biên bản.docx") for name in files)
    events = files["events.csv"].decode("utf-8-sig")
    assert "audit.started" in events and "audit.question_answered" in events
    assert verify_pack(path).holds


def test_the_api_sends_an_audits_pack(client, started, audit_world):
    from qms.auth.services import create_api_token

    _token, plain = create_api_token(audit_world.auditor, audit_world.auditor, "test")
    db.session.commit()
    response = client.get(f"/api/v1/audits/{started.id}/evidence-pack", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    # the code's Đ is a D in the file's name, not dropped
    assert f"ho-so-bang-chung-D{started.code[1:]}-" in response.headers["Content-Disposition"]
    assert json.loads(read_pack(response.data)["record.json"])["code"] == started.code


def test_an_audit_and_an_nc_are_found_by_what_people_call_them(started, audit_world):
    from qms.audits.services import checklist
    from qms.db import DomainError
    from qms.nonconformities.models import Nonconformity

    checklist.answer_item(audit_world.kiem, started.items[0], result="minor", notes="Thiếu chữ ký người nhận")
    db.session.commit()
    nc = db.session.get(Nonconformity, started.findings[0].nc_id)
    assert services.subject_of(audit_world.auditor, SubjectKind.audit, started.code).id == started.id
    assert services.subject_of(audit_world.auditor, SubjectKind.nonconformity, nc.number).id == nc.id
    for kind, key in ((SubjectKind.audit, "ĐGNB-1999-01"), (SubjectKind.nonconformity, "SKPH-1999-001")):
        try:
            services.subject_of(audit_world.auditor, kind, key)
        except DomainError as refused:
            assert refused.status == 404
        else:
            raise AssertionError(f"{key} was found")
