"""The citizens' ratings counted per month (the SIPAS survey's measure, beside the on-time rate):
for the whole commune, per procedure, and per officer who returned the result; each with the count
of every rating, the total and the satisfied share ((very satisfied + satisfied) / total). A rating
counts in the Vietnam month it was given in (DossierRating.month)."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from qms.db import db
from qms.dossiers.models import SATISFIED, Dossier, DossierRating, Rating

BY = ("commune", "procedure", "officer")


@dataclass
class RatingCounts:
    """The ratings of one month, for one procedure (key: its id), one officer (key: their id, None
    for results returned by nobody the system knows, as an imported dossier's) or the whole commune
    (key None)."""

    month: dt.date  # the first day of the month
    key: int | None
    counts: dict = field(default_factory=lambda: dict.fromkeys(Rating, 0))  # {Rating: n}, every rating

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(self.counts[rating] for rating in SATISFIED)

    @property
    def satisfied_share(self) -> float | None:
        """(very satisfied + satisfied) / total, None without ratings."""
        return self.satisfied / self.total if self.total else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def monthly(commune_id, *, by="commune", first_month, last_month) -> list[RatingCounts]:
    """The commune's ratings given from `first_month` to `last_month` (any day of each; both
    included), counted per month and, by "procedure" or "officer" (who returned the result), per
    procedure or officer: RatingCounts by month, then key (None last). Months and keys without a
    rating are left out. One grouped query, whatever the number of ratings."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}")
    key = {"commune": None, "procedure": Dossier.procedure_id, "officer": DossierRating.returned_by_id}[by]
    columns = [DossierRating.month, DossierRating.rating]
    if key is not None:
        columns.append(key)
    stmt = (
        select(*columns, func.count())
        .where(
            DossierRating.commune_id == commune_id,
            DossierRating.month >= month_start(first_month),
            DossierRating.month <= month_start(last_month),
        )
        .group_by(*columns)
    )
    if by == "procedure":
        stmt = stmt.join(Dossier, Dossier.id == DossierRating.dossier_id)
    found = {}
    for row in db.session.execute(stmt):
        month, rating, n = row[0], row[1], row[-1]
        group_key = row[2] if key is not None else None
        found.setdefault((month, group_key), RatingCounts(month, group_key)).counts[rating] += n
    return sorted(found.values(), key=lambda c: (c.month, c.key is None, c.key or 0))


def by_procedure(commune_id, first_month, last_month) -> list[RatingCounts]:
    """monthly(..., by="procedure"): key is the procedure's id."""
    return monthly(commune_id, by="procedure", first_month=first_month, last_month=last_month)


def by_officer(commune_id, first_month, last_month) -> list[RatingCounts]:
    """monthly(..., by="officer"): key is the id of the officer who returned the result."""
    return monthly(commune_id, by="officer", first_month=first_month, last_month=last_month)


def years_rated(commune_id) -> list[int]:
    """The years in which the commune's dossiers were rated, latest first."""
    months = db.session.scalars(select(DossierRating.month).where(DossierRating.commune_id == commune_id).distinct())
    return sorted({month.year for month in months}, reverse=True)
