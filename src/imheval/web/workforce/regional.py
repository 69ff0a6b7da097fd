"""What a region's pages read: the sharing organisations' coverage against the regional
targets, and their cohorts' stored outcomes, as the core's regional values
(:mod:`imheval.workforce.regional`, which applies the small-group rule across the region).

Only :func:`~imheval.web.workforce.region_access.sharing_organisations` are read; nothing here
touches a training register's names, a response or a code: coverage goes through the adapter
(which counts people and returns counts), outcomes are :class:`CohortOutcome` aggregates.
Every function runs a fixed number of queries whatever the number of organisations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from imheval.errors import ImhevalError
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.adapter import coverage_for
from imheval.web.workforce.models import CohortOutcome, Region, RegionalTarget
from imheval.web.workforce.region_access import not_sharing_count, sharing_organisations
from imheval.workforce import Ladder, Requirement, TrajectoryPoint
from imheval.workforce.regional import (
    CohortOutcomeSummary,
    OutcomeGroup,
    RegionalCoverage,
    outcome_groups,
    regional_coverage,
)

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
    """A region's coverage page: the values, or why there are none (``problem``)."""

    view: RegionView
    as_of: datetime.date
    coverage: RegionalCoverage | None
    targets: int
    problem: str | None
    notes: tuple[str, ...]


def coverage_view(region: Region, as_of: datetime.date) -> CoverageView:
    """The sharing organisations' coverage against the region's targets on ``as_of``, as the
    region may see it. A constant number of queries (two here, one for the targets, and the
    adapter's fixed count)."""
    view = region_view(region)
    requirements, notes = regional_requirements(region, view.ladder)
    problem = None
    coverage = None
    if not requirements:
        problem = "The region has no targets on its framework yet, so there is nothing to count."
    elif not view.organisations:
        problem = "No organisation shares with the region yet."
    else:
        try:
            result = coverage_for(
                view.organisations, as_of, ladder=view.ladder, requirements=requirements
            )
        except ImhevalError:
            problem = COVERAGE_PROBLEM
        else:
            coverage = regional_coverage(result)
            if not coverage.teams:
                problem = (
                    "No sharing organisation has staff in a service and profession the "
                    "regional targets name."
                )
    return CoverageView(view, as_of, coverage, len(requirements), problem, tuple(notes))


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
    groups = outcome_groups(cohort_outcomes(view.organisations)) if view.organisations else ()
    return OutcomesView(view, groups)
