"""Microsoft Forms downloads: Forms' own columns recognised by position and content in any
language, a question titled "Email", re-saved CSV files, and bad input (every problem at once,
nothing imported, no address or name in any message)."""

from __future__ import annotations

import io
import zipfile

import pytest

from imheval.errors import DataFormatError
from imheval.instruments import KeyedItem, RatingItem
from imheval.interop.model import InstrumentImport, ResponseOptions, ResponsesImport, SourceFile
from imheval.interop.msforms._metadata import Role, is_datetime, recognise
from imheval.interop.msforms._read import read_table
from imheval.interop.msforms.responses import read_responses
from interop.msforms_build import (
    METADATA,
    Asked,
    Download,
    csv_file,
    download,
    workbook_bytes,
    xlsx,
)

CODES = ["AB12", "CD34", "EF56"]
EMAILS = ["ada@example.org", "grace@example.org", "anonymous"]
NAMES = ["Ada Lovelace", "Grace Hopper", ""]


def _quiz(language: str = "en", companions: bool = False, **kwargs: object) -> Download:
    return download(
        [
            Asked("Your self-generated code", CODES, companions=companions),
            Asked("Which age matters most?", ["0-3", "5-11", "0-3"], [10, 0, 10]),
            Asked("How confident are you?", ["4", "2", "5"], companions=companions),
        ],
        language=language,
        emails=EMAILS,
        names=NAMES,
        **kwargs,  # type: ignore[arg-type]
    )


def _read(source: SourceFile) -> tuple[InstrumentImport, ResponsesImport]:
    conversion = read_responses([source], None, ResponseOptions(timepoints={source.name: "pre"}))
    assert conversion.responses is not None
    return conversion.structure, conversion.responses


@pytest.mark.parametrize("language", ["en", "fr", "es", "de", "ja", "xx"])
@pytest.mark.parametrize("companions", [False, True])
def test_localised_quiz_downloads_read_the_same(language: str, companions: bool) -> None:
    source = xlsx(_quiz(language, companions))
    structure, responses = _read(source)
    frame = responses.frame
    assert list(frame["participant"]) == CODES
    assert list(frame.columns[6:]) == ["q2", "q3"]
    assert list(frame["q2"]) == ["a", "b", "a"]  # options sorted: a = "0-3", b = "5-11"
    assert list(frame["q3"]) == ["4", "2", "5"]
    instrument = structure.instrument
    keyed, rating = instrument.questions
    assert isinstance(keyed, KeyedItem) and isinstance(rating, RatingItem)
    assert keyed.options == {"a": "0-3", "b": "5-11"} and keyed.key == ("a",)
    assert keyed.points == 10
    assert instrument.scales[rating.scale].min == 2 and instrument.scales[rating.scale].max == 5
    assert responses.dropped == METADATA[language][3:5]
    tags = {"en": "en-GB", "fr": "fr", "es": "es", "de": "de", "ja": "ja", "xx": "en-GB"}
    assert instrument.language == tags[language]
    cells = {str(v) for v in frame.to_numpy().ravel()}
    assert not cells & set(EMAILS[:2] + NAMES[:2])


@pytest.mark.parametrize("language", ["fr", "es", "de", "ja", "xx"])
def test_localised_block_roles_by_position(language: str) -> None:
    export = recognise(read_table(xlsx(_quiz(language))))
    assert dict(export.metadata) == {
        Role.ID: 0,
        Role.START: 1,
        Role.COMPLETION: 2,
        Role.EMAIL: 3,
        Role.NAME: 4,
        Role.LAST_MODIFIED: 5,
        Role.TOTAL_POINTS: 6,
        Role.QUIZ_FEEDBACK: 7,
    }
    assert export.language == (None if language == "xx" else language)
    assert [q.title for q in export.questions] == [
        "Your self-generated code",
        "Which age matters most?",
        "How confident are you?",
    ]


def test_unknown_language_whose_content_does_not_fit_names_each_column() -> None:
    built = _quiz("xx")
    for row in built.rows:
        row[0] = "R" + str(row[0])  # not a response number
        row[2] = "soon"  # not a date-time
    with pytest.raises(DataFormatError) as caught:
        read_responses([xlsx(built)], None, ResponseOptions())
    problems = caught.value.problems
    assert [p.column for p in problems] == ["Nr", "Valmistumisaika"]
    assert problems[0].message.startswith(
        "column A should be Microsoft Forms' response number (ID), column 1 of every Forms "
        "download (whole numbers: 1, 2, 3 ...), but its title 'Nr' is not one imheval knows "
        "and row 2 holds text."
    )
    assert "column C should be Microsoft Forms' completion time" in problems[1].message
    assert "download the responses again from Forms (Responses > Open results in Excel)" in (
        problems[1].message
    )


def test_known_titles_are_accepted_whatever_their_cells() -> None:
    built = _quiz("fr")
    for row in built.rows:
        row[1] = "matin"  # "Heure de début" holding text: the title still says what it is
    export = recognise(read_table(xlsx(built)))
    assert export.metadata[Role.START] == 1


def test_misfit_messages_never_quote_an_address_or_a_name() -> None:
    built = _quiz("xx")
    for row, email in zip(built.rows, EMAILS, strict=True):
        row[0] = email  # an address where the response number belongs
    with pytest.raises(DataFormatError) as caught:
        read_responses([xlsx(built)], None, ResponseOptions())
    text = str(caught.value)
    assert "row 2 holds an e-mail address" in text
    assert not any(value in text for value in EMAILS[:2] + NAMES[:2])


def test_a_question_titled_email_is_a_question_and_is_dropped() -> None:
    built = download(
        [
            Asked("Email", ["a@b.org", "c@d.org", ""]),
            Asked("Your self-generated code", CODES),
            Asked("Name2", ["Ada", "Grace", "Alan"]),
            Asked("Which age matters most?", ["0-3", "5-11", "0-3"], [1, 0, 1]),
        ],
        emails=EMAILS,
        names=NAMES,
    )
    structure, responses = _read(xlsx(built))
    export = recognise(read_table(xlsx(built)))
    assert export.metadata[Role.EMAIL] == 3 and export.metadata[Role.NAME] == 4
    assert export.questions[0].title == "Email"
    assert responses.dropped == ("Email", "Name", "Email (a question)", "Name2")
    frame = responses.frame
    assert list(frame.columns[6:]) == ["q4"]
    assert list(frame["participant"]) == CODES
    assert structure.identifying == ("Email", "Name2")
    cells = {str(v) for v in frame.to_numpy().ravel()}
    assert not cells & {"a@b.org", "c@d.org", "Ada", "Grace", "Alan", *EMAILS[:2], *NAMES[:2]}


def test_a_question_answered_with_addresses_is_dropped_whatever_its_title() -> None:
    built = download(
        [
            Asked("Your self-generated code", CODES),
            Asked("Where can we reach you?", ["a@b.org", "c@d.org", "e@f.org"]),
            Asked("Which age matters most?", ["0-3", "5-11", "0-3"], [1, 0, 1]),
        ]
    )
    _, responses = _read(xlsx(built))
    assert "Where can we reach you?" in responses.dropped
    assert list(responses.frame.columns[6:]) == ["q3"]


@pytest.mark.parametrize(
    "title",
    [
        "What is your name?",
        "Your e-mail address:",
        "Phone number",
        "Your mobile number?",
        "Please give your full name and team",
    ],
)
def test_a_question_asking_who_people_are_is_dropped_however_it_is_worded(title: str) -> None:
    # 25 people: enough distinct answers that the question would otherwise be an open question
    codes = [f"C{n:03d}" for n in range(25)]
    secrets = [f"Person{n} Surname 0770090{n:04d}" for n in range(25)]
    built = download(
        [
            Asked(title, secrets),
            Asked("Your self-generated code", codes),
            Asked("Which age matters most?", ["0-3", "5-11"] * 12 + ["0-3"], [1, 0] * 12 + [1]),
        ]
    )
    structure, responses = _read(xlsx(built))
    assert title in responses.dropped
    assert structure.identifying == (title,)
    assert list(responses.frame.columns[6:]) == ["q3"]
    assert list(responses.frame["participant"]) == codes
    everything = " | ".join(
        [str(v) for v in responses.frame.to_numpy().ravel()]
        + list(responses.notes)
        + [str(o) for o in structure.omissions]
        + [repr(u) for u in structure.unkeyed]
        + [structure.instrument.model_dump_json()]
    )
    assert not [secret for secret in secrets if secret in everything]


def test_anonymous_download_without_last_modified_time() -> None:
    built = download(
        [
            Asked("Your self-generated code", CODES),
            Asked("How confident are you?", ["1", "3", "5"]),
        ],
        last_modified=False,
    )
    export = recognise(read_table(xlsx(built)))
    assert Role.LAST_MODIFIED not in export.metadata
    assert [q.column for q in export.questions] == [5, 6]


def test_resaved_csv_with_semicolons_windows_text_and_day_first_dates() -> None:
    built = _quiz("fr")
    source = csv_file(built, "quiz.csv", delimiter=";", encoding="cp1252", dates="%d/%m/%Y %H:%M")
    _, responses = _read(source)
    frame = responses.frame
    assert list(frame["participant"]) == CODES
    assert list(frame["q2"]) == ["a", "b", "a"]
    assert responses.dropped == ("Adresse de messagerie", "Nom")


@pytest.mark.parametrize(
    "text",
    [
        "2020-05-22T17:58:08",
        "3/4/25 9:12:40",
        "22.05.2020 17:58",
        "2020年5月22日 17:58",
        "5/22/2020 5:58:08 PM",
        "43973.748",
        "2020/05/22 17:58:08",
    ],
)
def test_date_times_as_downloads_and_resaved_files_write_them(text: str) -> None:
    assert is_datetime(text)


@pytest.mark.parametrize("text", ["1", "4", "Agree", "a@b.org", "12:30", "2020"])
def test_other_cells_are_not_date_times(text: str) -> None:
    assert not is_datetime(text)


def test_a_file_named_xlsx_that_is_not_a_workbook() -> None:
    with pytest.raises(DataFormatError) as caught:
        read_responses([SourceFile("quiz.xlsx", b"ID,Start time\n")], None, ResponseOptions())
    assert str(caught.value) == (
        "quiz.xlsx: the file is named .xlsx but is not an Excel workbook (an .xlsx file is a "
        "zip archive, and this is not one); download the responses again from Forms, or check "
        "you chose the right file"
    )


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(DataFormatError, match="cannot be read as an Excel workbook"):
        read_responses([SourceFile("quiz.xlsx", buffer.getvalue())], None, ResponseOptions())


def test_an_old_xls_workbook() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    with pytest.raises(DataFormatError, match=r"old Excel 97-2003 workbook \(\.xls\)"):
        read_responses([SourceFile("quiz.xls", data)], None, ResponseOptions())


def test_an_empty_sheet() -> None:
    with pytest.raises(DataFormatError, match="the file is empty"):
        read_responses([SourceFile("quiz.xlsx", workbook_bytes([]))], None, ResponseOptions())


def test_a_sheet_that_is_not_a_download() -> None:
    source = SourceFile("marks.xlsx", workbook_bytes([["student", "mark"], ["A", 3]]))
    with pytest.raises(DataFormatError) as caught:
        read_responses([source], None, ResponseOptions())
    assert "a Microsoft Forms download starts with ID, Start time, Completion time" in str(
        caught.value
    )


def test_every_problem_of_every_file_is_reported_together() -> None:
    good = xlsx(download([Asked("How confident are you?", ["1", "2", "4"])]), "post.xlsx")
    broken = SourceFile("pre.xlsx", b"not a workbook")
    options = ResponseOptions(timepoints={"post.xlsx": "post", "pre.xlsx": "pre", "x.xlsx": "pre"})
    with pytest.raises(DataFormatError) as caught:
        read_responses([broken, good], None, options)
    problems = [(p.file, p.message.split(";")[0].split(" (")[0]) for p in caught.value.problems]
    assert problems == [
        ("pre.xlsx", "the file is named .xlsx but is not an Excel workbook"),
        ("x.xlsx", "a timepoint is given for this file, but it is not one of the files read"),
        ("post.xlsx", "no question holds the self-generated code"),
    ]


def test_a_timepoint_that_cannot_be_worked_out() -> None:
    source = xlsx(_quiz())
    with pytest.raises(DataFormatError) as caught:
        read_responses([source], None, ResponseOptions())
    assert [p.message for p in caught.value.problems] == [
        "imheval cannot work out the timepoint of these responses: give it for the file "
        '(--timepoint "IMH quiz(1-3).xlsx=pre", one file per timepoint), or name the question '
        "that asks it (--timepoint-field)"
    ]


def test_a_timepoint_imheval_does_not_know() -> None:
    source = xlsx(_quiz())
    with pytest.raises(DataFormatError, match="'during', is not one imheval knows"):
        read_responses([source], None, ResponseOptions(timepoints={source.name: "during"}))


def test_two_files_of_one_name() -> None:
    source = xlsx(_quiz())
    with pytest.raises(DataFormatError, match="two files have this name"):
        read_responses([source, source], None, ResponseOptions(timepoints={source.name: "pre"}))
