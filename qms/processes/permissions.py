"""Who may see and do what with procedures and their process maps.

The public reads the catalogue (no sign-in). Everyone of the commune reads its procedures and their
process maps, auditors included. Only a quality officer imports process maps: an import drafts new
versions of process documents, which is the quality officer's work in document control.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import ADMINISTRATOR, AUDITOR, LEADER, QUALITY_OFFICER, STAFF

# Everyone of the commune reads its procedures: the roles of a commune's work, auditors included.
READERS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF, AUDITOR)
# Those who read a version of a process document before it is in force, as document control has it
# (its HISTORY_READERS): the others are told a new version awaits approval, not led to it.
DRAFT_READERS = (QUALITY_OFFICER, LEADER, AUDITOR)


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, procedure) -> bool:
    return _member(user, procedure.commune_id) and user.has_role(*READERS)


def can_read_drafts(user, procedure) -> bool:
    """Whether the procedure's page links to the version of its process document in progress."""
    return _member(user, procedure.commune_id) and user.has_role(*DRAFT_READERS)


def import_refusal(user, commune) -> str | None:
    if not _member(user, commune.id) or not user.has_role(QUALITY_OFFICER):
        return _l("Only a quality officer of the commune can import process maps.")
    return None


def can_import(user, commune) -> bool:
    return import_refusal(user, commune) is None
