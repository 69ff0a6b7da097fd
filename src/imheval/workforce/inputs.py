"""What coverage is computed from: the establishment, training records, required levels and births.

The readers (:mod:`imheval.workforce.read`) build these from spreadsheets; the web app builds
them from its tables. Levels are the ladder's spelling; ``row`` is the spreadsheet row a
record came from (0 when it did not come from a file), used only to locate problems.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Births", "Post", "Requirement", "TrainingRecord", "TrajectoryPoint"]


@dataclass(frozen=True, slots=True)
class Post:
    """One establishment row: how many staff an organisation has in a service and profession
    (``headcount``; ``wte``, whole-time equivalents, when the extract gives them)."""

    organisation: str
    service: str
    profession: str
    headcount: int
    wte: Decimal | None = None
    row: int = 0


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One person's completion of training at a framework level. ``person`` identifies them
    within ``organisation`` only (the same id in two organisations is two people)."""

    person: str
    organisation: str
    service: str
    profession: str
    level: str
    completed_on: datetime.date
    programme: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """A target on the way: ``target_percent`` of the staff trained by ``by_date``."""

    by_date: datetime.date
    target_percent: Decimal


@dataclass(frozen=True, slots=True)
class Requirement:
    """The level staff of a service and profession need, with the target's trajectory.

    ``points`` are in date order with targets that never fall; the last is the target itself
    (``target_percent`` by ``by_date``), the earlier ones interim points. ``refresh_years``,
    when set, makes training completed more than that many years before the as-of date lapse.
    """

    service: str
    profession: str
    level: str
    points: tuple[TrajectoryPoint, ...]
    refresh_years: int | None = None

    @property
    def target_percent(self) -> Decimal:
        return self.points[-1].target_percent

    @property
    def by_date(self) -> datetime.date:
        return self.points[-1].by_date


@dataclass(frozen=True, slots=True)
class Births:
    """Births a year in an organisation's area (seed 004's rule of thumb is checked on it)."""

    organisation: str
    births_per_year: int
    row: int = 0
