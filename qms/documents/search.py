"""Full-text search over documents: code, title, change summary and the text of their files.

People type without diacritics ("chung thuc") as often as with them ("Chứng thực"), and type parts of
codes ("bm-01", "BM 01 QT"). Both sides are therefore folded the same way (qms.core.text.fold: lower
case, no combining marks, đ -> d) and cut into the same [a-z0-9] tokens before they reach the
database, so SQLite's FTS5 and PostgreSQL's 'simple' text search see identical words and give
identical answers. User input never reaches the query syntax of either engine: every token is
alphanumeric and is bound as a parameter.
"""

from __future__ import annotations

import enum
import re

from sqlalchemy import bindparam, func, literal_column, select, text

from qms.core.text import fold
from qms.db import db
from qms.documents.models import Document, DocumentKind, DocumentVersion, SearchEntry, VersionStatus

_TOKEN = re.compile(r"[a-z0-9]+")

# PostgreSQL refuses a tsvector over 1 MB; beyond this many characters only words not yet seen are
# kept, so a very long file stays findable by every word it contains.
MAX_INDEXED_CHARS = 300_000
# A query is a handful of words; more would only make the database work harder for nothing.
MAX_QUERY_TOKENS = 12


def tokens(text: str) -> list[str]:
    """The searchable words of a text: folded, then split on anything that is not a-z or 0-9
    ("BM-01-QT-01" -> bm, 01, qt, 01)."""
    return _TOKEN.findall(fold(text))


def _indexed_text(parts) -> str:
    words = []
    for part in parts:
        words.extend(tokens(part or ""))
    joined = " ".join(words)
    if len(joined) <= MAX_INDEXED_CHARS:
        return joined
    head = joined[:MAX_INDEXED_CHARS].rsplit(" ", 1)[0]
    seen = set(head.split())
    tail = []
    for word in words:
        if word not in seen:
            seen.add(word)
            tail.append(word)
    return " ".join([head, *tail]) if tail else head


def index_version(version: DocumentVersion) -> SearchEntry:
    """Create or refresh the search entry of a version from its document's code, title, number and
    issuer, its change summary and the text extracted from its files. Safe to call again after any
    change; it rewrites the row only when the text differs."""
    document = version.document
    folded = _indexed_text(
        [
            document.code,
            document.title,
            document.number,
            document.issuer,
            version.change_summary,
            *(f.text_content for f in version.files),
        ]
    )
    if version.id is None:
        db.session.flush()  # a version created in this transaction needs its id
    entry = db.session.get(SearchEntry, version.id)
    if entry is None:
        entry = SearchEntry(
            version_id=version.id, commune_id=version.commune_id, document_id=document.id, folded=folded
        )
        db.session.add(entry)
    elif entry.folded != folded:
        entry.folded = folded
    db.session.flush()
    return entry


def _values(items, enum_cls):
    if items is None:
        return None
    return [item.value if isinstance(item, enum.Enum) else enum_cls(item).value for item in items]


def search_version_ids(commune_id: int, q: str, statuses=None, kinds=None, limit: int = 200) -> list[int]:
    """Ids of the versions of one commune whose text contains every word of `q` (each word also
    matches as a prefix: "chung th" finds "chứng thực"), best match first, then by code.

    statuses / kinds: VersionStatus / DocumentKind members or their values; None means all.
    A query without any letter or digit finds nothing."""
    words = list(dict.fromkeys(tokens(q or "")))[:MAX_QUERY_TOKENS]
    if not words or limit <= 0:
        return []
    status_values = _values(statuses, VersionStatus)
    kind_values = _values(kinds, DocumentKind)
    if status_values == [] or kind_values == []:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        query = _postgres_query(words)
    else:
        query = _sqlite_query(words)
    query = query.where(SearchEntry.commune_id == commune_id)
    if status_values is not None:
        query = query.where(DocumentVersion.status.in_([VersionStatus(v) for v in status_values]))
    if kind_values is not None:
        query = query.where(Document.kind.in_([DocumentKind(v) for v in kind_values]))
    return list(db.session.scalars(query.limit(limit)))


def _base_query():
    return (
        select(SearchEntry.version_id)
        .join(DocumentVersion, DocumentVersion.id == SearchEntry.version_id)
        .join(Document, Document.id == SearchEntry.document_id)
    )


def _sqlite_query(words):
    # Quoted tokens with a trailing * are FTS5 prefix queries joined by an implicit AND; the tokens
    # are alphanumeric, the quoting (with any quote doubled) keeps it safe should that ever change.
    match = " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)
    fts = (
        text(
            "SELECT rowid AS version_id, bm25(search_entries_fts) AS rank FROM search_entries_fts "
            "WHERE search_entries_fts MATCH :match"
        )
        .bindparams(match=match)
        .columns(literal_column("version_id"), literal_column("rank"))
        .subquery("fts")
    )
    return (
        _base_query()
        .join(fts, fts.c.version_id == SearchEntry.version_id)
        .order_by(fts.c.rank, Document.code, DocumentVersion.issue_no.desc())
    )


def _postgres_query(words):
    # The expression must be written exactly as in the GIN index for the planner to use it.
    vector = func.to_tsvector(literal_column("'simple'"), SearchEntry.folded)
    tsquery = func.to_tsquery(
        literal_column("'simple'"), bindparam("tsquery", " & ".join(f"{word}:*" for word in words))
    )
    return (
        _base_query()
        .where(vector.op("@@")(tsquery))
        .order_by(func.ts_rank(vector, tsquery).desc(), Document.code, DocumentVersion.issue_no.desc())
    )
