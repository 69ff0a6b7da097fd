"""Capture CPU benchmark: the work of one participant request, in one process, without a server.

    python benchmarks/bench_capture_cpu.py                     # 50 journeys on PostgreSQL
    python benchmarks/bench_capture_cpu.py --journeys 200 --database sqlite
    python benchmarks/bench_capture_cpu.py --profile 30        # cProfile (CPU time) of them
    python benchmarks/bench_capture_cpu.py --profile 30 --sort tottime
    python benchmarks/bench_capture_cpu.py --sql               # the SQL of one journey

It makes a fresh database (PostgreSQL: ``imheval_bench_cpu`` on the server named by
``--postgres``; SQLite: a file in a temporary folder), migrates it, creates one organisation,
programme and cohort with an open pre-test collection of ``imh-core``, and then walks
``--journeys`` whole questionnaires one after another through Django's test client in this
process: information page and consent, anonymous code (a new one each journey), about you, the
three question pages, check, submit, thank-you page (15 requests, the same journey as
``bench_capture_load.py``). The first ``--warm-up`` journeys are not counted (templates,
connection, caches).

It prints, per request and for the whole journey: the CPU time of this process (Django and the
test client; the client's share is small), the CPU time of the PostgreSQL backend serving the
connection (read from /proc, so only for a server on this machine), and the number of queries.
CPU time is used rather than wall time because it is steadier on a shared machine. Forms are
posted URL-encoded, as a browser posts them. Queries are the statements Django sends (BEGIN and
COMMIT are not counted). Nothing asserts on time; ``tests/web/test_capture_queries.py`` pins
the query counts.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

# The journey's steps, codes and form fields are the load benchmark's (the same folder).
from bench_capture_load import _code, _fields, _page

HOST = "127.0.0.1"
BENCH_DB = "imheval_bench_cpu"
INSTRUMENT = "imh-core"
#: Pinned so that figures stay comparable with those measured before 2.0.0 became current.
VERSION = "1.0.0"
#: Forms a journey may take before it is given up (a normal journey takes 7).
MAX_FORMS = 40


def _fresh_postgres(admin_url: str) -> str:
    """The DATABASE_URL of a new, empty ``imheval_bench_cpu`` database."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlsplit(admin_url)._replace(path=f"/{BENCH_DB}").geturl()


def _drop_postgres(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (0 if it cannot be read)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _setup() -> str:
    """An organisation, programme and cohort with an open pre-test collection; its token."""
    import datetime
    from decimal import Decimal

    from imheval.web.organisations.models import Organisation
    from imheval.web.workspace.models import Cohort, Collection, Programme, Timepoint

    organisation = Organisation.objects.create(name="Benchmark Trust", slug="bench")
    programme = Programme.objects.create(
        organisation=organisation,
        name="CPU benchmark",
        level="beginner",
        delivery="face_to_face",
        duration_value=Decimal(2),
        duration_unit="days",
    )
    cohort = Cohort.objects.create(
        programme=programme, name="CPU-1", start_date=datetime.date(2026, 3, 2)
    )
    collection = Collection.objects.create(
        cohort=cohort,
        timepoint=Timepoint.PRE,
        instrument_refs=[INSTRUMENT],
        instrument_versions={INSTRUMENT: VERSION},
    )
    collection.open()
    return str(collection.token)


class Meter:
    """Per request kind: count, CPU seconds here and in the database backend, queries."""

    def __init__(self, backend_pid: int | None) -> None:
        self.backend_pid = backend_pid
        self.count: dict[str, int] = defaultdict(int)
        self.cpu: dict[str, float] = defaultdict(float)
        self.backend: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.order: list[str] = []
        self.queries_now = 0
        self.show_sql = False

    def count_query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries_now += 1
        if self.show_sql:
            print(f"    {sql}")
        return execute(sql, params, many, context)

    def send(self, client: Any, method: str, path: str, data: dict[str, str] | None) -> Any:
        kind = f"{method.upper()} {_page(path)}"
        if kind == "POST check":
            kind = "POST check (submit)"
        if kind not in self.order:
            self.order.append(kind)
        self.queries_now = 0
        if self.show_sql:
            print(kind)
        backend_before = _cpu_seconds(self.backend_pid) if self.backend_pid else 0.0
        started = time.process_time()
        if method == "post":  # as a browser sends a form (the test client's default is multipart)
            body = urlencode(data or {})
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(path)
        self.cpu[kind] += time.process_time() - started
        if self.backend_pid:
            self.backend[kind] += _cpu_seconds(self.backend_pid) - backend_before
        self.count[kind] += 1
        self.queries[kind] += self.queries_now
        return response


def _journey(client: Any, meter: Meter, token: str, index: int) -> None:
    client.cookies.clear()  # a new participant
    path = f"/q/{token}/"
    response = meter.send(client, "get", path, None)
    for _ in range(MAX_FORMS):
        name = _page(path)
        if name == "thank-you":
            if "have been saved" not in response.content.decode():
                raise SystemExit(f"journey {index}: the thank-you page did not thank")
            return
        if response.status_code != 200:
            raise SystemExit(f"journey {index}: {name} answered {response.status_code}")
        fields = _fields(name, response.content.decode(), _code(index))
        response = meter.send(client, "post", path, fields)
        if response.status_code != 302:
            raise SystemExit(f"journey {index}: POST {name} answered {response.status_code}")
        path = response["Location"]
        response = meter.send(client, "get", path, None)
    raise SystemExit(f"journey {index} not finished after {MAX_FORMS} forms")


def _report(meter: Meter, journeys: int, database: str) -> None:
    backend = meter.backend_pid is not None
    print(f"{journeys} journeys on {database}, one process, Django's test client")
    print()
    header = f"{'request':<22} {'n':>5} {'CPU ms':>8}"
    header += f" {'DB CPU ms':>10}" if backend else ""
    print(header + f" {'queries':>8}")
    for kind in meter.order:
        n = meter.count[kind]
        line = f"{kind:<22} {n:>5} {meter.cpu[kind] / n * 1000:>8.2f}"
        line += f" {meter.backend[kind] / n * 1000:>10.2f}" if backend else ""
        print(line + f" {meter.queries[kind] / n:>8.1f}")
    requests = sum(meter.count.values())
    cpu = sum(meter.cpu.values())
    print()
    print(f"requests per journey: {requests / journeys:.1f}")
    print(f"queries per journey: {sum(meter.queries.values()) / journeys:.1f}")
    print(f"CPU ms per request (this process): {cpu / requests * 1000:.2f}")
    if backend:
        backend_ms = sum(meter.backend.values()) / requests * 1000
        print(f"CPU ms per request (database backend): {backend_ms:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--journeys", type=int, default=50, help="journeys measured")
    parser.add_argument("--warm-up", type=int, default=3, help="journeys not measured")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/test",
        help="a database on the PostgreSQL server to connect to while (re)creating " + BENCH_DB,
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL of each request of one journey"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing, profile the journeys and print the N costliest functions",
    )
    parser.add_argument(
        "--sort", default="cumulative", help="how --profile orders functions (pstats key)"
    )
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="imheval-bench-cpu-")
    for key in [key for key in os.environ if key.startswith(("IMHEVAL_", "DJANGO_"))]:
        del os.environ[key]
    os.environ["IMHEVAL_DATA_DIR"] = folder
    os.environ["IMHEVAL_MODE"] = "local"
    os.environ["IMHEVAL_ALLOWED_HOSTS"] = HOST
    os.environ.pop("DATABASE_URL", None)
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = _fresh_postgres(args.postgres)

    from imheval.web.server import prepare

    prepare(migrate=True)
    from django.conf import settings
    from django.db import connection

    # One client walks every journey, quickly: limits high enough never to refuse a start, so
    # the throttle's work (the link's count query) is still measured.
    settings.IMHEVAL_CAPTURE_STARTS_PER_SESSION = 10**9
    settings.IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE = 10**9
    from django.test import Client

    try:
        token = _setup()
        client = Client(HTTP_HOST=HOST)
        for index in range(args.warm_up):
            _journey(client, Meter(None), token, index)
        backend_pid = None
        if args.database == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend_pid = int(cursor.fetchone()[0])
        meter = Meter(backend_pid)
        if args.sql:
            meter.show_sql = True
            with connection.execute_wrapper(meter.count_query):
                _journey(client, meter, token, args.warm_up)
            return
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        with connection.execute_wrapper(meter.count_query):
            if profiler is not None:
                profiler.enable()
            for index in range(args.warm_up, args.warm_up + args.journeys):
                _journey(client, meter, token, index)
            if profiler is not None:
                profiler.disable()
        if profiler is not None:
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats(args.sort).print_stats(args.profile)
        else:
            _report(meter, args.journeys, args.database)
    finally:
        connection.close()
        if args.database == "postgres":
            _drop_postgres(args.postgres)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
