"""REDCap data dictionaries in: bad input is refused with every problem named, nothing imported.

Unknown field types, repeated field names, choice fields without choices, files cut short,
ZIPs that are not instrument ZIPs or are unsafe to open.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from tests.interop.redcap_dict_build import dictionary, field, local, zipped

from imheval.errors import InstrumentError, Problem
from imheval.instruments import get_builtin
from imheval.interop.model import SourceFile
from imheval.interop.redcap._dict_file import MAX_ZIP_ENTRIES
from imheval.interop.redcap.dictionary import read_dictionary
from imheval.interop.redcap.export import write_instrument_zip


def problems_of(source: SourceFile) -> list[Problem]:
    with pytest.raises(InstrumentError) as refused:
        read_dictionary(source)
    return list(refused.value.problems)


def test_unknown_field_type_names_file_row_and_column() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", "1, a | 2, b"),
            field("q2", "radiobutton", "Q two", "1, a | 2, b"),
        ]
    )
    [problem] = problems_of(source)
    assert (problem.file, problem.row, problem.column) == ("dictionary.csv", 4, "Field Type")
    assert problem.message == (
        "field 'q2' has the field type 'radiobutton', which REDCap does not have; use one of: "
        "text, notes, radio, dropdown, checkbox, yesno, truefalse, calc, slider, descriptive, "
        "file, sql"
    )


def test_duplicate_field_names_and_unknown_types_are_reported_together() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", "1, a | 2, b"),
            field("Q1", "yesno", "Q one again"),
            field("q3", "likert", "Q three"),
            field("", "text", "No name"),
        ]
    )
    found = [(p.row, p.column, p.message) for p in problems_of(source)]
    assert found == [
        (
            4,
            "Variable / Field Name",
            "the field name 'Q1' is used again (first on row 3); every field needs its own name",
        ),
        (
            5,
            "Field Type",
            "field 'q3' has the field type 'likert', which REDCap does not have; use one of: "
            "text, notes, radio, dropdown, checkbox, yesno, truefalse, calc, slider, "
            "descriptive, file, sql",
        ),
        (
            6,
            "Variable / Field Name",
            "this row has no field name; give every field a name, or delete the row",
        ),
    ]


def test_choice_fields_without_choices_or_with_repeated_codes() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", ""),
            field("q2", "dropdown", "Q two", "1, a | 1, b | 2, c"),
            field("q3", "", "Q three"),
        ]
    )
    found = [(p.row, p.column, p.message) for p in problems_of(source)]
    assert found == [
        (
            3,
            "Choices, Calculations, OR Slider Labels",
            "the radio field 'q1' has no choices; write them as '1, Yes | 0, No'",
        ),
        (
            4,
            "Choices, Calculations, OR Slider Labels",
            "the choices of 'q2' use the code(s) 1 more than once; give each choice its own code",
        ),
        (
            5,
            "Field Type",
            "field 'q3' has no field type; use one of: text, notes, radio, dropdown, checkbox, "
            "yesno, truefalse, calc, slider, descriptive, file, sql",
        ),
    ]


def test_a_file_cut_inside_a_quoted_cell_is_refused() -> None:
    data = local("scored_knowledge.csv").data
    cut = data[: data.index(b"Gaze aversion")]
    [problem] = problems_of(SourceFile(name="cut.csv", data=cut))
    assert problem.file == "cut.csv"
    assert problem.message.startswith(
        "the file ends inside a quoted cell, so it looks cut short; download the data "
        "dictionary again"
    )


def test_a_file_cut_mid_row_is_refused_at_that_row() -> None:
    data = local("scored_knowledge.csv").data
    cut = data[: data.index(b"k3,imh_scored,,yesno") + len(b"k3,imh_scored,,yes")]
    [problem] = problems_of(SourceFile(name="cut.csv", data=cut))
    assert (problem.row, problem.column) == (9, "Field Type")
    assert "field 'k3' has the field type 'yes'" in problem.message


def test_an_empty_file_and_a_binary_file() -> None:
    [empty] = problems_of(SourceFile(name="empty.csv", data=b""))
    assert empty.message == "the file is empty"
    [binary] = problems_of(SourceFile(name="image.csv", data=b"\x89PNG\r\n\x1a\n\x00\x00\x00"))
    assert binary.message.startswith("this is not a text file (it holds binary data)")


def test_a_header_that_is_no_dictionary_says_what_is_missing() -> None:
    source = SourceFile(name="people.csv", data=b"id,name,score\n1,Ann,3\n")
    [problem] = problems_of(source)
    assert problem.message.startswith(
        "this is not a REDCap data dictionary: it has no 'Variable / Field Name', 'Form Name', "
        "'Field Type', 'Field Label' column (its first columns are 'id', 'name', 'score');"
    )


def test_nothing_imheval_can_use() -> None:
    source = dictionary(
        [
            field("age", "text", "Age", validation="integer"),
            field("notes", "notes", "Notes"),
        ]
    )
    [problem] = problems_of(source)
    assert problem.message == (
        "this dictionary has no choice question imheval can score besides the record ID field "
        "'record_id' (the first field) (it has 1 free-text question(s), which are never scored): "
        "imheval needs radio, dropdown, yes/no, true/false or checkbox fields"
    )


# ---------------------------------------------------------------------------------------------
# ZIP files


def test_a_zip_without_instrument_csv() -> None:
    source = zipped({"OriginID.txt": b"x", "data.csv": b"a,b\n"})
    [problem] = problems_of(source)
    assert problem.message.startswith(
        "this ZIP holds no instrument.csv, so it is not a REDCap instrument ZIP (it holds: "
        "OriginID.txt, data.csv); in REDCap: Designer > the instrument's 'Choose action' > "
        "'Download instrument ZIP'"
    )


def test_a_zip_whose_instrument_csv_climbs_out_of_the_folder_is_not_read() -> None:
    source = zipped({"../instrument.csv": local("scored_knowledge.csv").data})
    [problem] = problems_of(source)
    assert "holds no instrument.csv" in problem.message


def test_a_truncated_zip_is_damaged() -> None:
    data = write_instrument_zip(get_builtin("imh-reaction"))
    [problem] = problems_of(SourceFile(name="cut.zip", data=data[: len(data) // 2]))
    assert problem.message.startswith("this ZIP file is damaged or incomplete")


def test_a_zip_bomb_is_not_opened() -> None:
    bomb = zipped({"instrument.csv": b" " * 5_000_000})
    [problem] = problems_of(bomb)
    assert problem.message == (
        "instrument.csv is compressed far more than any real dictionary (a 'zip bomb' is made "
        "that way); it was not opened"
    )


def test_a_zip_of_too_many_files() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"f{number}.txt", b"")
    [problem] = problems_of(SourceFile(name="many.zip", data=buffer.getvalue()))
    assert problem.message.startswith("this ZIP holds 1,001 files")


def test_an_excel_workbook_is_sent_back_as_csv() -> None:
    source = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    [problem] = problems_of(source)
    assert problem.message.startswith("this is an Excel workbook, not a REDCap file")


def test_two_instrument_csv_files() -> None:
    data = local("scored_knowledge.csv").data
    [problem] = problems_of(zipped({"a/instrument.csv": data, "b/instrument.csv": data}))
    assert problem.message.startswith("this ZIP holds 2 instrument.csv files")


def test_problems_inside_a_zip_name_the_zip_and_instrument_csv() -> None:
    text = local("scored_knowledge.csv").data.replace(b",dropdown,Which", b",pulldown,Which")
    [problem] = problems_of(zipped({"instrument.csv": text}, name="quiz.zip"))
    assert (problem.file, problem.row) == ("quiz.zip (instrument.csv)", 8)
