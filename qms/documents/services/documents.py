"""Registering documents, changing their details and withdrawing them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qms.audit.services import diff, diff_members, record_event
from qms.core.calendar import utcnow
from qms.db import DomainError, db
from qms.documents import permissions as perm
from qms.documents.models import (
    Access,
    ChangeRequestStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    LegalStatus,
    SignatureMeaning,
    VersionStatus,
)
from qms.documents.search import index_version
from qms.documents.services.change_requests import decide, open_change_requests
from qms.documents.services.common import (
    UNSET,
    confirm_signature,
    current_version,
    flush,
    kind_of,
    pending_version,
    require,
    sign_version,
    text,
)
from qms.documents.services.distribution import set_distribution
from qms.documents.settings import CODE_CHARSET, CODE_MAX, document_settings
from qms.signatures.services import confirm_password


def _in_commune(obj, commune_id, message):
    if obj is not None and obj.commune_id != commune_id:
        raise DomainError(message)


def _check_references(commune_id, kind, *, owning_unit, owner, parent, legal_bases):
    _in_commune(owning_unit, commune_id, _l("The owning unit belongs to another commune."))
    _in_commune(owner, commune_id, _l("The owner belongs to another commune."))
    if parent is not None:
        _in_commune(parent, commune_id, _l("The parent document belongs to another commune."))
        if parent.kind is not DocumentKind.procedure:
            raise DomainError(_l("A form or instruction can belong only to a procedure."))
    if kind is DocumentKind.form and parent is None:
        raise DomainError(_l("A form belongs to a procedure: choose its procedure."), code="parent_required")
    if parent is not None and kind not in (DocumentKind.form, DocumentKind.instruction):
        raise DomainError(_l("Only forms and instructions belong to a procedure."))
    for basis in legal_bases:
        _in_commune(basis, commune_id, _l("A legal basis belongs to another commune."))
        if basis.kind is not DocumentKind.external:
            raise DomainError(_l("A legal basis must be a document of external origin."))
    if legal_bases and kind is DocumentKind.external:
        raise DomainError(_l("A document of external origin has no legal bases of its own."))


def _check_external(kind, *, issuer, number, legal_status):
    if kind is DocumentKind.external:
        if not issuer or not number:
            raise DomainError(
                _l("A document of external origin needs its issuer and number."), code="external_required"
            )
        if legal_status is None:
            raise DomainError(
                _l("Choose whether the document is in force, amended, replaced or repealed."), code="external_required"
            )
    elif issuer or number or legal_status is not None:
        raise DomainError(_l("Issuer, number and legal status belong to documents of external origin only."))


def _legal_status(value):
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, LegalStatus) else LegalStatus(value)
    except ValueError:
        raise DomainError(_l("Unknown legal status.")) from None


def _access(value):
    try:
        return value if isinstance(value, Access) else Access(value)
    except ValueError:
        raise DomainError(_l("Unknown access level.")) from None


def _check_numbers(review_interval_months, retention_years):
    if not 1 <= int(review_interval_months) <= 60:
        raise DomainError(_l("The review interval is between %(a)d and %(b)d months.", a=1, b=60))
    if retention_years is not None and not 1 <= int(retention_years) <= 100:
        raise DomainError(
            _l("The retention period is between 1 and 100 years (leave it empty to keep the document permanently).")
        )


def create_document(
    actor,
    commune,
    *,
    code,
    title,
    kind,
    field="",
    owning_unit=None,
    owner=None,
    parent=None,
    review_interval_months=None,
    retention_years=None,
    access=Access.internal,
    legal_bases=(),
    distribution=(),
    issuer="",
    number="",
    issued_on=None,
    effective_on=None,
    legal_status=None,
):
    """Register a document (no version yet). Raises DomainError for a code that does not follow the
    commune's format for its kind or is taken, and for references that do not fit (a form without a
    procedure, a legal basis that is not external, anything of another commune)."""
    require(
        None
        if perm.can_create_document(actor) and actor.commune_id == commune.id
        else _l("Only a quality officer can register documents.")
    )
    kind = kind_of(kind)
    code, title = text(code), text(title)
    settings = document_settings(commune)
    if not code or len(code) > CODE_MAX or not CODE_CHARSET.fullmatch(code):
        raise DomainError(
            _l("A code has letters, digits, dots and dashes, without spaces (for example QT-01)."), code="invalid_code"
        )
    if not settings.code_fits(kind, code):
        raise DomainError(
            _l(
                "The code %(code)s does not follow this commune's format for this kind of document (%(pattern)s).",
                code=code,
                pattern=settings.code_rule(kind),
            ),
            code="invalid_code",
        )
    procedure = parent if parent is not None and parent.kind is DocumentKind.procedure else None
    if procedure is not None and not settings.code_fits(kind, code, procedure.code):
        raise DomainError(
            _l(
                "The code %(code)s names another procedure than the one it belongs to (%(procedure)s).",
                code=code,
                procedure=procedure.code,
            ),
            code="invalid_code",
        )
    if db.session.scalar(select(Document.id).where(Document.commune_id == commune.id, Document.code == code)):
        raise DomainError(_l("The code %(code)s is already used.", code=code), code="taken", status=409)
    if not title:
        raise DomainError(_l("Enter the title."), code="title_required")
    legal_bases = list(legal_bases)
    legal_status = _legal_status(legal_status)
    _check_references(commune.id, kind, owning_unit=owning_unit, owner=owner, parent=parent, legal_bases=legal_bases)
    issuer, number = text(issuer, 300), text(number, 100)
    _check_external(kind, issuer=issuer, number=number, legal_status=legal_status)
    interval = settings.review_interval_months if review_interval_months is None else int(review_interval_months)
    _check_numbers(interval, retention_years)
    document = Document(
        commune_id=commune.id,
        code=code,
        title=title[:500],
        kind=kind,
        field=text(field, 120),
        owning_unit_id=owning_unit.id if owning_unit else None,
        owner_id=owner.id if owner else None,
        parent_id=parent.id if parent else None,
        review_interval_months=interval,
        retention_years=retention_years,
        access=_access(access),
        created_by_id=actor.id,
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        effective_on=effective_on,
        legal_status=legal_status,
        status=DocumentStatus.active,
    )
    document.legal_bases = legal_bases
    db.session.add(document)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_l("The code %(code)s is already used.", code=code), code="taken", status=409) from None
    record_event(
        actor,
        "document.created",
        document,
        changes={
            "code": (None, code),
            "title": (None, document.title),
            "kind": (None, kind.value),
            "parent": (None, parent.code if parent else None),
            "legal_bases": (None, [b.code for b in legal_bases]) if legal_bases else (None, []),
        },
    )
    if distribution:
        set_distribution(actor, document, distribution)
    return document


def update_document(
    actor,
    document,
    *,
    reason="",
    title=UNSET,
    field=UNSET,
    owning_unit=UNSET,
    owner=UNSET,
    parent=UNSET,
    review_interval_months=UNSET,
    retention_years=UNSET,
    access=UNSET,
    legal_bases=UNSET,
    issuer=UNSET,
    number=UNSET,
    issued_on=UNSET,
    effective_on=UNSET,
    legal_status=UNSET,
):
    """Change a document's metadata (code and kind stay: they identify it). Only the arguments given
    are changed; returns {field: (old, new)}. The review interval applies from the next effective
    version or periodic review."""
    require(
        None if perm.can_edit_document(actor, document) else _l("Only a quality officer can change an active document.")
    )
    given = {
        k: v
        for k, v in dict(
            title=title,
            field=field,
            review_interval_months=review_interval_months,
            retention_years=retention_years,
            issuer=issuer,
            number=number,
            issued_on=issued_on,
            effective_on=effective_on,
        ).items()
        if v is not UNSET
    }
    for key, limit in (("title", 500), ("field", 120), ("issuer", 300), ("number", 100)):
        if key in given:
            given[key] = text(given[key], limit)
    if "title" in given and not given["title"]:
        raise DomainError(_l("Enter the title."), code="title_required")
    if access is not UNSET:
        given["access"] = _access(access)
    if legal_status is not UNSET:
        given["legal_status"] = _legal_status(legal_status)
    new_unit = document.owning_unit if owning_unit is UNSET else owning_unit
    new_owner = document.owner if owner is UNSET else owner
    new_parent = document.parent if parent is UNSET else parent
    new_bases = list(document.legal_bases if legal_bases is UNSET else legal_bases)
    if new_parent is not None and new_parent.id == document.id:
        raise DomainError(_l("A document cannot belong to itself."))
    _check_references(
        document.commune_id,
        document.kind,
        owning_unit=new_unit,
        owner=new_owner,
        parent=new_parent,
        legal_bases=new_bases,
    )
    _check_external(
        document.kind,
        issuer=given.get("issuer", document.issuer),
        number=given.get("number", document.number),
        legal_status=given.get("legal_status", document.legal_status),
    )
    _check_numbers(
        given.get("review_interval_months", document.review_interval_months),
        given.get("retention_years", document.retention_years),
    )
    changes = diff(document, **given)
    for name, new, attr in (
        ("owning_unit", new_unit, "owning_unit_id"),
        ("owner", new_owner, "owner_id"),
        ("parent", new_parent, "parent_id"),
    ):
        old_id, new_id = getattr(document, attr), new.id if new is not None else None
        if old_id != new_id:
            old_obj = getattr(document, name)
            changes[name] = (_label(old_obj), _label(new))
            setattr(document, attr, new_id)
            setattr(document, name, new)
    changes.update(diff_members(document, "legal_bases", new_bases))
    if changes:
        record_event(actor, "document.updated", document, changes=changes, reason=reason)
        if "effective_on" in changes:
            _follow_effective_on(actor, document, reason)
        for version in document.versions:
            if version.status in perm.PENDING or version.status is VersionStatus.effective:
                index_version(version)
    return changes


def _follow_effective_on(actor, document, reason):
    """The registered text of a document of external origin is in force from the text's own effective
    date: when that date is corrected, the text registered last (in force, or waiting for its day)
    follows it."""
    if document.kind is not DocumentKind.external or document.effective_on is None:
        return
    version = pending_version(document) or current_version(document)
    if version is None or version.effective_date == document.effective_on:
        return
    changes = diff(version, effective_date=document.effective_on)
    record_event(actor, "document.version.updated", version, changes=changes, reason=reason)


def _label(obj):
    if obj is None:
        return None
    return getattr(obj, "code", None) or getattr(obj, "username", None) or str(obj.id)


def withdraw_document(actor, document, *, password, reason):
    """Withdraw a document (obsolete): its effective and pending versions become obsolete, open change
    requests are declined. A signed action; the reason is required."""
    require(perm.withdraw_refusal(actor, document))
    reason = text(reason)
    if not reason:
        raise DomainError(_l("Say why the document is withdrawn."), code="reason_required")
    versions = [v for v in document.versions if v.status in perm.PENDING or v.status is VersionStatus.effective]
    signed = next((v for v in versions if v.status is VersionStatus.effective), None) or (
        document.versions[-1] if document.versions else None
    )
    if signed is not None:
        confirm_signature(actor, password, meaning=SignatureMeaning.withdrawn, version=signed)
    else:
        confirm_password(actor, password, meaning=SignatureMeaning.withdrawn.value, subject=document)
    now = utcnow()
    for version in versions:
        old = version.status
        version.status, version.withdrawn_at = VersionStatus.obsolete, now
        flush()
        record_event(
            actor, "document.version.withdrawn", version, changes={"status": (old, version.status)}, reason=reason
        )
    changes = diff(document, status=DocumentStatus.obsolete, withdrawn_at=now, withdrawn_reason=reason)
    if signed is not None:
        changes.update(sign_version(actor, signed, SignatureMeaning.withdrawn, reason))
    record_event(actor, "document.withdrawn", document, changes=changes, reason=reason)
    for request in open_change_requests(document):
        decide(actor, request, ChangeRequestStatus.declined, reason)
    return document
