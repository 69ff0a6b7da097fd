"""The demo's workforce coverage (``imheval.web.workforce.demo``): after ``load_demo()`` the
coverage, trend, places, register, outcomes and regional pages show the demo's real figures.

Expected figures are counted here from the stored rows without the coverage core (distinct
people per team at or above a level, register lines, attendance marks), or hand-worked from the
demo's specification where the comment says so.
"""

from __future__ import annotations

import datetime
import html
import math
import re
import time
from fractions import Fraction
from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "a demo password for tests"
NES = ("Informed", "Skilled", "Enhanced", "Specialist")
TRUST = "Demo Health and Social Care Trust"
RIVERSIDE = "Riverside Community Health Trust"
LAKESIDE = "Lakeside Council"


@pytest.fixture
def demo() -> Any:
    from imheval.web.demo import load_demo

    started = time.perf_counter()
    loaded = load_demo(password=PASSWORD)
    print(f"load_demo took {time.perf_counter() - started:.2f} s")
    return loaded


def _text(response: Any) -> str:
    """The page's text: tags replaced by spaces, entities decoded, spaces collapsed."""
    assert response.status_code == 200
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def _shown(trained: int, headcount: int) -> str:
    """A share as the pages show it: rounded down to one decimal, without a trailing .0."""
    tenths = math.floor(Fraction(1000 * trained, headcount))
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}%"


def _financial_year(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _trained(
    organisation: Any,
    service: str,
    profession: str,
    level: str,
    on: datetime.date | None = None,
) -> set[str]:
    """Distinct people of a team with a completion (register or earlier training) at ``level``
    or above, on or before ``on``. Every demo person stays in one team (checked below), so the
    rule "the team of the latest record" needs no working out here."""
    from imheval.web.workforce.models import EarlierTraining, Trainee

    above = NES[NES.index(level) :]
    register = Trainee.objects.filter(
        cohort__programme__organisation=organisation,
        service=service,
        profession=profession,
        completed_on__isnull=False,
        cohort__programme__framework_level__in=above,
    )
    earlier = EarlierTraining.objects.filter(
        organisation=organisation, service=service, profession=profession, level__in=above
    )
    if on is not None:
        register = register.filter(completed_on__lte=on)
        earlier = earlier.filter(completed_on__lte=on)
    return set(register.values_list("person", flat=True)) | set(
        earlier.values_list("person", flat=True)
    )


def _headcounts(organisation: Any, as_of: datetime.date) -> dict[tuple[str, str], int]:
    from imheval.web.workforce.models import Establishment

    extract = Establishment.objects.filter(organisation=organisation, as_of__lte=as_of).first()
    assert extract is not None
    return {(row.service, row.profession): row.headcount for row in extract.rows.all()}


def _expected_status(requirement: Any, trained: int, headcount: int, today: datetime.date) -> str:
    """Issue 16's rule, worked out by hand: met with no gap; behind when an interim point has
    fallen due and the share is below it; otherwise on trajectory."""
    gap = math.ceil(Fraction(requirement.target_percent) * headcount / 100) - trained
    if gap <= 0:
        return "met"
    due = [p for p in requirement.points.all() if p.by_date <= today]
    if due and 100 * trained < Fraction(due[-1].target_percent) * headcount:
        return "behind"
    return "on trajectory"


# ------------------------------------------------------------------------------ the trust


def test_every_demo_person_stays_in_one_team(demo: Any) -> None:
    from imheval.web.workforce.models import EarlierTraining, Trainee

    teams: dict[tuple[int, str], set[tuple[str, str]]] = {}
    register = Trainee.objects.values_list(
        "cohort__programme__organisation_id", "person", "service", "profession"
    )
    earlier = EarlierTraining.objects.values_list(
        "organisation_id", "person", "service", "profession"
    )
    for organisation_id, person, service, profession in [*register, *earlier]:
        teams.setdefault((organisation_id, person), set()).add((service, profession))
    assert teams and all(len(found) == 1 for found in teams.values())
    # some people took two courses (Solihull, then Anna Freud)
    assert Trainee.objects.filter(person="DT0001").count() == 2


def test_coverage_page_shows_every_team_met_on_trajectory_or_behind(demo: Any) -> None:
    from imheval.web.workforce.models import LevelRequirement

    organisation = demo.organisation
    today = timezone.localdate()
    headcounts = _headcounts(organisation, today)
    page = _text(
        client_as(organisation.memberships.get(role="evaluator").user).get(
            reverse("workforce:coverage", kwargs={"org": "demo"})
        )
    )
    statuses = []
    for requirement in LevelRequirement.objects.filter(organisation=organisation):
        headcount = headcounts[(requirement.service, requirement.profession)]
        trained = len(
            _trained(organisation, requirement.service, requirement.profession, requirement.level)
        )
        status = _expected_status(requirement, trained, headcount, today)
        statuses.append(status)
        gap = max(0, math.ceil(Fraction(requirement.target_percent) * headcount / 100) - trained)
        target = f"{requirement.target_percent.normalize():f}% by {requirement.by_date:%-d %b %Y}"
        row = (
            f"{requirement.service}, {requirement.profession} {requirement.level} {headcount} "
            f"{trained} {_shown(trained, headcount)} {target} {gap} {status}"
        )
        assert row in page
    met, on_trajectory, behind = (statuses.count(s) for s in ("met", "on trajectory", "behind"))
    assert min(met, on_trajectory, behind) >= 1
    assert (met, on_trajectory, behind) == (3, 5, 2)  # the demo's design
    assert f"{met} of {len(statuses)} team targets met, {on_trajectory} on trajectory, " in page
    # Hand-worked from the demo: 28 of 60 health visitors Skilled (S1 5, S2 5, earlier 18; the
    # one on Anna Freud had done Solihull), below the 60% due on the last 31 March.
    assert "Health visiting, Health visitor Skilled 60 28 46.6%" in page
    assert "3,400 births a year" in page
    assert "in 1 service (Infant mental health service). The rule is not yet met." in page
    assert "A cohort is 12 people" in page


def test_trend_has_three_financial_years_ends_and_today(demo: Any) -> None:
    from imheval.web.workforce.models import LevelRequirement

    organisation = demo.organisation
    today = timezone.localdate()
    this_year = _financial_year(today)
    page = _text(
        client_as(organisation.memberships.get(role="evaluator").user).get(
            reverse("workforce:coverage_trend", kwargs={"org": "demo"})
        )
    )
    for year in (this_year - 1, this_year):
        end = datetime.date(year, 3, 31)
        assert f"{end:%-d %B %Y} establishment of {end:%-d %B %Y}" in page
        headcounts = _headcounts(organisation, end)
        informed = LevelRequirement.objects.filter(organisation=organisation, level="Informed")
        staff = sum(headcounts[(r.service, r.profession)] for r in informed)
        trained = sum(
            len(_trained(organisation, r.service, r.profession, "Informed", on=end))
            for r in informed
        )
        assert f"Informed {staff} {trained} {_shown(trained, staff)}" in page
    # Hand-worked for the first year end: midwives 14, nurses 10, adult social workers 12 of
    # 76 + 64 + 35 + 20 + 40 staff.
    assert "Informed 235 36 15.3%" in page
    assert f"Today ({today:%-d %B %Y}) establishment of 31 March {this_year}" in page


def test_places_and_registers_count_the_register_lines(demo: Any) -> None:
    from imheval.web.workforce.models import SessionAttendance, Trainee
    from imheval.web.workspace.models import Cohort

    organisation = demo.organisation
    client = client_as(organisation.memberships.get(role="evaluator").user)
    first = Cohort.objects.in_organisation(organisation).get(name="S1").start_date
    year = _financial_year(first)
    solihull = Trainee.objects.filter(
        cohort__programme__organisation=organisation,
        cohort__programme__name="Solihull",
        cohort__start_date__gte=datetime.date(year, 4, 1),
        cohort__start_date__lt=datetime.date(year + 1, 4, 1),
    )
    taken, completed = solihull.count(), solihull.exclude(completed_on=None).count()
    assert (taken, completed) == (40, 25)  # S1 15 (13), S2 13 (12), S3 12 (none yet)
    page = _text(client.get(reverse("workforce:places", kwargs={"org": "demo"}) + f"?year={year}"))
    used = 100 * taken // 120
    assert (
        f"Solihull Funded by Health board workforce development fund Skilled 120 110 {taken} "
        in page
    )
    assert f" {taken} {used}% {completed} " in page

    cohort = Cohort.objects.in_organisation(organisation).get(name="AF1")
    people = list(Trainee.objects.filter(cohort=cohort))
    present = {
        trainee.pk: SessionAttendance.objects.filter(trainee=trainee, present=True).count()
        for trainee in people
    }
    done = [t for t in people if present[t.pk] * 100 >= 80 * 16]
    assert {t.pk for t in done} == {t.pk for t in people if t.completed_on is not None}
    register = _text(
        client.get(reverse("workforce:register", kwargs={"org": "demo", "cohort": cohort.pk}))
    )
    assert "Attending at least 80% of the 16 sessions (13 sessions)" in register
    assert f"Completed {len(done)} of {len(people)} people" in register
    assert "Not completed: 6 of 16 sessions, needs 13" in register
    assert f"Completed {cohort.end_date:%-d %B %Y}" in register
    lines = Trainee.objects.filter(cohort__programme__organisation=organisation)
    assert lines.count() == 99  # docs/coverage.md, "Trying it in the demo"
    assert len(set(lines.values_list("person", flat=True))) == 94
    s3 = Cohort.objects.in_organisation(organisation).get(name="S3")
    assert s3.trainees.count() == 12 and not s3.trainees.exclude(completed_on=None).exists()


def test_outcomes_page_shows_the_demo_results_already_worked_out(demo: Any) -> None:
    from imheval.web.workforce.models import CohortOutcome, Trainee

    organisation = demo.organisation
    page = _text(
        client_as(organisation.memberships.get(role="evaluator").user).get(
            reverse("workforce:outcomes", kwargs={"org": "demo"})
        )
    )
    assert "being updated" not in page and "being worked out" not in page
    for name, places in (("Think Family", 60), ("Solihull", 120), ("Anna Freud", 12)):
        completed = Trainee.objects.filter(
            cohort__programme__organisation=organisation,
            cohort__programme__name=name,
            completed_on__isnull=False,
        ).count()
        matched = sum(
            CohortOutcome.objects.filter(
                cohort__programme__organisation=organisation, cohort__programme__name=name
            ).values_list("matched", flat=True)
        )
        assert matched >= 5
        assert f"{name} {places} {completed} {matched} " in page
        assert f"{name}: {completed} people completed; " in page


# ------------------------------------------------------------------------------ the region


def test_regional_lead_signs_in_and_sees_only_sharing_organisations(demo: Any, client: Any) -> None:
    from imheval.web.workforce.models import CohortOutcome, Region, RegionMember, RegionRole

    region = Region.objects.get(name="Demo regional IMH group")
    assert client.login(username="demo-regional-lead", password=PASSWORD)
    role = RegionRole.objects.get(user__username="demo-regional-lead")
    assert (role.region, role.role) == (region, "lead")
    assert not role.user.memberships.exists()
    assert client.get(reverse("workforce:home", kwargs={"org": "demo"})).status_code == 404
    members = dict(
        RegionMember.objects.filter(region=region).values_list("organisation__name", "shares")
    )
    assert members == {TRUST: True, RIVERSIDE: True, LAKESIDE: False}

    today = timezone.localdate()
    coverage = _text(
        client.get(reverse("workforce:regional_coverage", kwargs={"region": region.slug}))
    )
    assert "2 organisations share with the region." in coverage
    assert "1 invited organisation does not share and is not included." in coverage
    assert LAKESIDE not in coverage
    trust, riverside = (
        RegionMember.objects.get(organisation__name=n).organisation for n in (TRUST, RIVERSIDE)
    )
    staff = trained = 0
    for organisation in (trust, riverside):
        count = len(_trained(organisation, "Health visiting", "Health visitor", "Skilled"))
        headcount = _headcounts(organisation, today)[("Health visiting", "Health visitor")]
        assert (
            f"{organisation.name} Skilled {headcount} {count} {_shown(count, headcount)}"
            in coverage
        )
        staff, trained = staff + headcount, trained + count
    gap = math.ceil(Fraction(90) * staff / 100) - trained
    assert (
        f"Region (all shown and hidden) Skilled {staff} {trained} {_shown(trained, staff)} {gap} "
        "on trajectory" in coverage
    )
    # The trust's specialist team of three is the one small group: hidden, with its total.
    assert f"{TRUST} Specialist hidden hidden hidden hidden hidden" in coverage
    assert "Region (all shown and hidden) Specialist hidden hidden hidden hidden hidden" in coverage
    assert coverage.count(" hidden hidden hidden hidden hidden") == 2

    outcomes = _text(
        client.get(reverse("workforce:regional_outcomes", kwargs={"region": region.slug}))
    )
    assert LAKESIDE not in outcomes

    for name in ("Solihull", "Think Family"):
        rows = CohortOutcome.objects.filter(
            cohort__programme__name__iexact=name,
            cohort__programme__organisation__in=[trust, riverside],
            matched__gt=0,
        )
        assert f"All organisations {rows.count()} {sum(r.matched for r in rows)} " in outcomes
        assert f"{RIVERSIDE} " in outcomes
    assert "Do organisations differ?" in outcomes
    assert "results did not differ more than chance could explain" in outcomes

    page = _text(client.get(reverse("workforce:region_members", kwargs={"region": region.slug})))
    assert "Lakeside Council Invited" in page and "not sharing" in page


def test_regional_coverage_hides_exactly_one_small_team(demo: Any) -> None:
    from imheval.web.workforce.models import Region
    from imheval.web.workforce.regional import coverage_view

    view = coverage_view(Region.objects.get(slug="demo-region"), timezone.localdate())
    assert view.coverage is not None and view.view.not_sharing == 1
    assert view.coverage.organisations == (TRUST, RIVERSIDE)
    hidden = [team for team in view.coverage.teams if team.hidden_organisations]
    assert [(t.service, t.profession, t.hidden_organisations) for t in hidden] == [
        ("Infant mental health service", "Clinical psychologist", 1)
    ]
    assert hidden[0].headcount_total is None and hidden[0].totals[0].hidden
    shown = [team for team in view.coverage.teams if not team.hidden_organisations]
    assert all(total.trained is not None for team in shown for total in team.totals)


# ------------------------------------------------------------------------------ privacy, audit


def test_register_identifiers_are_not_anonymous_codes_and_each_register_is_logged_once(
    demo: Any,
) -> None:
    from imheval.web.capture.models import Submission
    from imheval.web.organisations.models import AuditEvent, Organisation
    from imheval.web.workforce.models import Trainee

    people = set(Trainee.objects.values_list("person", flat=True))
    codes = set(Submission.objects.values_list("code", flat=True))
    assert people and codes and not people & codes
    for organisation in Organisation.objects.all():
        registers = (
            Trainee.objects.filter(cohort__programme__organisation=organisation)
            .values("cohort")
            .distinct()
            .count()
        )
        logged = AuditEvent.objects.filter(
            organisation=organisation, object_type="training register"
        )
        assert logged.count() == registers > 0
        # each of the region's five targets is in every member's log
        assert (
            AuditEvent.objects.filter(
                organisation=organisation, object_type="regional target"
            ).count()
            == 5
        )
