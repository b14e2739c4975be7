"""The labels registry: what the codes the system records mean, in the reader's language.

Events and records keep stable codes (the action "document.version.approved", the record type
"document_versions", the changed field "approved_by_id", the value "in_review", a reason the system
writes such as "idle_timeout"): they are what the audit chain's hashes cover and what filters and
exports use. People read words, though. Each area registers the labels of its own actions, record
types, fields, coded values and system reasons here (in its labels.py, loaded by create_app), and
whoever shows them (the audit trail, the home pages, the exports) reads them from here, so no module
has to know every area. A code nobody registered (an event of an older or newer qms) is shown as it
is.
"""

_ACTIONS: dict = {}
_RECORDS: dict = {}
_FIELDS: dict = {}
_VALUES: dict = {}
_REASONS: dict = {}
_PERSON_FIELDS: set = set()


def register(*, actions=None, records=None, fields=None, values=None, reasons=None, person_fields=()):
    """Add labels: actions {code: label}, records {record type: label}, fields {field: label},
    values {field: {code: label}}, reasons {code: label} for reasons the system writes as codes,
    person_fields: fields whose value is the id of an account (shown as that person's name)."""
    _ACTIONS.update(actions or {})
    _RECORDS.update(records or {})
    _FIELDS.update(fields or {})
    for field, labels in (values or {}).items():
        _VALUES.setdefault(field, {}).update(labels)
    _REASONS.update(reasons or {})
    _PERSON_FIELDS.update(person_fields)


def action_labels() -> dict:
    return dict(_ACTIONS)


def record_labels() -> dict:
    return dict(_RECORDS)


def field_labels() -> dict:
    return dict(_FIELDS)


def action_label(action):
    return _ACTIONS.get(action, action)


def record_label(entity_type):
    return _RECORDS.get(entity_type, entity_type)


def field_label(field):
    return _FIELDS.get(field, field)


def value_labels(field) -> dict:
    return _VALUES.get(field, {})


def is_person_field(field) -> bool:
    return field in _PERSON_FIELDS


def reason_label(reason):
    """A reason the system wrote as a code, in words; a reason a person typed, as typed."""
    return _REASONS.get(reason, reason)
