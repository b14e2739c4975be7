"""Late dossiers into nonconformities, through the nonconformity service (the one way in): a result
recorded after the due date, a new return date set with an apology letter, or (the daily job) an
unfinished dossier whose due date has passed. One NC per dossier, whichever comes first."""

from sqlalchemy import select

from qms.auth.models import Commune
from qms.core.calendar import format_date, local_today
from qms.db import db
from qms.documents.models import Document
from qms.dossiers.models import CLOCK_RUNS, Dossier
from qms.nonconformities.models import NcSource
from qms.nonconformities.services import open_from_elsewhere

TITLES = {
    "late": "Hồ sơ {code} trả kết quả quá hạn",
    "extended": "Hồ sơ {code} phải hẹn lại ngày trả kết quả",
    "overdue": "Hồ sơ {code} quá hạn giải quyết",
}


def open_late_nc(actor, dossier, *, reason):
    """The NC of a late dossier (source: late dossier), linked to it; the same NC if one is open
    for it already. Returns (nc, created)."""
    process = dossier.process_map.process
    step = next((s for s in process.steps if s.id == dossier.step_id), None)
    description = (
        f"Thủ tục {process.name} ({process.code}); tiếp nhận ngày {format_date(dossier.received_at)}, "
        f"hạn trả kết quả {format_date(dossier.due_date)}."
    )
    if reason == "extended":
        description += f" Phiếu xin lỗi và hẹn lại ngày trả: {dossier.apology_reason}"
    commune = db.session.get(Commune, dossier.commune_id)
    return open_from_elsewhere(
        actor,
        commune,
        source=NcSource.late_dossier,
        record=dossier,
        title=TITLES[reason].format(code=dossier.code),
        description=description,
        detected_by=actor or dossier.holder or dossier.received_by,
        unit=dossier.unit,
        procedure=db.session.get(Document, dossier.procedure.process_document_id),
        process_step=step.name if step else "",
        dossier_code=dossier.code,
    )


def open_overdue_ncs(today=None) -> int:
    """The daily job: an NC for each dossier being handled whose due date has passed (none twice;
    none for a dossier waiting for the citizen's supplement: its clock stands still)."""
    today = today or local_today()
    opened = 0
    for dossier in db.session.scalars(
        select(Dossier).where(Dossier.status == CLOCK_RUNS, Dossier.due_date < today).order_by(Dossier.id)
    ):
        _nc, created = open_late_nc(None, dossier, reason="overdue")
        opened += created
    return opened
