"""Who may ask for an evidence pack: the quality officer, the leaders and the auditors of the commune
whose record it is about (the external auditor is exactly who needs packs)."""

from flask_babel import lazy_gettext as _l

from qms.auth.models import AUDITOR, LEADER, QUALITY_OFFICER

PACK_READERS = (QUALITY_OFFICER, LEADER, AUDITOR)


def pack_refusal(user, commune_id) -> str | None:
    """Why `user` may not have a pack of a record of commune `commune_id`, or None.

    Asking for a pack reads the records; it writes only the request's own row (evidence_packs) and
    the audit event saying who exported what. It changes no record, so the read-only auditor may."""
    if user is None or user.commune_id != commune_id or not user.has_role(*PACK_READERS):
        return _l("Only the quality officer, leaders and auditors of the commune may export evidence packs.")
    return None


def can_request_pack(user, commune_id) -> bool:
    return pack_refusal(user, commune_id) is None
