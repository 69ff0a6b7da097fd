"""Microsoft Forms: the questionnaire inferred from a download (quiz keys, multi-select options,
ratings, open text, questions nothing scores), timepoints from files or a question, several
files read together, and label answers mapped to a given instrument's options."""

from __future__ import annotations

import pytest

from imheval.errors import DataFormatError
from imheval.instruments import Domain, Instrument, KeyedItem, OpenItem, RatingItem, RatingScale
from imheval.interop.common import maps_for_instrument
from imheval.interop.model import (
    Conversion,
    InstrumentImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
)
from imheval.interop.msforms.responses import read_responses
from interop.msforms_build import Asked, download, xlsx

CODES = ["AB12", "CD34", "EF56", "GH78"]
CODE = Asked("Your self-generated code", CODES)
AGE = Asked("Which age matters most?", ["0-3", "5-11", "0-3", "11-18"], [1, 0, 1, 0])


def _convert(
    sources: list[SourceFile],
    structure: InstrumentImport | None = None,
    **options: object,
) -> tuple[InstrumentImport, ResponsesImport]:
    if "timepoints" not in options and "timepoint_field" not in options:
        options["timepoints"] = {source.name: "pre" for source in sources}
    conversion: Conversion = read_responses(sources, structure, ResponseOptions(**options))  # type: ignore[arg-type]
    assert conversion.responses is not None
    return conversion.structure, conversion.responses


def _column(responses: ResponsesImport, name: str) -> list[str]:
    return [str(value) for value in responses.frame[name]]


def test_quiz_key_points_and_an_inconsistent_question() -> None:
    built = download(
        [
            CODE,
            AGE,
            Asked(
                "Who helps most?", ["Health visitor", "GP", "GP", "Health visitor"], [2, 0, 0, 2]
            ),
            Asked("Q3", ["x", "y", "x", "y"], [1, 0, 0, 0]),  # x scores in row 2, not in row 4
        ]
    )
    structure, responses = _convert([xlsx(built)])
    instrument = structure.instrument
    assert [q.id for q in instrument.questions] == ["q2", "q3"]
    age, helper = instrument.questions
    assert isinstance(age, KeyedItem) and isinstance(helper, KeyedItem)
    assert age.options == {"a": "0-3", "b": "11-18", "c": "5-11"} and age.key == ("a",)
    assert age.points == 1
    assert helper.options == {"a": "GP", "b": "Health visitor"} and helper.key == ("b",)
    assert helper.points == 2
    assert [d.id for d in instrument.domains] == ["imh_quiz"]
    assert instrument.title == "IMH quiz"
    assert _column(responses, "q2") == ["a", "c", "a", "b"]
    assert _column(responses, "q3") == ["b", "a", "a", "b"]
    (unkeyed,) = structure.unkeyed
    assert (unkeyed.item, unkeyed.source, unkeyed.after) == ("q4", "Q3", "q3")
    assert unkeyed.options == {"a": "x", "b": "y"}
    assert unkeyed.answers.codes == {"x": "a", "y": "b"}
    omission = next(o for o in structure.omissions if o.where == "question 'Q3'")
    assert omission.message == (
        "the quiz's points do not say which answer is right: the same answer scored "
        "differently in different rows ('x' got 1 in row 2 but 0 in row 4). It is not keyed: "
        'check the answer key in Forms, or give the key with --key "Q3=ANSWER"'
    )
    assert [a.item for a in structure.answers] == ["q2", "q3"]
    assert structure.answer_map("q3").codes == {"GP": "a", "Health visitor": "b"}
    assert structure.code_field == "Your self-generated code"


def test_right_answers_scoring_different_points_are_not_keyed() -> None:
    built = download([CODE, AGE, Asked("Q", ["x", "y", "z", "z"], [1, 2, 0, 0])])
    structure, _ = _convert([xlsx(built)])
    omission = next(o for o in structure.omissions if o.where == "question 'Q'")
    assert "its right answers scored different points ('x' got 1 in row 2; 'y' got 2" in (
        omission.message
    )
    assert [u.item for u in structure.unkeyed] == ["q3"]


def test_a_question_everyone_got_right_is_left_out() -> None:
    built = download([CODE, AGE, Asked("Easy one", ["yes"] * 4, [1, 1, 1, 1])])
    structure, responses = _convert([xlsx(built)])
    assert [q.id for q in structure.instrument.questions] == ["q2"]
    omission = next(o for o in structure.omissions if o.where == "question 'Easy one'")
    assert omission.message.startswith("every answer given scored")
    assert list(responses.frame.columns[6:]) == ["q2"]


def test_multiselect_quiz_question_becomes_one_keyed_item_per_option() -> None:
    signs = Asked(
        "Which are signs of distress?",
        ["Crying;Gaze aversion;", "Crying;", "Crying;Gaze aversion;Smiling;", ""],
        [2, 0, 0, None],
    )
    built = download([CODE, AGE, signs])
    structure, responses = _convert([xlsx(built)])
    items = [q for q in structure.instrument.questions if q.id.startswith("q3_")]
    assert [(q.id, q.text) for q in items] == [
        ("q3_1", "Which are signs of distress?: Crying"),
        ("q3_2", "Which are signs of distress?: Gaze aversion"),
        ("q3_3", "Which are signs of distress?: Smiling"),
    ]
    assert all(
        isinstance(q, KeyedItem) and q.options == {"1": "ticked", "0": "not ticked"} for q in items
    )
    assert [q.key for q in items if isinstance(q, KeyedItem)] == [("1",), ("1",), ("0",)]
    assert _column(responses, "q3_1") == ["1", "1", "1", ""]
    assert _column(responses, "q3_2") == ["1", "0", "1", ""]
    assert _column(responses, "q3_3") == ["0", "0", "1", ""]
    assert structure.answer_map("q3_2").columns == ("Which are signs of distress?",)
    assert any("multi-select quiz question" in note for note in responses.notes)


def test_multiselect_survey_question_with_trailing_semicolons_is_listed_per_option() -> None:
    services = Asked(
        "Which services do you work in?",
        ["Adult mental health;Children's services;", "Health visiting;", "", "Health visiting;"],
    )
    built = download([CODE, AGE, services])
    structure, responses = _convert([xlsx(built)])
    assert [(u.item, u.text, u.after) for u in structure.unkeyed] == [
        ("q3_1", "Which services do you work in?: Adult mental health", "q2"),
        ("q3_2", "Which services do you work in?: Children's services", "q2"),
        ("q3_3", "Which services do you work in?: Health visiting", "q2"),
    ]
    assert structure.unkeyed[0].options == {"1": "ticked", "0": "not ticked"}
    assert structure.unkeyed[2].answers.columns == ("Which services do you work in?",)
    assert list(responses.frame.columns[6:]) == ["q2"]
    assert any(
        o.where == "question 'Which services do you work in?: Health visiting'"
        and '--key "Which services do you work in?: Health visiting=ANSWER"' in o.message
        for o in structure.omissions
    )


def test_ratings_share_a_scale_in_a_domain_of_their_own_beside_the_quiz() -> None:
    built = download(
        [
            CODE,
            AGE,
            Asked("How confident are you?", ["4", "2", "5", "3"]),
            Asked("How ready do you feel?", ["2", "5", "", "4"]),
            Asked("Rate the venue (0-10)", ["0", "10", "7", "9"]),
        ]
    )
    structure, responses = _convert([xlsx(built)])
    instrument = structure.instrument
    assert [(d.id, d.label) for d in instrument.domains] == [
        ("imh_quiz", "IMH quiz"),
        ("imh_quiz-ratings-2-5", "IMH quiz: ratings 2 to 5"),
        ("imh_quiz-ratings-0-10", "IMH quiz: ratings 0 to 10"),
    ]
    assert {name: (s.min, s.max) for name, s in instrument.scales.items()} == {
        "scale_1": (2, 5),
        "scale_2": (0, 10),
    }
    ratings = [q for q in instrument.questions if isinstance(q, RatingItem)]
    assert [(q.id, q.scale, q.domain) for q in ratings] == [
        ("q3", "scale_1", "imh_quiz-ratings-2-5"),
        ("q4", "scale_1", "imh_quiz-ratings-2-5"),
        ("q5", "scale_2", "imh_quiz-ratings-0-10"),
    ]
    assert _column(responses, "q4") == ["2", "5", "", "4"]
    assert (
        "q3, q4: whole-number answers from 2 to 5, read as ratings on a scale 2 to 5 (scale_1); "
        "its ends are the lowest and highest answers seen, so if the real scale is wider, edit "
        "the scale in instrument.yaml"
    ) in responses.notes


def test_ratings_alone_make_one_domain_named_after_the_form() -> None:
    built = download([CODE, Asked("How confident are you?", ["1", "2", "5", "3"])])
    structure, _ = _convert([xlsx(built, "Confidence survey(1-4).xlsx")])
    assert [(d.id, d.label) for d in structure.instrument.domains] == [
        ("confidence_survey", "Confidence survey")
    ]


def test_free_text_is_an_open_question_and_numbers_far_apart_are_left_out() -> None:
    comments = [
        "I will use the still-face video with parents next week.",
        "More time on attachment and on talking with fathers, please.",
        "The case studies helped me to think about my own visits.",
        "Line one\nline two",
    ]
    built = download(
        [CODE, AGE, Asked("Any comments?", comments), Asked("Years in post", ["1", "30", "", "4"])]
    )
    structure, responses = _convert([xlsx(built)])
    open_item = structure.instrument.questions[1]
    assert isinstance(open_item, OpenItem) and open_item.id == "q3" and open_item.domain is None
    assert _column(responses, "q3") == comments
    omission = next(o for o in structure.omissions if o.where == "question 'Years in post'")
    assert omission.message.startswith("its answers are numbers from 1 to 30, too far apart")


def test_forms_own_columns_are_an_omission_of_the_inferred_structure() -> None:
    structure, _ = _convert([xlsx(download([CODE, AGE]))])
    last = structure.omissions[-1]
    assert last.where == (
        "columns 'Start time', 'Completion time', 'Last modified time', 'Total points', "
        "'Quiz feedback', 'Feedback - <question>'"
    )


def test_total_points_disagreeing_with_the_questions_is_noted_with_its_rows() -> None:
    built = download([CODE, AGE], totals=[1, 5, 1, 3])
    _, responses = _convert([xlsx(built, "quiz.xlsx")])
    assert (
        "quiz.xlsx: Total points is not the sum of the questions' points in rows 3 and 5 (row 3: "
        "Total points 5, the questions' points 0); imheval trusts the questions: it scores each "
        "question from its answer and never reads Total points"
    ) in responses.notes


def test_one_file_per_timepoint_read_together() -> None:
    pre = download([CODE, AGE])
    post = download(
        [
            Asked("Your self-generated code", ["CD34", "AB12", "ZZ99"]),
            Asked("Which age matters most?", ["0-3", "0-3", "Adolescence"], [1, 1, 0]),
            Asked("How confident are you?", ["4", "5", "3"]),
        ]
    )
    files = [xlsx(pre, "IMH quiz pre.xlsx"), xlsx(post, "IMH quiz post.xlsx")]
    timepoints = {"data/IMH quiz pre.xlsx": "Pre", "IMH quiz post.xlsx": "post"}
    structure, responses = _convert(files, timepoints=timepoints)
    assert structure.instrument.title == "IMH quiz"
    age = structure.instrument.questions[0]
    assert isinstance(age, KeyedItem)
    assert age.options == {"a": "0-3", "b": "11-18", "c": "5-11", "d": "Adolescence"}
    assert _column(responses, "participant") == [*CODES, "CD34", "AB12", "ZZ99"]
    assert _column(responses, "timepoint") == ["pre"] * 4 + ["post"] * 3
    assert _column(responses, "q2") == ["a", "c", "a", "b", "a", "a", "d"]
    assert _column(responses, "q3") == ["", "", "", "", "4", "5", "3"]
    assert responses.origins[3:5] == (("IMH quiz pre.xlsx", 5), ("IMH quiz post.xlsx", 2))
    assert (
        "the question 'How confident are you?' is not in IMH quiz pre.xlsx: its answers there "
        "are blank"
    ) in responses.notes


def test_timepoint_question_with_an_answer_mapped_and_one_left_out() -> None:
    built = download([CODE, Asked("Timepoint", ["Pre", "Post", "Mid-way", ""]), AGE])
    structure, responses = _convert([xlsx(built, "q.xlsx")], timepoint_field=None, events={})
    assert structure.timepoint_field == "Timepoint"
    assert _column(responses, "timepoint") == ["pre", "post"]
    assert [str(o) for o in responses.left_out] == [
        "q.xlsx, row 4: its answer to the timepoint question 'Timepoint', 'Mid-way', is not pre, "
        'post or follow-up: left out (say which it is with --events "Mid-way=pre")',
        "q.xlsx, row 5: no answer to the timepoint question 'Timepoint': left out",
    ]
    _, mapped = _convert(
        [xlsx(built, "q.xlsx")], timepoint_field="timepoint", events={"mid-way": "followup"}
    )
    assert _column(mapped, "timepoint") == ["pre", "post", "followup"]


def test_a_question_answered_only_with_timepoint_words_gives_the_timepoint() -> None:
    built = download(
        [CODE, Asked("Are you filling this in", ["Before", "After", "after", "before"]), AGE]
    )
    structure, responses = _convert([xlsx(built)], timepoint_field=None)
    assert structure.timepoint_field == "Are you filling this in"
    assert _column(responses, "timepoint") == ["pre", "post", "post", "pre"]
    assert [q.id for q in structure.instrument.questions] == ["q3"]


def test_timepoint_answers_none_of_which_is_a_timepoint_are_refused() -> None:
    built = download([CODE, Asked("Timepoint", ["June", "July", "June", "July"]), AGE])
    with pytest.raises(DataFormatError) as caught:
        _convert([xlsx(built, "q.xlsx")], timepoint_field="Timepoint")
    (problem,) = caught.value.problems
    assert (problem.file, problem.column) == ("q.xlsx", "Timepoint")
    assert problem.message == (
        "no answer to the timepoint question is a timepoint (pre, post or follow-up): the "
        "answers are 'June', 'July'. Say which is which with --events \"ANSWER=pre\""
    )


def test_cohort_question_and_a_response_without_a_code() -> None:
    built = download(
        [
            Asked("Your self-generated code", ["AB12", " ", "EF56", "GH78"]),
            Asked("Which cohort are you in?", ["North", "North", "", "South"]),
            Asked("Your profession", ["Health visitor", "GP", "Nurse", "Midwife"]),
            AGE,
        ]
    )
    _, responses = _convert([xlsx(built, "q.xlsx")], cohort="all")
    assert _column(responses, "cohort") == ["North", "all", "South"]
    assert _column(responses, "profession") == ["Health visitor", "Nurse", "Midwife"]
    assert [str(o) for o in responses.left_out] == [
        "q.xlsx, row 3: no self-generated code: left out"
    ]


def test_two_code_questions_need_code_field() -> None:
    built = download([CODE, Asked("Course code", ["C1", "C1", "C2", "C2"]), AGE])
    with pytest.raises(DataFormatError, match="several questions could hold the self-generated"):
        _convert([xlsx(built)])
    _, responses = _convert([xlsx(built)], code_field="your SELF-generated code")
    assert _column(responses, "participant") == CODES


def _instrument() -> Instrument:
    return Instrument(
        format="imheval-instrument/1",
        id="imh-mini",
        version="1.0.0",
        title="IMH mini",
        levels=("beginner",),
        domains=(Domain(id="knowledge", label="Knowledge"), Domain(id="se", label="Confidence")),
        scales={"agree": RatingScale(min=1, max=5, labels={1: "Strongly disagree", 5: "Agree"})},
        questions=(
            KeyedItem(
                id="k1",
                domain="knowledge",
                text="Which age matters most?",
                options={"b": "0-3", "a": "5-11", "c": "11-18"},
                key=("b",),
            ),
            RatingItem(id="se1", domain="se", text="How confident are you?", scale="agree"),
            OpenItem(kind="open", id="o1", text="Anything else?"),
            KeyedItem(
                id="k2",
                domain="knowledge",
                text="Not asked in the form",
                options={"1": "yes", "2": "no"},
                key=("1",),
            ),
        ),
    )


def test_label_answers_are_mapped_to_the_instruments_codes() -> None:
    built = download(
        [
            CODE,
            Asked("Which  age matters MOST? ", ["0-3", "5-11", "a", "Don't know"]),
            Asked("How confident are you?", ["Agree", "3", "strongly disagree", ""]),
            Asked("Anything else?", ["No", "", "More please", "b"]),
            Asked("Extra question", ["x", "y", "x", "y"]),
        ]
    )
    structure = maps_for_instrument(_instrument(), System.MSFORMS)
    result, responses = _convert([xlsx(built)], structure)
    assert result is structure
    assert list(responses.frame.columns[6:]) == ["k1", "se1", "o1", "k2"]
    # labels first: "a" is not a label, so it is the code a; "0-3" is b's label
    assert _column(responses, "k1") == ["b", "a", "a", "Don't know"]
    assert _column(responses, "se1") == ["5", "3", "1", ""]
    assert _column(responses, "o1") == ["No", "", "More please", "b"]
    assert _column(responses, "k2") == [""] * 4
    assert (
        "k1: the answers 'Don't know' are not among its options; they are kept as given, so "
        "scoring counts them as invalid"
    ) in responses.notes
    assert (
        "1 of the instrument's questions are not in the download (k2): their answers are blank"
        in (responses.notes)
    )
    assert "1 question(s) of the download are not in the instrument and were ignored: " in (
        " ".join(responses.notes)
    )


def test_an_instrument_none_of_whose_questions_is_in_the_download_is_refused() -> None:
    built = download([CODE, Asked("Something else", ["x", "y", "x", "y"])])
    structure = maps_for_instrument(_instrument(), System.MSFORMS)
    with pytest.raises(DataFormatError) as caught:
        _convert([xlsx(built, "q.xlsx")], structure)
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "the download's columns do not match the instrument 'imh-mini': none of its 4 questions "
        "('Which age matters most?', 'How confident are you?', 'Anything else?', 'Not asked in "
        "the form') is a column of the download, whose questions are 'Your self-generated "
        "code', 'Something else'."
    )


def test_inferred_structure_read_back_as_a_structure_gives_the_same_frame() -> None:
    signs = Asked("Which are signs?", ["A;B;", "A;", "B;", "A;B;"], [1, 0, 0, 1])
    built = download([CODE, AGE, signs, Asked("How confident are you?", ["1", "2", "4", "5"])])
    source = xlsx(built)
    structure, first = _convert([source])
    again, second = _convert([source], structure)
    assert again is structure
    assert first.frame.equals(second.frame)
    assert list(second.frame.columns[6:]) == ["q2", "q3_1", "q3_2", "q4"]


def test_ratings_on_two_scales_alone_make_a_domain_per_scale() -> None:
    built = download(
        [
            CODE,
            Asked("How confident are you?", ["1", "2", "1", "1"]),
            Asked("How ready do you feel?", ["2", "3", "1", "1"]),
        ]
    )
    structure, _ = _convert([xlsx(built, "forms.xlsx")])
    assert [d.id for d in structure.instrument.domains] == [
        "forms-ratings-1-2",
        "forms-ratings-1-3",
    ]
