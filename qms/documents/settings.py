"""Per-commune rules of document control, kept in commune.settings["documents"] over defaults.

Codes follow local custom, and who reviews and approves differs between communes, so these are
data an officer can change (on the settings page), never constants in the code.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from qms.audit.services import record_event
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, Role
from qms.core.calendar import local_today
from qms.core.codes import MAX_LENGTH, CodeFormat
from qms.db import DomainError, db
from qms.documents.labels import KIND_LABELS
from qms.documents.models import Document, DocumentKind

SETTINGS_KEY = "documents"

# Kinds whose versions go through review and approval (documents of external origin are registered).
CONTROLLED_KINDS = tuple(k for k in DocumentKind if k is not DocumentKind.external)

# Every code: letters, digits, dots, dashes, underscores (it appears in URLs and file names).
CODE_CHARSET = re.compile(r"[^\W_](?:[\w.\-]*[^\W_])?")
CODE_MAX = 64

DEFAULTS = {
    # code formats a quality officer writes (qms.core.codes); "" accepts any code
    "code_formats": {
        "policy": "CS-{nn}[-{yyyy}], MT-{nn}[-{yyyy}]",
        "procedure": "QT-{nn}",
        "instruction": "HD-{nn}[-{QT}]",
        "form": "BM-{nn}-{QT}",
        "internal": "TL-{nn}",
        "external": "",  # any code: laws and decrees carry their own numbers
    },
    # the advanced option: a regular expression, used instead of the kind's format when not empty
    "code_regexes": {kind.value: "" for kind in DocumentKind},
    "reviewer_roles": {kind.value: [QUALITY_OFFICER, LEADER] for kind in CONTROLLED_KINDS},
    "approver_roles": {
        kind.value: [LEADER] if kind is DocumentKind.policy else [QUALITY_OFFICER] for kind in CONTROLLED_KINDS
    },
    "allow_same_reviewer_approver": False,
    "review_interval_months": 12,
}

INTERVAL_MIN, INTERVAL_MAX = 1, 60
Parent = aliased(Document)


@dataclass(frozen=True)
class DocumentSettings:
    code_formats: dict
    code_regexes: dict
    reviewer_roles: dict
    approver_roles: dict
    allow_same_reviewer_approver: bool
    review_interval_months: int

    def code_format(self, kind) -> str:
        return self.code_formats.get(_kind_value(kind), "")

    def code_regex(self, kind) -> str:
        return self.code_regexes.get(_kind_value(kind), "")

    def code_rule(self, kind) -> str:
        """The kind's rule as the officer wrote it (the regular expression when one is set)."""
        return self.code_regex(kind) or self.code_format(kind)

    @cached_property
    def _procedure_regex(self) -> str:
        regex = self.code_regex(DocumentKind.procedure)
        if regex:
            return regex
        written = self.code_format(DocumentKind.procedure)
        return CodeFormat(written, CODE_CHARSET.pattern).regex().pattern if written else CODE_CHARSET.pattern

    def parsed_format(self, kind) -> CodeFormat | None:
        """The kind's format, parsed; None when a regular expression is used instead."""
        if self.code_regex(kind):
            return None
        return CodeFormat(self.code_format(kind), self._procedure_regex)

    def code_fits(self, kind, code, procedure_code=None) -> bool:
        """Does the code follow the kind's rule; {QT} must then be `procedure_code` when given."""
        regex = self.code_regex(kind)
        if regex:
            return re.fullmatch(regex, code) is not None
        return self.parsed_format(kind).fits(code, procedure_code)

    def next_code(self, kind, existing, *, year, procedure_code=None):
        """The next code of the kind's first series (None for a regular expression or any code)."""
        parsed = self.parsed_format(kind)
        return parsed.next_code(existing, year=year, procedure_code=procedure_code) if parsed else None

    def reviewers_for(self, kind) -> frozenset:
        return frozenset(self.reviewer_roles.get(_kind_value(kind), ()))

    def approvers_for(self, kind) -> frozenset:
        return frozenset(self.approver_roles.get(_kind_value(kind), ()))

    def as_dict(self) -> dict:
        return {
            "code_formats": dict(self.code_formats),
            "code_regexes": dict(self.code_regexes),
            "reviewer_roles": {k: sorted(v) for k, v in self.reviewer_roles.items()},
            "approver_roles": {k: sorted(v) for k, v in self.approver_roles.items()},
            "allow_same_reviewer_approver": self.allow_same_reviewer_approver,
            "review_interval_months": self.review_interval_months,
        }


def _kind_value(kind):
    return kind.value if isinstance(kind, DocumentKind) else str(kind)


def document_settings(commune) -> DocumentSettings:
    """The commune's settings, each missing entry taken from DEFAULTS."""
    stored = (commune.settings or {}).get(SETTINGS_KEY) or {}
    merged = {}
    for key, default in DEFAULTS.items():
        value = stored.get(key, default)
        merged[key] = {**default, **value} if isinstance(default, dict) and isinstance(value, dict) else value
    return DocumentSettings(
        code_formats=merged["code_formats"],
        code_regexes=merged["code_regexes"],
        reviewer_roles={k: tuple(v) for k, v in merged["reviewer_roles"].items()},
        approver_roles={k: tuple(v) for k, v in merged["approver_roles"].items()},
        allow_same_reviewer_approver=bool(merged["allow_same_reviewer_approver"]),
        review_interval_months=int(merged["review_interval_months"]),
    )


def max_upload_mb() -> int:
    """The installation's upload limit in MB (QMS_MAX_UPLOAD_MB), the same for every commune."""
    return int(current_app.config["QMS_MAX_UPLOAD_MB"])


def max_upload_bytes() -> int:
    return max_upload_mb() * 1024 * 1024


def known_role_codes() -> set:
    return set(db.session.scalars(select(Role.code)))


def update_document_settings(
    actor,
    commune,
    *,
    code_formats,
    code_regexes=None,
    reviewer_roles,
    approver_roles,
    allow_same_reviewer_approver,
    review_interval_months,
    reason="",
):
    """Validate and save the commune's document-control settings; records old and new values.

    Raises DomainError naming the first invalid entry (a code format that cannot be read, an invalid
    regular expression, an unknown role, a kind nobody could approve, an interval out of range).
    actor None: the system.
    """
    if actor is not None and (actor.commune_id != commune.id or not actor.has_role(QUALITY_OFFICER, ADMINISTRATOR)):
        raise DomainError(
            _l("Only a quality officer or the administrator can change these settings."), code="forbidden", status=403
        )
    roles = known_role_codes()
    formats, regexes = {}, {}
    for kind in DocumentKind:
        written = (code_formats.get(kind.value) or "").strip()
        try:
            CodeFormat(written, CODE_CHARSET.pattern)
        except DomainError as exc:
            raise DomainError(
                _l("The code format for %(kind)s: %(problem)s", kind=KIND_LABELS[kind], problem=exc.message),
                code="invalid_pattern",
            ) from None
        formats[kind.value] = written
        regex = ((code_regexes or {}).get(kind.value) or "").strip()
        if len(regex) > MAX_LENGTH:
            raise DomainError(
                _l("The regular expression for %(kind)s is too long.", kind=KIND_LABELS[kind]), code="invalid_pattern"
            )
        try:
            re.compile(regex)
        except re.error:
            raise DomainError(
                _l("The code rule for %(kind)s is not a valid regular expression.", kind=KIND_LABELS[kind]),
                code="invalid_pattern",
            ) from None
        regexes[kind.value] = regex
    chosen = {"reviewer_roles": {}, "approver_roles": {}}
    for key, given in (("reviewer_roles", reviewer_roles), ("approver_roles", approver_roles)):
        for kind in CONTROLLED_KINDS:
            codes = sorted(set(given.get(kind.value) or ()))
            if set(codes) - roles:
                raise DomainError(_l("Unknown role: %(r)s", r=", ".join(sorted(set(codes) - roles))))
            if not codes:
                raise DomainError(
                    _l(
                        "Choose at least one role that reviews and one that approves each kind of document (%(kind)s).",
                        kind=kind.value,
                    ),
                    code="no_role",
                )
            chosen[key][kind.value] = codes
    try:
        interval = int(review_interval_months)
    except (TypeError, ValueError):
        interval = 0
    if not INTERVAL_MIN <= interval <= INTERVAL_MAX:
        raise DomainError(
            _l("The review interval is between %(a)d and %(b)d months.", a=INTERVAL_MIN, b=INTERVAL_MAX),
            code="invalid_interval",
        )
    new = DocumentSettings(
        code_formats=formats,
        code_regexes=regexes,
        reviewer_roles=chosen["reviewer_roles"],
        approver_roles=chosen["approver_roles"],
        allow_same_reviewer_approver=bool(allow_same_reviewer_approver),
        review_interval_months=interval,
    ).as_dict()
    old = document_settings(commune).as_dict()
    changes = {key: (old[key], new[key]) for key in new if old[key] != new[key]}
    if changes:
        # A new dict, so that SQLAlchemy sees the JSON column change.
        commune.settings = {**(commune.settings or {}), SETTINGS_KEY: new}
        record_event(
            actor, "documents.settings_updated", commune, commune_id=commune.id, changes=changes, reason=reason
        )
    return changes


@dataclass(frozen=True)
class CodeExample:
    """What the settings page says under a kind's code rule."""

    next_code: str | None  # the next code of the series (None: a regular expression, or any code)
    procedure_code: str | None  # the procedure the example belongs to, for formats with {QT}
    codes: int  # codes of this kind the commune has
    misfits: int  # of them, those the rule would refuse (codes given are never changed)
    sentence: str  # all of it, in the reader's language


def code_example(commune, settings: DocumentSettings, kind) -> CodeExample:
    """The next code of `kind` under `settings`, and how many of the commune's codes it would refuse.
    A format with {QT} is shown for the procedure that had a document of this kind last."""
    kind = DocumentKind(_kind_value(kind))
    rows = db.session.execute(
        select(Document.code, Parent.code)
        .outerjoin(Parent, Parent.id == Document.parent_id)
        .where(Document.commune_id == commune.id, Document.kind == kind)
        .order_by(Document.id)
    ).all()
    codes = [code for code, _parent in rows]
    parsed = settings.parsed_format(kind)
    procedure_code = None
    if parsed is not None and parsed.uses_procedure:
        procedure_code = next((parent for _code, parent in reversed(rows) if parent), None) or db.session.scalar(
            select(Document.code)
            .where(Document.commune_id == commune.id, Document.kind == DocumentKind.procedure)
            .order_by(Document.id)
            .limit(1)
        )
    misfits = sum(1 for code, parent in rows if not settings.code_fits(kind, code, parent))
    next_code = settings.next_code(kind, codes, year=local_today().year, procedure_code=procedure_code)
    if next_code and procedure_code:
        said = _("Next code: %(code)s (for %(procedure)s).", code=next_code, procedure=procedure_code)
    elif next_code:
        said = _("Next code: %(code)s.", code=next_code)
    elif settings.code_regex(kind):
        said = _("Codes are checked against the regular expression.")
    elif settings.code_format(kind):
        said = _("Register a procedure first to see an example.")
    else:
        said = _("Any code is accepted.")
    if misfits:
        said += " " + _(
            "%(n)d of the %(total)d codes already given do not follow it (they stay as they are).",
            n=misfits,
            total=len(codes),
        )
    return CodeExample(next_code, procedure_code, len(codes), misfits, said)
