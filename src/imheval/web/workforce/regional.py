"""What a region's pages read: the sharing organisations' coverage against the regional
targets, their places per programme and financial year, and their cohorts' stored outcomes, as
the core's regional values (:mod:`imheval.workforce.regional` and
:mod:`imheval.workforce.regional_places`, which apply the small-group rule across the region).

Only :func:`~imheval.web.workforce.region_access.sharing_organisations` are read; nothing here
touches a training register's names, a response or a code: coverage goes through the adapter
(which counts people and returns counts), outcomes are :class:`CohortOutcome` aggregates.
Every function runs a fixed number of queries whatever the number of organisations.

**Kept results.** Counting coverage for a region of 12 organisations reads every training
record (tens of thousands) and the model comparing organisations is fitted per programme, so
both are kept in Django's cache under a fingerprint of everything they are computed from, read
afresh on every visit (so every server process sees a change at once):

- outcomes: the stored outcome rows themselves (one query reads them; the key is their hash), so
  any change to them, or to which organisations share, is a new key;
- coverage: the region (its id, creation time and framework), the sharing organisations (ids
  and creation times: a test database reuses ids), the targets, the as-of date, and a version of
  the organisations' workforce data: the latest audit event of any of them (every change made
  through imheval is audited, bulk imports with one event) and, for changes that are not
  (a completion settled from attendance, rows written outside imheval), the count, latest id and
  completion counts and dates of their training registers, earlier training and establishment
  rows (four aggregate queries).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Min, Sum

from imheval.errors import CoverageError, ImhevalError
from imheval.web.organisations.models import AuditEvent, Organisation
from imheval.web.workforce.adapter import CoverageInputs, coverage_on, load_inputs
from imheval.web.workforce.models import (
    CohortOutcome,
    EarlierTraining,
    EstablishmentRow,
    PlacesYear,
    Region,
    RegionalTarget,
    Trainee,
    WorkforceSettings,
)
from imheval.web.workforce.places_data import financial_year_of, places_rows
from imheval.web.workforce.region_access import not_sharing_count, sharing_organisations
from imheval.web.workspace.models import Cohort
from imheval.workforce import CoverageResult, Ladder, Requirement, TrajectoryPoint
from imheval.workforce.ladder import level_key
from imheval.workforce.regional import (
    CohortOutcomeSummary,
    OutcomeGroup,
    RegionalCoverage,
    outcome_groups,
    regional_coverage,
)
from imheval.workforce.regional_places import PlacesGroup, ProgrammePlaces, regional_places

#: How long a kept result is kept at most (its key changes with any change anyway).
KEEP_SECONDS = 24 * 60 * 60
#: Part of every kept result's key: raised when what is kept changes shape or meaning, so a
#: result kept by an earlier version (e.g. one holding the organisations' own notes) is never
#: served again.
KEEP_VERSION = 2

#: Shown instead of a coverage error's own words, which may name a member's staff.
COVERAGE_PROBLEM = (
    "Coverage could not be counted: the data of an organisation that shares with the region "
    "has a problem (its own coverage page names it). It shows here again once they correct it."
)


@dataclass(frozen=True)
class RegionView:
    """The organisations a regional page reads, and what it says about the others."""

    region: Region
    ladder: Ladder
    organisations: list[Organisation]
    not_sharing: int


def region_view(region: Region) -> RegionView:
    """The sharing organisations and how many members do not share (two queries)."""
    return RegionView(
        region=region,
        ladder=region.ladder(),
        organisations=sharing_organisations(region),
        not_sharing=not_sharing_count(region),
    )


def regional_requirements(region: Region, ladder: Ladder) -> tuple[list[Requirement], list[str]]:
    """The region's targets as the core's requirements (one query; a target has no interim
    points), and notes for targets whose level is not on the region's framework."""
    requirements: list[Requirement] = []
    notes: list[str] = []
    for target in RegionalTarget.objects.filter(region=region):
        level = ladder.canonical(target.level)
        if level is None:
            notes.append(
                f"The target for {target.profession} in {target.service} at '{target.level}' is "
                f"not counted: '{target.level}' is not a level of {ladder.describe()}."
            )
            continue
        requirements.append(
            Requirement(
                service=target.service,
                profession=target.profession,
                level=level,
                points=(TrajectoryPoint(target.by_date, target.target_percent),),
            )
        )
    return requirements, notes


@dataclass(frozen=True)
class CoverageView:
    """A region's coverage page: the values, or why there are none (``problem``).

    ``other_framework`` and ``not_counted`` name the sharing organisations left out of every
    figure: those whose framework is not the region's, and those whose own data could not be
    counted. A page shows their names to the region's leads only (as
    :func:`~imheval.web.workforce.region_access.visible_members` does), their number to
    everyone; the report, which any role reads, gives the number only."""

    view: RegionView
    as_of: datetime.date
    coverage: RegionalCoverage | None
    targets: int
    problem: str | None
    notes: tuple[str, ...]
    other_framework: tuple[str, ...] = ()
    not_counted: tuple[str, ...] = ()


def same_framework(first: Ladder, second: Ladder) -> bool:
    """True when two frameworks have the same levels in the same order, ignoring case and
    spacing (their names may differ: a level is what training is counted at)."""
    return [level_key(level) for level in first.levels] == [
        level_key(level) for level in second.levels
    ]


def split_by_framework(
    organisations: Sequence[Organisation], ladder: Ladder
) -> tuple[list[Organisation], list[str], list[str]]:
    """The organisations whose framework is ``ladder`` (counted), the names of those on another
    (their completions are at levels the region's targets do not name, so counting them would
    show none trained), and of those whose own framework is not a ladder at all (a level
    named twice: their data cannot be counted). One query."""
    saved = {
        settings.organisation_id: settings
        for settings in WorkforceSettings.objects.filter(organisation__in=organisations)
    }
    counted: list[Organisation] = []
    other: list[str] = []
    broken: list[str] = []
    for organisation in organisations:
        settings = saved.get(organisation.pk) or WorkforceSettings(organisation=organisation)
        try:
            own = settings.ladder()
        except CoverageError:
            broken.append(organisation.name)
            continue
        if same_framework(own, ladder):
            counted.append(organisation)
        else:
            other.append(organisation.name)
    return counted, other, broken


def _only(inputs: CoverageInputs, names: Sequence[str]) -> CoverageInputs:
    """``inputs`` restricted to the organisations ``names`` (their extracts, births and the
    training records counted for them): nothing is read again."""
    keys = {level_key(name) for name in names}
    return dataclasses.replace(
        inputs,
        organisations=tuple(name for name in inputs.organisations if name in names),
        establishments={k: v for k, v in inputs.establishments.items() if k in names},
        training=tuple(r for r in inputs.training if level_key(r.organisation) in keys),
        births={k: v for k, v in inputs.births.items() if k in names},
    )


def count_each(
    organisations: Sequence[Organisation],
    as_of: datetime.date,
    *,
    ladder: Ladder,
    requirements: Sequence[Requirement],
) -> tuple[CoverageResult | None, tuple[str, ...]]:
    """Coverage of ``organisations`` against shared requirements, one organisation's bad data
    leaving out only that organisation: the result for the others (None when none can be
    counted) and the names of those left out.

    Everything is read once (the adapter's six queries). All are counted together first; when
    the core refuses (a person placed in two teams on their latest day, say), each organisation
    is counted alone from the same inputs to find which ones fail (a person belongs to one
    organisation, so one organisation's problem never depends on another's), and the rest are
    counted together again. The core's words, which name staff, are not passed on."""
    inputs = load_inputs(organisations, ladder=ladder, requirements=requirements, as_of=as_of)
    try:
        return coverage_on(inputs, as_of), ()
    except CoverageError:
        pass
    failed: list[str] = []
    for name in inputs.organisations:
        try:
            coverage_on(_only(inputs, [name]), as_of)
        except CoverageError:
            failed.append(name)
    rest = [name for name in inputs.organisations if name not in failed]
    if not rest:
        return None, tuple(failed)
    try:
        return coverage_on(_only(inputs, rest), as_of), tuple(failed)
    except CoverageError:  # not one organisation's problem after all: none is counted
        return None, tuple(inputs.organisations)


def coverage_view(region: Region, as_of: datetime.date) -> CoverageView:
    """The sharing organisations' coverage against the region's targets on ``as_of``, as the
    region may see it, kept under its fingerprint (see the module's docstring).

    An organisation on another framework than the region's, or whose own data cannot be
    counted, is left out of every figure (and named in ``other_framework`` or
    ``not_counted``); the others are counted as usual. A constant number of queries: two for
    the organisations, one for the targets, one for their frameworks, four for the
    fingerprint, and when nothing is kept the adapter's six."""
    view = region_view(region)
    requirements, notes = regional_requirements(region, view.ladder)
    problem = None
    coverage = None
    other: list[str] = []
    failed: tuple[str, ...] = ()
    if not requirements:
        problem = "The region has no targets on its framework yet, so there is nothing to count."
    elif not view.organisations:
        problem = "No organisation shares with the region yet."
    else:
        counted, other, broken = split_by_framework(view.organisations, view.ladder)
        key = coverage_key(view, requirements, as_of, counted)
        kept: tuple[RegionalCoverage | None, tuple[str, ...]] | None = cache.get(key)
        if kept is None:
            result: CoverageResult | None = None
            try:
                if counted:
                    result, failed = count_each(
                        counted, as_of, ladder=view.ladder, requirements=requirements
                    )
            except ImhevalError:  # its words may name staff: never shown
                failed = tuple(o.name for o in counted)
            kept = (None if result is None else regional_coverage(result), failed)
            cache.set(key, kept, KEEP_SECONDS)
        coverage, failed = kept
        failed = (*broken, *failed)
        if coverage is None:
            problem = (
                COVERAGE_PROBLEM
                if failed
                else "No organisation that shares with the region uses the region's framework."
            )
        elif not coverage.teams:
            problem = (
                "No sharing organisation has staff in a service and profession the regional "
                "targets name."
            )
            coverage = None
    return CoverageView(
        view,
        as_of,
        coverage,
        len(requirements),
        problem,
        tuple(notes),
        other_framework=tuple(other),
        not_counted=tuple(sorted(failed)),
    )


def _digest(kind: str, parts: object) -> str:
    return f"regional-{kind}:" + hashlib.sha256(repr((KEEP_VERSION, parts)).encode()).hexdigest()


def data_version(organisations: Sequence[Organisation]) -> tuple[object, ...]:
    """What changes whenever the organisations' workforce data do (four queries; see the
    module's docstring)."""
    audit = AuditEvent.objects.filter(organisation__in=organisations).aggregate(latest=Max("id"))
    trainees = Trainee.objects.filter(cohort__programme__organisation__in=organisations).aggregate(
        n=Count("id"),
        latest=Max("id"),
        completed=Count("completed_on"),
        first=Min("completed_on"),
        last=Max("completed_on"),
    )
    earlier = EarlierTraining.objects.filter(organisation__in=organisations).aggregate(
        n=Count("id"), latest=Max("id"), last=Max("completed_on")
    )
    posts = EstablishmentRow.objects.filter(
        establishment__organisation__in=organisations
    ).aggregate(n=Count("id"), latest=Max("id"), staff=Sum("headcount"))
    return tuple(sorted(found.items()) for found in (audit, trainees, earlier, posts))


def coverage_key(
    view: RegionView,
    requirements: Sequence[Requirement],
    as_of: datetime.date,
    organisations: Sequence[Organisation] | None = None,
) -> str:
    """The cache key of the region's coverage of ``organisations`` (every sharing one when
    None) on ``as_of``."""
    region = view.region
    counted = view.organisations if organisations is None else organisations
    return _digest(
        "coverage",
        (
            region.pk,
            region.created_at,
            view.ladder,
            [(o.pk, o.name, o.created_at) for o in counted],
            list(requirements),
            as_of,
            data_version(counted),
        ),
    )


def cohort_outcomes(organisations: list[Organisation]) -> list[CohortOutcomeSummary]:
    """The stored outcome of every cohort of ``organisations`` with matched people (one
    query): aggregates only. A programme's level is its framework level, or without one its
    seed 000 level (beginner, intermediate, advanced)."""
    rows = (
        CohortOutcome.objects.filter(
            cohort__programme__organisation__in=organisations,
            matched__gt=0,
            mean_gain__isnull=False,
        )
        .order_by("cohort__programme__organisation__name", "cohort__programme__name", "cohort_id")
        .values_list(
            "cohort__programme__organisation__name",
            "cohort__programme__name",
            "cohort__programme__framework_level",
            "cohort__programme__level",
            "cohort_id",
            "matched",
            "mean_gain",
            "sd_gain",
            "measure",
            "kirkpatrick",
        )
    )
    return [
        CohortOutcomeSummary(
            organisation=organisation,
            programme=programme,
            level=framework_level.strip() or level,
            # the cohort's key only: its name is not needed and never leaves the organisation
            cohort=str(cohort_id),
            matched=matched,
            mean_gain=mean_gain,
            sd_gain=sd_gain,
            measure=measure,
            kirkpatrick=tuple(
                sorted(k for k in kirkpatrick or () if isinstance(k, int) and 1 <= k <= 4)
            ),
        )
        for (
            organisation,
            programme,
            framework_level,
            level,
            cohort_id,
            matched,
            mean_gain,
            sd_gain,
            measure,
            kirkpatrick,
        ) in rows
    ]


@dataclass(frozen=True)
class OutcomesView:
    view: RegionView
    groups: tuple[OutcomeGroup, ...]


def outcomes_view(region: Region) -> OutcomesView:
    """Each programme the sharing organisations deliver, side by side (three queries)."""
    view = region_view(region)
    if not view.organisations:
        return OutcomesView(view, ())
    cohorts = cohort_outcomes(view.organisations)
    key = _digest("outcomes", cohorts)
    groups: tuple[OutcomeGroup, ...] | None = cache.get(key)
    if groups is None:
        groups = outcome_groups(cohorts)
        cache.set(key, groups, KEEP_SECONDS)
    return OutcomesView(view, groups)


@dataclass(frozen=True)
class PlacesView:
    """A region's places page: the groups of ``year`` (every year when None)."""

    view: RegionView
    year: int | None
    groups: tuple[PlacesGroup, ...]
    #: Every financial year with places recorded or cohorts starting, latest first.
    years: tuple[int, ...]


def places_view(region: Region, year: int | None = None) -> PlacesView:
    """The sharing organisations' places per programme and financial year, side by side with
    the small-group rule across the region (:mod:`imheval.workforce.regional_places`): two
    queries for the organisations, ``places_rows``' five and two for the years there are,
    whatever their number. Nothing is kept: it is counted afresh on each visit."""
    view = region_view(region)
    rows = [
        ProgrammePlaces(
            organisation=row.organisation,
            programme=row.programme,
            level=row.level,
            year=row.year,
            funded=row.funded,
            offered=row.offered,
            taken=row.taken,
            completed=row.completed,
            by_profession=row.by_profession,
        )
        for row in places_rows(view.organisations, year)
    ]
    return PlacesView(view, year, regional_places(rows), places_years(view.organisations))


def places_years(organisations: Sequence[Organisation]) -> tuple[int, ...]:
    """The financial years in which ``organisations`` recorded places or start cohorts, latest
    first (two queries)."""
    if not organisations:
        return ()
    recorded = PlacesYear.objects.filter(programme__organisation__in=organisations)
    starts = Cohort.objects.filter(programme__organisation__in=organisations)
    years = set(recorded.values_list("year", flat=True).distinct())
    years.update(financial_year_of(month) for month in starts.dates("start_date", "month"))
    return tuple(sorted(years, reverse=True))
