"""A region's pages at scale: 12 organisations sharing, 40,000 staff, 1,500 cohorts.

    python benchmarks/bench_regional_pages.py                      # SQLite, full size
    python benchmarks/bench_regional_pages.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_regional_pages.py --organisations 4 --repeats 5

It makes a new database (SQLite in a temporary data folder, or a freshly made database
``imheval_bench_regional`` on the PostgreSQL server named by ``--postgres``), migrates it and
builds a region (NES framework) with 10 teams x 4 levels of regional targets and
``--organisations`` (12) sharing organisations, each with an establishment of 10 teams
(``--staff`` / organisations staff in all), 5 programmes (one per level, Informed to
Specialist, plus a second Skilled one) whose names are the same in every organisation, their
share of the ``--cohorts`` (1,500) cohorts, a training register of about 20 people per cohort
(most completed) and each cohort's stored outcome. Rows go in with ``bulk_create`` (not timed).

Each organisation also has its own required levels (the regional targets' teams and levels),
and the bench user is a viewer of "Bench Trust 01" as well as of the region.

Then, signed in as that user, it times the regional coverage, places and outcomes pages and one
organisation's own coverage page (Bench Trust 01's): the first request (cold), the query count,
and the median and 90th percentile of ``--repeats`` later requests (warm). The regional report
is asked for as a person does (a POST, timed) and written as the worker writes it
(``regional_reports.run_report``, timed, once per format: the coverage behind it is already
kept by the pages, so this is the report itself, charts and file). Printed as two tables.
Nothing asserts on time; the target is under 1 s warm for the coverage and outcomes pages.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import random
import time
from decimal import Decimal
from typing import Any

from web_bench import start_django, time_page

BENCH_DB = "imheval_bench_regional"
USERNAME = "bench-regional-viewer"
LEVELS = ("Informed", "Skilled", "Enhanced", "Specialist")
TEAMS = tuple(
    (service, profession)
    for service, profession in [
        ("Health visiting", "Health visitor"),
        ("Health visiting", "Community nursery nurse"),
        ("Midwifery", "Midwife"),
        ("Perinatal mental health", "Psychologist"),
        ("Perinatal mental health", "Nurse"),
        ("Social work", "Social worker"),
        ("Family nurse partnership", "Family nurse"),
        ("CAMHS", "Psychotherapist"),
        ("Early years", "Early years practitioner"),
        ("Paediatrics", "Paediatrician"),
    ]
)
PROGRAMMES = (
    ("Think Family", "Informed"),
    ("Solihull Approach", "Skilled"),
    ("Anna Freud infant mental health", "Skilled"),
    ("Video interaction guidance", "Enhanced"),
    ("Parent-infant psychotherapy", "Specialist"),
)


def _build(organisations: int, staff: int, cohorts: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from imheval.web.organisations.models import Organisation
    from imheval.web.workforce import models as wf
    from imheval.web.workspace.models import Cohort, Programme

    rng = random.Random(16)
    user = get_user_model().objects.create_user(username=USERNAME, password="not used")
    from imheval.web.organisations.models import Membership

    region = wf.Region.objects.create(name="Bench region", slug="bench-region")
    wf.RegionRole.objects.create(region=region, user=user, role="viewer")
    wf.RegionalTarget.objects.bulk_create(
        wf.RegionalTarget(
            region=region,
            service=service,
            profession=profession,
            level=level,
            target_percent=Decimal(90 - 20 * rank),
            by_date=datetime.date(2028, 3, 31),
        )
        for service, profession in TEAMS
        for rank, level in enumerate(LEVELS)
    )
    per_organisation = staff // organisations
    cohorts_each = cohorts // organisations
    now = timezone.now()
    for index in range(organisations):
        organisation = Organisation.objects.create(
            name=f"Bench Trust {index + 1:02d}", slug=f"bench-{index + 1:02d}"
        )
        wf.RegionMember.objects.create(region=region, organisation=organisation, shares=True)
        if index == 0:
            Membership.objects.create(user=user, organisation=organisation, role="viewer")
        wf.LevelRequirement.objects.bulk_create(
            wf.LevelRequirement(
                organisation=organisation,
                service=service,
                profession=profession,
                level=level,
                target_percent=Decimal(90 - 20 * rank),
                by_date=datetime.date(2028, 3, 31),
            )
            for service, profession in TEAMS
            for rank, level in enumerate(LEVELS)
        )
        extract = wf.Establishment.objects.create(
            organisation=organisation, as_of=datetime.date(2026, 4, 1)
        )
        sizes = [rng.randint(1, 10) for _ in TEAMS]
        headcounts = [max(1, per_organisation * size // sum(sizes)) for size in sizes]
        wf.EstablishmentRow.objects.bulk_create(
            wf.EstablishmentRow(
                establishment=extract, service=service, profession=profession, headcount=count
            )
            for (service, profession), count in zip(TEAMS, headcounts, strict=True)
        )
        programmes = Programme.objects.bulk_create(
            Programme(
                organisation=organisation,
                name=name,
                level="intermediate",
                delivery="face_to_face",
                duration_value=Decimal("2"),
                duration_unit="days",
                framework_level=level,
            )
            for name, level in PROGRAMMES
        )
        made = Cohort.objects.bulk_create(
            Cohort(
                programme=programmes[k % len(programmes)],
                name=f"C-{k}",
                start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=k),
                end_date=datetime.date(2024, 1, 2) + datetime.timedelta(days=k),
            )
            for k in range(cohorts_each)
        )
        trainees = []
        outcomes = []
        person = 0
        for cohort in made:
            size = rng.randint(12, 28)
            for _ in range(size):
                team = rng.randrange(len(TEAMS))
                service, profession = TEAMS[team]
                person = rng.randrange(per_organisation)
                trainees.append(
                    wf.Trainee(
                        cohort=cohort,
                        person=f"S{index}-{person}",
                        profession=profession,
                        service=service,
                        completed_on=cohort.end_date if rng.random() < 0.9 else None,
                    )
                )
            matched = rng.randint(3, size)
            outcomes.append(
                wf.CohortOutcome(
                    cohort=cohort,
                    fingerprint="bench",
                    computed_at=now,
                    measure="IMH core",
                    matched=matched,
                    mean_gain=rng.gauss(8 + index * 0.3, 3),
                    sd_gain=abs(rng.gauss(10, 2)),
                    kirkpatrick=[1, 2],
                )
            )
        wf.Trainee.objects.bulk_create(trainees, batch_size=2000, ignore_conflicts=True)
        wf.CohortOutcome.objects.bulk_create(outcomes)
    return region


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server address (default: SQLite)")
    parser.add_argument("--organisations", type=int, default=12)
    parser.add_argument("--staff", type=int, default=40_000)
    parser.add_argument("--cohorts", type=int, default=1_500)
    parser.add_argument("--repeats", type=int, default=10)
    options = parser.parse_args()
    start_django("imheval-bench-regional-", options.postgres, BENCH_DB)

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from imheval.web.workforce.models import Trainee

    began = time.perf_counter()
    region = _build(options.organisations, options.staff, options.cohorts)
    built = time.perf_counter() - began
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    print(
        f"{options.organisations} organisations, {options.staff:,} staff, {options.cohorts:,} "
        f"cohorts, {Trainee.objects.count():,} trainees; built in {built:.1f} s "
        f"({'PostgreSQL' if options.postgres else 'SQLite'}, Python {platform.python_version()})"
    )
    slug = region.slug
    pages = [
        ("coverage page", reverse("workforce:regional_coverage", args=[slug])),
        ("places page", reverse("workforce:regional_places", args=[slug])),
        ("outcomes page", reverse("workforce:regional_outcomes", args=[slug])),
        ("own coverage", reverse("workforce:coverage", kwargs={"org": "bench-01"})),
    ]
    print(f"{'page':<16}{'cold ms':>10}{'queries':>9}{'KiB':>9}{'median ms':>11}{'p90 ms':>9}")
    for label, url in pages:
        figures = time_page(client, url, options.repeats)
        print(
            f"{label:<16}{figures['cold_ms']:>10.0f}{figures['queries']:>9}"
            f"{figures['kib']:>9.0f}{figures['median_ms']:>11.0f}{figures['p90_ms']:>9.0f}"
        )
    print()
    print(f"{'report':<16}{'POST ms':>10}{'worker s':>10}{'KiB':>9}")
    for kind in ("html", "pdf", "docx"):
        print(_report_figures(client, slug, kind))


def _report_figures(client: Any, slug: str, kind: str) -> str:
    """Ask for the report in ``kind`` as a person does, then write it as the worker does: the
    request's and the worker's times and the file's size, as a table row."""
    from django.urls import reverse

    from imheval.web.workforce.models import RegionalReport
    from imheval.web.workforce.regional_reports import run_report

    began = time.perf_counter()
    response = client.post(reverse("workforce:regional_report", args=[slug, kind]))
    asked = (time.perf_counter() - began) * 1000
    if response.status_code != 302:
        raise SystemExit(f"asking for the {kind} report answered {response.status_code}")
    report_id = int(response["Location"].rstrip("/").split("/")[-1])
    began = time.perf_counter()
    run_report(report_id)
    written = time.perf_counter() - began
    report = RegionalReport.objects.get(pk=report_id)
    if report.state != "done":
        raise SystemExit(f"the {kind} report was not written: {report.problem}")
    return f"{'report .' + kind:<16}{asked:>10.0f}{written:>10.1f}{len(report.output) / 1024:>9.0f}"


if __name__ == "__main__":
    main()
