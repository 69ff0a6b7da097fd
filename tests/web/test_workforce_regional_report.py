"""The regional report written by a worker (regional_reports, regional_report_views): asked for
by any role in the region, a progress page that ends with the file, the same report asked for
again while it is written leading to the first, another region's report 404, a report
withdrawn once an organisation it holds stops sharing, failures in plain words, and the
region's latest 20 kept."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import _user, client_as
from tests.web.task_worker import queued, run_tasks
from tests.web.test_workforce_regional import make_organisation, make_region, url
from tests.web.test_workforce_regional_places import add_places

from imheval.web.workforce.models import RegionalReport, RegionMember

pytestmark = pytest.mark.django_db


def report_url(name: str, report: Any) -> str:
    return reverse(
        f"workforce:{name}", kwargs={"region": report.region.slug, "regional_report": report.pk}
    )


def ask(user: Any, region: Any, report_format: str) -> RegionalReport:
    """POST for the report as ``user``: the report it leads to (checked to be the redirect)."""
    response = client_as(user).post(url("regional_report", region, report_format=report_format))
    assert response.status_code == 302, response.content[:300]
    report = RegionalReport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == report_url("regional_report_progress", report)
    return report


def this_years_start() -> datetime.date:
    """A date in the financial year of today (the report's places are of that year)."""
    today = timezone.localdate()
    return datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 2)


def region_with_data() -> tuple[Any, Any]:
    region, viewer = make_region()
    start = this_years_start()
    first = make_organisation(1, region, headcount=20, trained=3, outcomes=[(12, 10.0, 8.0)])
    second = make_organisation(2, region, headcount=30, trained=10, outcomes=[(10, 6.0, 7.0)])
    make_organisation(3, region, headcount=40, trained=12)
    quiet = make_organisation(4, region, shares=False, name="Quiet Trust")
    add_places(first, [("Health visitor", 12, 10)], start=start, funded=20, service="Early years")
    add_places(second, [("Health visitor", 3, 2)], start=start, funded=10, service="Early years")
    add_places(quiet, [("Health visitor", 40, 40)], start=start, funded=40, service="Early years")
    return region, viewer


def test_a_viewer_asks_waits_and_opens_the_html_report() -> None:
    region, viewer = region_with_data()
    report = ask(viewer, region, "html")
    assert (report.state, report.requested_by, report.format) == ("queued", viewer, "html")
    client = client_as(viewer)
    waiting = client.get(report_url("regional_report_progress", report)).content.decode()
    assert "Waiting to start." in waiting and "hx-get" in waiting
    assert client.get(report_url("regional_report_download", report)).status_code == 404
    status = report_url("regional_report_status", report)
    assert client.get(status, {"shown": "queued"}).status_code == 204

    run_tasks()
    report.refresh_from_db()
    assert report.state == "done", report.problem
    assert report.finished_at is not None and report.task_id
    page = client.get(report_url("regional_report_progress", report)).content.decode()
    assert "The report is ready." in page and "hx-get" not in page
    assert report_url("regional_report_download", report) in page
    assert "The report is ready." in client.get(status, {"shown": "queued"}).content.decode()

    response = client.get(report_url("regional_report_download", report))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith('inline; filename="northern-region-')
    assert "style-src 'unsafe-inline'" in response["Content-Security-Policy"]
    text = response.content.decode()
    assert "Regional view: Northern region" in text
    assert "1 invited organisation does not share and is not included." in text
    assert "Quiet Trust" not in text and "secret-" not in text
    year = this_years_start().year
    assert f"Places in {year}/{(year + 1) % 100:02d}" in text
    assert "Solihull Approach (Skilled)" in text
    assert "hidden" in text
    assert set(report.organisations) == set(
        RegionMember.objects.filter(region=region, shares=True).values_list(
            "organisation_id", flat=True
        )
    )


@pytest.mark.parametrize(
    ("report_format", "head", "content_type"),
    [("pdf", b"%PDF", "application/pdf"), ("docx", b"PK", "wordprocessingml")],
)
def test_pdf_and_word_are_attachments(report_format: str, head: bytes, content_type: str) -> None:
    region, viewer = region_with_data()
    report = ask(viewer, region, report_format)
    run_tasks()
    response = client_as(viewer).get(report_url("regional_report_download", report))
    assert response.status_code == 200 and response.content.startswith(head)
    assert content_type in response["Content-Type"]
    assert response["Content-Disposition"].startswith('attachment; filename="northern-region-')
    assert response["Content-Disposition"].endswith(f'.{report_format}"')


def test_the_same_report_asked_again_while_it_is_written_leads_to_the_first() -> None:
    from imheval.web.workforce.models import RegionRole

    region, lead = make_region("lead")
    viewer = _user("second-viewer")
    RegionRole.objects.create(region=region, user=viewer, role="viewer")
    make_organisation(1, region)
    first = ask(lead, region, "pdf")
    assert ask(viewer, region, "pdf") == first  # anyone's, while it is being written
    other = ask(viewer, region, "docx")
    assert other != first
    assert len(queued()) == 2  # one task per report, not per request
    run_tasks()
    assert ask(lead, region, "pdf") != first  # once written, a new one


def test_a_report_waiting_too_long_is_failed_and_a_new_one_is_written() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    stuck = ask(viewer, region, "html")
    RegionalReport.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = client_as(viewer).get(report_url("regional_report_progress", stuck)).content.decode()
    assert "The report could not be written" in page and "took too long" in page
    assert ask(viewer, region, "html") != stuck


def test_another_regions_report_is_404_at_every_address_and_method() -> None:
    from imheval.web.workforce.models import Region, RegionRole

    region, viewer = make_region()
    make_organisation(1, region)
    west = Region.objects.create(name="West board", slug="west")
    west_lead = _user("west-lead")
    RegionRole.objects.create(region=west, user=west_lead, role="lead")
    theirs = ask(viewer, region, "html")
    run_tasks()
    client = client_as(west_lead)
    for name in ("regional_report_progress", "regional_report_status", "regional_report_download"):
        address = reverse(
            f"workforce:{name}", kwargs={"region": "west", "regional_report": theirs.pk}
        )
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code == 404, address
        # and under its own region's address, to someone without a role there
        assert client.get(report_url(name, theirs)).status_code == 404
    missing = reverse(
        "workforce:regional_report_progress",
        kwargs={"region": region.slug, "regional_report": 999999},
    )
    assert client_as(viewer).get(missing).status_code == 404
    anonymous = client_as().get(report_url("regional_report_download", theirs))
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]
    assert client_as(viewer).post(report_url("regional_report_download", theirs)).status_code == 405


def test_an_organisation_that_stops_sharing_withdraws_the_reports_that_hold_it() -> None:
    region, viewer = region_with_data()
    report = ask(viewer, region, "html")
    run_tasks()
    client = client_as(viewer)
    assert client.get(report_url("regional_report_download", report)).status_code == 200
    RegionMember.objects.filter(region=region, organisation__slug="trust-02").update(shares=False)
    response = client.get(report_url("regional_report_download", report))
    assert response.status_code == 410
    assert "Trust 02" not in response.content.decode()
    page = client.get(report_url("regional_report_progress", report)).content.decode()
    assert "This report has been withdrawn." in page and "Write the report again" in page
    # sharing again makes it whole again; a new report leaves a non-sharing one out
    RegionMember.objects.filter(region=region, organisation__slug="trust-02").update(shares=True)
    assert client.get(report_url("regional_report_download", report)).status_code == 200


def test_failures_are_told_plainly_never_as_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from imheval.errors import ImhevalError
    from imheval.web.workforce import regional_reports

    region, viewer = make_region()
    make_organisation(1, region)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ImhevalError("The PDF writer is not installed on this server.")

    monkeypatch.setattr(regional_reports, "regional_report_bytes", refused)
    report = ask(viewer, region, "pdf")
    run_tasks()
    report.refresh_from_db()
    assert (report.state, report.problem) == (
        "failed",
        "The PDF writer is not installed on this server.",
    )
    page = client_as(viewer).get(report_url("regional_report_progress", report)).content.decode()
    assert "The PDF writer is not installed on this server." in page and "Try again" in page

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("secret-1-1")

    monkeypatch.setattr(regional_reports, "regional_report_bytes", broken)
    report = ask(viewer, region, "pdf")
    run_tasks()
    page = client_as(viewer).get(report_url("regional_report_progress", report)).content.decode()
    assert "Something went wrong on the server" in page
    assert "secret-1-1" not in page and "Traceback" not in page
    assert client_as(viewer).get(report_url("regional_report_download", report)).status_code == 404


def test_the_region_keeps_its_latest_20_reports() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    old = RegionalReport.objects.bulk_create(
        RegionalReport(region=region, format="html", state="done", output=b"<p>old</p>")
        for _ in range(20)
    )
    newest = ask(viewer, region, "html")
    kept = set(RegionalReport.objects.filter(region=region).values_list("pk", flat=True))
    assert len(kept) == 20 and newest.pk in kept
    assert old[0].pk not in kept and old[1].pk in kept


def test_the_request_page_lists_the_latest_reports_and_refuses_another_format() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    client = client_as(viewer)
    page = client.get(url("regional_report", region, report_format="pdf")).content.decode()
    assert 'id="no-reports"' in page and "Write the report as PDF" in page
    report = ask(viewer, region, "docx")
    page = client.get(url("regional_report", region, report_format="pdf")).content.decode()
    assert report_url("regional_report_progress", report) in page and "Word" in page
    assert "viewer-region" in page and "Waiting to start" in page
    for method in ("get", "post"):
        answer = getattr(client, method)(url("regional_report", region, report_format="odt"))
        assert answer.status_code == 404
    assert RegionalReport.objects.count() == 1


def test_every_regional_page_offers_the_report() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    action = url("regional_report", region, report_format="docx")
    for name in ("region", "regional_coverage", "regional_places", "regional_outcomes"):
        page = client_as(viewer).get(url(name, region)).content.decode()
        assert f'formaction="{action}"' in page, name
        assert "csrfmiddlewaretoken" in page, name
