"""The analysis page: Pareto charts of a period's NCs by source, by procedure and by root-cause
category, the median time to closure per severity and the share that needed another round. The
figures are qms.nonconformities.analysis's; the charts are laid out by qms.core.charts."""

import datetime as dt

from flask import render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import Optional, ValidationError

from qms.auth.models import ADMINISTRATOR, AUDITOR, LEADER, QUALITY_OFFICER
from qms.core.access import allow
from qms.core.calendar import add_months, local_today
from qms.core.charts import pareto_chart
from qms.core.forms import DateField
from qms.core.lists import FilterForm, read_filters
from qms.core.nav import register_nav
from qms.nonconformities import analysis
from qms.nonconformities.views import bp

ANALYSTS = (QUALITY_OFFICER, LEADER, AUDITOR, ADMINISTRATOR)


class PeriodForm(FilterForm):
    start = DateField(_l("From"), validators=[Optional()], description=_l("dd/mm/yyyy"))
    end = DateField(_l("To"), validators=[Optional()], description=_l("dd/mm/yyyy"))

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period cannot be before its start."))


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, today included."""
    return add_months(today, -12) + dt.timedelta(days=1), today


@bp.get("/analysis")
@allow(*ANALYSTS)
def show_analysis():
    """The figures of the NCs detected in a period (?start=&end=, dd/mm/yyyy; the last twelve months
    by default). A date that cannot be read is shown under its field and the default period used."""
    form = read_filters(PeriodForm, request.args)
    first, last = default_period(local_today())
    if not form.errors:
        first, last = form.start.data or first, form.end.data or last
        if form.start.data and not form.end.data and first > last:
            last = first
        if form.end.data and not form.start.data and first > last:
            first = add_months(last, -12) + dt.timedelta(days=1)
        form.start.data, form.end.data = first, last  # the fields show the period shown
    figures = analysis.figures(current_user.commune_id, first, last)
    other = str(_l("Other"))
    charts = {
        "source": pareto_chart(figures.by_source.items, other_label=other),
        "procedure": pareto_chart(figures.by_procedure.items, other_label=other),
        "category": pareto_chart(figures.by_root_category.items, other_label=other),
    }
    status = 400 if form.errors else 200
    return (
        render_template(
            "nonconformities/analysis.html", form=form, figures=figures, charts=charts, decimal=one_decimal
        ),
        status,
    )


def one_decimal(value) -> str:
    """7.0 / 66.7 in English, 7,0 / 66,7 in Vietnamese."""
    return format_decimal(value, format="#,##0.0")


register_nav("nonconformities.show_analysis", _l("NC analysis"), order=31)
