"""The citizen's rating of a returned dossier: at the desk, by the officer who returned the result
(a form on the dossier's page), or by the citizen on the lookup page after the code and the four
digits; once per dossier, only after the return, audited (no actor for the public); a "dissatisfied"
rating with a comment filed in the feedback box as a complaint waiting for triage; and the counts
per month, procedure and officer, with the satisfied share, on the ratings page."""

import datetime as dt
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from qms.core.calendar import clock_at, local_today
from qms.db import DomainError, db
from qms.dossiers import satisfaction
from qms.dossiers.models import DossierRating, Rating, RatingChannel
from qms.dossiers.services.rating import rate_dossier, rating_of
from qms.dossiers.views import lookup as lookup_views
from qms.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from tests.conftest import csrf_token, login
from tests.core.support import IsolatedClient, events, signed_in_client
from tests.dossiers.conftest import procedure, vn
from tests.dossiers.rating_support import look_up, lookup_path, walk_to_return

RECEIVED = vn(2026, 12, 7, 9, 0)  # Monday; signature certification: due Wednesday 09/12
RETURNED = vn(2026, 12, 8, 10, 0)


@pytest.fixture
def client_class():
    return IsolatedClient


def count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def refused(call, code, status):
    before = (count(DossierRating), len(events()))
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert (caught.value.code, caught.value.status) == (code, status)
    assert (count(DossierRating), len(events())) == before
    return caught.value


@pytest.fixture
def returned(receive, catalogue):
    """returned(returner=leader, at=RETURNED, code="2.000884"): a dossier received on Monday and
    returned to the citizen by `returner`, committed."""

    def factory(returner=None, at=RETURNED, code="2.000884", **fields):
        dossier = receive(RECEIVED, code=code, **fields)
        return walk_to_return(dossier, catalogue, returner or catalogue.leader, at)

    return factory


# --- the service ----------------------------------------------------------------------------------


def test_the_officer_who_returned_the_result_records_the_rating_once(receive, returned, catalogue):
    waiting = walk_to_return(receive(RECEIVED), catalogue, catalogue.leader, RETURNED, returned=False)
    refused(lambda: rate_dossier(catalogue.leader, waiting, "satisfied"), "not_returned", 409)
    dossier = returned(catalogue.leader)
    refused(lambda: rate_dossier(catalogue.staff, dossier, "satisfied"), "forbidden", 403)
    refused(lambda: rate_dossier(catalogue.qo, dossier, "satisfied"), "forbidden", 403)  # not who returned it
    refused(lambda: rate_dossier(catalogue.auditor, dossier, "satisfied"), "forbidden", 403)
    refused(lambda: rate_dossier(catalogue.leader, dossier, "delighted"), "invalid_choice", 400)
    refused(lambda: rate_dossier(catalogue.leader, dossier, "satisfied", "x" * 2001), "too_long", 400)
    refused(lambda: rate_dossier(catalogue.leader, dossier, "satisfied", via="lookup"), "forbidden", 403)
    with clock_at(vn(2026, 12, 8, 10, 5)):
        rating = rate_dossier(catalogue.leader, dossier, Rating.very_satisfied, "  Cán bộ hướng dẫn tận tình.  ")
        db.session.commit()
    assert (rating.rating, rating.channel, rating.comment) == (
        Rating.very_satisfied,
        RatingChannel.desk,
        "Cán bộ hướng dẫn tận tình.",
    )
    assert rating.returned_by_id == catalogue.leader.id and rating.month == dt.date(2026, 12, 1)
    assert rating.feedback_item_id is None and count(FeedbackItem) == 0
    (event,) = events("dossier.rated")
    assert event["actor_id"] == catalogue.leader.id and event["entity_id"] == str(dossier.id)
    assert event["changes"] == {"rating": [None, "very_satisfied"], "rating_channel": [None, "desk"]}
    assert "tận tình" not in str(event)  # the comment stays off the trail
    # once: at the desk again, or from the lookup page
    refused(lambda: rate_dossier(catalogue.leader, dossier, "neutral"), "already_rated", 409)
    refused(lambda: rate_dossier(None, dossier, "neutral", via="lookup"), "already_rated", 409)


def test_a_dissatisfied_rating_with_a_comment_waits_for_triage_in_the_feedback_box(returned, catalogue):
    silent = returned()
    praised = returned()
    complained = returned()
    rate_dossier(catalogue.leader, silent, "dissatisfied")  # no comment: nothing to triage
    rate_dossier(catalogue.leader, praised, "satisfied", "Nhanh gọn")
    with clock_at(vn(2026, 12, 8, 11, 0)):
        rating = rate_dossier(catalogue.leader, complained, "dissatisfied", "Phải chờ hơn một giờ mới được trả.")
    db.session.commit()
    (item,) = db.session.scalars(select(FeedbackItem))
    assert rating.feedback_item_id == item.id
    assert (item.kind, item.status, item.dossier_code, item.commune_id) == (
        FeedbackKind.complaint,
        FeedbackStatus.waiting,
        complained.code,
        catalogue.commune.id,
    )
    assert item.reference == "GY-2026-0001" and "Phải chờ hơn một giờ mới được trả." in item.message
    assert complained.code in item.message and "Không hài lòng" in item.message
    assert not item.has_contact  # no personal data copied into the box
    received = events("feedback.received")
    assert len(received) == 1 and received[0]["actor_id"] == catalogue.leader.id
    assert received[0]["reason"] == "dissatisfied_rating"
    (rated,) = [e for e in events("dossier.rated") if e["entity_id"] == str(complained.id)]
    assert rated["changes"]["feedback_item"] == [None, "GY-2026-0001"]


def test_the_quality_officer_triages_it_like_any_complaint(app, returned, catalogue, client):
    dossier = returned()
    rate_dossier(None, dossier, "dissatisfied", "Không được hướng dẫn cách bổ sung.", via="lookup")
    db.session.commit()
    item = db.session.scalar(select(FeedbackItem))
    login(client, catalogue.qo.username)
    listed = client.get("/feedback/items").get_data(as_text=True)
    assert item.reference in listed
    page = client.get(f"/feedback/items/{item.id}").get_data(as_text=True)
    assert "Không được hướng dẫn cách bổ sung." in page and dossier.code in page
    received = events("feedback.received")[-1]
    assert received["actor_id"] is None and received["reason"] == "dissatisfied_rating"


# --- at the desk: the dossier's page -----------------------------------------------------------------


def _panel(html):
    found = re.search(r'<section class="card mb-3" id="rating".*?</section>', html, re.S)
    return found.group(0) if found else None


def test_the_desk_form_is_on_the_dossier_page_of_whoever_returned_it(app, returned, catalogue):
    dossier = returned(catalogue.leader)
    path = f"/dossiers/{dossier.code}"
    staff = signed_in_client(app, catalogue.staff.username)
    panel = _panel(staff.get(path).get_data(as_text=True))
    assert 'id="rating-none"' in panel and "<form" not in panel
    token = csrf_token(staff, path)
    assert staff.post(f"{path}/rating", data={"csrf_token": token, "rating": "satisfied"}).status_code == 403
    leader = signed_in_client(app, catalogue.leader.username)
    panel = _panel(leader.get(path).get_data(as_text=True))
    assert f'action="/dossiers/{dossier.code}/rating"' in panel
    labels = re.findall(r'<label class="form-check-label" for="rating-form-rating-\d">([^<]+)<', panel)
    assert labels == ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"]
    token = csrf_token(leader, path)
    empty = leader.post(f"{path}/rating", data={"csrf_token": token, "comment": "Chưa chọn mức"})
    assert empty.status_code == 400 and 'id="rating-form-rating-error"' in empty.get_data(as_text=True)
    assert "Chưa chọn mức" in _panel(empty.get_data(as_text=True))  # kept to send again
    assert count(DossierRating) == 0
    sent = leader.post(
        f"{path}/rating",
        data={"csrf_token": token, "rating": "dissatisfied", "comment": "Thái độ chưa niềm nở."},
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"{path}#rating")
    panel = _panel(leader.get(path).get_data(as_text=True))
    assert "Không hài lòng" in panel and "Tại Bộ phận Một cửa" in panel and "<form" not in panel
    assert "Thái độ chưa niềm nở." in panel  # a leader reads the comment
    again = leader.post(f"{path}/rating", data={"csrf_token": token, "rating": "satisfied"})
    assert again.status_code == 409 and "Hồ sơ này đã được đánh giá." in again.get_data(as_text=True)
    assert count(DossierRating) == 1
    # the quality officer reads the comment and follows it to the feedback box
    qo = signed_in_client(app, catalogue.qo.username)
    panel = _panel(qo.get(path).get_data(as_text=True))
    assert "Thái độ chưa niềm nở." in panel and 'id="rating-feedback"' in panel
    # staff do not read the comment (it may be about a colleague)
    assert "Thái độ chưa niềm nở." not in staff.get(path).get_data(as_text=True)


# --- from the lookup page -------------------------------------------------------------------------------


def _rating_token(html):
    return re.search(r'id="lookup-rating-token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="token"[^>]*value="([^"]+)"', html
    )


def test_the_citizen_rates_from_the_lookup_page_once_after_the_return(app, receive, returned, catalogue, client):
    open_dossier = receive(RECEIVED, applicant_phone="0911 000 222")
    with clock_at(vn(2026, 12, 8, 11, 0)):
        html = look_up(client, open_dossier.code, "0222").get_data(as_text=True)
    assert 'id="lookup-result"' in html and 'id="lookup-rating"' not in html  # not returned: no form
    dossier = returned(catalogue.leader)
    with clock_at(vn(2026, 12, 8, 11, 0)):
        html = look_up(client, dossier.code, "5678").get_data(as_text=True)
        assert "Đã trả kết quả" in html and 'id="lookup-rating"' in html
        token = _rating_token(html).group(1)
        page = lookup_path()
        form = {"csrf_token": csrf_token(client, page), "token": token}
        missing = client.post("/tra-cuu-ho-so/danh-gia?commune=XA-A", data=form)
        assert missing.status_code == 400
        assert "Vui lòng chọn mức độ hài lòng của ông/bà." in missing.get_data(as_text=True)
        sent = client.post(
            "/tra-cuu-ho-so/danh-gia?commune=XA-A",
            data={**form, "rating": "dissatisfied", "comment": "Hẹn ba lần mới có kết quả."},
            environ_base={"REMOTE_ADDR": "203.0.113.40"},
        )
        assert sent.status_code == 303 and sent.headers["Location"] == "/tra-cuu-ho-so?commune=XA-A"
        thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "Cảm ơn ông/bà: đánh giá (Không hài lòng) đã được ghi nhận." in thanks
        rating = rating_of(dossier)
        assert (rating.channel, rating.rating, rating.returned_by_id) == (
            RatingChannel.lookup,
            Rating.dissatisfied,
            catalogue.leader.id,
        )
        (event,) = events("dossier.rated")
        assert event["actor_id"] is None and event["ip"] == "" and event["reason"] == "lookup_page"
        assert db.session.scalar(select(FeedbackItem.dossier_code)) == dossier.code  # to the triage
        # once: the page now shows the rating given and no form; the old form is refused
        html = look_up(client, dossier.code, "5678").get_data(as_text=True)
        assert re.search(r'id="lookup-rating-given">Không hài lòng<', html) and 'id="lookup-rating"' not in html
        again = client.post("/tra-cuu-ho-so/danh-gia?commune=XA-A", data={**form, "rating": "satisfied"})
        assert again.status_code == 409 and "Hồ sơ này đã được đánh giá." in again.get_data(as_text=True)
    assert count(DossierRating) == 1 and count(FeedbackItem) == 1


def test_a_forged_stale_or_foreign_token_rates_nothing(app, receive, returned, catalogue, client, monkeypatch):
    dossier = returned()
    page = lookup_path()
    with app.test_request_context():
        good = lookup_views._token(dossier)
        not_returned = lookup_views._token(receive(RECEIVED))
        three_hours_ago = int(time.time()) - 3 * 3600
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: three_hours_ago)
        stale = lookup_views._token(dossier)
        monkeypatch.undo()
    form = {"csrf_token": csrf_token(client, page), "rating": "satisfied"}
    for token in ("", "forged", good[:-2] + "xx"):
        response = client.post("/tra-cuu-ho-so/danh-gia?commune=XA-A", data={**form, "token": token})
        assert response.status_code == 400 and "Trang đã hết hạn" in response.get_data(as_text=True)
    other_commune = client.post("/tra-cuu-ho-so/danh-gia?commune=XA-B", data={**form, "token": good})
    assert other_commune.status_code == 400
    assert client.post("/tra-cuu-ho-so/danh-gia?commune=XA-A", data={**form, "token": stale}).status_code == 400
    early = client.post("/tra-cuu-ho-so/danh-gia?commune=XA-A", data={**form, "token": not_returned})
    assert early.status_code == 409 and "Chỉ đánh giá được sau khi đã trả kết quả." in early.get_data(as_text=True)
    assert count(DossierRating) == 0 and events("dossier.rated") == []


# --- the counts per month -------------------------------------------------------------------------------


def test_the_monthly_counts_per_procedure_and_officer(returned, catalogue):
    def rated(rating, *, returner, code="2.000884", at):
        dossier = returned(returner, code=code)
        with clock_at(at):
            rate_dossier(returner, dossier, rating)
        db.session.commit()

    november, december = vn(2026, 11, 30, 16, 59), vn(2026, 12, 1, 0, 1)  # Vietnam months, not UTC's
    rated("very_satisfied", returner=catalogue.leader, at=november)
    rated("dissatisfied", returner=catalogue.leader, at=november)
    rated("satisfied", returner=catalogue.leader, at=december)
    rated("neutral", returner=catalogue.qo, at=december)
    rated("satisfied", returner=catalogue.qo, code="1.001193", at=december)
    first, last = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
    whole = satisfaction.monthly(catalogue.commune.id, first_month=first, last_month=last)
    assert [(c.month, c.total, c.satisfied, c.satisfied_share) for c in whole] == [
        (dt.date(2026, 11, 1), 2, 1, 0.5),
        (dt.date(2026, 12, 1), 3, 2, 2 / 3),
    ]
    assert whole[1].counts == {
        Rating.very_satisfied: 0,
        Rating.satisfied: 2,
        Rating.neutral: 1,
        Rating.dissatisfied: 0,
    }
    signature, birth = procedure("2.000884").id, procedure("1.001193").id
    per_procedure = satisfaction.by_procedure(catalogue.commune.id, first, last)
    assert sorted((c.month, c.key, c.total, c.satisfied) for c in per_procedure) == sorted(
        [
            (dt.date(2026, 11, 1), signature, 2, 1),
            (dt.date(2026, 12, 1), signature, 2, 1),
            (dt.date(2026, 12, 1), birth, 1, 1),
        ]
    )
    per_officer = satisfaction.by_officer(catalogue.commune.id, first, last)
    assert [(c.month, c.key, dict((k.value, v) for k, v in c.counts.items() if v)) for c in per_officer] == sorted(
        [
            (dt.date(2026, 11, 1), catalogue.leader.id, {"very_satisfied": 1, "dissatisfied": 1}),
            (dt.date(2026, 12, 1), catalogue.leader.id, {"satisfied": 1}),
            (dt.date(2026, 12, 1), catalogue.qo.id, {"neutral": 1, "satisfied": 1}),
        ],
        key=lambda row: (row[0], row[1]),
    )
    assert satisfaction.monthly(catalogue.commune.id, first_month=first, last_month=dt.date(2026, 11, 15))[0].total == 2
    assert satisfaction.monthly(catalogue.other_commune.id, first_month=first, last_month=last) == []


def test_the_ratings_page_for_the_quality_officer_and_leaders(app, returned, catalogue):
    assert signed_in_client(app, catalogue.staff.username).get("/dossiers/satisfaction").status_code == 403
    client = signed_in_client(app, catalogue.leader.username)
    this_year = local_today().year
    empty = client.get("/dossiers/satisfaction").get_data(as_text=True)  # this year's, offered before any rating
    assert 'id="per-month-table-empty"' in empty and f"Không có đánh giá nào trong năm {this_year}." in empty
    dossier = returned(catalogue.leader)
    with clock_at(vn(2026, 12, 8, 11, 0)):
        rate_dossier(catalogue.leader, dossier, "satisfied")
    db.session.commit()
    response = client.get("/dossiers/satisfaction?year=2026")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mức độ hài lòng của công dân năm 2026" in html
    table = re.search(r'<table[^>]*id="per-procedure-table".*?</table>', html, re.S).group(0)
    assert "12/2026" in table and "Chứng thực chữ ký (2.000884)" in table and "100,0 %" in table
    assert "Tỷ lệ hài lòng" in table and "Rất hài lòng" in table and "Không hài lòng" in table
    officers = re.search(r'<table[^>]*id="per-officer-table".*?</table>', html, re.S).group(0)
    assert catalogue.leader.full_name in officers
    assert client.get("/dossiers/satisfaction?year=abc").status_code == 400
    assert client.get("/dossiers/satisfaction?year=1999").status_code == 400  # not a year offered
