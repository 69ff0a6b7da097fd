"""Coverage of the workforce: distinct people trained at or above a required framework level, as a
share of the establishment's headcount, against a target and its trajectory (issue 16, part 2).

The result types come first (the reports and the web read them); :func:`coverage` computes them.
Counting, gaps and statuses are exact: target percentages are :class:`~decimal.Decimal`, and a
gap is the ceiling of an exact product (90% of 10 is 9 people, never 9.000000000000002 -> 10).
Only ``percent`` is a float, because it is only ever shown. The rules are in docs/coverage.md.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from imheval.workforce.ladder import Ladder

__all__ = [
    "DEFAULT_COHORT_SIZE",
    "BirthsCheck",
    "CoverageResult",
    "CoverageRow",
    "Flag",
    "LevelNeed",
    "Status",
]

#: The usual cohort size a gap is divided by to say how many cohorts are still needed.
DEFAULT_COHORT_SIZE: Final = 12
#: Seed 004's rule of thumb: boards with more births a year than this place specialist
#: practitioners in several services.
BIRTHS_RULE_THRESHOLD: Final = 3000
#: "Several services" in seed 004's rule: at least this many services with a specialist.
BIRTHS_RULE_SERVICES: Final = 2


class Status(StrEnum):
    """Where a row stands against its requirement on the as-of date."""

    MET = "met"
    ON_TRAJECTORY = "on_trajectory"
    BEHIND = "behind"


class Flag(StrEnum):
    """A data problem or special case a row carries (the words of the JSON's ``flags``)."""

    TRAINED_EXCEEDS_HEADCOUNT = "trained_exceeds_headcount"
    NO_HEADCOUNT = "no_headcount"


#: Plain words for each flag, for tables and reports.
FLAG_WORDS: Final = {
    Flag.TRAINED_EXCEEDS_HEADCOUNT: "more people trained than the headcount: check the data",
    Flag.NO_HEADCOUNT: "no staff in the establishment (headcount 0)",
}

#: Plain words for each status.
STATUS_WORDS: Final = {
    Status.MET: "met",
    Status.ON_TRAJECTORY: "on trajectory",
    Status.BEHIND: "behind",
}


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One organisation's staff of one service and profession against one required level.

    ``trained`` is the number of distinct people of this organisation, service and profession
    (their latest training record's) trained at or above ``level`` and not lapsed; ``percent``
    is ``100 * trained / headcount`` unrounded, None when the headcount is 0 or smaller than
    ``trained`` (see ``flags``). ``gap_people`` is ``max(0, ceil(target_percent * headcount /
    100) - trained)``, computed exactly. ``by_date`` is the date of the final target.
    """

    organisation: str
    service: str
    profession: str
    level: str
    headcount: int
    trained: int
    percent: float | None
    target_percent: Decimal
    gap_people: int
    status: Status
    flags: tuple[Flag, ...]
    by_date: datetime.date

    @property
    def target_people(self) -> int:
        """The people the target asks for: ``ceil(target_percent * headcount / 100)``."""
        return _ceil(Fraction(self.target_percent) * self.headcount / 100)

    def to_dict(self) -> dict[str, object]:
        """The row as the JSON has it: exactly the issue's keys (``by_date`` is not one)."""
        return {
            "organisation": self.organisation,
            "service": self.service,
            "profession": self.profession,
            "level": self.level,
            "headcount": self.headcount,
            "trained": self.trained,
            "percent": self.percent,
            "target_percent": _number(self.target_percent),
            "gap_people": self.gap_people,
            "status": self.status.value,
            "flags": [flag.value for flag in self.flags],
        }


@dataclass(frozen=True, slots=True)
class LevelNeed:
    """What closing one organisation's gaps at one level takes, for planning cohorts.

    ``gap_people`` sums the rows' gaps at this level (a cohort mixes services and professions);
    ``cohorts_to_close_gap`` is ``ceil(gap_people / cohort_size)``. ``leavers_per_year`` is
    ``ceil(turnover * target_people)`` summed over the rows: trained people to replace each year
    to hold the target; ``people_per_year`` and ``cohorts_per_year`` are that replacement.
    """

    organisation: str
    level: str
    gap_people: int
    cohort_size: int
    cohorts_to_close_gap: int
    turnover: Decimal
    leavers_per_year: int
    cohorts_per_year: int

    def to_dict(self) -> dict[str, object]:
        return {
            "organisation": self.organisation,
            "level": self.level,
            "gap_people": self.gap_people,
            "cohort_size": self.cohort_size,
            "cohorts_to_close_gap": self.cohorts_to_close_gap,
            "turnover": _number(self.turnover),
            "leavers_per_year": self.leavers_per_year,
            "cohorts_per_year": self.cohorts_per_year,
        }


@dataclass(frozen=True, slots=True)
class BirthsCheck:
    """Seed 004's rule as a check for one organisation: with more than 3,000 births a year,
    specialist practitioners (people at the ladder's top level) in at least two services.

    ``rule_applies`` is False at 3,000 births or fewer (then ``meets_rule`` is None).
    """

    organisation: str
    births_per_year: int
    specialist_level: str
    specialist_people: int
    specialist_services: tuple[str, ...]
    rule_applies: bool
    meets_rule: bool | None

    def to_dict(self) -> dict[str, object]:
        return {
            "organisation": self.organisation,
            "births_per_year": self.births_per_year,
            "specialist_level": self.specialist_level,
            "specialist_people": self.specialist_people,
            "specialist_services": list(self.specialist_services),
            "rule_applies": self.rule_applies,
            "meets_rule": self.meets_rule,
        }


@dataclass(frozen=True, slots=True)
class CoverageResult:
    """Coverage on ``as_of``: the rows (by organisation in the establishment's order, then the
    requirements' order), the ladder the levels belong to, the cohorts still needed per
    organisation and level, the births check (empty without births), and notes a person should
    read (training of people in no establishment row, requirements matching nothing).
    """

    as_of: datetime.date
    rows: tuple[CoverageRow, ...]
    ladder: Ladder
    needs: tuple[LevelNeed, ...] = ()
    births: tuple[BirthsCheck, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations with rows, in order."""
        return tuple(dict.fromkeys(row.organisation for row in self.rows))

    def to_dict(self) -> dict[str, object]:
        """The JSON document of ``imheval coverage --json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "framework": self.ladder.name,
            "levels": list(self.ladder.levels),
            "rows": [row.to_dict() for row in self.rows],
            "needs": [need.to_dict() for need in self.needs],
            "births": [check.to_dict() for check in self.births],
            "notes": list(self.notes),
        }


def _ceil(value: Fraction) -> int:
    """The exact ceiling of a fraction (no float on the way: 90% of 10 is 9)."""
    return math.ceil(value)


def _number(value: Decimal) -> int | float:
    """A Decimal for JSON: an int when whole (90), else the nearest float (87.5)."""
    return int(value) if value == value.to_integral_value() else float(value)
