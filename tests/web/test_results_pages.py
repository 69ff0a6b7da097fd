"""Results pages: live counts, the evaluation of a cohort, a programme and the organisation, the
report downloads, and who may reach them.

Small data sets are written inline with :func:`respond`; the demo workspace (the seed-style study
of 154 responses) checks the page against the numbers ``imheval analyse --demo`` prints.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import PASSWORD, Workspace
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from task_worker import run_tasks

from imheval import get_builtin
from imheval.web.capture.models import Submission
from imheval.web.results import urls as results_urls
from imheval.web.results.analysis import Scope, analyse

CORE = get_builtin("imh-core@1.0.0")  # the version the workspace fixture's questionnaires ask
KEYED = [item for item in CORE.items if item.kind == "keyed"]
RATED = [item for item in CORE.items if item.kind == "rating"]


# ---------------------------------------------------------------------------- helpers


def answers(right: int, rating: int = 3) -> dict[str, str]:
    """Answers to imh-core: the first ``right`` keyed items correct, the rest wrong, every
    rating item ``rating``."""
    given = {}
    for index, item in enumerate(KEYED):
        wrong = next(code for code in item.options if code not in item.key)
        given[item.id] = item.key[0] if index < right else wrong
    for item in RATED:
        given[item.id] = str(rating)
    return given


def respond(
    collection: Any,
    code: str,
    given: dict[str, str],
    profession: str = "Social worker",
    directorate: str = "Children's Services",
    source: str = "web",
    status: str = "complete",
) -> Submission:
    return Submission.objects.create(
        collection=collection,
        code=code,
        answers=given,
        profession=profession,
        directorate=directorate,
        source=source,
        status=status,
        completed_at=timezone.now() if status == "complete" else None,
    )


def matched_people(workspace: Workspace, n: int, prefix: str = "P") -> list[str]:
    """``n`` people at pre and post of SOL-1, scores varying so every test can be computed."""
    codes = []
    for i in range(n):
        code = f"{prefix}{i:02d}XY"
        respond(workspace.pre, code, answers(2 + i % 4, rating=2 + i % 2))
        respond(workspace.post, code, answers(6 + i % 3, rating=4 + i % 2))
        codes.append(code)
    return codes


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class _Tables(HTMLParser):
    """Every <table> of a page as (caption, rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            caption = " ".join("".join(self._caption).split())
            self.tables[-1] = (caption, self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return {caption: rows for caption, rows in parser.tables}


def report_download(client: Client, url: str, query: dict[str, str]) -> Any:
    """Ask for a report as a person does: the link leads to a job's progress page; once the
    worker has run, that page links the file (or says why there is none). The file's answer
    if there is one, else the finished progress page."""
    started = client.get(url, query)
    assert started.status_code == 302 and "/jobs/" in started["Location"], started
    run_tasks()
    page = client.get(started["Location"])
    links = re.findall(r'href="([^"]*/download/)"', page.content.decode())
    return client.get(links[0]) if links else page


def results_urls_for(workspace: Workspace) -> list[str]:
    """Every results address, pointed at the northern organisation's objects."""
    known = {
        "org": workspace.organisation.slug,
        "programme": workspace.programme.pk,
        "cohort": workspace.cohort.pk,
    }
    found = []
    for pattern in results_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = set(pattern.pattern.converters)
        found.append(reverse(f"results:{pattern.name}", kwargs={k: known[k] for k in names}))
    return found


@pytest.fixture
def demo(db: None) -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


# ---------------------------------------------------------------------------- live counts


def test_live_counts_show_complete_drafts_and_exact_matches_of_the_cohort(
    workspace: Workspace,
) -> None:
    for code in ("AA11AA", "BB22BB", "CC33CC"):
        respond(workspace.pre, code, answers(3))
    respond(workspace.pre, "DD44DD", {"K1": "a"}, status="draft")
    respond(workspace.post, "AA11AA", answers(5))
    respond(workspace.post, "BB22BB", answers(5))
    respond(workspace.post, "ZZ99ZZ", answers(5))
    respond(workspace.other_collection, "AA11AA", answers(5))  # another Trust: never counted
    url = reverse("results:cohort_counts_live", args=["northern", workspace.cohort.pk])
    fragment = client_for(workspace.users["trainer"]).get(url).content.decode()
    counts = dict(re.findall(r'id="count-([a-z]+-[a-z]+)">(\d+)<', fragment))
    assert counts == {
        "pre-complete": "3",
        "pre-drafts": "1",
        "post-complete": "3",
        "post-drafts": "0",
        "followup-complete": "0",
        "followup-drafts": "0",
    }
    assert re.search(r'id="count-matched">2<', fragment)
    assert 'hx-trigger="every 5s"' in fragment
    assert "<html" not in fragment  # a fragment, not a page


def test_live_counts_are_exact_even_below_the_minimum_group_size(workspace: Workspace) -> None:
    respond(workspace.pre, "AA11AA", answers(3))
    respond(workspace.post, "AA11AA", answers(5))
    page = client_for(workspace.users["viewer"]).get(
        reverse("results:cohort_counts", args=["northern", workspace.cohort.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'id="count-pre-complete">1<', text)
    assert re.search(r'id="count-matched">1<', text)
    assert "vendor/htmx.min.js" in text
    assert 'name="htmx-config"' in text


def test_live_counts_flag_a_code_used_twice_at_one_questionnaire(workspace: Workspace) -> None:
    respond(workspace.pre, "AA11AA", answers(3))
    respond(workspace.pre, "AA11AA", answers(4))
    respond(workspace.post, "AA11AA", answers(5))
    url = reverse("results:cohort_counts_live", args=["northern", workspace.cohort.pk])
    fragment = client_for(workspace.users["trainer"]).get(url).content.decode()
    assert re.search(r'id="count-repeated">1<', fragment)
    assert re.search(r'id="count-matched">0<', fragment)  # the analysis leaves the code out


# ---------------------------------------------------------------------------- evaluation pages


def test_organisation_page_shows_the_demo_table_1_and_findings(demo: Any) -> None:
    client = client_for(demo.organisation.memberships.get(role="evaluator").user)
    page = client.get(reverse("results:organisation", args=["demo"])).content.decode()
    found = tables(page)
    table1 = found["Table 1. Knowledge: cohort mean scores before and after training"]
    rows = {row[0]: row[1:] for row in table1[1:]}
    # imheval analyse --demo: TF1 14 2.00 (33%) 4.14 (69%) +2.14; all 59 2.46 (41%) 4.69 (78%)
    assert rows["TF1"][:4] == ["Think Family", "14", "2.00 (33%)", "4.14 (69%)"]
    assert rows["TF1"][4].startswith("+2.14")
    assert rows["All matched people"][1:4] == ["59", "2.46 (41%)", "4.69 (78%)"]
    flow = {row[0]: row[1] for row in found["Participant flow"][1:]}
    assert flow["Matched before and after"] == "68"
    assert "Summary of findings" in page
    assert "t(58) = 10.52, p &lt; .001" in page  # the participant-level paired t-test, APA
    assert "d_z = 1.37" in page  # effect size with its CI in the tests table
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+', page)
    assert "results/results.css" in page


def test_programme_page_analyses_only_that_programmes_cohorts(demo: Any) -> None:
    from imheval.web.workspace.models import Programme

    solihull = Programme.objects.get(name="Solihull")
    client = client_for(demo.organisation.memberships.get(role="evaluator").user)
    page = client.get(reverse("results:programme", args=["demo", solihull.pk])).content.decode()
    table1 = tables(page)["Table 1. Knowledge: cohort mean scores before and after training"]
    assert [row[0] for row in table1[1:]] == ["S1", "S2", "All matched people"]
    assert "TF1" not in [row[0] for row in table1]
    assert "Cohort S3" in page  # the new cohort is listed with the others


def test_a_cohort_with_three_matched_people_shows_no_means(workspace: Workspace) -> None:
    matched_people(workspace, 3)
    client = client_for(workspace.users["viewer"])
    page = client.get(
        reverse("results:cohort", args=["northern", workspace.cohort.pk])
    ).content.decode()
    assert "Knowledge: fewer than 5 people were matched before and after training" in page
    assert not any(caption.startswith("Table 1.") for caption in tables(page))
    assert not re.search(r"\d\.\d\d \(\d+%\)", page)  # no mean score anywhere
    flow = {row[0]: row[1] for row in tables(page)["Participant flow"][1:]}
    assert flow["Matched before and after"] == "hidden"
    # a viewer may download the report but not the responses, nor see codes
    assert "Report: PDF" in page
    assert "Responses: CSV" not in page and "Check possible matches" not in page


def test_a_cohort_with_no_responses_explains_instead_of_failing(workspace: Workspace) -> None:
    page = client_for(workspace.users["viewer"]).get(
        reverse("results:cohort", args=["northern", workspace.cohort.pk])
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "No one has completed a questionnaire for cohort SOL-1" in text
    assert "Report: PDF" not in text


def test_a_cohort_with_no_matched_pairs_says_change_cannot_be_measured(
    workspace: Workspace,
) -> None:
    for i in range(6):
        respond(workspace.pre, f"PRE{i}AA", answers(i % 5))
    page = client_for(workspace.users["viewer"]).get(
        reverse("results:cohort", args=["northern", workspace.cohort.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "No one has yet answered both the pre-test and the post-test" in text
    flow = {row[0]: row[1] for row in tables(text)["Participant flow"][1:]}
    assert flow["Took the pre-test"] == "6"


def test_an_instrument_that_cannot_be_loaded_is_explained(workspace: Workspace) -> None:
    workspace.pre.instrument_refs = ["no-such-instrument"]
    workspace.pre.save()
    respond(workspace.pre, "AA11AA", answers(3))
    text = (
        client_for(workspace.users["viewer"])
        .get(reverse("results:cohort", args=["northern", workspace.cohort.pk]))
        .content.decode()
    )
    assert "An instrument of these questionnaires cannot be used" in text
    assert "no-such-instrument" in text


def test_an_organisation_with_no_questionnaires_explains(workspace: Workspace) -> None:
    from imheval.web.workspace.models import Collection

    Collection.objects.filter(cohort=workspace.cohort).delete()
    text = (
        client_for(workspace.users["viewer"])
        .get(reverse("results:organisation", args=["northern"]))
        .content.decode()
    )
    assert "No questionnaires have been set up for all programmes of Northern HSC Trust" in text


def test_analysis_scopes_see_only_their_own_organisations_responses(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    respond(workspace.other_collection, "P00XY", answers(1))
    analysis = analyse(Scope.of(workspace.organisation))
    assert analysis.responses == 12
    assert analysis.matched_pairs == 6


# ---------------------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("kind", "content_type", "name"),
    [
        ("html", "text/html; charset=utf-8", "northern-SOL-1-report.html"),
        ("pdf", "application/pdf", "northern-SOL-1-report.pdf"),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "northern-SOL-1-report.docx",
        ),
    ],
)
def test_a_viewer_downloads_the_cohort_report(
    workspace: Workspace, kind: str, content_type: str, name: str
) -> None:
    matched_people(workspace, 6)
    url = reverse("results:cohort_report", args=["northern", workspace.cohort.pk])
    response = report_download(client_for(workspace.users["viewer"]), url, {"format": kind})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    if kind == "pdf":
        assert response.content.startswith(b"%PDF")
    elif kind == "docx":
        import docx

        document = docx.Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Evaluation of infant mental health training: cohort SOL-1" in text
    else:
        page = response.content.decode()
        assert "<title>Evaluation of infant mental health training: cohort SOL-1" in page
        assert "6 people in 1 cohort" in page


def test_programme_and_organisation_reports_are_named_after_their_scope(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    programme = report_download(
        client,
        reverse("results:programme_report", args=["northern", workspace.programme.pk]),
        {"format": "html"},
    )
    organisation = report_download(
        client, reverse("results:organisation_report", args=["northern"]), {"format": "html"}
    )
    assert programme["Content-Disposition"] == (
        'attachment; filename="northern-Solihull-Approach-foundation-report.html"'
    )
    assert organisation["Content-Disposition"] == 'attachment; filename="northern-report.html"'
    assert "Evaluation of infant mental health training: Northern HSC Trust" in (
        organisation.content.decode()
    )


def test_a_report_of_nothing_explains_and_an_unknown_format_is_not_found(
    workspace: Workspace,
) -> None:
    client = client_for(workspace.users["viewer"])
    url = reverse("results:cohort_report", args=["northern", workspace.cohort.pk])
    empty = report_download(client, url, {"format": "pdf"})
    assert empty.status_code == 200
    assert "This could not be finished" in empty.content.decode()
    assert "No one has completed a questionnaire" in empty.content.decode()
    assert "Traceback" not in empty.content.decode()
    assert client.get(url, {"format": "exe"}).status_code == 404
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------- access


def test_outsider_gets_404_from_every_results_address(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.outsider)
    urls = results_urls_for(workspace)
    assert len(urls) == len(results_urls.urlpatterns) == 18
    for url in urls:
        for query in ({}, {"format": "pdf"}, {"format": "csv"}):
            assert client.get(url, query).status_code == 404, url
        assert client.post(url, {"code_a": "P00XY", "code_b": "P01XY"}).status_code == 404, url
        # their own organisation's address with northern's objects: still nothing there
        if "/programmes/" in url or "/cohorts/" in url:
            southern = url.replace("/o/northern/", "/o/southern/")
            assert client.get(southern).status_code == 404, southern
    own = client.get(reverse("results:organisation", args=["southern"])).content.decode()
    assert "Solihull" not in own and "SOL-1" not in own


def test_anonymous_visitors_are_sent_to_sign_in_from_every_results_address(
    workspace: Workspace,
) -> None:
    client = Client()
    for url in results_urls_for(workspace):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/sign-in/?next={url}"


def test_roles_results_pages_reports_exports_and_matching(workspace: Workspace) -> None:
    """Allowed roles get the page (200) or the plain "nothing yet" answer (409); others 403."""
    cohort = workspace.cohort.pk
    report = reverse("results:cohort_report", args=["northern", cohort]) + "?format=html"
    export = reverse("results:cohort_export", args=["northern", cohort]) + "?format=csv"
    matching = reverse("results:cohort_matching", args=["northern", cohort])
    page = reverse("results:cohort", args=["northern", cohort])
    expected = {  # the report is written in the background: its progress page follows
        "admin": (200, 302, 409, 200),
        "evaluator": (200, 302, 409, 200),
        "trainer": (200, 302, 409, 403),
        "viewer": (200, 302, 403, 403),
    }
    for role, statuses in expected.items():
        client = client_for(workspace.users[role])
        got = tuple(client.get(url).status_code for url in (page, report, export, matching))
        assert got == statuses, role
    refused = client_for(workspace.users["viewer"]).get(export).content.decode()
    assert "cannot download response-level data" in refused


def test_results_pages_refuse_other_methods(workspace: Workspace) -> None:
    client = client_for(workspace.users["admin"])
    url = reverse("results:cohort", args=["northern", workspace.cohort.pk])
    assert client.post(url).status_code == 405
