"""The home page per role: each role sees its sections, with real items, or an empty state."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from qms.audit.checkpoints import create_checkpoint
from qms.auth import services
from qms.auth.models import ALL_ROLES, User
from qms.core.calendar import utcnow
from qms.db import db
from tests.conftest import login
from tests.core.support import events

ADMIN_SECTIONS = {"admin-damaged-files", "admin-locked", "admin-without-role", "admin-recent"}
AUDIT_SECTIONS = {"audit-chain", "audit-checkpoint", "audit-recent"}
# Document control (qms/documents/views.py): everyone acknowledges new versions; leaders and quality
# officers review and approve; quality officers also finish drafts, decide change requests and run
# the periodic review.
DOCUMENT_SIGNING = {"documents-review", "documents-approve"}
DOCUMENT_OFFICER = DOCUMENT_SIGNING | {"documents-drafts", "documents-change-requests", "documents-periodic-review"}
EVERYONE = {"account-sign-ins", "documents-acknowledge"}
FEEDBACK = {"feedback-waiting"}  # the citizens' feedback to triage (qms/feedback/home.py)
# Nonconformities (qms/nonconformities/home.py): whoever can act owns items and reviews; the quality
# officer also decides and follows the overdue items.
NC_ACTORS = {"nc-my-actions"}
NC_OFFICER = NC_ACTORS | {"nc-decisions", "nc-overdue"}
# Dossiers (qms/dossiers/home.py): staff and leaders see their dossiers due soon; the quality officer
# the commune's; each of them the dossiers they hold.
DOSSIER_HANDLERS = {"dossiers-warnings", "dossiers-held"}
DOSSIER_OFFICER = {"dossiers-commune-warnings", "dossiers-held"}
# Internal audits (qms/audits/home.py): the audits in which a person has a step to take (the quality
# officer, leaders, and staff or administrators on a team); never the read-only auditor.
AUDIT_DUTIES = {"audits-mine"}


def home(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sections(html):
    """{section key: (list of item texts, has its empty state)} in page order."""
    out = {}
    for key, body in re.findall(r'<section class="card[^"]*" id="section-([\w-]+)">(.*?)</section>', html, re.S):
        items = [
            re.sub(r"<[^>]+>|\s+", " ", li).strip()
            for li in re.findall(r'<li class="list-group-item.*?</li>', body, re.S)
        ]
        out[key] = (items, 'class="empty-state' in body)
    return out


@pytest.mark.parametrize(
    "role, expected",
    [
        ("administrator", ADMIN_SECTIONS | NC_ACTORS | AUDIT_DUTIES | EVERYONE),
        (
            "quality_officer",
            AUDIT_SECTIONS | DOCUMENT_OFFICER | FEEDBACK | NC_OFFICER | DOSSIER_OFFICER | AUDIT_DUTIES | EVERYONE,
        ),
        ("auditor", AUDIT_SECTIONS | EVERYONE),
        ("leader", DOCUMENT_SIGNING | NC_ACTORS | DOSSIER_HANDLERS | AUDIT_DUTIES | EVERYONE),
        ("staff", NC_ACTORS | DOSSIER_HANDLERS | AUDIT_DUTIES | EVERYONE),
        ("installation_admin", EVERYONE),
    ],
)
def test_each_role_sees_its_sections(app, world, role, expected):
    shown = sections(home(app, f"a_{role}"))
    assert set(shown) == expected


def test_a_user_holding_two_roles_sees_both_sets(app, world, make_user):
    make_user("administrator", "auditor", commune=world["a"]["commune"], username="both")
    assert set(sections(home(app, "both"))) == ADMIN_SECTIONS | AUDIT_SECTIONS | NC_ACTORS | AUDIT_DUTIES | EVERYONE


def test_a_user_without_role_is_told_so(app, world, make_user):
    make_user(commune=world["a"]["commune"], username="nobody")
    html = home(app, "nobody")
    assert sections(html) == {} and 'id="no-role"' in html


def test_the_administrator_sections_show_empty_states(app, world):
    for user in db.session.scalars(select(User)):
        user.created_at = utcnow() - dt.timedelta(days=8)
    db.session.commit()
    shown = sections(home(app, "a_administrator"))
    for key in ADMIN_SECTIONS | EVERYONE:
        assert shown[key] == ([], True), key


def test_the_administrator_sees_locked_roleless_and_new_accounts_of_their_commune(app, world, make_user):
    for user in db.session.scalars(select(User)):
        user.created_at = utcnow() - dt.timedelta(days=8)
    for side in ("a", "b"):
        world[side]["users"]["staff"].locked_until = utcnow() + dt.timedelta(minutes=10)
        world[side]["users"]["leader"].locked_until = utcnow() - dt.timedelta(minutes=1)  # lock has ended
    db.session.commit()
    for side in ("a", "b"):
        make_user(commune=world[side]["commune"], username=f"{side}_newcomer", full_name=f"{side} newcomer")
    disabled = make_user(commune=world["a"]["commune"], username="a_gone", full_name="a gone")
    services.disable_user(None, disabled)
    db.session.commit()

    shown = sections(home(app, "a_administrator"))
    locked, _ = shown["admin-locked"]
    assert len(locked) == 1 and "(a_staff)" in locked[0]
    roleless, _ = shown["admin-without-role"]
    assert len(roleless) == 1 and "(a_newcomer)" in roleless[0]
    recent, _ = shown["admin-recent"]
    assert [item.split("(")[1].split(")")[0] for item in recent] == ["a_gone", "a_newcomer"]
    html = home(app, "a_administrator")
    assert f'href="/admin/users/{world["a"]["users"]["staff"].id}"' in html


def test_the_audit_sections_show_the_last_checkpoint_and_recent_events(app, world):
    shown = sections(home(app, "a_auditor"))
    assert shown["audit-checkpoint"] == ([], True)
    items, empty = shown["audit-recent"]
    commune_a = [e for e in events() if e["commune_id"] == world["a"]["commune"].id]
    assert not empty
    assert [item.split()[0] for item in items] == [f"#{e['seq']}" for e in reversed(commune_a)][:10]

    checkpoint = create_checkpoint(b"k" * 32)
    db.session.commit()
    shown = sections(home(app, "a_quality_officer"))
    [item], empty = shown["audit-checkpoint"]
    assert not empty and str(checkpoint.seq) in item
    assert all(" b " not in e and "b_" not in e for e in shown["audit-recent"][0])


def test_recent_events_are_those_of_the_users_commune_only(app, world):
    services.update_user(world["b"]["users"]["administrator"], world["b"]["users"]["staff"], full_name="Renamed B")
    db.session.commit()
    items, _ = sections(home(app, "a_auditor"))["audit-recent"]
    assert not any("Sửa tài khoản" in item for item in items)
    items, _ = sections(home(app, "b_auditor"))["audit-recent"]
    assert any("Sửa tài khoản" in item for item in items)


def test_the_recent_events_section_is_empty_for_a_commune_without_events(app, world):
    """In practice every commune has events (its creation); the query still must not borrow others'."""
    from qms.audit.home import recent_events

    with app.test_request_context():
        assert recent_events(SimpleNamespace(commune_id=10_000)) == []


def test_failed_sign_ins_since_the_previous_visit_are_shown(app, world):
    intruder = app.test_client()
    for _ in range(3):
        login(intruder, "a_staff", "Guessing-Password-1")
    shown = sections(home(app, "a_staff"))
    [item], empty = shown["account-sign-ins"]
    assert re.search(r"(^|\D)3\D", item) and not empty
    shown = sections(home(app, "a_staff"))
    assert shown["account-sign-ins"] == ([], True), "seen once: counted from the previous sign-in"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_home_page_renders_in_english_too(app, make_user, world, role):
    make_user(role, commune=world["a"]["commune"], username=f"en_{role}", locale="en")
    html = home(app, f"en_{role}")
    assert '<html lang="en">' in html and "What you have to do next." in html
