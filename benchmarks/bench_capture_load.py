"""Capture load benchmark: questionnaire bursts against the real server, and a kill -9 mid-burst.

    python benchmarks/bench_capture_load.py                               # both databases
    python benchmarks/bench_capture_load.py --journeys 100 --clients 10   # a quick smoke run
    python benchmarks/bench_capture_load.py --database postgres --scenarios burst
    python benchmarks/bench_capture_load.py --database sqlite --scenarios double,kill
    python benchmarks/bench_capture_load.py --think 5 --workers 4 --threads 4

For each database (SQLite in a new temporary data folder; PostgreSQL as a freshly made database
``imheval_bench`` on the server named by ``--postgres``) it migrates, creates one organisation,
programme and three cohorts, each with an open pre-test collection of ``imh-core``, and starts
the production server (``imheval serve --local``: gunicorn, gthread workers) on 127.0.0.1. Only
that local server is sent traffic. Then:

1. **burst**: ``--clients`` simulated phones (threads, spread over ``--client-processes``
   processes, each with its own cookie jar and keep-alive connection; no pause on a page unless
   ``--think`` gives a mean in seconds) complete
   ``--journeys`` whole questionnaires between them: information and consent, the anonymous code
   (unique per journey), about you, every question page, check, submit, thank-you page. CSRF
   tokens come from each form, cookies from each response. Every request's latency is recorded,
   and the final submit POST's separately; the server's own time per request is read from its
   access log.
2. **double tap**: a smaller burst in which every submit is sent twice: half the journeys
   resubmit after the thank-you page (a retry after the acknowledgement), half send both POSTs
   at once on two connections (a double tap).
3. **kill**: ``--kill-journeys`` journeys; once ``--kill-after`` have been acknowledged the
   server's whole process group is sent SIGKILL and the server is started again. Clients
   retry the request they were on after a connection error, with backoff, until it answers.

``--scenarios`` picks some of them. Besides latency and throughput it prints the CPU time per
request of the server, the PostgreSQL backends and the clients (sampled from /proc), how many
backends wait for a lock (pg_stat_activity, every 0.1 s), and the queries of each request of one
journey (Django's test client in a separate process).

Afterwards the database is read directly (a separate Django process): every acknowledged code
(the client got the thank-you page) must be there exactly once as a complete submission with
all its answers. Figures are printed; nothing asserts on time. The exit status is 1 if any
acknowledged submission is lost, duplicated or incomplete (or a journey could not be finished),
else 0. A double submit that is stored once but answered with the start page is only noted.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import multiprocessing
import os
import platform
import queue
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
BENCH_DB = "imheval_bench"
INSTRUMENT = "imh-core"
#: Pinned so that figures stay comparable with those measured before 2.0.0 became current.
VERSION = "1.0.0"
SCENARIOS = ("burst", "double", "kill")
#: Seconds a client keeps retrying one request before it gives the journey up.
RETRY_DEADLINE = 120.0
#: Page visits a journey may take before it is given up (a normal journey takes 7 forms).
MAX_FORMS = 40

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_RADIO = re.compile(r'name="([^"]+)" type="radio" value="([^"]*)"')
#: The last line of a traceback in the server's log: "module.ExceptionName: message".
_EXCEPTION = re.compile(r"^((?:[a-z_]\w*\.)*[A-Z]\w*): ")
_ACCESS_MS = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+)ms$')


# --------------------------------------------------------------------------------------------
# Inside Django: set-up, verification and a query count (run in a child process)


def _internal(action: str, argument: str) -> None:
    """Run one Django-side action in this process and print its result as JSON."""
    from imheval.web.server import prepare

    prepare(migrate=action == "setup")
    result = {"setup": _setup, "verify": _verify, "queries": _queries}[action](argument)
    print(json.dumps(result))


def _setup(_: str) -> dict[str, Any]:
    import datetime
    from decimal import Decimal

    from imheval.web.organisations.models import Organisation
    from imheval.web.workspace.models import Cohort, Collection, Programme, Timepoint

    organisation = Organisation.objects.create(name="Benchmark Trust", slug="bench")
    programme = Programme.objects.create(
        organisation=organisation,
        name="Load test",
        level="beginner",
        delivery="face_to_face",
        duration_value=Decimal(2),
        duration_unit="days",
    )
    tokens = {}
    for name in (*SCENARIOS, "probe"):
        cohort = Cohort.objects.create(
            programme=programme, name=name, start_date=datetime.date(2026, 3, 2)
        )
        collection = Collection.objects.create(
            cohort=cohort,
            timepoint=Timepoint.PRE,
            instrument_refs=[INSTRUMENT],
            instrument_versions={INSTRUMENT: VERSION},
        )
        collection.open()
        tokens[name] = collection.token
    items = sum(len(instrument.items) for instrument in collection.instruments())
    return {"tokens": tokens, "items": items}


def _verify(token: str) -> dict[str, Any]:
    from imheval.web.capture.models import Status, Submission

    rows = Submission.objects.filter(collection__token=token).values_list(
        "code", "status", "profession", "answers"
    )
    complete: Counter[str] = Counter()
    answers: dict[str, int] = {}
    drafts = 0
    for code, status, profession, given in rows:
        if status == Status.COMPLETE:
            complete[code] += 1
            answers[code] = min(answers.get(code, 10**6), len(given) if profession else -1)
        else:
            drafts += 1
    return {"complete": dict(complete), "answers": answers, "drafts": drafts}


def _queries(token: str) -> list[dict[str, Any]]:
    """One journey through Django's test client: queries and time of each request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    steps: list[dict[str, Any]] = []

    def send(method: str, path: str, data: dict[str, str] | None = None) -> Any:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(path, data or {})
            seconds = time.perf_counter() - started
        kinds = Counter(query["sql"].split()[0].upper() for query in captured.captured_queries)
        steps.append(
            {
                "request": f"{method.upper()} {_page(path)}",
                "queries": len(captured.captured_queries),
                "kinds": dict(kinds),
                "ms": seconds * 1000,
            }
        )
        return response

    for journey in range(2):  # the first warms up (templates, connection); the second counts
        steps.clear()
        client.cookies.clear()
        path = f"/q/{token}/"
        page = send("get", path)
        for _ in range(MAX_FORMS):
            name = _page(path)
            if name == "thank-you":
                break
            fields = _fields(name, page.content.decode(), _code(10**6 + journey))
            page = send("post", path, fields)
            path = page["Location"]
            page = send("get", path)
    return steps


# --------------------------------------------------------------------------------------------
# The participant's side: one simulated phone


class GaveUp(Exception):  # noqa: N818 (a client's verdict, not a programming error)
    """A request kept failing past RETRY_DEADLINE."""


@dataclass
class Reply:
    status: int
    path: str  # where the page was finally reached (after one redirect)
    body: str
    location: str


@dataclass
class Journey:
    index: int
    code: str
    acknowledged: bool = False
    retries: int = 0  # requests sent again after a connection error or a 5xx
    restarts: int = 0  # times the server sent the journey back to the start page
    double_ok: bool | None = None  # double tap: did the second submit also reach thank-you?
    tap_pages: str = ""  # double tap: the pages the two submits led to
    failures: list[str] = field(default_factory=list)  # why requests were sent again
    stale: int = 0  # requests sent again because the server had closed an idle connection
    error: str = ""


@dataclass
class ClientRecords:
    """What one client process measured: latencies by request, and every journey."""

    requests: list[tuple[str, float]] = field(default_factory=list)  # (kind, seconds)
    journeys: list[Journey] = field(default_factory=list)
    cpu_seconds: float = 0.0


class Phone:
    """One participant's browser: a cookie jar and a keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, records: ClientRecords, think: float = 0.0) -> None:
        self.port = port
        self.think = think  # mean seconds spent on a page before sending its form
        self.records = records
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.served = 0  # responses read on the current connection
        self.journey: Journey | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        return self.connection

    def _headers(self, body: bytes | None) -> dict[str, str]:
        headers = {"User-Agent": "imheval-bench", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def send(self, method: str, path: str, body: bytes | None, kind: str) -> Reply:
        """One request, sent again (with backoff) after connection errors and 5xx answers."""
        deadline = time.monotonic() + RETRY_DEADLINE
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                connection = self._connection()
                connection.request(method, path, body=body, headers=self._headers(body))
                response = connection.getresponse()
                text = response.read().decode()
                seconds = time.perf_counter() - started
                if response.status < 500:
                    break
                failure = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as error:
                failure = type(error).__name__
                stale = self.served > 0 and isinstance(
                    error, BrokenPipeError | ConnectionResetError
                )
                self.close()
                if stale and self.journey is not None:
                    # The server closed an idle keep-alive connection (gunicorn: after 2 s);
                    # like a browser, send again at once on a new one: not a retry.
                    self.journey.stale += 1
                    continue
            attempt += 1
            if self.journey is not None:
                self.journey.retries += 1
                self.journey.failures.append(f"{method} {_page(path)}: {failure}")
            if time.monotonic() > deadline:
                raise GaveUp(f"{method} {_page(path)}: {failure} for {RETRY_DEADLINE:.0f} s")
            time.sleep(min(0.05 * 2**attempt, 1.0))
        self.served += 1
        self._keep_cookies(response)
        self.records.requests.append((kind, seconds))
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Reply(response.status, path, text, response.getheader("Location", ""))

    def visit(self, method: str, path: str, fields: dict[str, str] | None, kind: str) -> Reply:
        """A form post or page load; a redirect is followed with a GET, as a browser does."""
        body = urlencode(fields).encode() if fields is not None else None
        reply = self.send(method, path, body, kind)
        if reply.status in (301, 302, 303):
            target = urlsplit(reply.location).path
            reply = self.send("GET", target, None, "GET")
        return reply

    def double_tap(self, path: str, fields: dict[str, str]) -> list[str]:
        """The same submit sent twice at once, on two connections; the pages they lead to."""
        body = urlencode(fields).encode()
        headers = self._headers(body)
        second = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            first = self._connection()
            started = time.perf_counter()
            first.request("POST", path, body=body, headers=headers)
            second.request("POST", path, body=body, headers=headers)
            targets = []
            for connection in (first, second):
                response = connection.getresponse()
                response.read()
                self._keep_cookies(response)
                self.records.requests.append(("double tap", time.perf_counter() - started))
                location = response.getheader("Location", "")
                targets.append(_page(urlsplit(location).path) if location else str(response.status))
        finally:
            second.close()
        return targets

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        self.served = 0


def _page(path: str) -> str:
    """The step a questionnaire address shows: start, code, about-you, questions, check, ..."""
    parts = [part for part in path.split("/") if part]
    return "start" if len(parts) <= 2 else parts[2]


def _code(index: int) -> str:
    """A different anonymous code for every journey: 2 letters, a day 01-31, 2 letters."""

    def letters(number: int) -> str:
        return chr(65 + number // 26 % 26) + chr(65 + number % 26)

    rest = index // 31
    return f"{letters(rest // 676)}{index % 31 + 1:02d}{letters(rest % 676)}"


def _fields(page: str, text: str, code: str) -> dict[str, str]:
    """What a participant enters on ``page``: the consent, the code, a choice in every group."""
    token = _CSRF.search(text)
    fields = {"csrfmiddlewaretoken": token.group(1) if token else ""}
    if page == "start":
        fields["consent"] = "yes"
    elif page == "code":
        fields.update(mother=code[:2], day=code[2:4], town=code[4:6], confirm=code)
    elif page in ("about-you", "questions"):
        options: dict[str, list[str]] = {}
        for name, value in _RADIO.findall(text):
            options.setdefault(name, []).append(html.unescape(value))
        for position, (name, values) in enumerate(options.items()):
            fields[name] = values[(sum(map(ord, code)) + position) % len(values)]
    return fields


def _journey(phone: Phone, token: str, index: int, tap: str) -> Journey:
    """One participant from the information page to the thank-you page (see module doc)."""
    journey = Journey(index, _code(index))
    phone.journey = journey
    phone.cookies.clear()  # a new participant
    consented = False
    try:
        reply = phone.visit("GET", f"/q/{token}/", None, "GET")
        for _ in range(MAX_FORMS):
            page = _page(reply.path)
            if page == "thank-you":
                journey.acknowledged = reply.status == 200 and "have been saved" in reply.body
                if not journey.acknowledged:
                    journey.error = f"thank-you page answered {reply.status}"
                break
            if reply.status != 200:
                journey.error = f"{page} answered {reply.status}"
                break
            if page == "start":
                journey.restarts += consented
                consented = True
            fields = _fields(page, reply.body, journey.code)
            if phone.think:
                time.sleep(random.uniform(0, 2 * phone.think))
            if page != "check":
                reply = phone.visit("POST", reply.path, fields, "POST")
            elif tap == "together":
                pages = phone.double_tap(reply.path, fields)
                journey.double_ok = pages == ["thank-you", "thank-you"]
                journey.tap_pages = " and ".join(pages)
                reply = phone.visit("GET", f"/q/{token}/thank-you/", None, "GET")
            else:
                check_path = reply.path
                reply = phone.visit("POST", check_path, fields, "submit")
                if tap == "after" and _page(reply.path) == "thank-you":
                    again = phone.visit("POST", check_path, fields, "submit again")
                    journey.double_ok = _page(again.path) == "thank-you" and again.status == 200
                    journey.tap_pages = f"thank-you, then {_page(again.path)}"
        else:
            journey.error = f"not finished after {MAX_FORMS} forms (last: {_page(reply.path)})"
    except GaveUp as error:
        journey.error = str(error)
    return journey


def _client_process(
    port: int,
    token: str,
    journeys: int,
    threads: int,
    first_index: int,
    double_tap: bool,
    think: float,
    next_index: Any,
    acknowledged: Any,
    out: Any,
) -> None:
    """``threads`` phones sharing one counter of journeys still to do; results go to ``out``."""
    records = ClientRecords()
    lock = threading.Lock()

    def run() -> None:
        phone = Phone(port, records, think)
        while True:
            with next_index.get_lock():
                number = next_index.value
                if number >= journeys:
                    break
                next_index.value += 1
            tap = ("after", "together")[number % 2] if double_tap else ""
            journey = _journey(phone, token, first_index + number, tap)
            with lock:
                records.journeys.append(journey)
            if journey.acknowledged:
                with acknowledged.get_lock():
                    acknowledged.value += 1
        phone.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    records.cpu_seconds = time.process_time()
    out.put(records)


# --------------------------------------------------------------------------------------------
# The server and the databases


class Server:
    """``imheval serve --local`` (gunicorn) in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.env, self.workers, self.threads, self.log = env, workers, threads, log
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait for /healthz; returns the seconds that took."""
        started = time.perf_counter()
        command = [sys.executable, "-m", "imheval", "serve", "--local", "--host", HOST]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        command += ["--threads", str(self.threads)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped while starting; see its log:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=2):
                    return time.perf_counter() - started
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        raise SystemExit("the server did not answer /healthz within 120 s")

    def group(self) -> list[int]:
        """Process ids of the server's process group (the gunicorn master and its workers)."""
        pgid = self.process.pid if self.process is not None else -1
        return _processes(lambda stat, _: int(stat[2]) == pgid)

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die at once, mid-request."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _processes(keep: Any) -> list[int]:
    """Pids whose /proc stat (fields after the name) and command line satisfy ``keep``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if keep(raw[raw.rindex(")") + 2 :].split(), command):
            found.append(int(entry.name))
    return found


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds ``pid`` has used so far; None if it has gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by a changing set of processes, sampled often enough to count those that end.

    Processes present at the first sample (or ``rebase``) count from then on; processes first
    seen later (a new database connection) count from their start. A process that ends loses
    only what it used after its last sample.
    """

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self, pids: list[int], *, rebase: bool = False) -> None:
        for pid in pids:
            used = _cpu_seconds(pid)
            if used is None:
                continue
            if pid not in self.first:
                self.first[pid] = used if rebase else 0.0
            self.last[pid] = used

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _postgres_backends() -> list[int]:
    # "postgres: [cluster: ]user database client state"
    mark = f" postgres {BENCH_DB} "
    return _processes(lambda _, command: command.startswith("postgres:") and mark in command)


def _clean_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["IMHEVAL_DATA_DIR"] = str(data_dir)
    env["IMHEVAL_MODE"] = "local"
    env["IMHEVAL_ALLOWED_HOSTS"] = HOST
    # Hundreds of journeys a second on one link: a limit that never refuses, still counted.
    env["IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE"] = str(10**9)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _django(env: dict[str, str], action: str, argument: str = "") -> Any:
    result = subprocess.run(
        # "=" keeps a token that starts with "-" from reading as an option
        [sys.executable, __file__, f"--internal={action}:{argument}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{action} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class LockWatch:
    """Counts the benchmark database's backends that are waiting for a lock (PostgreSQL)."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(database_url, autocommit=True)

    def waiting(self) -> int:
        try:
            row = self.connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock'",
                (BENCH_DB,),
            ).fetchone()
        except Exception:  # the server was just killed; the next sample will do
            return 0
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.connection.close()


def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    """(DATABASE_URL of a new empty imheval_bench database, the server's version)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")
        version = connection.execute("SHOW server_version").fetchone()
    parts = urlsplit(admin_url)
    number = str(version[0]).split()[0] if version else "?"
    return parts._replace(path=f"/{BENCH_DB}").geturl(), number


# --------------------------------------------------------------------------------------------
# Running a burst and checking the database


@dataclass
class Burst:
    """One scenario's measurements and its check against the database."""

    name: str
    seconds: float
    requests: list[tuple[str, float]]
    server_ms: list[int]
    journeys: list[Journey]
    client_cpu: float
    server_cpu: float
    database_cpu: float
    killed_at: int = 0  # acknowledged journeys when the server was killed
    downtime: float = 0.0  # seconds from SIGKILL to /healthz answering again
    lock_waits: list[int] = field(default_factory=list)  # PostgreSQL: sampled every 0.1 s
    errors: Counter[str] = field(default_factory=Counter)  # exceptions in the server's log
    complete: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    drafts: int = 0
    items: int = 0

    @property
    def acknowledged(self) -> set[str]:
        return {journey.code for journey in self.journeys if journey.acknowledged}

    def latencies(self, *kinds: str) -> list[float]:
        return [seconds for kind, seconds in self.requests if not kinds or kind in kinds]

    def problems(self) -> list[str]:
        """Every lost, duplicated or incomplete acknowledged submission, and unfinished journey."""
        found = []
        lost = sorted(self.acknowledged - set(self.complete))
        if lost:
            found.append(f"{len(lost)} acknowledged but not in the database, e.g. {lost[:3]}")
        duplicated = sorted(code for code, count in self.complete.items() if count > 1)
        if duplicated:
            found.append(f"{len(duplicated)} codes complete more than once, e.g. {duplicated[:3]}")
        short = sorted(code for code in self.acknowledged if self.answers.get(code, 0) < self.items)
        short = [code for code in short if code in self.complete]
        if short:
            found.append(f"{len(short)} acknowledged without all {self.items} answers")
        failed = [journey for journey in self.journeys if not journey.acknowledged]
        if failed:
            found.append(f"{len(failed)} journeys not acknowledged, e.g. {failed[0].error}")
        return found

    def server_errors(self) -> str:
        """The exceptions named in the server's log during this burst, counted."""
        return ", ".join(f"{name} x{count}" for name, count in self.errors.most_common())

    def notes(self) -> list[str]:
        """Worth knowing, but nothing lost or duplicated: submits sent twice that were not
        both answered with the thank-you page."""
        bad_taps = Counter(
            journey.tap_pages for journey in self.journeys if journey.double_ok is False
        )
        found = [f"{count} double submits led to {pages}" for pages, count in bad_taps.items()]
        stale = sum(journey.stale for journey in self.journeys)
        if stale:
            found.append(
                f"{stale} requests found their keep-alive connection closed by the server and "
                "were sent at once on a new one, as browsers do (not counted as retries)"
            )
        failures = [cause for journey in self.journeys for cause in journey.failures]
        if failures:
            kinds = Counter(cause.rpartition(": ")[2] for cause in failures)
            submits = sum(1 for cause in failures if cause.startswith("POST check"))
            found.append(
                "requests sent again after "
                + ", ".join(f"{kind} x{count}" for kind, count in kinds.most_common())
                + f" (of them {submits} final submits)"
            )
        if self.errors:
            found.append(f"server log: {self.server_errors()}")
        return found


def _run_burst(
    name: str,
    server: Server,
    token: str,
    journeys: int,
    clients: int,
    client_processes: int,
    first_index: int,
    kill_after: int = 0,
    watch: LockWatch | None = None,
    think: float = 0.0,
) -> Burst:
    context = multiprocessing.get_context("fork")
    next_index = context.Value("i", 0)
    acknowledged = context.Value("i", 0)
    out = context.Queue()
    processes = min(client_processes, clients)
    shares = [clients // processes + (n < clients % processes) for n in range(processes)]
    log_start = server.log_size()
    server_cpu, database_cpu = CpuMeter(), CpuMeter()
    server_cpu.sample(server.group(), rebase=True)
    database_cpu.sample(_postgres_backends(), rebase=True)
    started = time.perf_counter()
    children = [
        context.Process(
            target=_client_process,
            args=(server.port, token, journeys, share, first_index, name == "double", think),
            kwargs={"next_index": next_index, "acknowledged": acknowledged, "out": out},
        )
        for share in shares
    ]
    for child in children:
        child.start()
    results: list[ClientRecords] = []
    killed_at, downtime = 0, 0.0
    lock_waits: list[int] = []
    cpu_samples = 0
    while len(results) < len(children):
        elapsed = time.perf_counter() - started
        if watch is not None and (len(lock_waits) + 1) * 0.1 < elapsed:
            lock_waits.append(watch.waiting())
        if (cpu_samples + 1) * 0.5 < elapsed:
            cpu_samples += 1
            server_cpu.sample(server.group())
            database_cpu.sample(_postgres_backends())
        if kill_after and not killed_at and acknowledged.value >= kill_after:
            server_cpu.sample(server.group())
            killed_at = acknowledged.value
            kill_time = time.perf_counter()
            server.kill()
            server.start()
            downtime = time.perf_counter() - kill_time
            server_cpu.sample(server.group(), rebase=True)  # not the new server's start-up
        try:
            results.append(out.get(timeout=0.01))
        except queue.Empty:
            continue
    seconds = time.perf_counter() - started
    for child in children:
        child.join()
    server_cpu.sample(server.group())
    database_cpu.sample(_postgres_backends())
    with server.log.open("rb") as log:
        log.seek(log_start)
        lines = log.read().decode(errors="replace").splitlines()
    server_ms = [int(match.group(4)) for match in map(_ACCESS_MS.search, lines) if match]
    errors = Counter(match.group(1) for match in map(_EXCEPTION.match, lines) if match)
    return Burst(
        name=name,
        seconds=seconds,
        requests=[request for result in results for request in result.requests],
        server_ms=server_ms,
        journeys=sorted(
            (journey for result in results for journey in result.journeys),
            key=lambda journey: journey.index,
        ),
        client_cpu=sum(result.cpu_seconds for result in results),
        server_cpu=server_cpu.seconds(),
        database_cpu=database_cpu.seconds(),
        killed_at=killed_at,
        downtime=downtime,
        lock_waits=lock_waits,
        errors=errors,
    )


@dataclass
class DatabaseRun:
    database: str
    version: str
    bursts: list[Burst]
    startup: float
    queries: list[dict[str, Any]]


def _run_database(database: str, args: argparse.Namespace, folder: Path) -> DatabaseRun:
    data_dir = folder / database
    data_dir.mkdir()
    if database == "postgres":
        database_url, version = _fresh_postgres(args.postgres)
        version = f"PostgreSQL {version}"
    else:
        database_url, version = "", f"SQLite {sqlite3.sqlite_version}"
    env = _clean_env(data_dir, database_url)
    made = _django(env, "setup")
    tokens, items = made["tokens"], made["items"]
    queries = _django(env, "queries", tokens["probe"])
    server = Server(env, args.workers, args.threads, data_dir / "server.log")
    print(f"\n== {version}: server on port {server.port}", flush=True)
    startup = server.start()
    bursts = []
    watch = LockWatch(database_url) if database_url else None
    try:
        plans = [
            ("burst", args.journeys, 0),
            ("double", max(args.journeys // 10, 2), 0),
            ("kill", args.kill_journeys, args.kill_after),
        ]
        plans = [plan for plan in plans if plan[0] in args.scenarios]
        first_index = 0
        for name, journeys, kill_after in plans:
            print(f"   {name}: {journeys} journeys from {args.clients} clients ...", flush=True)
            burst = _run_burst(
                name,
                server,
                tokens[name],
                journeys,
                args.clients,
                args.client_processes,
                first_index,
                kill_after,
                watch,
                args.think,
            )
            first_index += journeys
            bursts.append(burst)
            print(f"   ... {burst.seconds:.1f} s", flush=True)
    finally:
        server.stop()
        if watch is not None:
            watch.close()
    for burst in bursts:
        found = _django(env, "verify", tokens[burst.name])
        burst.complete, burst.answers = found["complete"], found["answers"]
        burst.drafts, burst.items = found["drafts"], items
    return DatabaseRun(database, version, bursts, startup, queries)


# --------------------------------------------------------------------------------------------
# Reporting


def _percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile (no interpolation); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)]


def _ms(values: list[float], percent: float, scale: float = 1000) -> str:
    return f"{_percentile(values, percent) * scale:.0f}"


def _report(runs: list[DatabaseRun], args: argparse.Namespace) -> bool:
    """Print the tables; True if every acknowledged submission is there exactly once."""
    print()
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average before {args.load_before:.2f}; gunicorn gthread, {args.workers} workers "
        f"x {args.threads} threads; {args.clients} clients in {args.client_processes} "
        f"processes, think time {args.think:g} s"
    )
    print()
    print(
        "| database | scenario | journeys acked | seconds | submissions/s | requests/s "
        "| submit p50/p95/p99 ms | all requests p50/p95/p99 ms | server-side p50/p99 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        for burst in run.bursts:
            submits = burst.latencies("submit")
            every = burst.latencies()
            server = [float(ms) for ms in burst.server_ms]
            acked = len(burst.acknowledged)
            print(
                f"| {run.version} | {burst.name} | {acked:,}/{len(burst.journeys):,} "
                f"| {burst.seconds:.1f} | {acked / burst.seconds:.1f} "
                f"| {len(every) / burst.seconds:.0f} "
                f"| {_ms(submits, 50)}/{_ms(submits, 95)}/{_ms(submits, 99)} "
                f"| {_ms(every, 50)}/{_ms(every, 95)}/{_ms(every, 99)} "
                f"| {_ms(server, 50, 1)}/{_ms(server, 99, 1)} |"
            )
    print()
    print(
        "| database | scenario | CPU ms per request: server / database / clients "
        "| backends waiting for a lock, mean / max |"
    )
    print("|---|---|---:|---:|")
    for run in runs:
        for burst in run.bursts:
            count = max(len(burst.requests), 1)
            cpu = [burst.server_cpu, burst.database_cpu, burst.client_cpu]
            shown = [f"{1000 * value / count:.1f}" for value in cpu]
            if run.database != "postgres":
                shown[1] = "-"  # SQLite works inside the server's processes
            waits = burst.lock_waits
            locks = f"{sum(waits) / len(waits):.1f} / {max(waits)}" if waits else "-"
            print(f"| {run.version} | {burst.name} | {' / '.join(shown)} | {locks} |")
    print()
    print(
        "| database | scenario | complete in db | acked codes found once | lost | duplicated "
        "| journeys that retried | requests retried | sent back to start | drafts left "
        "| second submit thanked | kill |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    all_good = True
    for run in runs:
        for burst in run.bursts:
            acked_codes = burst.acknowledged
            once = sum(1 for code in acked_codes if burst.complete.get(code) == 1)
            lost = len(acked_codes - set(burst.complete))
            duplicated = sum(1 for count in burst.complete.values() if count > 1)
            taps = [
                journey.double_ok for journey in burst.journeys if journey.double_ok is not None
            ]
            kill = (
                f"after {burst.killed_at} acks; back in {burst.downtime:.1f} s"
                if burst.killed_at
                else "-"
            )
            print(
                f"| {run.version} | {burst.name} | {sum(burst.complete.values()):,} "
                f"| {once:,}/{len(acked_codes):,} | {lost} | {duplicated} "
                f"| {sum(1 for journey in burst.journeys if journey.retries)} "
                f"| {sum(journey.retries for journey in burst.journeys)} "
                f"| {sum(journey.restarts for journey in burst.journeys)} | {burst.drafts} "
                f"| {f'{sum(taps)}/{len(taps)}' if taps else '-'} | {kill} |"
            )
            for problem in burst.problems():
                all_good = False
                print(f"   PROBLEM ({run.database}, {burst.name}): {problem}")
            for note in burst.notes():
                print(f"   NOTE ({run.database}, {burst.name}): {note}")
    for run in runs:
        print()
        print(f"{run.version}: server start to /healthz {run.startup:.1f} s.")
        print("One journey in one process (Django's test client, after a warm-up journey):")
        print("| request | queries | by kind | ms |")
        print("|---|---:|---|---:|")
        for step in run.queries:
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(step["kinds"].items()))
            print(f"| {step['request']} | {step['queries']} | {kinds} | {step['ms']:.1f} |")
    return all_good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--journeys", type=int, default=2000, help="questionnaires in the burst")
    parser.add_argument("--clients", type=int, default=100, help="concurrent simulated phones")
    parser.add_argument(
        "--client-processes", type=int, default=4, help="processes the client threads share"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a participant spends on a page (uniform 0 to 2x); 0: a burst",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--kill-journeys", type=int, default=None, help="journeys in the kill test (journeys/2)"
    )
    parser.add_argument(
        "--kill-after", type=int, default=None, help="acknowledged journeys before SIGKILL"
    )
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/test",
        help="a database on the PostgreSQL server to connect to while (re)creating imheval_bench",
    )
    parser.add_argument(
        "--scenarios",
        type=lambda text: text.split(","),
        default=list(SCENARIOS),
        help="which to run, comma-separated: burst,double,kill (all by default)",
    )
    parser.add_argument("--internal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        _internal(*args.internal.split(":", 1))
        return
    args.kill_journeys = args.kill_journeys or max(args.journeys // 2, 2)
    args.kill_after = args.kill_after or max(args.kill_journeys * 3 // 10, 1)
    args.load_before = os.getloadavg()[0]
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory(prefix="imheval-bench-") as folder:
        runs = [_run_database(database, args, Path(folder)) for database in databases]
        all_good = _report(runs, args)
    print()
    print("every acknowledged submission is stored exactly once" if all_good else "FAILED")
    sys.exit(0 if all_good else 1)


if __name__ == "__main__":
    main()
