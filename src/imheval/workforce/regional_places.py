"""What a region may see of its organisations' places: each programme's places per financial
year, organisations side by side with the region's total, and who took them by profession
across the region, with the small-group rule applied across the region (issue 16, part 4).

The input is one :class:`ProgrammePlaces` per programme of a sharing organisation and year
(the web's ``places_rows``, counts only). Programmes of different organisations are "the same
programme" by :func:`~imheval.workforce.regional.programme_key` (name ignoring case and
spacing, and the same level), as outcomes side by side group them.

**The small-group rule** (decision 0003, as :func:`~imheval.workforce.regional.regional_coverage`
applies it):

- places *taken* and *completed* count people, so an organisation's row is hidden *whole*
  (taken and completed) when either is 1 to ``min_size - 1``, and more rows are hidden until
  neither published total (taken, completed) gives a hidden count back
  (:func:`~imheval.workforce.regional.hide_rows`); a total the rule cannot protect is hidden;
- places *funded* and *offered* are what an organisation planned and bought, not people, so
  they are shown for every organisation, hidden rows included, and their totals too;
- the region's places taken and completed by profession are counts of people against the same
  totals: each profession's row is suppressed the same way, and the whole breakdown is hidden
  when the total it adds up to is hidden (it would publish that total), or when the rule could
  protect a profession only by hiding that total (which the organisations' table publishes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from imheval.workforce.ladder import level_key
from imheval.workforce.regional import MIN_GROUP_SIZE, hide_rows, programme_key

__all__ = [
    "REGION_TOTAL",
    "OrganisationPlaces",
    "PlacesGroup",
    "ProfessionPlaces",
    "ProgrammePlaces",
    "financial_year_label",
    "regional_places",
]

#: The label of a group's row for the region as a whole.
REGION_TOTAL = "Region"


def financial_year_label(year: int) -> str:
    """ "2026/27" for 2026 (April 2026 to March 2027)."""
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class ProgrammePlaces:
    """One programme of one organisation in one financial year (``year`` 2026 = April 2026 to
    March 2027): places ``funded`` and ``offered`` (None when not recorded), ``taken`` (people
    on its cohorts' registers) and ``completed``; ``by_profession`` is (profession, taken,
    completed)."""

    organisation: str
    programme: str
    level: str
    year: int
    funded: int | None
    offered: int | None
    taken: int
    completed: int
    by_profession: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationPlaces:
    """One organisation's places on a programme in a year, or the region's (``organisation``
    then :data:`REGION_TOTAL`). ``hidden``: taken and completed are hidden by the small-group
    rule (then None); funded and offered are never hidden (not people)."""

    organisation: str
    funded: int | None
    offered: int | None
    taken: int | None
    completed: int | None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class ProfessionPlaces:
    """Places taken and completed by one profession across the region (None when hidden)."""

    profession: str
    taken: int | None
    completed: int | None
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class PlacesGroup:
    """ "The same programme" in one financial year across the region: each organisation that
    has it, the region's total, and the region's places by profession.

    ``professions`` is empty with ``professions_hidden`` True when the breakdown is withheld
    (the total it adds up to is hidden); empty with it False when nobody took a place.
    """

    programme: str
    level: str
    year: int
    organisations: tuple[OrganisationPlaces, ...]
    total: OrganisationPlaces
    professions: tuple[ProfessionPlaces, ...]
    professions_hidden: bool
    min_size: int

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def any_hidden(self) -> bool:
        return (
            self.total.hidden
            or self.professions_hidden
            or any(row.hidden for row in self.organisations)
            or any(row.hidden for row in self.professions)
        )


def _sum(values: Sequence[int | None]) -> int | None:
    """The sum of the values given; None when none is."""
    given = [value for value in values if value is not None]
    return sum(given) if given else None


def regional_places(
    rows: Sequence[ProgrammePlaces], *, min_size: int = MIN_GROUP_SIZE
) -> tuple[PlacesGroup, ...]:
    """``rows`` grouped by programme (:func:`~imheval.workforce.regional.programme_key`) and
    financial year, latest year first, then by programme name; organisations in the order of
    their first row; two programmes of one organisation in one group are added together.
    Raises ValueError for a negative count."""
    groups: dict[tuple[int, tuple[str, str]], list[ProgrammePlaces]] = {}
    for row in rows:
        if row.taken < 0 or row.completed < 0:
            raise ValueError(f"{row.organisation}, {row.programme}: places cannot be negative")
        key = (row.year, programme_key(row.programme, row.level))
        groups.setdefault(key, []).append(row)
    ordered = sorted(groups.items(), key=lambda item: (-item[0][0], item[0][1]))
    return tuple(_group(members, min_size) for _, members in ordered)


def _group(rows: Sequence[ProgrammePlaces], min_size: int) -> PlacesGroup:
    names = tuple(dict.fromkeys(row.organisation for row in rows))
    own = {name: [row for row in rows if row.organisation == name] for name in names}
    funded = [_sum([row.funded for row in own[name]]) for name in names]
    offered = [_sum([row.offered for row in own[name]]) for name in names]
    taken = [sum(row.taken for row in own[name]) for name in names]
    completed = [sum(row.completed for row in own[name]) for name in names]
    hidden, totals_hidden = hide_rows([taken, completed], min_size)
    total_hidden = any(totals_hidden)
    organisations = tuple(
        OrganisationPlaces(
            name,
            funded[i],
            offered[i],
            None if hidden[i] else taken[i],
            None if hidden[i] else completed[i],
            hidden[i],
        )
        for i, name in enumerate(names)
    )
    total = OrganisationPlaces(
        REGION_TOTAL,
        _sum(funded),
        _sum(offered),
        None if total_hidden else sum(taken),
        None if total_hidden else sum(completed),
        total_hidden,
    )
    professions, professions_hidden = _professions(rows, min_size, total_hidden)
    first = rows[0]
    return PlacesGroup(
        programme=first.programme,
        level=first.level,
        year=first.year,
        organisations=organisations,
        total=total,
        professions=professions,
        professions_hidden=professions_hidden,
        min_size=min_size,
    )


def _professions(
    rows: Sequence[ProgrammePlaces], min_size: int, total_hidden: bool
) -> tuple[tuple[ProfessionPlaces, ...], bool]:
    """The region's places by profession (names matched without regard to case and spacing,
    shown as first written), most taken first, suppressed against the group's totals."""
    taken: dict[str, int] = {}
    completed: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for row in rows:
        for profession, n_taken, n_completed in row.by_profession:
            key = level_key(profession)
            spelling.setdefault(key, " ".join(profession.split()))
            taken[key] = taken.get(key, 0) + n_taken
            completed[key] = completed.get(key, 0) + n_completed
    keys = sorted(taken, key=lambda key: (-taken[key], spelling[key].casefold()))
    keys = [key for key in keys if taken[key] or completed[key]]
    if not keys:
        return (), False
    if total_hidden:
        return (), True
    hidden, totals_hidden = hide_rows(
        [[taken[k] for k in keys], [completed[k] for k in keys]], min_size
    )
    if any(totals_hidden):
        # The rule could protect the rows only by hiding their total, but the total is
        # published in the organisations' table: withhold the whole breakdown instead.
        return (), True
    return (
        tuple(
            ProfessionPlaces(
                spelling[key],
                None if hidden[i] else taken[key],
                None if hidden[i] else completed[key],
                hidden[i],
            )
            for i, key in enumerate(keys)
        ),
        False,
    )
