"""The establishment pages: importing an HR extract (all or nothing, every problem located),
keyed-in extracts and rows, earlier extracts, downloads that import back, roles, tenancy, and
the page's query count for a 400-row extract."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import Establishment, EstablishmentRow

DATA = Path(__file__).parent / "data" / "workforce" / "establishment"


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", **kwargs})


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _import(client: Any, name: str, content: bytes, day: datetime.date) -> Any:
    return client.post(
        _url("establishment_import"), {**_date("as_of", day), "file": _upload(name, content)}
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _extract(workspace: Any, day: datetime.date, rows: list[tuple[str, str, int]]) -> Establishment:
    establishment = Establishment.objects.create(organisation=workspace.organisation, as_of=day)
    for service, profession, headcount in rows:
        EstablishmentRow.objects.create(
            establishment=establishment, service=service, profession=profession, headcount=headcount
        )
    return establishment


# ----------------------------------------------------------------------- importing


def test_importing_an_hr_extract_makes_the_current_extract_with_its_totals(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    before = AuditEvent.objects.count()
    response = _import(
        client, "hr_extract.csv", (DATA / "hr_extract.csv").read_bytes(), datetime.date(2026, 4, 1)
    )
    assert response.status_code == 302
    extract = Establishment.objects.get(organisation=workspace.organisation)
    assert extract.as_of == datetime.date(2026, 4, 1)
    assert extract.source_name == "hr_extract.csv"
    rows = {
        (r.service, r.profession): (r.headcount, r.wte)
        for r in EstablishmentRow.objects.filter(establishment=extract)
    }
    assert rows == {
        ("Health visiting", "Health visitor"): (42, Decimal("36.40")),
        ("Health visiting", "Nursery nurse"): (12, Decimal("10.50")),
        ("Perinatal mental health", "Mental health nurse"): (9, Decimal("8.20")),
        ("Perinatal mental health", "Psychiatrist"): (3, Decimal("2.60")),
        ("Maternity", "Midwife"): (120, None),
        ("Family nurse partnership", "Family nurse"): (0, None),
    }
    # the extract and each of its six rows are in the audit log, by whoever imported them
    events = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert AuditEvent.objects.count() - before == 7
    assert {e.object_type for e in events} == {"establishment", "establishment row"}
    assert {e.actor_label for e in events} == {"evaluator-north"}

    page = client.get(_url("establishment")).content.decode()
    assert 'id="extract-teams">6<' in page
    assert 'id="extract-headcount">186<' in page
    assert 'id="extract-wte">57.7<' in page
    assert "1 April 2026" in page
    assert "Family nurse in Family nurse partnership" in page  # headcount 0 is flagged


def test_a_bad_extract_imports_nothing_and_names_every_problem_with_row_and_column(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["admin"])
    before = AuditEvent.objects.count()
    response = _import(
        client,
        "hr_extract_bad.csv",
        (DATA / "hr_extract_bad.csv").read_bytes(),
        datetime.date(2026, 4, 1),
    )
    assert response.status_code == 400
    problems = response.context["problems"]
    assert problems == [
        "hr_extract_bad.csv, row 4, column 'organisation': the row is for 'Southern HSC Trust', "
        "but this extract is being imported into Northern HSC Trust: import each "
        "organisation's rows into its own establishment",
        "hr_extract_bad.csv, row 5, column 'wte': 'two' is not a number of whole-time "
        "equivalents (e.g. 12.4)",
        "hr_extract_bad.csv, row 7, column 'headcount': 'twelve' is not a headcount (a whole "
        "number from 0 to 1,000,000)",
        "hr_extract_bad.csv, row 8, column 'profession': 'health visiting', 'HEALTH VISITOR' is "
        "listed twice (first in row 2): give each service and profession one row, with its "
        "whole headcount",
        "hr_extract_bad.csv, row 9, column 'service': the service is blank",
    ]
    page = response.content.decode()
    assert "There is a problem: nothing was imported" in page
    assert "row 7, column &#x27;headcount&#x27;: &#x27;twelve&#x27;" in page
    assert Establishment.objects.count() == 0
    assert EstablishmentRow.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_an_xlsx_extract_without_an_organisation_column_is_this_organisations(
    workspace: Any,
) -> None:
    content = _xlsx(
        [
            ["Service", "Profession", "Headcount", "WTE"],
            ["Health visiting", "Health visitor", 42, 36.45],
            ["Maternity", "Midwife", 120, None],
        ]
    )
    client = client_as(workspace.users["admin"])
    assert _import(client, "hr.xlsx", content, datetime.date(2026, 4, 1)).status_code == 302
    rows = EstablishmentRow.objects.order_by("service")
    assert [(r.service, r.headcount, r.wte) for r in rows] == [
        ("Health visiting", 42, Decimal("36.45")),
        ("Maternity", 120, None),
    ]


def test_wte_is_kept_to_two_decimal_places_rounded_half_up(workspace: Any) -> None:
    content = b"service,profession,headcount,wte\nHV,Health visitor,3,2.125\nHV,Nurse,3,0.5333\n"
    client = client_as(workspace.users["admin"])
    assert _import(client, "hr.csv", content, datetime.date(2026, 4, 1)).status_code == 302
    assert sorted(EstablishmentRow.objects.values_list("wte", flat=True)) == [
        Decimal("0.53"),
        Decimal("2.13"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("hr.xls", b"x", "The file must be a CSV or XLSX file (.csv or .xlsx), not '.xls'."),
        ("hr.csv", b"service,profession,headcount\n", "the file has no rows of staff"),
        ("hr.csv", b"service,headcount\nHV,3\n", "column 'profession': this column is missing"),
    ],
)
def test_files_that_are_not_extracts_are_refused_plainly(
    workspace: Any, name: str, content: bytes, message: str
) -> None:
    client = client_as(workspace.users["admin"])
    response = _import(client, name, content, datetime.date(2026, 4, 1))
    assert response.status_code in (200, 400)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Establishment.objects.count() == 0


def test_a_second_extract_on_the_same_date_is_refused(workspace: Any) -> None:
    _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 10)])
    client = client_as(workspace.users["admin"])
    response = _import(
        client, "hr.csv", (DATA / "hr_extract.csv").read_bytes(), datetime.date(2026, 4, 1)
    )
    assert "There is already an extract of 1 April 2026" in response.content.decode()
    assert Establishment.objects.count() == 1


def test_each_import_is_a_new_extract_and_the_earlier_ones_are_listed(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    old = b"service,profession,headcount\nHV,Health visitor,40\n"
    new = b"service,profession,headcount\nHV,Health visitor,44\nHV,Nurse,2\n"
    assert _import(client, "2025.csv", old, datetime.date(2025, 4, 1)).status_code == 302
    assert _import(client, "2026.csv", new, datetime.date(2026, 4, 1)).status_code == 302
    response = client.get(_url("establishment"))
    page = response.content.decode()
    assert 'id="extract-headcount">46<' in page
    earlier = response.context["earlier"]
    assert [(line.establishment.as_of, line.teams, line.headcount) for line in earlier] == [
        (datetime.date(2025, 4, 1), 1, 40)
    ]
    assert "2025.csv" in page


# ----------------------------------------------------------------------- keyed in


def test_a_keyed_in_extract_can_start_from_the_current_ones_rows(workspace: Any) -> None:
    _extract(
        workspace, datetime.date(2025, 4, 1), [("HV", "Health visitor", 40), ("HV", "Nurse", 3)]
    )
    client = client_as(workspace.users["admin"])
    response = client.post(
        _url("establishment_create"),
        {**_date("as_of", datetime.date(2026, 4, 1)), "copy_current": "on"},
    )
    assert response.status_code == 302
    new = Establishment.objects.get(as_of=datetime.date(2026, 4, 1))
    assert new.source_name == ""
    assert sorted(new.rows.values_list("profession", "headcount")) == [
        ("Health visitor", 40),
        ("Nurse", 3),
    ]
    made = AuditEvent.objects.filter(object_type="establishment row", actor_label="admin-north")
    assert made.count() == 2


def test_rows_of_the_current_extract_are_added_changed_and_deleted(workspace: Any) -> None:
    extract = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    client = client_as(workspace.users["evaluator"])
    add = client.post(
        _url("post_create", establishment=extract.pk),
        {"service": "Maternity", "profession": "Midwife", "headcount": "0", "wte": ""},
    )
    assert add.status_code == 302
    midwives = EstablishmentRow.objects.get(profession="Midwife")
    assert (midwives.headcount, midwives.wte) == (0, None)
    change = client.post(
        _url("post_edit", establishment=extract.pk, post=midwives.pk),
        {"service": "Maternity", "profession": "Midwife", "headcount": "118", "wte": "101.5"},
    )
    assert change.status_code == 302
    midwives.refresh_from_db()
    assert (midwives.headcount, midwives.wte) == (118, Decimal("101.50"))
    event = AuditEvent.objects.filter(object_type="establishment row", action="updated").get()
    assert event.changes == {"headcount": [0, 118], "wte": [None, "101.5"]}
    delete = client.post(_url("post_delete", establishment=extract.pk, post=midwives.pk))
    assert delete.status_code == 302
    assert not EstablishmentRow.objects.filter(pk=midwives.pk).exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"headcount": "twelve"}, "Enter the headcount as a whole number, for example 42"),
        ({"headcount": "-1"}, "The headcount must be 0 or more"),
        ({"wte": "3.125"}, "Give the WTE with at most two decimal places"),
        (
            {"service": "hv ", "profession": "HEALTH  visitor"},
            "HEALTH  visitor in hv already has a row in this extract",
        ),
    ],
)
def test_a_keyed_in_row_is_checked(workspace: Any, values: dict[str, str], message: str) -> None:
    extract = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    client = client_as(workspace.users["admin"])
    data = {"service": "Maternity", "profession": "Midwife", "headcount": "3", "wte": "", **values}
    response = client.post(_url("post_create", establishment=extract.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert EstablishmentRow.objects.count() == 1


def test_an_earlier_extract_is_kept_as_it_was_but_can_be_deleted(workspace: Any) -> None:
    old = _extract(workspace, datetime.date(2025, 4, 1), [("HV", "Health visitor", 40)])
    _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 44)])
    row = old.rows.get()
    client = client_as(workspace.users["admin"])
    data = {"service": "HV", "profession": "Health visitor", "headcount": "1"}
    assert (
        client.post(_url("post_edit", establishment=old.pk, post=row.pk), data).status_code == 403
    )
    assert client.post(_url("post_create", establishment=old.pk), data).status_code == 403
    page = client.get(_url("establishment_extract", establishment=old.pk)).content.decode()
    assert "An earlier extract, kept as it was" in page
    assert "Add a row" not in page
    before = AuditEvent.objects.count()
    assert client.post(_url("establishment_delete", establishment=old.pk)).status_code == 302
    assert list(Establishment.objects.values_list("as_of", flat=True)) == [
        datetime.date(2026, 4, 1)
    ]
    assert EstablishmentRow.objects.count() == 1
    logged = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.object_type, e.action, e.changes) for e in logged] == [
        ("establishment", "updated", {"rows": [1, 0]}),
        ("establishment", "deleted", {}),
    ]


def test_a_row_of_another_extract_is_not_found_through_this_ones_address(workspace: Any) -> None:
    one = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    other = _extract(workspace, datetime.date(2025, 4, 1), [("HV", "Nurse", 4)])
    client = client_as(workspace.users["admin"])
    url = _url("post_edit", establishment=one.pk, post=other.rows.get().pk)
    assert client.get(url).status_code == 404


# ----------------------------------------------------------------------- roles and tenancy


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_read_the_establishment_but_change_nothing(
    workspace: Any, role: str
) -> None:
    extract = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    client = client_as(workspace.users[role])
    page = client.get(_url("establishment"))
    assert page.status_code == 200
    assert "Import an HR extract" not in page.content.decode()
    content = (DATA / "hr_extract.csv").read_bytes()
    assert _import(client, "hr.csv", content, datetime.date(2027, 4, 1)).status_code == 403
    row = extract.rows.get()
    for name, kwargs in [
        ("establishment_create", {}),
        ("establishment_delete", {"establishment": extract.pk}),
        ("post_create", {"establishment": extract.pk}),
        ("post_delete", {"establishment": extract.pk, "post": row.pk}),
    ]:
        assert client.post(_url(name, **kwargs)).status_code == 403, name
    assert Establishment.objects.count() == 1
    assert EstablishmentRow.objects.count() == 1


def test_another_organisation_cannot_import_into_or_see_this_establishment(
    workspace: Any,
) -> None:
    extract = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    client = client_as(workspace.outsider)
    content = (DATA / "hr_extract.csv").read_bytes()
    assert _import(client, "hr.csv", content, datetime.date(2027, 4, 1)).status_code == 404
    download = _url("establishment_download", establishment=extract.pk, file_format="csv")
    assert client.get(download).status_code == 404
    own = reverse(
        "workforce:establishment_extract", kwargs={"org": "southern", "establishment": extract.pk}
    )
    assert client.get(own).status_code == 404
    assert Establishment.objects.count() == 1


# ----------------------------------------------------------------------- downloads


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_download_imports_back_as_the_same_extract(workspace: Any, file_format: str) -> None:
    client = client_as(workspace.users["admin"])
    content = (DATA / "hr_extract.csv").read_bytes()
    assert _import(client, "hr.csv", content, datetime.date(2026, 4, 1)).status_code == 302
    first = Establishment.objects.get()
    response = client.get(
        _url("establishment_download", establishment=first.pk, file_format=file_format)
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="establishment')
    assert disposition.endswith(f'2026-04-01.{file_format}"')
    again = _import(client, f"back.{file_format}", response.content, datetime.date(2026, 5, 1))
    assert again.status_code == 302, again.context and again.context.get("problems")
    second = Establishment.objects.get(as_of=datetime.date(2026, 5, 1))

    def shape(extract: Establishment) -> list[tuple[str, str, int, Decimal | None]]:
        return sorted(extract.rows.values_list("service", "profession", "headcount", "wte"))

    assert shape(second) == shape(first)
    assert len(shape(first)) == 6


def test_a_download_in_another_format_is_not_found(workspace: Any) -> None:
    extract = _extract(workspace, datetime.date(2026, 4, 1), [("HV", "Health visitor", 40)])
    client = client_as(workspace.users["viewer"])
    url = _url("establishment_download", establishment=extract.pk, file_format="pdf")
    assert client.get(url).status_code == 404


# ----------------------------------------------------------------------- scale


def test_the_establishment_page_of_a_400_row_extract_takes_a_constant_number_of_queries(
    workspace: Any,
) -> None:
    for year in (2024, 2025):
        _extract(workspace, datetime.date(year, 4, 1), [("HV", "Health visitor", 40)])
    current = Establishment.objects.create(
        organisation=workspace.organisation, as_of=datetime.date(2026, 4, 1)
    )
    EstablishmentRow.objects.bulk_create(
        EstablishmentRow(
            establishment=current,
            service=f"Service {n // 20:02d}",
            profession=f"Profession {n % 20:02d}",
            headcount=n % 50,
            wte=Decimal(n % 50) / 2,
        )
        for n in range(400)
    )
    client = client_as(workspace.users["admin"])
    client.get(_url("establishment"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("establishment"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 400
    assert response.context["extract"].headcount == sum(n % 50 for n in range(400))
    # session, user, membership, the extracts with their totals, the current extract's rows
    assert len(queries) == 5, [q["sql"] for q in queries]
