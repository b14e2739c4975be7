"""Monitoring through the API: the figures of the monitoring page (/dossiers/monitoring) as JSON, for
a year, the whole commune or one field or procedure, with the targets and the months below them."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qms.api import api_route, error_spec, json_spec, query_param
from qms.api.arguments import refuse, refuse_unknown_parameters
from qms.core.access import allow
from qms.core.calendar import local_today
from qms.dossiers import monitoring, queries
from qms.dossiers import permissions as perm
from qms.dossiers.models import Indicator
from qms.dossiers.services.monitoring import FIRST_YEAR, LAST_YEAR
from qms.nonconformities.services import find_opened_from

PARAMETERS = ("year", "procedure", "field")
RATE = {"type": "number", "nullable": True}
FIGURES_SCHEMA = {
    "type": "object",
    "properties": {
        "received": {"type": "integer", "description": "Dossiers received"},
        "online": {"type": "integer", "description": "Of them filed online"},
        "results": {"type": "integer", "description": "Dossiers whose result was ready"},
        "early": {"type": "integer"},
        "on_time": {"type": "integer"},
        "late": {"type": "integer"},
        "ratings": {"type": "integer", "description": "Citizens' ratings given"},
        "satisfied": {"type": "integer", "description": "Of them very satisfied or satisfied"},
        "on_time_rate": {**RATE, "description": "(early + on time) / results, in %; null without a result"},
        "online_share": {**RATE, "description": "online / received, in %"},
        "handling_days": {**RATE, "description": "Average working days from receipt to result"},
        "satisfied_share": {**RATE, "description": "satisfied / ratings, in %"},
        "below_target": {
            "type": "array",
            "items": {"type": "string", "enum": [i.value for i in Indicator]},
            "description": "The indicators that miss the year's target",
        },
    },
}


def _figures(report, figures) -> dict:
    values = {i.value: (round(v, 2) if (v := figures.value(i)) is not None else None) for i in Indicator}
    return {
        "received": figures.received,
        "online": figures.online,
        "results": figures.results,
        "early": figures.early,
        "on_time": figures.on_time,
        "late": figures.late,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        **values,
        "below_target": [i.value for i in Indicator if report.misses(i, figures)],
    }


def _year():
    text = (request.args.get("year") or "").strip()
    if not text:
        return local_today().year
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        refuse(_l("The year must be from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR), "bad_year")
    return int(text)


def _chosen(entries):
    """The procedures the filters keep (None: all) and the filter as given."""
    code, field = (request.args.get("procedure") or "").strip(), (request.args.get("field") or "").strip()
    if code:
        entry = next((e for e in entries if e.code == code), None)
        if entry is None:
            refuse(_l("There is no procedure %(code)s in your commune.", code=code), "bad_procedure")
        return [entry.procedure.id]
    if field:
        ids = [e.procedure.id for e in entries if e.process.field == field]
        if not ids:
            refuse(_l("No procedure of your commune is in the field %(field)s.", field=field), "bad_field")
        return ids
    return None


@allow(*perm.MONITORING_READERS)
@api_route(
    "/monitoring",
    summary="Monitoring of the commune's dossiers in a year: per month, procedure and field, against the targets",
    tags=["dossiers"],
    description=(
        "What the monitoring page shows (quality officer, leaders, auditors): for each month of the year, the "
        "dossiers received (in the month of receipt) and filed online, the results (in the month the result "
        "was ready) early, on time and late, the on-time rate, the average working days to the result, and "
        "the citizens' ratings; the year's total, each procedure's and each field's year; the targets the "
        "quality officer set; for each month below its on-time target, the nonconformity opened for it, if "
        "any. `procedure` (a national code) or `field` keeps those dossiers only (months' nonconformities are "
        "of the whole commune and then left out).\n\n"
        "Every parameter is checked: an unknown parameter or value answers 400 with the reason."
    ),
    parameters=[
        query_param("year", "The year (default: this year)", {"type": "integer"}),
        query_param("procedure", "National code of a procedure, e.g. 1.001193"),
        query_param("field", "A field of the catalogue, e.g. Hộ tịch"),
    ],
    responses={
        "200": json_spec(
            {
                "type": "object",
                "properties": {
                    "year": {"type": "integer"},
                    "targets": {
                        "type": "object",
                        "description": "indicator -> target (a floor; a ceiling for handling_days)",
                        "additionalProperties": {"type": "number"},
                    },
                    "months": {
                        "type": "array",
                        "items": {
                            "allOf": [
                                FIGURES_SCHEMA,
                                {
                                    "type": "object",
                                    "properties": {
                                        "month": {"type": "string", "example": "2026-11"},
                                        "begun": {"type": "boolean"},
                                        "nonconformity": {"type": "string", "nullable": True},
                                    },
                                },
                            ]
                        },
                    },
                    "year_total": FIGURES_SCHEMA,
                    "procedures": {
                        "type": "array",
                        "items": {
                            "allOf": [
                                FIGURES_SCHEMA,
                                {
                                    "type": "object",
                                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                                },
                            ]
                        },
                    },
                    "fields": {
                        "type": "array",
                        "items": {
                            "allOf": [FIGURES_SCHEMA, {"type": "object", "properties": {"field": {"type": "string"}}}]
                        },
                    },
                },
            },
            "The year's figures",
        ),
        "400": error_spec("A parameter is not valid (error: unknown_parameter, bad_year, bad_procedure, bad_field)"),
    },
)
def monitoring_figures():
    refuse_unknown_parameters(PARAMETERS)
    commune_id = current_user.commune_id
    year = _year()
    entries = queries.procedures(commune_id)
    report = monitoring.report(commune_id, year, entries, procedure_ids=_chosen(entries))
    by_id = {e.procedure.id: e for e in entries}
    months = []
    for figures in report.months:
        shortfall = report.shortfalls.get(figures.month)
        nc = find_opened_from(commune_id, shortfall) if shortfall is not None else None
        months.append(
            {
                "month": f"{figures.month:%Y-%m}",
                "begun": figures.month in report.begun,
                **_figures(report, figures),
                "nonconformity": nc.number if nc is not None else None,
            }
        )
    procedures = []
    for _name, figures in report.procedures:
        entry = by_id.get(figures.key)
        procedures.append(
            {
                "code": entry.code if entry else None,
                "name": entry.process.name if entry else None,
                **_figures(report, figures),
            }
        )
    return jsonify(
        year=year,
        targets={indicator.value: value for indicator, value in report.targets.items()},
        months=months,
        year_total=_figures(report, report.total),
        procedures=procedures,
        fields=[{"field": field, **_figures(report, figures)} for field, figures in report.fields],
    )
