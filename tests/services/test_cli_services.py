"""``imheval services`` and ``imheval analyse --service-data``: the CLI contract."""

from __future__ import annotations

import html
import json
from pathlib import Path

from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()


def _data(tmp_path: Path) -> Path:
    lines = ["service,period,measure,value,denominator"]
    for i in range(18):
        year, month = 2024 + i // 12, i % 12 + 1
        lines.append(f"North,{year}-{month:02d},referrals_parent_infant,{10 + i // 3},")
        lines.append(f"South,{year}-{month:02d},referrals_parent_infant,{20 + i % 4},")
    path = tmp_path / "services.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_template_then_summarise_with_json_and_html(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["services", "template", str(template)])
    assert result.exit_code == 0, result.output
    assert template.stat().st_size > 0
    out_json, out_html = tmp_path / "s.json", tmp_path / "s.html"
    result = runner.invoke(
        app,
        [
            "services",
            "summarise",
            str(_data(tmp_path)),
            "--trained",
            "2024-09",
            "--trained",
            "South=2024-10",
            "--json",
            str(out_json),
            "--html",
            str(out_html),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "does not show that the training caused" in result.output
    document = json.loads(out_json.read_text())
    trained = {s["service"]: s["trained"] for s in document["series"]}
    assert trained == {"North": "2024-09-01", "South": "2024-10-01"}
    north = document["series"][0]
    assert north["before"]["periods"] == 8 and north["after"]["periods"] == 10
    assert north["interrupted_time_series"]["level_change"]["estimate"] is not None
    assert "Barr 4a: organisational practice" in out_html.read_text()


def test_bad_input_names_file_row_and_column_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("service,period,measure,value\nNorth,2024-13,referrals_parent_infant,4\n")
    result = runner.invoke(app, ["services", "summarise", str(bad), "--trained", "2024-09"])
    assert result.exit_code == 1
    assert "bad.csv, row 2, column 'period'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["services", "summarise", str(_data(tmp_path))])
    assert result.exit_code == 1 and "--trained 2025-09" in result.output
    result = runner.invoke(app, ["services", "template", str(tmp_path / "t.ods")])
    assert result.exit_code == 1 and ".csv or .xlsx" in result.output


def test_analyse_puts_the_service_data_in_the_report_and_json(tmp_path: Path) -> None:
    report, document = tmp_path / "report.html", tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "analyse",
            "--demo",
            "--service-data",
            str(_data(tmp_path)),
            "--trained",
            "2024-09",
            "--report",
            str(report),
            "--json",
            str(document),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "North: Referrals to parent-infant services" in report.read_text()
    assert len(json.loads(document.read_text())["service_data"]["series"]) == 2
    result = runner.invoke(app, ["analyse", "--demo", "--trained", "2024-09"])
    assert result.exit_code == 1 and "--service-data" in result.output


def test_service_figures_count_as_level_4_measured(tmp_path: Path) -> None:
    """The levels statement (terminal, JSON, report summary) counts the service figures: the
    referrals measure is Barr 4a, so 4a is measured and only 4b is not."""
    document = tmp_path / "evaluation.json"
    report = tmp_path / "report.html"
    base = ["analyse", "--demo", "--json", str(document)]
    runner.invoke(app, base)
    without = json.loads(document.read_text())["levels"]
    result = runner.invoke(
        app,
        [
            *base,
            "--service-data",
            str(_data(tmp_path)),
            "--trained",
            "2024-09",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    with_data = json.loads(document.read_text())["levels"]
    assert "level 4 results" in without["statement"].split("Not measured:")[1]
    assert "4a organisational practice" in with_data["statement"].split("Not measured:")[0]
    assert "4b" in with_data["statement"].split("Not measured:")[1]
    assert with_data["statement"] in " ".join(html.unescape(report.read_text()).split())


def test_an_unknown_service_in_trained_is_an_error_listing_the_services(tmp_path: Path) -> None:
    data = str(_data(tmp_path))
    result = runner.invoke(
        app, ["services", "summarise", data, "--trained", "Nope=2024-09", "--trained", "2024-09"]
    )
    assert result.exit_code == 1, result.output
    assert "--trained" in result.output and "'Nope' is not a service" in result.output
    assert "North, South" in result.output and "Traceback" not in result.output
    result = runner.invoke(
        app, ["analyse", "--demo", "--service-data", data, "--trained", "Nope=2024-09"]
    )
    assert result.exit_code == 1 and "'Nope' is not a service" in result.output
    # the service is matched without regard to case, as the summary matches it
    result = runner.invoke(app, ["services", "summarise", data, "--trained", "north=2024-09"])
    assert result.exit_code == 0, result.output


def test_a_zero_denominator_is_refused_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "service,period,measure,value,denominator\n"
        "North,2024-01,waiting_time_weeks,5,0\n"
        "North,2024-01,assessments_infant_relationship,0,0\n"
    )
    result = runner.invoke(app, ["services", "summarise", str(bad), "--trained", "2024-09"])
    assert result.exit_code == 1
    assert "bad.csv, row 2, column 'denominator'" in result.output
    assert "bad.csv, row 3, column 'denominator'" in result.output
    assert "Traceback" not in result.output
