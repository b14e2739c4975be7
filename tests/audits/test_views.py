"""The internal-audit pages through the test client: the programme page (its audits, status, the
leader's signed approval, the coverage matrix with what no audit covers and the flagged processes),
planning an audit (new, change with impartiality warnings, cancel), the audit page (scope, findings,
their NCs and decisions, the follow-up) and what each role sees: every page renders for each role
that may read it, forms post and change state, bad input shows its message and changes nothing, an
impartiality refusal shows every reason, and an auditor sees no form that changes anything."""

import datetime as dt
import importlib
import re

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.audits import services
from qms.audits.models import Audit, AuditFinding, AuditStatus, Decision, ProgrammeStatus
from qms.db import db
from tests.audits.conftest import YEAR
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.documents.views_support import html, ids, signed_in, submit


@pytest.fixture
def client_class():
    return IsolatedClient


def event_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def audit_count():
    return db.session.scalar(select(func.count()).select_from(Audit))


def fresh(model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


def post_forms(page):
    """The actions of the POST forms of a page that change a record: not signing out, choosing the
    language or asking for an evidence pack (which changes no record; auditors are who need one)."""
    actions = re.findall(r'<form method="post" action="([^"]+)"', page)
    return [a for a in actions if not a.endswith(("/logout", "/language")) and not a.startswith("/evidence/")]


def plan_form(w, **fields):
    """The audit form as a browser posts it: the certification procedure by Kiểm (lead) and Tra."""
    data = {
        "title": "Đánh giá quy trình chứng thực",
        "criteria": "TCVN ISO 9001:2015",
        "clauses": ["8.5", "7.5"],
        "procedures": [str(w.certification.id)],
        "planned_start": f"10/03/{YEAR}",
        "planned_end": f"11/03/{YEAR}",
        "lead_auditor": str(w.kiem.id),
        "team": [str(w.tra.id)],
    }
    data.update(fields)
    return data


# --- the programme ------------------------------------------------------------------------------


def test_audits_redirects_to_the_programme_of_the_year_chosen(app, audit_world):
    client = signed_in(app, audit_world.staff)
    response = client.get("/audits/")
    assert response.status_code == 302 and re.search(r"/audits/programmes/\d{4}$", response.location)
    assert client.get("/audits/?year=2025").location.endswith("/audits/programmes/2025")
    assert re.search(r"/audits/programmes/\d{4}$", client.get("/audits/?year=abc").location)
    assert client.get("/audits/programmes/1800").status_code == 404


def test_an_empty_year_renders_for_every_role_and_writes_nothing(app, audit_world):
    w = audit_world
    clients = {user: signed_in(app, user) for user in (w.qo, w.leader, w.staff, w.auditor, w.admin)}
    before = event_count()
    for user, client in clients.items():
        response = client.get(f"/audits/programmes/{YEAR}")
        assert response.status_code == 200, user.username
        page = html(response)
        assert "no-programme" in ids(page) and "coverage-matrix" in ids(page)
        # every process is uncovered, said in words
        assert page.count("Not covered") >= 2
        assert ("plan-audit" in ids(page)) is (user is w.qo)
    assert event_count() == before
    assert services.find_programme(w.commune, YEAR) is None


def test_the_programme_lists_its_audits_and_covers_their_cells(app, plan, audit_world):
    w = audit_world
    audit = plan()
    page = html(signed_in(app, w.staff).get(f"/audits/programmes/{YEAR}"))
    row = re.search(rf'<tr id="audit-{audit.id}">(.*?)</tr>', page, re.S).group(1)
    assert audit.code in row and "Đánh giá quy trình chứng thực" in row
    assert f"10/03/{YEAR}" in row and "Phạm Văn Kiểm" in row and "Planned" in row
    assert "Draft" in page and "Revision 1" in page
    matrix = page[page.index('id="coverage-matrix"') :]
    certification = re.search(r"<tr id=\"row-\d+\"[^>]*>\s*<th[^>]*>2\.000884[^<]*</th>(.*?)</tr>", matrix, re.S)
    assert certification and certification.group(1).count(audit.code) == 2  # sections 7 and 8
    # sections 4, 5, 6, 9 and 10 are covered by no audit: named in words above the matrix
    uncovered = re.search(r'id="uncovered-columns">(.*?)</p>', page, re.S).group(1)
    assert all(f"{n} " in uncovered for n in ("4", "5", "6", "9", "10")) and " 7 " not in uncovered


def test_flagged_processes_are_called_out_above_the_matrix(app, plan, audit_world, monkeypatch):
    coverage_module = importlib.import_module("qms.audits.services.coverage")
    w = audit_world
    plan(planned_start=dt.date(YEAR, 11, 2), planned_end=dt.date(YEAR, 11, 3))
    monkeypatch.setattr(coverage_module.nc_queries, "open_counts", lambda commune_id: [(None, "7.5", 1)])
    page = html(signed_in(app, w.staff).get(f"/audits/programmes/{YEAR}"))
    flagged = re.search(r'id="flagged"(.*?)</div>', page, re.S).group(1)
    assert "Control of documented information" in flagged and "not planned" in flagged
    assert "1 open major NC" in page


def test_a_leader_approves_with_the_password_and_sees_the_signature_hold(app, plan, audit_world):
    w = audit_world
    audit = plan()
    programme_id = audit.programme_id
    qo_page = html(signed_in(app, w.qo).get(f"/audits/programmes/{YEAR}"))
    assert "approve-form" not in ids(qo_page)
    client = signed_in(app, w.leader)
    path, page = f"/audits/programmes/{YEAR}/approve", f"/audits/programmes/{YEAR}"
    assert "approve-form" in ids(html(client.get(page)))
    version = audit.programme.row_version
    wrong = submit(client, path, {"password": "not-it", "row_version": str(version)}, page=page)
    assert wrong.status_code in (400, 403) and "approve-form-password-error" in ids(html(wrong))
    db.session.expire_all()
    assert services.find_programme(w.commune, YEAR).status is ProgrammeStatus.draft
    done = submit(client, path, {"password": PASSWORD, "row_version": str(version)}, page=page)
    assert done.status_code == 303
    shown = html(client.get(page))
    assert "Approved" in shown and "approval-holds" in ids(shown) and w.leader.full_name in shown
    assert "approve-form" not in ids(shown)
    # a change after approval: revision 2, waiting for a signature; the first revision's approval listed
    qo = signed_in(app, w.qo)
    edit = f"/audits/{audit.id}/edit"
    row_version = fresh(Audit, audit.id).row_version
    response = submit(
        qo, edit, plan_form(w, title="Đánh giá chứng thực (sửa)", row_version=str(row_version)), page=edit
    )
    assert response.status_code == 303
    shown = html(client.get(page))
    assert "Revision 2" in shown and "awaiting-approval" in ids(shown) and "earlier-revisions" in ids(shown)
    assert fresh(type(audit.programme), programme_id).revision == 2


# --- planning ------------------------------------------------------------------------------------


def test_the_quality_officer_plans_an_audit_through_the_form(app, audit_world, make_unit):
    w = audit_world
    justice = make_unit(w.commune, code="TP", name="Bộ phận Tư pháp")
    client = signed_in(app, w.qo)
    new = f"/audits/programmes/{YEAR}/new"
    form = html(client.get(new))
    # clauses grouped by section, processes, units, people of the commune (not the read-only auditor)
    assert "section-8" in ids(form) and "8.5 Production and service provision" in form
    assert "2.000884" in form and "Control of documented information" in form and "Bộ phận Tư pháp" in form
    assert "Phạm Văn Kiểm" in form and w.auditor.full_name not in form
    response = submit(client, new, plan_form(w, units=[str(justice.id)], lead_auditor=str(w.leader.id)), page=new)
    assert response.status_code == 303, html(response)[:3000]
    audit = db.session.scalar(select(Audit))
    assert response.location.endswith(f"/audits/{audit.id}")
    assert (audit.title, audit.clauses, audit.planned_start) == (
        "Đánh giá quy trình chứng thực",
        ["7.5", "8.5"],
        dt.date(YEAR, 3, 10),
    )
    assert audit.lead_auditor_id == w.leader.id and {m.user_id for m in audit.team} == {w.leader.id, w.tra.id}
    page = html(client.get(f"/audits/{audit.id}"))
    assert "2.000884" in page and "Bộ phận Tư pháp" in page and "7.5 Documented information" in page
    assert f"10/03/{YEAR} – 11/03/{YEAR}" in page and "Internal audit programme 2026" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"planned_end": f"01/03/{YEAR}"}, "Cuộc đánh giá không thể kết thúc trước khi bắt đầu."),
        ({"clauses": []}, "Chọn các điều khoản mà cuộc đánh giá bao quát."),
        ({"planned_start": "31/02/2026"}, "dd/mm/yyyy"),
        ({"title": ""}, "Enter the title."),
    ],
)
def test_bad_input_shows_its_error_and_changes_nothing(app, audit_world, fields, message):
    w = audit_world
    client = signed_in(app, w.qo, locale="vi")
    before = event_count()
    new = f"/audits/programmes/{YEAR}/new"
    response = submit(client, new, plan_form(w, **fields), page=new)
    assert response.status_code == 400
    page = html(response)
    assert message in page or _vi(message) in page
    assert "Phạm Văn Kiểm" in page  # the form again, as posted
    assert audit_count() == 0 and event_count() == before


def _vi(message):
    from flask_babel import force_locale, gettext

    with force_locale("vi"):
        return gettext(message)


def test_impartiality_refusal_shows_every_reason(app, audit_world):
    w = audit_world
    client = signed_in(app, w.qo)
    new = f"/audits/programmes/{YEAR}/new"
    before = event_count()
    # Kiểm belongs to the office, a unit in the scope; the quality officer performs the documents' process
    response = submit(
        client,
        new,
        plan_form(w, units=[str(w.office.id)], team=[str(w.qo.id)], system_processes=["documents"]),
        page=new,
    )
    assert response.status_code == 400
    page = html(response)
    reasons = re.search(r'id="audit-form-reasons">(.*?)</div>', page, re.S).group(1)
    assert "Phạm Văn Kiểm belongs to Văn phòng HĐND và UBND" in reasons
    assert f"{w.qo.full_name} performs the process" in reasons
    assert reasons.count("<li>") >= 2
    assert audit_count() == 0 and event_count() == before


def test_editing_warns_beside_each_person_who_could_not_audit_the_scope(app, plan, audit_world):
    w = audit_world
    audit = plan(units=[w.office], system_processes=["documents"], lead_auditor=w.leader, team=[])
    page = html(signed_in(app, w.qo).get(f"/audits/{audit.id}/edit"))

    def warning_of(name):
        found = re.search(rf"{re.escape(name)}</label>\s*(<div[^>]*-warning\">(.*?)</div>\s*</div>)?", page, re.S)
        assert found, name
        return found.group(2) or ""

    # the form shows the audit as planned: its lead auditor chosen, its units ticked
    assert re.search(rf'<option selected value="{w.leader.id}">|<option value="{w.leader.id}" selected>', page)
    assert re.search(rf'checked[^>]*value="{w.office.id}"|value="{w.office.id}"[^>]*checked', page)
    # the quality officer performs the documents' process; Kiểm and Tra belong to the office
    assert "performs the process" in warning_of(w.qo.full_name)
    assert "belongs to Văn phòng HĐND và UBND" in warning_of("Phạm Văn Kiểm")
    assert warning_of(w.leader.full_name) == ""


def test_cancelling_needs_a_reason(app, plan, audit_world):
    w = audit_world
    audit = plan()
    client = signed_in(app, w.qo)
    path, page = f"/audits/{audit.id}/cancel", f"/audits/{audit.id}"
    row_version = str(audit.row_version)
    before = event_count()
    response = submit(client, path, {"reason": " ", "row_version": row_version}, page=page)
    assert response.status_code == 400 and "Say why the audit is cancelled." in html(response)
    assert fresh(Audit, audit.id).status is AuditStatus.planned and event_count() == before
    response = submit(client, path, {"reason": "Trùng lịch tiếp dân", "row_version": row_version}, page=page)
    assert response.status_code == 303
    assert fresh(Audit, audit.id).status is AuditStatus.cancelled
    shown = html(client.get(page))
    assert "Trùng lịch tiếp dân" in shown and "Cancelled" in shown and "cancel-form" not in ids(shown)


# --- the audit's page ---------------------------------------------------------------------------


def test_every_role_reads_the_audit_page_and_only_those_who_may_act_see_forms(app, plan, audit_world):
    w = audit_world
    audit = plan()
    users = (w.qo, w.leader, w.staff, w.auditor, w.admin, w.kiem)
    page_of = {u.username: html(signed_in(app, u).get(f"/audits/{audit.id}")) for u in users}
    for name, page in page_of.items():
        assert "Đánh giá quy trình chứng thực" in page and "Phạm Văn Kiểm" in page, name
        assert "8.5 Production and service provision" in page and "2.000884" in page
    assert post_forms(page_of[w.auditor.username]) == []
    assert post_forms(page_of[w.staff.username]) == []  # not on the team
    kiem = page_of[w.kiem.username]
    assert "sign-plan-form" in ids(kiem) and "cancel-form" not in ids(kiem) and "finding-form" not in ids(kiem)
    qo = page_of[w.qo.username]
    assert "cancel-form" in ids(qo) and "edit-audit" in ids(qo) and "sign-plan-form" not in ids(qo)
    assert "start-gate" in ids(qo) and "start-form" not in ids(qo)  # the programme is not approved
    # the record's history in the audit trail, for those who read it
    assert f"/audit/records/audits/{audit.id}" in page_of[w.auditor.username]
    assert "audit-history" in ids(qo) and "audit-history" not in ids(page_of[w.staff.username])
    other = signed_in(app, w.other_qo)
    assert other.get(f"/audits/{audit.id}").status_code == 404


def test_an_auditor_sees_no_form_on_an_audit_in_progress(app, started, audit_world):
    w, audit = audit_world, started
    for path in (
        f"/audits/{audit.id}",
        f"/audits/{audit.id}/checklist",
        f"/audits/programmes/{YEAR}",
        "/audits/library",
    ):
        page = html(signed_in(app, w.auditor).get(path))
        assert post_forms(page) == [], path
    assert "finding-form" in ids(html(signed_in(app, w.kiem).get(f"/audits/{audit.id}")))
    auditor = signed_in(app, w.auditor)
    before = event_count()
    response = submit(auditor, f"/audits/{audit.id}/findings", {"clause": "8.5", "grade": "minor", "description": "x"})
    assert response.status_code == 403 and event_count() == before


def test_a_team_member_records_a_finding_that_opens_an_nc_shown_with_its_status(app, started, audit_world):
    w, audit = audit_world, started
    client = signed_in(app, w.kiem)
    path, page = f"/audits/{audit.id}/findings", f"/audits/{audit.id}"
    before = event_count()
    refused = submit(client, path, {"clause": "9.1", "grade": "major", "description": "x"}, page=page)
    assert refused.status_code == 400 and event_count() == before
    refused = submit(client, path, {"clause": "8.5", "grade": "major", "description": " "}, page=page)
    assert refused.status_code == 400 and "Describe the finding." in html(refused) and event_count() == before
    done = submit(
        client, path, {"clause": "8.5", "grade": "major", "description": "Sổ chứng thực ghi thiếu số"}, page=page
    )
    assert done.status_code == 303
    finding = db.session.scalar(select(AuditFinding))
    assert finding.nc_id is not None
    shown = html(client.get(page))
    block = re.search(rf'id="finding-{finding.id}"(.*?)</li>', shown, re.S).group(1)
    assert "Major nonconformity" in block and "clause 8.5" in block and "Sổ chứng thực ghi thiếu số" in block
    assert f"/nc/{finding.nc_id}" in block and "New" in block
    follow = re.search(r'id="follow-up-summary"[^>]*>(.*?)</p>', shown, re.S).group(1)
    assert "1 nonconformity is still open." in follow


def test_an_observation_is_decided_by_the_quality_officer(app, started, audit_world):
    w, audit = audit_world, started
    finding = services.record_finding(w.kiem, audit, clause="7.5", grade="observation", description="Nên số hoá sổ")
    db.session.commit()
    page = f"/audits/{audit.id}"
    assert f"decision-{finding.id}" not in ids(html(signed_in(app, w.kiem).get(page)))
    client = signed_in(app, w.qo)
    assert f"decision-{finding.id}" in ids(html(client.get(page)))
    path = f"/audits/{audit.id}/findings/{finding.id}/decision"
    before = event_count()
    refused = submit(client, path, {"accepted": "yes", "reason": ""}, page=page)
    assert refused.status_code == 400 and "Say why." in html(refused) and event_count() == before
    done = submit(client, path, {"accepted": "yes", "reason": "Đưa vào kế hoạch năm sau"}, page=page)
    assert done.status_code == 303
    assert fresh(AuditFinding, finding.id).decision is Decision.accepted
    shown = html(client.get(page))
    assert "Accepted" in shown and "Đưa vào kế hoạch năm sau" in shown and f"decision-{finding.id}" not in ids(shown)


# --- conducting an audit through its pages ------------------------------------------------------


def test_an_audit_is_conducted_through_its_pages(app, approved, audit_world):
    from tests.files.samples import docx_bytes

    w = audit_world
    audit = approved[0].audits[0]
    page = f"/audits/{audit.id}"
    kiem, leader, qo = signed_in(app, w.kiem), signed_in(app, w.leader), signed_in(app, w.qo)

    def seen():
        return str(fresh(Audit, audit.id).row_version)

    # the lead auditor signs the plan (a wrong password is refused, nothing signed)
    assert "approve-plan-form" not in ids(html(leader.get(page)))
    wrong = submit(kiem, f"{page}/plan/sign", {"password": "nope", "row_version": seen()}, page=page)
    assert wrong.status_code in (400, 403) and "sign-plan-form-password-error" in ids(html(wrong))
    assert fresh(Audit, audit.id).records == []
    assert (
        submit(kiem, f"{page}/plan/sign", {"password": PASSWORD, "row_version": seen()}, page=page).status_code == 303
    )
    shown = html(kiem.get(page))
    assert "plan-download" in ids(shown) and "sign-plan-form" not in ids(shown)
    download = kiem.get(re.search(r'id="plan-download"[^>]*|href="([^"]+)" id="plan-download"', shown).group(1))
    assert download.status_code == 200 and download.data[:2] == b"PK"
    # a leader approves it; the lead auditor starts the audit
    assert "approve-plan-form" in ids(html(leader.get(page)))
    assert (
        submit(leader, f"{page}/plan/approve", {"password": PASSWORD, "row_version": seen()}, page=page).status_code
        == 303
    )
    assert "start-form" in ids(html(kiem.get(page)))
    assert submit(kiem, f"{page}/start", {"row_version": seen()}, page=page).status_code == 303
    assert fresh(Audit, audit.id).status is AuditStatus.in_progress

    # the checklist: library questions of 7.5 and 8.5, answered by the team
    checklist = f"{page}/checklist"
    shown = html(kiem.get(checklist))
    assert "clause-7.5" in ids(shown) and "clause-8.5" in ids(shown)
    items = sorted(fresh(Audit, audit.id).items, key=lambda i: i.position)
    first = items[0]
    answer = f"{page}/checklist/{first.id}/answer"
    before = event_count()
    refused = submit(
        kiem, answer, {"result": "minor", "notes": "", "row_version": str(first.row_version)}, page=checklist
    )
    assert refused.status_code == 400 and "Describe what was found" in html(refused) and event_count() == before
    done = submit(
        kiem,
        answer,
        {"result": "minor", "notes": "Thiếu sổ theo dõi", "row_version": str(first.row_version)},
        page=checklist,
    )
    assert done.status_code == 303
    first = fresh(type(first), first.id)
    assert first.finding is not None and first.finding.nc_id is not None
    attach = submit(
        kiem,
        f"{page}/checklist/{first.id}/evidence",
        {"row_version": ""},
        page=checklist,
        files={"files": (docx_bytes("Biên bản"), "bien-ban.docx")},
    )
    assert attach.status_code == 303
    shown = html(kiem.get(checklist))
    assert f"item-{first.id}-nc" in ids(shown) and "bien-ban.docx" in shown and "Minor nonconformity" in shown
    assert post_forms(html(signed_in(app, w.auditor).get(checklist))) == []
    for item in items[1:]:
        services.answer_item(w.kiem, fresh(type(item), item.id), result="conform", notes="")
    db.session.commit()

    # the report: written, signed by the lead auditor, then the quality officer closes the audit
    assert "report-gate" in ids(html(kiem.get(page)))  # no summary yet
    report = {
        "summary": "Đánh giá đúng kế hoạch",
        "strengths": "Hồ sơ đầy đủ",
        "conclusions": "Đạt",
        "row_version": seen(),
    }
    assert submit(kiem, f"{page}/report", report, page=page).status_code == 303
    assert "sign-report-form" in ids(html(kiem.get(page)))
    assert (
        submit(kiem, f"{page}/report/sign", {"password": PASSWORD, "row_version": seen()}, page=page).status_code == 303
    )
    assert fresh(Audit, audit.id).status is AuditStatus.reported
    shown = html(qo.get(page))
    assert "report-download" in ids(shown) and "close-form" in ids(shown)
    assert submit(qo, f"{page}/close", {"row_version": seen()}, page=page).status_code == 303
    shown = html(qo.get(page))
    assert fresh(Audit, audit.id).status is AuditStatus.closed and "Closed" in shown
    assert "1 nonconformity is still open." in shown


def test_the_checklist_is_chosen_from_the_library_plus_own_questions(app, plan, audit_world):
    w = audit_world
    audit = plan()
    qo = signed_in(app, w.qo)
    checklist = f"/audits/{audit.id}/checklist"
    shown = html(qo.get(checklist))
    assert "choose-form" in ids(shown) and "no-items" in ids(shown)
    keys = re.findall(r'id="choose-(\d+\.\d+-\d+)"', shown)
    assert keys and all(k.startswith(("7.5-", "8.5-")) for k in keys)
    response = submit(qo, checklist, {"questions": keys[:2], "row_version": str(audit.row_version)}, page=checklist)
    assert response.status_code == 303
    assert sorted(i.question.key for i in fresh(Audit, audit.id).items) == sorted(keys[:2])
    own = f"/audits/{audit.id}/checklist/own"
    before = event_count()
    refused = submit(qo, own, {"clause": "8.5", "text": " "}, page=checklist)
    assert refused.status_code == 400 and event_count() == before
    assert (
        submit(qo, own, {"clause": "8.5", "text": "Có sổ theo dõi trả kết quả không?"}, page=checklist).status_code
        == 303
    )
    shown = html(qo.get(checklist))
    assert "Có sổ theo dõi trả kết quả không?" in shown
    assert "own question" in shown
    assert post_forms(html(signed_in(app, w.staff).get(checklist))) == []


def test_the_quality_officer_keeps_the_library(app, audit_world):
    w = audit_world
    qo = signed_in(app, w.qo)
    shown = html(qo.get("/audits/library"))
    assert "add-question-form" in ids(shown) and "question-7.5-01" in ids(shown)
    assert post_forms(html(signed_in(app, w.staff).get("/audits/library"))) == []
    before = event_count()
    refused = submit(qo, "/audits/library", {"clause": "7.5", "text": ""}, page="/audits/library")
    assert refused.status_code == 400 and "Write the question." in html(refused) and event_count() == before
    added = submit(
        qo, "/audits/library", {"clause": "7.5", "text": "Sổ công văn đến có được ký nhận?"}, page="/audits/library"
    )
    assert added.status_code == 303
    key = re.search(r"#question-(.+)$", added.location).group(1)
    assert "Sổ công văn đến có được ký nhận?" in html(qo.get("/audits/library"))
    revised = submit(
        qo, f"/audits/library/{key}/revise", {"text": "Sổ công văn đến có chữ ký nhận?"}, page="/audits/library"
    )
    assert revised.status_code == 303 and "Sổ công văn đến có chữ ký nhận?" in html(qo.get("/audits/library"))
    assert submit(qo, f"/audits/library/{key}/withdraw", {}, page="/audits/library").status_code == 303
    assert f"question-{key}" not in ids(html(qo.get("/audits/library")))
    assert qo.post("/audits/library/9.9-99/withdraw").status_code in (400, 404)


def test_the_home_page_says_who_has_an_audit_to_act_on(app, plan, audit_world):
    w = audit_world
    audit = plan()
    home = html(signed_in(app, w.kiem).get("/"))
    assert "Internal audits waiting for you" in home and audit.code in home and "Sign the audit plan" in home
    leader = html(signed_in(app, w.leader).get("/"))
    assert "Internal audit programme 2026" in leader and "Approve the programme" in leader
    assert "No internal audit is waiting for you." in html(signed_in(app, w.staff).get("/"))
