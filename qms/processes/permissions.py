"""Who may see and do what with procedures and their process maps.

The public reads the catalogue (no sign-in). Everyone of the commune reads its procedures and their
process maps, auditors included. Only a quality officer imports process maps: an import drafts new
versions of process documents, which is the quality officer's work in document control.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import QUALITY_OFFICER


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, procedure) -> bool:
    return _member(user, procedure.commune_id)


def import_refusal(user, commune) -> str | None:
    if not _member(user, commune.id) or not user.has_role(QUALITY_OFFICER):
        return _l("Only a quality officer of the commune can import process maps.")
    return None


def can_import(user, commune) -> bool:
    return import_refusal(user, commune) is None
