"""The NC pages through the test client: the register (filters, counts, pages), reporting, editing,
the NC page and each step form (allowed, refused with its message on the page and nothing written),
the auditor reading everything and changing nothing, another commune's NC not found, settings."""

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.core.calendar import local_today
from qms.db import db
from qms.nonconformities import services
from qms.nonconformities.models import NcStatus, Nonconformity
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.documents.views_support import html, ids, signed_in, submit
from tests.files.samples import docx_bytes
from tests.nonconformities.conftest import walk_nc


@pytest.fixture
def client_class():
    """Requests run in contexts of their own, as in production (see IsolatedClient): the test's
    session reads what they committed after expire_all()."""
    return IsolatedClient


def event_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def step(client, nc, path, data=None, files=None):
    """POST a step form of the NC page with the row_version the page shows."""
    page = f"/nc/{nc.id}"
    db.session.expire_all()
    payload = {"row_version": str(db.session.get(Nonconformity, nc.id).row_version), **(data or {})}
    return submit(client, f"/nc/{nc.id}/{path}", payload, page=page, files=files)


def refused(client, nc, path, data, status, message):
    """The step is refused with `status`, its message on the re-rendered page, nothing written."""
    db.session.expire_all()
    before, version = event_count(), db.session.get(Nonconformity, nc.id).row_version
    response = step(client, nc, path, data)
    assert response.status_code == status, html(response)[:2000]
    assert message in html(response)
    db.session.expire_all()
    assert event_count() == before
    assert db.session.get(Nonconformity, nc.id).row_version == version
    return response


# --- the register --------------------------------------------------------------------------------


def test_register_lists_filters_and_counts_per_status(app, people, make_nc):
    minor = make_nc(title="Hồ sơ trả muộn")
    major = make_nc(title="Sai mẫu tờ khai", severity="major", source="internal_audit")
    walk_nc(make_nc(title="Đã xử lý xong"), people, to="closed")
    services.report_nc(people.other_staff, people.other_commune, title="Của xã khác")
    db.session.commit()
    client = signed_in(app, people.staff)
    page = html(client.get("/nc/"))
    assert "Hồ sơ trả muộn" in page and "Sai mẫu tờ khai" in page and "Của xã khác" not in page
    assert re.search(r'id="count-new"[^>]*>New <span[^>]*>2<', page)
    assert re.search(r'id="count-closed"[^>]*>Closed <span[^>]*>1<', page)
    assert "report-nc" in ids(page)
    filtered = html(client.get("/nc/?severity=major"))
    assert major.number in filtered and minor.number not in filtered
    # the counts follow the other filters: one major NC, new
    assert re.search(r'id="count-new"[^>]*>New <span[^>]*>1<', filtered)
    closed = html(client.get("/nc/?status=closed"))
    assert "Đã xử lý xong" in closed and minor.number not in closed
    assert client.get("/nc/?status=nonsense").status_code == 400
    assert client.get("/nc/?detected_from=31/12/2026&detected_to=01/01/2026").status_code == 400


def test_register_overdue_and_period(app, people, make_nc):
    late = make_nc(title="Sửa chậm")
    services.record_correction(
        people.qo, late, what="Gọi lại", by=people.staff, due_on=local_today() - dt.timedelta(days=1)
    )
    on_time = make_nc(title="Đúng hạn")
    db.session.commit()
    client = signed_in(app, people.staff)
    overdue = html(client.get("/nc/?overdue=1"))
    assert late.number in overdue and on_time.number not in overdue
    today = local_today().strftime("%d/%m/%Y")
    assert on_time.number in html(client.get(f"/nc/?detected_from={today}&detected_to={today}"))
    before = (local_today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert on_time.number not in html(client.get(f"/nc/?detected_to={before}"))


def test_register_is_paginated_by_fifty(app, people, make_nc):
    for n in range(52):
        make_nc(title=f"NC số {n}", commit=False)
    db.session.commit()
    client = signed_in(app, people.staff)
    first = html(client.get("/nc/"))
    assert first.count('<tr id="nc-') == 50 and "52 nonconformities" in first
    second = html(client.get("/nc/?page=2"))
    assert second.count('<tr id="nc-') == 2
    assert client.get("/nc/?page=x").status_code == 400


def test_register_asks_one_query_whatever_the_page_holds(app, people, make_nc):
    from tests.core.support import statements

    for n in range(20):
        make_nc(title=f"NC {n}", unit=people.unit, commit=False)
    db.session.commit()
    client = signed_in(app, people.staff)
    client.get("/nc/")
    with statements() as seen:
        assert client.get("/nc/").status_code == 200
    on_ncs = [s for s, _p, _c in seen if "FROM nonconformities" in s]
    assert len(on_ncs) == 3, on_ncs  # the page, its total, the counts per status (one GROUP BY)


# --- reporting and editing -----------------------------------------------------------------------


def test_staff_reports_an_nc_with_evidence(app, people, make_procedure):
    procedure = make_procedure()
    client = signed_in(app, people.staff)
    response = submit(
        client,
        "/nc/new",
        {
            "title": "Thiếu bước ký nháy",
            "description": "Hồ sơ ký thiếu",
            "source": "staff_report",
            "severity": "minor",
            "clause": "8.5.1",
            "unit": str(people.unit.id),
            "procedure": str(procedure.id),
            "document": "0",
            "process_step": "Bước 3",
            "dossier_code": "000.00.00.H01-260101-0001",
            "detected_on": local_today().strftime("%d/%m/%Y"),
        },
        page="/nc/new",
        files={"evidence": (docx_bytes("Biên bản"), "bien-ban.docx")},
    )
    assert response.status_code == 303, html(response)[:2000]
    nc = db.session.scalars(select(Nonconformity)).one()
    assert nc.title == "Thiếu bước ký nháy" and nc.procedure_id == procedure.id and nc.clause == "8.5.1"
    assert [a.filename for a in nc.attachments] == ["bien-ban.docx"]
    page = html(client.get(response.headers["Location"]))
    assert "Thiếu bước ký nháy" in page and "bien-ban.docx" in page and procedure.code in page
    download = client.get(f"/nc/{nc.id}/evidence/{nc.attachments[0].id}")
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == nc.attachments[0].sha256


NONE = {"unit": "0", "procedure": "0", "document": "0"}


def test_a_report_refused_shows_why_and_writes_nothing(app, people):
    client = signed_in(app, people.staff)
    before = event_count()
    response = submit(
        client,
        "/nc/new",
        {"title": "X", "source": "staff_report", "severity": "minor", "clause": "12.1", **NONE},
        "/nc/new",
    )
    assert response.status_code == 400 and "clauses 4 to 10" in html(response)
    response = submit(
        client, "/nc/new", {"title": "", "source": "staff_report", "severity": "minor", **NONE}, "/nc/new"
    )
    assert response.status_code == 400 and "Enter the title." in html(response)
    assert event_count() == before and db.session.scalar(select(func.count(Nonconformity.id))) == 0


def test_edit_the_details(app, people, make_nc):
    nc = make_nc()
    client = signed_in(app, people.qo)
    assert client.get(f"/nc/{nc.id}/edit").status_code == 200
    response = submit(
        client,
        f"/nc/{nc.id}/edit",
        {
            "title": "Tiêu đề mới",
            "severity": "major",
            "unit": "0",
            "procedure": "0",
            "document": "0",
            "row_version": str(nc.row_version),
        },
        page=f"/nc/{nc.id}/edit",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nonconformity, nc.id).title == "Tiêu đề mới"
    # staff who do not handle it are sent back with the reason
    staff = signed_in(app, people.staff2)
    assert staff.get(f"/nc/{nc.id}/edit").status_code == 303


# --- the NC page and its steps -------------------------------------------------------------------


def test_the_whole_way_through_the_page(app, people, make_nc):
    nc = make_nc()
    qo = signed_in(app, people.qo)
    page = html(qo.get(f"/nc/{nc.id}"))
    assert "Record the immediate correction" in page and "correction-form" in ids(page)
    assert step(qo, nc, "correction", {"what": "Trả ngay", "by": str(people.staff.id), "done": "y"}).status_code == 303
    assert step(qo, nc, "disposition", {"disposition": "corrected"}).status_code == 303
    assert step(qo, nc, "action-needed", {"needed": "yes"}).status_code == 303
    assert step(qo, nc, "whys", {"question": "Vì sao?", "answer": "Không ai theo dõi"}).status_code == 303
    assert (
        step(qo, nc, "causes", {"category": "method", "description": "Thiếu bước", "is_root": "y"}).status_code == 303
    )
    assert step(qo, nc, "accept-analysis", {"password": PASSWORD}).status_code == 303
    due = (local_today() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    response = step(
        qo, nc, "actions", {"what": "Phân công", "owner": str(people.staff.id), "due_on": due, "document": "0"}
    )
    assert response.status_code == 303
    item = db.session.get(Nonconformity, nc.id).actions[0]
    staff = signed_in(app, people.staff)
    assert f"complete-{item.id}-form" in ids(html(staff.get(f"/nc/{nc.id}")))
    assert step(staff, nc, f"actions/{item.id}/complete", {"result": "Đã phân công"}).status_code == 303
    today = local_today().strftime("%d/%m/%Y")
    assert step(qo, nc, "review", {"planned_on": today, "reviewer": str(people.leader.id)}).status_code == 303
    review = db.session.get(Nonconformity, nc.id).reviews[0]
    leader = signed_in(app, people.leader)
    assert step(leader, nc, f"reviews/{review.id}", {"result": "effective", "notes": "Tốt"}).status_code == 303
    response = step(qo, nc, "close", {"password": PASSWORD, "risks": "no", "documents_need": "no"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nonconformity, nc.id).status is NcStatus.closed
    page = html(qo.get(f"/nc/{nc.id}"))
    assert "Closed" in page and "Nonconformity closed" in page and "Root-cause analysis accepted" in page
    assert "reopen-form" in ids(page) and "close-form" not in ids(page)
    assert "timeline" in ids(page) and page.count('id="event-') >= 10


def test_each_gate_refused_with_its_message_on_the_page(app, people, make_nc):
    nc = make_nc()
    qo = signed_in(app, people.qo)
    # closing before the correction
    refused(qo, nc, "close", {"password": PASSWORD, "risks": "no", "documents_need": "no"}, 409, "cannot be closed yet")
    # no reason when no action is needed
    refused(qo, nc, "action-needed", {"needed": "no", "reason": ""}, 400, "Say why no corrective action is needed.")
    # accepting the analysis without a root cause
    walk_nc(nc, people, to="decided")
    refused(qo, nc, "accept-analysis", {"password": PASSWORD}, 409, "a cause on the fishbone marked as the root cause")
    # an action item before the analysis is accepted
    due = (local_today() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    refused(
        qo,
        nc,
        "actions",
        {"what": "X", "owner": str(people.staff.id), "due_on": due, "document": "0"},
        409,
        "No action plan before the root cause",
    )
    # a wrong password: the signature is refused (the attempt is recorded, nothing else)
    walk_nc_from = db.session.get(Nonconformity, nc.id)
    services.add_why(people.qo, walk_nc_from, answer="Không ai theo dõi")
    services.add_cause(people.qo, walk_nc_from, category="method", description="Thiếu bước", is_root=True)
    db.session.commit()
    response = step(qo, nc, "accept-analysis", {"password": "wrong-password"})
    assert response.status_code == 403 and "The password is wrong; nothing was signed." in html(response)
    db.session.expire_all()
    assert db.session.get(Nonconformity, nc.id).current_round.analysis_accepted_at is None
    # a bad date under its field
    refused(qo, nc, "review", {"planned_on": "31/02/2026", "reviewer": str(people.leader.id)}, 400, "dd/mm/yyyy")


def test_the_reviewer_must_not_own_an_item_and_a_stale_page_conflicts(app, people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    qo = signed_in(app, people.qo)
    today = local_today().strftime("%d/%m/%Y")
    refused(qo, nc, "review", {"planned_on": today, "reviewer": str(people.staff.id)}, 409, "owns an action item")
    before = event_count()
    stale = submit(
        qo,
        f"/nc/{nc.id}/review",
        {"planned_on": today, "reviewer": str(people.leader.id), "row_version": "1"},
        page=f"/nc/{nc.id}",
    )
    assert stale.status_code == 409 and "Someone else changed this nonconformity" in html(stale)
    assert event_count() == before


def test_whys_and_causes_are_edited_and_removed(app, people, make_nc):
    nc = walk_nc(make_nc(), people, to="analysed")
    qo = signed_in(app, people.qo)
    current = nc.current_round
    why, cause = current.whys[-1], current.causes[0]
    cause_id = cause.id
    page = html(qo.get(f"/nc/{nc.id}"))
    assert f"why-{why.id}-form" in ids(page) and f"cause-{cause.id}-form" in ids(page)
    assert step(qo, nc, f"whys/{why.id}", {"question": "Vì sao?", "answer": "Câu trả lời mới"}).status_code == 303
    refused(qo, nc, f"whys/{why.id}", {"question": "Vì sao?", "answer": ""}, 400, "Write the answer to this why.")
    assert step(qo, nc, f"whys/{why.id}/remove").status_code == 303
    first = db.session.get(Nonconformity, nc.id).current_round.whys[0]
    assert (
        step(
            qo, nc, f"causes/{cause.id}", {"category": "people", "description": "Nguyên nhân", "is_root": "y"}
        ).status_code
        == 303
    )
    assert step(qo, nc, f"causes/{cause.id}/remove").status_code == 303
    db.session.expire_all()
    current = db.session.get(Nonconformity, nc.id).current_round
    assert [w.id for w in current.whys] == [first.id] and cause_id not in [c.id for c in current.causes]


def test_links_handler_evidence_reopen_and_cancel(app, people, make_nc):
    nc, other = make_nc(), make_nc(title="Tương tự")
    qo = signed_in(app, people.qo)
    assert step(qo, nc, "links", {"number": other.number}).status_code == 303
    assert nc.number in html(qo.get(f"/nc/{other.id}"))  # shown both ways
    refused(qo, nc, "links", {"number": "SKPH-1999-999"}, 400, "No nonconformity of this commune has that number.")
    assert step(qo, nc, f"links/{other.id}/remove").status_code == 303
    assert step(qo, nc, "handler", {"handler": str(people.staff2.id)}).status_code == 303
    staff2 = signed_in(app, people.staff2)
    assert "correction-form" in ids(html(staff2.get(f"/nc/{nc.id}")))
    files = {"files": (docx_bytes("Ảnh"), "anh.docx")}
    assert step(staff2, nc, "evidence", files=files).status_code == 303
    refused(staff2, nc, "evidence", {}, 400, "Choose at least one file.")
    refused(qo, nc, "cancel", {"password": PASSWORD, "reason": ""}, 400, "Give the reason.")
    assert step(qo, nc, "cancel", {"password": PASSWORD, "reason": "Trùng"}).status_code == 303
    closed = walk_nc(make_nc(), people, to="closed")
    refused(qo, closed, "reopen", {"password": PASSWORD, "reason": ""}, 400, "Give the reason.")
    assert step(qo, closed, "reopen", {"password": PASSWORD, "reason": "Tái diễn"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Nonconformity, closed.id).round_no == 2
    page = html(qo.get(f"/nc/{closed.id}"))
    assert "round-1" in ids(page) and "earlier round" in page


def test_staff_who_do_not_handle_it_see_no_step_forms_and_are_refused(app, people, make_nc):
    nc = make_nc()
    staff = signed_in(app, people.staff2)
    page = html(staff.get(f"/nc/{nc.id}"))
    assert not {"correction-form", "close-form", "why-form"} & ids(page)
    before = event_count()
    assert step(staff, nc, "correction", {"what": "X", "by": str(people.staff2.id)}).status_code == 403
    assert step(staff, nc, "close", {"password": PASSWORD, "risks": "no", "documents_need": "no"}).status_code == 403
    assert event_count() == before


POSTS = [
    "correction",
    "disposition",
    "action-needed",
    "whys",
    "whys/{why}",
    "whys/{why}/remove",
    "causes",
    "causes/{cause}",
    "causes/{cause}/remove",
    "accept-analysis",
    "actions",
    "actions/{item}",
    "actions/{item}/complete",
    "review",
    "reviews/{review}",
    "evidence",
    "links",
    "links/{other}/remove",
    "handler",
    "close",
    "reopen",
    "cancel",
]


def test_the_auditor_reads_everything_and_changes_nothing(app, people, make_nc):
    nc = walk_nc(make_nc(), people, to="done")
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    other = make_nc()
    services.link_similar(people.qo, nc, other)
    db.session.commit()
    auditor = signed_in(app, people.auditor)
    page = html(auditor.get(f"/nc/{nc.id}"))
    # asking for an evidence pack changes no record: the auditor is who needs one
    assert not [i for i in ids(page) if i.endswith("-form") and i not in ("language-form", "evidence-pack-form")]
    assert "report-nc" not in ids(html(auditor.get("/nc/")))
    current = nc.current_round
    values = {
        "why": current.whys[0].id,
        "cause": current.causes[0].id,
        "item": nc.actions[0].id,
        "review": review.id,
        "other": other.id,
    }
    before = event_count()
    for path in POSTS:
        assert step(auditor, nc, path.format(**values), {"password": PASSWORD}).status_code == 403, path
    assert submit(auditor, "/nc/new", {"title": "X"}, page="/nc/").status_code == 403
    assert event_count() == before


def test_another_communes_nc_is_not_found(app, people, make_nc):
    nc = make_nc()
    other = signed_in(app, people.other_qo)
    assert other.get(f"/nc/{nc.id}").status_code == 404
    assert step(other, nc, "correction", {"what": "X", "by": str(people.other_qo.id)}).status_code == 404
    attachment = services.attach_evidence(people.qo, nc, filename="a.docx", data=docx_bytes("A"))
    db.session.commit()
    assert other.get(f"/nc/{nc.id}/evidence/{attachment.id}").status_code == 404


# --- settings ------------------------------------------------------------------------------------


def test_settings_show_the_next_number_and_refuse_a_bad_format(app, people, make_nc):
    make_nc()
    qo = signed_in(app, people.qo)
    year = local_today().year
    assert f"SKPH-{year}-002" in html(qo.get("/nc/settings"))
    response = submit(qo, "/nc/settings", {"number_format": "NC-{nnn}"}, page="/nc/settings")
    assert response.status_code == 400 and "{yyyy}" in html(response)
    response = submit(qo, "/nc/settings", {"number_format": "KPH-{yyyy}-{nnnn}"}, page="/nc/settings")
    assert response.status_code == 303
    assert f"KPH-{year}-0002" in html(qo.get("/nc/settings"))
    assert signed_in(app, people.staff).get("/nc/settings").status_code == 403


def test_home_pages_show_my_actions_overdue_first_and_the_quality_officers_lists(app, people, make_nc):
    nc = walk_nc(make_nc(), people, to="actions")
    first, second = nc.actions
    first.due_on = local_today() - dt.timedelta(days=2)  # time has passed since it was planned
    second.owner_id = people.staff.id
    ready = walk_nc(make_nc(title="Chờ chấp nhận phân tích"), people, to="analysed")
    db.session.commit()
    page = html(signed_in(app, people.staff).get("/"))
    assert "My corrective actions" in page and "Action item, overdue" in page
    assert page.index(first.what) < page.index(second.what)
    qo_page = html(signed_in(app, people.qo).get("/"))
    assert "Overdue corrective actions" in qo_page and first.what in qo_page
    assert "Nonconformities waiting for your decision" in qo_page and ready.number in qo_page
    assert "Analysis ready to accept" in qo_page


def test_an_item_due_within_three_working_days_is_flagged_on_its_owners_home(app, people, make_nc):
    from qms.core.calendar import add_working_days

    nc = walk_nc(make_nc(), people, to="actions")
    first, second = nc.actions
    first.due_on = add_working_days(local_today(), 3)
    second.due_on = add_working_days(local_today(), 10)
    db.session.commit()
    staff = html(signed_in(app, people.staff).get("/"))
    assert "Action item, due within 3 working days" in staff
    staff2 = html(signed_in(app, people.staff2).get("/"))
    assert second.what in staff2 and "due within 3 working days" not in staff2


def test_settings_name_the_report_form(app, people, make_nc):
    qo = signed_in(app, people.qo)
    data = {"number_format": "SKPH-{yyyy}-{nnn}", "report_form_code": "BM-99"}
    response = submit(qo, "/nc/settings", data, page="/nc/settings")
    assert response.status_code == 400 and "The commune has no form with the code BM-99." in html(response)


def test_the_reporter_adds_evidence_while_the_nc_is_new_only(people, make_nc):
    from qms.db import DomainError

    nc = make_nc(actor=people.staff)
    assert services.attach_evidence(people.staff, nc, filename="a.docx", data=docx_bytes("A")).filename == "a.docx"
    with pytest.raises(DomainError) as other:
        services.attach_evidence(people.staff2, nc, filename="b.docx", data=docx_bytes("B"))
    assert other.value.status == 403
    services.record_correction(people.qo, nc, what="Gọi lại", by=people.staff)
    with pytest.raises(DomainError) as later:
        services.attach_evidence(people.staff, nc, filename="c.docx", data=docx_bytes("C"))
    assert later.value.status == 403
