"""Signed decisions on any record: one mechanism for every signature in the product.

A signature is made in two steps, because the password check (argon2, slow on purpose) must happen
before the service starts writing: `confirm_password()` first (a wrong password is recorded, counts
toward the account's lock-out whatever is being signed, and refuses), then the service changes its
rows and calls `sign()`, which seals the meaning, the signer, the time and the digest of what is
signed to the subject.

What a signature covers is said by the area that owns the subject, once, with `register_subject()`:
the digest of the subject's content as it is now (a file's SHA-256, or `record_digest()` of the
fields a decision is about), and the identity fields that a seal ties to (a version's code and
issue). `verify()` then answers two questions for any signature: is the seal intact (nobody edited
the signature or moved it to another record), and does the subject still hold what was signed.
"""

import datetime as dt
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.auth.services import reauthenticate
from qms.core.calendar import utcnow
from qms.core.digests import length_prefixed, sha256_hex
from qms.db import db
from qms.signatures.models import Signature

SCHEME = 2
_TAGS = {1: "qms-signature-v1", 2: "qms-signature-v2"}


@dataclass(frozen=True)
class SubjectKind:
    """How signatures on records of one type are sealed and checked."""

    record_type: str  # the table name, as the audit trail names the record
    model: type
    content_digest: Callable  # subject -> digest of what a signature covers, as it is now
    identity: Callable  # subject -> fields a seal is tied to, besides the id


_KINDS: dict = {}


def register_subject(record_type, model, *, content_digest, identity=lambda subject: ()):
    """Declare that records of `model` (table `record_type`) can be signed."""
    _KINDS[record_type] = SubjectKind(record_type, model, content_digest, identity)


def subject_kind(subject_or_type) -> SubjectKind:
    record_type = subject_or_type if isinstance(subject_or_type, str) else subject_or_type.__tablename__
    try:
        return _KINDS[record_type]
    except KeyError:
        raise LookupError(f"records of {record_type} cannot be signed: register_subject() them first") from None


def confirm_password(user, password, *, meaning, subject):
    """Re-authentication before a signature. A wrong password is recorded against the account and
    the subject and raises PasswordRefused (a recorded refusal: the caller's unit of work keeps
    the record); a locked account is refused without looking at the password."""
    reauthenticate(
        user,
        password,
        purpose="signature",
        entity=subject,
        changes={"meaning": (None, str(meaning))},
        wrong=_l("The password is wrong; nothing was signed."),
    )


def _meaning(value) -> str:
    return getattr(value, "value", value)


def seal_of(
    scheme, *, subject_type, subject_id, identity, meaning, signer_id, signer_name, signed_at, signed_digest, comment
) -> str:
    """SHA-256 over length-prefixed fields: what was signed, by whom, when, on which record."""
    when = signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    head = (_TAGS[scheme], subject_id) if scheme == 1 else (_TAGS[scheme], subject_type, subject_id)
    return sha256_hex(length_prefixed(*head, *identity, meaning, signer_id, signer_name, when, signed_digest, comment))


def sign(user, subject, meaning, *, comment="") -> Signature:
    """Seal `meaning` by `user` over the subject's content as it is now; the row is flushed."""
    kind = subject_kind(subject)
    signed_at = utcnow()
    meaning = _meaning(meaning)
    digest = kind.content_digest(subject) or ""
    signature = Signature(
        commune_id=subject.commune_id,
        subject_type=kind.record_type,
        subject_id=subject.id,
        meaning=meaning,
        signer_id=user.id,
        signer_name=user.full_name,
        signed_at=signed_at,
        signed_digest=digest,
        comment=comment,
        scheme=SCHEME,
        seal=seal_of(
            SCHEME,
            subject_type=kind.record_type,
            subject_id=subject.id,
            identity=kind.identity(subject),
            meaning=meaning,
            signer_id=user.id,
            signer_name=user.full_name,
            signed_at=signed_at,
            signed_digest=digest,
            comment=comment,
        ),
    )
    db.session.add(signature)
    db.session.flush()
    return signature


def signature_changes(signature) -> dict:
    """What an audit event of a signed action records about its signature: its meaning (a code the
    trail shows in words), its seal and the digest it covers."""
    return {
        "meaning": (None, signature.meaning),
        "signature": (None, signature.seal),
        "signed_digest": (None, signature.signed_digest),
    }


@dataclass(frozen=True)
class Verification:
    sealed: bool  # the signature is as it was made, on this record
    content_matches: bool  # the record still holds what was signed

    @property
    def valid(self) -> bool:
        return self.sealed and self.content_matches


def _subject(signature):
    kind = subject_kind(signature.subject_type)
    return kind, db.session.get(kind.model, signature.subject_id)


def is_sealed(signature, subject=None) -> bool:
    """Whether the seal still matches the signature's fields and the record it is attached to."""
    kind, found = _subject(signature) if subject is None else (subject_kind(signature.subject_type), subject)
    if found is None or signature.scheme not in _TAGS:
        return False
    expected = seal_of(
        signature.scheme,
        subject_type=signature.subject_type,
        subject_id=signature.subject_id,
        identity=kind.identity(found),
        meaning=signature.meaning,
        signer_id=signature.signer_id,
        signer_name=signature.signer_name,
        signed_at=signature.signed_at,
        signed_digest=signature.signed_digest,
        comment=signature.comment,
    )
    return hmac.compare_digest(expected, signature.seal)


def verify(signature, subject=None, *, current_digest=None) -> Verification:
    """Check a signature. current_digest: the subject's content digest when the caller has it
    already (a page showing several signatures of one record computes it once)."""
    kind, found = _subject(signature) if subject is None else (subject_kind(signature.subject_type), subject)
    if found is None:
        return Verification(False, False)
    digest = kind.content_digest(found) if current_digest is None else current_digest
    return Verification(is_sealed(signature, found), bool(digest) and digest == signature.signed_digest)


def signatures_of(subject) -> list:
    """The signatures on `subject`, oldest first."""
    kind = subject_kind(subject)
    return list(
        db.session.scalars(
            select(Signature)
            .where(Signature.subject_type == kind.record_type, Signature.subject_id == subject.id)
            .order_by(Signature.id)
        )
    )
