"""Which wrong answers people chose, with the misconception each targets: per question, the
wrong option most chosen before training and the share who chose it before and after."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from imheval.evaluation import evaluate_file
from imheval.evaluation.distractors import popular_wrong_answers
from imheval.instruments import load_instrument_text
from imheval.instruments.writer import instrument_to_yaml
from imheval.io.reader import read_responses
from imheval.reports import build_report

INSTRUMENT = load_instrument_text(
    textwrap.dedent(
        """\
        format: imheval-instrument/1
        id: wrong-answers
        version: "1"
        title: Wrong answers
        levels: [beginner]
        domains: [{id: knowledge, label: Knowledge}]
        items:
          - id: Q1
            domain: knowledge
            text: What helps a crying baby most?
            options: {a: A calm adult, b: Being left to cry, c: A louder toy}
            key: a
            misconceptions: {b: Babies learn to settle by being left, c: Distraction soothes}
          - id: Q2
            domain: knowledge
            text: When do babies start to relate to people?
            options: {a: From birth, b: From six months}
            key: a
        """
    )
)

# Six people, matched before and after. Q1 before: b b b c a a; after: a a b a a c.
# Q2 before: a a a a a b; after: all a. Person 7 answered only before (not matched).
PRE_Q1, POST_Q1 = "bbbcaa", "aabaac"
PRE_Q2, POST_Q2 = "aaaaab", "aaaaaa"


def _file(tmp_path: Path) -> Path:
    lines = ["participant,cohort,timepoint,Q1,Q2"]
    for person in range(6):
        lines.append(f"P{person},C1,pre,{PRE_Q1[person]},{PRE_Q2[person]}")
        lines.append(f"P{person},C1,post,{POST_Q1[person]},{POST_Q2[person]}")
    lines.append("P7,C1,pre,c,b")
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_most_chosen_wrong_answer_and_its_misconception(tmp_path: Path) -> None:
    evaluation = evaluate_file(_file(tmp_path), [INSTRUMENT])
    extras = evaluation.domain("knowledge").extras
    assert extras is not None
    first, second = extras.wrong_answers
    assert (first.item, first.option, first.text) == ("Q1", "b", "Being left to cry")
    assert first.misconception == "Babies learn to settle by being left"
    assert first.before == pytest.approx(3 / 6)  # P7 is not matched, so not counted
    assert first.after == pytest.approx(1 / 6)
    assert (second.item, second.option, second.misconception) == ("Q2", "b", "")
    assert (second.before, second.after) == (pytest.approx(1 / 6), 0.0)
    document = evaluation.to_dict()["domains"][0]["wrong_answers"]
    assert document[0] == {
        "item": "Q1",
        "option": "b",
        "text": "Being left to cry",
        "misconception": "Babies learn to settle by being left",
        "chose_before": pytest.approx(0.5),
        "chose_after": pytest.approx(1 / 6),
    }


def test_the_report_shows_them_beside_the_item_analysis(tmp_path: Path) -> None:
    report = build_report(evaluate_file(_file(tmp_path), [INSTRUMENT]))
    (table,) = [
        t
        for t in report.section("level-2").tables()
        if t.caption == "Knowledge: the wrong answer chosen most often, and the misconception "
        "it targets"
    ]
    assert table.rows[0][1:] == (
        "b: Being left to cry",
        "Babies learn to settle by being left",
        "50%",
        "17%",
    )
    assert table.rows[1][1:] == ("b: From six months", "none given", "17%", "0%")


def test_fewer_people_asked_than_the_group_size_hide_the_shares(tmp_path: Path) -> None:
    path = _file(tmp_path)
    evaluation = evaluate_file(path, [INSTRUMENT])
    table = read_responses(path, item_columns=["Q1", "Q2"])
    found = popular_wrong_answers(
        table, evaluation.scored, evaluation.matched, [INSTRUMENT], "knowledge", 7
    )
    # six matched people were asked each question: fewer than 7, so no share is shown
    assert [(a.item, a.option, a.before, a.after) for a in found] == [
        ("Q1", "b", None, None),
        ("Q2", "b", None, None),
    ]
    shown = popular_wrong_answers(
        table, evaluation.scored, evaluation.matched, [INSTRUMENT], "knowledge", 6
    )
    assert [a.before for a in shown] == [pytest.approx(0.5), pytest.approx(1 / 6)]


def test_the_item_analysis_by_competency_domain(tmp_path: Path) -> None:
    written = instrument_to_yaml(INSTRUMENT)
    mapped = load_instrument_text(
        written.replace(
            "title: Wrong answers\n", "title: Wrong answers\nframework: aimh-uk-imhcf\n"
        )
        .replace(
            "    key: a\n    misconceptions:",
            "    key: a\n    competencies: [supporting_caregiving, development]\n"
            "    misconceptions:",
        )
        .replace(
            "      b: From six months\n    key: a\n",
            "      b: From six months\n    key: a\n    competencies: [development]\n",
        )
    )
    assert [i.competencies for i in mapped.items] == [
        ("supporting_caregiving", "development"),
        ("development",),
    ]
    evaluation = evaluate_file(_file(tmp_path), [mapped])
    extras = evaluation.domain("knowledge").extras
    assert extras is not None
    # facilities: Q1 2/6 before, 4/6 after; Q2 5/6 before, 6/6 after (hand-counted above)
    development, supporting = extras.competencies
    assert (development.competency, development.items) == ("development", ("Q1", "Q2"))
    assert development.before == pytest.approx((2 / 6 + 5 / 6) / 2)
    assert development.after == pytest.approx((4 / 6 + 1) / 2)
    assert (supporting.label, supporting.items) == ("Supporting caregiving", ("Q1",))
    assert (supporting.before, supporting.after) == (pytest.approx(2 / 6), pytest.approx(4 / 6))
    report = build_report(evaluation)
    (table,) = [
        t
        for t in report.section("level-2").tables()
        if t.caption == "Knowledge by AIMH UK Infant Mental Health Competency Framework domain"
    ]
    assert table.rows == (
        ("Normal and atypical development", "2", ".58", ".83"),
        ("Supporting caregiving", "1", ".33", ".67"),
    )
    assert evaluation.to_dict()["domains"][0]["competencies"][1]["facility_after"] == (
        pytest.approx(4 / 6)
    )
