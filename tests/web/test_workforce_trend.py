"""Coverage at each 31 March, on the hand-worked data of test_workforce_adapter (extracts of
1 April 2025, 2026 and 2027; the first counted training completed on 1 January 2023)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from tests.web.conftest import client_as
from tests.web.test_workforce_adapter import build_northern

D = datetime.date
NOW = D(2027, 6, 30)


@pytest.fixture
def northern(workspace: Any) -> Any:
    build_northern(workspace.organisation)
    return workspace


def test_year_ends() -> None:
    from imheval.web.workforce.trend import year_ends

    assert year_ends(D(2023, 1, 1), D(2025, 3, 31)) == [
        D(2023, 3, 31),
        D(2024, 3, 31),
        D(2025, 3, 31),
    ]
    assert year_ends(D(2023, 4, 1), D(2025, 3, 30)) == [D(2024, 3, 31)]


def _lines(point: Any) -> dict[str, tuple[int, int, int, int, int, int]]:
    return {
        line.level: (
            line.headcount,
            line.trained,
            line.gap_people,
            line.met,
            line.on_trajectory,
            line.behind,
        )
        for line in point.levels
    }


def test_each_year_end_uses_the_extract_of_then(northern: Any) -> None:
    from imheval.web.workforce.trend import organisation_trend

    trend = organisation_trend(northern.organisation, NOW)
    assert trend.skipped == (D(2023, 3, 31), D(2024, 3, 31), D(2025, 3, 31))
    assert [(p.as_of, p.extract, p.is_today) for p in trend.points] == [
        (D(2026, 3, 31), D(2025, 4, 1), False),
        (D(2027, 3, 31), D(2026, 4, 1), False),
        (NOW, D(2027, 4, 1), True),
    ]
    assert trend.levels == ("Informed", "Skilled", "Enhanced")
    first, second, now = trend.points
    # 2026: health visiting only (20 staff): hv4, HV5 and mover at Skilled; hv1, hv3 too at
    # Informed. Nothing has fallen due.
    assert _lines(first) == {"Informed": (20, 5, 15, 0, 1, 0), "Skilled": (20, 3, 15, 0, 1, 0)}
    # 2027: the targets fall due. Informed: health visiting 7 of 10 (behind), maternity 1 of 2
    # (met); family nurses (2 of 1) are to check, left out.
    assert _lines(second) == {
        "Informed": (12, 8, 3, 1, 0, 1),
        "Skilled": (10, 6, 3, 0, 0, 1),
        "Enhanced": (4, 1, 1, 0, 0, 1),
    }
    assert second.levels[0].share == "66.6%"  # 8 of 12, rounded down
    assert _lines(now) == {"Informed": (30, 7, 23, 0, 0, 1), "Skilled": (30, 6, 21, 0, 0, 1)}


def test_trend_page_and_download(northern: Any, django_assert_max_num_queries: Any) -> None:
    client = client_as(northern.users["viewer"])
    url = reverse("workforce:coverage_trend", kwargs={"org": "northern"})
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not shown: 31 March 2023, 31 March 2024, 31 March 2025." in page
    assert 'alt="Share of staff trained by level over time. Informed: 31 March 2026: 25%' in page
    assert "establishment of 1 April 2025" in page
    download = client.get(
        reverse("workforce:trend_download", kwargs={"org": "northern", "file_format": "csv"})
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date", "Establishment extract", "Level"]
    assert rows[1] == [
        "2026-03-31",
        "2025-04-01",
        "Informed",
        "20",
        "5",
        "25.0",
        "15",
        "0",
        "1",
        "0",
    ]


def test_no_extract_means_nothing_to_show(workspace: Any) -> None:
    response = client_as(workspace.users["viewer"]).get(
        reverse("workforce:coverage_trend", kwargs={"org": "northern"})
    )
    assert "There is nothing to show yet" in response.content.decode()
