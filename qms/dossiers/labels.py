"""Labels of dossier handling (see qms.core.labels): actions, records, fields and coded values, the
words pages use, and what a dossier is called ("TTHCC-261207-003 – Đăng ký khai sinh")."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.core.calendar import format_datetime
from qms.core.labels import register, row_namer, whole_ids
from qms.db import db
from qms.dossiers.models import (
    Channel,
    Dossier,
    DossierImport,
    DossierStatus,
    HandoverKind,
    Indicator,
    MonitoringTarget,
    MonthShortfall,
    Timeliness,
)
from qms.processes.models import ProcessMapVersion

CHANNEL_LABELS = {Channel.in_person: _l("In person"), Channel.online: _l("Online"), Channel.post: _l("By post")}
STATUS_LABELS = {
    DossierStatus.in_progress: _l("Being handled"),
    DossierStatus.supplement: _l("Waiting for a supplement"),
    DossierStatus.result_ready: _l("Result ready"),
    DossierStatus.returned: _l("Returned"),
    DossierStatus.refused: _l("Refused"),
    DossierStatus.withdrawn: _l("Withdrawn (by the citizen)"),
}
TIMELINESS_LABELS = {Timeliness.early: _l("Early"), Timeliness.on_time: _l("On time"), Timeliness.late: _l("Late")}
LINE_LABELS = {
    HandoverKind.handover: _l("Handed over"),
    HandoverKind.supplement_requested: _l("Supplement requested"),
    HandoverKind.supplement_received: _l("Supplement received"),
    HandoverKind.refused: _l("Refused"),
    HandoverKind.result_ready: _l("Result ready"),
    HandoverKind.returned: _l("Returned to the citizen"),
    HandoverKind.withdrawn: _l("Withdrawn by the citizen"),
    HandoverKind.extended: _l("New return date (apology letter)"),
}


def _by_value(labels):
    return {key.value: label for key, label in labels.items()}


def _dossiers(commune_id, keys):
    ids = whole_ids(keys)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Dossier.id, Dossier.code, ProcessMapVersion.content)
        .join(ProcessMapVersion, ProcessMapVersion.id == Dossier.process_map_id)
        .where(Dossier.commune_id == commune_id, Dossier.id.in_(ids))
    )
    return {str(i): f"{code} – {content['name']}" for i, code, content in rows}


def _steps(commune_id, keys):
    """Keys "<dossier id> <step id>": the step as the dossier's process map names it."""
    wanted = [key.partition(" ")[::2] for key in keys]
    ids = whole_ids(dossier for dossier, _step in wanted)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Dossier.id, ProcessMapVersion.content)
        .join(ProcessMapVersion, ProcessMapVersion.id == Dossier.process_map_id)
        .where(Dossier.commune_id == commune_id, Dossier.id.in_(ids))
    )
    steps = {str(i): {step["id"]: step["name"] for step in content["steps"]} for i, content in rows}
    return {f"{dossier} {step}": steps[dossier][step] for dossier, step in wanted if step in steps.get(dossier, {})}


register(
    actions={
        "dossier.received": _l("Dossier received"),
        "dossier.handed_over": _l("Dossier handed over"),
        "dossier.supplement_requested": _l("Supplement requested"),
        "dossier.supplement_received": _l("Supplement received"),
        "dossier.refused": _l("Dossier refused"),
        "dossier.withdrawn": _l("Dossier withdrawn"),
        "dossier.result_ready": _l("Result ready"),
        "dossier.returned": _l("Result returned"),
        "dossier.extended": _l("New return date (apology letter signed)"),
        "dossier.applicant_read": _l("Applicant's personal data read"),
        "dossier.code_format_changed": _l("Dossier code format changed"),
    },
    records={"dossiers": _l("Dossier")},
    record_fields={"dossiers": {"code": _l("Dossier code"), "components": _l("Papers received")}},
    fields={
        "procedure_id": _l("Procedure"),
        "components": _l("Papers received"),
        "channel": _l("Channel"),
        "received_at": _l("Received at"),
        "due_date": _l("Due date"),
        "step_id": _l("Step"),
        "holder_id": _l("Held by"),
        "timeliness": _l("Timeliness"),
        "supplement_items": _l("To supplement"),
        "paused_days": _l("Working days paused"),
        "refusal_reason": _l("Reason for refusal"),
        "withdraw_reason": _l("Reason for withdrawal"),
        "apology_reason": _l("Reason for the delay"),
        "dossier_code_format": _l("Dossier code format"),
    },
    values={
        "channel": _by_value(CHANNEL_LABELS),
        "status": _by_value(STATUS_LABELS),
        "timeliness": _by_value(TIMELINESS_LABELS),
        "meaning": {"apology_signed": _l("Apology letter signed")},
    },
    namers={"dossiers": _dossiers, "dossier_steps": _steps},
    refs={"procedure_id": "procedures", "holder_id": "users"},
    record_refs={"dossiers": {"step_id": "dossier_steps"}},
)


# Imports from the provincial one-stop system (qms.dossiers.services.imports).
def _import_name(file_name, started_at) -> str:
    return f"{file_name} ({format_datetime(started_at)})"


register(
    origins={"import": _l("Import (in the background)")},
    actions={
        "dossier.imported": _l("Dossier imported from the provincial one-stop system"),
        "dossier.import_finished": _l("Import from the provincial one-stop system ended"),
    },
    records={"dossier_imports": _l("Import of dossiers")},
    fields={
        "result_ready_at": _l("Result ready at"),
        "completed_at": _l("Completed at"),
        "imported_from": _l("Imported from"),
        "file_name": _l("File"),
        "rows_read": _l("Rows read"),
        "dossiers_created": _l("Dossiers created"),
        "dossiers_unchanged": _l("Dossiers already recorded"),
        "rows_refused": _l("Rows refused"),
    },
    values={"status": {"running": _l("Running"), "finished": _l("Finished"), "failed": _l("Stopped")}},
    namers={
        "dossier_imports": row_namer(
            DossierImport, DossierImport.file_name, DossierImport.started_at, name=_import_name
        )
    },
)


# Monitoring (qms.dossiers.monitoring): the targets and the months below target.
INDICATOR_LABELS = {
    Indicator.on_time_rate: _l("On-time rate"),
    Indicator.online_share: _l("Share filed online"),
    Indicator.handling_days: _l("Average handling time"),
    Indicator.satisfied_share: _l("Satisfied citizens"),
}
INDICATOR_UNITS = {
    Indicator.on_time_rate: "%",
    Indicator.online_share: "%",
    Indicator.handling_days: _l("working days"),
    Indicator.satisfied_share: "%",
}


register(
    actions={
        "dossier.target_set": _l("Monitoring target set"),
        "dossier.target_removed": _l("Monitoring target removed"),
        "dossier.shortfall_taken_up": _l("Month below target taken up as a nonconformity"),
    },
    records={"dossier_targets": _l("Monitoring target"), "dossier_shortfalls": _l("Month below target")},
    fields={
        "year": _l("Year"),
        "indicator": _l("Indicator"),
        "month": _l("Month"),
        "results": _l("Dossiers with a result"),
        "on_time": _l("Early or on time"),
        "target": _l("Target"),
    },
    values={
        "indicator": _by_value(INDICATOR_LABELS),
        "meaning": {"shortfall_taken_up": _l("Month below target taken up as a nonconformity")},
    },
    namers={
        "dossier_targets": row_namer(
            MonitoringTarget,
            MonitoringTarget.indicator,
            MonitoringTarget.year,
            name=lambda indicator, year: f"{INDICATOR_LABELS[indicator]} · {year}",
        ),
        "dossier_shortfalls": row_namer(MonthShortfall, MonthShortfall.month, name=lambda month: f"{month:%m/%Y}"),
    },
)
