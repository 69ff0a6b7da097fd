"""The competency coverage grid: which domains of a framework a group's readings touched,
meeting by meeting, and which it has not touched yet this year.

The facilitators of seed 002's network group source readings "mapped on to specific IMH
competencies"; the grid shows, for one framework, how many of each meeting's readings touch
each domain, and lists the domains no reading has touched, for planning the rest of the year.
The caller passes the year's meetings (:class:`CoverageMeeting`) and each meeting's readings
(:class:`ReadingTags`, with the competency references the reading is tagged with, as
:func:`imheval.instruments.frameworks.resolve` reads them). Nothing here knows about Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imheval.errors import ImhevalError
from imheval.instruments.frameworks import CompetencyDomain, CompetencyFramework, resolve

__all__ = [
    "CoverageError",
    "CoverageGrid",
    "CoverageMeeting",
    "CoverageRow",
    "ReadingTags",
    "coverage_grid",
]


class CoverageError(ImhevalError, ValueError):
    """Raised when the meetings given to the coverage grid are not valid (a repeated key)."""


@dataclass(frozen=True, slots=True)
class CoverageMeeting:
    """A meeting as a column of the grid. ``label`` heads the column (the date, "6 Feb 2025",
    when blank); a cancelled meeting is left out of the grid."""

    key: str
    date: datetime.date
    label: str = ""
    cancelled: bool = False

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"{self.date.day} {self.date:%b %Y}")


@dataclass(frozen=True, slots=True)
class ReadingTags:
    """A reading set for a meeting: its key, its title, and the competency references it is
    tagged with (``"<framework>:<domain>"`` or ``"<framework>:<domain>:<competency>"``)."""

    key: str
    title: str
    competencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One domain's row: the number of readings touching it at each meeting, and their total
    (a reading set for two meetings counts at both)."""

    domain: CompetencyDomain
    counts: tuple[int, ...]
    total: int

    @property
    def label(self) -> str:
        return self.domain.label


@dataclass(frozen=True, slots=True)
class CoverageGrid:
    """Domains (rows, in the framework's order) against meetings (columns, in date order).

    ``uncovered`` are the domains no reading touched at any of the meetings, in the
    framework's order; ``untagged`` the readings that touch no domain of this framework (not
    tagged, or tagged only against another framework), each once.
    """

    framework_id: str
    framework_title: str
    columns: tuple[CoverageMeeting, ...]
    rows: tuple[CoverageRow, ...]
    uncovered: tuple[CompetencyDomain, ...]
    untagged: tuple[ReadingTags, ...]

    @property
    def covered(self) -> int:
        """How many domains at least one reading touched."""
        return len(self.rows) - len(self.uncovered)

    def to_dict(self) -> dict[str, object]:
        """The grid as JSON-ready values (for storage and exports, not for presenting)."""
        return {
            "framework": self.framework_id,
            "framework_title": self.framework_title,
            "meetings": [
                {"key": c.key, "date": c.date.isoformat(), "label": c.label} for c in self.columns
            ],
            "domains": [
                {
                    "id": row.domain.id,
                    "label": row.label,
                    "counts": list(row.counts),
                    "total": row.total,
                }
                for row in self.rows
            ],
            "uncovered": [domain.id for domain in self.uncovered],
            "untagged": [reading.key for reading in self.untagged],
        }


def coverage_grid(
    framework: CompetencyFramework,
    meetings: Sequence[CoverageMeeting],
    readings_by_meeting: Mapping[str, Sequence[ReadingTags]],
) -> CoverageGrid:
    """The coverage grid of ``framework`` over ``meetings`` (the year's, as the caller chose).

    A reading counts once for a domain at a meeting however many of that domain's
    competencies it is tagged with; a reading tagged with two domains counts for both.
    Cancelled meetings are left out, with their readings; readings under a key that is not
    one of the meetings are ignored. Raises :class:`CoverageError` when two meetings share a
    key.

    Examples:
        >>> from imheval.instruments.frameworks import IMH_SERVICE
        >>> grid = coverage_grid(
        ...     IMH_SERVICE,
        ...     [CoverageMeeting("1", datetime.date(2025, 2, 6))],
        ...     {"1": [ReadingTags("r", "Fraiberg 1975",
        ...                        ("imh-service-dimensions:infant_parent_psychotherapy",))]},
        ... )
        >>> grid.rows[-1].counts, grid.covered
        ((1,), 1)
    """
    keys = [meeting.key for meeting in meetings]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise CoverageError(
            f"Meetings must have different keys; {', '.join(repeated)} is used more than once."
        )
    columns = tuple(sorted((m for m in meetings if not m.cancelled), key=lambda m: (m.date, m.key)))
    counts = {domain.id: [0] * len(columns) for domain in framework.domains}
    untagged: dict[str, ReadingTags] = {}
    for index, column in enumerate(columns):
        for reading in readings_by_meeting.get(column.key, ()):
            touched = {
                domain.id
                for ref in reading.competencies
                if (domain := resolve(framework, ref)) is not None
            }
            if not touched:
                untagged.setdefault(reading.key, reading)
            for domain_id in touched:
                counts[domain_id][index] += 1
    rows = tuple(
        CoverageRow(domain, tuple(counts[domain.id]), sum(counts[domain.id]))
        for domain in framework.domains
    )
    return CoverageGrid(
        framework_id=framework.id,
        framework_title=framework.title,
        columns=columns,
        rows=rows,
        uncovered=tuple(row.domain for row in rows if row.total == 0),
        untagged=tuple(untagged.values()),
    )
