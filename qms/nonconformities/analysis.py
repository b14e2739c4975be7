"""Figures about the nonconformities of a period (ISO 9001 9.1.3 analysis; inputs of management review,
9.3.2 c): NCs by source, by procedure and by the fishbone category of their root causes (for Pareto
charts), the median time from detection to closure per severity, and the share of NCs that needed
another round because a review found the action not effective (or that were reopened).

The NCs of a period are those of the commune detected from its first day to its last (Vietnam time),
cancelled ones left out (recorded in error or duplicates). Each figure is one aggregate query; the
functions return plain data (keys, labels in the reader's language, counts) for the analysis page
and, later, management review.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from qms.core.calendar import local_midnight
from qms.db import db
from qms.documents.models import Document
from qms.nonconformities.labels import CATEGORY_LABELS, SEVERITY_LABELS, SOURCE_LABELS
from qms.nonconformities.models import (
    CauseCategory,
    NcCause,
    NcRound,
    NcSource,
    NcStatus,
    Nonconformity,
    Severity,
)


@dataclass(frozen=True)
class Count:
    key: str  # the stored value (a source, a category) or a procedure's id
    label: str  # in words: the reader's language, or a procedure's code and title
    short: str  # what a chart's axis shows (a procedure's code; the label otherwise)
    count: int


@dataclass(frozen=True)
class Pareto:
    """Counts sorted from the largest, with each one's share and the cumulative share (in %)."""

    items: list[ParetoItem]
    total: int


@dataclass(frozen=True)
class ParetoItem:
    key: str
    label: str
    short: str
    count: int
    share: float  # % of the total
    cumulative: float  # % of the total, this item and those before it


@dataclass(frozen=True)
class TimeToClose:
    severity: Severity
    label: str
    closed: int  # NCs of the period closed so far
    median_days: float | None  # None when none is closed


@dataclass(frozen=True)
class ReopenedShare:
    reopened: int  # NCs with more than one round (a review found the action not effective, or reopened)
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.reopened / self.total, 1) if self.total else None


@dataclass(frozen=True)
class Figures:
    start: dt.date
    end: dt.date
    total: int
    by_source: Pareto
    by_procedure: Pareto
    without_procedure: int  # NCs of the period that name no procedure
    by_root_category: Pareto
    time_to_close: list[TimeToClose]
    reopened: ReopenedShare


def pareto(counts) -> Pareto:
    """Sort `counts` (Count) from the largest (ties by label) and add the shares."""
    ordered = sorted((c for c in counts if c.count > 0), key=lambda c: (-c.count, str(c.label)))
    total = sum(c.count for c in ordered)
    items, running = [], 0
    for c in ordered:
        running += c.count
        items.append(
            ParetoItem(
                c.key, c.label, c.short, c.count, round(100 * c.count / total, 1), round(100 * running / total, 1)
            )
        )
    return Pareto(items, total)


def _in_period(commune_id, start, end):
    """The NCs of the commune detected from `start` to `end` (dates, inclusive), not cancelled."""
    return and_(
        Nonconformity.commune_id == commune_id,
        Nonconformity.detected_at >= local_midnight(start),
        Nonconformity.detected_at < local_midnight(end + dt.timedelta(days=1)),
        Nonconformity.status != NcStatus.cancelled,
    )


def count_in_period(commune_id, start, end) -> int:
    return db.session.scalar(select(func.count()).select_from(Nonconformity).where(_in_period(commune_id, start, end)))


def by_source(commune_id, start, end) -> Pareto:
    rows = db.session.execute(
        select(Nonconformity.source, func.count())
        .where(_in_period(commune_id, start, end))
        .group_by(Nonconformity.source)
    )
    return pareto(
        Count(source.value, str(SOURCE_LABELS[source]), str(SOURCE_LABELS[source]), n)
        for source, n in rows
        if isinstance(source, NcSource)
    )


def by_procedure(commune_id, start, end) -> tuple[Pareto, int]:
    """NCs per procedure (the process where each was found), and how many name none."""
    rows = db.session.execute(
        select(Nonconformity.procedure_id, Document.code, Document.title, func.count(Nonconformity.id))
        .outerjoin(Document, Document.id == Nonconformity.procedure_id)
        .where(_in_period(commune_id, start, end))
        .group_by(Nonconformity.procedure_id, Document.code, Document.title)
    ).all()
    without = sum(n for procedure_id, _c, _t, n in rows if procedure_id is None)
    counted = pareto(
        Count(str(procedure_id), f"{code} – {title}", code, n)
        for procedure_id, code, title, n in rows
        if procedure_id is not None
    )
    return counted, without


def by_root_category(commune_id, start, end) -> Pareto:
    """Root causes (fishbone causes marked root), of every round of the period's NCs, per category."""
    rows = db.session.execute(
        select(NcCause.category, func.count(NcCause.id))
        .join(NcRound, NcRound.id == NcCause.round_id)
        .join(Nonconformity, Nonconformity.id == NcRound.nonconformity_id)
        .where(_in_period(commune_id, start, end), NcCause.is_root.is_(True))
        .group_by(NcCause.category)
    )
    return pareto(
        Count(category.value, str(CATEGORY_LABELS[category]), str(CATEGORY_LABELS[category]), n)
        for category, n in rows
        if isinstance(category, CauseCategory)
    )


def time_to_close(commune_id, start, end) -> list[TimeToClose]:
    """The median number of days from detection to closure of the period's closed NCs, per
    severity (days with one decimal: an NC closed the day after it was found took about 1 day)."""
    rows = db.session.execute(
        select(Nonconformity.severity, Nonconformity.detected_at, Nonconformity.closed_at).where(
            _in_period(commune_id, start, end),
            Nonconformity.status == NcStatus.closed,
            Nonconformity.closed_at.is_not(None),
        )
    )
    days: dict = {severity: [] for severity in Severity}
    for severity, detected_at, closed_at in rows:
        days[severity].append(max((closed_at - detected_at).total_seconds(), 0) / 86400)
    return [
        TimeToClose(
            severity,
            str(SEVERITY_LABELS[severity]),
            len(values),
            round(statistics.median(values), 1) if values else None,
        )
        for severity, values in days.items()
    ]


def reopened_share(commune_id, start, end) -> ReopenedShare:
    """How many of the period's NCs went into another round (a review "not effective", or
    reopened after closing), of all the period's NCs."""
    again = or_(Nonconformity.round_no > 1, Nonconformity.reopened_count > 0)
    total, reopened = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((again, 1), else_=0)), 0)).where(
            _in_period(commune_id, start, end)
        )
    ).one()
    return ReopenedShare(int(reopened), int(total))


def figures(commune_id, start, end) -> Figures:
    """Every figure of the period at once (the analysis page; management review)."""
    procedures, without = by_procedure(commune_id, start, end)
    return Figures(
        start=start,
        end=end,
        total=count_in_period(commune_id, start, end),
        by_source=by_source(commune_id, start, end),
        by_procedure=procedures,
        without_procedure=without,
        by_root_category=by_root_category(commune_id, start, end),
        time_to_close=time_to_close(commune_id, start, end),
        reopened=reopened_share(commune_id, start, end),
    )
