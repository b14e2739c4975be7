"""The labels registry: what the codes the system records mean, in the reader's language.

Events and records keep stable codes (the action "document.version.approved", the record type
"document_versions", the changed field "approved_by_id", the value "in_review", a reason the system
writes such as "idle_timeout"): they are what the audit chain's hashes cover and what filters and
exports use. People read words, though. Each area registers the labels of its own actions, record
types, fields, coded values and system reasons here (in its labels.py, loaded by create_app), and
whoever shows them (the audit trail, the home pages, the exports) reads them from here, so no module
has to know every area. A code nobody registered (an event of an older or newer qms) is shown as it
is.

Records, and values that point at one (an account's id, a unit's code, a role's code), are named by
what people call them ("QT-06 lần ban hành 02", "Đỗ Thu Hà", "Văn phòng HĐND và UBND"): each area
registers a namer per kind of key, and a page gathers the keys it shows in a Names and has each kind
looked up once. A value that means something only within its record (a dossier's step, named by the
dossier's process map) is a key "<record id> <value>" of a kind registered for that record type.
A namer only names what belongs to the reader's commune, so a key from another commune (typed into a
URL) stays a bare code.
"""

import functools
from collections import defaultdict

from flask_babel import get_locale

from qms.core.names import text_sort_key

_ACTIONS: dict = {}
_RECORDS: dict = {}
_FIELDS: dict = {}
_RECORD_FIELDS: dict = {}  # {record type: {field: label}}: a field one area names otherwise
_VALUES: dict = {}
_REASONS: dict = {}
_NAMERS: dict = {}
_REFS: dict = {}
_KEYED: dict = {}
_RECORD_REFS: dict = {}  # {record type: {field: kind}}: keys within the record
_ORIGINS: dict = {}

_GENERATION = [0]  # how many times register() ran: lists read from the registry before are stale

MAX_ID = 2**31 - 1  # an INTEGER id


def register(
    *,
    actions=None,
    records=None,
    fields=None,
    record_fields=None,
    values=None,
    reasons=None,
    namers=None,
    refs=None,
    record_refs=None,
    keyed=None,
    origins=None,
):
    """Add labels: actions {code: label}, records {record type: label}, fields {field: label},
    record_fields {record type: {field: label}} for a field that records of that type name otherwise
    than the shared label ("why" of a change request is its reason, of an NC a step of its 5 Whys);
    values {field: {code: label}}, reasons {code: label} for reasons the system writes as codes;
    namers {kind: namer(commune_id, keys) -> {key: name}}, the keys being strings (a record type is a
    kind, its keys the records' ids); refs {field: kind}: the field's values (or the items of a list)
    are keys of that kind; record_refs {record type: {field: kind}}: in records of that type, the
    field's values are keys within the record, looked up as "<record id> <value>" (a dossier's step);
    keyed {field: other field}: the field's value is a dict whose keys are coded values of the other
    field (the kinds of documents of a per-kind setting); origins {code: label}: where a change came
    from when no browser sent it, recorded in the event's IP address (a command, a job, an import)."""
    _ACTIONS.update(actions or {})
    _RECORDS.update(records or {})
    _FIELDS.update(fields or {})
    for record_type, labels in (record_fields or {}).items():
        _RECORD_FIELDS.setdefault(record_type, {}).update(labels)
    for field, labels in (values or {}).items():
        _VALUES.setdefault(field, {}).update(labels)
    _REASONS.update(reasons or {})
    _NAMERS.update(namers or {})
    _REFS.update(refs or {})
    for record_type, kinds in (record_refs or {}).items():
        _RECORD_REFS.setdefault(record_type, {}).update(kinds)
    _KEYED.update(keyed or {})
    _ORIGINS.update(origins or {})
    _GENERATION[0] += 1


def action_labels() -> dict:
    return dict(_ACTIONS)


def record_labels() -> dict:
    return dict(_RECORDS)


def field_labels() -> dict:
    return dict(_FIELDS)


def actions_in_order() -> list:
    """[(code, label)] of every action, in the reader's language and in Vietnamese alphabetical
    order of the labels (a list to choose from)."""
    return _in_order("actions", *_reader())


def records_in_order() -> list:
    """[(record type, label)], as actions_in_order()."""
    return _in_order("records", *_reader())


def _reader():
    """What the labels read now depend on: the reader's language and what is registered."""
    return str(get_locale()), _GENERATION[0]


@functools.lru_cache(maxsize=64)
def _in_words(kind, locale, generation) -> dict:
    """{code: label} of one kind, translated once per language (and registry): a trail page names
    a few hundred codes, and each translation costs a look-up of the request's language."""
    if kind == "record_fields":
        return {
            record_type: {f: str(label) for f, label in fields.items()}
            for record_type, fields in _RECORD_FIELDS.items()
        }
    labels = {"actions": _ACTIONS, "records": _RECORDS, "fields": _FIELDS, "origins": _ORIGINS, "reasons": _REASONS}
    return {code: str(label) for code, label in labels[kind].items()}


@functools.lru_cache(maxsize=16)
def _in_order(kind, locale, generation):
    return sorted(_in_words(kind, locale, generation).items(), key=lambda item: text_sort_key(item[1]))


def action_label(action):
    """The action in the reader's language; an action nobody registered, as it is."""
    return _in_words("actions", *_reader()).get(action, action)


def record_label(entity_type):
    return _in_words("records", *_reader()).get(entity_type, entity_type)


def field_label(field, record_type=None):
    """The field's label, as records of `record_type` name it when their area says so."""
    reader = _reader()
    specific = _in_words("record_fields", *reader).get(record_type, {}) if record_type else {}
    return specific.get(field) or _in_words("fields", *reader).get(field, field)


def value_labels(field) -> dict:
    return _VALUES.get(field, {})


def ref_kind(field):
    """The kind of key the field's values are (see register's refs), or None."""
    return _REFS.get(field)


def record_ref_kind(record_type, field):
    """The kind of key, within its record, that the field's values are in records of that type (see
    register's record_refs), or None."""
    return _RECORD_REFS.get(record_type, {}).get(field)


def key_labels(field) -> dict:
    """Labels of the keys of the field's dict value (see register's keyed)."""
    return value_labels(_KEYED[field]) if field in _KEYED else {}


def within_record(record_id, value) -> str:
    """The key of a value that means something only within its record (see register's record_refs)."""
    return f"{record_id} {value}"


def origin_label(ip):
    """Where an event came from: an IP address as it is, a command, a job or an import in words."""
    return _in_words("origins", *_reader()).get(ip, ip)


def reason_label(reason):
    """A reason the system wrote as a code, in words; a reason a person typed, as typed."""
    return _in_words("reasons", *_reader()).get(reason, reason)


def whole_ids(keys) -> set:
    """The keys that are ids: ASCII digits, within an INTEGER (as ints)."""
    return {int(k) for k in keys if k.isascii() and k.isdigit() and int(k) <= MAX_ID}


def row_namer(model, *columns, name):
    """A namer (see register) of the records of `model`, a table with `id` and `commune_id`: the
    keys' rows of the commune read in one query, each named by name(*their `columns`)."""
    from sqlalchemy import select

    from qms.db import db

    def namer(commune_id, keys):
        ids = whole_ids(keys)
        if not ids:
            return {}
        rows = db.session.execute(select(model.id, *columns).where(model.commune_id == commune_id, model.id.in_(ids)))
        return {str(row[0]): name(*row[1:]) for row in rows}

    return namer


def _name_records(commune_id, keys):
    """The namer of "record" keys: "<record type> <id>" (a record one event names in another's changes)."""
    by_type = defaultdict(set)
    for key in keys:
        entity_type, _, entity_id = key.partition(" ")
        if entity_type in _NAMERS:
            by_type[entity_type].add(entity_id)
    found = {}
    for entity_type, ids in by_type.items():
        for entity_id, name in _NAMERS[entity_type](commune_id, ids).items():
            found[f"{entity_type} {entity_id}"] = name
    return found


_NAMERS["record"] = _name_records


class Names:
    """What records and keys are called in one commune (see the module's docstring). want() gathers the
    keys a page will show; the first get() of a kind looks up all its keys wanted so far, at once."""

    def __init__(self, commune_id):
        self.commune_id = commune_id
        self._wanted = defaultdict(set)
        self._found = defaultdict(dict)

    def want(self, kind, key):
        if kind in _NAMERS and key is not None and key != "":
            self._wanted[kind].add(str(key))

    def get(self, kind, key):
        """The name of the key of that kind, or None when nobody names it (unknown, another commune's)."""
        if kind not in _NAMERS or key is None:
            return None
        key = str(key)
        self._wanted[kind].add(key)
        found = self._found[kind]
        missing = self._wanted[kind] - set(found)
        if missing:
            named = _NAMERS[kind](self.commune_id, missing)
            found.update({k: named.get(k) for k in missing})
        return found.get(key)

    def record(self, entity_type, entity_id):
        """What people call the record: its name, or its kind and id when it has none."""
        name = self.get(entity_type, entity_id)
        if name:
            return name
        return f"{record_label(entity_type)} {entity_id}".strip()
