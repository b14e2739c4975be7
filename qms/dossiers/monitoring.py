"""Monitoring the one-stop shop (ISO 9001 9.1): per month of a year, for the whole commune, per
procedure and per field, how many dossiers were received and how many of them online, how many got
their result and how many of those early, on time or late, how long they took, and how satisfied
the citizens who rated them were; beside each figure the target the quality officer set for the
year.

- A dossier counts as received in the Vietnam month of its receipt (received_on) and as completed in
  the month its result was ready (result_on); refused and withdrawn dossiers have no result.
- On-time rate: (early + on time) / results. Share online: filed online / received. Handling time:
  the average of the working days each result took (received to result, less the supplement's
  pause). Satisfied share: as qms.dossiers.satisfaction counts it, in the month of the rating.

Two grouped queries (receipts; results) per report, whatever the number of dossiers; the procedures'
fields are folded in Python (a field is a word of the process map, not a column).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import func, select

from qms.core.calendar import local_today
from qms.db import db, month_start
from qms.dossiers import satisfaction
from qms.dossiers.models import Channel, Dossier, Indicator, MonitoringTarget, MonthShortfall

BY = ("commune", "procedure")


@dataclass
class Figures:
    """The counts of one month (None: the whole year) for one key: a procedure's id, a field's name,
    or None for the commune (or what a filter chose of it)."""

    month: dt.date | None
    key: int | str | None = None
    received: int = 0
    online: int = 0
    results: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    handling_days: int = 0  # the sum over the results
    ratings: int = 0
    satisfied: int = 0

    def add(self, other: Figures) -> Figures:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / results, in %; None without a result."""
        return 100 * (self.early + self.on_time) / self.results if self.results else None

    @property
    def online_share(self) -> float | None:
        return 100 * self.online / self.received if self.received else None

    @property
    def average_days(self) -> float | None:
        return self.handling_days / self.results if self.results else None

    @property
    def satisfied_share(self) -> float | None:
        return 100 * self.satisfied / self.ratings if self.ratings else None

    def value(self, indicator: Indicator) -> float | None:
        return {
            Indicator.on_time_rate: self.on_time_rate,
            Indicator.online_share: self.online_share,
            Indicator.handling_days: self.average_days,
            Indicator.satisfied_share: self.satisfied_share,
        }[indicator]


COUNTS = tuple(f.name for f in fields(Figures) if f.name not in ("month", "key"))


def misses(indicator: Indicator, value: float | None, target: float | None) -> bool:
    """Whether `value` falls short of `target` (above it, for the handling time)."""
    if value is None or target is None:
        return False
    return value > target if indicator.at_most else value < target


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def monthly(commune_id, year, *, by="commune", procedure_ids=None) -> list[Figures]:
    """The commune's Figures of each month of `year` that has any, per key (`by`: the commune as a
    whole, or each procedure: its id), by month then key; `procedure_ids` keeps those procedures
    only. (A field's figures are its procedures' summed: see report().)"""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}")
    first, last = _year(year)
    key = None if by == "commune" else Dossier.procedure_id
    found: dict = {}

    def cell(month, procedure_id):
        return found.setdefault((month, procedure_id), Figures(month, procedure_id))

    month = month_start(Dossier.received_on)
    columns = [month, Dossier.channel, *([key] if key is not None else [])]
    stmt = select(*columns, func.count()).where(
        Dossier.commune_id == commune_id, Dossier.received_on.between(first, last)
    )
    if procedure_ids is not None:
        stmt = stmt.where(Dossier.procedure_id.in_(procedure_ids))
    for row in db.session.execute(stmt.group_by(*columns)):
        figures = cell(row[0], row[2] if key is not None else None)
        figures.received += row[-1]
        if row[1] is Channel.online:
            figures.online += row[-1]

    month = month_start(Dossier.result_on)
    columns = [month, Dossier.timeliness, *([key] if key is not None else [])]
    stmt = select(*columns, func.count(), func.coalesce(func.sum(Dossier.handling_days), 0)).where(
        Dossier.commune_id == commune_id, Dossier.result_on.between(first, last), Dossier.timeliness.is_not(None)
    )
    if procedure_ids is not None:
        stmt = stmt.where(Dossier.procedure_id.in_(procedure_ids))
    for row in db.session.execute(stmt.group_by(*columns)):
        figures = cell(row[0], row[2] if key is not None else None)
        n, days = row[-2], row[-1]
        figures.results += n
        figures.handling_days += int(days)
        setattr(figures, row[1].value, getattr(figures, row[1].value) + n)

    rated = satisfaction.monthly(
        commune_id,
        by="commune" if by == "commune" and procedure_ids is None else "procedure",
        first_month=first,
        last_month=last,
    )
    for counts in rated:
        if procedure_ids is not None and counts.key not in procedure_ids:
            continue
        figures = cell(counts.month, counts.key if key is not None else None)
        figures.ratings += counts.total
        figures.satisfied += counts.satisfied
    return sorted(found.values(), key=lambda f: (f.month, str(f.key or "")))


def totals(rows, key=None) -> Figures:
    """The sum of `rows` (of any months and keys) as one Figures for the year."""
    total = Figures(None, key)
    for row in rows:
        total.add(row)
    return total


def every_month(year, rows) -> list[Figures]:
    """The twelve months of `year`, each the sum of its `rows` (zeros for a month without any)."""
    months = {dt.date(year, m, 1): Figures(dt.date(year, m, 1)) for m in range(1, 13)}
    for row in rows:
        months[row.month].add(row)
    return list(months.values())


def per_key(rows) -> dict:
    """The year's Figures of each key of `rows` {key: Figures}."""
    out: dict = {}
    for row in rows:
        out.setdefault(row.key, Figures(None, row.key)).add(row)
    return out


def months_over(year, today=None) -> list[dt.date]:
    """The months of `year` that have begun (all of a past year's, none of a future year's)."""
    today = today or local_today()
    return [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) <= today]


def targets(commune_id, year) -> dict:
    """The year's targets {Indicator: value}."""
    rows = db.session.execute(
        select(MonitoringTarget.indicator, MonitoringTarget.value).where(
            MonitoringTarget.commune_id == commune_id, MonitoringTarget.year == year
        )
    )
    return dict(rows.all())


def target_rows(commune_id, year) -> dict:
    """The year's targets as records {Indicator: MonitoringTarget} (who set each, when)."""
    rows = db.session.scalars(
        select(MonitoringTarget).where(MonitoringTarget.commune_id == commune_id, MonitoringTarget.year == year)
    )
    return {row.indicator: row for row in rows}


def shortfalls(commune_id, year) -> dict:
    """The months of `year` already taken up as nonconformities {month: MonthShortfall}."""
    first, last = _year(year)
    rows = db.session.scalars(
        select(MonthShortfall).where(MonthShortfall.commune_id == commune_id, MonthShortfall.month.between(first, last))
    )
    return {row.month: row for row in rows}


def month_figures(commune_id, month: dt.date) -> Figures:
    """The whole commune's figures of one month."""
    month = month.replace(day=1)
    return every_month(month.year, monthly(commune_id, month.year))[month.month - 1]


def years_with_dossiers(commune_id) -> list[int]:
    """The years in which the commune received dossiers or set targets, latest first."""
    first, last = db.session.execute(
        select(func.min(Dossier.received_on), func.max(Dossier.received_on)).where(Dossier.commune_id == commune_id)
    ).one()
    years = set(range(first.year, last.year + 1)) if first else set()
    years |= set(db.session.scalars(select(MonitoringTarget.year).where(MonitoringTarget.commune_id == commune_id)))
    return sorted(years, reverse=True)


@dataclass
class Report:
    """A year of monitoring as the page and the workbook show it: the twelve months, the year, each
    procedure's and each field's year (name, Figures) by name, the targets and the months taken up
    as nonconformities (of the whole commune: only when nothing is filtered)."""

    year: int
    months: list
    total: Figures
    procedures: list
    fields: list
    targets: dict
    shortfalls: dict
    begun: list  # the months that have begun
    filtered: bool

    def misses(self, indicator, figures) -> bool:
        return misses(indicator, figures.value(indicator), self.targets.get(indicator))

    def below_target(self) -> list:
        """The begun months whose on-time rate is below its target (the months an NC may be opened for)."""
        return [f for f in self.months if f.month in self.begun and self.misses(Indicator.on_time_rate, f)]


def report(commune_id, year, entries, *, procedure_ids=None, today=None) -> Report:
    """The year's report of the commune's dossiers; `entries` the commune's procedures as the
    catalogue lists them (qms.processes.queries.Entry: name and field); `procedure_ids` those
    chosen by a filter (None: all)."""
    rows = monthly(commune_id, year, by="procedure", procedure_ids=procedure_ids)
    by_procedure = per_key(rows)
    names = {e.procedure.id: (f"{e.process.name} ({e.code})", e.process.field) for e in entries}
    procedures, by_field = [], {}
    for procedure_id, figures in by_procedure.items():
        name, field = names.get(procedure_id, ("", ""))
        procedures.append((name, figures))
        by_field.setdefault(field, Figures(None, field)).add(figures)
    return Report(
        year=year,
        months=every_month(year, rows),
        total=totals(rows),
        procedures=sorted(procedures, key=lambda p: p[0]),
        fields=sorted(by_field.items()),
        targets=targets(commune_id, year),
        shortfalls={} if procedure_ids is not None else shortfalls(commune_id, year),
        begun=months_over(year, today),
        filtered=procedure_ids is not None,
    )
