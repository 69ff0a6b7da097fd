"""Writing responses: read -> write -> read gives the same table (CSV, XLSX), the .sav holds
the same values with labels, and ``imheval export`` writes each format by extension."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.errors import DataFormatError
from imheval.instruments import resolve_instrument
from imheval.io import read_responses, write_responses
from imheval.io.table import ResponseTable

CORE = resolve_instrument("imh-core@1.0.0")
CORE_ITEMS = [item.id for item in CORE.items]
runner = CliRunner()

# Formula-like text in every free-text column a person fills in, and in an answer.
TIDY_ANSWERS = (
    "participant,cohort,programme,timepoint,directorate,profession,K1,K2,S1\n"
    "ab12,=C1,Solihull,pre,@x,=1+2,a,b,3\n"
    "ab12,=C1,Solihull,post,@x,=1+2,b,=HYPERLINK(1),5\n"
    "cd34,-C2,+Prog,pre,''=already,-1,"
    '"Taking in feelings too big for her and calming them, so she learns she is safe with him",,9\n'
    "cd34,-C2,+Prog,followup,,nurse,,c,Mostly true of me\n"
)

TOTALS = (
    "participant,cohort,timepoint,knowledge,risk\n"
    "ab12,C1,pre,3,4.5\n"
    "ab12,C1,post,5,\n"
    "cd34,C1,pre,-2.25,1e3\n"
)


def _file(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _same_table(again: ResponseTable, first: ResponseTable, *, rows: bool = True) -> None:
    assert again.item_columns == first.item_columns
    assert again.score_columns == first.score_columns
    assert again.layout == "tidy"
    drop = [] if rows else ["source_row"]
    pd.testing.assert_frame_equal(again.frame.drop(columns=drop), first.frame.drop(columns=drop))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_items_read_written_and_read_again_give_the_same_table_formula_cells_included(
    tmp_path: Path, suffix: str
) -> None:
    first = read_responses(_file(tmp_path, TIDY_ANSWERS), item_columns=CORE_ITEMS)
    assert first.frame.loc[0, "profession"] == "=1+2"  # the reader gives the value as typed
    assert first.frame.loc[2, "directorate"] == "'=already"  # written ''=already in the file
    written = write_responses(first, tmp_path / f"out{suffix}")
    _same_table(read_responses(written, item_columns=CORE_ITEMS), first)


def test_the_csv_guards_formula_cells_with_an_apostrophe_and_leaves_numbers(
    tmp_path: Path,
) -> None:
    first = read_responses(_file(tmp_path, TIDY_ANSWERS), item_columns=CORE_ITEMS)
    write_responses(first, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    lines = text.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("participant,cohort,programme,timepoint,directorate,profession,K1")
    assert lines[1].startswith("AB12,'=C1,Solihull,pre,'@x,'=1+2,a,b,")
    assert "'=HYPERLINK(1)" in lines[2]
    # a plain number is not a formula; a value that already began with "'" gets one more
    assert lines[3].startswith("CD34,'-C2,'+Prog,pre,''=already,-1,")


def test_xlsx_cells_are_typed_as_text_so_no_formula_is_written(tmp_path: Path) -> None:
    first = read_responses(_file(tmp_path, TIDY_ANSWERS), item_columns=CORE_ITEMS)
    path = write_responses(first, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    profession = sheet["F2"]
    assert (profession.value, profession.data_type) == ("=1+2", "s")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_a_wide_file_is_written_in_tidy_layout_with_the_same_rows(tmp_path: Path) -> None:
    wide = _file(
        tmp_path,
        "participant,cohort,pre_K1,pre_S1,post_K1,post_S1\nab12,C1,a,2,b,4\ncd34,C1,c,,,5\n",
    )
    first = read_responses(wide, item_columns=CORE_ITEMS)
    again = read_responses(write_responses(first, tmp_path / "tidy.csv"), item_columns=CORE_ITEMS)
    _same_table(again, first, rows=False)
    assert again.frame["timepoint"].tolist() == ["pre", "post", "pre", "post"]
    assert again.frame["K1"].tolist() == ["a", "b", "c", ""]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_domain_totals_round_trip_as_numbers_with_blank_for_not_measured(
    tmp_path: Path, suffix: str
) -> None:
    first = read_responses(_file(tmp_path, TOTALS))
    again = read_responses(write_responses(first, tmp_path / f"out{suffix}"))
    _same_table(again, first)
    assert again.frame["risk"].tolist()[0] == 4.5
    assert np.isnan(again.frame["risk"].tolist()[1])
    assert again.frame["knowledge"].tolist()[2] == -2.25


def test_the_sav_opens_with_pyreadstat_with_the_same_values_and_labels(tmp_path: Path) -> None:
    first = read_responses(_file(tmp_path, TIDY_ANSWERS), item_columns=CORE_ITEMS)
    path = write_responses(first, tmp_path / "out.sav", [CORE], file_label="pilot")
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)

    reserved = ["participant", "cohort", "programme", "timepoint", "directorate", "profession"]
    assert list(frame.columns) == [*reserved, *CORE_ITEMS]  # no source column: not known
    for column in reserved:
        assert frame[column].tolist() == first.frame[column].tolist()
    assert frame["profession"].tolist()[0] == "=1+2"
    # K1 options a..d are codes 1..4; the option text counts as the option; 999 = invalid
    k1 = frame["K1"].tolist()
    assert k1[:3] == [1.0, 2.0, 2.0] and np.isnan(k1[3])
    assert frame["K2"].tolist()[1] == 999.0  # "=HYPERLINK(1)" is not an option
    s1 = frame["S1"].tolist()
    assert s1 == [3.0, 5.0, 999.0, 4.0]  # 9 is off the 1-5 scale; a label counts as its value
    assert meta.column_names_to_labels["K1"] == CORE.items[0].text
    assert meta.variable_value_labels["K1"][2.0].endswith("[correct]")
    assert meta.variable_value_labels["S1"][4.0] == "Mostly true of me"
    assert meta.missing_ranges["S1"] == [{"lo": 999.0, "hi": 999.0}]
    assert meta.file_label == "pilot"


def test_the_sav_of_domain_totals_holds_the_numbers(tmp_path: Path) -> None:
    first = read_responses(_file(tmp_path, TOTALS))
    frame, meta = pyreadstat.read_sav(str(write_responses(first, tmp_path / "t.sav")))
    assert frame["knowledge"].tolist() == [3.0, 5.0, -2.25]
    risk = frame["risk"].tolist()
    assert risk[0] == 4.5 and np.isnan(risk[1]) and risk[2] == 1000.0
    assert meta.variable_measure["knowledge"] == "scale"


def test_an_unknown_output_extension_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    first = read_responses(_file(tmp_path, TOTALS))
    with pytest.raises(DataFormatError, match=r"out\.txt: cannot write this kind of file"):
        write_responses(first, tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


# --- imheval export ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
def test_export_command_writes_the_format_the_extension_names(tmp_path: Path, suffix: str) -> None:
    source = _file(tmp_path, TIDY_ANSWERS)
    target = tmp_path / f"exported{suffix}"
    result = runner.invoke(app, ["export", str(source), str(target), "-i", "imh-core@1.0.0"])
    assert result.exit_code == 0, result.output
    assert f"Wrote 4 responses to {target}" in " ".join(result.output.split())
    if suffix == ".sav":
        frame, _ = pyreadstat.read_sav(str(target))
        assert frame["participant"].tolist() == ["AB12", "AB12", "CD34", "CD34"]
    else:
        again = read_responses(target, item_columns=CORE_ITEMS)
        _same_table(again, read_responses(source, item_columns=CORE_ITEMS))


def test_export_command_refuses_an_unknown_extension_with_a_plain_message(
    tmp_path: Path,
) -> None:
    source = _file(tmp_path, TOTALS)
    result = runner.invoke(app, ["export", str(source), str(tmp_path / "out.json")])
    assert result.exit_code == 1
    assert "out.json: cannot write this kind of file; use .csv, .xlsx or .sav" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_export_command_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = _file(tmp_path, TOTALS)
    result = runner.invoke(app, ["export", str(source), str(source)])
    assert result.exit_code == 1
    assert "in.csv: OUTPUT is the INPUT file; give another name" in result.output
    assert source.read_text(encoding="utf-8") == TOTALS


def test_export_command_reports_a_bad_input_row_and_writes_nothing(tmp_path: Path) -> None:
    source = _file(tmp_path, "participant,cohort,timepoint,knowledge\nab12,C1,later,3\n")
    result = runner.invoke(app, ["export", str(source), str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "in.csv, row 2, column 'timepoint'" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_export_help_has_an_example() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    assert "Example: imheval export responses.xlsx responses.sav --instrument imh-core" in (
        result.output
    )
