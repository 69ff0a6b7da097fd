"""The converted files: responses.csv in imheval's tidy layout (formula-safe, read back as
written), instrument.yaml (loads back into the same instrument), the report in plain words, and
the check that names the ORIGINAL file and row."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.interop.convert_helpers import conversion, structure, unkeyed

from imheval.errors import DataFormatError
from imheval.instruments import load_instrument
from imheval.interop.model import Omission
from imheval.interop.output import (
    conversion_problems,
    conversion_report,
    conversion_table,
    responses_csv_bytes,
    write_conversion,
)
from imheval.io import read_responses


def row(code: str, timepoint: str, cohort: str = "C1", **answers: str) -> dict[str, str]:
    return {"participant": code, "cohort": cohort, "timepoint": timepoint, **answers}


ROWS = [
    row("AB-12-C", "pre", k1="1", k3="2", se1="4", why='=HYPERLINK("x")'),
    row("AB-12-C", "post", k1="1", k3="1", se1="5", why="-better"),
    row("XY-03-D", "pre", k1="b,c", k3="", se1="2", why=""),
]


def test_responses_csv_is_the_tidy_layout_with_formula_cells_neutralised(tmp_path: Path) -> None:
    data = responses_csv_bytes(conversion(ROWS).responses)  # type: ignore[arg-type]
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "participant,cohort,programme,timepoint,directorate,profession,k1,k3,se1,why"
    assert lines[1] == 'AB-12-C,C1,,pre,,,1,2,4,"\'=HYPERLINK(""x"")"'
    assert lines[2] == "AB-12-C,C1,,post,,,1,1,5,'-better"
    assert lines[3] == 'XY-03-D,C1,,pre,,,"b,c",,2,'


def test_written_files_read_back_as_converted(tmp_path: Path) -> None:
    converted = conversion(ROWS)
    responses, instrument = write_conversion(converted, tmp_path / "out" / "deeper")
    assert responses == tmp_path / "out" / "deeper" / "responses.csv"
    assert instrument == tmp_path / "out" / "deeper" / "instrument.yaml"
    assert (tmp_path / "out" / "deeper" / "conversion-report.txt").is_file()

    assert load_instrument(instrument) == converted.structure.instrument
    items = [item.id for item in converted.structure.instrument.items]
    table = read_responses(responses, item_columns=items)
    assert list(table.frame["participant"]) == ["AB-12-C", "AB-12-C", "XY-03-D"]
    assert list(table.frame["k1"]) == ["1", "1", "b,c"]  # an invalid answer kept as given
    assert list(table.frame["cohort"]) == ["C1", "C1", "C1"]
    assert list(table.frame["se1"]) == ["4", "5", "2"]


def test_a_cohort_blank_in_every_row_is_left_out_so_all_are_one_cohort(tmp_path: Path) -> None:
    rows = [row("A1", "pre", cohort="", k1="1"), row("A1", "post", cohort="", k1="2")]
    responses, _ = write_conversion(conversion(rows), tmp_path)
    assert "cohort" not in responses.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    table = read_responses(responses, item_columns=["k1", "k3", "se1"])
    assert list(table.frame["cohort"]) == ["(all)", "(all)"]


def test_writing_into_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("x")
    with pytest.raises(DataFormatError, match="this is a file; give a folder to write into"):
        write_conversion(conversion(ROWS), target)


def test_the_check_names_the_original_file_row_and_field() -> None:
    rows = [
        row("AB-12-C", "pre", k1="1"),
        row("AB-12-C", "pre", k1="2"),  # the same code twice at pre, in the same cohort
        row("CD-34-E", "pre", cohort="", k1="1"),  # a blank cohort among named ones
    ]
    converted = conversion(rows, origins=[("pre.csv", 2), ("pre.csv", 9), ("other.csv", 4)])
    problems = conversion_problems(converted)
    assert problems, "the converted file has problems imheval's reader refuses"
    located = {(p.file, p.row, p.column) for p in problems}
    assert ("other.csv", 4, "group") in located  # the cohort field by its source name
    assert all(p.file in ("pre.csv", "other.csv") for p in problems)
    assert any(p.file == "pre.csv" and p.row == 9 for p in problems)
    with pytest.raises(DataFormatError) as caught:
        conversion_table(converted)
    assert caught.value.problems == problems


def test_the_table_names_the_original_files_and_is_what_analyse_reads() -> None:
    converted = conversion(ROWS, origins=[("pre.xlsx", 2), ("post.xlsx", 2), ("pre.xlsx", 3)])
    table = conversion_table(converted)
    assert table.source == "pre.xlsx, post.xlsx"
    assert list(table.frame["timepoint"]) == ["pre", "post", "pre"]
    assert table.item_columns == ("k1", "k3", "se1")  # the open question is not scored


def test_the_report_says_what_was_carried_and_what_was_not() -> None:
    converted = conversion(
        ROWS,
        dropped=("email", "first_name"),
        left_out=(Omission("records.csv, row 7", "incomplete (imh_complete is 0)"),),
        notes=("2 answers are not options of 'k1' (b,c); they score as invalid",),
        complete=(True, True, False),
    )
    converted = type(converted)(
        structure=structure([unkeyed("k2", "k2", after="k1")]), responses=converted.responses
    )
    report = conversion_report(
        converted,
        sources=["records.csv"],
        structure="dictionary.csv",
        command="imheval analyse out/responses.csv -i out/instrument.yaml",
    )
    assert report == "\n".join(
        [
            "imheval conversion report",
            "=========================",
            "",
            "From: REDCap",
            "Files converted: records.csv",
            "Questions read from: dictionary.csv",
            "",
            "Instrument (instrument.yaml)",
            "----------------------------",
            "imh-knowledge 1.0.0: IMH knowledge",
            "4 questions: 2 with an answer key, 1 rating, 1 open (free text, never scored)",
            "Domains: knowledge (2 items); confidence (1 item)",
            "Fields found: self-generated code: 'own_code'; cohort: 'group'",
            "",
            "Responses (responses.csv)",
            "-------------------------",
            "3 responses: 2 pre, 1 post",
            "2 different codes",
            "Cohorts: C1",
            "Incomplete responses kept: 1",
            "",
            "Identifying columns dropped (never written anywhere): 2",
            "-------------------------------------------------------",
            "- 'email'",
            "- 'first_name'",
            "",
            "Responses left out: 1",
            "---------------------",
            "- records.csv, row 7: incomplete (imh_complete is 0)",
            "",
            "Not carried across from the questionnaire: 2",
            "--------------------------------------------",
            "- field 'bmi': a calculation imheval does not read",
            "- field 'k2': no answer key; give it with --key k2=<code>",
            "",
            "Questions without an answer key (left out until you give their key): 1",
            "----------------------------------------------------------------------",
            "- 'k2' (Question k2?): options 1 = Always; 2 = Sometimes; 3 = Never. To key it: "
            "--key k2=CODE",
            "",
            "Notes: 1",
            "--------",
            "- 2 answers are not options of 'k1' (b,c); they score as invalid",
            "",
            "Next",
            "----",
            "imheval analyse out/responses.csv -i out/instrument.yaml",
            "",
        ]
    )
