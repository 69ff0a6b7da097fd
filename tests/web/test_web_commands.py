"""The demo workspace, and the demo, serve and createadmin commands (real gunicorn processes)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.demo import demo_path
from imheval.io.table import RESERVED_COLUMNS, normalise_code

# ---------------------------------------------------------------------------- load_demo


@pytest.fixture
def demo(db: None):  # type: ignore[no-untyped-def]
    from imheval.web.demo import load_demo

    return load_demo(password="a demo password for tests")


def test_demo_workspace_holds_the_seed_style_study(demo) -> None:  # type: ignore[no-untyped-def]
    from imheval.web.capture.models import Submission
    from imheval.web.workspace.models import Cohort, Collection, Programme

    org = demo.organisation
    levels = dict(Programme.objects.in_organisation(org).values_list("name", "level"))
    assert levels == {
        "Think Family": "beginner",
        "Solihull": "intermediate",
        "Anna Freud": "advanced",
    }
    names = sorted(Cohort.objects.in_organisation(org).values_list("name", flat=True))
    assert names == ["AF1", "S1", "S2", "S3", "TF1", "TF2", "TF3"]
    assert demo.responses == 154
    assert Submission.objects.in_organisation(org).filter(status="complete").count() == 154
    followups = Collection.objects.in_organisation(org).filter(timepoint="followup")
    assert followups.count() == 6
    assert set(followups.values_list("follow_up_weeks", flat=True)) == {12}
    assert demo.open_collection.is_open
    assert demo.open_collection.cohort.name == "S3"
    anna = Collection.objects.in_organisation(org).get(cohort__name="AF1", timepoint="pre")
    assert anna.instrument_refs == ["imh-core", "imh-advanced-knowledge"]


def test_demo_responses_are_the_demo_csv_cell_for_cell(demo) -> None:  # type: ignore[no-untyped-def]
    from imheval.web.capture.models import Submission

    csv = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    items = [column for column in csv.columns if column not in RESERVED_COLUMNS]
    expected = {
        (row["cohort"], row["timepoint"], normalise_code(row["participant"])): row
        for row in csv.to_dict("records")
    }
    stored = Submission.objects.in_organisation(demo.organisation).select_related(
        "collection__cohort"
    )
    assert stored.count() == len(expected)
    for submission in stored:
        key = (submission.collection.cohort.name, submission.collection.timepoint, submission.code)
        row = expected[key]
        assert submission.profession == row["profession"]
        assert submission.directorate == row["directorate"]
        assert submission.answers == {item: row[item] for item in items if row[item] != ""}


def test_demo_account_can_sign_in(client, demo) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/sign-in/", {"username": demo.username, "password": "a demo password for tests"}
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------- createadmin


def test_createadmin_makes_an_organisation_admin(db: None) -> None:
    from django.contrib.auth import get_user_model

    from imheval.web.organisations.models import Membership

    result = CliRunner().invoke(
        app,
        ["createadmin", "--username", "alex", "--organisation", "Northern HSC Trust"],
        env={"IMHEVAL_ADMIN_PASSWORD": "a long and unusual passphrase"},
    )
    assert result.exit_code == 0, result.output
    assert "alex is now an admin of Northern HSC Trust" in result.output
    membership = Membership.objects.get(user__username="alex")
    assert membership.role == "admin"
    assert membership.organisation.slug == "northern-hsc-trust"
    user = get_user_model().objects.get(username="alex")
    assert user.check_password("a long and unusual passphrase")
    assert not user.is_superuser


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_createadmin_refuses_weak_passwords_and_creates_nothing(
    db: None, password: str, message: str
) -> None:
    from django.contrib.auth import get_user_model

    from imheval.web.organisations.models import Organisation

    result = CliRunner().invoke(
        app,
        ["createadmin", "--username", "sam", "--organisation", "Western Trust"],
        env={"IMHEVAL_ADMIN_PASSWORD": password},
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not get_user_model().objects.filter(username="sam").exists()
    assert not Organisation.objects.filter(name="Western Trust").exists()


def test_createadmin_refuses_an_existing_user_name(db: None) -> None:
    runner = CliRunner()
    env = {"IMHEVAL_ADMIN_PASSWORD": "a long and unusual passphrase"}
    args = ["createadmin", "--username", "kim", "--organisation", "Trust A"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    again = runner.invoke(app, [*args[:-1], "Trust B"], env=env)
    assert again.exit_code == 1
    assert "already exists" in again.output


# ---------------------------------------------------------------------------- real servers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["IMHEVAL_DATA_DIR"] = str(data_dir)
    return env


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited early: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_demo_command_serves_the_workspace_and_prints_the_sign_in(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "imheval", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_clean_env(tmp_path / "unused"),
    )
    started.append(process)
    assert process.stdout is not None
    printed = ""
    while "Data kept in" not in printed:
        line = process.stdout.readline()
        assert line, f"demo stopped before printing the sign-in:\n{printed}"
        printed += line
    base = f"http://127.0.0.1:{port}"
    assert f"Open:      {base}/o/demo/" in printed
    assert "Regional lead: demo-regional-lead, same password" in printed
    assert f"Regional view: {base}/r/demo-region/" in printed
    password = re.search(r"Password:\s+(\S+)", printed).group(1)  # type: ignore[union-attr]
    _wait_for(f"{base}/healthz", process)

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "demo-evaluator", "password": password}
    ).encode()
    request = urllib.request.Request(f"{base}/sign-in/", data=form, headers={"Referer": base})
    with opener.open(request) as response:
        assert response.status == 200
        assert "/o/" in response.url
    with opener.open(f"{base}/o/demo/") as response:
        assert response.status == 200
    assert (tmp_path / "imheval.sqlite3").exists()
    with opener.open(f"{base}/static/nhsuk/nhsuk-frontend.min.css") as response:
        assert response.headers["Content-Type"].startswith("text/css")


def test_serve_in_production_mode_redirects_to_https_but_answers_healthz(
    tmp_path: Path, started: list[subprocess.Popen[str]]
) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "imheval", "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_clean_env(tmp_path),
    )
    started.append(process)
    base = f"http://127.0.0.1:{port}"
    _wait_for(f"{base}/healthz", process)
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(f"{base}/sign-in/")
    assert redirected.value.code == 301
    assert redirected.value.headers["Location"] == f"https://127.0.0.1:{port}/sign-in/"


def test_serve_refuses_a_port_in_use_with_a_plain_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "imheval", "serve", "--local", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_clean_env(tmp_path),
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
