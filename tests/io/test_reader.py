"""Reading responses files: layouts, formats, codes, warnings and every error message."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import DataFormatError, Problem
from imheval.io.reader import SINGLE_COHORT, read_responses
from imheval.io.table import RESERVED_COLUMNS, SOURCE_ROW, normalise_code

ITEMS = ("k1", "k2", "k3")


def write(tmp_path: Path, text: str, name: str = "responses.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "responses.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def problems_of(path: Path, **kwargs: object) -> tuple[Problem, ...]:
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def only_problem(path: Path, **kwargs: object) -> Problem:
    problems = problems_of(path, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


# --- tidy layout ------------------------------------------------------------------------------


def test_tidy_csv_reads_totals_as_floats_with_nan_for_empty(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,programme,timepoint,knowledge,risk\n"
        "ab12,C1,Solihull,pre,3,4.5\n"
        "ab12,C1,Solihull,post,5,\n",
    )
    table = read_responses(path)

    assert table.layout == "tidy"
    assert table.score_columns == ("knowledge", "risk")
    assert table.item_columns == ()
    frame = table.frame
    assert list(frame.columns) == [*RESERVED_COLUMNS, SOURCE_ROW, "knowledge", "risk"]
    assert frame["knowledge"].tolist() == [3.0, 5.0]
    assert frame["risk"].iloc[0] == 4.5
    assert math.isnan(frame["risk"].iloc[1])
    assert frame["timepoint"].tolist() == ["pre", "post"]
    assert frame[SOURCE_ROW].tolist() == [2, 3]
    assert frame["programme"].tolist() == ["Solihull", "Solihull"]
    assert frame["directorate"].tolist() == ["", ""]  # absent optional column
    assert frame["knowledge"].dtype == np.float64
    assert table.source == str(path)
    assert table.warnings == ()


def test_participant_codes_are_normalised_and_cells_stripped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Participant , COHORT,Timepoint,knowledge\n"
        " ab 12k ,  Cohort 1 , Pre ,3\n"
        "Xy9,Cohort 1,FOLLOW-UP, 4 \n"
        "zz1,Cohort 1,follow_up,1\n"
        "zz2,Cohort 1,Follow Up,1\n",
    )
    frame = read_responses(path).frame

    assert frame["participant"].tolist() == ["AB12K", "XY9", "ZZ1", "ZZ2"]
    assert frame["cohort"].tolist() == ["Cohort 1"] * 4
    assert frame["timepoint"].tolist() == ["pre", "followup", "followup", "followup"]
    assert frame["knowledge"].tolist() == [3.0, 4.0, 1.0, 1.0]


def test_tidy_items_are_stripped_text_with_empty_string_for_blank(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,k1,k2,k3,notes\np1,C1,pre, a ,,3,hello\np2,C1,pre,B,c,,\n",
    )
    table = read_responses(path, item_columns=ITEMS)

    assert table.item_columns == ITEMS
    assert table.score_columns == ()
    assert table.frame["k1"].tolist() == ["a", "B"]
    assert table.frame["k2"].tolist() == ["", "c"]
    assert table.frame["k3"].tolist() == ["3", ""]
    assert "notes" not in table.frame.columns
    assert table.warnings == (
        "column(s) ignored (neither reserved nor an item of the instrument): notes",
    )


def test_item_headers_match_item_ids_ignoring_case(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,K1,k2,K3\np1,C1,pre,a,b,c\n")
    table = read_responses(path, item_columns=ITEMS)

    assert table.frame[["k1", "k2", "k3"]].iloc[0].tolist() == ["a", "b", "c"]


def test_partly_missing_item_columns_are_blank_answers_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,k1\np1,C1,pre,a\n")
    table = read_responses(path, item_columns=ITEMS)

    assert table.item_columns == ITEMS
    assert table.frame["k2"].tolist() == [""]
    assert table.frame["k3"].tolist() == [""]
    assert table.warnings == ("item column(s) not in the file, read as blank answers: k2, k3",)


def test_file_without_cohort_is_one_cohort_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,timepoint,knowledge\np1,pre,1\np2,pre,2\n")
    table = read_responses(path)

    assert table.frame["cohort"].tolist() == [SINGLE_COHORT, SINGLE_COHORT]
    assert SINGLE_COHORT == "(all)"
    assert table.warnings == (
        "there is no 'cohort' column, so all rows form one cohort named '(all)'",
    )


def test_column_with_no_values_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge,risk\np1,C1,pre,1,\n")
    table = read_responses(path)

    assert table.score_columns == ("knowledge",)
    assert "risk" not in table.frame.columns
    assert table.warnings == ("column(s) with no values at all were left out: risk",)


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,knowledge\np1,C1,pre,1\n\n,,,\np2,C1,pre,x\n",
    )
    problem = only_problem(path)

    assert problem == Problem(
        file="responses.csv",
        row=5,
        column="knowledge",
        message="'x' is not a number (leave the cell empty when the domain was not measured)",
    )


def test_quoted_values_with_separators_and_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'participant,cohort,timepoint,programme,knowledge\np1,"C1, Belfast",pre,"Two\nlines",1\n',
    )
    frame = read_responses(path).frame

    assert frame["cohort"].tolist() == ["C1, Belfast"]
    assert frame["programme"].tolist() == ["Two\nlines"]


def test_utf8_bom_and_semicolon_separator(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffparticipant;cohort;timepoint;knowledge\nÉA1;Cohórt 1;pre;2.5\n",
    )
    table = read_responses(path)

    assert table.frame["participant"].tolist() == ["ÉA1"]
    assert table.frame["cohort"].tolist() == ["Cohórt 1"]
    assert table.frame["knowledge"].tolist() == [2.5]


def test_tab_separated_text(tmp_path: Path) -> None:
    path = write(tmp_path, "participant\tcohort\ttimepoint\tknowledge\np1\tC1\tpost\t7\n", "r.tsv")
    frame = read_responses(path).frame

    assert frame[["participant", "cohort", "timepoint"]].iloc[0].tolist() == ["P1", "C1", "post"]
    assert frame["knowledge"].tolist() == [7.0]


def test_utf16_text_as_saved_by_excel_unicode_text(tmp_path: Path) -> None:
    path = write(
        tmp_path, "participant\tcohort\ttimepoint\tknowledge\np1\tC1\tpre\t3\n", "r.txt", "utf-16"
    )
    assert read_responses(path).frame["knowledge"].tolist() == [3.0]


def test_progress_is_called_at_each_stage(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,pre_k1,post_k1\np1,C1,a,b\n")
    messages: list[str] = []
    read_responses(path, item_columns=ITEMS, progress=messages.append)

    assert messages[0] == "reading responses.csv"
    assert messages[1] == "checking 1 rows"
    assert messages[2].startswith("reshaping wide layout")
    assert messages[-1] == "read 2 rows from responses.csv"


# --- wide layout ------------------------------------------------------------------------------


def test_wide_file_becomes_one_row_per_participant_per_answered_timepoint(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "participant,cohort,profession,pre_k1,pre_k2,post_k1,post_k2,followup_k1\n"
        "p1,C1,Midwife,a,b,c,,\n"
        "p2,C1,GP,a,,,,d\n"
        "p3,C1,GP,,,,,\n",
    )
    table = read_responses(path, item_columns=["k1", "k2"])

    assert table.layout == "wide"
    frame = table.frame
    assert frame["participant"].tolist() == ["P1", "P1", "P2", "P2"]
    assert frame["timepoint"].tolist() == ["pre", "post", "pre", "followup"]
    assert frame[SOURCE_ROW].tolist() == [2, 2, 3, 3]
    assert frame["profession"].tolist() == ["Midwife", "Midwife", "GP", "GP"]
    assert frame["k1"].tolist() == ["a", "c", "a", "d"]
    assert frame["k2"].tolist() == ["b", "", "", ""]
    assert table.warnings == (
        "item column(s) not in the file at followup, read as blank answers: k2",
        "1 row(s) had no answer at any timepoint and were left out",
    )


def test_wide_totals_and_follow_up_prefix_spellings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,Pre_Knowledge,post_knowledge,follow_up_knowledge\np1,C1,3,5,4\n",
    )
    table = read_responses(path)

    assert table.score_columns == ("Knowledge",)
    assert table.frame["timepoint"].tolist() == ["pre", "post", "followup"]
    assert table.frame["Knowledge"].tolist() == [3.0, 5.0, 4.0]


def test_wide_file_with_bare_and_prefixed_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,pre_k1,k1\np1,C1,a,b\n")
    problem = only_problem(path, item_columns=ITEMS)

    assert problem.column == "k1"
    assert problem.row is None
    assert problem.message == (
        "the column has no timepoint prefix, but 'pre_k1' has one; in a wide file every answer "
        "column needs a prefix (pre_, post_ or followup_)"
    )


def test_wide_duplicate_participant_names_both_rows_once(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,pre_k1,post_k1\np1,C1,a,b\nP 1,C1,c,d\np1,C2,a,b\n")
    problem = only_problem(path, item_columns=ITEMS)

    assert problem == Problem(
        file="responses.csv",
        row=3,
        column="participant",
        message="participant code 'P1' appears more than once in cohort 'C1' at pre and post "
        "(rows 2 and 3)",
    )


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_first_sheet_numbers_read_as_typed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["participant", "cohort", "timepoint", "k1", "k2", "k3"],
            ["ab 1", "C1", "pre", 3, 2.5, "a"],
            [None, None, None, None, None, None],
            ["cd2", 7, "post", 4.0, None, " b "],
        ],
    )
    table = read_responses(path, item_columns=ITEMS)

    frame = table.frame
    assert frame["participant"].tolist() == ["AB1", "CD2"]
    assert frame["cohort"].tolist() == ["C1", "7"]
    assert frame["k1"].tolist() == ["3", "4"]
    assert frame["k2"].tolist() == ["2.5", ""]
    assert frame["k3"].tolist() == ["a", "b"]
    assert frame[SOURCE_ROW].tolist() == [2, 4]


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["participant", "cohort", "timepoint", "knowledge"],
            ["p1", "C1", "pre", 1],
            ["p2", "C1", "pre", "lots"],
        ],
    )
    problem = only_problem(path)

    assert (problem.file, problem.row, problem.column) == ("responses.xlsx", 3, "knowledge")
    assert problem.message.startswith("'lots' is not a number")


def test_xlsx_totals_keep_full_precision(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path, [["participant", "cohort", "timepoint", "score"], ["p1", "C1", "pre", 1 / 3]]
    )
    assert read_responses(path).frame["score"].iloc[0] == pytest.approx(1 / 3, rel=1e-14)


# --- errors -----------------------------------------------------------------------------------


def test_unknown_timepoint_names_the_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,Timepoint,knowledge\np1,C1,baseline,1\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        row=2,
        column="Timepoint",
        message="unknown timepoint 'baseline'; use one of pre, post, followup "
        "(also written follow-up or follow_up)",
    )


def test_empty_timepoint_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge\np1,C1, ,1\n")
    problem = only_problem(path)

    assert (problem.row, problem.column) == (2, "timepoint")
    assert problem.message.startswith("the timepoint is empty; use one of pre, post, followup")


def test_missing_participant_code_and_cohort_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge\n  ,C1,pre,1\np2,,pre,1\n")
    assert problems_of(path) == (
        Problem(file="responses.csv", row=2, column="participant",
                message="the participant code is empty"),
        Problem(file="responses.csv", row=3, column="cohort", message="the cohort is empty"),
    )  # fmt: skip


def test_same_code_twice_in_one_cohort_and_timepoint_names_both_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,knowledge\n"
        "ab12,C1,pre,1\n"
        "ab12,C1,post,2\n"  # another timepoint: fine
        "ab12,C2,pre,1\n"  # another cohort: fine
        "AB 12,C1,pre,3\n",  # the same code once normalised
    )
    assert only_problem(path) == Problem(
        file="responses.csv",
        row=5,
        column="participant",
        message="participant code 'AB12' appears more than once in cohort 'C1' at pre "
        "(rows 2 and 5)",
    )


def test_non_numeric_totals_name_file_row_column_and_value(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,knowledge\np1,C1,pre,12,5\n".replace("12,5", '"12,5"')
        + "p2,C1,pre,NA\np3,C1,pre,inf\np4,C1,pre,1_0\n",
    )
    problems = problems_of(path)

    assert [(p.row, p.column) for p in problems] == [(r, "knowledge") for r in (2, 3, 4, 5)]
    assert problems[0].message == "'12,5' is not a number (use '.' as the decimal point)"
    hint = " (leave the cell empty when the domain was not measured)"
    assert [p.message for p in problems[1:]] == [
        f"'NA' is not a number{hint}",
        f"'inf' is not a number{hint}",
        f"'1_0' is not a number{hint}",
    ]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "participant,cohort,timepoint,knowledge\n"
        "p1,C1,pre,one\n"
        ",C1,pre,1\n"
        "p3,C1,later,1\n"
        "p4,C1,pre,1\n"
        "p4,C1,pre,1\n",
    )
    problems = problems_of(path)

    assert [(p.row, p.column) for p in problems] == [
        (2, "knowledge"),
        (3, "participant"),
        (4, "timepoint"),
        (6, "participant"),
    ]
    assert all(p.file == "responses.csv" for p in problems)


def test_error_message_lists_each_problem_with_its_location(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge\np1,C1,pre,one\n,C1,pre,1\n")
    with pytest.raises(DataFormatError) as caught:
        read_responses(path)

    assert str(caught.value).splitlines() == [
        "responses.csv, row 2, column 'knowledge': 'one' is not a number "
        "(leave the cell empty when the domain was not measured)",
        "responses.csv, row 3, column 'participant': the participant code is empty",
    ]
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert only_problem(path) == Problem(file="responses.csv", message="the file is empty")


def test_header_without_data_rows_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge\n\n")
    assert only_problem(path) == Problem(
        file="responses.csv", message="the file has a header row but no data rows"
    )


def test_empty_xlsx_is_an_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [])
    problem = only_problem(path)

    assert problem.message.startswith("the file is empty")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "responses.xls",
            "unsupported file type '.xls' (save it as .xlsx or .csv); "
            "imheval reads .csv, .tsv, .txt, .xlsx and .xlsm",
        ),
        (
            "responses.json",
            "unsupported file type '.json'; imheval reads .csv, .tsv, .txt, .xlsx and .xlsm",
        ),
    ],
)
def test_unsupported_extension_is_an_error(tmp_path: Path, name: str, message: str) -> None:
    path = write(tmp_path, "participant\n", name)
    assert only_problem(path) == Problem(file=name, message=message)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "nowhere.csv")
    assert problem.file == "nowhere.csv"
    assert problem.message.startswith("file not found: ")


def test_corrupt_xlsx_is_an_error_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file at all")
    assert only_problem(path) == Problem(
        file="broken.xlsx",
        message="cannot be read as an Excel workbook: not a valid .xlsx (zip) file",
    )


def test_truncated_xlsx_is_an_error(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path, [["participant", "cohort", "timepoint", "x"], ["p", "c", "pre", 1]])
    broken = tmp_path / "cut.xlsx"
    broken.write_bytes(good.read_bytes()[:300])
    problem = only_problem(broken)

    assert problem.file == "cut.xlsx"
    assert problem.message.startswith("cannot be read as an Excel workbook: ")


def test_workbook_saved_with_csv_extension_is_explained(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path, [["participant"]])
    path = tmp_path / "renamed.csv"
    path.write_bytes(workbook.read_bytes())
    assert only_problem(path).message == (
        "looks like an Excel workbook, not CSV text; give it the extension .xlsx"
    )


def test_csv_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,k\nSéan,C1,pre,1\n", encoding="cp1252")
    problem = only_problem(path)

    assert problem.message.startswith("is not UTF-8 text (undecodable byte at position ")
    assert problem.message.endswith("in Excel use 'Save As' > 'CSV UTF-8'")


def test_row_with_more_cells_than_the_header_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge\np1,C1,pre,12,5\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        row=2,
        message="the row has 5 cells but the header has 4; "
        "is a value containing the separator missing its quotes?",
    )


def test_missing_participant_column_lists_the_columns_found(tmp_path: Path) -> None:
    path = write(tmp_path, "code,cohort,timepoint,knowledge\np1,C1,pre,1\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        message="there is no 'participant' column (the anonymous code); columns found: "
        "code, cohort, timepoint, knowledge",
    )


def test_no_timepoint_column_and_no_prefixes_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,knowledge\np1,C1,1\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        message="there is no 'timepoint' column and no column whose name starts with pre_, "
        "post_ or followup_, so it is not known when the answers were given "
        "(see docs/data-format.md)",
    )


def test_none_of_the_item_columns_present_lists_the_expected_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,q1\np1,C1,pre,a\n")
    assert only_problem(path, item_columns=ITEMS) == Problem(
        file="responses.csv",
        message="none of the instrument's item columns is in the file; expected k1, k2, k3",
    )


def test_repeated_column_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge,Cohort\np1,C1,pre,1,C2\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        column="Cohort",
        message="two columns have this name (columns B and E); rename or remove one",
    )


def test_two_spellings_of_one_wide_column_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,followup_k1,follow_up_k1\np1,C1,a,b\n")
    assert only_problem(path, item_columns=ITEMS) == Problem(
        file="responses.csv",
        column="follow_up_k1",
        message="holds the same answer as column 'followup_k1'",
    )


def test_values_under_a_blank_header_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,,knowledge\np1,C1,pre,x,1\n")
    assert only_problem(path) == Problem(
        file="responses.csv",
        row=1,
        column="D",
        message="the column has values but no name in the header row",
    )


def test_blank_header_over_an_empty_column_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,knowledge,\np1,C1,pre,1,\n")
    table = read_responses(path)

    assert table.score_columns == ("knowledge",)
    assert table.warnings == ()


def test_prefixed_reserved_column_in_wide_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,pre_cohort,pre_k1\np1,C1,a\n")
    problem = problems_of(path, item_columns=ITEMS)[0]

    assert problem.column == "pre_cohort"
    assert problem.message == (
        "'cohort' is a reserved column; in a wide file it has no timepoint prefix "
        "(one value per participant)"
    )


def test_empty_item_columns_argument_is_a_programming_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,k1\np1,C1,pre,a\n")
    with pytest.raises(ValueError, match="item_columns is empty"):
        read_responses(path, item_columns=[])


# --- properties -------------------------------------------------------------------------------

_codes = st.text(alphabet="abcXYZ019 ", min_size=1, max_size=8).filter(lambda c: c.strip())


@settings(max_examples=40, deadline=None)
@given(codes=st.lists(_codes, min_size=1, max_size=6, unique_by=normalise_code))
def test_reader_codes_equal_normalise_code_of_what_was_typed(
    tmp_path_factory: pytest.TempPathFactory, codes: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("codes")
    lines = "".join(f'"{code}",C1,pre,1\n' for code in codes)
    path = write(folder, "participant,cohort,timepoint,knowledge\n" + lines)

    assert read_responses(path).frame["participant"].tolist() == [normalise_code(c) for c in codes]


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=8))
def test_totals_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, values: list[float]
) -> None:
    folder = tmp_path_factory.mktemp("totals")
    lines = "".join(f"p{i},C1,pre,{v!r}\n" for i, v in enumerate(values))
    path = write(folder, "participant,cohort,timepoint,score\n" + lines)

    assert read_responses(path).frame["score"].tolist() == values


def test_wide_totals_ignore_columns_without_prefix_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,notes,pre_score,source_row\np1,C1,hi,3,9\n")
    table = read_responses(path)

    assert table.frame.columns.tolist()[-1] == "score"
    assert "notes" not in table.frame.columns
    assert table.frame[SOURCE_ROW].tolist() == [2]
    assert table.warnings == (
        "column 'source_row' was ignored: the reader numbers rows itself",
        "column(s) ignored (no timepoint prefix in a wide file): notes",
    )


def test_two_columns_for_one_item_differing_in_case_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "participant,cohort,timepoint,k1,K1\np1,C1,pre,a,b\n")
    assert only_problem(path, item_columns=ITEMS) == Problem(
        file="responses.csv", column="K1", message="holds the same answer as column 'k1'"
    )
