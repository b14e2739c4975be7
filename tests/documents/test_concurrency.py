"""Two people acting on the same version at once, each in their own app instance ("worker process")
and database session: exactly one wins, the other gets a ConflictError; nothing is overwritten."""

import pytest

from qms.auth.models import User
from qms.db import ConflictError, db
from qms.documents import services
from qms.documents.models import DocumentVersion, SignatureMeaning, VersionStatus
from tests.conftest import PASSWORD
from tests.documents.conftest import walk
from tests.files.samples import docx_bytes


@pytest.fixture
def reviewed(people, make_document, make_user):
    people["qo3"] = make_user("quality_officer", commune=people.commune, username="a_qo3")
    version = services.create_draft_version(people.author, make_document(), filename="a.docx", data=docx_bytes("A"))
    db.session.commit()
    return walk(version, people, to="reviewed")


def test_two_approvers_at_once_one_wins(app, make_app, people, reviewed):
    mine = db.session.get(DocumentVersion, reviewed.id)  # loaded before the other approves
    other_app = make_app()
    with other_app.app_context():
        theirs = db.session.get(DocumentVersion, reviewed.id)
        services.approve_version(db.session.get(User, people.qo3.id), theirs, password=PASSWORD)
        db.session.commit()
    with pytest.raises(ConflictError) as conflict:
        services.approve_version(people.qo2, mine, password=PASSWORD)
    assert conflict.value.status == 409
    db.session.rollback()
    db.session.expire_all()
    version = db.session.get(DocumentVersion, reviewed.id)
    assert version.status is VersionStatus.effective and version.approved_by_id == people.qo3.id
    assert [s.meaning for s in version.signatures] == [SignatureMeaning.reviewed, SignatureMeaning.approved]


def test_two_editors_at_once_one_wins(app, make_app, people, make_document):
    version = services.create_draft_version(people.author, make_document(), filename="a.docx", data=docx_bytes("A"))
    db.session.commit()
    mine = db.session.get(DocumentVersion, version.id)
    other_app = make_app()
    with other_app.app_context():
        theirs = db.session.get(DocumentVersion, version.id)
        services.replace_draft_file(
            db.session.get(User, people.qo2.id), theirs, filename="theirs.docx", data=docx_bytes("theirs")
        )
        db.session.commit()
    with pytest.raises(ConflictError):
        services.replace_draft_file(people.author, mine, filename="mine.docx", data=docx_bytes("mine"))
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(DocumentVersion, version.id).primary_file.filename == "theirs.docx"


def test_acting_on_what_one_saw_earlier_is_a_conflict(people, reviewed):
    """Pages and the API send the row_version they showed: a version changed since is a conflict,
    even when the change happened long before (not only in a simultaneous flush)."""
    seen = reviewed.row_version
    services.return_to_draft(people.qo2, reviewed, password=PASSWORD, comment="Sửa")
    db.session.commit()
    with pytest.raises(ConflictError):
        services.submit_for_review(people.author, reviewed, expected_row_version=seen)
    services.submit_for_review(people.author, reviewed, expected_row_version=reviewed.row_version)
