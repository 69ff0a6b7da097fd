"""The workforce home: what is set up, links to the pages that exist, coverage in a line."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from tests.web.conftest import client_as
from tests.web.test_workforce_adapter import build_northern


@pytest.fixture(autouse=True)
def first_of_december(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 1 December 2026 (the adapter tests' date)."""
    from imheval.web.workforce import home

    monkeypatch.setattr(home, "today", lambda: datetime.date(2026, 12, 1))


def _home(workspace: Any, role: str = "viewer") -> str:
    response = client_as(workspace.users[role]).get(
        reverse("workforce:home", kwargs={"org": "northern"})
    )
    assert response.status_code == 200
    return response.content.decode()


def test_home_says_what_is_set_up_and_links_every_page(workspace: Any) -> None:
    build_northern(workspace.organisation)
    page = _home(workspace)
    # the extract of 1 April 2027 is not yet current
    assert "Extract of 1 April 2026: 17 staff in 4 teams" in page
    assert "5 requirements" in page
    assert "16 of 17 people on the registers have completed" in page
    # the Taster session and the workspace's Solihull course give no NES level
    assert "3 of 5 programmes give a level of the framework; 2 earlier training records" in page
    assert "3,200 in 2026" in page  # the figure the births check uses
    coverage = reverse("workforce:coverage", kwargs={"org": "northern"})
    assert f'href="{coverage}"' in page
    assert f'href="{reverse("workforce:coverage_trend", kwargs={"org": "northern"})}"' in page
    # the menu leads here
    assert 'href="/o/northern/workforce/" aria-current="page">Workforce</a>' in page


def test_home_summary_line(workspace: Any) -> None:
    build_northern(workspace.organisation)
    page = _home(workspace)
    assert "Today: 1 of 4 team targets met, 3 on trajectory; 1 to check." in page


def test_an_empty_organisation(workspace: Any) -> None:
    page = _home(workspace)
    assert "Not imported yet" in page
    assert "None set yet" in page
    assert "Not recorded" in page


def test_home_runs_a_constant_number_of_queries(
    workspace: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.web.test_workforce_coverage_scale import build_large

    build_large(workspace.organisation)
    client = client_as(workspace.users["viewer"])
    url = reverse("workforce:home", kwargs={"org": "northern"})
    client.get(url)
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Extract of 1 April 2026: 3,300 staff in 330 teams" in page
