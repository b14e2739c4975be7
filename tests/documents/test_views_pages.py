"""The document-control pages through the test client: each renders for the roles that may see it,
shows what it should, and never shows staff a draft, a version in review or an obsolete version."""

import re

import pytest
from flask import render_template, session

from qms.core.calendar import local_today
from qms.core.lists import Page, read_filters
from qms.db import db
from qms.documents import queries
from qms.documents.forms import SearchForm
from qms.documents.models import Document
from qms.documents.queries import CurrentFile
from tests.core.support import statements
from tests.documents.views_support import html, ids, library, signed_in  # noqa: F401 (fixture)

HISTORY_READERS = ("author", "leader", "auditor")
EVERYONE = ("author", "leader", "auditor", "staff", "admin")


# --- each page renders for those who may see it ----------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_the_pages_everyone_may_open_render(app, people, library, who):
    client = signed_in(app, people[who])
    for path in (
        "/documents/",
        "/documents/forms",
        "/documents/change-requests",
        "/documents/master-list?which=internal",
        "/documents/master-list?which=external",
        f"/documents/{library.procedure.id}",
        f"/documents/{library.form.id}",
        f"/documents/{library.external.id}",
        f"/documents/versions/{library.effective.id}",
    ):
        response = client.get(path)
        assert response.status_code == 200, f"{path} as {who}: {response.status_code}"
        assert "<h1" in html(response)


@pytest.mark.parametrize("who", HISTORY_READERS)
def test_history_readers_open_every_version_and_the_review_pages(app, people, library, who):
    client = signed_in(app, people[who])
    for version in (library.superseded, library.in_review, library.draft, library.withdrawn_version):
        assert client.get(f"/documents/versions/{version.id}").status_code == 200
    assert client.get(f"/documents/{library.withdrawn.id}").status_code == 200
    assert client.get(f"/documents/versions/{library.effective.id}/compare").status_code == 200
    assert client.get("/documents/periodic-review").status_code == 200


def test_the_quality_officer_opens_the_editing_pages(app, people, library):
    client = signed_in(app, people.author)
    for path in (
        "/documents/new",
        "/documents/new?kind=external",
        f"/documents/{library.procedure.id}/edit",
        f"/documents/{library.external.id}/edit",
        f"/documents/{library.draft_form.id}/edit",
        f"/documents/{library.form.id}/versions/new",
        f"/documents/{library.external.id}/versions/new",
        "/documents/settings",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    edit = html(client.get(f"/documents/{library.procedure.id}/edit"))
    assert 'id="distribution-form"' in edit and 'name="units"' in edit
    assert 'name="issuer"' not in edit
    external = html(client.get(f"/documents/{library.external.id}/edit"))
    assert 'name="issuer"' in external and 'value="Chính phủ"' in external and 'id="distribution-form"' not in external


def test_a_document_with_a_version_in_progress_sends_the_officer_to_it(app, people, library):
    client = signed_in(app, people.author)
    response = client.get(f"/documents/{library.procedure.id}/versions/new")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/documents/{library.procedure.id}")


def test_the_administrator_opens_the_settings_but_not_the_editing_pages(app, people, library):
    client = signed_in(app, people.admin)
    assert client.get("/documents/settings").status_code == 200
    assert client.get("/documents/new").status_code == 403
    assert client.get(f"/documents/{library.procedure.id}/edit").status_code == 403


@pytest.mark.parametrize("who", ("staff", "admin"))
def test_staff_and_the_administrator_have_no_review_or_comparison_pages(app, people, library, who):
    client = signed_in(app, people[who])
    assert client.get("/documents/periodic-review").status_code == 403
    assert client.get(f"/documents/versions/{library.effective.id}/compare").status_code == 403
    assert client.get(f"/documents/versions/{library.effective.id}/original").status_code == 403


# --- staff never see what is not in force ------------------------------------------------------------

SECRET_WORDS = ("Phiếu nháp chưa ban hành", "BM-02-QT-01", "Dự thảo lần 3", "QT-09", "Quy trình đã bãi bỏ")


def test_staff_see_nothing_but_versions_in_force_on_any_page(app, people, library):
    client = signed_in(app, people.staff)
    pages = {
        path: html(client.get(path))
        for path in (
            "/documents/",
            "/documents/?q=QT",
            "/documents/forms",
            "/documents/forms?q=bí mật",
            "/documents/master-list?which=internal",
            "/documents/master-list?which=external",
            f"/documents/{library.procedure.id}",
            f"/documents/versions/{library.effective.id}",
            "/",
        )
    }
    for path, page in pages.items():
        for word in SECRET_WORDS:
            assert word not in page, f"{word!r} shown to staff on {path}"
    procedure = pages[f"/documents/{library.procedure.id}"]
    # only issue 02, the one in force: no link to issue 01 (superseded) or 03 (in review)
    assert f'href="/documents/versions/{library.effective.id}"' in procedure
    assert f'/documents/versions/{library.superseded.id}"' not in procedure
    assert f'/documents/versions/{library.in_review.id}"' not in procedure
    assert "pending-version" not in ids(procedure)
    for hidden in (library.superseded, library.in_review, library.draft, library.withdrawn_version):
        assert client.get(f"/documents/versions/{hidden.id}").status_code == 404
        assert client.get(f"/documents/versions/{hidden.id}/download").status_code == 404
    for hidden in (library.withdrawn, library.draft_form):
        assert client.get(f"/documents/{hidden.id}").status_code == 404
        assert client.get(f"/documents/{hidden.id}/current/download").status_code == 404
    assert client.get(f"/documents/versions/{library.superseded.id}/compare").status_code == 403


def test_staff_filtering_by_a_status_they_may_not_see_gets_nothing(app, people, library):
    client = signed_in(app, people.staff)
    response = client.get("/documents/?status=draft")
    assert response.status_code == 400 or "BM-02-QT-01" not in html(response)


def test_history_readers_see_the_pending_version_and_every_issue(app, people, library):
    page = html(signed_in(app, people.leader).get(f"/documents/{library.procedure.id}"))
    assert "pending-version" in ids(page)
    for version in (library.superseded, library.effective, library.in_review):
        assert f"version-{version.id}" in ids(page)


# --- current forms -----------------------------------------------------------------------------------


def test_current_forms_index_the_fields_and_procedures_and_a_field_shows_them_with_one_click_downloads(
    app, people, library
):
    client = signed_in(app, people.staff)
    index = html(client.get("/documents/forms"))
    field_section = index[index.index('id="field-1"') :]
    field_section = field_section[: field_section.index("</section>")]
    assert "Hộ tịch" in field_section and "1 procedure · 1 form" in field_section
    assert f'href="?procedure={library.procedure.id}"' in field_section
    assert "/download" not in index and 'id="current-forms-count"' in index
    page = html(client.get("/documents/forms?field=H%E1%BB%99+t%E1%BB%8Bch"))
    field_section = page[page.index('id="chosen-field"') :]
    field_section = field_section[: field_section.index("</section>")]
    assert "Hộ tịch" in field_section
    procedure_card = field_section[field_section.index(f'id="procedure-{library.procedure.id}"') :]
    assert f'href="/documents/versions/{library.effective.id}/download"' in procedure_card
    assert f'id="current-file-{library.form.id}"' in procedure_card
    assert f'href="/documents/versions/{library.form_effective.id}/download"' in procedure_card
    assert "Issue 02" in procedure_card and "Issue 01" in procedure_card  # the procedure's, then its form's
    assert 'id="current-forms-count"' in page


def test_current_forms_search_finds_words_without_accents_and_says_when_nothing_matches(app, people, library):
    client = signed_in(app, people.staff)
    page = html(client.get("/documents/forms?q=to khai"))
    assert f'id="current-file-{library.form.id}"' in page
    assert f'href="/documents/versions/{library.effective.id}/download"' not in page  # the procedure does not match
    assert f'href="?procedure={library.procedure.id}"' in page  # but its name leads to it
    assert "The procedure itself is not in force" not in page  # it is; only the search left it out
    empty = html(client.get("/documents/forms?q=xyzzy"))
    assert 'id="no-current-forms"' in empty and "xyzzy" in empty and 'id="current-forms-clear"' in empty


def test_current_forms_without_any_form_in_force_says_so(app, people):
    page = html(signed_in(app, people.staff).get("/documents/forms"))
    assert 'id="no-current-forms"' in page


def test_the_current_forms_page_renders_from_a_prepared_list_without_the_database(app):
    rows = [
        CurrentFile(
            1,
            "QT-01",
            "Quy trình khai sinh",
            "procedure",
            "Hộ tịch",
            None,
            "",
            "",
            11,
            2,
            None,
            "QT-01.docx",
            "docx",
            40_000,
        ),
        CurrentFile(
            2,
            "BM-01-QT-01",
            "Tờ khai <khai sinh>",
            "form",
            "Hộ tịch",
            1,
            "QT-01",
            "Quy trình khai sinh",
            12,
            1,
            None,
            "BM.docx",
            "docx",
            9_000,
        ),
    ]
    groups = queries.group_current_files(rows, no_field_label="Khác")
    index = [
        queries.IndexField("Hộ tịch", "Hộ tịch", [queries.IndexGroup(1, "QT-01", "Quy trình khai sinh", 2, 1, True)])
    ]
    with statements() as ran, app.test_request_context("/documents/forms?procedure=1"):
        session["locale"] = "en"
        page = render_template(
            "documents/current_forms.html",
            form=read_filters(SearchForm, {}),
            q="",
            index=index,
            chosen_field=index[0],
            chosen_group=index[0].groups[0],
            page=Page(items=rows, per_page=2, total=2),
            groups=groups,
            list_procedures=True,
        )
    assert ran == []
    assert 'href="/documents/versions/11/download"' in page and 'href="/documents/versions/12/download"' in page
    assert "Tờ khai &lt;khai sinh&gt;" in page
    assert re.search(r"Issue 02", page)


# --- the document and version pages -------------------------------------------------------------------


def test_the_version_page_shows_the_file_people_and_verified_signatures(app, people, library):
    page = html(signed_in(app, people.auditor).get(f"/documents/versions/{library.effective.id}"))
    version = library.effective
    assert version.primary_file.sha256 in page
    assert "Rút ngắn thời hạn thẩm định" in page and "Nghị định mới" in page
    assert people.leader.full_name in page and people.qo2.full_name in page
    assert page.count("signature-valid") == 2 and "signature-invalid" not in page
    assert 'id="compare-previous"' in page and 'id="download-original"' in page
    assert "review-form" not in ids(page) and "approve-form" not in ids(page)


def test_the_version_page_offers_each_person_only_their_actions(app, people, library):
    author = html(signed_in(app, people.author).get(f"/documents/versions/{library.draft.id}"))
    assert {"draft-form", "submit-form"} <= ids(author)
    assert "review-form" not in ids(author)
    leader = html(signed_in(app, people.leader).get(f"/documents/versions/{library.in_review.id}"))
    assert {"review-form", "return-form"} <= ids(leader) and "approve-form" not in ids(leader)
    author_in_review = html(signed_in(app, people.author).get(f"/documents/versions/{library.in_review.id}"))
    assert not {"review-form", "approve-form", "return-form", "draft-form"} & ids(author_in_review)
    staff = html(signed_in(app, people.staff).get(f"/documents/versions/{library.effective.id}"))
    assert "ack-form" in ids(staff) and "download-copy" in ids(staff)
    assert not {"download-original", "compare-previous", "confirm-form", "signatures"} & ids(staff)
    officer = html(signed_in(app, people.qo2).get(f"/documents/versions/{library.effective.id}"))
    assert "confirm-form" in ids(officer)


def test_the_quality_officer_sees_who_has_not_acknowledged(app, people, library):
    page = html(signed_in(app, people.author).get(f"/documents/versions/{library.effective.id}"))
    assert "not-acknowledged" in ids(page)
    assert f"not-acknowledged-{people.staff.id}" in ids(page)


def test_the_document_page_shows_details_children_and_the_actions_allowed(app, people, library):
    officer = html(signed_in(app, people.author).get(f"/documents/{library.procedure.id}"))
    assert {"edit-document", "propose-change", "download-current", "children", "distribution"} <= ids(officer)
    assert f"child-{library.form.id}" in ids(officer) and f"child-{library.draft_form.id}" in ids(officer)
    assert "withdraw-form" in ids(officer) and 'name="password"' in officer
    staff = html(signed_in(app, people.staff).get(f"/documents/{library.procedure.id}"))
    assert {"propose-change", "download-current"} <= ids(staff)
    assert not {"edit-document", "withdraw-form", "new-version"} & ids(staff)
    assert f"child-{library.draft_form.id}" not in ids(staff)
    auditor = html(signed_in(app, people.auditor).get(f"/documents/{library.procedure.id}"))
    assert "propose-change" not in ids(auditor) and "document-history" in ids(auditor)


def test_a_withdrawn_document_says_so_with_its_reason(app, people, library):
    page = html(signed_in(app, people.auditor).get(f"/documents/{library.withdrawn.id}"))
    assert "withdrawn-notice" in ids(page) and "Thủ tục bị bãi bỏ" in page


def test_an_external_document_shows_its_legal_data_and_the_documents_based_on_it(app, people, library):
    page = html(signed_in(app, people.staff).get(f"/documents/{library.external.id}"))
    assert "123/2015/NĐ-CP" in page and "Chính phủ" in page and "legal-status" in ids(page)


def test_another_communes_pages_are_not_found(app, people, library):
    client = signed_in(app, people.other_qo)
    for path in (
        f"/documents/{library.procedure.id}",
        f"/documents/versions/{library.effective.id}",
        f"/documents/versions/{library.effective.id}/compare",
        f"/documents/{library.procedure.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert "QT-01" not in html(client.get("/documents/forms"))
    assert "QT-01" not in html(client.get("/documents/master-list?which=internal"))


# --- periodic review and settings -------------------------------------------------------------------


def test_the_periodic_review_page_lists_due_and_overdue_versions_with_a_way_to_confirm(app, people, library):
    import datetime as dt

    version = db.session.get(type(library.form_effective), library.form_effective.id)
    version.next_review_on = local_today() - dt.timedelta(days=3)
    effective = db.session.get(type(library.effective), library.effective.id)
    effective.next_review_on = local_today() + dt.timedelta(days=10)
    db.session.commit()
    page = html(signed_in(app, people.qo2).get("/documents/periodic-review"))
    overdue = page[page.index('id="overdue"') : page.index('id="due"')]
    due = page[page.index('id="due"') :]
    assert f'id="review-{version.id}"' in overdue and "3 days late" in overdue
    assert f'id="review-{effective.id}"' in due and "in 10 days" in due
    assert f'href="/documents/versions/{version.id}#confirm"' in page


def test_the_periodic_review_page_has_an_empty_state(app, people):
    page = html(signed_in(app, people.leader).get("/documents/periodic-review"))
    assert 'id="no-reviews-due"' in page


# --- home page --------------------------------------------------------------------------------------


def test_the_home_page_asks_the_distribution_to_acknowledge_and_the_officers_to_act(app, people, library):
    staff = html(signed_in(app, people.staff).get("/"))
    tasks = staff[staff.index('id="section-documents-acknowledge"') :]
    tasks = tasks[: tasks.index("</section>")]
    assert f'href="/documents/versions/{library.effective.id}"' in tasks
    assert f'/documents/versions/{library.in_review.id}"' not in staff
    leader = html(signed_in(app, people.leader).get("/"))
    review = leader[leader.index('id="section-documents-review"') :]
    assert f'href="/documents/versions/{library.in_review.id}"' in review[: review.index("</section>")]
    author = html(signed_in(app, people.author).get("/"))
    drafts = author[author.index('id="section-documents-drafts"') :]
    assert f'href="/documents/versions/{library.draft.id}"' in drafts[: drafts.index("</section>")]


def test_the_list_filters_by_unit_kind_and_status_each_with_its_own_values(app, people, library, make_unit):
    """The list's statement is built once for each combination of filters, their values bound: pages
    with the same filters and other values, or other filters, show their own documents."""
    registry = make_unit(people.commune, code="TP", name="Bộ phận Tư pháp")
    db.session.get(Document, library.procedure.id).owning_unit_id = registry.id
    db.session.commit()
    client = signed_in(app, people.leader)

    def listed(query):
        page = html(client.get(f"/documents/?{query}"))
        return {int(i.removeprefix("document-")) for i in ids(page) if re.fullmatch(r"document-\d+", i)}

    everything = listed("")
    assert listed(f"unit={registry.id}") == {library.procedure.id}
    assert listed(f"unit={people.unit.id}") == set()
    assert listed("kind=form") == {library.form.id, library.draft_form.id}
    assert listed("kind=procedure") == {library.procedure.id, library.withdrawn.id}
    assert listed("kind=external") == {library.external.id}
    assert listed("status=obsolete") == {library.withdrawn.id}
    assert listed("status=in_review") == {library.procedure.id}
    assert listed("status=draft") == {library.draft_form.id}
    assert listed(f"kind=form&unit={registry.id}") == set()
    assert listed("") == everything
