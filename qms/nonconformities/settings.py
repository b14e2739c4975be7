"""Per-commune rules of the NC register, kept in commune.settings["nonconformities"] over defaults:
the number format (SKPH-{yyyy}-{nnn}, written as document codes are: qms.core.codes), and the code
of the commune's own form for the NC report (its version in force is filled in; none: the built-in
layout)."""

from dataclasses import dataclass
from functools import cached_property

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.audit.services import record_event
from qms.auth.models import ADMINISTRATOR, QUALITY_OFFICER
from qms.core.codes import CodeFormat, Serial, Year
from qms.db import DomainError, db
from qms.documents.models import Document, DocumentKind

SETTINGS_KEY = "nonconformities"
DEFAULTS = {"number_format": "SKPH-{yyyy}-{nnn}", "report_form_code": ""}
FORM_CODE_MAX = 64


@dataclass(frozen=True)
class NcSettings:
    number_format_text: str
    report_form_code: str = ""

    @cached_property
    def number_format(self) -> CodeFormat:
        return CodeFormat(self.number_format_text, "")

    def as_dict(self) -> dict:
        return {"number_format": self.number_format_text, "report_form_code": self.report_form_code}


def nc_settings(commune) -> NcSettings:
    stored = (commune.settings or {}).get(SETTINGS_KEY) or {}
    return NcSettings(
        number_format_text=stored.get("number_format") or DEFAULTS["number_format"],
        report_form_code=stored.get("report_form_code") or DEFAULTS["report_form_code"],
    )


def check_number_format(written: str) -> CodeFormat:
    """A number format has a year and a serial number, and nothing that needs a procedure."""
    parsed = CodeFormat(written, "")
    first = parsed.alternatives[0] if parsed.alternatives else ()
    if len(parsed.alternatives) != 1 or not any(isinstance(i, Year) for i in first):
        raise DomainError(
            _l("A number format has one form with {yyyy} for the year, for example SKPH-{yyyy}-{nnn}."),
            code="invalid_pattern",
        )
    if not any(isinstance(i, Serial) for i in first) or parsed.uses_procedure:
        raise DomainError(_l("A number format has a serial number such as {nnn}, and no {QT}."), code="invalid_pattern")
    return parsed


def check_report_form_code(commune, written: str) -> str:
    """A form of the commune with that code (empty: none, the built-in layout)."""
    code = (written or "").strip()
    if not code:
        return ""
    found = len(code) <= FORM_CODE_MAX and db.session.scalar(
        select(Document.id).where(
            Document.commune_id == commune.id, Document.code == code, Document.kind == DocumentKind.form
        )
    )
    if not found:
        raise DomainError(
            _l("The commune has no form with the code %(code)s.", code=code[:FORM_CODE_MAX]), code="unknown_form"
        )
    return code


def update_nc_settings(actor, commune, *, number_format, report_form_code=None, reason=""):
    """Save the commune's NC number format (numbers already given stay as they are) and, when given,
    the code of its own NC report form ("" for the built-in layout)."""
    if actor is not None and (actor.commune_id != commune.id or not actor.has_role(QUALITY_OFFICER, ADMINISTRATOR)):
        raise DomainError(
            _l("Only a quality officer or the administrator can change these settings."), code="forbidden", status=403
        )
    written = (number_format or "").strip()
    check_number_format(written)
    current = nc_settings(commune)
    form_code = current.report_form_code
    if report_form_code is not None:
        form_code = check_report_form_code(commune, report_form_code)
    changes = {}
    if written != current.number_format_text:
        changes["number_format"] = (current.number_format_text, written)
    if form_code != current.report_form_code:
        changes["report_form_code"] = (current.report_form_code, form_code)
    if changes:
        commune.settings = {
            **(commune.settings or {}),
            SETTINGS_KEY: {"number_format": written, "report_form_code": form_code},
        }
        record_event(actor, "nc.settings_updated", commune, commune_id=commune.id, changes=changes, reason=reason)
    return changes
