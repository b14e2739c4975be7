"""Separation of duties and electronic signatures: who may review and approve, the password
re-entered, what a signature binds, and that it cannot be edited or moved."""

import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from qms.audit.models import AuditEvent
from qms.auth.services import PasswordRefused, SignInRefused, authenticate
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents import services
from qms.documents.models import SignatureMeaning, VersionStatus
from qms.documents.settings import document_settings, update_document_settings
from qms.files.storage import sha256_of
from qms.signatures.models import Signature
from qms.signatures.services import verify
from tests.conftest import PASSWORD
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes


@pytest.fixture
def in_review(people, make_document):
    document = make_document()
    data = docx_bytes("A")
    version = services.create_draft_version(people.author, document, filename="a.docx", data=data)
    db.session.commit()
    version.uploaded_bytes = data
    return walk(version, people, to="in_review")


def test_the_author_neither_reviews_nor_approves(people, in_review):
    with pytest.raises(DomainError) as refused:
        services.review_version(people.author, in_review, password=PASSWORD)
    assert refused.value.status == 403
    services.review_version(people.leader, in_review, password=PASSWORD)
    with pytest.raises(DomainError):
        services.approve_version(people.author, in_review, password=PASSWORD)
    assert not perm.can_approve(people.author, in_review)


def test_reviewer_and_approver_differ_unless_allowed(people, in_review):
    services.review_version(people.qo2, in_review, password=PASSWORD)
    with pytest.raises(DomainError):
        services.approve_version(people.qo2, in_review, password=PASSWORD)
    settings = document_settings(people.commune).as_dict()
    settings["allow_same_reviewer_approver"] = True
    update_document_settings(people.admin, people.commune, **settings)
    services.approve_version(people.qo2, in_review, password=PASSWORD)
    assert in_review.status is VersionStatus.effective


def test_approval_needs_a_review_first(people, in_review):
    with pytest.raises(DomainError):
        services.approve_version(people.qo2, in_review, password=PASSWORD)


def test_who_approves_which_kind_comes_from_settings(people, make_document):
    """Default: a leader approves the policy, a quality officer procedures; both are settings."""
    policy = make_document(kind="policy")
    version = services.create_draft_version(people.author, policy, filename="cs.docx", data=docx_bytes("CS"))
    services.submit_for_review(people.author, version)
    services.review_version(people.qo2, version, password=PASSWORD)
    with pytest.raises(DomainError):
        services.approve_version(people.qo2, version, password=PASSWORD)  # QO does not approve the policy
    assert perm.can_approve(people.leader, version)
    settings = document_settings(people.commune).as_dict()
    settings["approver_roles"]["policy"] = ["quality_officer"]
    update_document_settings(people.admin, people.commune, **settings)
    assert not perm.can_approve(people.leader, version)
    settings["allow_same_reviewer_approver"] = True
    update_document_settings(people.admin, people.commune, **settings)
    services.approve_version(people.qo2, version, password=PASSWORD)
    assert version.status is VersionStatus.effective


def test_staff_and_auditors_cannot_review(people, in_review):
    for user in (people.staff, people.auditor, people.admin):
        with pytest.raises(DomainError):
            services.review_version(user, in_review, password=PASSWORD)


def test_a_wrong_password_signs_nothing_and_is_audited(people, in_review):
    with pytest.raises(PasswordRefused) as refused:
        services.review_version(people.leader, in_review, password="wrong password")
    assert refused.value.code == "bad_password" and refused.value.kept
    db.session.commit()  # the caller's unit of work keeps the failed attempt
    assert in_review.reviewed_by_id is None and in_review.signatures == []
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signature.password_refused"))
    assert failed.actor_id == people.leader.id and failed.entity_id == str(in_review.id)
    assert json.loads(failed.changes) == {"meaning": [None, "reviewed"]}


def test_repeated_wrong_passwords_lock_the_account(app, people, in_review):
    """Failed signature passwords count toward the account's lock-out, like failed sign-ins."""
    for _ in range(app.config["QMS_LOCKOUT_ATTEMPTS"] - 1):
        with pytest.raises(PasswordRefused):
            services.review_version(people.leader, in_review, password="nope")
        db.session.commit()
    with pytest.raises(PasswordRefused) as refused:
        services.review_version(people.leader, in_review, password="nope")
    assert refused.value.code == "locked" and refused.value.status == 429
    db.session.commit()
    assert people.leader.is_locked()
    with pytest.raises(PasswordRefused) as refused:
        services.review_version(people.leader, in_review, password=PASSWORD)
    assert refused.value.code == "locked" and refused.value.status == 429
    with pytest.raises(SignInRefused) as refused:
        authenticate(people.leader.username, PASSWORD)
    assert refused.value.code == "locked"


def test_signature_binds_meaning_signer_time_and_file(people, in_review):
    services.review_version(people.leader, in_review, password=PASSWORD, comment="Đạt")
    db.session.commit()
    signature = in_review.signatures[0]
    assert signature.meaning == SignatureMeaning.reviewed and signature.signer_name == people.leader.full_name
    assert signature.signed_digest == sha256_of(in_review.uploaded_bytes) == in_review.primary_file.sha256
    assert (signature.subject_type, signature.subject_id) == ("document_versions", in_review.id)
    assert verify(signature).valid


def test_a_signature_copied_to_another_version_fails_verification(people, in_review, make_document):
    services.review_version(people.leader, in_review, password=PASSWORD)
    other_doc = make_document()
    other = services.create_draft_version(people.author, other_doc, filename="b.docx", data=docx_bytes("A"))
    db.session.commit()
    original = in_review.signatures[0]
    copy = Signature(
        commune_id=original.commune_id,
        subject_type=original.subject_type,
        subject_id=other.id,
        signer_id=original.signer_id,
        signer_name=original.signer_name,
        meaning=original.meaning,
        signed_at=original.signed_at,
        signed_digest=original.signed_digest,
        comment=original.comment,
        seal=original.seal,
        scheme=original.scheme,
    )
    db.session.add(copy)
    db.session.commit()
    assert verify(original).sealed
    assert not verify(copy).sealed


def test_signatures_are_append_only_in_the_database(people, in_review):
    services.review_version(people.leader, in_review, password=PASSWORD)
    db.session.commit()
    for statement in ("UPDATE signatures SET signer_name = 'someone else'", "DELETE FROM signatures"):
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text(statement))
        db.session.rollback()


def test_a_signature_shows_when_the_file_changed_after_it(people, in_review):
    services.review_version(people.leader, in_review, password=PASSWORD)
    services.return_to_draft(people.qo2, in_review, password=PASSWORD, comment="Sửa lại")
    services.replace_draft_file(people.author, in_review, filename="a2.docx", data=docx_bytes("A2"))
    db.session.commit()
    reviewed = in_review.signatures[0]
    check = verify(reviewed)
    assert check.sealed and not check.content_matches
    assert reviewed.signed_digest != in_review.primary_file.sha256


def test_other_commune_users_can_do_nothing(people, in_review):
    for call in (
        lambda: services.review_version(people.other_qo, in_review, password=PASSWORD),
        lambda: services.submit_for_review(people.other_qo, in_review),
        lambda: services.propose_change(people.other_staff, in_review.document, what="a", why="b"),
    ):
        with pytest.raises(DomainError):
            call()
