"""The citizens' lookup of a dossier (/tra-cuu-ho-so, public): the QR code's link fills in the code
and writes nothing; the code and the last four digits of the applicant's phone show the procedure,
the received date, the status in words and the due date (with the apology's reason and new date when
one was signed), and nothing personal; a wrong code and wrong digits get the same answer and count
toward the rate limit (qms.core.ratelimit, as the feedback box), which holds across workers and
attempts made at once."""

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.auth.models import Commune
from qms.core.calendar import clock_at
from qms.core.jobs import run_jobs
from qms.db import db
from qms.dossiers import services
from qms.dossiers.services.lookup import last_digits
from qms.dossiers.views.lookup import lookup_url
from tests.conftest import PASSWORD, csrf_token
from tests.core.support import IsolatedClient
from tests.dossiers.conftest import vn
from tests.dossiers.rating_support import ADDRESS, look_up, lookup_hits, lookup_path

NOW = vn(2026, 12, 8, 10, 0)  # Tuesday: the dossiers below were received the day before


@pytest.fixture
def client_class():
    """Requests run in contexts of their own, as in production."""
    return IsolatedClient


@pytest.fixture
def now():
    with clock_at(NOW):
        yield NOW


def event_count():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def alert(response):
    match = re.search(r'role="alert"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return match.group(1).strip() if match else None


def dossier_of(receive, **fields):
    values = {
        "applicant_name": "Nguyễn Văn Ẩn",
        "applicant_phone": "0912 345 678",
        "applicant_address": "Thôn Đông Hòa, xã A",
    }
    values.update(fields)
    return receive(vn(2026, 12, 7, 9, 0), **values)  # signature certification: due Wednesday 09/12


def test_the_qr_codes_link_fills_in_the_code_and_writes_nothing(app, receive, client, now):
    dossier = dossier_of(receive)
    with app.test_request_context():
        url = lookup_url(db.session.get(Commune, dossier.commune_id), dossier.code)
    assert url == f"http://localhost/tra-cuu-ho-so?commune=XA-A&ma={dossier.code}"
    before = event_count()
    page = client.get(url.removeprefix("http://localhost"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "UBND xã A" in html
    assert re.search(rf'<input[^>]*id="code"[^>]*value="{re.escape(dossier.code)}"', html)
    assert 'id="lookup-result"' not in html and "Chứng thực chữ ký" not in html  # nothing shown before the digits
    assert 'inputmode="numeric"' in html and 'name="csrf_token"' in html
    assert "<script>" not in html and "style=" not in html  # the content security policy allows neither
    assert event_count() == before and lookup_hits() == 0


def test_the_code_and_four_digits_show_where_the_dossier_stands_and_nothing_personal(app, receive, client, now):
    dossier = dossier_of(receive)
    before = event_count()
    response = look_up(client, dossier.code, "5678")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    result = re.search(r'<section[^>]*id="lookup-result".*?</section>', html, re.S).group(0)
    assert dossier.code in result and "Chứng thực chữ ký (2.000884)" in result
    assert re.search(r'id="lookup-received">07/12/2026<', result)
    assert "Đang giải quyết" in result and re.search(r'id="lookup-due"><span[^>]*>09/12/2026<', result)
    assert 'id="lookup-late"' not in result and 'id="lookup-apology"' not in result
    # nothing personal, anywhere on the page: not the name, address, phone, nor the digits typed
    for personal in ("Nguyễn Văn Ẩn", "Thôn Đông Hòa", "0912", "345 678", "5678", "Tiếp nhận, kiểm tra giấy tờ"):
        assert personal not in html, personal
    assert 'id="lookup-rating"' not in html  # not returned yet: nothing to rate
    # looking up is not a reading of personal data: nothing recorded, and a right answer is not counted
    assert event_count() == before and lookup_hits() == 0
    # the phone as it was written: spaces, dots, +84 are not digits
    assert last_digits("+84 912.345.678") == "5678" and last_digits("12 3") == ""


def test_a_late_dossier_and_a_new_date_with_the_apology(app, receive, catalogue, client):
    late = dossier_of(receive)
    extended = dossier_of(receive, applicant_phone="0988 000 111")
    with clock_at(vn(2026, 12, 8, 9, 0)):
        services.extend_due_date(
            catalogue.leader,
            extended,
            reason="Cần xác minh thêm với UBND xã B",
            new_due_date=dt.date(2026, 12, 14),
            password=PASSWORD,
        )
        db.session.commit()
    with clock_at(vn(2026, 12, 10, 9, 0)):  # Thursday: the first is past its due date (Wednesday)
        html = look_up(client, late.code, "5678").get_data(as_text=True)
        assert 'id="lookup-late"' in html and "Quá hạn" in html and 'id="lookup-late-note"' in html
        assert 'id="lookup-apology"' not in html
        html = look_up(client, extended.code, "0111").get_data(as_text=True)
    assert re.search(r'id="lookup-due"><span[^>]*>14/12/2026<', html)
    assert re.search(r'id="lookup-apology">Cần xác minh thêm với UBND xã B<', html)
    assert 'id="lookup-late"' not in html  # not late against its new date


def _neutral(response, *codes):
    """The page without what legitimately differs between two attempts: the CSRF token and the code
    typed (sent back in its field)."""
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", response.get_data(as_text=True))
    for code in codes:
        html = html.replace(code, "CODE")
    return html


def test_a_wrong_code_and_wrong_digits_get_the_same_answer_and_are_counted(app, receive, client, now):
    dossier = dossier_of(receive)
    no_phone = dossier_of(receive, applicant_phone="")
    unknown = dossier.code[:-3] + "999"
    wrong_digits = look_up(client, dossier.code, "5679")
    wrong_code = look_up(client, unknown, "5678")
    without_phone = look_up(client, no_phone.code, "0000")
    other_commune = look_up(client, dossier.code, "5678", commune_code="XA-B")
    responses = (wrong_digits, wrong_code, without_phone, other_commune)
    assert {r.status_code for r in responses} == {404}
    assert alert(wrong_digits) == (
        "Không tìm thấy hồ sơ nào có mã và bốn số cuối điện thoại này. Hãy kiểm tra lại mã hồ sơ trên giấy "
        "tiếp nhận hồ sơ và hẹn trả kết quả, và số điện thoại ông/bà đã khai khi nộp hồ sơ."
    )
    assert _neutral(wrong_digits, dossier.code) == _neutral(wrong_code, unknown)
    assert _neutral(wrong_digits, dossier.code) == _neutral(without_phone, no_phone.code)
    assert "Chứng thực chữ ký" not in wrong_digits.get_data(as_text=True)
    assert lookup_hits() == 4  # each attempt counted (a keyed hash of the address), kept after the refusal


def test_a_malformed_entry_is_a_form_error_and_no_guess(app, receive, client, now):
    dossier = dossier_of(receive)
    for digits in ("567", "56a8", "５６７８", ""):
        response = look_up(client, dossier.code, digits)
        assert response.status_code == 400 and 'id="digits-error"' in response.get_data(as_text=True), digits
    assert look_up(client, "", "5678").status_code == 400
    assert look_up(client, "x" * 61, "5678").status_code == 400
    assert lookup_hits() == 0


def test_the_rate_limit_counts_wrong_attempts_and_then_refuses_every_lookup(app, make_app, receive, now):
    limited = make_app(QMS_LOOKUP_FAILURES_PER_HOUR=3)  # a worker with its own setting, on the same database
    client = limited.test_client()
    code = dossier_of(receive).code
    assert look_up(client, code, "5678").status_code == 200  # right: not counted
    for _n in range(3):
        assert look_up(client, code, "1111").status_code == 404
    refused = look_up(client, code, "5678")  # right, but the address has used its attempts
    assert refused.status_code == 429
    assert alert(refused) == (
        "Đã có quá nhiều lần tra cứu không thành công từ kết nối này trong một giờ qua (tối đa 3). "
        "Vui lòng thử lại sau, hoặc gọi điện cho bộ phận một cửa."
    )
    assert 'id="lookup-result"' not in refused.get_data(as_text=True)
    assert lookup_hits() == 3  # the refused attempt is not counted
    assert look_up(client, code, "5678", address="203.0.113.41").status_code == 200  # another address
    with clock_at(now + dt.timedelta(minutes=61)):
        assert look_up(client, code, "5678").status_code == 200
    # the counts are forgotten after a day, by the rate limits' job
    with clock_at(now + dt.timedelta(days=1, minutes=1)):
        assert run_jobs(limited, ["ratelimit.forget"])[0][2] is None
    assert lookup_hits() == 0


def test_the_limit_holds_for_attempts_made_at_once_through_two_workers(app, make_app, receive, now):
    """Eight wrong attempts at the same moment through two workers, five allowed an hour: each is
    checked after taking the lock its client's attempts share, so exactly five are answered and
    counted, three refused."""
    apps = [make_app(QMS_LOOKUP_FAILURES_PER_HOUR=5), make_app(QMS_LOOKUP_FAILURES_PER_HOUR=5)]
    dossier = dossier_of(receive)
    prepared = []
    for n in range(8):
        client = apps[n % 2].test_client()
        data = {"csrf_token": csrf_token(client, lookup_path()), "code": dossier.code, "digits": f"{n:04d}"}
        prepared.append((client, data))

    def post(args):
        client, data = args
        return client.post(lookup_path(), data=data, environ_base={"REMOTE_ADDR": ADDRESS}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, prepared))
    assert sorted(statuses) == [404] * 5 + [429] * 3
    assert lookup_hits() == 5


def test_the_commune_is_chosen_like_the_feedback_boxs(app, world, client, make_commune):
    chooser = client.get("/tra-cuu-ho-so?ma=TTHCC-a-261207-001")
    html = chooser.get_data(as_text=True)
    assert chooser.status_code == 200 and 'id="lookup-communes"' in html
    assert "/tra-cuu-ho-so?commune=XA-A&amp;ma=TTHCC-a-261207-001" in html and "commune=XA-B" in html
    assert client.get("/tra-cuu-ho-so?commune=XA-NONE").status_code == 404
    token = csrf_token(client, "/login")
    assert client.post("/tra-cuu-ho-so", data={"csrf_token": token, "code": "X", "digits": "1234"}).status_code == 404


def test_with_one_commune_the_page_is_its_form(app, make_commune, client):
    make_commune(code="XA-ONE", name="UBND xã Một")
    html = client.get("/tra-cuu-ho-so").get_data(as_text=True)
    assert "UBND xã Một" in html and 'action="/tra-cuu-ho-so?commune=XA-ONE"' in html
