"""Per-commune rules of the NC register, kept in commune.settings["nonconformities"] over defaults:
the number format (SKPH-{yyyy}-{nnn}, written as document codes are: qms.core.codes)."""

from dataclasses import dataclass
from functools import cached_property

from flask_babel import lazy_gettext as _l

from qms.audit.services import record_event
from qms.auth.models import ADMINISTRATOR, QUALITY_OFFICER
from qms.core.codes import CodeFormat, Serial, Year
from qms.db import DomainError

SETTINGS_KEY = "nonconformities"
DEFAULTS = {"number_format": "SKPH-{yyyy}-{nnn}"}


@dataclass(frozen=True)
class NcSettings:
    number_format_text: str

    @cached_property
    def number_format(self) -> CodeFormat:
        return CodeFormat(self.number_format_text, "")

    def as_dict(self) -> dict:
        return {"number_format": self.number_format_text}


def nc_settings(commune) -> NcSettings:
    stored = (commune.settings or {}).get(SETTINGS_KEY) or {}
    return NcSettings(number_format_text=stored.get("number_format") or DEFAULTS["number_format"])


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


def update_nc_settings(actor, commune, *, number_format, reason=""):
    """Save the commune's NC number format (numbers already given stay as they are)."""
    if actor is not None and (actor.commune_id != commune.id or not actor.has_role(QUALITY_OFFICER, ADMINISTRATOR)):
        raise DomainError(
            _l("Only a quality officer or the administrator can change these settings."), code="forbidden", status=403
        )
    written = (number_format or "").strip()
    check_number_format(written)
    old = nc_settings(commune).number_format_text
    if old == written:
        return {}
    changes = {"number_format": (old, written)}
    if changes:
        commune.settings = {**(commune.settings or {}), SETTINGS_KEY: {"number_format": written}}
        record_event(actor, "nc.settings_updated", commune, commune_id=commune.id, changes=changes, reason=reason)
    return changes
