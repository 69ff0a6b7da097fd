"""Service data as values: periods, measures (a small catalogue and custom ones) and rows.

A row is one service's figure for one measure in one period: a month ("2025-04") or a quarter
("2025-Q2"). One service's series of one measure uses one kind of period. A measure is a
**count** (e.g. referrals in the period), a **proportion** (a count over a denominator, e.g.
assessments with an infant relationship section out of all assessments) or a **mean** (e.g. the
mean wait in weeks; its optional denominator is how many families the mean is over). Each measure
is at Barr's level 4a (organisational practice) or 4b (benefit to babies and families).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CATALOGUE",
    "MEASURE_KINDS",
    "Measure",
    "MeasureKind",
    "Period",
    "ServiceData",
    "ServiceRow",
    "parse_period",
    "parse_training_date",
]

MeasureKind = Literal["count", "proportion", "mean"]
MEASURE_KINDS: Final = ("count", "proportion", "mean")
ServiceLevel = Literal["4a", "4b"]


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month or quarter. ``index`` numbers periods of one kind consecutively."""

    kind: Literal["month", "quarter"]
    year: int
    number: int  # month 1-12 or quarter 1-4

    @property
    def index(self) -> int:
        per_year = 12 if self.kind == "month" else 4
        return self.year * per_year + self.number - 1

    @property
    def start(self) -> datetime.date:
        month = self.number if self.kind == "month" else 3 * (self.number - 1) + 1
        return datetime.date(self.year, month, 1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        return f"{self.year:04d}-Q{self.number}"

    def __str__(self) -> str:
        return self.label


_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-0?1(?:[ T]00:00(?::00)?)?)?")
_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*q([1-4])", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def parse_period(text: str) -> Period | None:
    """A period from "2025-04" (a month; "2025-04-01" as Excel writes it also reads) or
    "2025-Q2" (a quarter; "2025 Q2" also reads); None when it is neither."""
    text = text.strip()
    match = _MONTH.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 12 and 1900 <= int(match.group(1)) <= 2200:
        return Period("month", int(match.group(1)), int(match.group(2)))
    match = _QUARTER.fullmatch(text)
    if match and 1900 <= int(match.group(1)) <= 2200:
        return Period("quarter", int(match.group(1)), int(match.group(2)))
    return None


def parse_training_date(text: str) -> datetime.date | None:
    """The date training began: "2025-09" (the 1st of the month) or "2025-09-15"."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure: its key, its words, its kind, its unit and its Barr level (4a or 4b).

    ``denominator`` names what a proportion is out of (or what a mean is over).
    """

    key: str
    label: str
    kind: MeasureKind
    unit: str
    barr_level: ServiceLevel
    denominator: str = ""
    #: Which way is better: "higher", "lower" or "" (not said; a count of referrals may be
    #: better higher or lower depending on the service).
    better: Literal["higher", "lower", ""] = ""


#: Typical level-4 measures for infant mental health training; any other key is a custom
#: measure, whose kind and Barr level the file must give.
CATALOGUE: Final[dict[str, Measure]] = {
    measure.key: measure
    for measure in (
        Measure(
            "assessments_infant_relationship",
            "Assessments with an infant relationship section",
            "proportion",
            "assessments",
            "4a",
            denominator="all assessments",
            better="higher",
        ),
        Measure(
            "referrals_parent_infant",
            "Referrals to parent-infant services",
            "count",
            "referrals",
            "4a",
        ),
        Measure(
            "waiting_time_weeks",
            "Waiting time to a parent-infant service",
            "mean",
            "weeks",
            "4a",
            denominator="families seen",
            better="lower",
        ),
        Measure(
            "relationship_improved",
            "Families whose parent-infant relationship improved by discharge",
            "proportion",
            "families",
            "4b",
            denominator="families discharged",
            better="higher",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service's value of one measure in one period (``denominator`` when given)."""

    service: str
    measure: Measure
    period: Period
    value: float
    denominator: int | None = None
    row: int | None = None  # the spreadsheet row it came from, when read from a file


@dataclass(frozen=True, slots=True)
class ServiceData:
    """Every row read, and the date training began in each service (a service not named
    uses ``default_training``)."""

    rows: tuple[ServiceRow, ...]
    source: str = ""
    training: tuple[tuple[str, datetime.date], ...] = ()
    default_training: datetime.date | None = None

    @property
    def services(self) -> tuple[str, ...]:
        """The services in the rows, each as first written, in the order first seen."""
        names: dict[str, str] = {}
        for row in self.rows:
            names.setdefault(row.service.casefold(), row.service)
        return tuple(names.values())

    def training_date(self, service: str) -> datetime.date | None:
        for name, date in self.training:
            if name.casefold() == service.casefold():
                return date
        return self.default_training

    def with_training(
        self, default: datetime.date | None, per_service: dict[str, datetime.date]
    ) -> ServiceData:
        """A copy with these training dates."""
        return ServiceData(self.rows, self.source, tuple(sorted(per_service.items())), default)
