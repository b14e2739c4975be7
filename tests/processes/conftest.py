"""Fixtures of the procedures' pages, public catalogue and API: a commune (the nonconformity tests'
`people`: a quality officer, a second one, a leader, staff, an auditor, and another commune) whose
procedures are created as a quality officer creates them, by importing process maps over documents
in force."""

import pytest

from qms.db import db
from qms.documents import services as documents
from qms.processes import services
from tests.conftest import PASSWORD
from tests.files.samples import docx_bytes
from tests.nonconformities.conftest import People, people  # noqa: F401  (the commune's people, a fixture)

BIRTH = """\
procedure:
  code: "1.001193"
  name: Đăng ký khai sinh
  field: Hộ tịch
  time_limit: {working_days: 0, cutoff: "15:00"}
  fee: Miễn lệ phí nếu đăng ký đúng hạn
  online: partly
  process_document: QT-07
  legal_bases: [L-60-2014-QH13]
  forms: [BM-01-QT-07, BM-02-QT-07, BM-03-QT-07]
  requirements:
    - Tờ khai đăng ký khai sinh theo mẫu
    - Giấy chứng sinh
roles:
  one_stop: Công chức Bộ phận Một cửa
  civil_status: Công chức Tư pháp - Hộ tịch
  leader: Chủ tịch/Phó Chủ tịch UBND xã
steps:
  - id: receive
    name: Tiếp nhận, kiểm tra hồ sơ
    role: one_stop
    allowance: {hours: 1}
    produces: BM-01-QT-06
  - id: appraise
    name: Thẩm định hồ sơ, dự thảo Giấy khai sinh
    role: civil_status
    allowance: {hours: 4}
  - id: sign
    name: Ký Giấy khai sinh
    role: leader
    allowance: {hours: 2}
  - id: return
    name: Trả kết quả
    role: one_stop
    allowance: {hours: 1}
branches:
  supplement: {from: receive, produces: BM-01-QT-06}
  refused: {from: appraise}
"""

SIGNATURE = """\
procedure:
  code: "2.000884"
  name: Chứng thực chữ ký
  field: Chứng thực
  time_limit: {working_days: 2}
  fee: 10.000 đồng/trường hợp
  online: none
  process_document: QT-10
roles:
  one_stop: Công chức Bộ phận Một cửa
  leader: Chủ tịch/Phó Chủ tịch UBND xã
steps:
  - id: receive
    name: Tiếp nhận, kiểm tra giấy tờ
    role: one_stop
    allowance: {hours: 2}
  - id: sign
    name: Ký chứng thực
    role: leader
    allowance: {days: 1}
"""


def make_effective(people, document, text=None):
    """Issue 01 of `document` in force: drafted by the QO, reviewed by the leader, approved by the
    second QO."""
    version = documents.create_draft_version(
        people.qo, document, filename=f"{document.code}.docx", data=docx_bytes(text or f"Nội dung {document.code}")
    )
    documents.submit_for_review(people.qo, version)
    documents.review_version(people.leader, version, password=PASSWORD)
    documents.approve_version(people.qo2, version, password=PASSWORD)
    return version


@pytest.fixture
def catalogue(people):  # noqa: F811
    """Commune A's procedures 1.001193 (birth registration, Hộ tịch, on QT-07) and 2.000884 (signature
    certification, Chứng thực, on QT-10), imported from their maps over documents in force:
      * BM-01-QT-07, a public form in force; BM-02-QT-07, an internal form in force; BM-03-QT-07, a
        public form with a draft only; BM-01-QT-06, a one-stop form the steps produce;
      * L-60-2014-QH13, the legal basis (a document of external origin).
    People(**people, documents={code: Document}), committed."""

    def document(code, kind, parent=None, access="internal", title=None, **external):
        return documents.create_document(
            people.qo,
            people.commune,
            code=code,
            title=title or f"Tài liệu {code}",
            kind=kind,
            parent=made.get(parent),
            access=access,
            **external,
        )

    made = {}
    made["L-60-2014-QH13"] = document(
        "L-60-2014-QH13",
        "external",
        title="Luật Hộ tịch 2014",
        issuer="Quốc hội",
        number="60/2014/QH13",
        legal_status="in_force",
    )
    for code in ("QT-06", "QT-07", "QT-10"):
        made[code] = document(code, "procedure", title=f"Quy trình {code}")
        make_effective(people, made[code])
    for code, access in (("BM-01-QT-07", "public"), ("BM-02-QT-07", "internal"), ("BM-01-QT-06", "internal")):
        made[code] = document(code, "form", parent=code[-5:], access=access, title=f"Mẫu {code}")
        make_effective(people, made[code])
    made["BM-03-QT-07"] = document("BM-03-QT-07", "form", parent="QT-07", access="public", title="Mẫu BM-03-QT-07")
    documents.create_draft_version(
        people.qo, made["BM-03-QT-07"], filename="BM-03-QT-07.docx", data=docx_bytes("Bản dự thảo")
    )
    services.import_maps(
        people.qo,
        people.commune,
        [("1.001193-dang-ky-khai-sinh.yaml", BIRTH), ("2.000884-chung-thuc-chu-ky.yaml", SIGNATURE)],
    )
    db.session.commit()
    return People(**people, documents=made)


def changed_birth_map(people):
    """Import a changed birth map (a step takes less time): a new draft of QT-07 awaits approval.
    Returns that draft version, committed."""
    (outcome,) = services.import_maps(
        people.qo,
        people.commune,
        [("1.001193-dang-ky-khai-sinh.yaml", BIRTH.replace("{hours: 4}", "{hours: 3}"))],
    )
    db.session.commit()
    return outcome.document_version


def approve(people, version):
    documents.submit_for_review(people.qo, version)
    documents.review_version(people.leader, version, password=PASSWORD)
    documents.approve_version(people.qo2, version, password=PASSWORD)
    db.session.commit()
