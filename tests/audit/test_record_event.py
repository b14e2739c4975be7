"""record_event(): who, when (UTC), what, which record, old -> new, why, from where (IP and request
id, set by the web layer for every request); the hash chain it extends; and the transaction it
shares with the change: a rollback takes the event, and the chain head, with it."""

import datetime as dt
import enum
import hashlib
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from qms.audit.models import GENESIS_HASH, AuditEvent
from qms.audit.services import audit_context, canonical_changes, diff, record_event
from qms.audit.verify import verify_chain
from qms.core.calendar import utcnow
from qms.db import db
from tests.conftest import login
from tests.core.support import events, head_seq, post, signed_in_client, stored_head


class Colour(enum.Enum):
    red = "đỏ"


def canonical(*fields):
    """The serialisation the hash covers, written out independently of the code under test:
    each field as "<number of characters>:<text>", None as empty text. Pinning it here means a
    change to it (which would break every existing chain) fails a test."""
    out = ""
    for value in fields:
        value = "" if value is None else str(value)
        out += f"{len(value)}:{value}"
    return out.encode("utf-8")


def test_an_event_records_who_when_what_which_record_old_new_why_and_from_where(app, make_user):
    user = make_user("staff", username="an", full_name="Nguyễn Văn An")
    before_seq, before_hash = stored_head()
    start = utcnow()
    with audit_context(ip="203.0.113.9", request_id="req-42"):
        event = record_event(
            user,
            "user.updated",
            user,
            reason="Đổi theo quyết định số 12",
            changes={"full_name": ("Nguyễn Văn An", "Nguyễn Văn Ân"), "email": (None, "an@xa.vn")},
        )
    db.session.commit()

    [row] = events(after=before_seq)
    assert row["seq"] == before_seq + 1 and row["prev_hash"] == before_hash
    assert (row["actor_id"], row["actor_name"]) == (user.id, "Nguyễn Văn An")
    assert (row["action"], row["entity_type"], row["entity_id"]) == ("user.updated", "users", str(user.id))
    assert row["commune_id"] == user.commune_id
    assert row["changes"] == {"email": [None, "an@xa.vn"], "full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"]}
    assert row["reason"] == "Đổi theo quyết định số 12"
    assert (row["ip"], row["request_id"]) == ("203.0.113.9", "req-42")
    assert row["occurred_at"].utcoffset() == dt.timedelta(0)
    assert start <= row["occurred_at"] <= utcnow()

    when = row["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    payload = canonical(
        row["seq"],
        before_hash,
        when,
        user.commune_id,
        user.id,
        "Nguyễn Văn An",
        "user.updated",
        "users",
        user.id,
        '{"email":[null,"an@xa.vn"],"full_name":["Nguyễn Văn An","Nguyễn Văn Ân"]}',
        "Đổi theo quyết định số 12",
        "203.0.113.9",
        "req-42",
    )
    assert row["hash"] == hashlib.sha256(payload).hexdigest() == event.hash
    assert stored_head() == (row["seq"], row["hash"])


def test_time_is_stored_in_utc_whatever_the_local_time_zone(app, make_user):
    user = make_user("staff")
    event = record_event(user, "test.time", user)
    db.session.commit()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT occurred_at FROM audit_events WHERE seq = :s"), {"s": event.seq}).scalar()
    if isinstance(stored, str):  # SQLite keeps the text: it must be the UTC time, not Vietnam time
        assert stored == event.occurred_at.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        assert stored == event.occurred_at and stored.utcoffset() is not None


def test_the_system_as_actor_and_a_record_named_by_type_and_id(app, make_commune):
    commune = make_commune()
    event = record_event(None, "demo.loaded", commune_id=commune.id, entity_type="communes", entity_id=commune.id)
    db.session.commit()
    row = events(after=event.seq - 1)[0]
    assert (row["actor_id"], row["actor_name"]) == (None, "")
    assert (row["entity_type"], row["entity_id"], row["commune_id"]) == ("communes", str(commune.id), commune.id)
    assert (row["ip"], row["request_id"]) == ("", "")  # no request, no CLI: nothing to name


def test_changes_are_canonical_json_keeping_vietnamese_dates_in_utc_and_enum_values():
    when = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    text_ = canonical_changes(
        {
            "z": (1, 2),
            "a": (None, "Sổ tay"),
            "at": (None, when),
            "on": (dt.date(2026, 3, 1), None),
            "colour": (None, Colour.red),
        }
    )
    assert text_ == (
        '{"a":[null,"Sổ tay"],"at":[null,"2026-03-01T01:30:00.000000+00:00"],'
        '"colour":[null,"đỏ"],"on":["2026-03-01",null],"z":[1,2]}'
    )
    assert canonical_changes(None) == canonical_changes({}) == "{}"


def test_diff_applies_new_values_and_returns_only_what_really_changed(app, make_user):
    user = make_user("staff", full_name="Cũ", username="diffu")
    assert diff(user, full_name="Cũ", locale="vi") == {}
    assert diff(user, full_name="Mới", locale="vi") == {"full_name": ("Cũ", "Mới")}
    assert user.full_name == "Mới"


def test_events_form_one_gap_free_linked_chain(app, chain):
    rows = events()
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == GENESIS_HASH
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(rows, rows[1:]))
    assert stored_head() == (rows[-1]["seq"], rows[-1]["hash"])
    assert verify_chain().ok


# --- the same transaction as the change ------------------------------------------------------


def test_an_event_rolled_back_disappears_with_the_chain_head(app, make_user):
    user = make_user("staff")
    before = stored_head()
    record_event(user, "test.doomed", user, changes={"x": (1, 2)})
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.doomed")) is not None
    db.session.rollback()
    assert stored_head() == before
    assert events("test.doomed") == []
    # and the chain carries on from where it was, without a gap
    event = record_event(user, "test.kept", user)
    db.session.commit()
    assert (event.seq, event.prev_hash) == (before[0] + 1, before[1])
    assert verify_chain().ok


def test_a_change_and_its_event_roll_back_together(app, make_user, make_commune):
    from qms.auth.models import User
    from qms.auth.services import create_user

    commune = make_commune()
    before = stored_head()
    create_user(None, commune, username="ephemeral", full_name="Tạm", password="Mot-Hai-Ba-Bon-5")
    db.session.rollback()
    assert stored_head() == before and events("user.created", after=before[0]) == []
    assert db.session.scalar(select(User).where(User.username == "ephemeral")) is None


# --- the web layer sets the context of every request -------------------------------------------


@pytest.fixture
def signed_in(app, make_user):
    make_user("staff", username="web")
    return signed_in_client(app, "web")


def test_a_request_records_its_client_ip_and_the_request_id_it_was_given(app, signed_in):
    before = head_seq()
    response = post(
        signed_in,
        "/language",
        {"locale": "en", "next": "/account"},
        page="/account",
        headers={"X-Request-ID": "proxy-7f3a"},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    assert response.status_code == 302
    assert response.headers["X-Request-ID"] == "proxy-7f3a"
    [event] = events(after=before)
    assert event["action"] == "user.locale_changed"
    assert (event["ip"], event["request_id"]) == ("198.51.100.23", "proxy-7f3a")


def test_without_a_request_id_each_request_gets_a_new_one_and_is_told_it(app, signed_in):
    before = head_seq()
    first = post(signed_in, "/language", {"locale": "en"})
    second = post(signed_in, "/language", {"locale": "vi"})
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    assert [e["request_id"] for e in events(after=before)] == ids


def test_a_forwarded_for_header_is_ignored_unless_the_proxy_is_trusted(make_app, make_user):
    make_user("staff", username="fwd")
    for trusted, expected, locale in ((False, "10.1.1.1", "en"), (True, "203.0.113.50", "vi")):
        client = make_app(QMS_PROXY_FIX=trusted).test_client()
        before = head_seq()
        login(client, "fwd")
        post(
            client,
            "/language",
            {"locale": locale},
            headers={"X-Forwarded-For": "203.0.113.50"},
            environ_base={"REMOTE_ADDR": "10.1.1.1"},
        )
        assert events("user.locale_changed", after=before)[0]["ip"] == expected


def test_the_request_context_does_not_outlive_the_request(app, make_user):
    user = make_user("staff")
    # a plain client (not isolated): the request runs in the test's own context, so a context the
    # web layer forgot to reset would still be there afterwards
    plain = FlaskClient(app, app.response_class, use_cookies=True)
    plain.get("/login", headers={"X-Request-ID": "leaky"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    event = record_event(user, "test.after_request", user)
    db.session.commit()
    assert (event.ip, event.request_id) == ("", "")


def test_a_nul_character_in_a_reason_is_refused_and_changes_nothing(app, world):
    """PostgreSQL refuses NUL in text: a reason holding one is refused with a message, before any
    change, instead of failing halfway through it."""
    client = app.test_client()
    login(client, "a_administrator")
    staff = world["a"]["users"]["staff"]
    before = head_seq()
    response = post(
        client, f"/admin/users/{staff.id}/disable", {"reason": "nghỉ\x00việc"}, page=f"/admin/users/{staff.id}"
    )
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert head_seq() == before
    db.session.refresh(staff)
    assert staff.is_active_account


def test_a_request_id_that_does_not_look_like_one_is_replaced(app, signed_in):
    before = head_seq()
    response = post(signed_in, "/language", {"locale": "en"}, headers={"X-Request-ID": "x" * 500})
    generated = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert events(after=before)[0]["request_id"] == generated


def test_an_event_is_never_dated_before_the_one_before_it(app, make_user, monkeypatch):
    """A clock set back (or a second server whose clock is behind) does not make the trail go
    back in time: the event takes its predecessor's time, so a period is one run of events."""
    from qms.audit import services

    user = make_user("staff")
    later = dt.datetime(2036, 5, 1, 8, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    first = record_event(user, "test.first", user)
    monkeypatch.setattr(services, "utcnow", lambda: later - dt.timedelta(minutes=5))
    second = record_event(user, "test.second", user)
    db.session.commit()
    assert second.occurred_at == first.occurred_at == later
    monkeypatch.setattr(services, "utcnow", lambda: later + dt.timedelta(seconds=1))
    assert record_event(user, "test.third", user).occurred_at == later + dt.timedelta(seconds=1)
    db.session.commit()
    assert verify_chain().ok


def test_appending_an_event_reads_the_time_it_follows_from_the_head_it_locks(app, make_user):
    """One update of the head gives the number, the link and the time to follow; no event row is read
    back (a download or a sign-in writes one event: each statement counts)."""
    from qms.audit.models import AuditChainHead
    from tests.core.support import statements

    user = make_user("staff")
    db.session.commit()
    db.session.refresh(user)  # what a request has loaded before it records
    with statements() as seen:
        event = record_event(user, "test.first", user)
        db.session.flush()
    assert not [s for s, _p, _c in seen if "FROM audit_events" in s]
    assert [s.split()[0] for s, _p, _c in seen] == ["UPDATE", "UPDATE", "INSERT"]
    db.session.commit()
    assert db.session.get(AuditChainHead, 1).occurred_at == event.occurred_at


def test_the_migration_gives_the_head_the_time_of_its_event(app, make_user):
    import flask_migrate

    from qms.audit.models import AuditChainHead

    user = make_user("staff")
    event = record_event(user, "test.before_the_migration", user)
    db.session.commit()
    when = event.occurred_at
    db.session.remove()
    flask_migrate.downgrade(revision="0018")
    flask_migrate.upgrade(revision="heads")
    assert db.session.get(AuditChainHead, 1).occurred_at == when
