"""What the web page benchmarks share: a fresh database (SQLite in a private temporary data
folder, or a freshly made PostgreSQL database), Django prepared on it, and a page timed through
Django's test client (the first request cold, then warm repeats, with the first request's query
count and size). Used by bench_network_pages.py and bench_qual_coding_page.py."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def postgres_database(server: str, name: str) -> str:
    """A fresh database ``name`` on the PostgreSQL ``server``; returns its address."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def start_django(prefix: str, postgres: str | None, bench_db: str) -> None:
    """Point imheval at a new data folder (and, with ``postgres``, a fresh ``bench_db`` there)
    and migrate it, plain HTTP as the demo runs."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.chmod(folder, 0o700)
    os.environ["IMHEVAL_DATA_DIR"] = folder
    os.environ["IMHEVAL_MODE"] = "local"
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        os.environ["DATABASE_URL"] = postgres_database(postgres, bench_db)
    sys.path.insert(0, str(ROOT / "src"))
    from imheval.web.server import prepare

    prepare(migrate=True)


def time_page(client: Any, url: str, repeats: int) -> dict[str, Any]:
    """``url`` requested ``repeats + 1`` times: the first (cold) request's time, queries and size
    in KiB, and the median and 90th percentile of the later (warm) ones, in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries = size = 0
    for attempt in range(repeats + 1):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if attempt == 0:
            queries, size = len(captured.captured_queries), len(response.content)
    later = sorted(times[1:])
    return {
        "cold_ms": times[0],
        "queries": queries,
        "kib": size / 1024,
        "median_ms": statistics.median(later),
        "p90_ms": later[int(0.9 * (len(later) - 1))],
    }
