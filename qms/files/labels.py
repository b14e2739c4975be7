"""Labels of what the file store records (see qms.core.labels)."""

from flask_babel import lazy_gettext as _l

from qms.core.labels import register

register(
    actions={
        "file.damaged": _l("Stored file found damaged or missing"),
        "file.repaired": _l("Stored file found intact again"),
    },
    records={"stored_files": _l("Stored file")},
    fields={"damaged_at": _l("Found damaged at"), "state": _l("State"), "found_in": _l("Found while reading")},
    values={"state": {"damaged": _l("Damaged (no longer matches its SHA-256)"), "missing": _l("Missing")}},
)
