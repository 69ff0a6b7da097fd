"""CSV injection: every CSV imheval writes is safe to open in a spreadsheet, and reads back as it
was written (the apostrophe the writer adds is taken off by imheval's readers)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from imheval.cli import app
from imheval.demo.generate import write_csv as write_demo_csv
from imheval.io import read_responses
from imheval.io.csvsafe import (
    is_formula_risk,
    neutralise_cell,
    neutralise_frame,
    restore_cell,
    restore_frame,
)
from imheval.matching import read_accepted_csv, review_csv_text

runner = CliRunner()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(cell: str) -> bool:
    """What a spreadsheet does with a CSV cell: a formula if it starts so and is no number."""
    try:
        float(cell)
    except ValueError:
        return cell.startswith(FORMULA_STARTS)
    return False


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


# Text that often starts like a formula or with apostrophes, and sometimes not at all.
formula_like = st.builds(
    lambda quotes, start, rest: "'" * quotes + start + rest,
    st.integers(0, 3),
    st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "x", "1", "-1", "+2.5", "-1e3"]),
    st.text(max_size=12),
)


@given(st.one_of(st.text(max_size=20), formula_like))
def test_neutralised_text_never_runs_and_restores_to_itself(value: str) -> None:
    written = neutralise_cell(value)
    assert isinstance(written, str)
    assert restore_cell(written) == value
    # a written cell starts like a formula only when it is a plain number
    assert not written.startswith(FORMULA_STARTS) or not is_formula_risk(written)


@pytest.mark.parametrize("number", ["-1", "+2", "-2.5", "+.5", "-3e4", "-0", "12"])
def test_plain_numbers_are_written_as_they_are(number: str) -> None:
    assert neutralise_cell(number) == number
    assert restore_cell(number) == number


@pytest.mark.parametrize(
    "value,written",
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1-1", "'-1-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),  # an apostrophe typed before a formula survives the round trip
        ("'-1", "'-1"),  # not risky: an apostrophe then a number
        ("it's", "it's"),
        ("", ""),
    ],
)
def test_formula_starts_get_one_apostrophe(value: str, written: str) -> None:
    assert neutralise_cell(value) == written
    assert restore_cell(written) == value


def test_numbers_and_none_pass_through() -> None:
    assert neutralise_cell(-1) == -1
    assert neutralise_cell(None) is None


def test_frames_are_neutralised_column_names_included_and_restored() -> None:
    frame = pd.DataFrame({"=name": ["=1", "-1", "ok", "@x"], "n": [-1, 2, 3, 4]})
    safe = neutralise_frame(frame)
    assert list(safe.columns) == ["'=name", "n"]
    assert safe["'=name"].tolist() == ["'=1", "-1", "ok", "'@x"]
    assert safe["n"].tolist() == [-1, 2, 3, 4]
    assert frame["=name"].tolist() == ["=1", "-1", "ok", "@x"]  # the input is not changed
    assert restore_frame(safe).equals(frame)


def test_review_csv_neutralises_every_cell_and_reads_back_as_written(tmp_path: Path) -> None:
    """The match-decisions CSV (web) and --review-matches (CLI) share this writer."""
    path = tmp_path / "decisions.csv"
    row = (
        "=HYPERLINK(1)",
        "pre",
        "+AB07CD",
        "post",
        "@AB07CE",
        "one character different",
        "",
        "yes",
    )
    path.write_text(review_csv_text([row]), encoding="utf-8-sig", newline="")
    assert [cell for cell in csv_cells(path) if runs_as_formula(cell)] == []
    assert read_accepted_csv(path) == (("=HYPERLINK(1)", "+AB07CD", "@AB07CE"),)


def test_cli_review_matches_file_is_safe_and_accepting_it_merges_the_pair(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,profession,directorate,knowledge"]
    for code, post_code in [("AB-12-C", "AB-12-C"), ("-XY-03-D", "-XY-08-D")]:
        rows.append(f"{code},=C1,pre,@Nurse,Adult Services,2")
        rows.append(f"{post_code},=C1,post,@Nurse,Adult Services,4")
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    review = tmp_path / "review.csv"
    result = runner.invoke(
        app, ["analyse", str(data), "--tolerant", "--review-matches", str(review)]
    )
    assert result.exit_code == 0, result.output
    cells = csv_cells(review)
    assert [cell for cell in cells if runs_as_formula(cell)] == []
    assert "'=C1" in cells and "'-XY-03-D" in cells
    # the reviewer accepts the pair (in a spreadsheet the apostrophes stay), and it merges
    text = review.read_bytes().decode("utf-8-sig")
    review.write_bytes(text.replace(",,\r\n", ",,yes\r\n").encode("utf-8-sig"))
    assert read_accepted_csv(review) == (("=C1", "-XY-03-D", "-XY-08-D"),)
    out = tmp_path / "e.json"
    result = runner.invoke(
        app, ["analyse", str(data), "--accept-matches", str(review), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["participation"]["matched_pre_post"] == 2


def test_demo_writer_neutralises_and_the_reader_restores(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    frame = pd.DataFrame(
        {
            "participant": ["=P1", "P2"],
            "cohort": ["C1", "C1"],
            "timepoint": ["pre", "pre"],
            "profession": ["@Nurse", "-"],
            "knowledge": ["-1", "3"],
        }
    )
    write_demo_csv(frame, path)
    assert [cell for cell in csv_cells(path) if runs_as_formula(cell)] == []
    table = read_responses(path)
    assert table.frame["participant"].tolist() == ["=P1", "P2"]
    assert table.frame["profession"].tolist() == ["@Nurse", "-"]


def test_reader_keeps_apostrophes_that_do_not_guard_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "participant,cohort,timepoint,profession,knowledge\n"
        "P1,C1,pre,'Nurse,2\nP2,C1,pre,''=x,3\nP3,C1,pre,'-1,4\n",
        encoding="utf-8",
    )
    frame = read_responses(path).frame
    assert frame["profession"].tolist() == ["'Nurse", "'=x", "'-1"]


def test_the_csv_module_quotes_a_leading_carriage_return(tmp_path: Path) -> None:
    """A CR-led value survives the CSV layer itself (quoted), so only the apostrophe matters."""
    text = review_csv_text([("\rC", "pre", "A", "post", "B", "r", "", "yes")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'\rC"
