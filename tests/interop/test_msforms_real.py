"""Microsoft Forms: the real quiz download and the shared example downloads, read in place.

The real file (shared/fixtures/interop/real/msforms, see its SOURCES.md) is a 2020 quiz that its
uploader edited in Excel: no question's points are consistent (the same answer scores 0 in one
row and 10 in another), so imheval cannot infer a key and refuses to guess, saying which rows
contradict which; read with the instrument the quiz was built from, it imports, with a note that
Total points disagrees with the questions' points in rows 2, 3, 5 and 8.
"""

from __future__ import annotations

import pytest

from imheval.errors import DataFormatError
from imheval.instruments import Domain, Instrument, KeyedItem, RatingItem, RatingScale
from imheval.interop.common import maps_for_instrument
from imheval.interop.model import ResponseOptions, SourceFile, System
from imheval.interop.msforms._metadata import Role, recognise
from imheval.interop.msforms._read import read_table
from imheval.interop.msforms.responses import read_responses, read_responses_keyed
from shared_fixtures import shared_fixture

REAL = "msforms_quiz_category1_excel_resaved.xlsx"
QUESTIONS = (
    "Question 12",
    "Q2",
    "Question 32",
    "Q4",
    "Q5",
    "Question 62",
    "Question 72",
    "Question 82",
    "Question 92",
    "Q10",
)
EMAILS = [f"test{n}@test.com" for n in range(1, 8)]
NAMES = [f"Person {n}" for n in range(1, 8)]


def _real() -> SourceFile:
    return SourceFile.read(shared_fixture("interop", "real", "msforms", REAL))


def _quiz_instrument() -> Instrument:
    """The quiz as its owner might have written it for imheval: options coded 1 and 2."""
    return Instrument(
        format="imheval-instrument/1",
        id="category-1",
        version="1.0.0",
        title="Category 1",
        levels=("beginner",),
        domains=(Domain(id="quiz", label="Quiz"),),
        questions=tuple(
            KeyedItem(
                id=f"k{number}",
                domain="quiz",
                text=title,
                options={"1": "a", "2": "b"},
                key=("1",),
                points=10,
            )
            for number, title in enumerate(QUESTIONS, start=1)
        ),
    )


def test_real_quiz_block_and_triplets_are_recognised() -> None:
    export = recognise(read_table(_real()))
    assert dict(export.metadata) == {
        Role.ID: 0,
        Role.START: 1,
        Role.COMPLETION: 2,
        Role.EMAIL: 3,
        Role.NAME: 4,
        Role.TOTAL_POINTS: 5,
        Role.QUIZ_FEEDBACK: 6,
    }
    assert export.language == "en" and export.quiz
    assert tuple(q.title for q in export.questions) == QUESTIONS
    assert [(q.column, q.points, q.feedback) for q in export.questions[:2]] == [
        (7, 8, 9),
        (10, 11, 12),
    ]
    assert [number for number, _ in export.table.rows] == [2, 3, 4, 5, 6, 7, 8]
    # the ID column starts at 3 and the times are real Excel date-times
    assert [cells[0] for _, cells in export.table.rows] == [str(n) for n in range(3, 10)]
    assert export.table.rows[0][1][1] == "2020-05-22T17:58:08"


def test_real_quiz_alone_is_refused_naming_every_contradiction() -> None:
    with pytest.raises(DataFormatError) as caught:
        read_responses([_real()], None, ResponseOptions())
    problems = caught.value.problems
    messages = [p.message for p in problems]
    assert any(m.startswith("no question holds the self-generated code") for m in messages)
    assert any("cannot work out the timepoint" in m for m in messages)
    nothing = next(m for m in messages if m.startswith("no question can be scored"))
    assert "contradict themselves for 9 question(s)" in nothing
    assert "1 choice question(s) have no answer key" in nothing  # Question 82 never scores
    by_column = {p.column: p.message for p in problems if p.column}
    assert set(by_column) == set(QUESTIONS) - {"Question 82"}
    assert (
        "'a' got 0 in rows 2, 6 and 8 but 10 in row 4; 'b' got 0 in rows 3 and 7 but 10 in row 5"
        in by_column["Question 12"]
    )
    assert "'b'" not in by_column["Question 32"]  # b never scored there: only a contradicts
    assert "'a' got 0 in rows 2 and 8 but 10 in rows 4 and 6" in by_column["Question 32"]
    text = str(caught.value)
    assert not any(value in text for value in EMAILS + NAMES)


def test_real_quiz_with_its_instrument_imports_and_trusts_the_items() -> None:
    structure = maps_for_instrument(_quiz_instrument(), System.MSFORMS)
    options = ResponseOptions(code_field="ID", timepoints={REAL: "post"})
    conversion = read_responses([_real()], structure, options)
    responses = conversion.responses
    assert responses is not None
    frame = responses.frame
    assert list(frame.columns[:6]) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
    ]
    assert list(frame.columns[6:]) == [f"k{n}" for n in range(1, 11)]
    assert list(frame["participant"]) == [str(n) for n in range(3, 10)]
    assert set(frame["timepoint"]) == {"post"}
    # labels a/b mapped to the instrument's codes 1/2 (row 2 answered a throughout, row 3 b)
    assert list(frame.iloc[0, 6:]) == ["1"] * 10
    assert list(frame.iloc[1, 6:]) == ["2"] * 10
    assert responses.origins == tuple((REAL, row) for row in range(2, 9))
    assert responses.dropped == ("Email", "Name")
    total = next(note for note in responses.notes if "Total points" in note)
    assert "rows 2, 3, 5 and 8" in total
    assert "row 2: Total points 40, the questions' points 30" in total
    assert "never reads Total points" in total
    assert any("response number (the ID column)" in note for note in responses.notes)
    cells = {str(v) for v in frame.to_numpy().ravel()} | set(responses.notes)
    assert not any(value in cell for cell in cells for value in EMAILS + NAMES)
    assert conversion.structure is structure


def test_real_quiz_id_cannot_be_the_code_of_two_downloads() -> None:
    structure = maps_for_instrument(_quiz_instrument(), System.MSFORMS)
    other = SourceFile(name="again.xlsx", data=_real().data)
    options = ResponseOptions(code_field="ID", timepoints={REAL: "pre", "again.xlsx": "post"})
    with pytest.raises(DataFormatError, match="every form numbers its responses from 1"):
        read_responses([_real(), other], structure, options)


def _survey_instrument() -> Instrument:
    """The questionnaire msforms_export_survey.csv was captured with."""
    return Instrument(
        format="imheval-instrument/1",
        id="imh-survey",
        version="1.0.0",
        title="IMH survey",
        levels=("beginner",),
        domains=(
            Domain(id="knowledge", label="Knowledge"),
            Domain(id="confidence", label="Confidence"),
        ),
        scales={
            "agreement": RatingScale(
                min=1,
                max=5,
                labels={
                    1: "Strongly disagree",
                    2: "Disagree",
                    3: "Neither agree nor disagree",
                    4: "Agree",
                    5: "Strongly agree",
                },
            )
        },
        questions=(
            KeyedItem(
                id="k1",
                domain="knowledge",
                text="The period of most rapid brain growth is",
                options={
                    "1": "Conception to age 3",
                    "2": "Age 3 to 5",
                    "3": "Age 5 to 11",
                    "4": "Adolescence",
                },
                key=("1",),
            ),
            RatingItem(
                id="se1",
                domain="confidence",
                text="I feel confident talking to parents about their baby's emotional needs",
                scale="agreement",
            ),
            KeyedItem(
                id="hv",
                domain="knowledge",
                text="Which services do you work in?: Health visiting",
                options={"1": "ticked", "0": "not ticked"},
                key=("1",),
            ),
        ),
    )


def test_shared_survey_download_with_its_instrument() -> None:
    source = SourceFile.read(shared_fixture("interop", "msforms_export_survey.csv"))
    structure = maps_for_instrument(_survey_instrument(), System.MSFORMS)
    options = ResponseOptions(timepoints={source.name: "pre"}, cohort="c1")
    conversion = read_responses([source], structure, options)
    responses = conversion.responses
    assert responses is not None
    frame = responses.frame
    assert list(frame["participant"]) == ["M0367", "K1122"]
    assert list(frame["cohort"]) == ["c1", "c1"]
    assert list(frame["k1"]) == ["1", "2"]  # "Conception to age 3", "Age 3 to 5"
    assert list(frame["se1"]) == ["4", "3"]  # "Agree", "Neither agree nor disagree"
    assert list(frame["hv"]) == ["0", "1"]  # "Adult mental health;Children's services;"
    assert responses.origins == ((source.name, 2), (source.name, 3))
    assert responses.dropped == ("Email", "Name")
    assert responses.left_out == ()


def test_shared_survey_download_alone_says_what_to_give() -> None:
    source = SourceFile.read(shared_fixture("interop", "msforms_export_survey.csv"))
    export = recognise(read_table(source))
    assert export.metadata[Role.LAST_MODIFIED] == 5 and not export.quiz
    with pytest.raises(DataFormatError) as caught:
        read_responses([source], None, ResponseOptions())
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert 'give it for the file (--timepoint "msforms_export_survey.csv=pre"' in messages[0]
    # two choice questions and the three options of the multi-select one
    assert messages[1].startswith(
        "no question can be scored: 5 choice question(s) have no answer key"
    )
    assert 'Give the answer keys (--key "QUESTION=ANSWER"), or the instrument' in messages[1]


def test_shared_quiz_header_is_recognised_and_refused_for_having_no_responses() -> None:
    source = SourceFile.read(shared_fixture("interop", "msforms_export_quiz_header.csv"))
    export = recognise(read_table(source))
    assert export.metadata[Role.TOTAL_POINTS] == 5
    assert export.metadata[Role.QUIZ_FEEDBACK] == 6
    assert [(q.title, q.points, q.feedback) for q in export.questions] == [
        ("Your personal code", 8, 9),
        ("The period of most rapid brain growth is", 11, 12),
    ]
    with pytest.raises(DataFormatError) as caught:
        read_responses([source], None, ResponseOptions())
    assert [str(p) for p in caught.value.problems] == [
        "msforms_export_quiz_header.csv: the download holds no responses (only its header "
        "row); download it again once people have responded"
    ]


def test_shared_survey_download_keyed_while_inferred() -> None:
    source = SourceFile.read(shared_fixture("interop", "msforms_export_survey.csv"))
    keys = {
        "the period of most rapid brain growth is": ["Conception to age 3"],
        "Which services do you work in?: Health visiting": ["1"],
    }
    options = ResponseOptions(timepoints={source.name: "pre"})
    conversion = read_responses_keyed([source], keys, options)
    responses = conversion.responses
    assert responses is not None
    instrument = conversion.structure.instrument
    k1, hv = instrument.questions
    assert isinstance(k1, KeyedItem) and isinstance(hv, KeyedItem)
    assert (k1.id, k1.options, k1.key) == (
        "q2",
        {"a": "Age 3 to 5", "b": "Conception to age 3"},
        ("b",),
    )
    assert (hv.id, hv.text, hv.key) == (
        "q4_3",
        "Which services do you work in?: Health visiting",
        ("1",),
    )
    assert list(responses.frame.columns[6:]) == ["q2", "q4_3"]
    assert list(responses.frame["q2"]) == ["b", "a"]
    assert list(responses.frame["q4_3"]) == ["0", "1"]
    # the rest stay listed, placed after the questions now keyed
    assert [(u.item, u.after) for u in conversion.structure.unkeyed] == [
        ("q3", "q2"),
        ("q4_1", "q2"),
        ("q4_2", "q2"),
    ]


def test_real_quiz_keyed_by_the_person_imports() -> None:
    keys = {title: ["a"] for title in QUESTIONS}
    options = ResponseOptions(code_field="ID", timepoints={REAL: "post"})
    conversion = read_responses_keyed([_real()], keys, options)
    responses = conversion.responses
    assert responses is not None
    instrument = conversion.structure.instrument
    assert [q.text for q in instrument.questions] == list(QUESTIONS)
    assert all(isinstance(q, KeyedItem) and q.key == ("a",) for q in instrument.questions)
    assert conversion.structure.unkeyed == ()
    assert not [o for o in conversion.structure.omissions if o.where.startswith("question")]
    assert list(responses.frame.iloc[1, 6:]) == ["b"] * 10
    assert any("rows 2, 3, 5 and 8" in note for note in responses.notes)
    assert responses.dropped == ("Email", "Name")


def test_keys_that_name_no_question_or_no_answer_are_refused() -> None:
    source = SourceFile.read(shared_fixture("interop", "msforms_export_survey.csv"))
    keys = {"Nonsense": ["x"], "The period of most rapid brain growth is": ["Age 11 to 18"]}
    with pytest.raises(DataFormatError) as caught:
        read_responses_keyed([source], keys, ResponseOptions(timepoints={source.name: "pre"}))
    first, second = caught.value.problems
    assert first.column == "Nonsense"
    assert first.message.startswith(
        "a key is given for this question, but it is not a question of the download that "
        "lacks one; the questions without a key are 'The period of most rapid brain growth is'"
    )
    assert second.message == (
        "the key given for this question cannot be used: 'Age 11 to 18' is not one of its "
        "answers (its answers are 'Age 3 to 5', 'Conception to age 3')"
    )
