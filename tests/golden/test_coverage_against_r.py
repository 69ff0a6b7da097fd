"""Workforce coverage against R: `imheval coverage` on coverage/*.csv gives exactly the rows
make_golden_coverage.R computed by hand in base R (coverage_r_results.json).

The files hold the issue's cases: cumulative levels (an Enhanced course counts at Skilled and
Informed), one person on several courses, lapsed training (a day inside and a day outside the
refresh interval; a lapsed Specialist course beside a current Skilled one), people who moved
service (placed by their latest record; a move after as-of does not count), the same person id
in two organisations, more trained than the headcount, a headcount of 0, and the gap's rounding
(90% of 10 is 9; 33.3% of 3 is 1; 87.5% of 8 is 7) and the statuses at their boundaries (met at
exactly the target, an interim point due on as-of, a final date passed, nothing due yet).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from imheval.cli import app

HERE = Path(__file__).parent
FILES = HERE / "coverage"
R_RESULTS = json.loads((HERE / "coverage_r_results.json").read_text(encoding="utf-8"))
runner = CliRunner()


def imheval_coverage(as_of: str, out: Path) -> dict[str, Any]:
    result = runner.invoke(
        app,
        [
            "coverage",
            str(FILES / "establishment.csv"),
            str(FILES / "training.csv"),
            "--requirements",
            str(FILES / "required.csv"),
            "--as-of",
            as_of,
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("expected", R_RESULTS["results"], ids=lambda r: r["as_of"])
def test_rows_equal_r_exactly(expected: dict[str, Any], tmp_path: Path) -> None:
    document = imheval_coverage(expected["as_of"], tmp_path / "coverage.json")
    assert document["as_of"] == expected["as_of"]
    # Every value exactly, percent included (R wrote 17 significant digits: the same double).
    assert document["rows"] == expected["rows"]


def test_the_golden_files_hold_every_status_and_flag() -> None:
    rows = [row for result in R_RESULTS["results"] for row in result["rows"]]
    assert {row["status"] for row in rows} == {"met", "on_trajectory", "behind"}
    flags = {flag for row in rows for flag in row["flags"]}
    assert flags == {"trained_exceeds_headcount", "no_headcount"}
