"""Workspace at scale: the cohort list and the organisation's evaluation page with 1,000 cohorts.

    python benchmarks/bench_workspace.py                          # both databases, full size
    python benchmarks/bench_workspace.py --database sqlite --cohorts 100 --responses 5000
    python benchmarks/bench_workspace.py --write-docs             # also write the figures file

For each database (SQLite in a new temporary data folder; PostgreSQL as a freshly made database
``imheval_bench_ws`` on the server named by ``--postgres``) a child process migrates and builds
one organisation with ``--programmes`` programmes and ``--cohorts`` cohorts (pre-test, post-test
and follow-up questionnaires of ``imh-core``; the newest cohorts' questionnaires are open) holding
``--responses`` complete responses: in each cohort most people answer before and after with the
same anonymous code, a few only one of them. Answers are valid options; people know more and
feel more confident after the course, with person-to-person spread. Rows go in with
``bulk_create`` (not timed).

Then, through Django's test client signed in as an evaluator, it measures each page: the first
request (cold: for an evaluation page that is the summary, worked out in the request and kept
as a partial snapshot while the whole page is queued for a worker) and the median, 90th
percentile and query count of ``--repeats`` later requests (warm: for an evaluation page, the
whole page kept as a snapshot, the queued refresh having been run first, untimed, as the worker
would run it). Then, for each evaluation page, it completes one new response in the first programme
and measures the visits that follow while the page's new results are worked out in the
background (the default ``IMHEVAL_RESULTS_REFRESH=background``): the first (which finds the
snapshot stale and starts the refresh), the median and 90th percentile of ``--repeats`` more
made while the refresh runs in the same process, and how long the refresh took. Figures are
printed as tables; ``--write-docs`` also writes them, with the machine, into
docs/performance-workspace.md. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "performance-workspace.md"
BENCH_DB = "imheval_bench_ws"
INSTRUMENT = "imh-core"
#: Pinned so that figures stay comparable with those measured before 2.0.0 became current.
VERSION = "1.0.0"
USERNAME = "bench-evaluator"
PROFESSIONS = ("Health visitor", "Midwife", "Social worker", "Nursery nurse", "GP", "Psychologist")
DIRECTORATES = ("Children's Services", "Maternity", "Primary Care", "Mental Health")
#: Pages measured: (label, URL name, needs a programme).
PAGES = (
    ("cohort list, page 1", "workspace:cohorts", False),
    ("cohort list, last page", "workspace:cohorts-last", False),
    ("organisation page (programmes)", "workspace:organisation", False),
    ("programme page (its cohorts)", "workspace:programme", True),
    ("organisation evaluation", "results:organisation", False),
    ("programme evaluation", "results:programme", True),
)


# --------------------------------------------------------------------------------------------
# Inside Django (a child process per database)


def _answers(rng: random.Random, items: list[Any], ability: float, confidence: float) -> dict:
    """Answers to imh-core: each keyed item right with probability ``ability``, ratings around
    ``confidence`` (1-5, reverse-keyed items mirrored), about 2% left blank."""
    given: dict[str, str] = {}
    for item in items:
        if rng.random() < 0.02:
            continue
        if item.kind == "keyed":
            if rng.random() < ability:
                given[item.id] = item.key[0]
            else:
                given[item.id] = rng.choice([code for code in item.options if code not in item.key])
        else:
            value = min(5, max(1, round(rng.gauss(confidence, 0.8))))
            given[item.id] = str(6 - value if item.reverse else value)
    return given


def build(programmes: int, cohorts: int, responses: int, seed: int = 2026) -> dict[str, Any]:
    """The benchmark workspace (see the module docstring); returns what was made."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from imheval import get_builtin
    from imheval.web.capture.models import Source, Status, Submission
    from imheval.web.organisations.models import Membership, Organisation
    from imheval.web.workspace.models import Cohort, Collection, Programme, Timepoint

    rng = random.Random(seed)
    items = list(get_builtin(f"{INSTRUMENT}@{VERSION}").items)
    user = get_user_model().objects.create_user(USERNAME, password=None)
    organisation = Organisation.objects.create(name="Benchmark Health Board", slug="bench")
    Membership.objects.create(user=user, organisation=organisation, role="evaluator")
    made_programmes = Programme.objects.bulk_create(
        Programme(
            organisation=organisation,
            name=f"Programme {index + 1:02d}",
            provider="Benchmark provider",
            level=("beginner", "intermediate", "advanced")[index % 3],
            delivery=("face_to_face", "online", "blended")[index % 3],
            duration_value=Decimal(2),
            duration_unit="days",
        )
        for index in range(programmes)
    )
    first_day = datetime.date(2022, 1, 3)
    made_cohorts = Cohort.objects.bulk_create(
        Cohort(
            programme=made_programmes[index % programmes],
            name=f"C{index + 1:04d}",
            start_date=first_day + datetime.timedelta(days=index * 1500 // cohorts),
            end_date=first_day + datetime.timedelta(days=index * 1500 // cohorts + 1),
            trainer=f"Trainer {index % 37 + 1}",
            venue=f"Venue {index % 11 + 1}",
        )
        for index in range(cohorts)
    )
    now = timezone.now()
    collections = []
    for index, cohort in enumerate(made_cohorts):
        recent = index >= cohorts - max(cohorts // 50, 1)
        for timepoint in (Timepoint.PRE, Timepoint.POST, Timepoint.FOLLOWUP):
            followup = timepoint == Timepoint.FOLLOWUP
            collections.append(
                Collection(
                    cohort=cohort,
                    timepoint=timepoint,
                    instrument_refs=[INSTRUMENT],
                    instrument_versions={INSTRUMENT: VERSION},
                    follow_up_weeks=12 if followup else None,
                    is_open=recent and not followup,
                    opened_at=None if followup else now,
                    closed_at=None if recent or followup else now,
                )
            )
    made_collections = Collection.objects.bulk_create(collections)
    by_cohort = {
        (collection.cohort_id, collection.timepoint): collection for collection in made_collections
    }
    # Each cohort: pairs answering before and after, plus a few who answered only one of them.
    per_cohort = responses // cohorts
    batch: list[Any] = []
    made = 0
    for index, cohort in enumerate(made_cohorts):
        wanted = per_cohort + (1 if index < responses % cohorts else 0)
        singles = max(wanted // 12, 0)
        pairs = (wanted - singles) // 2
        singles = wanted - 2 * pairs
        people = pairs + singles
        for person in range(people):
            # mother's initials, day of birth, town: unique in the cohort
            letters = chr(65 + person % 26) + chr(65 + person // 26 % 26)
            code = f"{letters}{person % 31 + 1:02d}Z{index % 10}"
            ability = min(0.95, max(0.1, rng.gauss(0.45, 0.15)))
            confidence = rng.gauss(2.8, 0.6)
            profession = rng.choice(PROFESSIONS)
            directorate = rng.choice(DIRECTORATES)
            if person < pairs:
                timepoints = [(Timepoint.PRE, 0.0, 0.0), (Timepoint.POST, 0.25, 1.0)]
            else:
                timepoints = [((Timepoint.PRE, Timepoint.POST)[person % 2], 0.0, 0.0)]
            for timepoint, gain, boost in timepoints:
                batch.append(
                    Submission(
                        collection=by_cohort[(cohort.pk, timepoint)],
                        code=code,
                        profession=profession,
                        directorate=directorate,
                        answers=_answers(
                            rng,
                            items,
                            min(0.98, ability + gain * rng.uniform(0.5, 1.5)),
                            confidence + boost,
                        ),
                        page=4,
                        status=Status.COMPLETE,
                        source=Source.WEB,
                        completed_at=now,
                    )
                )
        if len(batch) >= 5000:
            Submission.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    Submission.objects.bulk_create(batch)
    made += len(batch)
    return {
        "programmes": programmes,
        "cohorts": cohorts,
        "collections": len(made_collections),
        "responses": made,
    }


def _measure(repeats: int, cohorts: int) -> list[dict[str, Any]]:
    """Each page of :data:`PAGES`: cold and warm times and query counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from imheval.web.tasks.worker import run_pending
    from imheval.web.workspace.models import Programme
    from imheval.web.workspace.views import COHORT_PAGE_SIZE

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    programme = Programme.objects.filter(organisation__slug="bench").order_by("name").first()
    rows = []
    for label, name, needs_programme in PAGES:
        if name == "workspace:cohorts-last":
            last = -(-cohorts // COHORT_PAGE_SIZE)
            url = reverse("workspace:cohorts", args=["bench"]) + f"?page={last}"
        elif needs_programme:
            url = reverse(name, args=["bench", programme.pk])
        else:
            url = reverse(name, args=["bench"])
        times = []
        queries = []
        size = 0
        for _ in range(repeats + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries.append(len(captured.captured_queries))
            size = len(response.content)
            if len(times) == 1:
                # An evaluation page's first visit keeps the summary and queues the whole page:
                # run it as the worker would, so the warm visits (and the visits after a new
                # response) see the whole page, as they would on a server with a worker.
                run_pending()
        warm = times[1:]
        rows.append(
            {
                "page": label,
                "url": url,
                "cold_ms": times[0],
                "cold_queries": queries[0],
                "warm_median_ms": statistics.median(warm),
                "warm_p90_ms": sorted(warm)[int(0.9 * (len(warm) - 1))],
                "warm_queries": max(queries[1:]),
                "kb": size / 1024,
            }
        )
    return rows


#: Evaluation pages measured after a new response: (label, URL name, needs a programme).
STALE_PAGES = (
    ("organisation evaluation", "results:organisation", False),
    ("programme evaluation", "results:programme", True),
)


def _measure_stale(repeats: int) -> list[dict[str, Any]]:
    """The visits to each evaluation page after a new response (see the module docstring)."""

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from imheval import get_builtin
    from imheval.web.capture.models import Source, Status, Submission
    from imheval.web.tasks.worker import run_pending
    from imheval.web.workspace.models import Collection, Programme, Timepoint

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    programme = Programme.objects.filter(organisation__slug="bench").order_by("name").first()
    collection = (
        Collection.objects.filter(cohort__programme=programme, timepoint=Timepoint.POST)
        .order_by("-cohort__start_date")
        .first()
    )
    items = list(get_builtin(f"{INSTRUMENT}@{VERSION}").items)
    rng = random.Random(7)
    rows = []
    for number, (label, name, needs_programme) in enumerate(STALE_PAGES):
        url = reverse(name, args=["bench", programme.pk] if needs_programme else ["bench"])
        client.get(url)  # kept and matching before the new response
        Submission.objects.create(
            collection=collection,
            code=f"NEW{number:02d}Z9",
            answers=_answers(rng, items, 0.6, 3.5),
            page=4,
            status=Status.COMPLETE,
            source=Source.WEB,
            completed_at=timezone.now(),
        )
        times, queries, stale = [], [], 0
        started = time.perf_counter()
        for _ in range(repeats + 1):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries.append(len(captured.captured_queries))
            stale += "These results are not the latest" in response.content.decode()
        # the refresh is a background task (django-tasks): run it as the worker would
        run_pending()
        refreshed = time.perf_counter() - started
        later = times[1:]
        rows.append(
            {
                "page": label,
                "url": url,
                "first_ms": times[0],
                "first_queries": queries[0],
                "later_median_ms": statistics.median(later),
                "later_p90_ms": sorted(later)[int(0.9 * (len(later) - 1))],
                "stale_visits": stale,
                "visits": len(times),
                "refresh_s": refreshed,
            }
        )
    return rows


def _internal(arguments: str) -> None:
    from imheval.web.server import prepare

    options = json.loads(arguments)
    prepare(migrate=True)
    from django.conf import settings

    started = time.perf_counter()
    made = build(options["programmes"], options["cohorts"], options["responses"])
    made["build_seconds"] = time.perf_counter() - started
    gc.collect()  # the build's leftovers: a server process would not carry them
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: planner statistics and visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    settings.DEBUG = False
    pages = _measure(options["repeats"], options["cohorts"])
    print(json.dumps({"made": made, "pages": pages, "stale": _measure_stale(options["repeats"])}))


# --------------------------------------------------------------------------------------------
# The driver


def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    """(DATABASE_URL of a new empty imheval_bench_ws database, the server's version)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
        version = connection.execute("SHOW server_version").fetchone()
    number = str(version[0]).split()[0] if version else "?"
    return urlsplit(admin_url)._replace(path=f"/{BENCH_DB}").geturl(), number


def _drop_postgres(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _run(database: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["IMHEVAL_DATA_DIR"] = str(folder / database)
    env["IMHEVAL_MODE"] = "local"
    version = __import__("sqlite3").sqlite_version
    if database == "postgres":
        env["DATABASE_URL"], version = _fresh_postgres(args.postgres)
    options = {
        "programmes": args.programmes,
        "cohorts": args.cohorts,
        "responses": args.responses,
        "repeats": args.repeats,
    }
    print(f"{database}: building and measuring ...", file=sys.stderr, flush=True)
    try:
        result = subprocess.run(
            [sys.executable, __file__, f"--internal={json.dumps(options)}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if database == "postgres" and not args.keep:
            _drop_postgres(args.postgres)
    if result.returncode != 0:
        raise SystemExit(f"{database} failed:\n{result.stderr[-4000:]}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    found["database"] = "SQLite" if database == "sqlite" else "PostgreSQL"
    found["version"] = version
    return found


def _machine() -> str:
    import django
    import numpy
    import pandas

    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"numpy {numpy.__version__}, pandas {pandas.__version__}; {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run"
    )


def _table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| database | page | cold ms | cold queries | warm median ms | warm p90 ms "
        "| warm queries | page KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for row in run["pages"]:
            lines.append(
                f"| {run['database']} {run['version']} | {row['page']} | {row['cold_ms']:.0f} "
                f"| {row['cold_queries']} | {row['warm_median_ms']:.0f} "
                f"| {row['warm_p90_ms']:.0f} | {row['warm_queries']} | {row['kb']:.0f} |"
            )
    return "\n".join(lines)


def _stale_table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| database | page | first visit ms | first visit queries | later visits median ms "
        "| later visits p90 ms | visits shown stale | refresh done after s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for row in run["stale"]:
            refreshed = "-" if row["refresh_s"] is None else f"{row['refresh_s']:.1f}"
            lines.append(
                f"| {run['database']} {run['version']} | {row['page']} | {row['first_ms']:.0f} "
                f"| {row['first_queries']} | {row['later_median_ms']:.0f} "
                f"| {row['later_p90_ms']:.0f} | {row['stale_visits']} of {row['visits']} "
                f"| {refreshed} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--programmes", type=int, default=20)
    parser.add_argument("--cohorts", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=50_000, help="complete responses")
    parser.add_argument("--repeats", type=int, default=20, help="warm requests per page")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/test",
        help=f"a database on the PostgreSQL server to connect to while (re)creating {BENCH_DB}",
    )
    parser.add_argument("--keep", action="store_true", help=f"keep {BENCH_DB} afterwards")
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOCS.name}")
    parser.add_argument("--internal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        _internal(args.internal)
        return
    machine = _machine()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="imheval-bench-ws-") as folder:
        runs = [_run(database, args, Path(folder)) for database in databases]
    made = runs[0]["made"]
    summary = (
        f"{made['programmes']} programmes, {made['cohorts']:,} cohorts, "
        f"{made['collections']:,} questionnaires, {made['responses']:,} complete responses; "
        + "; ".join(
            f"built in {run['made']['build_seconds']:.0f} s ({run['database']})" for run in runs
        )
    )
    table = _table(runs) + "\n\nAfter one new response:\n\n" + _stale_table(runs)
    print(machine)
    print(summary)
    print()
    print(table)
    if args.write_docs:
        _write_docs(machine, summary, table, args)


def _write_docs(machine: str, summary: str, table: str, args: argparse.Namespace) -> None:
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    start, end = "<!-- figures: start -->", "<!-- figures: end -->"
    figures = (
        f"{start}\n"
        f"Measured {datetime.date.today():%d %B %Y} with `python benchmarks/bench_workspace.py`"
        f" (`--repeats {args.repeats}`).\n\n{machine}.\n\n{summary}.\n\n{table}\n{end}"
    )
    if start in text and end in text:
        text = text[: text.index(start)] + figures + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + figures + "\n"
    DOCS.write_text(text, encoding="utf-8")
    print(f"\nwrote the figures into {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
