"""The one place the web app crosses into the coverage core: database rows become the core's
:class:`~imheval.workforce.Post`, :class:`~imheval.workforce.TrainingRecord`,
:class:`~imheval.workforce.Requirement` and :class:`~imheval.workforce.Births`, and
:func:`imheval.workforce.coverage` counts them. No coverage rule is written here.

What becomes a training record:

- a trainee on one of the organisation's cohorts with ``completed_on`` set, at the level their
  programme gives on the ladder (``framework_level``; with the seed 000 framework, a programme
  without one gives its own beginner/intermediate/advanced ``level``). A programme that gives
  no level on the ladder counts nobody (a note names it);
- a trainee counts for their employer: a blank employer is the cohort's organisation; an
  employer naming another organisation (by name or short name, ignoring case and repeated
  spaces) makes them that organisation's staff: counted there when it is among the
  organisations asked about (:func:`coverage_for`), otherwise not counted (a note says how many);
- :class:`~imheval.web.workforce.models.EarlierTraining`, as it was imported (a level not on the
  ladder is left out, with a note).

Trainees are read with ``values_list`` (a region holds ~60,000 records; model instances would
cost several times the time), and every function here runs a constant number of queries
whatever the number of organisations, records or requirements.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from imheval.findings.wording import join_and
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import (
    BirthsYear,
    EarlierTraining,
    Establishment,
    EstablishmentRow,
    LevelRequirement,
    Trainee,
    WorkforceSettings,
)
from imheval.web.workforce.models import TrajectoryPoint as StoredPoint
from imheval.web.workspace.models import Programme
from imheval.workforce import (
    BUILT_IN,
    Births,
    CoverageResult,
    Ladder,
    Post,
    Requirement,
    TrainingRecord,
    TrajectoryPoint,
    coverage,
)
from imheval.workforce.coverage import DEFAULT_COHORT_SIZE
from imheval.workforce.ladder import level_key

__all__ = [
    "CoverageInputs",
    "core_requirement",
    "coverage_for",
    "coverage_on",
    "load_inputs",
    "organisation_coverage",
    "organisation_ladder",
    "organisation_requirements",
    "programme_level",
]

#: What the core's messages call the training records (a problem names it).
TRAINING_SOURCE = "training records"


def organisation_ladder(organisation: Organisation) -> Ladder:
    """The organisation's framework as the core's ladder (NES PIMH until its settings say
    otherwise). Raises :class:`~imheval.errors.CoverageError` when its own levels are not a
    ladder (blank, repeated or none)."""
    return WorkforceSettings.for_organisation(organisation).ladder()


def programme_level(framework_level: str, level: str, ladder: Ladder) -> str | None:
    """The ladder's level a programme gives, as the ladder spells it, or None when it gives none
    on this ladder. Without a ``framework_level``, a programme's seed 000 ``level`` (beginner,
    intermediate, advanced) is used when the ladder is seed 000's."""
    if framework_level.strip():
        return ladder.canonical(framework_level)
    if ladder == BUILT_IN["seed000"]:
        return ladder.canonical(level)
    return None


def core_requirement(
    requirement: LevelRequirement, ladder: Ladder, points: Iterable[tuple[datetime.date, Decimal]]
) -> Requirement | None:
    """The core's requirement for a stored one (None when its level is not on ``ladder``): the
    interim points dated before the target's date, in date order, then the target itself."""
    level = ladder.canonical(requirement.level)
    if level is None:
        return None
    interim = sorted((day, target) for day, target in points if day < requirement.by_date)
    return Requirement(
        service=requirement.service,
        profession=requirement.profession,
        level=level,
        points=(
            *(TrajectoryPoint(by_date=day, target_percent=target) for day, target in interim),
            TrajectoryPoint(by_date=requirement.by_date, target_percent=requirement.target_percent),
        ),
        refresh_years=requirement.refresh_years,
    )


def organisation_requirements(
    organisation: Organisation, ladder: Ladder
) -> tuple[list[Requirement], list[str]]:
    """The organisation's required levels as the core's requirements (two queries), and notes
    for those left out because their level is not on the ladder."""
    stored = list(LevelRequirement.objects.filter(organisation=organisation))
    points: dict[int, list[tuple[datetime.date, Decimal]]] = {}
    for requirement_id, day, target in StoredPoint.objects.filter(
        requirement__organisation=organisation
    ).values_list("requirement_id", "by_date", "target_percent"):
        points.setdefault(requirement_id, []).append((day, target))
    requirements: list[Requirement] = []
    notes: list[str] = []
    for requirement in stored:
        built = core_requirement(requirement, ladder, points.get(requirement.pk, []))
        if built is None:
            notes.append(
                f"The requirement for {requirement.profession} in {requirement.service} at "
                f"'{requirement.level}' is not counted: '{requirement.level}' is not a level of "
                f"{ladder.describe()}. Change the requirement's level."
            )
        else:
            requirements.append(built)
    return requirements, notes


@dataclass(frozen=True, slots=True)
class _Organisations:
    """The organisations asked about: their ids, names, and how an employer names each."""

    names: dict[int, str]
    by_key: dict[str, str]

    @classmethod
    def of(cls, organisations: Sequence[Organisation]) -> _Organisations:
        by_key: dict[str, str] = {}
        for organisation in organisations:
            by_key.setdefault(level_key(organisation.slug), organisation.name)
        for organisation in organisations:  # a name wins over another's short name
            by_key[level_key(organisation.name)] = organisation.name
        return cls({o.pk: o.name for o in organisations}, by_key)


@dataclass(frozen=True)
class CoverageInputs:
    """Everything coverage needs about some organisations except the establishment's date
    choice, read once (so a trend can compute many dates from one read).

    ``establishments`` holds each organisation's extracts as (date, posts), newest first.
    """

    ladder: Ladder
    requirements: tuple[Requirement, ...]
    organisations: tuple[str, ...]
    establishments: dict[str, list[tuple[datetime.date, tuple[Post, ...]]]]
    training: tuple[TrainingRecord, ...]
    births: dict[str, list[tuple[int, int]]]
    cohort_size: int = DEFAULT_COHORT_SIZE
    turnover: Decimal = Decimal(0)
    notes: tuple[str, ...] = field(default=())


def load_inputs(
    organisations: Sequence[Organisation],
    *,
    ladder: Ladder,
    requirements: Sequence[Requirement],
    as_of: datetime.date | None = None,
    cohort_size: int = DEFAULT_COHORT_SIZE,
    turnover: Decimal = Decimal(0),
    notes: Sequence[str] = (),
) -> CoverageInputs:
    """Read the organisations' establishments, training and births (six queries, whatever their
    number). With ``as_of``, only each organisation's latest extract on or before it is read;
    without, every extract (for a trend)."""
    orgs = _Organisations.of(organisations)
    ids = list(orgs.names)
    extracts = Establishment.objects.filter(organisation_id__in=ids).order_by(
        "organisation_id", "-as_of", "-id"
    )
    if as_of is not None:
        extracts = extracts.filter(as_of__lte=as_of)
    chosen: dict[int, tuple[int, datetime.date]] = {}
    seen: set[int] = set()
    for extract_id, organisation_id, day in extracts.values_list("id", "organisation_id", "as_of"):
        if as_of is not None and organisation_id in seen:
            continue  # only the newest extract on or before as_of
        seen.add(organisation_id)
        chosen[extract_id] = (organisation_id, day)
    posts: dict[int, list[Post]] = {extract_id: [] for extract_id in chosen}
    for extract_id, service, profession, headcount, wte in (
        EstablishmentRow.objects.filter(establishment_id__in=list(chosen))
        .order_by("establishment_id", "service", "profession")
        .values_list("establishment_id", "service", "profession", "headcount", "wte")
    ):
        organisation = orgs.names[chosen[extract_id][0]]
        posts[extract_id].append(Post(organisation, service, profession, headcount, wte))
    establishments: dict[str, list[tuple[datetime.date, tuple[Post, ...]]]] = {}
    for extract_id, (organisation_id, day) in chosen.items():
        establishments.setdefault(orgs.names[organisation_id], []).append(
            (day, tuple(posts[extract_id]))
        )
    training, training_notes = _training(orgs, ladder, len(organisations) == 1)
    births: dict[str, list[tuple[int, int]]] = {}
    for organisation_id, year, count in (
        BirthsYear.objects.filter(organisation_id__in=ids)
        .order_by("organisation_id", "-year")
        .values_list("organisation_id", "year", "births")
    ):
        births.setdefault(orgs.names[organisation_id], []).append((year, count))
    return CoverageInputs(
        ladder=ladder,
        requirements=tuple(requirements),
        organisations=tuple(o.name for o in organisations),
        establishments=establishments,
        training=tuple(training),
        births=births,
        cohort_size=cohort_size,
        turnover=turnover,
        notes=(*notes, *training_notes),
    )


def _training(
    orgs: _Organisations, ladder: Ladder, alone: bool
) -> tuple[list[TrainingRecord], list[str]]:
    """Completions on the organisations' registers and their earlier training, as records
    (three queries), and notes on what was left out."""
    ids = list(orgs.names)
    programmes: dict[int, tuple[int, str, str | None]] = {}
    for programme_id, organisation_id, name, framework_level, level in Programme.objects.filter(
        organisation_id__in=ids
    ).values_list("id", "organisation_id", "name", "framework_level", "level"):
        programmes[programme_id] = (
            organisation_id,
            name,
            programme_level(framework_level, level, ladder),
        )
    records: list[TrainingRecord] = []
    no_level: dict[str, int] = {}
    elsewhere: dict[str, set[str]] = {}
    employer_names: dict[str, str] = {}
    for person, profession, service, employer, completed_on, programme_id in (
        Trainee.objects.filter(
            cohort__programme__organisation_id__in=ids, completed_on__isnull=False
        )
        .order_by()
        .values_list(
            "person", "profession", "service", "employer", "completed_on", "cohort__programme_id"
        )
    ):
        organisation_id, programme_name, level = programmes[programme_id]
        if level is None:
            no_level[programme_name] = no_level.get(programme_name, 0) + 1
            continue
        if employer.strip():
            key = level_key(employer)
            organisation = orgs.by_key.get(key)
            if organisation is None:
                employer_names.setdefault(key, employer.strip())
                elsewhere.setdefault(key, set()).add(level_key(person))
                continue
        else:
            organisation = orgs.names[organisation_id]
        records.append(
            TrainingRecord(person, organisation, service, profession, level, completed_on)
        )
    off_ladder: dict[str, int] = {}
    for organisation_id, person, profession, service, stored_level, completed_on in (
        EarlierTraining.objects.filter(organisation_id__in=ids)
        .order_by()
        .values_list("organisation_id", "person", "profession", "service", "level", "completed_on")
    ):
        level = ladder.canonical(stored_level)
        if level is None:
            off_ladder[stored_level] = off_ladder.get(stored_level, 0) + 1
            continue
        records.append(
            TrainingRecord(
                person, orgs.names[organisation_id], service, profession, level, completed_on
            )
        )
    return records, _training_notes(ladder, no_level, elsewhere, employer_names, off_ladder, alone)


def _training_notes(
    ladder: Ladder,
    no_level: dict[str, int],
    elsewhere: dict[str, set[str]],
    employer_names: dict[str, str],
    off_ladder: dict[str, int],
    alone: bool,
) -> list[str]:
    notes: list[str] = []
    if no_level:
        count = sum(no_level.values())
        named = join_and([f"'{name}'" for name in sorted(no_level)])
        notes.append(
            f"{count:,} completion{'s' if count != 1 else ''} of {named} "
            f"{'are' if count != 1 else 'is'} not counted: the programme gives no level of "
            f"{ladder.describe()}. Set the level it gives on the programme's page."
        )
    if elsewhere:
        people = sum(len(found) for found in elsewhere.values())
        named = join_and([f"'{employer_names[key]}'" for key in sorted(elsewhere)])
        whose = "this organisation's" if alone else "these organisations'"
        notes.append(
            f"{people:,} {'person' if people == 1 else 'people'} on the training registers "
            f"{'is' if people == 1 else 'are'} employed by {named}, not {whose} staff: "
            "they count for their employer, not here."
        )
    if off_ladder:
        count = sum(off_ladder.values())
        named = join_and([f"'{level}'" for level in sorted(off_ladder)])
        notes.append(
            f"{count:,} earlier training record{'s' if count != 1 else ''} at {named} "
            f"{'are' if count != 1 else 'is'} not counted: not a level of {ladder.describe()}."
        )
    return notes


def coverage_on(inputs: CoverageInputs, as_of: datetime.date) -> CoverageResult:
    """Coverage on ``as_of`` from inputs already read: each organisation's latest extract on or
    before ``as_of`` (an organisation without one has no rows; a note says so) and its latest
    births figure of a year up to ``as_of``'s (else its earliest). Raises
    :class:`~imheval.errors.CoverageError` as :func:`imheval.workforce.coverage` does."""
    establishment: list[Post] = []
    missing: list[str] = []
    for name in inputs.organisations:
        extracts = [posts for day, posts in inputs.establishments.get(name, []) if day <= as_of]
        if extracts:
            establishment.extend(extracts[0])
        else:
            missing.append(name)
    births: list[Births] = []
    for name in inputs.organisations:
        years = inputs.births.get(name, [])
        if years:
            due = [entry for entry in years if entry[0] <= as_of.year] or years[-1:]
            births.append(Births(name, due[0][1]))
    present = {level_key(name) for name in inputs.organisations if name not in missing}
    training = [r for r in inputs.training if level_key(r.organisation) in present]
    result = coverage(
        establishment,
        training,
        inputs.requirements,
        as_of=as_of,
        ladder=inputs.ladder,
        births=[b for b in births if b.organisation not in missing],
        cohort_size=inputs.cohort_size,
        turnover=inputs.turnover,
        training_file=TRAINING_SOURCE,
    )
    notes = list(inputs.notes)
    if missing:
        named = join_and([f"'{name}'" for name in missing])
        notes.append(
            f"No establishment extract on or before {as_of.day} {as_of:%B %Y} for {named}: "
            "import one to see coverage."
            if len(inputs.organisations) > 1
            else f"There is no establishment extract on or before {as_of.day} {as_of:%B %Y}: "
            "import one to see coverage."
        )
    return CoverageResult(
        as_of=result.as_of,
        rows=result.rows,
        ladder=result.ladder,
        needs=result.needs,
        births=result.births,
        notes=(*result.notes, *notes),
    )


def organisation_settings(organisation: Organisation) -> tuple[Ladder, int, Decimal]:
    """The organisation's ladder, usual cohort size and turnover (a share, 0 to 1)."""
    settings = WorkforceSettings.for_organisation(organisation)
    return settings.ladder(), settings.cohort_size, settings.turnover_percent / 100


def organisation_inputs(
    organisation: Organisation, as_of: datetime.date | None = None
) -> CoverageInputs:
    """One organisation's inputs (its own ladder, requirements, cohort size and turnover); every
    extract when ``as_of`` is None, else only the latest on or before it."""
    ladder, cohort_size, turnover = organisation_settings(organisation)
    requirements, notes = organisation_requirements(organisation, ladder)
    return load_inputs(
        [organisation],
        ladder=ladder,
        requirements=requirements,
        as_of=as_of,
        cohort_size=cohort_size,
        turnover=turnover,
        notes=notes,
    )


def organisation_coverage(
    organisation: Organisation, as_of: datetime.date | None = None
) -> CoverageResult:
    """The organisation's coverage on ``as_of`` (None: today) against its own requirements, with
    its latest establishment extract on or before that date, its registers' completions and
    earlier training, its latest births figure, and its usual cohort size and turnover.

    A constant number of queries (nine). Raises :class:`~imheval.errors.CoverageError` when its
    own framework is not a ladder, or a person's latest records place them in two teams.
    """
    day = as_of or timezone.localdate()
    return coverage_on(organisation_inputs(organisation, day), day)


def coverage_for(
    organisations: Sequence[Organisation],
    as_of: datetime.date,
    *,
    ladder: Ladder,
    requirements: Sequence[Requirement],
    cohort_size: int = DEFAULT_COHORT_SIZE,
    turnover: Decimal = Decimal(0),
) -> CoverageResult:
    """Coverage of several organisations against shared requirements (a region's targets): rows
    for each organisation in the order given (``organisation`` is the Organisation's name),
    each with its latest extract on or before ``as_of``. A trainee employed by another of
    ``organisations`` counts there. Six queries whatever the number of organisations.
    Raises :class:`~imheval.errors.CoverageError` as :func:`organisation_coverage` does."""
    inputs = load_inputs(
        organisations,
        ladder=ladder,
        requirements=requirements,
        as_of=as_of,
        cohort_size=cohort_size,
        turnover=turnover,
    )
    return coverage_on(inputs, as_of)
