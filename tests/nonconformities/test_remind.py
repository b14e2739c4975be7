"""`qms nc remind`: e-mail reminders of action items due within 3 working days or overdue and of
reviews due, through a local SMTP server started by the test (aiosmtpd), once a day each, in the
person's language; without QMS_SMTP_HOST nothing is sent; bad settings and SMTP failures are errors."""

import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from qms.audit.models import AuditEvent
from qms.auth.models import User
from qms.cli import main
from qms.core.calendar import add_working_days, clock_at, local_today, utcnow
from qms.db import db
from qms.nonconformities import services
from tests.nonconformities.conftest import walk_nc


class Inbox:
    """An SMTP server's handler keeping what it receives; addresses in `refuse` are refused."""

    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A local SMTP server, and the app configured to use it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(
        QMS_SMTP_HOST="127.0.0.1", QMS_SMTP_PORT=controller.port, QMS_SMTP_STARTTLS=False, QMS_MAIL_FROM="qms@xa.gov.vn"
    )
    yield inbox
    controller.stop()


@pytest.fixture
def due(people, make_nc):
    """Staff own an overdue item, staff2 (who reads English) one due in two working days, staff one
    due in a month (not reminded); the leader's review is planned for today; a closed NC's items are
    never reminded."""
    for user, address, locale in (
        (people.staff, "staff@xa.gov.vn", "vi"),
        (people.staff2, "hai@xa.gov.vn", "en"),
        (people.leader, "leader@xa.gov.vn", "vi"),
    ):
        user = db.session.get(User, user.id)
        user.email, user.locale = address, locale
    db.session.commit()
    nc = make_nc(title="Trả kết quả muộn hồ sơ khai tử")
    with clock_at(utcnow() - dt.timedelta(days=20)):
        walk_nc(nc, people, to="accepted")
        late = services.add_action(
            people.qo,
            nc,
            what="Lập sổ theo dõi hạn xử lý",
            owner=people.staff,
            due_on=local_today() + dt.timedelta(days=3),
        )
    soon = services.add_action(
        people.qo, nc, what="Tập huấn cán bộ mới", owner=people.staff2, due_on=add_working_days(local_today(), 2)
    )
    services.add_action(
        people.qo, nc, what="Rà soát quy trình", owner=people.staff, due_on=local_today() + dt.timedelta(days=30)
    )
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    closed = walk_nc(make_nc(title="Đã xong"), people)
    db.session.commit()
    return {"nc": nc, "late": late, "soon": soon, "review": review, "closed": closed}


def _sent_events():
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "nc.reminder_sent")
    )


def test_reminders_are_emailed_once_a_day_in_each_persons_language(runner, people, smtp, due):
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "3 reminder(s) e-mailed" in result.output
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    assert set(by_address) == {"staff@xa.gov.vn", "hai@xa.gov.vn", "leader@xa.gov.vn"}
    number = due["nc"].number

    late = by_address["staff@xa.gov.vn"]
    body = late.get_content()
    assert number in late["Subject"] and "Nhắc việc" in late["Subject"] and "quá hạn" in late["Subject"]
    assert "Lập sổ theo dõi hạn xử lý" in body and "Rà soát quy trình" not in body
    assert f"Kính gửi {people.staff.full_name}," in body
    assert due["late"].due_on.strftime("%d/%m/%Y") in body
    assert late["From"].addresses[0].addr_spec == "qms@xa.gov.vn"

    soon = by_address["hai@xa.gov.vn"]
    assert soon["Subject"] == (f"Reminder: action item of {number}, due on {due['soon'].due_on:%d/%m/%Y}")
    assert "Tập huấn cán bộ mới" in soon.get_content() and "Dear Lê Văn Hai," in soon.get_content()

    review = by_address["leader@xa.gov.vn"]
    assert "đánh giá hiệu lực" in review["Subject"] and "hôm nay" in review["Subject"]

    assert _sent_events() == 3  # one audit event per e-mail
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "nc.reminder_sent")).first()
    assert event.entity_type == "nonconformities" and event.entity_id == str(due["nc"].id)

    again = runner.invoke(args=["nc", "remind"])
    assert again.exit_code == 0
    assert "0 reminder(s) e-mailed, 3 already sent today" in again.output
    assert len(smtp.messages) == 3 and _sent_events() == 3


def test_the_job_sends_them_too(app, runner, smtp, due):
    result = runner.invoke(main, args=["jobs", "run", "nc.remind"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "nc.remind: 3 reminder(s) e-mailed" in result.output
    assert len(smtp.messages) == 3


def test_without_an_smtp_host_nothing_is_sent(app, runner, due):
    app.config["QMS_SMTP_HOST"] = None
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 0
    assert "not configured" in result.output and "QMS_SMTP_HOST" in result.output
    assert _sent_events() == 0


def test_bad_settings_are_an_error(app, runner, smtp, due):
    app.config["QMS_MAIL_FROM"] = None
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 1
    assert "QMS_MAIL_FROM" in result.stderr
    assert smtp.messages == [] and _sent_events() == 0


def test_an_unreachable_server_is_an_error(app, runner, due):
    app.config.update(
        QMS_SMTP_HOST="127.0.0.1", QMS_SMTP_PORT=_free_port(), QMS_SMTP_STARTTLS=False, QMS_MAIL_FROM="qms@xa.gov.vn"
    )
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot use the SMTP server 127.0.0.1:")
    assert _sent_events() == 0


def test_a_refused_message_stops_the_run_and_keeps_what_was_sent(app, runner, smtp, due):
    smtp.refuse = {"leader@xa.gov.vn"}  # the review's reminder comes after the items'
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 1
    assert "refused the message" in result.stderr and "2 reminder(s) sent before it failed" in result.stderr
    assert len(smtp.messages) == 2 and _sent_events() == 2
    smtp.refuse = set()
    result = runner.invoke(args=["nc", "remind"])
    assert result.exit_code == 0 and "1 reminder(s) e-mailed, 2 already sent today" in result.output
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages[2:]] == ["leader@xa.gov.vn"]
