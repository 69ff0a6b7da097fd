"""The places pages: the table per programme and financial year, who took the places, the
records of funded and offered places (audited, for admins and evaluators only), the year
filter, the downloads read back, tenancy, and a constant number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from conftest import client_as
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from workforce_places_data import add_trainees, make_cohort, make_programme, seed_001

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import PlacesYear

pytestmark = pytest.mark.django_db


def _url(name: str, org: str = "northern", **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": org, **kwargs})


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ----------------------------------------------------------------------- the page


def test_places_page_shows_seed_001_funded_taken_used_and_completed(workspace: Any) -> None:
    seed_001(workspace.organisation)
    response = client_as(workspace.users["viewer"]).get(_url("places"))
    assert response.status_code == 200
    page = _text(response)
    assert '<h2>2026/27 <span class="nhsuk-caption-m">April 2026 to March 2027</span></h2>' in page
    line = re.search(r"Solihull 16-week course<br>.*?</tr>", page)
    assert line is not None
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', line.group(0))
    assert cells == ["Skilled", "120", "110", "100", "83%", "84"]
    assert "Funded by Health board workforce fund" in page
    assert "Who took the places on Solihull 16-week course in 2026/27" in page
    assert (
        '<th class="nhsuk-table__header" scope="row">Health visitor</th> '
        '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">60</td> '
        '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">52</td>'
    ) in page
    assert "Children&#x27;s social care" in page
    assert "more taken than funded" not in page
    # a viewer reads but records nothing
    assert "Record a year&#x27;s places" not in page and "Change<span" not in page
    # the register's names never reach this page
    assert "E00001" not in page


def test_taken_above_funded_is_flagged_plainly(workspace: Any) -> None:
    programme = make_programme(workspace.organisation, "Popular", places_per_year=12)
    add_trainees(
        [make_cohort(programme, "P-1", datetime.date(2026, 5, 4))], [("Midwife", "M", 15, 15)]
    )
    page = _text(client_as(workspace.users["admin"]).get(_url("places")))
    assert "125%<br><strong>3 more taken than funded</strong>" in page
    assert (
        "Popular in 2026/27: 15 places taken, 3 more than the 12 funded. Check the places "
        "recorded for the year, or the cohorts' registers."
    ) in page
    assert "usual per year" in page  # 12 is the programme's usual places, no record


def test_year_filter_shows_one_financial_year(workspace: Any) -> None:
    seed_001(workspace.organisation)
    programme = make_programme(workspace.organisation, "Older")
    add_trainees([make_cohort(programme, "O", datetime.date(2025, 5, 1))], [("HV", "HV", 4, 4)])
    client = client_as(workspace.users["viewer"])
    every = _text(client.get(_url("places")))
    assert "<h2>2026/27" in every and "<h2>2025/26" in every
    assert every.index("<h2>2026/27") < every.index("<h2>2025/26")  # latest first
    only = _text(client.get(_url("places") + "?year=2025"))
    assert "<h2>2025/26" in only and "<h2>2026/27" not in only
    assert '<option value="2025" selected>2025/26</option>' in only
    assert "places.csv?year=2025" in only
    planned = _text(client.get(_url("places") + "?year=2031"))
    # the 16-week course's usual 100 places a year stand for a year not recorded
    assert "<h2>2031/32" in planned and "Older" not in planned
    assert '100<br><span class="nhsuk-body-s">usual per year</span>' in planned


def test_a_year_with_nothing_says_so(workspace: Any) -> None:
    page = _text(client_as(workspace.users["viewer"]).get(_url("places") + "?year=2031"))
    assert "No places are recorded and no cohorts start in 2031/32." in page
    assert "<h2>Download</h2>" not in page


@pytest.mark.parametrize(
    "value", ["", "abc", "²⁰²⁶", "２０２６", "1999", "2101", "-2026", "9" * 40]
)
def test_a_year_that_is_not_one_shows_every_year(workspace: Any, value: str) -> None:
    seed_001(workspace.organisation)
    response = client_as(workspace.users["viewer"]).get(_url("places"), {"year": value})
    assert response.status_code == 200
    assert response.context["year"] is None
    assert "<h2>2026/27" in _text(response)


def test_places_page_takes_the_same_queries_with_many_programmes(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    client.get(_url("places"))  # sessions and the like settle first
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("places")).status_code == 200
    seed_001(workspace.organisation)
    for index in range(4):
        programme = make_programme(workspace.organisation, f"More {index}", places_per_year=20)
        cohorts = [
            make_cohort(programme, f"M{index}-{c}", datetime.date(2026, 5 + c, 1)) for c in range(3)
        ]
        add_trainees(cohorts, [("HV", "HV", 9, 5), ("Midwife", "M", 6, 6)], prefix=f"M{index}-")
        PlacesYear.objects.create(programme=programme, year=2025, funded=18)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("places") + "?year=2026").status_code == 200
    with CaptureQueriesContext(connection) as every:
        assert client.get(_url("places")).status_code == 200
    assert len(many) == len(few) + 5  # places_rows once more, for the year chosen
    assert len(every) == len(few)
    assert len(few) <= 14


# ----------------------------------------------------------------------- records


def test_evaluator_records_a_years_places_and_it_is_audited(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    form = client.get(_url("places_create"))
    assert form.status_code == 200
    assert "Financial year starting in" in _text(form)
    response = client.post(
        _url("places_create"),
        {"programme": workspace.programme.pk, "year": "2026", "funded": "120", "offered": "110"},
    )
    assert response.status_code == 302 and response["Location"] == _url("places")
    record = PlacesYear.objects.get()
    assert (record.programme, record.year, record.funded, record.offered) == (
        workspace.programme,
        2026,
        120,
        110,
    )
    event = AuditEvent.objects.get(object_type="places year", action="created")
    assert event.actor == workspace.users["evaluator"]
    assert event.changes["funded"] == [None, 120]
    page = _text(client.get(_url("places")))
    assert "Places for Solihull Approach foundation in 2026/27 recorded: 120 funded." in page


def test_changing_and_deleting_a_record_is_audited(workspace: Any) -> None:
    record = PlacesYear.objects.create(programme=workspace.programme, year=2026, funded=20)
    client = client_as(workspace.users["admin"])
    page = _text(client.get(_url("places")))
    assert _url("places_edit", places=record.pk) in page
    assert _url("places_delete", places=record.pk) in page
    response = client.post(
        _url("places_edit", places=record.pk),
        {"programme": workspace.programme.pk, "year": "2026", "funded": "24", "offered": ""},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.funded, record.offered) == (24, None)
    assert AuditEvent.objects.get(object_type="places year", action="updated").changes == {
        "funded": [20, 24]
    }
    confirm = _text(client.get(_url("places_delete", places=record.pk)))
    assert "The record of 24 places funded is deleted." in confirm
    assert client.post(_url("places_delete", places=record.pk)).status_code == 302
    assert not PlacesYear.objects.exists()
    assert AuditEvent.objects.filter(object_type="places year", action="deleted").count() == 1


def _errors(response: Any) -> list[str]:
    return [str(error) for errors in response.context["form"].errors.values() for error in errors]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": ""}, "Enter the year the financial year starts in, for example 2026"),
        ({"year": "1999"}, "Enter a year from 2000 to 2100"),
        ({"year": "twenty"}, "Enter the year as 4 numbers, for example 2026"),
        ({"funded": ""}, "Enter the places funded, for example 120"),
        ({"funded": "-1"}, "The places funded cannot be below 0"),
        ({"offered": "lots"}, "Enter the places offered as a whole number, for example 120"),
        ({"programme": ""}, "Choose the programme"),
    ],
)
def test_record_form_messages(workspace: Any, changes: dict[str, str], message: str) -> None:
    data = {"programme": workspace.programme.pk, "year": "2026", "funded": "12", **changes}
    response = client_as(workspace.users["admin"]).post(_url("places_create"), data)
    assert response.status_code == 200
    assert _errors(response) == [message]
    assert "There is a problem" in _text(response)
    assert not PlacesYear.objects.exists()


def test_a_second_record_for_a_programme_and_year_is_refused(workspace: Any) -> None:
    PlacesYear.objects.create(programme=workspace.programme, year=2026, funded=20)
    response = client_as(workspace.users["admin"]).post(
        _url("places_create"), {"programme": workspace.programme.pk, "year": "2026", "funded": "5"}
    )
    assert _errors(response) == [
        "Places for Solihull Approach foundation in 2026/27 are already recorded. "
        "Change that record instead."
    ]
    assert PlacesYear.objects.get().funded == 20


def test_another_organisations_programme_cannot_be_chosen(workspace: Any) -> None:
    response = client_as(workspace.users["admin"]).post(
        _url("places_create"),
        {"programme": workspace.other_programme.pk, "year": "2026", "funded": "5"},
    )
    assert _errors(response) == ["Choose one of your programmes"]
    assert "Think Family" not in _text(response)
    assert not PlacesYear.objects.exists()


# ----------------------------------------------------------------------- who may


@pytest.mark.parametrize("role", ["viewer", "trainer"])
def test_viewers_and_trainers_may_not_record_places(workspace: Any, role: str) -> None:
    record = PlacesYear.objects.create(programme=workspace.programme, year=2026, funded=20)
    client = client_as(workspace.users[role])
    for name, kwargs in [
        ("places_create", {}),
        ("places_edit", {"places": record.pk}),
        ("places_delete", {"places": record.pk}),
    ]:
        assert client.get(_url(name, **kwargs)).status_code == 403
        posted = client.post(
            _url(name, **kwargs),
            {"programme": workspace.programme.pk, "year": "2027", "funded": "1"},
        )
        assert posted.status_code == 403
    record.refresh_from_db()
    assert (record.year, record.funded) == (2026, 20)
    assert client.get(_url("places")).status_code == 200


def test_an_outsider_gets_404_and_a_visitor_is_sent_to_sign_in(workspace: Any) -> None:
    record = PlacesYear.objects.create(programme=workspace.programme, year=2026, funded=20)
    addresses = [
        _url("places"),
        _url("places_create"),
        _url("places_edit", places=record.pk),
        _url("places_delete", places=record.pk),
        _url("places_download", file_format="csv"),
        _url("places_professions_download", file_format="xlsx"),
        _url("places_services_download", file_format="csv"),
    ]
    outsider = client_as(workspace.outsider)
    for address in addresses:
        assert outsider.get(address).status_code == 404, address
        assert outsider.post(address).status_code == 404, address
    # their own organisation's address with northern's record
    assert outsider.get(_url("places_edit", org="southern", places=record.pk)).status_code == 404
    assert outsider.post(_url("places_delete", org="southern", places=record.pk)).status_code == 404
    assert PlacesYear.objects.filter(pk=record.pk).exists()
    anonymous = client_as()
    sign_in = reverse("organisations:login")
    for address in addresses:
        response = anonymous.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(f"{sign_in}?next="), address


# ----------------------------------------------------------------------- downloads


def test_places_csv_holds_the_table(workspace: Any) -> None:
    seed_001(workspace.organisation)
    response = client_as(workspace.users["viewer"]).get(
        _url("places_download", file_format="csv"), {"year": "2026"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="places-northern-2026-27.csv"'
    rows = _csv(response)
    assert rows[0] == [
        "Organisation",
        "Programme",
        "Level",
        "Funder",
        "Financial year",
        "Places funded",
        "Places offered",
        "Places taken",
        "Places used (%)",
        "Completed",
    ]
    assert rows[1:] == [
        ["Northern HSC Trust", "Solihull 16-week course", "Skilled", "Health board workforce fund",
         "2026/27", "120", "110", "100", "83.3", "84"],
        ["Northern HSC Trust", "Solihull Approach foundation", "", "", "2026/27", "", "", "0",
         "", "0"],
    ]  # fmt: skip


def test_breakdown_downloads_read_back_by_profession_and_by_service(workspace: Any) -> None:
    seed_001(workspace.organisation)
    client = client_as(workspace.users["viewer"])
    professions = _csv(client.get(_url("places_professions_download", file_format="csv")))
    assert professions == [
        ["Organisation", "Programme", "Financial year", "Profession", "Places taken", "Completed"],
        ["Northern HSC Trust", "Solihull 16-week course", "2026/27", "Health visitor", "60", "52"],
        ["Northern HSC Trust", "Solihull 16-week course", "2026/27", "Nursery nurse", "25", "20"],
        ["Northern HSC Trust", "Solihull 16-week course", "2026/27", "Social worker", "15", "12"],
    ]
    response = client.get(_url("places_services_download", file_format="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    course = ["Northern HSC Trust", "Solihull 16-week course", "2026/27"]
    assert values == [
        ["Organisation", "Programme", "Financial year", "Service", "Places taken", "Completed"],
        [*course, "Health visiting", 70, 60],
        [*course, "Children's social care", 15, 12],
        [*course, "Early years", 15, 12],
    ]


def test_places_xlsx_keeps_numbers_and_neutralises_formulas(workspace: Any) -> None:
    make_cohort(
        make_programme(workspace.organisation, '=HYPERLINK("x")', places_per_year=10),
        "F",
        datetime.date(2026, 5, 1),
    )
    response = client_as(workspace.users["viewer"]).get(_url("places_download", file_format="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows()]
    formula_row = next(row for row in rows if "HYPERLINK" in str(row[1].value))
    # the name as it is, typed as text: a spreadsheet shows it and never runs it
    assert formula_row[1].value == '=HYPERLINK("x")'
    assert formula_row[1].data_type == "s"
    assert formula_row[5].value == 10 and formula_row[7].value == 0


def test_an_unknown_download_format_is_404(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    assert client.get(_url("places_download", file_format="pdf")).status_code == 404
    assert client.get(_url("places_services_download", file_format="docx")).status_code == 404
