"""Fixtures of the document-control tests: a commune with two quality officers (one drafts, the other
approves), a leader who reviews, staff, an auditor; real .docx/.xlsx files; helpers that walk a
version through its lifecycle with the services."""

import itertools

import pytest

from qms.db import db
from tests.conftest import PASSWORD
from tests.core.support import IsolatedClient
from tests.files.samples import docx_bytes

_n = itertools.count(1)


@pytest.fixture
def client_class():
    """Test clients whose requests each get their own app context, as in production."""
    return IsolatedClient


class People(dict):
    """The commune "a" of the `world` fixture plus a second quality officer; attribute access."""

    __getattr__ = dict.__getitem__


@pytest.fixture
def people(world, make_user):
    a, b = world["a"], world["b"]
    qo2 = make_user(
        "quality_officer", commune=a["commune"], username="a_qo2", full_name="A second QO", units=[a["unit"]]
    )
    return People(
        commune=a["commune"],
        unit=a["unit"],
        author=a["users"]["quality_officer"],
        qo2=qo2,
        leader=a["users"]["leader"],
        staff=a["users"]["staff"],
        auditor=a["users"]["auditor"],
        admin=a["users"]["administrator"],
        other_commune=b["commune"],
        other_qo=b["users"]["quality_officer"],
        other_staff=b["users"]["staff"],
    )


@pytest.fixture
def make_document(people):
    """create_document with sensible defaults (a procedure QT-nn by the first quality officer)."""
    from qms.documents import services

    def factory(code=None, kind="procedure", title=None, actor=None, commit=True, **kw):
        n = next(_n)
        defaults = {
            "procedure": f"QT-{n % 100:02d}",
            "form": f"BM-{n % 100:02d}-QT-01",
            "policy": f"CS-{n % 100:02d}",
            "instruction": f"HD-{n % 100:02d}",
            "internal": f"TL-{n % 100:02d}",
            "external": f"NĐ-{n}",
        }
        document = services.create_document(
            actor or people.author,
            people.commune,
            code=code or defaults[kind],
            title=title or f"Tài liệu {n}",
            kind=kind,
            **kw,
        )
        if commit:
            db.session.commit()
        return document

    return factory


def walk(version, people, *, to="effective", effective_date=None, today=None):
    """Submit, review (leader) and approve (second QO; for the policy the other way round) a draft with
    the services, committing."""
    from qms.documents import services

    services.submit_for_review(people.author, version)
    if to == "in_review":
        db.session.commit()
        return version
    policy = version.document.kind.value == "policy"
    reviewer, approver = (people.qo2, people.leader) if policy else (people.leader, people.qo2)
    services.review_version(reviewer, version, password=PASSWORD)
    if to == "reviewed":
        db.session.commit()
        return version
    services.approve_version(approver, version, password=PASSWORD, effective_date=effective_date, today=today)
    db.session.commit()
    return version


@pytest.fixture
def effective_version(people, make_document):
    """A procedure with its issue 01 effective; returns the version."""
    from qms.documents import services

    document = make_document()
    version = services.create_draft_version(
        people.author, document, filename="Quy trình.docx", data=docx_bytes("Quy trình lần 1")
    )
    db.session.commit()
    return walk(version, people)
