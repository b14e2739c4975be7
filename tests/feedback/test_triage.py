"""The quality officer's triage: a nonconformity opened from an item (through the nonconformities'
one way in, linked, once), or the item closed with a reason; the citizen's contact details for the
quality officer only, each reading recorded; leaders and auditors read the text, never the contact
details, and triage nothing; another commune's item is out of reach."""

import re

import pytest
from sqlalchemy import func, select

from qms.auth.models import QUALITY_OFFICER
from qms.db import DomainError, db
from qms.feedback import services
from qms.feedback.models import FeedbackStatus
from qms.nonconformities.models import NcSource, Nonconformity
from qms.nonconformities.services import find_opened_from
from tests.core.support import events, fresh, post
from tests.documents.views_support import signed_in

CONTACT = ("Nguyễn Văn Dân", "0912 345 678", "dan@example.vn")


def html(response):
    return response.get_data(as_text=True)


def shows_contact(page):
    return any(value in page for value in CONTACT)


# --- services -------------------------------------------------------------------------------------


def test_the_quality_officer_opens_one_nc_from_an_item(app, world, make_item):
    qo = world["a"]["users"]["quality_officer"]
    item = make_item()
    nc = services.open_nc(qo, item, title="Trả kết quả trễ hẹn", severity="major")
    db.session.commit()
    assert (nc.source, nc.title, nc.description) == (NcSource.citizen_feedback, "Trả kết quả trễ hẹn", item.message)
    assert (nc.dossier_code, nc.detected_by_id, nc.detected_at) == (item.dossier_code, qo.id, item.received_at)
    assert nc.source_ref == f"feedback_items {item.id}" and find_opened_from(item.commune_id, item).id == nc.id
    assert not any(value in nc.description + nc.title for value in CONTACT), "the contact details stay on the item"
    item = fresh(item)
    assert (item.status, item.triaged_by_id) == (FeedbackStatus.nc_opened, qo.id)
    # asking again gives the same NC, and records nothing more
    assert services.open_nc(qo, item, title="Lần nữa", severity="minor").id == nc.id
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Nonconformity)) == 1
    opened = events("feedback.nc_opened")
    assert len(opened) == 1 and opened[0]["changes"] == {
        "status": ["waiting", "nc_opened"],
        "nonconformity": [None, nc.number],
    }
    assert len(events("nc.opened_from_elsewhere")) == 1


def test_a_refused_nc_leaves_the_item_waiting_and_opens_nothing(app, world, make_item):
    qo = world["a"]["users"]["quality_officer"]
    item = make_item()
    with pytest.raises(DomainError) as refused:
        services.open_nc(qo, item, title="   ", severity="minor")
    assert refused.value.code == "title_required"
    db.session.rollback()
    assert fresh(item).status is FeedbackStatus.waiting and fresh(item).triaged_by_id is None
    assert db.session.scalar(select(func.count()).select_from(Nonconformity)) == 0
    assert events("feedback.nc_opened") == [] and events("nc.opened_from_elsewhere") == []


def test_closing_needs_a_reason_and_happens_once(app, world, make_item):
    qo = world["a"]["users"]["quality_officer"]
    item = make_item(kind="compliment")
    with pytest.raises(DomainError) as refused:
        services.close_item(qo, item, reason="   ")
    assert refused.value.code == "reason_required"
    db.session.rollback()
    services.close_item(qo, item, reason="Lời khen đã chuyển đến cán bộ một cửa.")
    db.session.commit()
    item = fresh(item)
    assert (item.status, item.close_reason) == (FeedbackStatus.closed, "Lời khen đã chuyển đến cán bộ một cửa.")
    assert events("feedback.closed")[0]["changes"]["close_reason"] == [None, "Lời khen đã chuyển đến cán bộ một cửa."]
    for step in (
        lambda: services.close_item(qo, item, reason="Lần nữa"),
        lambda: services.open_nc(qo, item, title="Không được", severity="minor"),
    ):
        with pytest.raises(DomainError) as refused:
            step()
        assert (refused.value.status, refused.value.code) == (409, "already_triaged")
        db.session.rollback()


@pytest.mark.parametrize("role", ["leader", "auditor", "staff"])
def test_only_the_quality_officer_triages_and_reads_contact_details(app, world, make_item, role):
    item = make_item()
    user = world["a"]["users"][role]
    for step in (
        lambda: services.open_nc(user, item, title="SKPH", severity="minor"),
        lambda: services.close_item(user, item, reason="Không cần"),
        lambda: services.read_contact(user, item),
    ):
        with pytest.raises(DomainError) as refused:
            step()
        assert refused.value.status == 403
        db.session.rollback()
    other_qo = world["b"]["users"][QUALITY_OFFICER]
    with pytest.raises(DomainError):
        services.read_contact(other_qo, item)
    db.session.rollback()
    assert fresh(item).status is FeedbackStatus.waiting and events("feedback.contact_read") == []


# --- pages ------------------------------------------------------------------------------------------


def test_the_quality_officer_triages_an_item_into_an_nc_from_its_page(app, world, make_item):
    item = make_item()
    qo = signed_in(app, world["a"]["users"]["quality_officer"])
    listing = html(qo.get("/feedback/items"))
    assert item.reference in listing and "Waiting for triage" in listing
    page = html(qo.get(f"/feedback/items/{item.id}"))
    assert item.message in page and not shows_contact(page)
    assert f'action="/feedback/items/{item.id}/nc"' in page and f'action="/feedback/items/{item.id}/close"' in page
    assert f"Complaint from a citizen, {item.reference}" in page  # the title offered
    empty = post(
        qo, f"/feedback/items/{item.id}/nc", {"title": "", "severity": "minor"}, page=f"/feedback/items/{item.id}"
    )
    assert empty.status_code == 400 and "Enter the title of the nonconformity." in html(empty)
    response = post(
        qo,
        f"/feedback/items/{item.id}/nc",
        {"title": "Trả kết quả trễ hẹn", "severity": "minor"},
        page="/feedback/items",
    )
    assert response.status_code == 303
    nc = find_opened_from(item.commune_id, item)
    page = html(qo.get(response.headers["Location"]))
    assert f"Nonconformity {nc.number} opened from this feedback." in page
    assert nc.number in page and "Nonconformity opened" in page and f'action="/feedback/items/{item.id}/nc"' not in page
    # a second try (another tab) is refused with its reason on the page, and opens nothing
    again = post(qo, f"/feedback/items/{item.id}/close", {"reason": "Trùng"}, page="/feedback/items")
    assert again.status_code == 409 and "This feedback has already been dealt with." in html(again)
    assert fresh(item).status is FeedbackStatus.nc_opened


def test_closing_from_the_page_asks_for_the_reason(app, world, make_item):
    item = make_item()
    qo = signed_in(app, world["a"]["users"]["quality_officer"])
    missing = post(qo, f"/feedback/items/{item.id}/close", {"reason": ""}, page="/feedback/items")
    assert missing.status_code == 400 and "Say why the feedback is closed." in html(missing)
    assert fresh(item).status is FeedbackStatus.waiting
    done = post(
        qo, f"/feedback/items/{item.id}/close", {"reason": "Đã trả lời qua điện thoại."}, page="/feedback/items"
    )
    assert done.status_code == 303
    page = html(qo.get(done.headers["Location"]))
    assert "The feedback has been closed." in page and "Đã trả lời qua điện thoại." in page


def test_contact_details_are_shown_to_the_quality_officer_and_each_reading_is_recorded(app, world, make_item):
    item = make_item()
    officer = world["a"]["users"]["quality_officer"]
    qo = signed_in(app, officer)
    page = html(qo.get(f"/feedback/items/{item.id}"))
    assert 'id="feedback-contact-show"' in page and not shows_contact(page)
    assert events("feedback.contact_read") == [], "opening the page reads nothing"
    shown = post(qo, f"/feedback/items/{item.id}/contact", page=f"/feedback/items/{item.id}")
    assert shown.status_code == 200 and all(value in html(shown) for value in CONTACT)
    read = events("feedback.contact_read")
    assert len(read) == 1 and (read[0]["actor_id"], read[0]["entity_type"], read[0]["entity_id"]) == (
        officer.id,
        "feedback_items",
        str(item.id),
    )
    # the trail says so in words, naming the item by its reference
    auditor = signed_in(app, world["a"]["users"]["auditor"])
    trail = html(auditor.get("/audit/?action=feedback.contact_read"))
    assert "Citizen&#39;s contact details read" in trail and item.reference in trail


@pytest.mark.parametrize("role", ["auditor", "leader"])
def test_readers_see_the_text_but_never_the_contact_details_and_cannot_triage(app, world, make_item, role):
    item = make_item()
    reader = signed_in(app, world["a"]["users"][role])
    listing = reader.get("/feedback/items")
    assert listing.status_code == 200 and item.reference in html(listing)
    page = html(reader.get(f"/feedback/items/{item.id}"))
    assert item.message in page and not shows_contact(page)
    assert "Only the quality officer sees the citizen's contact details." in page
    assert not re.search(r'<form method="post" action="/feedback/items', page), "no triage or contact form"
    for step, data in (("contact", {}), ("nc", {"title": "SKPH", "severity": "minor"}), ("close", {"reason": "x"})):
        response = post(reader, f"/feedback/items/{item.id}/{step}", data, page="/feedback/items")
        assert response.status_code == 403 and not shows_contact(html(response))
    assert fresh(item).status is FeedbackStatus.waiting and events("feedback.contact_read") == []


def test_staff_do_not_see_the_feedback(app, world, make_item):
    item = make_item()
    staff = signed_in(app, world["a"]["users"]["staff"])
    assert staff.get("/feedback/items").status_code == 403
    assert staff.get(f"/feedback/items/{item.id}").status_code == 403


def test_another_communes_item_is_not_found(app, world, make_item):
    item = make_item(side="a")
    other = signed_in(app, world["b"]["users"]["quality_officer"])
    assert other.get(f"/feedback/items/{item.id}").status_code == 404
    for step, data in (("contact", {}), ("nc", {"title": "SKPH", "severity": "minor"}), ("close", {"reason": "x"})):
        response = post(other, f"/feedback/items/{item.id}/{step}", data, page="/feedback/items")
        assert response.status_code == 404
    assert item.reference not in html(other.get("/feedback/items"))
    assert fresh(item).status is FeedbackStatus.waiting and events("feedback.contact_read") == []


def test_the_list_shows_waiting_items_first_and_filters_by_status(app, world, make_item):
    qo_user = world["a"]["users"]["quality_officer"]
    first, second, third = make_item(), make_item(), make_item()
    services.close_item(qo_user, first, reason="Đã giải thích cho người dân.")
    db.session.commit()
    qo = signed_in(app, qo_user)
    listing = html(qo.get("/feedback/items"))
    order = [int(i) for i in re.findall(r'id="feedback-item-(\d+)"', listing)]
    assert order == [second.id, third.id, first.id]
    closed = html(qo.get("/feedback/items?status=closed"))
    assert re.findall(r'id="feedback-item-(\d+)"', closed) == [str(first.id)]
    assert qo.get("/feedback/items?status=nonsense").status_code == 400


def test_the_home_page_lists_what_waits_for_the_quality_officer(app, world, make_item):
    item = make_item()
    qo = signed_in(app, world["a"]["users"]["quality_officer"])
    home = html(qo.get("/"))
    assert 'id="section-feedback-waiting"' in home and item.reference in home
    assert f'href="/feedback/items/{item.id}"' in home
    leader = signed_in(app, world["a"]["users"]["leader"])
    assert 'id="section-feedback-waiting"' not in html(leader.get("/"))
