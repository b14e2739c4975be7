"""Labels of procedures and process maps (see qms.core.labels): actions, records, fields, and
what a procedure is called ("1.001193 – Đăng ký khai sinh")."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.core.labels import register, whole_ids
from qms.db import db
from qms.processes.models import Procedure, ProcessMapVersion


def procedure_name(code, content) -> str:
    return f"{code} – {content['name']}" if content else code


def _procedures(commune_id, keys):
    ids = whole_ids(keys)
    if not ids:
        return {}
    # the name the latest imported map gives (the one a reader last saw on the page)
    latest = (
        select(ProcessMapVersion.procedure_id, ProcessMapVersion.content)
        .where(ProcessMapVersion.procedure_id.in_(ids))
        .order_by(ProcessMapVersion.id)
    )
    contents = dict(db.session.execute(latest).all())
    rows = db.session.execute(
        select(Procedure.id, Procedure.code).where(Procedure.commune_id == commune_id, Procedure.id.in_(ids))
    )
    return {str(i): procedure_name(code, contents.get(i)) for i, code in rows}


register(
    actions={
        "process.procedure.created": _l("Procedure added from its process map"),
        "process.map.changed": _l("Process map changed (new draft of the process document)"),
    },
    records={"procedures": _l("Administrative procedure")},
    record_fields={"procedures": {"code": _l("National code"), "name": _l("Name of the procedure")}},
    fields={"map": _l("Process map (SHA-256)"), "document_version": _l("Version of the process document")},
    namers={"procedures": _procedures},
)
