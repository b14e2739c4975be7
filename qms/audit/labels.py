"""What the audit trail's codes mean, in the reader's language.

Events keep stable codes (the action "document.version.approved", the record type
"document_versions", the changed field "approved_by_id", the value "in_review"): they are what the
hash covers and what filters and exports use. People read the trail, though, so pages show each
action's label beside its code, and each changed field and value by its label. Every action and
every changed field the code records has a label here (tests/audit/test_labels.py finds them all
in the sources); feature packages register the labels of their coded values (register_value_labels).
"""
import datetime as dt
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.core.calendar import format_datetime

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


# The fields an event's changes name, as services record them (diff() takes model attributes).
FIELD_LABELS = {
    "acknowledged_at": _l("Read and understood at"),
    "access": _l("Access"),
    "allow_same_reviewer_approver": _l("One person may both review and approve a version"),
    "approved_at": _l("Approved at"),
    "approved_by_id": _l("Approved by"),
    "approver_roles": _l("Who may approve"),
    "author": _l("Author"),
    "author_id": _l("Author"),
    "based_on": _l("Drafted from"),
    "change_request": _l("Change request"),
    "change_summary": _l("What changed"),
    "code": _l("Code"),
    "code_patterns": _l("Code formats"),
    "decided_at": _l("Decided at"),
    "decided_by_id": _l("Decided by"),
    "decision_reason": _l("Reason for the decision"),
    "distribution": _l("Distribution"),
    "document": _l("Document"),
    "draft_version_id": _l("Draft created (version no.)"),
    "effective_at": _l("Came into force at"),
    "effective_date": _l("Effective date"),
    "effective_on": _l("Effective date"),
    "email": _l("E-mail"),
    "field": _l("Field"),
    "file": _l("File"),
    "file_sha256": _l("SHA-256 of the file signed"),
    "full_name": _l("Full name"),
    "is_active": _l("Active"),
    "is_active_account": _l("Active"),
    "is_one_stop": _l("This is the one-stop shop"),
    "issue_no": _l("Issue"),
    "issued_on": _l("Issue date"),
    "issuer": _l("Issuer"),
    "kind": _l("Kind"),
    "label": _l("Copy"),
    "legal_bases": _l("Legal bases"),
    "legal_status": _l("Legal status"),
    "locale": _l("Language"),
    "locked_until": _l("Locked until"),
    "name": _l("Name"),
    "next_review_on": _l("Next review"),
    "number": _l("Number and symbol"),
    "owner": _l("Owner"),
    "owning_unit": _l("Owning unit"),
    "parent": _l("Belongs to"),
    "password": _l("Password"),
    "reason": _l("Reason"),
    "retention_years": _l("Retention (years)"),
    "returned_comment": _l("Comments on returning"),
    "review_interval_months": _l("Review interval (months)"),
    "reviewed_at": _l("Reviewed at"),
    "reviewed_by_id": _l("Reviewed by"),
    "reviewer_roles": _l("Who may review"),
    "revoked_at": _l("Revoked at"),
    "roles": _l("Roles"),
    "sha256": _l("SHA-256 of the file"),
    "signature": _l("Signature"),
    "stamped": _l("Stamped"),
    "status": _l("Status"),
    "submitted_at": _l("Submitted at"),
    "superseded_at": _l("Superseded at"),
    "title": _l("Title"),
    "units": _l("Units"),
    "user": _l("User"),
    "username": _l("User name"),
    "users": _l("People given the task"),
    "via": _l("Through"),
    "what": _l("What should change"),
    "why": _l("Why"),
    "withdrawn_at": _l("Withdrawn at"),
    "withdrawn_reason": _l("Reason for withdrawal"),
}
# Fields whose value is the id of an account: shown as that person's name.
PERSON_FIELDS = frozenset({"approved_by_id", "author_id", "decided_by_id", "reviewed_by_id"})
VALUE_LABELS = {"locale": {"vi": "Tiếng Việt", "en": "English"}}


def register_value_labels(field, labels):
    """Labels of the coded values a field takes ({"in_review": _l("In review"), ...}); a feature
    package registers those of its own fields."""
    VALUE_LABELS.setdefault(field, {}).update(labels)


def field_label(field):
    """The label of a changed field; an unknown field (of a newer or older qms) is shown as is."""
    return FIELD_LABELS.get(field, field)


def action_label(action):
    """The label of an action code; an unknown code (an event of a newer or older qms) is shown as is."""
    return ACTION_LABELS.get(action, action)


def record_label(entity_type):
    return RECORD_LABELS.get(entity_type, entity_type)


_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


def change_value(value, field=None, people=None):
    """A value of an event's changes as a person reads it: a coded value by its label, an account
    id by the person's name (people: {id: name}), yes or no, a recorded UTC time in Vietnam time
    (dd/mm/yyyy HH:MM:SS), a list joined by commas, settings as "key: value" pairs, nothing as ∅."""
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field in PERSON_FIELDS and people and value in people:
        return f"{people[value]} (#{value})"
    if isinstance(value, list):
        return ", ".join(str(change_value(item, field)) for item in value) or "∅"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {change_value(item, field)}" for key, item in value.items()) or "∅"
    if isinstance(value, str):
        if value in VALUE_LABELS.get(field, ()):
            return VALUE_LABELS[field][value]
        if _UTC_TIME.fullmatch(value):
            return format_datetime(dt.datetime.fromisoformat(value), seconds=True)
    return value
