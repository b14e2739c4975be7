"""Text as people type it: Vietnamese with or without its diacritics, in any case.

People search for "khai sinh", "KHAI SINH" and "Khai sinh" alike, on a keyboard without a
Vietnamese input method as often as with one. `fold` gives all of them the same form, so that one
comparison answers for every way of typing: document control's full-text search, the procedures'
catalogue and any other search compare folded texts. `trimmed` and `required_text` are how every
service takes a typed text field in.
"""

import re
import unicodedata

from qms.db import DomainError

_SPACES = re.compile(r"\s+")


def without_diacritics(text: str) -> str:
    """The text without Vietnamese diacritics, case kept: "ĐGNB-2026-01" -> "DGNB-2026-01"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, spaces collapsed: "Chứng  thực" -> "chung thuc"."""
    return _SPACES.sub(" ", without_diacritics(text).lower()).strip()


def matches(query: str, *texts: str) -> bool:
    """Whether every word of `query` appears in one of `texts` (or across them), folded: "khai sinh"
    matches "Đăng ký khai sinh", "dang ky" matches "ĐĂNG KÝ". An empty query matches everything."""
    haystack = " ".join(fold(text) for text in texts)
    return all(word in haystack for word in fold(query).split())


def trimmed(value, limit=None) -> str:
    """A text field as stored: without its surrounding spaces, at most `limit` characters."""
    value = (value or "").strip()
    return value[:limit] if limit else value


def required_text(value, message, code="text_required", limit=None) -> str:
    """trimmed(value), refused with `message` (a DomainError) when nothing is left."""
    value = trimmed(value, limit)
    if not value:
        raise DomainError(message, code=code)
    return value
