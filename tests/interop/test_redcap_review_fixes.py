"""REDCap reader fixes from the review of issue 17: identifying questions found by their label,
unscored shared choice lists that are not scales, and a dictionary whose instrument cannot be
built refused with plain problems (never pydantic's text)."""

from __future__ import annotations

import pytest
from tests.interop.redcap_dict_build import dictionary, field

from imheval.errors import InstrumentError
from imheval.interop.model import ResponseOptions, SourceFile
from imheval.interop.redcap.dictionary import read_dictionary
from imheval.interop.redcap.records import read_records

CODE = field(
    "own_code",
    "text",
    "Your code: the first letter of your mother's first name and your birth month",
)
K1 = field("k1", "radio", "Sky colour?", "a, Blue | b, Red")
SCORE = field("score", "calc", "Score", "if([k1]='a',1,0)")
ABC = "1, A | 2, B | 3, C"


def test_fields_labelled_as_identifying_are_never_questions_and_are_dropped() -> None:
    source = dictionary(
        [
            CODE,
            field("ptname", "text", "Name"),
            field("q2", "text", "What is your email address?"),
            field("q3", "notes", "What did you learn?"),
            K1,
            SCORE,
        ]
    )
    imported = read_dictionary(source)
    assert imported.code_field == "own_code"
    assert imported.identifying == ("ptname", "q2")
    assert [q.id for q in imported.instrument.questions] == ["q3", "k1"]
    records = (
        "record_id,redcap_event_name,own_code,ptname,q2,q3,k1,quiz_complete\n"
        "1,pre_arm_1,AA1,Alice Smith,alice@x.org,Lots,a,2\n"
    )
    result = read_records(
        [SourceFile(name="r.csv", data=records.encode())], imported, ResponseOptions()
    )
    assert result.frame[["participant", "timepoint", "k1", "q3"]].values.tolist() == [
        ["AA1", "pre", "a", "Lots"]
    ]
    assert {"ptname", "q2"} <= set(result.dropped)
    text = result.frame.to_csv() + " ".join(result.notes)
    assert "Alice" not in text and "alice@x.org" not in text


def test_a_labelled_export_reads_the_code_whose_label_ends_in_phone() -> None:
    # "... last 2 digits of phone" is the code's label, not a phone number column.
    source = dictionary(
        [
            field("own_code", "text", "Your personal code (initial + last 2 digits of phone)"),
            K1,
            SCORE,
        ]
    )
    imported = read_dictionary(source)
    records = (
        "Record ID,Event Name,Your personal code (initial + last 2 digits of phone),Sky colour?,"
        "Complete?\n1,Pre (Arm 1: Arm 1),M0367,Blue,Complete\n"
    )
    result = read_records(
        [SourceFile(name="labels.csv", data=records.encode())], imported, ResponseOptions()
    )
    assert result.frame[["participant", "timepoint", "k1"]].values.tolist() == [
        ["M0367", "pre", "a"]
    ]


def test_a_shared_list_of_questions_an_unreadable_calc_names_is_not_a_scale() -> None:
    source = dictionary(
        [
            CODE,
            field("k1", "radio", "Q1", ABC),
            field("k2", "radio", "Q2", ABC),
            field("k3", "radio", "Q3", ABC),
            field("r1", "radio", "R1", "1, SD | 2, D | 3, N | 4, A | 5, SA"),
            field("r2", "radio", "R2", "1, SD | 2, D | 3, N | 4, A | 5, SA"),
            field("kscore", "calc", "Knowledge", "if([k1]='1', 1, if([k1]='2', 0.5, 0))+[k2]"),
        ]
    )
    imported = read_dictionary(source)
    assert [(q.id, q.kind) for q in imported.instrument.items] == [
        ("r1", "rating"),
        ("r2", "rating"),
    ]
    assert [q.source for q in imported.unkeyed] == ["k1", "k2", "k3"]


def test_a_shared_list_beside_a_keyed_question_is_not_a_scale() -> None:
    source = dictionary(
        [
            CODE,
            field("k1", "radio", "Q1", ABC),
            field("k2", "radio", "Q2", ABC),
            field("k3", "radio", "Q3", ABC),
            field("kscore", "calc", "Knowledge", "if([k1]='2',1,0)"),
        ]
    )
    imported = read_dictionary(source)
    assert [(q.id, q.kind) for q in imported.instrument.items] == [("k1", "keyed")]
    assert [q.source for q in imported.unkeyed] == ["k2", "k3"]


def test_the_same_question_on_several_forms_is_not_a_battery() -> None:
    cause = "1, Vascular | 2, CVD | 3, Other"
    source = dictionary(
        [
            CODE,
            K1,
            SCORE,
            field("cause_1", "dropdown", "What was the cause?", cause, form="month_1"),
            field("cause_2", "dropdown", "What was the cause?", cause, form="month_2"),
        ]
    )
    imported = read_dictionary(source)
    assert [q.source for q in imported.unkeyed] == ["cause_1", "cause_2"]


def test_competencies_without_their_framework_are_left_out_with_an_omission() -> None:
    source = dictionary(
        [
            CODE,
            field(
                "k1",
                "radio",
                "Sky?",
                "a, Blue | b, Red",
                annotation="@IMHEVAL-ID=KA01 @IMHEVAL-COMPETENCIES=d1",
            ),
            SCORE,
        ]
    )
    imported = read_dictionary(source)
    assert imported.instrument.items[0].competencies == ()
    assert [o.message for o in imported.omissions if o.where == "questions 'KA01'"] == [
        "their competencies are left out: no competency framework is named (imheval's "
        "exported code field, which names it, is not in this dictionary)"
    ]


def test_an_instrument_that_cannot_be_built_is_refused_naming_file_and_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Competencies that reach validation without a framework (the check that drops them
    # switched off) stand for any invalid instrument: plain problems, never pydantic's text.
    from imheval.interop.redcap import dictionary as module

    monkeypatch.setattr(module._Builder, "_check_competencies", lambda *args: None)
    annotation = "@IMHEVAL-ID=KA01 @IMHEVAL-COMPETENCIES=d1"
    source = dictionary(
        [CODE, field("k1", "radio", "Sky?", "a, Blue | b, Red", annotation=annotation), SCORE]
    )
    with pytest.raises(InstrumentError) as error:
        read_dictionary(source)
    messages = [str(problem) for problem in error.value.problems]
    assert messages == [
        "dictionary.csv: the instrument read from this dictionary is not valid: items name "
        "competencies but the instrument names no framework; add 'framework:' (one of: "
        "aimh-uk-imhcf, mi-aimh); correct the dictionary and read it again"
    ]
