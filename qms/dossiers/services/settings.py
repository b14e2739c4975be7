"""The commune's format of dossier codes (commune.settings[CODE_FORMAT_SETTING]): codes already given
stay as they are; the next dossiers are numbered in the new format."""

from qms.audit.services import record_event
from qms.dossiers import permissions as perm
from qms.dossiers.services.common import require
from qms.dossiers.services.receive import CODE_FORMAT_SETTING, DEFAULT_CODE_FORMAT, check_code_format


def code_format(commune) -> str:
    """The format the commune's next dossier codes are made in."""
    return commune.setting(CODE_FORMAT_SETTING) or DEFAULT_CODE_FORMAT


def update_code_format(actor, commune, *, written, reason=""):
    """Save the commune's dossier code format (see check_code_format). Returns the changes ({} when
    the format is the one in use). Raises DomainError: 403 for anyone but the commune's quality
    officer or administrator, 400 for a format that cannot be read."""
    require(perm.settings_refusal(actor, commune))
    written = check_code_format(written)
    current = code_format(commune)
    if written == current:
        return {}
    commune.settings = {**(commune.settings or {}), CODE_FORMAT_SETTING: written}
    changes = {"dossier_code_format": (current, written)}  # CODE_FORMAT_SETTING
    record_event(actor, "dossier.code_format_changed", commune, commune_id=commune.id, changes=changes, reason=reason)
    return changes
