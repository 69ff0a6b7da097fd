"""Level-4 service data pages: figures added by form and by an atomic import (row-named
problems, nothing half-imported), training dates, the series page with the chart, the tables
and the caution, small numbers hidden, roles and tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import ServiceFigure, ServiceTraining


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", **kwargs})


def _file(rows: list[str], name: str = "services.csv") -> SimpleUploadedFile:
    text = "\n".join(["service,period,measure,value,denominator", *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _months(n: int, service: str = "North HV", jump: int = 8) -> list[str]:
    rows = []
    for i in range(n):
        year, month = 2024 + i // 12, i % 12 + 1
        value = 30 + i + (jump if i >= n // 2 else 0)
        rows.append(f"{service},{year}-{month:02d},assessments_infant_relationship,{value},90")
    return rows


def test_import_then_training_date_then_the_series_page(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    response = client.post(_url("services_import"), {"file": _file(_months(18))})
    assert response.status_code == 302
    assert ServiceFigure.objects.count() == 18
    response = client.post(
        _url("services_training_create"), {"service": "North HV", "trained_on": "2024-10-01"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type="service training", action="created").exists()
    page = client.get(_url("services")).content.decode()
    assert "Barr 4a: organisational practice" in page
    assert "North HV: Assessments with an infant relationship section" in page
    assert "does not show that the training caused" in page
    series = client.get(
        _url("services_series"),
        {"service": "North HV", "measure": "assessments_infant_relationship"},
    )
    assert series.status_code == 200
    text = series.content.decode()
    assert "data:image/svg+xml;base64," in text  # the chart
    assert "interrupted time series" in text
    assert "Training began 2024-10-01" in text  # the chart's text alternative
    assert "does not show that the training caused" in text


def test_a_file_with_problems_imports_nothing_and_names_each_row(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    rows = [*_months(3), "North HV,2025-13,referrals_parent_infant,4,", ",2025-01,x,1,"]
    response = client.post(_url("services_import"), {"file": _file(rows)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "services.csv, row 5, column &#x27;period&#x27;" in text
    assert "services.csv, row 6, column &#x27;service&#x27;: the service is blank" in text
    assert ServiceFigure.objects.count() == 0


def test_a_figure_by_form_is_checked_as_a_file_row_is(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    data = {
        "service": "North HV",
        "period": "2025-04",
        "measure": "assessments_infant_relationship",
        "value": "42",
        "denominator": "",
    }
    response = client.post(_url("services_figure_create"), data)
    assert response.status_code == 200
    assert "needs a denominator" in response.content.decode()
    response = client.post(_url("services_figure_create"), data | {"denominator": "120"})
    assert response.status_code == 302
    other = {
        "service": "North HV",
        "period": "2025-Q2",
        "measure": "other",
        "other_measure": "Video feedback sessions",
        "kind": "count",
        "barr_level": "4b",
        "unit": "sessions",
        "value": "7",
    }
    assert client.post(_url("services_figure_create"), other).status_code == 302
    kept = ServiceFigure.objects.get(measure="Video feedback sessions")
    assert (kept.kind, kept.barr_level, kept.period) == ("count", "4b", "2025-Q2")
    page = client.get(_url("services")).content.decode()
    assert "Barr 4b: benefit to clients (babies and families)" in page


def test_small_counts_are_hidden_on_the_series_page(workspace: Any) -> None:
    rows = [
        f"North HV,{2024 + i // 12}-{i % 12 + 1:02d},referrals_parent_infant,{3 if i == 1 else 20},"
        for i in range(4)
    ]
    client = client_as(workspace.users["viewer"])
    admin = client_as(workspace.users["admin"])
    assert admin.post(_url("services_import"), {"file": _file(rows)}).status_code == 302
    page = client.get(
        _url("services_series"), {"service": "North HV", "measure": "referrals_parent_infant"}
    ).content.decode()
    assert "2024-02 hidden (small numbers)" in page
    assert "The figures kept" not in page  # raw figures only for those who may change them


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_read_but_change_nothing(workspace: Any, role: str) -> None:
    figure = ServiceFigure.objects.create(
        organisation=workspace.organisation,
        service="North HV",
        measure="referrals_parent_infant",
        period="2025-04",
        value=9,
    )
    client = client_as(workspace.users[role])
    page = client.get(_url("services"))
    assert page.status_code == 200 and "Add a figure" not in page.content.decode()
    assert client.post(_url("services_import"), {"file": _file(_months(2))}).status_code == 403
    assert client.post(_url("services_figure_delete", figure=figure.pk)).status_code == 403
    assert ServiceFigure.objects.count() == 1


def test_another_organisation_neither_sees_nor_changes_these_figures(workspace: Any) -> None:
    figure = ServiceFigure.objects.create(
        organisation=workspace.organisation,
        service="North HV",
        measure="referrals_parent_infant",
        period="2025-04",
        value=9,
    )
    training = ServiceTraining.objects.create(
        organisation=workspace.organisation, service="North HV", trained_on="2025-01-01"
    )
    client = client_as(workspace.outsider)
    assert client.get(_url("services")).status_code == 404
    own = reverse(
        "workforce:services_figure_delete", kwargs={"org": "southern", "figure": figure.pk}
    )
    assert client.post(own).status_code == 404
    edit = reverse(
        "workforce:services_training_edit", kwargs={"org": "southern", "training": training.pk}
    )
    assert client.post(edit, {"service": "x", "trained_on": "2020-01-01"}).status_code == 404
    series = reverse("workforce:services_series", kwargs={"org": "southern"})
    response = client.get(series, {"service": "North HV", "measure": "referrals_parent_infant"})
    assert response.status_code == 404
    assert ServiceFigure.objects.count() == 1


def test_the_template_downloads(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    response = client.get(_url("services_template", file_format="csv"))
    assert response.status_code == 200
    assert b"assessments_infant_relationship" in response.content
    assert client.get(_url("services_template", file_format="pdf")).status_code == 404


def test_the_series_page_without_a_query_shows_the_first_series(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    assert client.get(_url("services_series")).status_code == 404  # no figures yet
    ServiceFigure.objects.create(
        organisation=workspace.organisation,
        service="HV",
        measure="referrals_parent_infant",
        period="2025-04",
        value=9,
    )
    page = client.get(_url("services_series"))
    assert page.status_code == 200
    assert "no date when training began was given" in page.content.decode()
    missing = client.get(_url("services_series"), {"service": "HV", "measure": "nothing"})
    assert missing.status_code == 404
