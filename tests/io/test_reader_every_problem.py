"""The reader checks the whole file: the header's problems and every row's, listed in one go,
and the columns it does not know are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.errors import DataFormatError
from imheval.io import check_responses, read_responses

ITEMS = ["K1", "K2", "K3"]

# Seven problems: a repeated column name (header), a value under a blank header (column H),
# an empty code (row 2), an unknown timepoint (row 3), an empty cohort (row 4), one code twice
# at pre (rows 5 and 6), an empty timepoint (row 7). 'notes' is unknown but not a problem.
SEVEN_PROBLEMS = (
    "participant,cohort,timepoint,K1,K2,K2,notes,\n"
    ",A,pre,a,b,b,,\n"
    "AB12,A,mid,a,b,b,,\n"
    "CD34,,pre,a,b,b,late,\n"
    "EF56,A,pre,a,b,b,,\n"
    "EF56,A,pre,a,c,c,,stray\n"
    "GH78,A,,a,b,b,,\n"
    "IJ90,A,post,a,b,b,,\n"
)


def write(tmp_path: Path, text: str, name: str = "responses.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_seven_problems_reports_all_seven(tmp_path: Path) -> None:
    path = write(tmp_path, SEVEN_PROBLEMS)
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, item_columns=ITEMS)
    located = [(p.row, p.column, p.message) for p in caught.value.problems]
    assert len(located) == 7, located
    assert located == [
        (None, "K2", "two columns have this name (columns E and F); rename or remove one"),
        (1, "H", "the column has values but no name in the header row"),
        (2, "participant", "the participant code is empty"),
        (
            3,
            "timepoint",
            "unknown timepoint 'mid'; use one of pre, post, followup "
            "(also written follow-up or follow_up)",
        ),
        (4, "cohort", "the cohort is empty"),
        (
            6,
            "participant",
            "participant code 'EF56' appears more than once in cohort 'A' at pre (rows 5 and 6)",
        ),
        (
            7,
            "timepoint",
            "the timepoint is empty; use one of pre, post, followup "
            "(also written follow-up or follow_up)",
        ),
    ]


def test_check_responses_returns_the_rows_with_every_problem(tmp_path: Path) -> None:
    reading = check_responses(write(tmp_path, SEVEN_PROBLEMS), item_columns=ITEMS)
    assert len(reading.problems) == 7
    assert reading.unknown_columns == ("notes",)
    assert reading.header_row == 1
    frame = reading.table.frame
    # Every row is there; the cells with a problem are blank, so a caller can skip them.
    assert frame["source_row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert frame["timepoint"].tolist() == ["pre", "", "pre", "pre", "pre", "", "post"]
    assert frame["participant"].tolist()[:2] == ["", "AB12"]
    assert frame["K2"].tolist() == ["b", "b", "b", "b", "c", "b", "b"]


def test_a_header_problem_no_longer_hides_the_rows_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,pre_K1,K1\nAB12,A,sometime,a,b\n,A,pre,a,b\n",
    )
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, item_columns=ITEMS)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "timepoint"),
        (3, "participant"),
    ]
    # the same in a wide file: a bare column beside its prefixed twin, and a blank code
    path = write(tmp_path, "participant,pre_K1,K1,post_K1\n,a,b,a\nAB12,a,b,a\n", "wide.csv")
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, item_columns=ITEMS)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (None, "K1"),
        (2, "participant"),
    ]


def test_a_missing_participant_column_lists_only_the_headers_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "code,cohort,timepoint,K1,K1\nAB12,A,mid,a,b\n")
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, item_columns=ITEMS)
    assert [p.column for p in caught.value.problems] == [None, "K1"]
    assert "there is no 'participant' column" in caught.value.problems[0].message


def test_unknown_columns_are_named_in_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,timepoint,K1,notes,Room\nAB12,pre,a,late,4\n")
    reading = check_responses(path, item_columns=ITEMS)
    assert reading.problems == ()
    assert reading.unknown_columns == ("notes", "Room")
    assert (
        "column(s) ignored (neither reserved nor an item of the instrument): notes, Room"
        in reading.table.warnings
    )


def test_the_cli_prints_every_problem_and_the_unknown_columns(tmp_path: Path) -> None:
    runner = CliRunner()
    path = write(tmp_path, SEVEN_PROBLEMS)
    result = runner.invoke(app, ["analyse", str(path), "-i", "imh-core@1.0.0"])
    assert result.exit_code == 1
    for where in (
        "responses.csv, column 'K2'",
        "responses.csv, row 1, column 'H'",
        "responses.csv, row 2, column 'participant'",
        "responses.csv, row 3, column 'timepoint'",
        "responses.csv, row 4, column 'cohort'",
        "responses.csv, row 6, column 'participant'",
        "responses.csv, row 7, column 'timepoint'",
    ):
        assert where in result.output, result.output
    good = write(
        tmp_path,
        "participant,timepoint,K1,notes\nAB12,pre,a,x\nAB12,post,b,y\nCD34,pre,a,\nCD34,post,b,\n",
        "good.csv",
    )
    result = runner.invoke(app, ["analyse", str(good), "-i", "imh-core@1.0.0"])
    assert result.exit_code == 0, result.output
    assert "column(s) ignored (neither reserved nor an item of the instrument): notes" in (
        " ".join(result.output.split())
    )
