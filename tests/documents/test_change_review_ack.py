"""Change requests, periodic review ("reviewed, still valid") and distribution with its
"read and understood" tasks, through the services."""

import datetime as dt

import pytest
from sqlalchemy import select

from qms.auth.services import PasswordRefused
from qms.core.calendar import add_months
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents import services
from qms.documents.models import Acknowledgment, ChangeRequestStatus, SignatureMeaning, VersionStatus
from qms.signatures.services import verify
from tests.conftest import PASSWORD
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes

# --- change requests -------------------------------------------------------------------------------


def test_staff_proposes_and_the_quality_officer_accepts(people, effective_version):
    document = effective_version.document
    request = services.propose_change(people.staff, document, what="Thêm ô số CCCD", why="Theo Nghị định mới")
    db.session.commit()
    assert request.status is ChangeRequestStatus.open
    with pytest.raises(DomainError):
        services.accept_change_request(people.staff, request)
    draft = services.accept_change_request(people.author, request, comment="Đồng ý")
    db.session.commit()
    assert request.status is ChangeRequestStatus.accepted and request.draft_version_id == draft.id
    assert draft.status is VersionStatus.draft and draft.issue_no == 2 and draft.based_on_id == effective_version.id
    assert draft.change_summary == "Thêm ô số CCCD" and draft.reason == "Theo Nghị định mới"
    assert draft.primary_file.sha256 == effective_version.primary_file.sha256  # copied from the current file
    with pytest.raises(DomainError):
        services.decline_change_request(people.author, request, reason="late")


def test_a_second_request_joins_the_open_draft(people, effective_version):
    document = effective_version.document
    first = services.propose_change(people.staff, document, what="a", why="b")
    second = services.propose_change(people.leader, document, what="c", why="d")
    draft = services.accept_change_request(people.author, first)
    assert services.accept_change_request(people.author, second) is draft
    assert len([v for v in document.versions if v.status is VersionStatus.draft]) == 1


def test_accepting_while_a_revision_is_in_review_is_refused(people, effective_version):
    document = effective_version.document
    draft = services.create_draft_version(
        people.author, document, filename="b.docx", data=docx_bytes("b"), change_summary="x"
    )
    services.submit_for_review(people.author, draft)
    request = services.propose_change(people.staff, document, what="a", why="b")
    with pytest.raises(DomainError) as refused:
        services.accept_change_request(people.author, request)
    assert refused.value.code == "revision_in_review"


def test_decline_needs_a_reason(people, effective_version):
    request = services.propose_change(people.staff, effective_version.document, what="a", why="b")
    with pytest.raises(DomainError):
        services.decline_change_request(people.author, request, reason=" ")
    services.decline_change_request(people.author, request, reason="Đã có trong quy trình")
    assert request.status is ChangeRequestStatus.declined and request.decided_by_id == people.author.id


def test_proposals_need_what_and_why_and_an_effective_document(people, make_document, effective_version):
    with pytest.raises(DomainError):
        services.propose_change(people.staff, effective_version.document, what="a", why="")
    with pytest.raises(DomainError):
        services.propose_change(people.staff, make_document(), what="a", why="b")  # nothing effective yet
    with pytest.raises(DomainError):
        services.propose_change(people.auditor, effective_version.document, what="a", why="b")


# --- periodic review ---------------------------------------------------------------------------------


def test_confirm_still_valid_resets_the_review_date_without_a_new_version(people, effective_version):
    versions_before = len(effective_version.document.versions)
    today = effective_version.next_review_on + dt.timedelta(days=3)  # overdue
    with pytest.raises(DomainError):
        services.confirm_still_valid(people.staff, effective_version, password=PASSWORD, today=today)
    services.confirm_still_valid(
        people.author, effective_version, password=PASSWORD, comment="Còn phù hợp", today=today
    )
    db.session.commit()
    assert effective_version.next_review_on == add_months(today, 12)
    assert effective_version.signatures[-1].meaning == SignatureMeaning.confirmed
    assert verify(effective_version.signatures[-1]).valid
    assert len(effective_version.document.versions) == versions_before


def test_confirm_needs_the_password(people, effective_version):
    before = effective_version.next_review_on
    with pytest.raises(PasswordRefused):
        services.confirm_still_valid(people.author, effective_version, password="wrong")
    db.session.rollback()
    assert effective_version.next_review_on == before


# --- distribution and acknowledgment ----------------------------------------------------------------


def test_effective_version_creates_tasks_for_the_distribution(people, make_document, make_user, make_unit):
    other_unit = make_unit(people.commune, code="KT")
    elsewhere = make_user("staff", commune=people.commune, units=[other_unit])
    disabled = make_user("staff", commune=people.commune, units=[people.unit])
    from qms.auth.services import disable_user

    disable_user(None, disabled)
    document = make_document(distribution=[(people.unit, "staff"), (None, "leader")])
    version = services.create_draft_version(people.author, document, filename="a.docx", data=docx_bytes("a"))
    db.session.commit()
    assert db.session.scalars(select(Acknowledgment)).all() == []
    walk(version, people)
    assigned = {
        a.user_id for a in db.session.scalars(select(Acknowledgment).where(Acknowledgment.version_id == version.id))
    }
    assert assigned == {people.staff.id, people.leader.id}
    assert elsewhere.id not in assigned and disabled.id not in assigned


def _distribute(people, version, *targets):
    services.set_distribution(people.author, version.document, list(targets) or [(people.unit, None)])
    db.session.commit()


def test_acknowledge_once(people, effective_version):
    _distribute(people, effective_version)
    ack = services.acknowledge_version(people.staff, effective_version)
    db.session.commit()
    assert ack.acknowledged_at is not None
    with pytest.raises(DomainError):
        services.acknowledge_version(people.staff, effective_version)


def test_only_the_effective_version_is_acknowledged(people, effective_version):
    draft = services.create_draft_version(
        people.author, effective_version.document, filename="b.docx", data=docx_bytes("b"), change_summary="x"
    )
    with pytest.raises(DomainError):
        services.acknowledge_version(people.staff, draft)


def test_changing_distribution_reaches_new_users_of_the_current_version(people, effective_version):
    document = effective_version.document
    changes = services.set_distribution(people.author, document, [(None, "staff")])
    db.session.commit()
    assert changes == {"distribution": ([], ["staff"])}
    assert db.session.scalar(
        select(Acknowledgment).where(
            Acknowledgment.user_id == people.staff.id, Acknowledgment.version_id == effective_version.id
        )
    )
    assert services.set_distribution(people.author, document, [(None, "staff")]) == {}
    with pytest.raises(DomainError):
        services.set_distribution(people.staff, document, [(None, "leader")])
    with pytest.raises(DomainError):
        services.set_distribution(people.author, document, [(None, "no-such-role")])


def test_only_the_distribution_acknowledges(people, effective_version):
    """Who may acknowledge a version is its distribution: the people it was assigned to and those whose
    unit or role it reaches now; not anyone signed in."""
    with pytest.raises(DomainError) as refused:
        services.acknowledge_version(people.staff, effective_version)  # distributed to nobody yet
    assert refused.value.message._args[0].startswith("This document is not distributed to you")
    _distribute(people, effective_version, (None, "staff"))  # by role
    assert services.acknowledge_version(people.staff, effective_version).acknowledged_at is not None
    with pytest.raises(DomainError):
        services.acknowledge_version(people.leader, effective_version)
    db.session.rollback()
    _distribute(people, effective_version, (people.unit, None))  # now by unit: the leader is in it
    assert services.acknowledge_version(people.leader, effective_version).acknowledged_at is not None


def test_an_auditor_never_acknowledges_even_when_distributed_to(people, effective_version):
    _distribute(people, effective_version, (people.unit, None), (None, "auditor"))
    assert perm.can_view_version(people.auditor, effective_version)
    assert not perm.can_acknowledge(people.auditor, effective_version)
    with pytest.raises(DomainError) as refused:
        services.acknowledge_version(people.auditor, effective_version)
    assert refused.value.message._args[0].startswith("Auditors read the documents")
