"""Reading LimeSurvey response exports: the shared code-heading example, the real exports (code
headings, full-text headings with a byte-order mark, a wide export that does not match),
exports of imheval's own survey in both heading styles, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from imheval.errors import DataFormatError
from imheval.interop.common import maps_for_instrument
from imheval.interop.limesurvey.export import survey_structure, write_lss
from imheval.interop.limesurvey.responses import read_responses
from imheval.interop.limesurvey.structure import read_structure
from imheval.interop.model import InstrumentImport, ResponseOptions, SourceFile, System
from interop.limesurvey_helpers import handmade_instrument, limesurvey_export
from shared_fixtures import shared_fixture

DATA = Path(__file__).parent / "data" / "limesurvey"
CODE_HEADINGS = "limesurvey_responses_codeheadings.csv"


def structure_of(name: str) -> InstrumentImport:
    return read_structure(SourceFile.read(DATA / name))


def real(name: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", "real", "limesurvey", name))


def column(frame: object, name: str) -> list[str]:
    return list(frame[name])  # type: ignore[index]


def refused(
    sources: list[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> str:
    with pytest.raises(DataFormatError) as caught:
        read_responses(sources, structure, options)
    return str(caught.value)


# --- the shared example and the real exports ----------------------------------------------


def test_code_headings_example_reads_answers_and_leaves_out_the_unsubmitted() -> None:
    source = SourceFile.read(shared_fixture("interop", CODE_HEADINGS))
    options = ResponseOptions(timepoints={CODE_HEADINGS: "pre"})
    result = read_responses([source], structure_of("kse_ls3_structure.lss"), options)
    frame = result.frame
    assert list(frame.columns) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        "K1",
        "SE_SQ001",
        "SE_SQ002",
    ]
    assert frame.values.tolist() == [["M0367", "", "", "pre", "", "", "A1", "4", "2"]]
    assert result.origins == ((CODE_HEADINGS, 2),)
    assert result.complete == (True,)
    assert [str(o) for o in result.left_out] == [
        f"{CODE_HEADINGS}, row 3: not finished (its submitdate is blank), so this response was "
        "left out; keep incomplete responses (--keep-incomplete) to include it"
    ]
    assert result.dropped == ()
    # The multiple choice boxes have no key yet: they are not items, so their answers are left
    # out (and said to be).
    assert result.notes == (
        f"{CODE_HEADINGS}: 2 column(s) hold questions with no answer key yet, so their answers "
        "were left out (give their keys with --key): 'ROLES[SQ001]', 'ROLES[SQ002]'",
    )


def test_code_headings_example_keeps_incomplete_responses_when_asked() -> None:
    source = SourceFile.read(shared_fixture("interop", CODE_HEADINGS))
    options = ResponseOptions(timepoints={CODE_HEADINGS: "pre"}, keep_incomplete=True)
    result = read_responses([source], structure_of("kse_ls3_structure.lss"), options)
    assert column(result.frame, "participant") == ["M0367", "K1122"]
    assert column(result.frame, "K1") == ["A1", "A2"]
    assert column(result.frame, "SE_SQ001") == ["4", "3"]
    assert column(result.frame, "SE_SQ002") == ["2", ""]
    assert result.complete == (True, False)
    assert result.left_out == ()


def test_real_code_heading_export_without_code_or_timepoint_is_refused_saying_how() -> None:
    name = "ls_responses_code_headings_anonymised.csv"
    message = refused(
        [real(name)], structure_of("accent_recognition_ls25_structure.lss"), ResponseOptions()
    )
    lines = message.split("\n")
    assert lines[0].startswith(
        f"{name}: no column holds the self-generated code (none has 'code' in its name); "
        "name it with --code-field (the columns that are not questions: 'intro', 'leeftijd',"
    )
    assert lines[1] == (
        f"{name}: no timepoint: give each file's timepoint (--timepoint {name}=pre, one file "
        "per timepoint), or name the question that holds it (--timepoint-field)"
    )


def test_real_code_heading_export_reads_full_answer_texts_through_the_structure() -> None:
    name = "ls_responses_code_headings_anonymised.csv"
    options = ResponseOptions(code_field="id", timepoints={name: "post"})
    result = read_responses(
        [real(name)], structure_of("accent_recognition_ls25_structure.lss"), options
    )
    frame = result.frame
    # 65 responses (and a trailing blank line), 3 with a blank submitdate (rows 5, 9 and 12)
    # left out.
    assert len(frame) == 62
    assert [o.where for o in result.left_out] == [f"{name}, row {n}" for n in (5, 9, 12)]
    assert column(frame, "participant")[:4] == ["6", "7", "8", "10"]
    assert set(column(frame, "timepoint")) == {"post"}
    # The export holds answer texts ("Jelle", "Johanna"): mapped to the structure's codes.
    assert column(frame, "vr1004")[:4] == ["A3", "A1", "A3", "A1"]
    assert column(frame, "vr1005")[:4] == ["A6", "A5", "A1", "A1"]
    # "Willem" is not one of vr1004's options in the structure: kept as given (invalid).
    assert column(frame, "vr1004").count("Willem") == 4
    assert (
        f"{name}: answer 'Willem' to vr1004 is not one of its options, so it counts as an "
        "invalid answer (rows 11, 29, 35 and 38)"
    ) in result.notes
    assert result.origins[0] == (name, 2)
    assert result.complete[:3] == (True, True, True)


def test_real_full_text_export_with_bom_matches_questions_by_their_text() -> None:
    name = "ls_responses_fulltext_headings_bom_998192.csv"
    structure = structure_of("limonaid_998192_ls5_structure.lss")
    options = ResponseOptions(code_field="Response ID", timepoints={name: "pre"})
    result = read_responses([real(name)], structure, options)
    frame = result.frame
    assert column(frame, "participant") == ["1", "9"]
    assert column(frame, "mood") == ["", "4747647"]
    assert [column(frame, f"personality_SQ00{n}") for n in range(1, 6)] == [
        ["", "1"],
        ["", "2"],
        ["", "3"],
        ["", "3"],
        ["", "4"],
    ]
    assert len(result.left_out) == 5
    kept = read_responses(
        [real(name)],
        structure,
        ResponseOptions(code_field="Response ID", timepoints={name: "pre"}, keep_incomplete=True),
    )
    assert column(kept.frame, "participant") == ["1", "4", "5", "6", "7", "8", "9"]
    assert column(kept.frame, "personality_SQ001") == ["", "", "3", "", "", "", "1"]
    assert kept.complete == (True, False, False, False, False, False, True)


def test_real_wide_export_with_another_survey_is_refused_as_not_matching() -> None:
    name = "ls_responses_fulltext_headings_bom_100001_wide.csv"
    message = refused(
        [real(name)],
        structure_of("kse_ls3_structure.lss"),
        ResponseOptions(code_field="Response ID", timepoints={name: "pre"}),
    )
    assert message.startswith(
        f"{name}: the export's columns do not match the survey structure: none of its columns "
        "is one of its questions (expected e.g. 'K1', 'SE[SQ001]', 'SE[SQ002]'; found "
        "'Where do you live?', 'How old are you?'"
    )
    assert "Responses > Export > Export results" in message


# --- imheval's own survey, exported by LimeSurvey -----------------------------------------

ANSWERS = [
    {
        "code": "AB12",
        "timepoint": "pre",
        "k-1.a": "b",
        "k_1a": "opt-1",
        "c1": "4",
        "c2": "2",
        "c3": "5",
        "k3": "a",
        "att.1": "-2",
        "att.2": "1",
        "att.3": "10",
        "o1": "Line one, line two",
        "o2": "",
        "c4": "0",
    },
    {
        "code": "AB12",
        "timepoint": "post",
        "k-1.a": "a",
        "k_1a": "opt 2",
        "c1": "",
        "c2": "1",
        "c3": "3",
        "k3": "A",
        "att.1": "2",
        "att.2": "0",
        "att.3": "0",
        "o1": "",
        "o2": "More, please",
        "c4": "7",
    },
    {
        "code": "CD34",
        "timepoint": "fu",
        "submitted": "",
        "k-1.a": "c",
        "k_1a": "x",
        "c1": "1",
        "c2": "",
        "c3": "",
        "k3": "b",
        "att.1": "0",
        "att.2": "",
        "att.3": "",
        "o1": "",
        "o2": "",
        "c4": "",
    },
]


@pytest.mark.parametrize("full_text", [False, True], ids=["code headings", "full text"])
def test_own_survey_export_reads_back_to_the_answers_given(full_text: bool) -> None:
    instrument = handmade_instrument()
    lss = write_lss(instrument)
    structure = read_structure(SourceFile("hand-made.lss", lss.encode("utf-8")))
    export = SourceFile(
        "results.csv", limesurvey_export(lss, instrument, ANSWERS, full_text=full_text)
    )
    result = read_responses([export], structure, ResponseOptions(keep_incomplete=True))
    frame = result.frame
    ids = [q.id for q in instrument.questions]
    assert list(frame.columns)[6:] == ids
    for row, given in enumerate(ANSWERS):
        assert [frame.iloc[row][i] for i in ids] == [given[i] for i in ids]
    assert column(frame, "participant") == ["AB12", "AB12", "CD34"]
    assert column(frame, "timepoint") == ["pre", "post", "followup"]
    assert result.complete == (True, True, False)
    # LimeSurvey's token and IP address columns identify people: dropped, never in the frame.
    expected = ["Token", "IP address"] if full_text else ["token", "ipaddr"]
    assert list(result.dropped) == expected
    assert "tok1" not in frame.values and "192.0.2.7" not in frame.values
    assert not any("tok1" in note or "192.0.2.7" in note for note in result.notes)


def test_own_survey_export_reads_with_the_instrument_instead_of_the_lss() -> None:
    """With the imheval instrument (not the .lss) as the structure, the code and timepoint
    questions and the arrays' rows are still found (``ARRAY[ITEM]`` for an item)."""
    from imheval.instruments.bank import get_builtin

    instrument = get_builtin("imh-reaction")
    lss = write_lss(instrument)
    answers = [
        {
            "code": "ZZ99",
            "timepoint": "post",
            **{q.id: str(n % 5 + 1) for n, q in enumerate(instrument.questions)},
        }
    ]
    export = SourceFile("reaction.csv", limesurvey_export(lss, instrument, answers))
    result = read_responses(
        [export], maps_for_instrument(instrument, System.LIMESURVEY), ResponseOptions()
    )
    assert column(result.frame, "participant") == ["ZZ99"]
    assert column(result.frame, "timepoint") == ["post"]
    assert [result.frame.iloc[0][q.id] for q in instrument.questions] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "1",
    ]


# --- bad input and choices ------------------------------------------------------------------


def _own_export(
    rows: list[dict[str, str]], **extra: list[str]
) -> tuple[InstrumentImport, SourceFile]:
    instrument = handmade_instrument()
    lss = write_lss(instrument)
    structure = read_structure(SourceFile("hand-made.lss", lss.encode("utf-8")))
    data = limesurvey_export(lss, instrument, rows, extra=extra)
    return structure, SourceFile("results.csv", data)


def test_timepoint_answers_that_are_not_timepoints_are_left_out_or_mapped() -> None:
    rows = [dict(ANSWERS[0], timepoint="T1"), dict(ANSWERS[1], timepoint="post")]
    structure, export = _own_export(rows)
    result = read_responses([export], structure, ResponseOptions())
    assert column(result.frame, "timepoint") == ["post"]
    assert [str(o) for o in result.left_out] == [
        "results.csv, row 2: its timepoint answer 'T1' is not pre, post or followup; left out "
        "(map it with --events T1=pre)"
    ]
    mapped = read_responses([export], structure, ResponseOptions(events={"t1": "baseline"}))
    assert column(mapped.frame, "timepoint") == ["pre", "post"]


def test_no_timepoint_answer_readable_at_all_is_refused() -> None:
    rows = [dict(ANSWERS[0], timepoint="T1"), dict(ANSWERS[1], timepoint="T2")]
    structure, export = _own_export(rows)
    message = refused([export], structure, ResponseOptions())
    assert message == (
        "results.csv, column 'timepoint': no timepoint answer could be read (answers seen: "
        "'T1', 'T2'); map them with --events ANSWER=pre (or post, followup)"
    )


def test_a_file_timepoint_overrides_the_question() -> None:
    structure, export = _own_export([ANSWERS[0], ANSWERS[1]])
    result = read_responses(
        [export], structure, ResponseOptions(timepoints={"RESULTS.CSV": "Follow-up"})
    )
    assert column(result.frame, "timepoint") == ["followup", "followup"]
    message = refused([export], structure, ResponseOptions(timepoints={"results.csv": "later"}))
    assert "the timepoint given for this file, 'later', is not pre, post or followup" in message


def test_unknown_answers_are_kept_as_given_and_noted() -> None:
    structure, export = _own_export([ANSWERS[0]])
    text = export.data.decode("utf-8").replace('"b","A1"', '"z","A1"')
    result = read_responses(
        [SourceFile("results.csv", text.encode("utf-8"))], structure, ResponseOptions()
    )
    assert column(result.frame, "k-1.a") == ["z"]
    assert result.notes == (
        "results.csv: answer 'z' to k1a is not one of its options, so it counts as an invalid "
        "answer (row 2)",
    )


def test_identifying_and_extra_columns_are_dropped_or_ignored_and_said_so() -> None:
    structure, export = _own_export(
        [ANSWERS[0]], Email=["someone@example.org"], refurl=["https://x.example"], notes=["hi"]
    )
    result = read_responses([export], structure, ResponseOptions())
    assert list(result.dropped) == ["token", "ipaddr", "Email", "refurl"]
    assert "someone@example.org" not in result.frame.values
    assert result.notes == (
        "results.csv: 1 column(s) are not questions imheval carries and were ignored: 'notes'",
    )


def test_code_field_choices_are_checked() -> None:
    structure, export = _own_export([ANSWERS[0]], owncode=["X"])
    assert column(read_responses([export], structure, ResponseOptions()).frame, "participant") == [
        "AB12"
    ]
    missing = refused([export], structure, ResponseOptions(code_field="mycode"))
    assert missing.startswith(
        "results.csv: the code field 'mycode' (--code-field) is not a column of this export; "
        "its columns are 'id', 'submitdate'"
    )
    chosen = read_responses([export], structure, ResponseOptions(code_field="OWNCODE"))
    assert column(chosen.frame, "participant") == ["X"]
    bare = maps_for_instrument(handmade_instrument(), System.LIMESURVEY)
    two = refused([export], bare, ResponseOptions())
    assert two == (
        "results.csv: several columns could hold the self-generated code ('code', 'owncode'); "
        "name the right one with --code-field"
    )


def test_a_response_without_a_code_is_left_out() -> None:
    structure, export = _own_export([dict(ANSWERS[0], code=""), ANSWERS[1]])
    result = read_responses([export], structure, ResponseOptions())
    assert column(result.frame, "participant") == ["AB12"]
    assert [str(o) for o in result.left_out] == [
        "results.csv, row 2: no self-generated code; left out"
    ]


def test_every_file_problem_is_reported_together_and_nothing_is_imported() -> None:
    structure, export = _own_export([ANSWERS[0]])
    ragged = SourceFile("ragged.csv", b"id,submitdate,code\n1,2026-01-01,AB12,extra\n")
    other = SourceFile.read(shared_fixture("interop", CODE_HEADINGS))
    message = refused([export, ragged, other], structure, ResponseOptions())
    lines = message.split("\n")
    assert lines[0] == "ragged.csv, row 2: this row has 4 cells but the header has 3"
    assert lines[1].startswith(
        f"{CODE_HEADINGS}: the export's columns do not match the survey structure"
    )
    assert len(lines) == 2


def test_nothing_left_to_import_is_refused_with_the_reasons() -> None:
    structure, export = _own_export([ANSWERS[2]])
    message = refused([export], structure, ResponseOptions())
    assert message == (
        "results.csv: no response is left to import (results.csv, row 2: not finished (its "
        "submitdate is blank), so this response was left out; keep incomplete responses "
        "(--keep-incomplete) to include it)"
    )


def test_a_full_text_heading_starting_with_name_is_a_question_not_a_name() -> None:
    from imheval.instruments import Instrument

    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "names",
            "version": "1.0.0",
            "title": "Names",
            "levels": ["beginner"],
            "domains": [{"id": "k", "label": "Knowledge"}],
            "items": [
                {
                    "id": "n1",
                    "domain": "k",
                    "text": "Name the age of most rapid brain growth",
                    "options": {"a": "0-3", "b": "3-5"},
                    "key": "a",
                }
            ],
        }
    )
    export = SourceFile(
        "names.csv",
        b'"Response ID","Date submitted","Your code","Timepoint",'
        b'"Name the age of most rapid brain growth","Email address"\n'
        b'"1","2026-01-01 10:00:00","AB12","Before the training","0-3","x@example.org"\n',
    )
    result = read_responses(
        [export], maps_for_instrument(instrument, System.LIMESURVEY), ResponseOptions()
    )
    assert result.frame.values.tolist() == [["AB12", "", "", "pre", "", "", "a"]]
    assert result.dropped == ("Email address",)


def test_an_identifying_column_cannot_be_the_code() -> None:
    structure, export = _own_export([ANSWERS[0]])
    message = refused([export], structure, ResponseOptions(code_field="token"))
    assert message == (
        "results.csv: the code field 'token' (--code-field) identifies people, so imheval "
        "drops it; name the column that holds the self-generated code"
    )


def test_survey_structure_reads_exports_of_an_exported_instrument_exactly() -> None:
    instrument = handmade_instrument()
    lss = write_lss(instrument)
    export = SourceFile("results.csv", limesurvey_export(lss, instrument, ANSWERS[:2]))
    exact = read_responses([export], survey_structure(instrument), ResponseOptions())
    ids = [q.id for q in instrument.questions]
    assert [[exact.frame.iloc[r][i] for i in ids] for r in range(2)] == [
        [ANSWERS[r][i] for i in ids] for r in range(2)
    ]
    assert exact.notes == ()
    # The bare instrument knows neither the codes LimeSurvey gave ids it cannot hold (k-1.a is
    # k1a) nor that it holds option "a" of k3 as A1 (beside "A"): those answers are lost or
    # invalid, and said to be.
    bare = read_responses(
        [export], maps_for_instrument(instrument, System.LIMESURVEY), ResponseOptions()
    )
    assert column(bare.frame, "k-1.a") == ["", ""]
    assert column(bare.frame, "k3") == ["A1", "A"]
    assert column(bare.frame, "c1") == ["4", ""]
    assert any("answer 'A1' to k3 is not one of its options" in note for note in bare.notes)
    assert any("'k-1.a'" in note and "not in the export" in note for note in bare.notes)


def test_a_negative_rating_written_m2_reads_as_minus_2_with_the_bare_instrument() -> None:
    from imheval.instruments import Instrument

    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "change",
            "version": "1.0.0",
            "title": "Change",
            "levels": ["beginner"],
            "domains": [{"id": "c", "label": "Change"}],
            "scales": {"bipolar": {"min": -2, "max": 2}},
            "items": [{"id": "ch1", "domain": "c", "text": "How changed?", "scale": "bipolar"}],
        }
    )
    lss = write_lss(instrument)
    answers = [{"code": "AB12", "timepoint": "pre", "ch1": "-2"}]
    export = SourceFile("change.csv", limesurvey_export(lss, instrument, answers))
    assert b'"m2"' in export.data
    result = read_responses(
        [export], maps_for_instrument(instrument, System.LIMESURVEY), ResponseOptions()
    )
    assert column(result.frame, "ch1") == ["-2"]


# --- full answer texts: unlabelled rating points, and yes/no in the survey's language ----------


@pytest.mark.parametrize("read_with", ["lss", "instrument"])
def test_an_unlabelled_rating_point_in_a_full_text_export_is_read_without_a_note(
    read_with: str,
) -> None:
    # att.1 runs -2 (Much worse) .. 2 (Much better): LimeSurvey holds -1 as the answer m1,
    # whose text (written in a full-text export) is "-1"
    instrument = handmade_instrument()
    lss = write_lss(instrument)
    rows = [dict(ANSWERS[0], **{"att.1": "-1"}), dict(ANSWERS[1], **{"att.1": "1"})]
    data = limesurvey_export(lss, instrument, rows, full_text=True)
    assert b'"-1"' in data and b'"m1"' not in data
    structure = (
        read_structure(SourceFile("hand-made.lss", lss.encode("utf-8")))
        if read_with == "lss"
        else survey_structure(instrument)
    )
    result = read_responses([SourceFile("results.csv", data)], structure, ResponseOptions())
    assert column(result.frame, "att.1") == ["-1", "1"]
    assert result.notes == ()


ACCENT = "ls_responses_code_headings_anonymised.csv"


def _accent(
    lss_language: str | None = None, start_language: str | None = None
) -> tuple[InstrumentImport, SourceFile]:
    """The real export (Dutch, full answer texts, Eindvraag a yes/no question answered Ja or
    Nee) and its hand-made structure with Eindvraag keyed Y; the survey's base language (nl)
    or the responses' start language (en) changed when given."""
    from imheval.interop.convert import apply_keys

    lss = (DATA / "accent_recognition_ls25_structure.lss").read_text("utf-8")
    if lss_language:
        assert lss.count("<language>nl</language>") == 1
        lss = lss.replace("<language>nl</language>", f"<language>{lss_language}</language>")
        lss = lss.replace("<![CDATA[nl]]>", f"<![CDATA[{lss_language}]]>")
    structure = apply_keys(
        read_structure(SourceFile("accent.lss", lss.encode())), {"Eindvraag": ["Y"]}
    )
    export = real(ACCENT)
    if start_language:
        assert export.data.count(b',"en",') == 65
        export = SourceFile(
            ACCENT, export.data.replace(b',"en",', f',"{start_language}",'.encode())
        )
    return structure, export


def _eindvraag(
    structure: InstrumentImport, export: SourceFile
) -> tuple[list[str], tuple[str, ...]]:
    options = ResponseOptions(code_field="id", timepoints={ACCENT: "post"})
    result = read_responses([export], structure, options)
    return column(result.frame, "Eindvraag"), result.notes


def test_dutch_ja_and_nee_of_a_yes_no_question_are_read_as_y_and_n() -> None:
    # the survey's language is nl (its .lss says so); LimeSurvey wrote its "Yes" and "No" in
    # Dutch. The 62 finished responses: 8 Ja, 54 Nee (the answers as the file has them).
    structure, export = _accent()
    assert structure.instrument.language == "nl"
    answers, notes = _eindvraag(structure, export)
    assert (answers.count("Y"), answers.count("N"), len(answers)) == (8, 54, 62)
    assert column_rows(export, "Eindvraag", answers) == {"Ja": "Y", "Nee": "N"}
    assert not any("Eindvraag" in note for note in notes)


def test_yes_and_no_are_read_in_the_responses_start_language_too() -> None:
    # a survey whose base language imheval has no words for (Hungarian), answered in Dutch
    structure, export = _accent(lss_language="hu", start_language="nl-informal")
    answers, notes = _eindvraag(structure, export)
    assert (answers.count("Y"), answers.count("N")) == (8, 54)
    assert not any("Eindvraag" in note for note in notes)


def test_yes_and_no_in_a_language_imheval_does_not_know_are_kept_and_explained() -> None:
    structure, export = _accent(lss_language="hu")
    answers, notes = _eindvraag(structure, export)
    # kept as given, so they count as invalid answers
    assert (answers.count("Ja"), answers.count("Nee"), answers.count("Y")) == (8, 54, 0)
    assert (
        f"{ACCENT}: Eindvraag is a yes/no question, and its answers 'Nee', 'Ja' are not yes "
        "or no in the words imheval knows. LimeSurvey writes yes and no in the language chosen "
        "for the export; imheval knows them in en of the survey's languages (hu, en). Export "
        "the responses again with 'Answer codes' (Y and N) to read them"
    ) in notes
    assert any(note.startswith(f"{ACCENT}: answer 'Ja' to Eindvraag is not one") for note in notes)


def column_rows(export: SourceFile, name: str, read: list[str]) -> dict[str, str]:
    """Each answer as the export writes it (finished responses, in order) → as read."""
    import csv
    import io

    rows = csv.DictReader(io.StringIO(export.data.decode("utf-8-sig")))
    given = [row[name] for row in rows if row.get("submitdate", "").strip()]
    assert len(given) == len(read)
    return dict(zip(given, read, strict=True))
