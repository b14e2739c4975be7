"""Labels of what the file store records, and the names of stored files (see qms.core.labels)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from qms.core.labels import register
from qms.db import db
from qms.files.models import StoredFile
from qms.files.references import references_in

HEX = frozenset("0123456789abcdef")


def _stored_files(commune_id, keys):
    """A stored file's events name it by the start of its SHA-256: called by the file name and the
    record it belongs to in the reader's commune ("QT-01.docx, QT-01 lần ban hành 02")."""
    prefixes = [key for key in keys if key and set(key) <= HEX]
    if not prefixes:
        return {}
    sha256s = db.session.scalars(
        select(StoredFile.sha256).where(or_(*(StoredFile.sha256.startswith(prefix) for prefix in prefixes)))
    )
    found = {}
    for sha256, references in references_in(commune_id, list(sha256s)).items():
        first = references[0]
        name = _("%(file)s, %(record)s", file=first.filename, record=first.record)
        for prefix in prefixes:
            if sha256.startswith(prefix):
                found[prefix] = name
    return found


register(
    actions={
        "file.damaged": _l("Stored file found damaged or missing"),
        "file.repaired": _l("Stored file found intact again"),
    },
    records={"stored_files": _l("Stored file")},
    fields={"damaged_at": _l("Found damaged at"), "state": _l("State"), "found_in": _l("Found while reading")},
    values={"state": {"damaged": _l("Damaged (no longer matches its SHA-256)"), "missing": _l("Missing")}},
    namers={"stored_files": _stored_files},
    refs={"found_in": "record"},
)
