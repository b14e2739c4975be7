"""The public feedback page: a citizen sends feedback without signing in and gets a reference; the
guards (honeypot, minimum fill time, rate limit per address counted in the database, bounded lengths)
refuse with a message in Vietnamese and store nothing."""

import datetime as dt
import re

from sqlalchemy import func, select

from qms.core.calendar import clock_at, utcnow
from qms.core.ratelimit import ClientHit
from qms.db import db
from qms.feedback.models import FeedbackItem, FeedbackStatus
from tests.conftest import csrf_token, login
from tests.core.support import events
from tests.core.test_form_fields import invalid_fields
from tests.feedback.conftest import ADDRESS, send, stamp


def count(model):
    db.session.rollback()  # see what the requests committed
    stmt = select(func.count()).select_from(model)
    if model is ClientHit:
        stmt = stmt.where(ClientHit.scope == "feedback")  # the feedback box's counts
    return db.session.scalar(stmt)


def alert(response):
    match = re.search(r'role="alert"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return match.group(1).strip() if match else None


def test_a_citizen_sends_feedback_and_gets_a_reference_to_quote(app, world, client):
    response = send(app, client, "XA-A", kind="compliment", message="Cán bộ một cửa rất tận tình.", name="Lê Thị Hoa")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    year = utcnow().year
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"GY-{year}-0001" in html and "Cảm ơn" in html and "UBND xã A" in html
    item = db.session.scalar(select(FeedbackItem))
    assert (item.reference, item.commune_id, item.status) == (
        f"GY-{year}-0001",
        world["a"]["commune"].id,
        FeedbackStatus.waiting,
    )
    assert (item.kind.value, item.message, item.contact_name) == (
        "compliment",
        "Cán bộ một cửa rất tận tình.",
        "Lê Thị Hoa",
    )
    # the reference is shown once: a reload goes back to the form
    assert client.get(response.headers["Location"]).status_code == 302
    # the next one of the commune and year follows; another commune counts its own
    send(app, client, "XA-A")
    send(app, client, "XA-B", address="203.0.113.8")
    assert sorted(db.session.scalars(select(FeedbackItem.reference))) == sorted(
        [f"GY-{year}-0001", f"GY-{year}-0002", f"GY-{year}-0001"]
    )
    # the trail names the item, never what was written or by whom, and keeps no client address
    received = events("feedback.received")
    assert len(received) == 3 and received[0]["actor_id"] is None and received[0]["ip"] == ""
    assert received[0]["reason"] == "public_page"  # shown in words: sent by a citizen from the public page
    assert "Hoa" not in str(received) and "tận tình" not in str(received) and ADDRESS not in str(received)
    # only a keyed hash of the address is kept, for the rate limit
    keys = set(db.session.scalars(select(ClientHit.client_key)))
    assert len(keys) == 2 and all(len(k) == 64 and ADDRESS not in k for k in keys)


def test_the_page_is_public_in_vietnamese_and_linked_from_the_sign_in_page(app, world, client):
    sign_in = client.get("/login").get_data(as_text=True)
    assert 'href="/feedback"' in sign_in and "Gửi góp ý, phản ánh" in sign_in
    chooser = client.get("/feedback")
    html = chooser.get_data(as_text=True)
    assert chooser.status_code == 200 and "/feedback?commune=XA-A" in html and "/feedback?commune=XA-B" in html
    form = client.get("/feedback?commune=XA-A").get_data(as_text=True)
    assert "UBND xã A" in form and "Nội dung" in form and 'name="website"' in form
    honeypot = re.search(
        r'<div class="visually-hidden" aria-hidden="true" id="feedback-trap">\s*'
        r'<label for="website">[^<]+</label>\s*<input[^>]*>',
        form,
    )
    assert honeypot and 'tabindex="-1"' in honeypot.group(0) and 'autocomplete="off"' in honeypot.group(0)
    assert "<script>" not in form and "style=" not in form  # the content security policy allows neither
    assert client.get("/feedback?commune=XA-NONE").status_code == 404


def test_with_one_commune_the_page_is_its_form(app, make_commune, client):
    make_commune(code="XA-ONE", name="UBND xã Một")
    html = client.get("/feedback").get_data(as_text=True)
    assert "UBND xã Một" in html and 'action="/feedback?commune=XA-ONE"' in html


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(app, world, client):
    response = send(app, client, "XA-A", website="http://spam.example")
    assert response.status_code == 400
    assert alert(response) == "Không nhận được nội dung bạn gửi. Hãy để trống ô cuối cùng (ô ẩn) rồi gửi lại."
    assert 'value="http://spam.example"' not in response.get_data(as_text=True)
    assert count(FeedbackItem) == 0 and count(ClientHit) == 0 and events("feedback.received") == []


def test_a_form_sent_too_fast_or_with_a_forged_time_is_refused(app, world, client):
    too_fast = send(app, client, "XA-A", seconds_ago=1, message="Nội dung gửi ngay")
    assert too_fast.status_code == 400
    assert alert(too_fast) == "Nội dung được gửi quá nhanh sau khi mở trang. Hãy kiểm tra lại rồi gửi lại."
    assert "Nội dung gửi ngay" in too_fast.get_data(as_text=True), "what was written is kept to send again"
    forged = send(app, client, "XA-A", shown_at="MTc2NTAwMDAwMA.forged")
    assert forged.status_code == 400 and "hết hạn" in alert(forged)
    stale = send(app, client, "XA-A", seconds_ago=2 * 24 * 3600)
    assert stale.status_code == 400 and "hết hạn" in alert(stale)
    assert count(FeedbackItem) == 0 and count(ClientHit) == 0 and events("feedback.received") == []


def test_lengths_are_bounded_with_a_message_on_the_field(app, world, client):
    response = send(app, client, "XA-A", message="x" * 4001, phone="1" * 21, name="n" * 101, email="not-an-address")
    assert response.status_code == 400
    errors = invalid_fields(response.get_data(as_text=True))
    assert errors["message"].startswith("Tối đa 4000 ký tự.") and errors["name"] == "Tối đa 100 ký tự."
    assert errors["phone"] == "Tối đa 20 ký tự." and errors["email"] == "Vui lòng nhập địa chỉ thư điện tử hợp lệ."
    empty = send(app, client, "XA-A", message="  ")
    assert empty.status_code == 400 and 'id="message-error"' in empty.get_data(as_text=True)
    assert count(FeedbackItem) == 0 and count(ClientHit) == 0


def test_the_rate_limit_holds_across_two_workers_on_one_database(app, make_app, world):
    """Five an hour from one address (QMS_FEEDBACK_PER_HOUR), counted in the database: two app
    instances (two workers) on one database share the count."""
    other = make_app()
    clients = [app.test_client(), other.test_client()]
    for n in range(5):
        assert send(app, clients[n % 2], "XA-A").status_code == 303
    refused = send(other, clients[1], "XA-A", message="Lần thứ sáu")
    assert refused.status_code == 429
    assert alert(refused) == (
        "Đã có quá nhiều nội dung được gửi từ kết nối này trong một giờ qua (tối đa 5). "
        "Vui lòng thử lại sau, hoặc gọi điện cho bộ phận một cửa."
    )
    assert "Lần thứ sáu" in refused.get_data(as_text=True)
    assert count(FeedbackItem) == 5 and count(ClientHit) == 5  # the refused one left nothing
    # another address, or the same one an hour later, is accepted
    assert send(app, clients[0], "XA-A", address="203.0.113.99").status_code == 303
    with clock_at(utcnow() + dt.timedelta(minutes=61)):
        assert send(app, clients[0], "XA-A").status_code == 303
    assert count(FeedbackItem) == 7


def test_the_rate_limit_is_a_setting(make_app, world):
    app = make_app(QMS_FEEDBACK_PER_HOUR=1)
    client = app.test_client()
    assert send(app, client, "XA-A").status_code == 303
    assert send(app, client, "XA-A").status_code == 429


def test_the_counts_are_forgotten_after_a_day_by_a_job(app, world, client):
    from qms.core.jobs import run_jobs

    send(app, client, "XA-A")
    assert run_jobs(app, ["ratelimit.forget"])[0][2] is None
    assert count(ClientHit) == 1
    with clock_at(utcnow() + dt.timedelta(days=1, minutes=1)):
        run_jobs(app, ["ratelimit.forget"])
    assert count(ClientHit) == 0 and count(FeedbackItem) == 1


def test_a_signed_in_person_may_use_the_page_too(app, world, client):
    login(client, "a_staff")
    assert send(app, client, "XA-A").status_code == 303


def test_submissions_at_once_from_one_address_are_counted_exactly(app, make_app, world):
    """Eight submissions sent at the same moment through two workers: exactly five are accepted
    (each is counted after taking the audit chain's lock, so none misses another's count)."""
    from concurrent.futures import ThreadPoolExecutor

    apps = [app, make_app()]
    prepared = []
    for n in range(8):
        target = apps[n % 2]
        client = target.test_client()
        path = "/feedback?commune=XA-A"
        data = {
            "csrf_token": csrf_token(client, path),
            "kind": "feedback",
            "message": f"Góp ý số {n}",
            "shown_at": stamp(target),
        }
        prepared.append((client, path, data))

    def post(args):
        client, path, data = args
        return client.post(path, data=data, environ_base={"REMOTE_ADDR": ADDRESS}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, prepared))
    assert sorted(statuses) == [303] * 5 + [429] * 3
    assert count(FeedbackItem) == 5 and count(ClientHit) == 5
