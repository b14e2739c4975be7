"""What the audit trail's codes mean, in the reader's language.

Events keep stable codes (the action "document.version.approved", the record type
"document_versions"): they are what the hash covers and what filters and exports use. People read
the trail, though, so pages show each code's label beside it. Every action the code records has a
label here (tests/audit/test_labels.py finds them all in the sources).
"""
import datetime as dt
import re

from flask_babel import lazy_gettext as _l

from qms.i18n import format_datetime

ACTION_LABELS = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_out": _l("Signed out"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.sign_in_refused": _l("Sign-in refused (account locked)"),
    "auth.locked_out": _l("Account locked after failed sign-ins"),
    "auth.session_expired": _l("Session ended after inactivity"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "commune.created": _l("Commune created"),
    "unit.created": _l("Unit created"),
    "unit.updated": _l("Unit changed"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account changed"),
    "user.disabled": _l("Account disabled"),
    "user.enabled": _l("Account enabled"),
    "user.unlocked": _l("Account unlocked"),
    "user.password_reset": _l("Password reset by the administrator"),
    "user.password_changed": _l("Password changed"),
    "user.locale_changed": _l("Language changed"),
    "documents.settings_updated": _l("Document-control settings changed"),
    "document.created": _l("Document registered"),
    "document.updated": _l("Document details changed"),
    "document.withdrawn": _l("Document withdrawn"),
    "document.distribution_updated": _l("Distribution changed"),
    "document.signature_failed": _l("Signature refused (wrong password)"),
    "document.change_request.proposed": _l("Change proposed"),
    "document.change_request.accepted": _l("Change request accepted"),
    "document.change_request.declined": _l("Change request declined"),
    "document.version.created": _l("Draft created"),
    "document.version.registered": _l("External document's file registered"),
    "document.version.updated": _l("Draft changed"),
    "document.version.file_replaced": _l("Draft's file replaced"),
    "document.version.submitted": _l("Submitted for review"),
    "document.version.reviewed": _l("Signed as reviewed"),
    "document.version.approved": _l("Signed as approved"),
    "document.version.returned": _l("Returned to draft"),
    "document.version.effective": _l("Came into force"),
    "document.version.superseded": _l("Superseded by a new issue"),
    "document.version.withdrawn": _l("Version withdrawn"),
    "document.version.confirmed": _l("Confirmed still valid (periodic review)"),
    "document.version.acknowledgments_assigned": _l("Read-and-understood tasks assigned"),
    "document.version.acknowledged": _l("Read and understood"),
    "document.version.downloaded": _l("Copy downloaded"),
}

RECORD_LABELS = {
    "users": _l("Account"),
    "units": _l("Unit"),
    "communes": _l("Commune"),
    "api_tokens": _l("API token"),
    "documents": _l("Document"),
    "document_versions": _l("Document version"),
    "change_requests": _l("Change request"),
}


def action_label(action):
    """The label of an action code; an unknown code (an event of a newer or older qms) is shown as is."""
    return ACTION_LABELS.get(action, action)


def record_label(entity_type):
    return RECORD_LABELS.get(entity_type, entity_type)


_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


def change_value(value):
    """A value of an event's changes as a person reads it: a recorded UTC time in Vietnam time
    (dd/mm/yyyy HH:MM:SS), a list joined by commas, nothing as ∅."""
    if value is None:
        return "∅"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "∅"
    if isinstance(value, str) and _UTC_TIME.fullmatch(value):
        return format_datetime(dt.datetime.fromisoformat(value), seconds=True)
    return value
