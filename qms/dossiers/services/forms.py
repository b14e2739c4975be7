"""Which document of the commune is which one-stop form (commune.settings["one_stop_forms"]: form
kind -> document code, over DEFAULT_FORMS, the set of Circular 01/2018/TT-VPCP as QT-06 numbers it).
The quality officer changes it on the page of the one-stop forms: moving to the set of Circular
03/2025/TT-VPCP is a revision of the forms, or this setting naming other forms; never a change of
code. The forms themselves are filled by qms.dossiers.fill."""

from flask_babel import lazy_gettext as _l

from qms.audit.services import record_event
from qms.db import DomainError
from qms.documents import services as documents
from qms.dossiers import permissions as perm
from qms.dossiers.services.common import require

SETTING = "one_stop_forms"
DEFAULT_FORMS = {
    "receipt": "BM-01-QT-06",
    "supplement": "BM-02-QT-06",
    "refusal": "BM-03-QT-06",
    "apology": "BM-04-QT-06",
    "control_sheet": "BM-05-QT-06",
    "ledger": "BM-06-QT-06",
}
CODE_MAX = 64


def one_stop_forms(commune) -> dict:
    """{form kind: document code} of the commune (its setting over DEFAULT_FORMS)."""
    stored = commune.setting(SETTING) or {}
    return {kind: (stored.get(kind) or default) for kind, default in DEFAULT_FORMS.items()}


def form_code(commune, kind) -> str:
    return one_stop_forms(commune)[kind]


def kinds_of_code(commune, code) -> list:
    """The form kinds the document `code` serves in the commune (none, or one)."""
    code = (code or "").strip()
    return [kind for kind, used in one_stop_forms(commune).items() if used == code]


class FormSettingRefused(DomainError):
    """A code the setting cannot take; `kind` names the form it was given for."""

    def __init__(self, message, *, kind, code="invalid_form"):
        super().__init__(message, code=code)
        self.kind = kind


def _check_code(actor, commune, kind, written) -> str:
    from qms.core.fill import placeholders
    from qms.dossiers.fill import PLACEHOLDERS, unknown_placeholders

    code = (written or "").strip()
    if not code:
        raise FormSettingRefused(_l("Enter the code of the form."), kind=kind)
    document = documents.document_by_code(actor.commune_id, code) if len(code) <= CODE_MAX else None
    if document is None or document.kind.value != "form":
        raise FormSettingRefused(
            _l("The commune has no form with the code %(code)s.", code=code[:CODE_MAX]), kind=kind, code="unknown_form"
        )
    template = documents.form_template(actor, commune, code, purpose="one_stop_forms_setting")
    unknown = unknown_placeholders(kind, placeholders(template)) if template is not None else []
    if unknown:
        raise FormSettingRefused(
            _l(
                "The version in force of %(code)s has placeholders a %(form)s does not have: %(names)s.",
                code=code,
                form=PLACEHOLDERS[kind].title,
                names=", ".join(f"{{{{{name}}}}}" for name in unknown),
            ),
            kind=kind,
            code="unknown_placeholder",
        )
    return code


def update_one_stop_forms(actor, commune, *, codes: dict, reason="") -> dict:
    """Name the commune's one-stop forms: `codes` {form kind: document code} (kinds left out keep
    theirs). Each code names a form of the commune, no form serves two kinds, and the version in
    force of a newly named form (read as a download, audited) holds only placeholders of its kind.
    Returns the changes ({} when nothing changed). Raises DomainError: 403 for anyone but the
    commune's quality officer or administrator; FormSettingRefused (400) naming the kind refused."""
    require(perm.forms_settings_refusal(actor, commune))
    current = one_stop_forms(commune)
    wanted = dict(current)
    for kind, written in codes.items():
        if kind not in DEFAULT_FORMS:
            raise DomainError(_l("There is no such form."), code="unknown_kind")
        wanted[kind] = (written or "").strip()
    seen = {}
    for kind, code in wanted.items():
        if code and code in seen:
            raise FormSettingRefused(
                _l("One form cannot serve as two one-stop forms: %(code)s is named twice.", code=code),
                kind=kind,
                code="duplicate_form",
            )
        seen[code] = kind
    for kind in DEFAULT_FORMS:
        if wanted[kind] != current[kind]:
            wanted[kind] = _check_code(actor, commune, kind, wanted[kind])
    if wanted == current:
        return {}
    changes = {"one_stop_forms": (current, wanted)}
    commune.settings = {**(commune.settings or {}), SETTING: wanted}
    record_event(
        actor,
        "dossier.one_stop_forms_changed",
        commune,
        commune_id=commune.id,
        changes={"one_stop_forms": (current, wanted)},
        reason=reason,
    )
    return changes
