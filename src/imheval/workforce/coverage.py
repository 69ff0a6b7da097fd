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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from imheval.errors import CoverageError, Problem, list_rows
from imheval.workforce.inputs import Births, Post, Requirement, TrainingRecord
from imheval.workforce.ladder import Ladder, level_key

__all__ = [
    "DEFAULT_COHORT_SIZE",
    "BirthsCheck",
    "CoverageResult",
    "CoverageRow",
    "Flag",
    "LevelNeed",
    "Status",
    "coverage",
    "lapse_date",
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


# --- computing coverage ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    """One person as coverage counts them: where their latest record places them, and for each
    rank of the ladder the latest date they completed that level or a higher one."""

    organisation: str
    service: str
    profession: str
    best: tuple[datetime.date | None, ...]


def coverage(
    establishment: Sequence[Post],
    training: Sequence[TrainingRecord],
    requirements: Sequence[Requirement],
    *,
    as_of: datetime.date,
    ladder: Ladder,
    births: Sequence[Births] = (),
    cohort_size: int = DEFAULT_COHORT_SIZE,
    turnover: Decimal = Decimal(0),
    training_file: str = "training",
) -> CoverageResult:
    """Coverage on ``as_of``: one row per establishment row and requirement of its service and
    profession (organisations in the establishment's order, then the requirements' order).

    The rules (docs/coverage.md): a person is ``person`` within an organisation; training after
    ``as_of`` is ignored; a person is placed in the service and profession of their latest
    record and counts at a row's level when they completed that level or a higher one (levels
    are cumulative) on or after the lapse date (``as_of`` less the requirement's
    ``refresh_years``; no lapse without it). Names of people, organisations, services,
    professions and levels are matched without regard to case or repeated spaces; rows use the
    establishment's spelling.

    Raises :class:`~imheval.errors.CoverageError` when a person's latest records (same date)
    place them in two services or professions (``training_file`` names the file), or a level
    is not on ``ladder``, or ``cohort_size`` is below 1 or ``turnover`` outside 0 to 1.
    """
    _check_plan(cohort_size, turnover)
    people, after_as_of = _people(training, as_of, ladder, training_file)
    placed: dict[tuple[str, str, str], list[_Person]] = {}
    for person in people:
        key = (
            level_key(person.organisation),
            level_key(person.service),
            level_key(person.profession),
        )
        placed.setdefault(key, []).append(person)
    by_post: dict[tuple[str, str], list[Requirement]] = {}
    for requirement in requirements:
        post_key = (level_key(requirement.service), level_key(requirement.profession))
        by_post.setdefault(post_key, []).append(requirement)
    rows: list[CoverageRow] = []
    matched: set[int] = set()
    for post in establishment:
        for requirement in by_post.get((level_key(post.service), level_key(post.profession)), []):
            matched.add(id(requirement))
            group = placed.get(
                (level_key(post.organisation), level_key(post.service), level_key(post.profession)),
                [],
            )
            rows.append(_row(post, requirement, group, as_of, ladder))
    notes = _notes(establishment, people, requirements, matched, after_as_of)
    return CoverageResult(
        as_of=as_of,
        rows=tuple(rows),
        ladder=ladder,
        needs=_needs(rows, ladder, cohort_size, turnover),
        births=_births(births, people, ladder),
        notes=tuple(notes),
    )


def _check_plan(cohort_size: int, turnover: Decimal) -> None:
    problems: list[Problem] = []
    if cohort_size < 1:
        problems.append(Problem(file="--cohort-size", message="a cohort has at least 1 person"))
    if not Decimal(0) <= turnover <= Decimal(1):
        problems.append(
            Problem(file="--turnover", message="the turnover is a share from 0 to 1 (e.g. 0.12)")
        )
    if problems:
        raise CoverageError(problems)


def _people(
    training: Sequence[TrainingRecord], as_of: datetime.date, ladder: Ladder, file: str
) -> tuple[list[_Person], int]:
    """Every person with training on or before ``as_of``, and how many records came after."""
    records: dict[tuple[str, str], list[TrainingRecord]] = {}
    after = 0
    problems: list[Problem] = []
    ranks: dict[str, int] = {}
    rank_of: dict[str, int | None] = {}
    for record in training:
        if record.level not in rank_of:
            rank_of[record.level] = ladder.rank(record.level)
        rank = rank_of[record.level]
        if rank is None:
            problems.append(
                Problem(
                    file=file,
                    row=record.row or None,
                    column="level",
                    message=f"'{record.level}' is not a level of {ladder.describe()}",
                )
            )
            continue
        if record.completed_on > as_of:
            after += 1
            continue
        ranks[record.level] = rank
        # "AB 12" and "ab 12" are one person: identifiers are typed by hand too.
        key = (level_key(record.organisation), level_key(record.person))
        records.setdefault(key, []).append(record)
    people: list[_Person] = []
    for own in records.values():
        person_id = own[0].person.strip()
        latest_date = max(record.completed_on for record in own)
        latest = [record for record in own if record.completed_on == latest_date]
        places = {(level_key(r.service), level_key(r.profession)) for r in latest}
        if len(places) > 1:
            rows = sorted(record.row for record in latest)
            problems.append(
                Problem(
                    file=file,
                    row=rows[-1] or None,
                    column="service",
                    message=(
                        f"person '{person_id}' of '{latest[0].organisation}' has records on "
                        f"{latest_date.isoformat()} (their latest) in different services or "
                        f"professions ({list_rows(rows)}): coverage places a person by their "
                        "latest record; correct the date or the service and profession"
                    ),
                )
            )
            continue
        here = latest[0]
        latest_at: list[datetime.date | None] = [None] * len(ladder.levels)
        for record in own:
            rank = ranks[record.level]
            known = latest_at[rank]
            if known is None or record.completed_on > known:
                latest_at[rank] = record.completed_on
        # best[r]: the latest completion at rank r or above (a higher level counts lower down).
        best: list[datetime.date | None] = [None] * len(latest_at)
        running: datetime.date | None = None
        for rank in reversed(range(len(latest_at))):
            found = latest_at[rank]
            if found is not None and (running is None or found > running):
                running = found
            best[rank] = running
        people.append(_Person(here.organisation, here.service, here.profession, tuple(best)))
    if problems:
        raise CoverageError(problems)
    return people, after


def lapse_date(as_of: datetime.date, refresh_years: int) -> datetime.date:
    """The earliest completion date still current: ``as_of`` less ``refresh_years`` years,
    the same day and month (29 February becomes 28 February in a common year)."""
    year = as_of.year - refresh_years
    if year < datetime.MINYEAR:
        return datetime.date.min  # everything completed so far is still current
    try:
        return as_of.replace(year=year)
    except ValueError:
        return as_of.replace(year=year, day=28)


def _row(
    post: Post,
    requirement: Requirement,
    group: Sequence[_Person],
    as_of: datetime.date,
    ladder: Ladder,
) -> CoverageRow:
    rank = ladder.rank(requirement.level)
    if rank is None:
        raise CoverageError(
            [
                Problem(
                    file="requirements",
                    column="level",
                    message=f"'{requirement.level}' is not a level of {ladder.describe()}",
                )
            ]
        )
    since = (
        lapse_date(as_of, requirement.refresh_years)
        if requirement.refresh_years is not None
        else None
    )
    trained = sum(
        1
        for person in group
        if (done := person.best[rank]) is not None and (since is None or done >= since)
    )
    headcount = post.headcount
    flags: list[Flag] = []
    if trained > headcount:
        flags.append(Flag.TRAINED_EXCEEDS_HEADCOUNT)
    if headcount == 0:
        flags.append(Flag.NO_HEADCOUNT)
    percent = None if flags else 100 * trained / headcount
    target = requirement.target_percent
    gap = max(0, _ceil(Fraction(target) * headcount / 100) - trained)
    return CoverageRow(
        organisation=post.organisation,
        service=post.service,
        profession=post.profession,
        level=ladder.levels[rank],
        headcount=headcount,
        trained=trained,
        percent=percent,
        target_percent=target,
        gap_people=gap,
        status=_status(requirement, trained, headcount, gap, as_of),
        flags=tuple(flags),
        by_date=requirement.by_date,
    )


def _status(
    requirement: Requirement, trained: int, headcount: int, gap: int, as_of: datetime.date
) -> Status:
    """Met when no gap is left (the share trained is at least the target); otherwise on
    trajectory when no point has fallen due yet (every ``by_date`` after ``as_of``) or the share
    is at least the latest due point's target; otherwise behind."""
    if gap == 0:
        return Status.MET
    due = [point for point in requirement.points if point.by_date <= as_of]
    if not due:
        return Status.ON_TRAJECTORY
    expected = Fraction(due[-1].target_percent)
    if 100 * trained >= expected * headcount:
        return Status.ON_TRAJECTORY
    return Status.BEHIND


def _needs(
    rows: Sequence[CoverageRow], ladder: Ladder, cohort_size: int, turnover: Decimal
) -> tuple[LevelNeed, ...]:
    """Per organisation and level (ladder order): the gap, and the cohorts to close and hold it."""
    gaps: dict[tuple[str, int], list[int]] = {}
    for row in rows:
        rank = ladder.rank(row.level)
        if rank is None:  # pragma: no cover - rows carry the ladder's own levels
            continue
        leavers = _ceil(Fraction(turnover) * row.target_people)
        totals = gaps.setdefault((row.organisation, rank), [0, 0])
        totals[0] += row.gap_people
        totals[1] += leavers
    needs: list[LevelNeed] = []
    for organisation in dict.fromkeys(row.organisation for row in rows):
        for rank, level in enumerate(ladder.levels):
            found = gaps.get((organisation, rank))
            if found is None:
                continue
            gap, leavers = found
            needs.append(
                LevelNeed(
                    organisation=organisation,
                    level=level,
                    gap_people=gap,
                    cohort_size=cohort_size,
                    cohorts_to_close_gap=_ceil(Fraction(gap, cohort_size)),
                    turnover=turnover,
                    leavers_per_year=leavers,
                    cohorts_per_year=_ceil(Fraction(leavers, cohort_size)),
                )
            )
    return tuple(needs)


def _births(
    births: Sequence[Births], people: Sequence[_Person], ladder: Ladder
) -> tuple[BirthsCheck, ...]:
    top = len(ladder.levels) - 1
    checks: list[BirthsCheck] = []
    for entry in births:
        key = level_key(entry.organisation)
        specialists = [
            person
            for person in people
            if level_key(person.organisation) == key and person.best[top] is not None
        ]
        services = tuple(
            sorted(
                {level_key(p.service): p.service for p in specialists}.values(),
                key=level_key,
            )
        )
        applies = entry.births_per_year > BIRTHS_RULE_THRESHOLD
        checks.append(
            BirthsCheck(
                organisation=entry.organisation,
                births_per_year=entry.births_per_year,
                specialist_level=ladder.top,
                specialist_people=len(specialists),
                specialist_services=services,
                rule_applies=applies,
                meets_rule=len(services) >= BIRTHS_RULE_SERVICES if applies else None,
            )
        )
    return tuple(checks)


def _notes(
    establishment: Sequence[Post],
    people: Sequence[_Person],
    requirements: Sequence[Requirement],
    matched: set[int],
    after_as_of: int,
) -> list[str]:
    """What a person should know about the inputs: training left uncounted and why."""
    notes: list[str] = []
    if after_as_of:
        were = (
            "records completed after the as-of date were"
            if after_as_of != 1
            else ("record completed after the as-of date was")
        )
        notes.append(f"{after_as_of:,} training {were} not counted.")
    organisations = {level_key(post.organisation) for post in establishment}
    posts = {
        (level_key(p.organisation), level_key(p.service), level_key(p.profession))
        for p in establishment
    }
    elsewhere: dict[str, int] = {}
    unplaced: dict[str, int] = {}
    names: dict[str, str] = {}
    for person in people:
        org = level_key(person.organisation)
        names.setdefault(org, person.organisation)
        if org not in organisations:
            elsewhere[org] = elsewhere.get(org, 0) + 1
        elif (org, level_key(person.service), level_key(person.profession)) not in posts:
            unplaced[org] = unplaced.get(org, 0) + 1
    for org, count in elsewhere.items():
        notes.append(
            f"{_people_count(count)} trained in '{names[org]}', which is not in the "
            "establishment: not counted."
        )
    for org, count in unplaced.items():
        notes.append(
            f"{_people_count(count)} of '{names[org]}' {'is' if count == 1 else 'are'} placed "
            "(by their latest training record) in a service and profession the establishment "
            "does not list: not counted."
        )
    for requirement in requirements:
        if id(requirement) not in matched:
            notes.append(
                f"No establishment row has service '{requirement.service}' and profession "
                f"'{requirement.profession}': the requirement for {requirement.level} gives "
                "no rows."
            )
    return notes


def _people_count(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"
