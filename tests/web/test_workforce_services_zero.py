"""Service data on the web: a denominator of 0 (a mean over nobody, a proportion 0/0) is
refused by the import (row and column named, nothing half-imported) and by the form, as the
command line's reader refuses it (they share the core reader)."""

from __future__ import annotations

from typing import Any

from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.web.workforce.models import ServiceFigure


def _url(name: str) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern"})


def test_a_zero_denominator_imports_nothing_and_names_the_row(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    text = (
        "service,period,measure,value,denominator\n"
        "North HV,2025-01,referrals_parent_infant,9,\n"
        "North HV,2025-01,waiting_time_weeks,5,0\n"
        "North HV,2025-01,assessments_infant_relationship,0,0\n"
    )
    upload = SimpleUploadedFile("services.csv", text.encode(), content_type="text/csv")
    response = client.post(_url("services_import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "services.csv, row 3, column &#x27;denominator&#x27;" in page
    assert "services.csv, row 4, column &#x27;denominator&#x27;" in page
    assert ServiceFigure.objects.count() == 0


def test_a_zero_denominator_by_form_is_refused(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    data = {
        "service": "North HV",
        "period": "2025-04",
        "measure": "waiting_time_weeks",
        "value": "5",
        "denominator": "0",
    }
    response = client.post(_url("services_figure_create"), data)
    assert response.status_code == 200
    assert "is 0" in response.content.decode()
    proportion = data | {"measure": "assessments_infant_relationship", "value": "0"}
    response = client.post(_url("services_figure_create"), proportion)
    assert response.status_code == 200
    assert "is 0" in response.content.decode()
    assert ServiceFigure.objects.count() == 0
    assert (
        client.post(_url("services_figure_create"), data | {"denominator": ""}).status_code == 302
    )
