"""GET /api/v1/audit-events: the trail of the token holder's commune with the page's filters and
cursor (never OFFSET), for auditors, quality officers and administrators; JSON errors
{"error", "message"} with 400 on bad input, 401 without a token, 403 for other roles."""

import datetime as dt
from urllib.parse import parse_qs, urlencode

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.audit.services import record_event
from qms.auth import services as auth_services
from qms.auth.models import ALL_ROLES
from qms.db import db
from tests.audit.support import READERS, UTC, clock, later_than_march, no_offset
from tests.core.support import statements


@pytest.fixture
def events_a(app, world):
    """Twelve events of commune a (documents 1..3, three actions) and two of commune b."""
    a, b = world["a"], world["b"]
    staff, qo = a["users"]["staff"], a["users"]["quality_officer"]
    seqs = []
    for n in range(12):
        with clock(dt.datetime(2031, 4, 1 + n, 3, 0, tzinfo=UTC)):
            action = ("document.created", "document.version.approved", "document.acknowledged")[n % 3]
            seqs.append(
                record_event(
                    staff if n % 2 else qo,
                    action,
                    entity_type="documents",
                    entity_id=str(1 + n % 3),
                    reason=f"Sự kiện {n}",
                    changes={"số": (n, n + 1)},
                ).seq
            )
    for _ in range(2):
        record_event(b["users"]["staff"], "document.created", entity_type="documents", entity_id="1")
    later_than_march()
    db.session.commit()
    return seqs


def token_of(user):
    _token, plain = auth_services.create_api_token(user, user, "tests")
    db.session.commit()
    return plain


def api(app, who, status=200, **params):
    """GET the trail as `who` (with a token of theirs) with these query parameters."""
    response = app.test_client().get(
        f"/api/v1/audit-events?{urlencode(params)}", headers={"Authorization": f"Bearer {token_of(who)}"}
    )
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def seqs(body):
    return [e["seq"] for e in body["events"]]


def test_an_auditor_reads_the_communes_events_newest_first(app, world, events_a):
    body = api(app, world["a"]["users"]["auditor"], **{"from": "01/04/2031", "to": "30/04/2031"})
    assert seqs(body) == sorted(events_a, reverse=True)
    assert body["next_cursor"] is None and body["next"] is None
    latest = body["events"][0]
    assert set(latest) == {
        "seq",
        "occurred_at",
        "actor_id",
        "actor_name",
        "action",
        "entity_type",
        "entity_id",
        "changes",
        "reason",
        "ip",
        "request_id",
        "prev_hash",
        "hash",
    }
    assert latest["changes"] == {"số": [11, 12]} and latest["reason"] == "Sự kiện 11"
    assert dt.datetime.fromisoformat(latest["occurred_at"]) == dt.datetime(2031, 4, 12, 3, 0, tzinfo=UTC)
    commune_b = {
        e.seq for e in db.session.scalars(select(AuditEvent).where(AuditEvent.commune_id == world["b"]["commune"].id))
    }
    assert not commune_b & set(seqs(api(app, world["a"]["users"]["auditor"], limit=500)))


@pytest.mark.parametrize(
    "params, picked",
    [
        ({"action": "document.created"}, lambda n: n % 3 == 0),
        ({"action": "document.*"}, lambda n: True),
        ({"action": "document.version.*"}, lambda n: n % 3 == 1),
        ({"entity_type": "documents", "entity_id": "2"}, lambda n: n % 3 == 1),
        ({"from": "03/04/2031", "to": "05/04/2031"}, lambda n: 2 <= n <= 4),
        ({"user": "STAFF"}, lambda n: n % 2 == 1),
        ({"user": "STAFF", "action": "document.acknowledged", "from": "01/04/2031"}, lambda n: n % 2 and n % 3 == 2),
    ],
)
def test_the_same_filters_as_the_page(app, world, events_a, params, picked):
    if params.get("user") == "STAFF":
        params = {**params, "user": str(world["a"]["users"]["staff"].id)}
    body = api(app, world["a"]["users"]["auditor"], **{"to": "30/04/2031", **params})
    assert seqs(body) == sorted((s for n, s in enumerate(events_a) if picked(n)), reverse=True)


def test_the_cursor_walks_the_whole_filtered_trail_without_offset(app, world, events_a):
    auditor = world["a"]["users"]["auditor"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_of(auditor)}"}
    url, pages = "/api/v1/audit-events?action=document.*&from=01/04/2031&to=30/04/2031&limit=5", []
    with statements() as seen:
        while url:
            body = client.get(url, headers=headers).get_json()
            pages.append(seqs(body))
            assert (body["next"] is None) == (body["next_cursor"] is None)
            url = body["next"]
    no_offset(seen)
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [s for p in pages for s in p] == sorted(events_a, reverse=True)


def test_the_next_link_keeps_the_filters_and_the_limit(app, world, events_a):
    body = api(app, world["a"]["users"]["auditor"], action="document.created", limit=2, to="30/04/2031")
    assert body["next_cursor"] == seqs(body)[-1]
    path, query = body["next"].split("?", 1)
    assert path == "/api/v1/audit-events"
    assert parse_qs(query) == {
        "action": ["document.created"],
        "limit": ["2"],
        "before": [str(body["next_cursor"])],
        "to": ["30/04/2031"],
    }


def test_before_is_a_sequence_number(app, world, events_a):
    body = api(app, world["a"]["users"]["auditor"], before=events_a[5], to="30/04/2031", **{"from": "01/04/2031"})
    assert seqs(body) == sorted(events_a[:5], reverse=True)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_auditors_quality_officers_and_administrators(app, world, events_a, role):
    user = world["a"]["users"][role]
    if role in READERS:
        assert api(app, user)["events"]
    else:
        body = api(app, user, status=403)
        assert body["error"] == "forbidden" and body["message"]


def test_no_token_no_trail(app, world, events_a):
    response = app.test_client().get("/api/v1/audit-events")
    assert response.status_code == 401 and set(response.get_json()) == {"error", "message"}
    bad = app.test_client().get("/api/v1/audit-events", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


@pytest.mark.parametrize(
    "params, code",
    [
        ({"from": "31/02/2031"}, "bad_date"),
        ({"to": "tomorrow"}, "bad_date"),
        ({"from": "05/04/2031", "to": "01/04/2031"}, "bad_period"),
        ({"user": "an"}, "bad_user"),
        ({"user": "²"}, "bad_user"),
        ({"user": "99999999999999999999"}, "bad_user"),
        ({"before": "x"}, "bad_cursor"),
        ({"before": "٣"}, "bad_cursor"),
        ({"before": "99999999999999999999999"}, "bad_cursor"),
        ({"limit": "0"}, "bad_limit"),
        ({"limit": "501"}, "bad_limit"),
        ({"limit": "²"}, "bad_limit"),
        ({"limit": "ten"}, "bad_limit"),
    ],
)
def test_bad_input_is_a_400_json_error(app, world, events_a, params, code):
    body = api(app, world["a"]["users"]["auditor"], status=400, **params)
    assert body["error"] == code and isinstance(body["message"], str) and body["message"]


def test_error_messages_speak_the_users_language(app, world, events_a):
    auditor = world["a"]["users"]["auditor"]
    auditor.locale = "en"
    db.session.commit()
    assert api(app, auditor, status=400, user="an")["message"] == "The user filter takes a user id."
    auditor.locale = "vi"
    db.session.commit()
    with app.test_request_context(), force_locale("vi"):
        vietnamese = gettext("The user filter takes a user id.")
    assert vietnamese != "The user filter takes a user id."  # the catalogue has it
    assert api(app, auditor, status=400, user="an")["message"] == vietnamese


def test_the_openapi_document_describes_the_filters_and_the_cursor(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/audit-events"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "from",
        "to",
        "user",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "limit",
    }
    assert "400" in operation["responses"]
