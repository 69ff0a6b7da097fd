"""The service data pages in a real browser: an admin imports a file with a mistake (every
problem listed, nothing imported), then a right one, sets when training began, adds a figure
by form and reads a series with its chart; axe on every page, with data and with errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

from imheval.web.workforce.models import ServiceFigure

pytestmark = pytest.mark.browser


def _csv(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    header = "service,period,measure,value,denominator"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_admin_imports_sets_training_and_reads_a_series(
    live_server: Any, desktop: Any, workspace: Any, tmp_path: Path
) -> None:
    rows = [
        f"North HV,{2024 + i // 12}-{i % 12 + 1:02d},assessments_infant_relationship,"
        f"{30 + i + (8 if i >= 9 else 0)},90"
        for i in range(18)
    ]
    sign_in(desktop, live_server.url, "admin-north")
    base = f"{live_server.url}/o/northern/workforce/services/"

    desktop.goto(base)
    assert desktop.get_by_text("No service figures yet.").is_visible()
    axe_scan(desktop, "workforce:services (empty)")

    desktop.get_by_role("button", name="Import a file").click()
    bad = _csv(tmp_path, "bad.csv", [*rows[:2], "North HV,2025-13,referrals_parent_infant,9,"])
    desktop.get_by_label("Service-data file").set_input_files(str(bad))
    desktop.get_by_role("button", name="Import the service data").click()
    assert desktop.get_by_text("There is a problem: nothing was imported").is_visible()
    assert desktop.get_by_text("bad.csv, row 4, column 'period'", exact=False).is_visible()
    axe_scan(desktop, "workforce:services_import (errors)")
    assert ServiceFigure.objects.count() == 0
    desktop.get_by_label("Service-data file").set_input_files(str(_csv(tmp_path, "good.csv", rows)))
    desktop.get_by_role("button", name="Import the service data").click()
    assert desktop.get_by_text("18 figures added").is_visible()

    desktop.get_by_role("button", name="Set when training began").click()
    axe_scan(desktop, "workforce:services_training_create")
    desktop.get_by_label("Service").fill("North HV")
    desktop.get_by_label("Training began").fill("2024-10-01")
    desktop.get_by_role("button", name="Save the date").click()
    assert desktop.get_by_text("North HV: training began 2024-10-01.").is_visible()
    axe_scan(desktop, "workforce:services")
    screenshot(desktop, "workforce-services")

    desktop.get_by_role(
        "link", name="North HV: Assessments with an infant relationship section"
    ).click()
    assert desktop.get_by_role("img", name="North HV: Assessments", exact=False).is_visible()
    assert desktop.get_by_text(
        "does not show that the training caused", exact=False
    ).first.is_visible()
    axe_scan(desktop, "workforce:services_series")
    screenshot(desktop, "workforce-services-series")

    desktop.goto(base + "new/")
    desktop.get_by_label("Service", exact=True).fill("North HV")
    desktop.get_by_label("Period").fill("April")
    desktop.get_by_label("Value").fill("4")
    desktop.get_by_role("button", name="Save the figure").click()
    assert desktop.get_by_text("is not a period", exact=False).first.is_visible()
    axe_scan(desktop, "workforce:services_figure_create (errors)")
