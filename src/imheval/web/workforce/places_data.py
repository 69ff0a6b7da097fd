"""Places per programme and financial year: funded, offered, taken and completed, and who took
them by profession and by service.

A financial year runs from April to March: ``year`` 2026 is April 2026 to March 2027
("2026/27"). A cohort's places belong to the year its course starts in.

- **funded** and **offered** are what the organisation recorded for that programme and year
  (:class:`~imheval.web.workforce.models.PlacesYear`); with no record, funded is the
  programme's usual places per year (None when it has none) and offered is None.
- **taken** is the number of people on the training registers of the programme's cohorts
  starting in that year (archived cohorts too: their places were taken), one per register
  line, so someone on two cohorts of a programme in one year took two places.
- **completed** is those of them whose completion is recorded (``completed_on`` set).

Professions and services are grouped as the coverage core matches names, without regard to
case or repeated spaces, and shown as most of their rows spell them. The register names staff;
nothing here leaves with a name: the rows hold counts only.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Value, When
from django.db.models.functions import ExtractYear

from imheval.errors import CoverageError
from imheval.web.organisations.models import Organisation
from imheval.web.workforce import adapter
from imheval.web.workforce.models import PlacesYear, Trainee, WorkforceSettings
from imheval.web.workspace.models import Cohort, Programme
from imheval.workforce import BUILT_IN, Ladder
from imheval.workforce.ladder import level_key

#: The month a financial year starts in (April).
YEAR_STARTS = 4
#: What a blank profession or service is shown as.
NOT_GIVEN = "Not given"

#: (profession or service, taken, completed)
Breakdown = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class PlacesRow:
    """One programme's places in one financial year (``year`` 2026 = April 2026 to March
    2027). ``by_profession`` and ``by_service`` are (name, taken, completed), most taken
    first."""

    organisation: str
    programme: str
    programme_id: int
    level: str
    funder: str
    year: int
    funded: int | None
    offered: int | None
    taken: int
    completed: int
    by_profession: Breakdown
    by_service: Breakdown

    @property
    def year_label(self) -> str:
        """ "2026/27"."""
        return financial_year_label(self.year)

    @property
    def over_funded(self) -> bool:
        """More places taken than were funded (a plain flag on the page)."""
        return self.funded is not None and self.taken > self.funded

    @property
    def used_percent(self) -> float | None:
        """Places used: taken as a percent of funded, unrounded; None with no funded places."""
        if not self.funded:
            return None
        return 100 * self.taken / self.funded


def financial_year_of(day: datetime.date) -> int:
    """The financial year ``day`` falls in: 31 March 2027 is in 2026, 1 April 2027 in 2027."""
    return day.year if day.month >= YEAR_STARTS else day.year - 1


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """(first day, the day after the last) of financial year ``year``: 1 April ``year`` and
    1 April ``year + 1``."""
    return datetime.date(year, YEAR_STARTS, 1), datetime.date(year + 1, YEAR_STARTS, 1)


def financial_year_label(year: int) -> str:
    """ "2026/27" for 2026."""
    return f"{year}/{(year + 1) % 100:02d}"


def _cohort_year(prefix: str = "") -> Case:
    """A database expression: the financial year of a cohort's start date."""
    start = f"{prefix}start_date"
    return Case(
        When(
            **{f"{start}__month__lt": YEAR_STARTS},
            then=ExtractYear(start) - Value(1),
        ),
        default=ExtractYear(start),
        output_field=IntegerField(),
    )


def _ladders(organisations: Sequence[Organisation]) -> dict[int, Ladder | None]:
    """Each organisation's framework (the default, NES, when it saved no settings; None when
    its own framework's levels are not a ladder)."""
    found: dict[int, Ladder | None] = {org.pk: BUILT_IN["nes"] for org in organisations}
    for saved in WorkforceSettings.objects.filter(organisation__in=organisations):
        try:
            found[saved.organisation_id] = saved.ladder()  # type: ignore[attr-defined]
        except CoverageError:
            found[saved.organisation_id] = None  # type: ignore[attr-defined]
    return found


def level_shown(programme: Programme, ladder: Ladder | None) -> str:
    """The level ``programme`` gives on ``ladder`` as the ladder spells it (the adapter's rule,
    which coverage counts by: with seed 000's ladder and no framework level, its beginner,
    intermediate or advanced level); a framework level the ladder does not have as written;
    "" for none."""
    if ladder is not None:
        found = adapter.programme_level(programme.framework_level, programme.level, ladder)
        if found is not None:
            return found
    return programme.framework_level.strip()


def _breakdown(counts: Iterable[tuple[str, int, int]]) -> Breakdown:
    """(name, taken, completed) summed over names that match (case, spaces), each shown as
    most of its rows spell it; most taken first, then by name."""
    taken: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name, n_taken, n_completed in counts:
        shown = " ".join(name.split()) or NOT_GIVEN
        key = level_key(shown)
        taken[key] += n_taken
        completed[key] += n_completed
        spellings[key][shown] += n_taken
    rows = [
        (min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0], n, completed[key])
        for key, n in taken.items()
    ]
    return tuple(sorted(rows, key=lambda row: (-row[1], row[0].casefold())))


def places_rows(organisations: Sequence[Organisation], year: int | None = None) -> list[PlacesRow]:
    """The places of every programme of ``organisations`` in each financial year it has places
    recorded or cohorts starting (only ``year`` when given: then every programme not archived
    with usual places per year is shown too, with nothing taken yet). Ordered by organisation,
    programme and year. Five queries, whatever the number of organisations, programmes,
    cohorts and trainees."""
    if not organisations:
        return []
    programmes = {
        programme.pk: programme
        for programme in Programme.objects.filter(organisation__in=organisations).select_related(
            "organisation"
        )
    }
    ladders = _ladders(organisations)

    recorded = PlacesYear.objects.filter(programme__in=list(programmes))
    cohorts = Cohort.objects.filter(programme__in=list(programmes)).annotate(
        financial_year=_cohort_year()
    )
    trainees = Trainee.objects.filter(cohort__programme__in=list(programmes)).annotate(
        financial_year=_cohort_year("cohort__")
    )
    if year is not None:
        first, after = year_bounds(year)
        recorded = recorded.filter(year=year)
        cohorts = cohorts.filter(start_date__gte=first, start_date__lt=after)
        trainees = trainees.filter(cohort__start_date__gte=first, cohort__start_date__lt=after)

    places = {(row.programme_id, row.year): row for row in recorded}  # type: ignore[attr-defined]
    keys: set[tuple[int, int]] = set(places)
    keys.update(
        (row["programme_id"], row["financial_year"])
        for row in cohorts.values("programme_id", "financial_year").distinct()
    )
    counted: dict[tuple[int, int], list[tuple[str, str, int, int]]] = defaultdict(list)
    for row in (
        trainees.annotate(programme_key=F("cohort__programme_id"))
        .values("programme_key", "financial_year", "profession", "service")
        .annotate(taken=Count("pk"), completed=Count("completed_on"))
        .order_by()
    ):
        key = (row["programme_key"], row["financial_year"])
        counted[key].append((row["profession"], row["service"], row["taken"], row["completed"]))
    keys.update(counted)
    if year is not None:
        keys.update(
            (pk, year)
            for pk, programme in programmes.items()
            if not programme.is_archived and programme.places_per_year
        )

    rows = []
    for programme_id, financial_year in keys:
        programme = programmes[programme_id]
        record = places.get((programme_id, financial_year))
        lines = counted.get((programme_id, financial_year), [])
        rows.append(
            PlacesRow(
                organisation=programme.organisation.name,
                programme=programme.name,
                programme_id=programme_id,
                level=level_shown(programme, ladders.get(programme.organisation_id)),  # type: ignore[attr-defined]
                funder=programme.funder,
                year=financial_year,
                funded=record.funded if record is not None else programme.places_per_year,
                offered=record.offered if record is not None else None,
                taken=sum(line[2] for line in lines),
                completed=sum(line[3] for line in lines),
                by_profession=_breakdown((p, t, c) for p, _, t, c in lines),
                by_service=_breakdown((s, t, c) for _, s, t, c in lines),
            )
        )
    rows.sort(key=lambda row: (row.organisation.casefold(), row.programme.casefold(), row.year))
    return rows
