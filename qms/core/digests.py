"""The byte forms that hashes cover, shared by the audit chain and the signatures: fields written
with their lengths (so that no boundary can shift from one field to the next) and canonical JSON
(the same text for the same values, on every run and every database)."""

import datetime as dt
import hashlib
import json


def length_prefixed(*fields) -> str:
    """ "<length>:<text>" for each field, None as empty: ("ab", None, 7) -> "2:ab0:1:7"."""
    parts = []
    for value in fields:
        text = "" if value is None else str(value)
        parts.append(f"{len(text)}:{text}")
    return "".join(parts)


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return str(value)


def canonical_json(value) -> str:
    """JSON with sorted keys, no spaces, Unicode kept; times in UTC, dates ISO, enums by value."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_digest(state: dict) -> str:
    """The digest of a record's state ({field: value}) as a signature covers it."""
    return sha256_hex(canonical_json(state))
