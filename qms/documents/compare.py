"""The text differences between two versions, side by side.

A reviewer wants to see what an issue changed without reading both files in full. The text compared is
what the upload extracted from the files (one line per paragraph, table cell or spreadsheet cell), so a
change of layout alone shows no difference: the review is about what the document says.

Rows carry plain text split into spans marked changed or not; the template escapes every span and marks
the changed ones, so no HTML is ever built here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

EQUAL, CHANGED, ADDED, REMOVED = "equal", "changed", "added", "removed"

# Two lines less alike than this are shown as one removed and one added, not as one changed line.
PAIRING_THRESHOLD = 0.4
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

Span = tuple[str, bool]


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side table. left/right: the text as spans (text, changed); empty on the
    side where the line does not exist. left_no/right_no: line numbers from 1, None on that side."""

    kind: str
    left: list[Span] = field(default_factory=list)
    right: list[Span] = field(default_factory=list)
    left_no: int | None = None
    right_no: int | None = None


def split_lines(text: str) -> list[str]:
    """Lines without trailing spaces; blank lines are left out (they carry nothing to review)."""
    return [line.rstrip() for line in (text or "").splitlines() if line.strip()]


def compare_texts(old: str, new: str) -> list[Row]:
    """Rows for every line of both texts, in order: equal lines once on both sides, removed lines on
    the left only, added lines on the right only, and changed lines on both sides with the changed
    words marked."""
    left, right = split_lines(old), split_lines(new)
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Row(EQUAL, [(left[i], False)], [(right[j], False)], i + 1, j + 1)
                for i, j in zip(range(i1, i2), range(j1, j2))
            )
        elif tag == "delete":
            rows.extend(_removed(left, i) for i in range(i1, i2))
        elif tag == "insert":
            rows.extend(_added(right, j) for j in range(j1, j2))
        else:
            rows.extend(_replace(left, right, i1, i2, j1, j2))
    return rows


def compare_versions(old_version, new_version) -> list[Row]:
    """compare_texts over the extracted text of every file of each version."""
    return compare_texts(version_text(old_version), version_text(new_version))


def version_text(version) -> str:
    return "\n".join(f.text_content or "" for f in version.files)


def has_differences(rows: list[Row]) -> bool:
    return any(row.kind != EQUAL for row in rows)


def _removed(lines, i):
    return Row(REMOVED, [(lines[i], True)], [], i + 1, None)


def _added(lines, j):
    return Row(ADDED, [], [(lines[j], True)], None, j + 1)


def _replace(left, right, i1, i2, j1, j2):
    """Pair the lines of a replaced block in order; a pair too unlike to be "the same line, edited"
    becomes a removal and an addition."""
    rows = []
    for offset in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + offset, j1 + offset
        if i < i2 and j < j2:
            old_spans, new_spans, ratio = _inline(left[i], right[j])
            if ratio >= PAIRING_THRESHOLD:
                rows.append(Row(CHANGED, old_spans, new_spans, i + 1, j + 1))
            else:
                rows.extend([_removed(left, i), _added(right, j)])
        elif i < i2:
            rows.append(_removed(left, i))
        else:
            rows.append(_added(right, j))
    return rows


def _inline(old: str, new: str):
    """Word-level differences of two versions of one line: (old spans, new spans, similarity)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    old_spans, new_spans = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        _append(old_spans, "".join(a[i1:i2]), changed)
        _append(new_spans, "".join(b[j1:j2]), changed)
    # Similarity on words alone: the spaces every line shares must not make two lines look alike.
    words = difflib.SequenceMatcher(
        None, [t for t in a if not t.isspace()], [t for t in b if not t.isspace()], autojunk=False
    )
    return old_spans, new_spans, words.ratio()


def _append(spans: list[Span], text: str, changed: bool):
    """Add a span, merging it with the previous one when both are (un)changed alike."""
    if not text:
        return
    if spans and spans[-1][1] == changed:
        spans[-1] = (spans[-1][0] + text, changed)
    else:
        spans.append((text, changed))
