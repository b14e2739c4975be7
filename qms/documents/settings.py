"""Per-commune rules of document control, kept in commune.settings["documents"] over defaults.

Codes follow local custom, and who reviews and approves differs between communes, so these are
data an officer can change (on the settings page), never constants in the code.
"""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.auth.models import ADMINISTRATOR, LEADER, QUALITY_OFFICER, Role
from qms.db import DomainError, db
from qms.documents.models import DocumentKind

SETTINGS_KEY = "documents"

# Kinds whose versions go through review and approval (documents of external origin are registered).
CONTROLLED_KINDS = tuple(k for k in DocumentKind if k is not DocumentKind.external)

# Every code: letters, digits, dots, dashes, underscores (it appears in URLs and file names).
CODE_CHARSET = re.compile(r"[^\W_](?:[\w.\-]*[^\W_])?")
CODE_MAX = 64

DEFAULTS = {
    "code_patterns": {
        "policy": r"(CS|MT)-\d{2}(-\d{4})?",
        "procedure": r"QT-\d{2}",
        "instruction": r"HD-\d{2}(-QT-\d{2})?",
        "form": r"BM-\d{2}-QT-\d{2}",
        "internal": r"TL-\d{2}",
        "external": "",  # any code: laws and decrees carry their own numbers
    },
    "reviewer_roles": {kind.value: [QUALITY_OFFICER, LEADER] for kind in CONTROLLED_KINDS},
    "approver_roles": {
        kind.value: [LEADER] if kind is DocumentKind.policy else [QUALITY_OFFICER] for kind in CONTROLLED_KINDS
    },
    "allow_same_reviewer_approver": False,
    "review_interval_months": 12,
}

INTERVAL_MIN, INTERVAL_MAX = 1, 60


@dataclass(frozen=True)
class DocumentSettings:
    code_patterns: dict
    reviewer_roles: dict
    approver_roles: dict
    allow_same_reviewer_approver: bool
    review_interval_months: int

    def code_pattern(self, kind) -> str:
        return self.code_patterns.get(_kind_value(kind), "")

    def code_fits(self, kind, code) -> bool:
        pattern = self.code_pattern(kind)
        return not pattern or re.fullmatch(pattern, code) is not None

    def reviewers_for(self, kind) -> frozenset:
        return frozenset(self.reviewer_roles.get(_kind_value(kind), ()))

    def approvers_for(self, kind) -> frozenset:
        return frozenset(self.approver_roles.get(_kind_value(kind), ()))

    def as_dict(self) -> dict:
        return {
            "code_patterns": dict(self.code_patterns),
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
        code_patterns=merged["code_patterns"],
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
    code_patterns,
    reviewer_roles,
    approver_roles,
    allow_same_reviewer_approver,
    review_interval_months,
    reason="",
):
    """Validate and save the commune's document-control settings; records old and new values.

    Raises DomainError naming the first invalid entry (a pattern that is not a regular expression,
    an unknown role, a kind nobody could approve, an interval out of range). actor None: the system.
    """
    if actor is not None and (actor.commune_id != commune.id or not actor.has_role(QUALITY_OFFICER, ADMINISTRATOR)):
        raise DomainError(
            _l("Only a quality officer or the administrator can change these settings."), code="forbidden", status=403
        )
    roles = known_role_codes()
    patterns = {}
    for kind in DocumentKind:
        pattern = (code_patterns.get(kind.value) or "").strip()
        if len(pattern) > 200:
            raise DomainError(_l("The code format for %(kind)s is too long.", kind=kind.value), code="invalid_pattern")
        try:
            re.compile(pattern)
        except re.error:
            raise DomainError(
                _l("The code format for %(kind)s is not a valid regular expression.", kind=kind.value),
                code="invalid_pattern",
            ) from None
        patterns[kind.value] = pattern
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
        code_patterns=patterns,
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
