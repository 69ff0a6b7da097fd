"""A region's places (regional_places): the sharing organisations' places per programme and
financial year side by side with the region's total, who took them by profession across the
region, the small-group rule across the region, the download, and a constant number of
queries.

The hand-worked region (2026/27, "Solihull Approach" at Skilled in three trusts):

============  ======  =======  =====  =========  ===========================================
Trust         funded  offered  taken  completed  by profession (taken, completed)
============  ======  =======  =====  =========  ===========================================
Trust 01      20      18       12     10         health visitor 8 (7), social worker 4 (3)
Trust 02      10      --       3      2          health visitor 3 (2)
Trust 03      15 (a)  --       9      6          health visitor 6 (4), nurse 3 (2)
Region        45      18       24     18         health visitor 17 (13), social worker 4 (3),
                                                 nurse 3 (2)
============  ======  =======  =====  =========  ===========================================

(a) the programme's usual places per year, no record. Trust 02's 3 taken is hidden; Trust 03 is
hidden too, because 24 - 12 would give Trust 02's 3 back. Social workers (4) and nurses (3) are
hidden; together 7, which no one value pins down, so health visitors' 17 is shown.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.web.conftest import client_as
from tests.web.test_workforce_regional import make_organisation, make_region, url
from tests.web.workforce_places_data import add_trainees, make_cohort, make_programme

pytestmark = pytest.mark.django_db

STARTS = datetime.date(2026, 9, 7)  # 2026/27


def add_places(
    organisation: Any,
    lines: list[tuple[str, int, int]],
    *,
    name: str = "Solihull Approach",
    level: str = "Skilled",
    start: datetime.date = STARTS,
    funded: int | None = None,
    offered: int | None = None,
    usual: int | None = None,
    service: str = "Health visiting",
) -> Any:
    """A programme of ``organisation`` with one cohort starting on ``start`` whose register
    holds ``lines`` (profession, taken, completed); places recorded when ``funded`` is given,
    ``usual`` places per year. The trainees work in ``service`` (one with no target, such as
    "Early years", leaves the region's coverage as it was)."""
    from imheval.web.workforce.models import PlacesYear
    from imheval.web.workspace.models import Programme

    programme = Programme.objects.filter(organisation=organisation, name=name).first()
    if programme is None:
        programme = make_programme(organisation, name, framework_level=level, places_per_year=usual)
    cohort = make_cohort(programme, f"C-{start.isoformat()}", start, end_date=start)
    add_trainees(
        [cohort],
        [(profession, service, taken, done) for profession, taken, done in lines],
        prefix=f"{organisation.slug}-{start.isoformat()}-",
    )
    if funded is not None:
        year = start.year if start.month >= 4 else start.year - 1
        PlacesYear.objects.create(programme=programme, year=year, funded=funded, offered=offered)
    return programme


def hand_worked(region: Any) -> list[Any]:
    """The three trusts of the module's docstring."""
    trusts = [make_organisation(index, region) for index in (1, 2, 3)]
    add_places(
        trusts[0], [("Health visitor", 8, 7), ("Social worker", 4, 3)], funded=20, offered=18
    )
    add_places(trusts[1], [("health  visitor", 3, 2)], name="solihull  approach", funded=10)
    add_places(trusts[2], [("Health visitor", 6, 4), ("Nurse", 3, 2)], usual=15)
    return trusts


def page(user: Any, region: Any, **query: Any) -> str:
    response = client_as(user).get(url("regional_places", region), query)
    assert response.status_code == 200, response.content[:500]
    return str(response.content.decode())


def cells(html: str, caption: str, label: str) -> list[str]:
    """The cells after the row header ``label`` in the table captioned ``caption``."""
    import re

    table = html[html.index(caption) :]
    table = table[: table.index("</table>")]
    start = table.index(f'<th scope="row" class="nhsuk-table__header">{label}</th>')
    row = table[start : table.index("</tr>", start)]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)


# ------------------------------------------------------------------------------ the page


def test_places_side_by_side_with_the_small_group_rule_across_the_region() -> None:
    region, viewer = make_region()
    hand_worked(region)
    html = page(viewer, region)
    caption = "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert html.count("<h3>Solihull") == 1  # the two spellings are one programme
    assert cells(html, caption, "Trust 01") == ["20", "18", "12", "10"]
    # Trust 02's 3 taken is a small group; its funded places are not people, so shown
    assert cells(html, caption, "Trust 02") == ["10", "not given", "hidden", "hidden"]
    # Trust 03 is hidden too: 24 - 12 would give Trust 02's 3 back
    assert cells(html, caption, "Trust 03") == ["15", "not given", "hidden", "hidden"]
    assert cells(html, caption, "Region (all shown and hidden)") == ["45", "18", "24", "18"]
    professions = "Solihull Approach (Skilled), 2026/27: places by profession, whole region"
    assert cells(html, professions, "Health visitor") == ["17", "13"]
    assert cells(html, professions, "Social worker") == ["hidden", "hidden"]
    assert cells(html, professions, "Nurse") == ["hidden", "hidden"]
    assert "Places funded and offered are never hidden" in html
    assert "3 of" not in html and "secret-" not in html and "trust-0" not in html


def test_a_lone_small_organisation_hides_its_partner_and_the_total_is_still_shown() -> None:
    region, viewer = make_region()
    first, second = make_organisation(1, region), make_organisation(2, region)
    add_places(first, [("Health visitor", 2, 1)], funded=4)
    add_places(second, [("Health visitor", 30, 20)], funded=30)
    html = page(viewer, region)
    caption = "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert cells(html, caption, "Trust 01") == ["4", "not given", "hidden", "hidden"]
    assert cells(html, caption, "Trust 02") == ["30", "not given", "hidden", "hidden"]
    assert cells(html, caption, "Region (all shown and hidden)") == ["34", "not given", "32", "21"]


def test_a_region_total_of_fewer_than_5_hides_the_total_and_withholds_the_professions() -> None:
    region, viewer = make_region()
    first, second = make_organisation(1, region), make_organisation(2, region)
    add_places(first, [("Health visitor", 2, 1)])
    add_places(second, [("Social worker", 1, 0)])
    html = page(viewer, region)
    caption = "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert cells(html, caption, "Region (all shown and hidden)")[2:] == ["hidden", "hidden"]
    assert "Places by profession are not shown" in html
    assert "whole region" not in html


def test_the_same_name_at_another_level_is_another_programme_and_years_are_apart() -> None:
    region, viewer = make_region()
    first, second = make_organisation(1, region), make_organisation(2, region)
    add_places(first, [("Health visitor", 10, 8)], funded=12)
    add_places(first, [("Health visitor", 7, 7)], start=datetime.date(2026, 2, 2), funded=8)
    add_places(second, [("Health visitor", 6, 6)], level="Enhanced", name="Solihull approach")
    html = page(viewer, region)
    assert html.index("<h2>2026/27") < html.index("<h2>2025/26")  # latest first
    assert "Solihull Approach (Skilled), 2025/26: places by organisation" in html
    enhanced = "Solihull approach (Enhanced), 2026/27: places by organisation"
    assert cells(html, enhanced, "Trust 02") == ["not given", "not given", "6", "6"]
    skilled = "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert cells(html, skilled, "Trust 01") == ["12", "not given", "10", "8"]
    one_year = page(viewer, region, year="2025")
    assert "2025/26: places by organisation" in one_year
    assert "2026/27: places by organisation" not in one_year
    assert '<option value="2026">2026/27</option>' in one_year
    assert '<option value="2025" selected>2025/26</option>' in one_year
    # a year with nothing, and a year that is not one, are not errors
    assert 'id="no-places"' in page(viewer, region, year="2031")
    assert "2026/27: places by organisation" in page(viewer, region, year="²⁰²⁶")


def test_an_organisation_that_does_not_share_is_counted_never_named_and_never_added() -> None:
    region, viewer = make_region()
    hand_worked(region)
    quiet = make_organisation(4, region, shares=False, name="Quiet Trust")
    add_places(quiet, [("Health visitor", 40, 40)], funded=40)
    html = page(viewer, region)
    assert "Quiet Trust" not in html
    assert "1 invited organisation does not share and is not included." in html
    caption = "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert cells(html, caption, "Region (all shown and hidden)") == ["45", "18", "24", "18"]


def test_no_places_yet() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    assert 'id="no-places"' in page(viewer, region)


def test_the_download_says_hidden_and_never_the_hidden_number() -> None:
    region, viewer = make_region()
    hand_worked(region)
    client = client_as(viewer)
    response = client.get(url("regional_places_download", region, file_format="csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Financial year",
        "Programme",
        "Level",
        "Row",
        "Organisation or profession",
        "Places funded",
        "Places offered",
        "Places taken",
        "Completed",
    ]
    body = {(row[3], row[4]): row[5:] for row in rows[1:]}
    assert body == {
        ("Organisation", "Trust 01"): ["20", "18", "12", "10"],
        ("Organisation", "Trust 02"): ["10", "", "hidden", "hidden"],
        ("Organisation", "Trust 03"): ["15", "", "hidden", "hidden"],
        ("Region", "Region (all shown and hidden)"): ["45", "18", "24", "18"],
        ("Profession", "Health visitor"): ["", "", "17", "13"],
        ("Profession", "Social worker"): ["", "", "hidden", "hidden"],
        ("Profession", "Nurse"): ["", "", "hidden", "hidden"],
    }
    assert {row[0] for row in rows[1:]} == {"2026/27"}
    xlsx = client.get(url("regional_places_download", region, file_format="xlsx"), {"year": 2026})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    assert "2026-27" in xlsx["Content-Disposition"] or "2026" in xlsx["Content-Disposition"]
    assert client.get(url("regional_places_download", region, file_format="pdf")).status_code == 404


def test_the_region_page_and_the_other_regional_pages_link_to_places() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    places = url("regional_places", region)
    for name in ("region", "regional_coverage", "regional_outcomes"):
        response = client_as(viewer).get(url(name, region))
        assert response.status_code == 200
        assert f'href="{places}"' in response.content.decode(), name


# ------------------------------------------------------------------------------ queries


def _queries(user: Any, address: str) -> int:
    client = client_as(user)
    client.get(address)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


#: Sign-in (session, user), the regional role, the sharing organisations and the count of
#: those not sharing, places_rows' five (programmes, their organisations' settings, places
#: recorded, cohorts' years, the register's counts) and the years there are (two).
PINNED = 12


@pytest.mark.parametrize("query", ["", "?year=2026"])
def test_the_page_runs_the_same_number_of_queries_for_2_and_5_organisations(query: str) -> None:
    region, viewer = make_region()
    for index in (1, 2):
        add_places(make_organisation(index, region), [("Health visitor", 8, 6)], funded=10)
    two = _queries(viewer, url("regional_places", region) + query)
    for index in (3, 4, 5):
        add_places(make_organisation(index, region), [("Social worker", 6, 5)], usual=8)
    five = _queries(viewer, url("regional_places", region) + query)
    assert two == five == PINNED
