"""Monitoring's changes: the quality officer's yearly targets, and a month whose on-time rate fell
below its target taken up as a nonconformity with one signed action (through the nonconformity
service, the one way in). Each in the audit trail in the same transaction."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qms.core.calendar import RECEIVED_YEARS, format_date, local_today, utcnow
from qms.core.digests import record_digest
from qms.db import DomainError, db
from qms.dossiers import monitoring
from qms.dossiers import permissions as perm
from qms.dossiers.models import Indicator, MonitoringTarget, MonthShortfall
from qms.dossiers.services.common import record, require
from qms.nonconformities.models import NcSource
from qms.nonconformities.services import open_from_elsewhere
from qms.signatures.services import confirm_password, register_subject, sign, signature_changes

SHORTFALL_SIGNED = "shortfall_taken_up"
FIRST_YEAR, LAST_YEAR = RECEIVED_YEARS  # the years the calendar and the ledger speak of
LIMITS = {  # the values a target may take
    Indicator.on_time_rate: (0, 100),
    Indicator.online_share: (0, 100),
    Indicator.handling_days: (0, 365),
    Indicator.satisfied_share: (0, 100),
}


def percent_text(value) -> str:
    """A percentage as Vietnamese writes it, for the nonconformity's words: 87,5 %."""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " %"


def _year(year):
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(
            _l("The year must be from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR), code="invalid_year"
        )
    return year


def set_targets(actor, commune, year, values: dict) -> int:
    """Set the year's targets: `values` {Indicator: number, or None to remove the target}; the
    indicators not named are left as they are. Returns how many changed."""
    require(perm.targets_refusal(actor, commune))
    year = _year(year)
    for indicator, value in values.items():
        if value is None:
            continue
        low, high = LIMITS[indicator]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise DomainError(
                _l("A target is a number from %(low)d to %(high)d.", low=low, high=high), code="invalid_target"
            )
    existing = monitoring.target_rows(commune.id, year)
    changed = 0
    for indicator, value in values.items():
        row = existing.get(indicator)
        old = row.value if row is not None else None
        value = round(float(value), 1) if value is not None else None
        if old == value:
            continue
        changed += 1
        if value is None:
            record(actor, "dossier.target_removed", row, {"indicator": (indicator, None), "target": (old, None)})
            db.session.delete(row)
            continue
        if row is None:
            row = MonitoringTarget(commune_id=commune.id, year=year, indicator=indicator, value=value)
            db.session.add(row)
        row.value, row.set_by_id, row.set_at = value, actor.id, utcnow()
        created = {"year": (None, year), "indicator": (None, indicator)} if old is None else {}
        record(actor, "dossier.target_set", row, {**created, "target": (old, value)})
    return changed


def shortfall_state(shortfall) -> dict:
    """What the signature on a month below target covers: the month, its figures and the target."""
    return {
        "month": shortfall.month,
        "results": shortfall.results,
        "on_time": shortfall.on_time,
        "target": shortfall.target,
    }


register_subject(
    MonthShortfall.__tablename__,
    MonthShortfall,
    content_digest=lambda shortfall: record_digest(shortfall_state(shortfall)),
    identity=lambda shortfall: (shortfall.month.isoformat(),),
)


def take_up_shortfall(actor, commune, month: dt.date, *, password):
    """Open the nonconformity of a month whose on-time rate fell below the year's target (source:
    monitoring), signed by the quality officer or a leader: the month's figures are counted again
    here, never taken from the page. Once per month. Returns (shortfall, nc)."""
    require(perm.shortfall_refusal(actor, commune))
    month = month.replace(day=1)
    if month > local_today():
        raise DomainError(_l("This month has not begun yet."), code="future", status=409)
    if db.session.scalar(
        select(MonthShortfall.id).where(MonthShortfall.commune_id == commune.id, MonthShortfall.month == month)
    ):
        raise DomainError(_l("This month has been taken up as a nonconformity already."), code="once", status=409)
    target = monitoring.targets(commune.id, month.year).get(Indicator.on_time_rate)
    if target is None:
        raise DomainError(
            _l("No target for the on-time rate has been set for %(year)d.", year=month.year),
            code="no_target",
            status=409,
        )
    figures = monitoring.month_figures(commune.id, month)
    if not monitoring.misses(Indicator.on_time_rate, figures.on_time_rate, target):
        raise DomainError(_l("The on-time rate of this month is not below its target."), code="not_below", status=409)
    confirm_password(actor, password, meaning=SHORTFALL_SIGNED, subject=commune)
    shortfall = MonthShortfall(
        commune_id=commune.id,
        month=month,
        results=figures.results,
        on_time=figures.early + figures.on_time,
        target=target,
        opened_by_id=actor.id,
        opened_at=utcnow(),
    )
    db.session.add(shortfall)
    db.session.flush()
    signature = sign(actor, shortfall, SHORTFALL_SIGNED)
    record(
        actor,
        "dossier.shortfall_taken_up",
        shortfall,
        {
            "month": (None, month),
            "results": (None, shortfall.results),
            "on_time": (None, shortfall.on_time),
            "target": (None, target),
            **signature_changes(signature),
        },
    )
    period = f"{month:%m/%Y}"
    nc, _created = open_from_elsewhere(
        actor,
        commune,
        source=NcSource.monitoring,
        record=shortfall,
        title=f"Tỷ lệ hồ sơ giải quyết đúng hạn tháng {period} thấp hơn chỉ tiêu",
        description=(
            f"Tháng {period}: {shortfall.on_time}/{shortfall.results} hồ sơ có kết quả trước hạn hoặc đúng hạn, "
            f"tỷ lệ {percent_text(shortfall.rate)}; chỉ tiêu năm {month.year}: {percent_text(target)}. "
            f"Số liệu tính đến ngày {format_date(local_today())}; {figures.late} hồ sơ trễ hạn."
        ),
        detected_by=actor,
    )
    return shortfall, nc
