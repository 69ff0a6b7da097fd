"""The coverage page, its downloads and the coverage report job, on the hand-worked data of
test_workforce_adapter (Northern Trust, NES framework)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from tests.web.conftest import client_as
from tests.web.task_worker import run_tasks
from tests.web.test_workforce_adapter import build_northern

AS_OF = "2026-12-01"


@pytest.fixture
def northern(workspace: Any) -> Any:
    build_northern(workspace.organisation)
    return workspace


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", **kwargs})


def _page(workspace: Any, role: str = "viewer", **query: str) -> str:
    response = client_as(workspace.users[role]).get(_url("coverage"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_first_paragraph_names_the_biggest_gap(northern: Any) -> None:
    page = _page(northern, as_of=AS_OF)
    # Health visiting, Skilled and Informed both have a gap of 4; the first row (Skilled) leads.
    assert (
        "The target is 90% of Health visitor staff in Health visiting at Skilled by 31 March "
        "2027; 50% are trained now (5 of 10): 4 people short, about 1 more cohort of 12."
    ) in page
    assert "1 of 4 team targets met, 3 on trajectory; 1 to check" in page.replace("\n", " ")


def _cell(category: str, *lines: str) -> str:
    spans = "".join(f'<span class="imheval-heat__line">{line}</span>' for line in lines)
    return f'imheval-heat--{category}">{spans}</td>'


def test_heat_map_cells_say_their_status_in_words(northern: Any) -> None:
    page = _page(northern, as_of=AS_OF)
    assert _cell("on_trajectory", "50%", "on trajectory") in page
    assert _cell("met", "50%", "met") in page
    # more trained than headcount: never a share, always "check the data"
    assert _cell("check", "over headcount:", "check the data") in page
    assert "200%" not in page
    assert "Perinatal mental health, Nurse" in page
    assert _cell("on_trajectory", "25%", "on trajectory") in page


def test_births_needs_and_notes(northern: Any) -> None:
    page = _page(northern, as_of=AS_OF)
    assert (
        "3,200 births a year: with more than 3,000 births, specialist practitioners are "
        "expected in several services (at least 2). Specialist capacity: 0 people trained to "
        "Specialist, in no service. The rule is not yet met."
    ) in page
    assert (
        "1 person on the training registers is employed by &#x27;Southern HSC Trust&#x27;" in page
    )
    assert "A cohort is 12 people" in page


def test_another_date_uses_that_dates_extract(northern: Any) -> None:
    page = _page(northern, as_of="2025-12-31")
    assert "Workforce coverage on 31 December 2025" in page
    assert "3 are trained now" not in page  # 3 of 20 is shown as a share
    assert "15% are trained now (3 of 20)" in page


@pytest.mark.parametrize("bad", ["31/03/2027", "0001-01-01", "9999-12-31", "x" * 300, "2027-02-30"])
def test_a_bad_date_is_an_error_message_and_today_is_shown(northern: Any, bad: str) -> None:
    page = _page(northern, as_of=bad)
    assert "Error: Workforce coverage" in page
    assert "Enter the date as year, month and day, for example 2027-03-31" in page
    from django.utils import timezone

    today = timezone.localdate()
    assert f"Workforce coverage on {today.day} {today:%B %Y}" in page


def test_a_coverage_problem_is_listed_not_a_traceback(workspace: Any) -> None:
    from imheval.web.workforce.models import WorkforceSettings

    WorkforceSettings.objects.create(
        organisation=workspace.organisation, framework="custom", custom_levels="A\na\n"
    )
    page = _page(workspace)
    assert "Coverage cannot be counted yet" in page
    assert "the level &#x27;a&#x27; is named twice" in page


def test_nothing_set_up_says_what_is_needed(workspace: Any) -> None:
    page = _page(workspace)
    assert "Nothing to show yet: coverage needs an establishment extract" in page
    assert "There is no establishment extract on or before" in page


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_coverage_download_has_every_figure_unrounded(northern: Any) -> None:
    client = client_as(northern.users["viewer"])
    response = client.get(_url("coverage_download", file_format="csv"), {"as_of": AS_OF})
    assert (
        response["Content-Disposition"] == 'attachment; filename="coverage-northern-2026-12-01.csv"'
    )
    rows = _csv(response)
    assert rows[0][:6] == [
        "Service",
        "Profession",
        "Level",
        "Headcount",
        "Trained",
        "Percent trained",
    ]
    by_team = {(r[0], r[2]): r for r in rows[1:]}
    assert by_team[("Health visiting", "Skilled")][3:10] == [
        "10",
        "5",
        "50.0",
        "90",
        "2027-03-31",
        "4",
        "on trajectory",
    ]
    family = by_team[("Family nurse", "Informed")]
    assert family[5] == ""  # no share when trained exceeds headcount
    assert family[9:] == [
        "check the data",
        "more people trained than the headcount: check the data",
    ]
    xlsx = client.get(_url("coverage_download", file_format="xlsx"), {"as_of": AS_OF})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(_url("coverage_download", file_format="pdf")).status_code == 404


def test_needs_download(northern: Any) -> None:
    from imheval.web.workforce.models import WorkforceSettings

    WorkforceSettings.objects.create(organisation=northern.organisation, cohort_size=3)
    client = client_as(northern.users["viewer"])
    rows = _csv(client.get(_url("needs_download", file_format="csv"), {"as_of": AS_OF}))
    assert rows[1] == ["Informed", "4", "3", "2", "0", "0", "0"]


def test_the_report_is_written_by_a_worker(northern: Any) -> None:
    from imheval.web.tasks.models import Job

    client = client_as(northern.users["viewer"])
    assert client.get(_url("coverage_report")).status_code == 405
    response = client.post(_url("coverage_report"), {"format": "html", "as_of": AS_OF})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job", args=["northern", job.pk])
    # asked again while it waits: the same job
    client.post(_url("coverage_report"), {"format": "html", "as_of": AS_OF})
    assert Job.objects.count() == 1
    run_tasks()
    job.refresh_from_db()
    assert job.state == "done", job.problem
    assert job.file_name == "coverage-northern-2026-12-01.html"
    html = bytes(job.output).decode()
    assert "Workforce coverage: Northern HSC Trust" in html
    assert "over headcount: check the data" in html
    assert client.post(_url("coverage_report"), {"format": "exe"}).status_code == 404


def test_the_report_of_nothing_fails_plainly(workspace: Any) -> None:
    from imheval.web.tasks.models import Job

    client_as(workspace.users["viewer"]).post(_url("coverage_report"), {"format": "docx"})
    run_tasks()
    job = Job.objects.get()
    assert job.state == "failed"
    assert job.problem.startswith("There is nothing to report on ")
    assert "There is no establishment extract on or before" in job.problem


def test_outsider_gets_404(northern: Any) -> None:
    client = client_as(northern.outsider)
    for name, kwargs in (
        ("coverage", {}),
        ("coverage_download", {"file_format": "csv"}),
        ("needs_download", {"file_format": "csv"}),
        ("coverage_trend", {}),
        ("home", {}),
    ):
        assert client.get(_url(name, **kwargs)).status_code == 404
    assert client.post(_url("coverage_report"), {"format": "pdf"}).status_code == 404


def test_page_runs_a_constant_number_of_queries(
    northern: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as(northern.users["viewer"])
    client.get(_url("coverage"))  # warm: sessions, content types
    with django_assert_max_num_queries(14):
        client.get(_url("coverage"), {"as_of": AS_OF})


def test_names_are_escaped_in_the_tables(workspace: Any) -> None:
    from tests.web.test_workforce_adapter import _establishment, _requirement

    team = ("<b>Bold</b> & co", "<i>Nurse</i>")
    _establishment(workspace.organisation, datetime.date(2026, 4, 1), [(*team, 3)])
    _requirement(workspace.organisation, *team, "Informed", "50")
    page = _page(workspace)
    assert "<b>Bold</b>" not in page and "<i>Nurse</i>" not in page
    assert page.count("&lt;b&gt;Bold&lt;/b&gt; &amp; co, &lt;i&gt;Nurse&lt;/i&gt;</th>") == 2


def test_every_nasty_as_of_is_a_message_never_a_server_error(northern: Any) -> None:
    from tests.web.test_query_fuzz import NASTY

    client = client_as(northern.users["admin"])
    for value in [*NASTY, "2027-03-31T00:00", "20270331", "-2027-03-31"]:
        for name, kwargs in (
            ("coverage", {}),
            ("coverage_download", {"file_format": "csv"}),
            ("needs_download", {"file_format": "xlsx"}),
        ):
            assert client.get(_url(name, **kwargs), {"as_of": value}).status_code == 200
        response = client.post(_url("coverage_report"), {"format": "html", "as_of": value})
        assert response.status_code == 302
