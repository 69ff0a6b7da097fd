"""Query parameters: whatever a visitor types after "?", no page answers with a server error.

The attack: ``/paper/questionnaires/N/enter/?after=²`` gave a 500, because "²".isdigit() is true
and int("²") fails. Every view's query parameters are collected from the source (so a new one
cannot be missed), then sent, with unicode digits, huge and negative numbers, NUL, empty and
very long text, to every page of the site (signed in as the organisation's admin, with real
objects in every address), and every answer must be below 500.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_workspace_access import _northern_kwargs, _patterns

import imheval.web
from imheval.web.paper.forms import PrintForm
from imheval.web.workspace.plan_views import PlanForm

pytestmark = pytest.mark.django_db

WEB = Path(imheval.web.__file__).parent

#: Every query parameter a view of ours reads (checked against the source below), plus the
#: sign-in page's "next", which Django's own view reads.
PARAMETERS = {
    "after",
    "copies",
    "first",
    "page",
    "timepoint",
    "download",
    "shown",
    "format",
    "rest",
    "everyone",  # network register: ?everyone=present fills the form, saves nothing
    "attribute",  # qualitative speakers: the breakdown by one attribute
    "level",  # qualitative new codebook row: theme, sub-theme or code
    "parent",  # qualitative new codebook row: the row above it
    "about",  # qualitative new memo: the study, a code or a source
    "unit",  # qualitative comparison: character or turn
    "code",  # qualitative comparison: the code whose disagreements are listed
    "file",  # qualitative exports: which file
    "quotes",  # qualitative outputs: quotes attributed by speaker label or by role and group
    "year",  # workforce places: the financial year shown (2026 = 2026/27)
    "as_of",  # workforce coverage: the day coverage is counted on
    "service",  # workforce service data: the service of the series shown
    "measure",  # workforce service data: the measure of the series shown
    # the planning page's question (PlanForm, read from the query string; nothing is stored)
    "effect",
    "power",
    "cohort_size",
    "icc",
    "attrition",
    "alpha",
    "cohorts",
    "simulate",
    "seed",
}
DJANGO_PARAMETERS = {"next"}
#: Forms built from request.GET, and the parameters they read (their fields).
GET_FORMS = {"PrintForm": PrintForm, "PlanForm": PlanForm}

#: Values that broke, or could break, number parsing and lookups.
NASTY = [
    "²",  # a digit to str.isdigit, not to int
    "٣",  # an Arabic-Indic digit: int() reads it
    "１",  # a full-width digit
    "9" * 30,  # beyond any database integer
    "9" * 5000,  # beyond Python's int-from-text limit
    "-1",
    "0",
    "",
    "\x00",
    "1\x00",
    "1e9",
    "NaN",
    " 1 ",
    "+1",
    "x" * 10_000,
    "pdf",
    "csv",
    "pre",
]

READS = [
    re.compile(r"request\.GET\.get\(\s*\"(\w+)\""),
    re.compile(r"request\.GET\[\s*\"(\w+)\"\s*\]"),
    re.compile(r"\"(\w+)\"\s+in\s+request\.GET"),
    re.compile(r"query_number\(\s*request,\s*\"(\w+)\""),
]
FORM_READS = re.compile(r"(\w+Form)\(\s*request\.GET")


def _parameters_in_source() -> tuple[set[str], set[str]]:
    """(parameter names read directly, names of forms bound to request.GET) in the web package."""
    names: set[str] = set()
    forms: set[str] = set()
    for path in WEB.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in READS:
            names.update(pattern.findall(text))
        forms.update(FORM_READS.findall(text))
    return names, forms


def test_the_list_of_query_parameters_is_the_sources() -> None:
    names, forms = _parameters_in_source()
    assert forms == set(GET_FORMS), "add each form bound to request.GET to GET_FORMS"
    from_forms = {field for form in GET_FORMS.values() for field in form.base_fields}
    assert names | from_forms == PARAMETERS, "add each query parameter to PARAMETERS"


def _urls(workspace: Any) -> list[str]:
    """Every page of the site, its address filled with northern's real objects (made once)."""
    if "urls" not in workspace.extra:
        workspace.extra["urls"] = _walk(workspace)
    return list(workspace.extra["urls"])


def _walk(workspace: Any) -> list[str]:
    known = _northern_kwargs(workspace)
    known.update(token=workspace.pre.token, number=1)
    urls = []
    for _, name, converters in _patterns(get_resolver()):
        if not name or name == "organisations:logout":
            continue
        # a part with no object here (a job, an invitation) still gets a well-formed address
        kwargs = {part: known.get(part, 1) for part in converters}
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def _admin(workspace: Any) -> Client:
    client = Client()
    client.force_login(workspace.users["admin"])
    return client


def test_a_superscript_digit_after_a_form_number_is_ignored(workspace: Any) -> None:
    client = _admin(workspace)
    enter = reverse("paper:enter", kwargs={"org": "northern", "collection": workspace.pre.pk})
    for after in ("²", "٣", "9" * 30, "-1", "\x00"):
        response = client.get(enter, {"after": after})
        assert response.status_code == 200, after
        assert 'name="form_number" type="text" value="1"' in response.content.decode()
    response = client.get(enter, {"after": "41"})
    assert 'name="form_number" type="text" value="42"' in response.content.decode()


def test_every_page_survives_each_nasty_value_in_every_parameter(workspace: Any) -> None:
    client = _admin(workspace)
    urls = _urls(workspace)
    assert len(urls) > 60
    reached = 0
    for url in urls:
        reached += client.get(url).status_code == 200
        for value in NASTY:
            query = dict.fromkeys(PARAMETERS | DJANGO_PARAMETERS, value)
            response = client.get(url, query)
            assert response.status_code < 500, (url, value[:20])
    assert reached > 40  # the walk really reaches the pages, not a wall of 404s


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
            for name in sorted(PARAMETERS | DJANGO_PARAMETERS)
        },
    )
)
def test_arbitrary_query_strings_never_give_a_server_error(
    workspace: Any, query: dict[str, str]
) -> None:
    client = _admin(workspace)
    for url in _urls(workspace):
        assert client.get(url, query).status_code < 500, (url, query)


def test_a_twenty_digit_day_in_a_date_is_a_form_error_not_a_crash(workspace: Any) -> None:
    """The same class in a form: int() accepts it, datetime.date overflows on it."""
    client = _admin(workspace)
    url = reverse(
        "workspace:cohort_create", kwargs={"org": "northern", "programme": workspace.programme.pk}
    )
    response = client.post(
        url,
        {
            "name": "SOL-2",
            "start_date-day": "9" * 20,
            "start_date-month": "11",
            "start_date-year": "2026",
        },
    )
    assert response.status_code == 200
    assert "Start date must be a real date" in response.content.decode()
