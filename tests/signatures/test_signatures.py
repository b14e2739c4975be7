"""One signature mechanism for every signed decision: a record kind defined here (standing in for a
nonconformity) is signed, verified, and fails verification when the record or the signature changes;
a wrong password counts toward the account's lock-out whatever is being signed; signatures made by
document control before the mechanism existed migrate with their meaning, time and digests and
still verify."""

import datetime as dt

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from qms.audit.models import AuditEvent
from qms.auth.services import PasswordRefused, SignInRefused, authenticate
from qms.core.digests import length_prefixed, record_digest, sha256_hex
from qms.db import db
from qms.signatures.models import Signature
from qms.signatures.services import confirm_password, register_subject, sign, signatures_of, verify
from tests.conftest import PASSWORD


class Base(DeclarativeBase):
    """Tables of this test only, kept out of the application's metadata and migrations."""


class Finding(Base):
    __tablename__ = "test_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20))


register_subject(
    Finding.__tablename__,
    Finding,
    content_digest=lambda f: record_digest({"title": f.title, "severity": f.severity}),
    identity=lambda f: (f"F-{f.id:03d}",),
)


@pytest.fixture
def findings(app, world):
    Base.metadata.create_all(db.engine, tables=[Finding.__table__])
    a = world["a"]["commune"]
    rows = [
        Finding(commune_id=a.id, title="Hồ sơ trả muộn 2 ngày", severity="minor"),
        Finding(commune_id=a.id, title="Biểu mẫu hết hiệu lực còn dùng", severity="major"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    yield rows
    db.session.rollback()
    Base.metadata.drop_all(db.engine, tables=[Finding.__table__])


def test_a_signature_on_another_kind_of_record_verifies(world, findings):
    leader = world["a"]["users"]["leader"]
    confirm_password(leader, PASSWORD, meaning="closed", subject=findings[0])
    signature = sign(leader, findings[0], "closed", comment="Đã khắc phục")
    db.session.commit()
    assert (signature.subject_type, signature.subject_id, signature.meaning) == (
        "test_findings",
        findings[0].id,
        "closed",
    )
    assert signature.signed_digest == record_digest({"title": "Hồ sơ trả muộn 2 ngày", "severity": "minor"})
    assert verify(signature).valid
    assert signatures_of(findings[0]) == [signature] and signatures_of(findings[1]) == []


def test_it_no_longer_matches_when_the_record_changes(world, findings):
    signature = sign(world["a"]["users"]["leader"], findings[0], "closed")
    db.session.commit()
    findings[0].severity = "major"
    db.session.commit()
    check = verify(signature)
    assert check.sealed and not check.content_matches and not check.valid
    findings[0].severity = "minor"
    db.session.commit()
    assert verify(signature).valid


def test_an_edited_or_moved_signature_no_longer_verifies(world, findings):
    signature = sign(world["a"]["users"]["leader"], findings[0], "closed")
    db.session.commit()
    forged_time = Signature(
        **{c.name: getattr(signature, c.name) for c in Signature.__table__.columns if c.name != "id"}
    )
    forged_time.signed_at = signature.signed_at - dt.timedelta(days=1)
    moved = Signature(**{c.name: getattr(signature, c.name) for c in Signature.__table__.columns if c.name != "id"})
    moved.subject_id = findings[1].id
    db.session.add_all([forged_time, moved])
    db.session.commit()
    assert not verify(forged_time).sealed
    assert not verify(moved).sealed


def test_a_wrong_password_counts_toward_the_lockout_whatever_is_signed(app, world, findings):
    leader = world["a"]["users"]["leader"]
    for _ in range(app.config["QMS_LOCKOUT_ATTEMPTS"] - 1):
        with pytest.raises(PasswordRefused) as refused:
            confirm_password(leader, "not the password", meaning="closed", subject=findings[0])
        assert refused.value.code == "bad_password"
        db.session.commit()
    with pytest.raises(PasswordRefused) as refused:
        confirm_password(leader, "not the password", meaning="closed", subject=findings[1])
    assert refused.value.code == "locked"
    db.session.commit()
    refusals = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "signature.password_refused"))
    assert [(e.entity_type, e.actor_id) for e in refusals][-1] == ("test_findings", leader.id)
    with pytest.raises(SignInRefused):
        authenticate(leader.username, PASSWORD)


def _v1_seal(version_id, code, issue_no, meaning, signer_id, signer_name, signed_at, file_sha256, comment):
    """The seal document control wrote before signatures had a home of their own."""
    when = signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return sha256_hex(
        length_prefixed(
            "qms-signature-v1", version_id, code, issue_no, meaning, signer_id, signer_name, when, file_sha256, comment
        )
    )


def test_signatures_made_before_the_migration_still_verify(app, world):
    from qms.documents import services
    from tests.files.samples import docx_bytes

    qo = world["a"]["users"]["quality_officer"]
    document = services.create_document(qo, world["a"]["commune"], code="QT-01", title="Quy trình", kind="procedure")
    version = services.create_draft_version(qo, document, filename="qt.docx", data=docx_bytes("QT-01"))
    db.session.commit()
    version_id, file_sha = version.id, version.primary_file.sha256
    leader = world["a"]["users"]["leader"]
    commune_id, leader_id, leader_name = world["a"]["commune"].id, leader.id, leader.full_name
    signed_at = dt.datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=dt.UTC)
    db.session.remove()
    downgrade(revision="0003")
    seal = _v1_seal(version_id, "QT-01", 1, "reviewed", leader_id, leader_name, signed_at, file_sha, "Đạt")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO signatures (commune_id, version_id, signer_id, signer_name, meaning, signed_at, "
                "file_sha256, comment, digest) VALUES (:c, :v, :s, :n, 'reviewed', :t, :f, 'Đạt', :d)"
            ),
            {
                "c": commune_id,
                "v": version_id,
                "s": leader_id,
                "n": leader_name,
                "t": signed_at if db.engine.dialect.name == "postgresql" else signed_at.replace(tzinfo=None),
                "f": file_sha,
                "d": seal,
            },
        )
    upgrade()
    [signature] = db.session.scalars(sa.select(Signature)).all()
    assert (signature.subject_type, signature.subject_id, signature.scheme) == ("document_versions", version_id, 1)
    assert (signature.meaning, signature.signed_at, signature.signed_digest, signature.seal) == (
        "reviewed",
        signed_at,
        file_sha,
        seal,
    )
    assert verify(signature).valid
    with pytest.raises(sa.exc.DatabaseError):  # still append-only
        db.session.execute(sa.text("UPDATE signatures SET comment = 'sửa'"))
    db.session.rollback()
