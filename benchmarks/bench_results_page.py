"""The organisation's results page on the demo workspace, in a browser: cold and warm.

    python benchmarks/bench_results_page.py                     # SQLite, 5 cold visits
    python benchmarks/bench_results_page.py --database postgres --cold 3
    python benchmarks/bench_results_page.py --load 2            # with 2 busy processes beside

It loads the demo workspace (``imheval.web.demo.load_demo``: 3 programmes, 7 cohorts, the
demo study's responses) into a new data folder (SQLite) or a fresh PostgreSQL database
``imheval_bench_page``, starts the production server (``imheval serve --local``: gunicorn and
its background worker) on 127.0.0.1, and drives Debian's Chromium with Playwright, signed in
as the demo's evaluator, at 1366 x 900.

**Cold** (``--cold`` times): every kept results page is deleted, then the organisation's
results page is opened and timed from the request until (a) the summary (``#report-summary``)
is in the page and (b) the full results are (``#report-level-2``, the Level 2 section: at
once when the page is computed in the request, later when the rest is filled in by the
background refresh). ``--load N`` runs N processes spinning on the processor meanwhile, as
on a shared machine.

**Page weight** (warm, the page kept; a new browser context, so nothing is cached): the
HTML's bytes, the total bytes the browser transferred for the page and everything it loaded
(resource timing), the number of tables, of images and their bytes (a chart is an SVG in a
``data:`` address inside the HTML), the page's height, and where the summary's heading and its
chart start (above the fold is y < 900).

Figures are printed as two tables; nothing asserts on time. Record them in
docs/performance-workspace.md ("The organisation's results page").
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "imheval_bench_page"
PASSWORD = "bench page password"  # a throwaway account in a throwaway database
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 900}
PAGE = "/o/demo/results/"

#: What the browser reports about the page once it has loaded (see the module docstring).
WEIGHT_SCRIPT = """() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const images = [...document.querySelectorAll('main img')];
  const imageBytes = images.reduce((sum, img) => {
    const src = img.getAttribute('src') || '';
    if (src.startsWith('data:')) return sum + src.length;
    const entry = resources.find(r => r.name === img.currentSrc);
    return sum + (entry ? entry.encodedBodySize : 0);
  }, 0);
  const top = selector => {
    const found = document.querySelector(selector);
    return found ? found.getBoundingClientRect().top + window.scrollY : null;
  };
  return {
    html_bytes: navigation.encodedBodySize,
    transferred_bytes: navigation.transferSize
      + resources.reduce((sum, r) => sum + r.transferSize, 0),
    resources: resources.length,
    tables: document.querySelectorAll('main table').length,
    images: images.length,
    image_bytes: imageBytes,
    height_px: document.documentElement.scrollHeight,
    summary_y: top('#report-summary h2'),
    chart_y: top('#report-summary .imheval-chart'),
    details: document.querySelectorAll('main details').length,
    details_open: document.querySelectorAll('main details[open]').length,
  };
}"""


def _spin(stop: Any) -> None:
    while not stop.is_set():
        sum(range(10_000))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh_postgres(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlsplit(admin_url)._replace(path=f"/{BENCH_DB}").geturl()


def _drop_postgres(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _environment(folder: Path, database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["IMHEVAL_DATA_DIR"] = str(folder)
    env["IMHEVAL_MODE"] = "local"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped before it answered")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer on port {port}")


def _forget_kept_pages(env: dict[str, str]) -> None:
    """Delete every kept results page (and any refresh queued for one), in a child process
    with the server's settings."""
    code = (
        "from imheval.web.server import prepare; prepare(migrate=False)\n"
        "from imheval.web.results.models import EvaluationSnapshot\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "EvaluationSnapshot.objects.all().delete()\n"
        "DBTaskResult.objects.filter(status='READY').delete()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _measure(base: str, env: dict[str, str], colds: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        page = context.new_page()
        page.goto(f"{base}/sign-in/")
        page.get_by_label("User name").fill("demo-evaluator")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        summary, complete = [], []
        for _ in range(colds):
            _forget_kept_pages(env)
            started = time.perf_counter()
            page.goto(f"{base}{PAGE}", wait_until="commit", timeout=600_000)
            page.wait_for_selector("#report-summary", state="attached", timeout=600_000)
            summary.append(time.perf_counter() - started)
            page.wait_for_selector("#report-level-2", state="attached", timeout=600_000)
            complete.append(time.perf_counter() - started)
            page.wait_for_load_state("load")
        # warm (the page is kept), in a new context with an empty cache: every file counts
        fresh = browser.new_context(
            viewport=VIEWPORT, locale="en-GB", storage_state=context.storage_state()
        )
        page = fresh.new_page()
        page.goto(f"{base}{PAGE}")
        page.wait_for_load_state("load")
        weight = page.evaluate(WEIGHT_SCRIPT)
        browser.close()
    return {"summary_s": summary, "complete_s": complete, "weight": weight}


def run(database: str, colds: int, load: int, admin_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="imheval-bench-page-") as folder:
        database_url = _fresh_postgres(admin_url) if database == "postgres" else ""
        env = _environment(Path(folder), database_url)
        loader = (
            "from imheval.web.server import prepare; prepare(migrate=True)\n"
            "from imheval.web.demo import load_demo\n"
            f"load_demo(password={PASSWORD!r})\n"
        )
        subprocess.run([sys.executable, "-c", loader], env=env, check=True)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "imheval", "serve", "--local", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        stop = multiprocessing.Event()
        spinners = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(load)]
        try:
            _wait_for(port, server)
            for spinner in spinners:
                spinner.start()
            found = _measure(f"http://127.0.0.1:{port}", env, colds)
        finally:
            stop.set()
            for spinner in spinners:
                spinner.join()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
            if database == "postgres":
                _drop_postgres(admin_url)
    found["database"] = "SQLite" if database == "sqlite" else "PostgreSQL"
    return found


def _report(found: dict[str, Any], colds: int, load: int) -> str:
    summary, complete = found["summary_s"], found["complete_s"]
    weight = found["weight"]
    lines = [
        f"{found['database']}, {colds} cold visits, {load} busy processes beside; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} after the run.",
        "",
        "| cold visit | median s | min s | max s |",
        "|---|---:|---:|---:|",
        f"| summary shown | {statistics.median(summary):.2f} | {min(summary):.2f} "
        f"| {max(summary):.2f} |",
        f"| full results shown | {statistics.median(complete):.2f} | {min(complete):.2f} "
        f"| {max(complete):.2f} |",
        "",
        "| page weight (warm) | value |",
        "|---|---:|",
        f"| HTML, KB | {weight['html_bytes'] / 1024:.0f} |",
        f"| transferred in all, KB ({weight['resources']} other files) "
        f"| {weight['transferred_bytes'] / 1024:.0f} |",
        f"| tables | {weight['tables']} |",
        f"| images | {weight['images']} |",
        f"| images, KB | {weight['image_bytes'] / 1024:.0f} |",
        f"| page height, px | {weight['height_px']:,} |",
        f"| summary heading starts at y, px | {weight['summary_y']:.0f} |",
        f"| summary chart starts at y, px | {weight['chart_y']:.0f} |",
        f"| details (open) | {weight['details']} ({weight['details_open']}) |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cold", type=int, default=5, help="cold visits to time")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the server")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/test",
        help=f"a database on the PostgreSQL server to connect to while (re)creating {BENCH_DB}",
    )
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    found = run(args.database, args.cold, args.load, args.postgres)
    print(_report(found, args.cold, args.load))
    if args.json:
        print(json.dumps(found))


if __name__ == "__main__":
    main()
