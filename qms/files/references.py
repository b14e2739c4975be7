"""Which records refer to a stored file. Areas register a function that names their records
holding given files, so that the administrator's page (and the file checks) can say what a
damaged file belongs to without this package knowing any area."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileReference:
    sha256: str
    filename: str
    record: str  # what people call the record ("QT-01 lần ban hành 02")
    url: str  # its page


_FINDERS = []


def register_references(finder):
    """finder(commune_id, sha256s) -> iterable of FileReference for that commune's records."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def references_in(commune_id, sha256s) -> dict:
    """{sha256: [FileReference, ...]} of the commune's records holding any of `sha256s`."""
    found = {}
    if not sha256s:
        return found
    for finder in _FINDERS:
        for reference in finder(commune_id, set(sha256s)):
            found.setdefault(reference.sha256, []).append(reference)
    return found
