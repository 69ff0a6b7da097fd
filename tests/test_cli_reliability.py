"""``imheval reliability``: a pilot test-retest file in, ICC and item agreement out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from pilot_retest import write_pilot

runner = CliRunner()


def test_reliability_prints_icc_and_item_agreement(tmp_path: Path) -> None:
    data, instrument = write_pilot(tmp_path)
    result = runner.invoke(
        app, ["reliability", str(data), "--instrument", str(instrument)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "ICC(A,1)" in result.output
    knowledge_row = next(line for line in result.output.splitlines() if "│ Knowledge │" in line)
    assert "│ 4 │" in knowledge_row and " .89 [" in knowledge_row
    assert "Good test-retest reliability" in result.output
    k3_row = next(line for line in result.output.splitlines() if "K3 " in line)
    assert "75%" in k3_row and ".50 [" in k3_row and "moderate" in k3_row
    # Everyone answered K1 correctly both times: kappa undefined, agreement 100%.
    k1_row = next(line for line in result.output.splitlines() if "K1 " in line)
    assert "100%" in k1_row and "not computed" in k1_row
    # K2: right for all but P1 both times -> kappa 1 with no CI (its SE is 0).
    k2_row = next(line for line in result.output.splitlines() if "K2 " in line)
    assert "1.00 (no CI)" in k2_row
    assert "People: 4 answered the first time, 4 the retest, 4 both" in result.output


def test_reliability_writes_strict_json(tmp_path: Path) -> None:
    data, instrument = write_pilot(tmp_path)
    out = tmp_path / "out" / "reliability.json"
    result = runner.invoke(
        app, ["reliability", str(data), "-i", str(instrument), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["n_both"] == 4
    icc = document["domains"][0]["icc"]
    assert icc["test"] == "icc_a1"
    assert icc["estimate"] == pytest.approx(8 / 9)
    assert icc["details"]["icc_c1"] == pytest.approx(12 / 13)
    items = {item["item"]: item for item in document["items"]}
    assert items["K3"]["kappa"] == pytest.approx(0.5)
    assert items["K3"]["domain"] == "knowledge"
    assert items["K1"]["kappa"] is None and items["K1"]["percent_agreement"] == 1.0
    assert "NaN" not in out.read_text(encoding="utf-8")


def test_reliability_of_already_scored_totals(tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    rows = ["participant,cohort,timepoint,knowledge"]
    rows += [f"P{i},C,pre,{v}" for i, v in enumerate([1, 2, 3, 4])]
    rows += [f"P{i},C,post,{v}" for i, v in enumerate([1, 3, 3, 5])]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["reliability", str(path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["domains"][0]["icc"]["estimate"] == pytest.approx(8 / 9)
    assert document["items"] == []


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["reliability", str(tmp_path / "nowhere.csv"), "-i", "imh-core"])
    assert result.exit_code == 1
    assert "nowhere.csv" in result.output
    assert "Traceback" not in result.output


def test_bad_file_is_a_clean_error(tmp_path: Path) -> None:
    data, instrument = write_pilot(tmp_path)
    data.write_text("participant,cohort,timepoint,K1\nP1,Pilot,later,a\n", encoding="utf-8")
    result = runner.invoke(app, ["reliability", str(data), "-i", str(instrument)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "pilot.csv" in result.output and "later" in result.output


def test_unknown_instrument_is_a_clean_error(tmp_path: Path) -> None:
    data, _ = write_pilot(tmp_path)
    result = runner.invoke(app, ["reliability", str(data), "-i", "no-such-form"])
    assert result.exit_code == 1
    assert "no-such-form" in result.output


def test_file_without_a_retest_says_how_to_code_it(tmp_path: Path) -> None:
    data, instrument = write_pilot(tmp_path, retest=False)
    result = runner.invoke(app, ["reliability", str(data), "-i", str(instrument)])
    assert result.exit_code == 1
    assert "nobody answered both times" in result.output
    assert "timepoint 'pre'" in result.output and "'post'" in result.output


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["reliability", "--help"])
    assert result.exit_code == 0
    assert "Example: imheval reliability pilot.csv --instrument imh-core" in result.output
