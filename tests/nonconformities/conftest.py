"""Fixtures of the nonconformity tests: a commune with a quality officer, a leader, two staff, an
auditor (and another commune); a factory of NCs; `walk_nc` takes an NC through its steps with the
services, as far as asked, committing."""

import datetime as dt
import itertools

import pytest

from qms.core.calendar import local_today
from qms.db import db
from tests.conftest import PASSWORD

_n = itertools.count(1)


class People(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def people(world, make_user):
    a, b = world["a"], world["b"]
    staff2 = make_user("staff", commune=a["commune"], username="a_staff2", full_name="Lê Văn Hai", units=[a["unit"]])
    qo2 = make_user(
        "quality_officer", commune=a["commune"], username="a_qo2", full_name="Trần Thị Ba", units=[a["unit"]]
    )
    return People(
        commune=a["commune"],
        unit=a["unit"],
        qo=a["users"]["quality_officer"],
        qo2=qo2,
        leader=a["users"]["leader"],
        staff=a["users"]["staff"],
        staff2=staff2,
        auditor=a["users"]["auditor"],
        admin=a["users"]["administrator"],
        other_commune=b["commune"],
        other_qo=b["users"]["quality_officer"],
        other_staff=b["users"]["staff"],
    )


@pytest.fixture
def make_nc(people):
    """report_nc with sensible defaults (a minor NC reported by staff), committed."""
    from qms.nonconformities import services

    def factory(actor=None, commit=True, **kw):
        n = next(_n)
        values = {"title": f"Hồ sơ số {n} trả kết quả muộn", "description": "Trả muộn 2 ngày làm việc"}
        values.update(kw)
        nc = services.report_nc(actor or people.staff, people.commune, **values)
        if commit:
            db.session.commit()
        return nc

    return factory


@pytest.fixture
def make_procedure(people):
    """A procedure registered in document control (no version yet), committed."""
    from qms.documents import services

    def factory(code=None, title="Quy trình đăng ký khai sinh"):
        document = services.create_document(
            people.qo, people.commune, code=code or f"QT-{next(_n) % 100:02d}", title=title, kind="procedure"
        )
        db.session.commit()
        return document

    return factory


@pytest.fixture
def effective_procedure(people, make_procedure):
    """A procedure whose issue 01 is in force (drafted by the QO, reviewed by the leader, approved by
    the second QO): a document an action item can revise."""
    from qms.documents import services
    from tests.files.samples import docx_bytes

    document = make_procedure()
    version = services.create_draft_version(people.qo, document, filename="QT.docx", data=docx_bytes("Quy trình"))
    services.submit_for_review(people.qo, version)
    services.review_version(people.leader, version, password=PASSWORD)
    services.approve_version(people.qo2, version, password=PASSWORD)
    db.session.commit()
    return document


STEPS = ("correction", "decided", "analysed", "accepted", "actions", "done", "reviewed", "closed")


def walk_nc(nc, people, *, to="closed", document=None):
    """Take an NC through its steps with the services: the correction (done, by staff), a corrective
    action needed, two whys and a root cause (people), the analysis accepted (QO), two items (staff and
    staff2; with `document`, the second revises it), both done, an effective review by the leader
    (who owns no item), closed. Stops after the step `to` (see STEPS)."""
    from qms.nonconformities import services

    def stop(step):
        db.session.commit()
        return step == to

    services.record_correction(
        people.qo, nc, what="Gọi điện xin lỗi công dân, trả kết quả ngay", by=people.staff, done=True
    )
    if stop("correction"):
        return nc
    services.decide_action_needed(people.qo, nc, needed=True)
    if stop("decided"):
        return nc
    services.add_why(people.qo, nc, question="Vì sao trả muộn?", answer="Hồ sơ chuyển sang bộ phận chuyên môn chậm")
    services.add_why(people.qo, nc, question="Vì sao chuyển chậm?", answer="Không có ai theo dõi hạn xử lý")
    services.add_cause(
        people.qo, nc, category="method", description="Quy trình không nêu người theo dõi hạn", is_root=True
    )
    services.add_cause(people.qo, nc, category="people", description="Cán bộ mới chưa được hướng dẫn")
    if stop("analysed"):
        return nc
    services.accept_analysis(people.qo, nc, password=PASSWORD)
    if stop("accepted"):
        return nc
    due = local_today() + dt.timedelta(days=14)
    first = services.add_action(people.qo, nc, what="Phân công người theo dõi hạn", owner=people.staff, due_on=due)
    second = services.add_action(
        people.qo, nc, what="Sửa quy trình: thêm bước theo dõi hạn", owner=people.staff2, due_on=due, document=document
    )
    if stop("actions"):
        return nc
    services.complete_action(people.staff, first, result="Đã phân công")
    services.complete_action(people.staff2, second, result="Đã sửa")
    if stop("done"):
        return nc
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    services.record_review(people.leader, review, result="effective", notes="Không còn hồ sơ trễ")
    if stop("reviewed"):
        return nc
    services.close_nc(people.qo, nc, password=PASSWORD, risks_need_update=False, documents_need_update=False)
    stop("closed")
    return nc
