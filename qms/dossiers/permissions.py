"""Who may see and do what with dossiers. Views, the API, templates and services ask here.

Everyone of the commune reads the ledger (auditors included): codes, procedures, dates, statuses.
The applicant's details are personal data: shown only to those handling the dossier (whoever
received it, holds it or held it, as the control sheet says). Staff, leaders and quality officers
receive dossiers; the person holding a dossier hands it over, asks for a supplement, refuses it,
records the result and its return (the quality officer may act for an absent holder). Only a
leader signs the apology letter that extends a due date.
"""

from flask_babel import lazy_gettext as _l

from qms.auth.models import ADMINISTRATOR, AUDITOR, LEADER, QUALITY_OFFICER, STAFF
from qms.dossiers.models import HandoverKind

RECEIVERS = (STAFF, LEADER, QUALITY_OFFICER)
# Everyone of the commune reads the ledger and the dossiers' pages: the roles of a commune's work,
# auditors included (they see no personal data).
READERS = (QUALITY_OFFICER, LEADER, ADMINISTRATOR, STAFF, AUDITOR)
SETTINGS_EDITORS = (QUALITY_OFFICER, ADMINISTRATOR)


def _member(user, commune_id) -> bool:
    return user is not None and user.is_authenticated and user.commune_id == commune_id


def can_view(user, dossier) -> bool:
    return _member(user, dossier.commune_id)


def handles(user, dossier) -> bool:
    """Whether `user` handles the dossier: received it, holds it, or appears on its control sheet."""
    if not _member(user, dossier.commune_id) or user.is_read_only:
        return False
    if user.id in (dossier.received_by_id, dossier.holder_id):
        return True
    return any(user.id in (h.from_user_id, h.to_user_id) for h in dossier.handovers)


def can_see_applicant(user, dossier) -> bool:
    return handles(user, dossier)


def receive_refusal(user, commune) -> str | None:
    if not _member(user, commune.id) or user.is_read_only or not user.has_role(*RECEIVERS):
        return _l("Only the commune's staff, leaders and quality officers can receive a dossier.")
    return None


def act_refusal(user, dossier) -> str | None:
    """Handing over, asking for a supplement, refusing, recording the result, its return, a
    withdrawal."""
    if not _member(user, dossier.commune_id) or user.is_read_only:
        return _l("You cannot change this dossier.")
    if user.id != dossier.holder_id and not user.has_role(QUALITY_OFFICER):
        return _l("Only the person holding this dossier (or the quality officer) can do this.")
    return None


def extend_refusal(user, dossier) -> str | None:
    if not _member(user, dossier.commune_id) or not user.has_role(LEADER):
        return _l("Only a leader of the commune signs the apology letter that sets a new return date.")
    return None


def can_act(user, dossier) -> bool:
    return act_refusal(user, dossier) is None


def can_extend(user, dossier) -> bool:
    return extend_refusal(user, dossier) is None


def can_receive(user, commune) -> bool:
    return receive_refusal(user, commune) is None


def settings_refusal(user, commune) -> str | None:
    """Changing the format of the commune's dossier codes."""
    if not _member(user, commune.id) or not user.has_role(*SETTINGS_EDITORS):
        return _l("Only a quality officer or the administrator of the commune can change the dossier code format.")
    return None


def can_change_settings(user, commune) -> bool:
    return settings_refusal(user, commune) is None


def import_refusal(user, commune) -> str | None:
    """Importing dossiers from the provincial one-stop system: the quality officer, or a member of
    staff of the commune's one-stop unit (who would have received them at the desk)."""
    if _member(user, commune.id) and not user.is_read_only:
        if user.has_role(QUALITY_OFFICER):
            return None
        if user.has_role(STAFF) and any(u.is_one_stop and u.is_active for u in user.units):
            return None
    return _l("Only the quality officer or the one-stop shop's staff can import dossiers.")


def can_import(user, commune) -> bool:
    return import_refusal(user, commune) is None


# --- the citizens' ratings -------------------------------------------------------------------------

# The ratings per procedure and per officer, and the citizens' comments: for the quality officer,
# leaders and auditors (a comment may be about a colleague, as a complaint may).
SATISFACTION_READERS = (QUALITY_OFFICER, LEADER, AUDITOR)


def returned_by_id(dossier) -> int | None:
    """Who returned the result to the citizen, as the control sheet says (None before the return)."""
    lines = [h for h in dossier.handovers if h.kind is HandoverKind.returned]
    return lines[-1].from_user_id if lines else None


def rate_refusal(user, dossier) -> str | None:
    """Recording the citizen's rating at the desk: by the officer who returned the result to them."""
    if not _member(user, dossier.commune_id) or user.is_read_only:
        return _l("You cannot change this dossier.")
    if returned_by_id(dossier) != user.id:
        return _l("Only the officer who returned the result records the citizen's rating at the desk.")
    return None


def can_rate(user, dossier) -> bool:
    return rate_refusal(user, dossier) is None


def can_read_satisfaction(user, commune_id) -> bool:
    """The ratings per procedure and per officer, and the citizens' comments."""
    return _member(user, commune_id) and user.has_role(*SATISFACTION_READERS)


def forms_settings_refusal(user, commune) -> str | None:
    """Naming which of the commune's forms are its one-stop forms (receipt, supplement, ...)."""
    if not _member(user, commune.id) or not user.has_role(QUALITY_OFFICER, ADMINISTRATOR):
        return _l("Only a quality officer or the administrator of the commune can name the one-stop forms.")
    return None


def can_change_forms_settings(user, commune) -> bool:
    return forms_settings_refusal(user, commune) is None


# --- monitoring ----------------------------------------------------------------------------------

# The on-time rate, the share online, the handling time and the satisfaction per month: for those
# who answer for the results (the quality officer, leaders) and auditors, as the ratings are.
MONITORING_READERS = SATISFACTION_READERS


def can_read_monitoring(user, commune_id) -> bool:
    return _member(user, commune_id) and user.has_role(*MONITORING_READERS)


def targets_refusal(user, commune) -> str | None:
    if not _member(user, commune.id) or user.is_read_only or not user.has_role(QUALITY_OFFICER):
        return _l("Only the quality officer sets the targets.")
    return None


def can_set_targets(user, commune) -> bool:
    return targets_refusal(user, commune) is None


def shortfall_refusal(user, commune) -> str | None:
    """Taking a month below target up as a nonconformity (a signed action)."""
    if not _member(user, commune.id) or user.is_read_only or not user.has_role(QUALITY_OFFICER, LEADER):
        return _l("Only the quality officer or a leader can open a nonconformity for a month below target.")
    return None


def can_take_up_shortfall(user, commune) -> bool:
    return shortfall_refusal(user, commune) is None
