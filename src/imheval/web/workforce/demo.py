"""Workforce coverage in the demo: what ``imheval demo`` needs so its coverage, places, outcomes
and regional pages show something real instead of "nothing set up yet".

:func:`load_workforce` gives the demo trust (``imheval.web.demo``):

- **The NES framework** (Informed, Skilled, Enhanced, Specialist), with each demo programme's
  framework level set: Think Family gives Informed, Solihull Skilled, Anna Freud Enhanced.
  NES rather than seed 000's beginner/intermediate/advanced, because it is the framework the
  issue's strategic seeds and the docs' examples use, the one a region uses by default (so the
  trust and its region count on one ladder), and it has a Specialist level above any demo
  course, which the births check (seed 004) needs. The programmes keep their seed 000 level
  for the evaluation.
- **Programmes as offers**: funders and places a year (Solihull 120 places from the
  commissioners, seed 001), sessions and completion rules. Anna Freud becomes the multi-session
  course: blended, 16 weekly sessions, completed at 80% attendance (13 of 16), so its cohort
  AF1 runs 16 weeks; Solihull's two days are complete with the final day; Think Family is one
  session.
- **A training register for each demo cohort** (staff identifiers DT0001 on; more people on
  each register than answered its questionnaires, some on two courses; attendance for every
  session; most complete, some do not; S3, starting today, has no attendance yet), and
  **earlier training** from before imheval (2023 to 2025), so the trend has three years.
- **Two establishment extracts** (31 March of last financial year and of this one), **required
  levels** with targets on 31 March next and an interim point on 31 March last, so the heat map
  always shows teams met, on trajectory and behind whatever day the demo is started; **births**
  (3,400: seed 004's rule applies and the trust has specialists in one service only); a usual
  cohort of 12 and 8% turnover; **places** recorded for the years the cohorts ran.
- **Outcomes** computed by the evaluation engine (:func:`~.outcomes.refresh_outcomes`).

And a **region**, "Demo regional IMH group", over the demo trust and two synthetic
organisations with small establishments and registers of their own: Riverside Community
Health Trust shares with the region, Lakeside Council is invited and does not share. They spell
the programmes' names their own way ("solihull"), as the region's matching allows. They
have no questionnaire answers in the demo, so their cohorts' outcome aggregates (what a region
reads) are stored directly, under the fingerprint of their cohorts' (empty) answers: they stand
until answers are collected there. The regional lead ``demo-regional-lead`` signs in with the
demo password. The region's targets include the trust's specialist team of three, which the
region sees hidden (the small-group rule), and Lakeside appears only as "1 member not sharing".

Registers are bulk-created (one audit entry per register or file, as an import logs them);
everything else is saved one by one and audited as the pages would. Nothing here is random.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from imheval.web.organisations.audit import acting_as, record_created
from imheval.web.organisations.models import AuditEvent, Organisation
from imheval.web.results.analysis import Scope
from imheval.web.workforce import completion
from imheval.web.workforce.earlier import EARLIER_OBJECT
from imheval.web.workforce.models import (
    BirthsYear,
    CohortOutcome,
    EarlierTraining,
    Establishment,
    EstablishmentRow,
    Framework,
    LevelRequirement,
    PlacesYear,
    Region,
    RegionalTarget,
    RegionMember,
    RegionRole,
    RegionRoleName,
    SessionAttendance,
    Trainee,
    TrajectoryPoint,
    WorkforceSettings,
)
from imheval.web.workforce.outcomes import refresh_outcomes, scope_fingerprint
from imheval.web.workforce.places_data import financial_year_of
from imheval.web.workforce.region_audit import (
    REGIONAL_ROLE,
    REGIONAL_TARGET,
    record_region_change,
)
from imheval.web.workforce.register import REGISTER_OBJECT, log_event, register_label
from imheval.web.workspace.models import (
    Cohort,
    Delivery,
    DurationUnit,
    Level,
    Programme,
)
from imheval.workforce.ladder import level_key

REGION_NAME = "Demo regional IMH group"
REGION_SLUG = "demo-region"
#: The regional lead's user name (the demo's password).
REGIONAL_LEAD = "demo-regional-lead"
SHARING_PARTNER = "Riverside Community Health Trust"
NOT_SHARING_PARTNER = "Lakeside Council"

#: A team: key, service, profession, headcount last year, headcount this year.
Team = tuple[str, str, str, int, int]

#: The demo trust's establishment.
TEAMS: tuple[Team, ...] = (
    ("hv", "Health visiting", "Health visitor", 58, 60),
    ("mw", "Maternity", "Midwife", 76, 80),
    ("csw", "Children's social work", "Social worker", 40, 42),
    ("ssw", "Children's social work", "Senior social worker", 11, 12),
    ("fsw", "Family support", "Family support worker", 28, 30),
    ("mhn", "Adult mental health", "Mental health nurse", 64, 70),
    ("asw", "Adult social work", "Social worker", 35, 36),
    ("add", "Addictions", "Addictions worker", 20, 20),
    ("gp", "Primary care", "GP", 40, 40),
    ("cp", "Infant mental health service", "Clinical psychologist", 3, 3),
)

#: Each demo programme as an offer: framework level, funder, places a year, sessions, rule,
#: attendance threshold (%).
OFFERS: dict[str, tuple[str, str, int, int, str, int]] = {
    "Think Family": (
        "Informed",
        "Trust learning and development budget",
        60,
        1,
        completion.ATTENDANCE,
        100,
    ),
    "Solihull": (
        "Skilled",
        "Health board workforce development fund",
        120,
        2,
        completion.FINAL_SESSION,
        80,
    ),
    "Anna Freud": (
        "Enhanced",
        "Regional IMH programme board",
        12,
        16,
        completion.ATTENDANCE,
        80,
    ),
}
#: The multi-session course's length in weeks (one session a week).
ANNA_FREUD_WEEKS = 16

#: Places recorded per programme: (funded, offered) for the year its demo cohorts started.
PLACES: dict[str, tuple[int, int]] = {
    "Think Family": (60, 54),
    "Solihull": (120, 110),
    "Anna Freud": (12, 12),
}

#: A register line group: team key, first and last (exclusive) person of the team, and each
#: person's attendance in turn ("1" present, "0" absent per session; "" not recorded).
Group = tuple[str, int, int, tuple[str, ...]]

_ALL = "1" * ANNA_FREUD_WEEKS


def _weeks(present: int) -> str:
    """Attendance at the first ``present`` of the 16 weekly sessions."""
    return "1" * present + "0" * (ANNA_FREUD_WEEKS - present)


#: The demo trust's registers, by cohort. People are numbered within their team, so the same
#: numbers in two cohorts are the same person (a health visitor on Solihull, then Anna Freud).
REGISTERS: dict[str, tuple[Group, ...]] = {
    "TF1": (
        ("mhn", 0, 8, ("1",) * 7 + ("0",)),
        ("asw", 0, 8, ("1",) * 8),
        ("add", 0, 2, ("1",) * 2),
    ),
    "TF2": (
        ("mhn", 8, 15, ("1",) * 7),
        ("asw", 8, 15, ("1",) * 6 + ("0",)),
        ("add", 2, 4, ("1",) * 2),
        ("gp", 0, 1, ("1",)),
    ),
    "TF3": (
        ("mhn", 15, 22, ("1",) * 6 + ("0",)),
        ("asw", 15, 19, ("1",) * 4),
        ("add", 4, 6, ("1",) * 2),
    ),
    # Solihull: complete when present on the final day (the second).
    "S1": (
        ("hv", 0, 6, ("11",) * 5 + ("10",)),
        ("csw", 0, 3, ("11", "11", "01")),
        ("fsw", 0, 6, ("11",) * 4 + ("10", "11")),
    ),
    "S2": (
        ("hv", 6, 12, ("11",) * 4 + ("10", "11")),
        ("csw", 3, 6, ("11",) * 3),
        ("fsw", 6, 10, ("11",) * 4),
    ),
    # Anna Freud: 16 weekly sessions, complete at 13 (80%).
    "AF1": (
        ("ssw", 0, 4, (_ALL, _weeks(14), _weeks(13), _weeks(13))),
        ("fsw", 0, 2, (_ALL, _weeks(15))),
        ("fsw", 10, 12, (_weeks(14), _weeks(11))),
        ("csw", 0, 2, (_ALL, _weeks(6))),
        ("hv", 0, 1, (_weeks(13),)),
    ),
    # Starting today: on the register, nothing recorded yet.
    "S3": (
        ("hv", 12, 18, ("",) * 6),
        ("fsw", 12, 15, ("",) * 3),
        ("csw", 6, 9, ("",) * 3),
    ),
}

#: Earlier training (before imheval): team key, people, level, date, programme.
EarlierGroup = tuple[str, int, int, str, datetime.date, str]

AWARENESS = "Infant mental health awareness (e-learning)"
SPECIALIST_COURSE = "Specialist infant mental health practitioner programme"

EARLIER: tuple[EarlierGroup, ...] = (
    ("hv", 18, 26, "Skilled", datetime.date(2024, 10, 15), "Solihull"),
    ("hv", 26, 36, "Skilled", datetime.date(2025, 6, 18), "Solihull"),
    ("mw", 0, 14, "Informed", datetime.date(2024, 11, 20), AWARENESS),
    ("mw", 14, 34, "Informed", datetime.date(2025, 9, 10), AWARENESS),
    ("csw", 10, 15, "Skilled", datetime.date(2025, 2, 12), "Solihull"),
    ("fsw", 15, 21, "Skilled", datetime.date(2024, 9, 25), "Solihull"),
    ("mhn", 22, 32, "Informed", datetime.date(2024, 6, 5), "Think Family"),
    ("mhn", 32, 42, "Informed", datetime.date(2025, 5, 14), "Think Family"),
    ("asw", 20, 32, "Informed", datetime.date(2025, 1, 22), "Think Family"),
    ("gp", 1, 4, "Informed", datetime.date(2025, 11, 5), AWARENESS),
    ("cp", 0, 2, "Specialist", datetime.date(2023, 9, 1), SPECIALIST_COURSE),
    ("cp", 2, 3, "Specialist", datetime.date(2024, 9, 1), SPECIALIST_COURSE),
)
EARLIER_FILE = "training-before-imheval.csv"

#: Required levels: team key, level, final target (%), interim target (%) due on 31 March last
#: (None: no interim point). The final target falls due on 31 March next.
REQUIREMENTS: tuple[tuple[str, str, int, int | None], ...] = (
    ("hv", "Skilled", 90, 60),
    ("mw", "Informed", 80, 40),
    ("csw", "Skilled", 40, 20),
    ("ssw", "Enhanced", 50, 20),
    ("fsw", "Skilled", 50, 30),
    ("mhn", "Informed", 80, 50),
    ("asw", "Informed", 80, 50),
    ("add", "Informed", 50, None),
    ("gp", "Informed", 25, 15),
    ("cp", "Specialist", 100, None),
)

#: Births in the trust's area: the year before last, and last year (seed 004's rule applies).
BIRTHS = (3310, 3400)
COHORT_SIZE = 12
TURNOVER_PERCENT = Decimal("8")

#: The region's targets (no interim points): service, profession, level, target (%), due on
#: 31 March next.
REGIONAL_TARGETS: tuple[tuple[str, str, str, int], ...] = (
    ("Health visiting", "Health visitor", "Skilled", 90),
    ("Maternity", "Midwife", "Informed", 80),
    ("Children's social work", "Social worker", "Skilled", 40),
    ("Adult social work", "Social worker", "Informed", 80),
    ("Infant mental health service", "Clinical psychologist", "Specialist", 100),
)


@dataclass(frozen=True)
class Partner:
    """A synthetic organisation of the region: its establishment (this year), programmes'
    cohorts (name, programme, start date, register groups), earlier training, required levels
    (final target, interim) and each cohort's outcome aggregates (matched, pre, post, SD of the
    gain, followed up), in percent of the measure's range."""

    name: str
    slug: str
    prefix: str
    shares: bool
    teams: tuple[Team, ...]
    cohorts: tuple[tuple[str, str, datetime.date, tuple[Group, ...]], ...]
    earlier: tuple[EarlierGroup, ...]
    requirements: tuple[tuple[str, str, int, int | None], ...]
    births: int
    outcomes: dict[str, tuple[int, float, float, float, int]]
    #: How the organisation spells the demo's programme names (a region matches them without
    #: regard to capitals and spacing).
    spelling: dict[str, str]


PARTNERS: tuple[Partner, ...] = (
    Partner(
        name=SHARING_PARTNER,
        slug="demo-riverside",
        prefix="RC",
        shares=True,
        teams=(
            ("hv", "Health visiting", "Health visitor", 40, 40),
            ("mw", "Maternity", "Midwife", 55, 55),
            ("csw", "Children's social work", "Social worker", 30, 30),
            ("fsw", "Family support", "Family support worker", 18, 18),
        ),
        cohorts=(
            (
                "RT1",
                "Think Family",
                datetime.date(2026, 1, 20),
                (("mw", 0, 12, ("1",) * 11 + ("0",)),),
            ),
            (
                "RS1",
                "Solihull",
                datetime.date(2026, 2, 9),
                (("hv", 0, 8, ("11",) * 7 + ("10",)), ("csw", 0, 6, ("11",) * 6)),
            ),
            (
                "RS2",
                "Solihull",
                datetime.date(2026, 6, 15),
                (("hv", 8, 14, ("11",) * 6), ("fsw", 0, 6, ("11",) * 5 + ("10",))),
            ),
        ),
        earlier=(
            ("hv", 14, 22, "Skilled", datetime.date(2025, 3, 10), "Solihull"),
            ("mw", 12, 30, "Informed", datetime.date(2024, 12, 1), AWARENESS),
        ),
        requirements=(
            ("hv", "Skilled", 80, 40),
            ("mw", "Informed", 70, None),
            ("csw", "Skilled", 30, None),
        ),
        births=2100,
        outcomes={
            "RT1": (10, 38.0, 66.0, 25.0, 5),
            "RS1": (11, 44.0, 74.0, 27.0, 6),
            "RS2": (9, 47.0, 73.0, 24.0, 0),
        },
        spelling={"Think Family": "Think family", "Solihull": "solihull"},
    ),
    Partner(
        name=NOT_SHARING_PARTNER,
        slug="demo-lakeside",
        prefix="LC",
        shares=False,
        teams=(
            ("fsw", "Family support", "Family support worker", 25, 25),
            ("csw", "Children's social work", "Social worker", 35, 35),
        ),
        cohorts=(
            (
                "LS1",
                "Solihull",
                datetime.date(2026, 3, 23),
                (("fsw", 0, 8, ("11",) * 8), ("csw", 0, 6, ("11",) * 5 + ("10",))),
            ),
        ),
        earlier=(),
        requirements=(("fsw", "Skilled", 60, None),),
        births=1800,
        outcomes={"LS1": (12, 42.0, 70.0, 26.0, 5)},
        spelling={"Solihull": "SOLIHULL"},
    ),
)

#: Partner programmes: seed 000 level, framework level, delivery, sessions (one a day),
#: attendance threshold (%). One session: attendance; more: the final session.
PARTNER_PROGRAMMES = {
    "Think Family": (Level.BEGINNER, "Informed", Delivery.FACE_TO_FACE, 1, 100),
    "Solihull": (Level.INTERMEDIATE, "Skilled", Delivery.FACE_TO_FACE, 2, 80),
}


@dataclass(frozen=True)
class DemoRegion:
    """What :func:`load_workforce` made: the region and its lead's user name."""

    region: Region
    lead: str
    partners: tuple[Organisation, ...]


def year_end(year: int) -> datetime.date:
    """31 March ending financial year ``year`` (2026: 31 March 2027)."""
    return datetime.date(year + 1, 3, 31)


def load_workforce(organisation: Organisation, password: str, today: datetime.date) -> DemoRegion:
    """Give the demo trust its workforce data, compute its outcomes, and set up the region with
    its two partners and lead (see the module's docstring). Call it inside a transaction, after
    the demo's programmes, cohorts and answers exist. Dates are fixed where the demo's cohorts
    are, and relative to ``today`` where a status depends on it: this financial year's
    establishment extract is dated the 31 March it began after, targets fall due on the next
    31 March and interim points on the last."""
    this_year = financial_year_of(today)
    _trust(organisation, today, this_year)
    refresh_outcomes(organisation)
    with acting_as(None, "demo loader"):
        partners = tuple(_partner(partner, organisation, today, this_year) for partner in PARTNERS)
        region, lead = _region(organisation, partners, password, this_year)
    return DemoRegion(region, lead, partners)


# ------------------------------------------------------------------------------ the trust


def _trust(organisation: Organisation, today: datetime.date, this_year: int) -> None:
    WorkforceSettings.objects.create(
        organisation=organisation,
        framework=Framework.NES,
        cohort_size=COHORT_SIZE,
        turnover_percent=TURNOVER_PERCENT,
    )
    programmes = {p.name: p for p in Programme.objects.in_organisation(organisation)}
    for name, (level, funder, places, sessions, rule, threshold) in OFFERS.items():
        programme = programmes[name]
        programme.framework_level = level
        programme.funder = funder
        programme.places_per_year = places
        programme.sessions = sessions
        programme.completion_rule = rule
        programme.attendance_threshold = threshold
        if name == "Anna Freud":
            programme.delivery = Delivery.BLENDED
            programme.duration_value = Decimal(ANNA_FREUD_WEEKS)
            programme.duration_unit = DurationUnit.WEEKS
        programme.save()
    cohorts = {
        c.name: c for c in Cohort.objects.in_organisation(organisation).select_related("programme")
    }
    anna_freud = cohorts["AF1"]
    anna_freud.end_date = anna_freud.start_date + datetime.timedelta(weeks=ANNA_FREUD_WEEKS - 1)
    anna_freud.save()
    ids = _staff_ids("DT", TEAMS)
    teams = {team[0]: team for team in TEAMS}
    for name, groups in REGISTERS.items():
        _register(cohorts[name], groups, teams, ids)
    for programme_name, (funded, offered) in PLACES.items():
        first = min(c.start_date for c in cohorts.values() if c.programme.name == programme_name)
        PlacesYear.objects.create(
            programme=programmes[programme_name],
            year=financial_year_of(first),
            funded=funded,
            offered=offered,
        )
    _earlier(organisation, EARLIER, teams, ids)
    _establishment(organisation, year_end(this_year - 2), [(t[1], t[2], t[3]) for t in TEAMS])
    _establishment(organisation, year_end(this_year - 1), [(t[1], t[2], t[4]) for t in TEAMS])
    _requirements(organisation, REQUIREMENTS, teams, this_year)
    for offset, births in zip((2, 1), BIRTHS, strict=True):
        BirthsYear.objects.create(
            organisation=organisation, year=today.year - offset, births=births
        )


def _staff_ids(prefix: str, teams: Sequence[Team]) -> dict[str, list[str]]:
    """Staff identifiers per team, numbered through the organisation (``DT0001`` on): as many
    as the larger of the team's two headcounts."""
    ids: dict[str, list[str]] = {}
    number = 0
    for key, _service, _profession, last, this in teams:
        ids[key] = [f"{prefix}{number + i + 1:04d}" for i in range(max(last, this))]
        number += max(last, this)
    return ids


def _register(
    cohort: Cohort,
    groups: Sequence[Group],
    teams: dict[str, Team],
    ids: dict[str, list[str]],
) -> None:
    """The cohort's register with attendance, completion settled by the programme's rule, and
    one audit entry (as an import logs it)."""
    lines: list[tuple[Trainee, str]] = []
    for key, first, last, marks in groups:
        _key, service, profession, _last, _this = teams[key]
        people = ids[key][first:last]
        if len(people) != len(marks):
            raise ValueError(f"{cohort.name} {key}: {len(people)} people, {len(marks)} marks")
        for person, pattern in zip(people, marks, strict=True):
            lines.append(
                (
                    Trainee(cohort=cohort, person=person, profession=profession, service=service),
                    pattern,
                )
            )
    created = Trainee.objects.bulk_create([trainee for trainee, _pattern in lines])
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=trainee, session=number, present=mark == "1")
        for trainee, (_line, pattern) in zip(created, lines, strict=True)
        for number, mark in enumerate(pattern, start=1)
    )
    completion.settle_trainees(created)
    log_event(
        cohort.programme.organisation_id,  # type: ignore[attr-defined]
        AuditEvent.Action.CREATED,
        REGISTER_OBJECT,
        cohort.pk,
        f"{register_label(cohort)}, demo data",
        {
            "people added": [trainee.person for trainee in created],
            "attendance marks": sum(len(pattern) for _trainee, pattern in lines),
        },
    )


def _earlier(
    organisation: Organisation,
    groups: Sequence[EarlierGroup],
    teams: dict[str, Team],
    ids: dict[str, list[str]],
) -> None:
    if not groups:
        return
    records = [
        EarlierTraining(
            organisation=organisation,
            person=person,
            profession=teams[key][2],
            service=teams[key][1],
            level=level,
            completed_on=day,
            programme=programme,
            source_name=EARLIER_FILE,
        )
        for key, first, last, level, day, programme in groups
        for person in ids[key][first:last]
    ]
    EarlierTraining.objects.bulk_create(records)
    log_event(
        organisation.pk,
        AuditEvent.Action.CREATED,
        EARLIER_OBJECT,
        "",
        EARLIER_FILE,
        {"file": EARLIER_FILE, "records": len(records)},
    )


def _establishment(
    organisation: Organisation, as_of: datetime.date, rows: Sequence[tuple[str, str, int]]
) -> None:
    extract = Establishment.objects.create(
        organisation=organisation, as_of=as_of, source_name=f"hr-extract-{as_of:%Y-%m-%d}.csv"
    )
    created = EstablishmentRow.objects.bulk_create(
        EstablishmentRow(
            establishment=extract, service=service, profession=profession, headcount=headcount
        )
        for service, profession, headcount in rows
    )
    record_created(list(created))


def _requirements(
    organisation: Organisation,
    requirements: Sequence[tuple[str, str, int, int | None]],
    teams: dict[str, Team],
    this_year: int,
) -> None:
    for key, level, target, interim in requirements:
        requirement = LevelRequirement.objects.create(
            organisation=organisation,
            service=teams[key][1],
            profession=teams[key][2],
            level=level,
            target_percent=Decimal(target),
            by_date=year_end(this_year),
        )
        if interim is not None:
            TrajectoryPoint.objects.create(
                requirement=requirement,
                by_date=year_end(this_year - 1),
                target_percent=Decimal(interim),
            )


# ------------------------------------------------------------------------------ the partners


def _partner(
    partner: Partner, trust: Organisation, today: datetime.date, this_year: int
) -> Organisation:
    organisation = Organisation.objects.create(name=partner.name, slug=partner.slug)
    WorkforceSettings.objects.create(organisation=organisation, framework=Framework.NES)
    programmes: dict[str, Programme] = {}
    for name in dict.fromkeys(programme for _c, programme, _d, _g in partner.cohorts):
        level, framework_level, delivery, sessions, threshold = PARTNER_PROGRAMMES[name]
        programmes[name] = Programme.objects.create(
            organisation=organisation,
            name=partner.spelling[name],
            level=level,
            framework_level=framework_level,
            delivery=delivery,
            duration_value=Decimal(sessions),
            duration_unit=DurationUnit.DAYS,
            sessions=sessions,
            completion_rule=(completion.FINAL_SESSION if sessions > 1 else completion.ATTENDANCE),
            attendance_threshold=threshold,
        )
    ids = _staff_ids(partner.prefix, partner.teams)
    teams = {team[0]: team for team in partner.teams}
    cohorts: dict[str, Cohort] = {}
    for name, programme_name, start, groups in partner.cohorts:
        programme = programmes[programme_name]
        cohort = Cohort.objects.create(
            programme=programme,
            name=name,
            start_date=start,
            end_date=start + datetime.timedelta(days=programme.sessions - 1),
        )
        cohorts[name] = cohort
        _register(cohort, groups, teams, ids)
    _earlier(organisation, partner.earlier, teams, ids)
    _establishment(
        organisation, year_end(this_year - 1), [(t[1], t[2], t[4]) for t in partner.teams]
    )
    _requirements(organisation, partner.requirements, teams, this_year)
    BirthsYear.objects.create(organisation=organisation, year=today.year - 1, births=partner.births)
    _outcome_aggregates(organisation, partner, cohorts, trust)
    return organisation


def _outcome_aggregates(
    organisation: Organisation, partner: Partner, cohorts: dict[str, Cohort], trust: Organisation
) -> None:
    """The partner's cohorts' outcome aggregates, on the same main measure and Kirkpatrick
    levels as the demo trust's cohorts of the programme (imh-core's knowledge), kept under the
    fingerprint of the cohort's answers (none here), so a refresh keeps them until answers
    come in."""
    measures = {
        level_key(row.cohort.programme.name): (row.measure, row.kirkpatrick)
        for row in CohortOutcome.objects.in_organisation(trust)
        .exclude(measure="")
        .select_related("cohort__programme")
    }
    now = timezone.now()
    for name, (matched, pre, post, sd_gain, followed) in partner.outcomes.items():
        cohort = cohorts[name]
        measure, kirkpatrick = measures[level_key(cohort.programme.name)]
        CohortOutcome.objects.create(
            cohort=cohort,
            fingerprint=scope_fingerprint(Scope.of(organisation, cohort)),
            computed_at=now,
            measure=measure,
            matched=matched,
            pre_mean=pre,
            post_mean=post,
            mean_gain=post - pre,
            sd_gain=sd_gain,
            followup_matched=followed,
            kirkpatrick=list(kirkpatrick),
        )


# ------------------------------------------------------------------------------ the region


def _region(
    trust: Organisation, partners: Sequence[Organisation], password: str, this_year: int
) -> tuple[Region, str]:
    lead = get_user_model().objects.create_user(username=REGIONAL_LEAD, password=password)
    region = Region.objects.create(name=REGION_NAME, slug=REGION_SLUG, framework=Framework.NES)
    shares = {partner.name: partner.shares for partner in PARTNERS}
    now = timezone.now()
    for organisation in (trust, *partners):
        sharing = shares.get(organisation.name, True)
        RegionMember.objects.create(
            region=region,
            organisation=organisation,
            shares=sharing,
            share_changed_at=now if sharing else None,
        )
    role = RegionRole.objects.create(region=region, user=lead, role=RegionRoleName.LEAD)
    record_region_change(
        region,
        action="created",
        object_type=REGIONAL_ROLE,
        object_id=role.pk,
        label=f"{REGIONAL_LEAD} ({role.get_role_display()})",
        changes={"user": [None, REGIONAL_LEAD], "role": [None, role.role]},
    )
    for service, profession, level, target in REGIONAL_TARGETS:
        saved = RegionalTarget.objects.create(
            region=region,
            service=service,
            profession=profession,
            level=level,
            target_percent=Decimal(target),
            by_date=year_end(this_year),
        )
        record_region_change(
            region,
            action="created",
            object_type=REGIONAL_TARGET,
            object_id=saved.pk,
            label=str(saved),
            changes={
                "service": [None, service],
                "profession": [None, profession],
                "level": [None, level],
                "target_percent": [None, target],
                "by_date": [None, saved.by_date.isoformat()],
            },
        )
    return region, REGIONAL_LEAD
