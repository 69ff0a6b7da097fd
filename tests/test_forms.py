"""Parallel forms in scoring and evaluation: which form a response used (the ``form`` column,
or worked out from the items answered), totals on the form's own items, percentages of the
form's range, the form difference, equating and what the findings say.

Small inline instruments and tidy CSVs; the figures are checked by hand here and against R in
tests/golden/test_forms_against_r.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imheval.errors import DataFormatError
from imheval.evaluation import evaluate, evaluate_file
from imheval.evaluation.forms import compare_forms, form_findings, negligible_below
from imheval.instruments import load_instrument_text
from imheval.instruments.model import Instrument
from imheval.io.reader import read_responses
from imheval.io.table import ResponseTable
from imheval.io.templates import template_bytes
from imheval.io.writers import csv_bytes
from imheval.scoring import ItemOutcome, MissingPolicy, ScoredTable, score_items, zero_reasons
from imheval.stats.equating import linear_equating

FORMS = textwrap.dedent(
    """\
    format: imheval-instrument/1
    id: forms-test
    version: 2.0.0
    title: Forms test
    levels: [beginner]
    forms:
      - id: A
      - id: B
    domains:
      - id: knowledge
        label: Knowledge
      - id: confidence
        label: Confidence
    scales:
      ten: {min: 0, max: 10}
    items:
      - {id: K0, domain: knowledge, text: Common question, options: {a: x, b: y}, key: a}
      - {id: KA1, domain: knowledge, form: A, text: A one, options: {a: x, b: y}, key: a}
      - {id: KA2, domain: knowledge, form: A, text: A two, options: {a: x, b: y}, key: a}
      - {id: KB1, domain: knowledge, form: B, text: B one, options: {a: x, b: y}, key: b}
      - {id: KB2, domain: knowledge, form: B, text: B two, options: {a: x, b: y}, key: b}
      - {id: KB3, domain: knowledge, form: B, text: B three, options: {a: x, b: y}, key: b}
      - {id: C1, domain: confidence, text: "How confident are you that you can ask?", scale: ten}
    """
)

HEADER = "participant,cohort,timepoint,K0,KA1,KA2,KB1,KB2,KB3,C1"


@pytest.fixture(scope="module")
def forms() -> Instrument:
    return load_instrument_text(FORMS)


def _score(tmp_path: Path, instrument: Instrument, csv: str, **kwargs: object) -> ScoredTable:
    path = tmp_path / "responses.csv"
    path.write_text(textwrap.dedent(csv))
    table = read_responses(path, item_columns=[i.id for i in instrument.items])
    return score_items(table, [instrument], **kwargs)  # type: ignore[arg-type]


def _problems(tmp_path: Path, instrument: Instrument, csv: str) -> list[tuple[int | None, str]]:
    with pytest.raises(DataFormatError) as raised:
        _score(tmp_path, instrument, csv)
    return [(p.row, p.message) for p in raised.value.problems if p.column == "form"]


# --- which form -------------------------------------------------------------------------------


def test_the_form_is_worked_out_from_the_items_answered(tmp_path: Path, forms: Instrument) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,a,b,,,,3
        P1,c1,post,a,,,b,b,a,7
        """,
    )
    assert scored.frame["form"].tolist() == ["A", "B"]
    assert scored.forms == ("A", "B")


def test_a_form_column_is_read_case_insensitively_and_wins_over_nothing(
    tmp_path: Path, forms: Instrument
) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER},Form
        P1,c1,pre,a,,,,,,3,a
        P1,c1,post,,,,b,,,7,B
        """,
    )
    # Row 2 answered only the common question: the form column says which form it was.
    assert scored.frame["form"].tolist() == ["A", "B"]


def test_an_unknown_form_is_a_located_problem(tmp_path: Path, forms: Instrument) -> None:
    problems = _problems(
        tmp_path,
        forms,
        f"""\
        {HEADER},form
        P1,c1,pre,a,a,,,,,3,C
        """,
    )
    assert problems == [(2, "unknown form 'C'; the instrument's forms are A, B")]


def test_answers_to_two_forms_are_a_located_problem(tmp_path: Path, forms: Instrument) -> None:
    problems = _problems(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,a,,,,,3
        P2,c1,pre,a,a,b,b,,,3
        """,
    )
    assert problems == [
        (
            3,
            "the row answers items of more than one form (form 'A': KA1, KA2; form 'B': KB1); a "
            "response uses one form: check the row, or say its form in a 'form' column",
        )
    ]


def test_a_form_column_contradicted_by_the_answers_is_a_problem(
    tmp_path: Path, forms: Instrument
) -> None:
    problems = _problems(
        tmp_path,
        forms,
        f"""\
        {HEADER},form
        P1,c1,pre,a,,,b,b,,3,A
        """,
    )
    assert problems == [
        (2, "the form is given as 'A' but the row answers items of form 'B' (KB1, KB2)")
    ]


def test_answering_only_common_questions_leaves_the_form_unknown(
    tmp_path: Path, forms: Instrument
) -> None:
    problems = _problems(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,,,,,,3
        """,
    )
    assert problems == [
        (
            2,
            "which form this row used is not known: it answers only questions that every "
            "form asks; add a 'form' column (A, B)",
        )
    ]


def test_a_row_answering_only_domains_without_forms_needs_no_form(
    tmp_path: Path, forms: Instrument
) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,,a,a,,,,3
        P1,c1,followup,,,,,,,8
        """,
    )
    assert scored.frame["form"].tolist() == ["A", ""]
    assert np.isnan(scored.frame["knowledge"].iloc[1])
    assert scored.frame["confidence"].tolist() == [3.0, 8.0]


def test_a_form_column_in_a_wide_file_is_ignored_with_a_warning(
    tmp_path: Path, forms: Instrument
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("participant,form,pre_KA1,pre_KA2,post_KB1\nP1,A,a,a,b\n")
    table = read_responses(path, item_columns=[i.id for i in forms.items])
    assert "form" not in table.frame.columns
    assert any("column 'form' was ignored" in w for w in table.warnings)
    scored = score_items(table, [forms])
    assert scored.frame["form"].tolist() == ["A", "B"]


# --- totals by form ---------------------------------------------------------------------------


def test_a_total_counts_only_its_forms_items_and_others_are_not_missing(
    tmp_path: Path, forms: Instrument
) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,a,,,,,3
        P1,c1,post,b,,,b,b,a,7
        """,
    )
    info = scored.domain("knowledge")
    assert info.scale == "percent_of_maximum"
    assert (info.min_total, info.max_total) == (0.0, 100.0)
    assert [(r.form, r.n_items, r.min_total, r.max_total) for r in info.forms] == [
        ("A", 3, 0.0, 3.0),
        ("B", 4, 0.0, 4.0),
    ]
    # Form A: K0 right, KA1 right, KA2 blank (0 under the zero rule): 2 of 3.
    # Form B: K0 wrong, KB1 and KB2 right, KB3 wrong: 2 of 4.
    assert scored.frame["knowledge"].tolist() == pytest.approx([200 / 3, 50.0])
    outcomes = scored.item_outcomes
    assert outcomes is not None
    assert outcomes.loc[0, ["KA2", "KB1", "KB2", "KB3"]].tolist() == [
        ItemOutcome.MISSING,
        ItemOutcome.OTHER_FORM,
        ItemOutcome.OTHER_FORM,
        ItemOutcome.OTHER_FORM,
    ]
    reasons = zero_reasons(scored).set_index(["domain", "timepoint"])
    # Only KA2 was missing; the other form's items count nowhere.
    assert reasons.loc[("knowledge", "pre"), "missing"] == 1
    assert reasons.loc[("knowledge", "post"), "missing"] == 0
    assert reasons.loc[("knowledge", "pre")].sum() == 3


def test_complete_case_needs_every_item_of_the_form_only(tmp_path: Path, forms: Instrument) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,a,b,,,,3
        P2,c1,pre,a,a,,,,,3
        """,
        policy=MissingPolicy.COMPLETE_CASE,
    )
    # Only form A was used, so the total is points on form A's range (0 to 3).
    info = scored.domain("knowledge")
    assert info.scale == "total"
    assert (info.n_items, info.min_total, info.max_total) == (3, 0.0, 3.0)
    assert scored.frame["knowledge"].iloc[0] == 2.0
    assert np.isnan(scored.frame["knowledge"].iloc[1])


def test_an_instrument_without_forms_ignores_a_form_column(tmp_path: Path) -> None:
    plain = load_instrument_text(
        textwrap.dedent(
            """\
            format: imheval-instrument/1
            id: plain
            version: 1.0.0
            title: Plain
            levels: [beginner]
            domains: [{id: knowledge, label: Knowledge}]
            items:
              - {id: K1, domain: knowledge, text: One, options: {a: x, b: y}, key: a}
            """
        )
    )
    scored = _score(tmp_path, plain, "participant,timepoint,form,K1\nP1,pre,Z,a\n")
    assert "form" not in scored.frame.columns
    assert scored.forms == ()
    assert scored.domain("knowledge").scale == "total"
    assert scored.frame["knowledge"].tolist() == [1.0]


# --- form difference and equating -------------------------------------------------------------


def _counterbalanced(
    forms: Instrument, harder_b: bool, right_pre: tuple[int, ...] = (0, 1, 1, 2, 2, 3)
) -> pd.DataFrame:
    """Four cohorts of six: c1, c2 answer A then B, c3, c4 B then A. Each person's number of
    right answers is set, so every mean and SD is known."""
    rows = []
    for cohort, (first, second) in enumerate([("A", "B"), ("A", "B"), ("B", "A"), ("B", "A")]):
        for person, right in enumerate(right_pre):
            for timepoint, form in (("pre", first), ("post", second)):
                n_right = min(right + (1 if timepoint == "post" else 0), 3)
                if form == "B" and harder_b:
                    n_right = max(n_right - 1, 0)
                row = {"participant": f"P{cohort}{person}", "cohort": f"c{cohort}"}
                row["timepoint"] = timepoint
                row.update({i.id: "" for i in forms.items})
                # The form's own knowledge items (K0, common to both, is always wrong).
                own = [i for i in forms.items_in("knowledge", form) if i.form == form]
                keys = [i.key[0] for i in own]  # type: ignore[union-attr]
                wrong = {"a": "b", "b": "a"}
                row["K0"] = "b"
                for k, (item, key) in enumerate(zip(own, keys, strict=True)):
                    row[item.id] = key if k < n_right else wrong[key]
                rows.append(row)
    return pd.DataFrame(rows)


def test_counterbalanced_forms_are_compared_at_pre_test_and_equated(
    tmp_path: Path, forms: Instrument
) -> None:
    frame = _counterbalanced(forms, harder_b=True)
    path = tmp_path / "cb.csv"
    frame.to_csv(path, index=False)
    evaluation = evaluate_file(path, [forms])
    (comparison,) = evaluation.forms
    assert comparison.counterbalanced
    assert [(o.before, o.after, o.n_people) for o in comparison.orders] == [
        ("A", "B", 12),
        ("B", "A", 12),
    ]
    # Pre-test, form A (3 items): right answers 0,1,1,2,2,2 (KA1, KA2; K0 always wrong);
    # form B (4 items): 0,0,0,1,1,2 right. Hand-computed percentages of each range:
    a = np.repeat(np.array([0, 1, 1, 2, 2, 2]) / 3 * 100, 2)
    b = np.repeat(np.array([0, 0, 0, 1, 1, 2]) / 4 * 100, 2)
    equating = comparison.equating
    assert equating is not None
    assert equating.mean_reference == pytest.approx(a.mean())
    assert equating.mean_new == pytest.approx(b.mean())
    assert equating.difference == pytest.approx(b.mean() - a.mean())
    assert equating.slope == pytest.approx(a.std(ddof=1) / b.std(ddof=1))
    assert comparison.threshold == pytest.approx(50 / 3)
    assert comparison.equated
    # Form B's pre-test scores, once equated, have form A's mean and SD.
    scores = evaluation.scored.frame
    on_b = scores.loc[(scores["timepoint"] == "pre") & (scores["form"] == "B"), "knowledge"]
    assert on_b.mean() == pytest.approx(a.mean())
    assert on_b.std(ddof=1) == pytest.approx(a.std(ddof=1))
    (said,) = [
        f for f in evaluation.domain("knowledge").findings if f.comparison == "form_difference"
    ]
    assert said.kind == "forms_equated"
    difference = abs(b.mean() - a.mean())
    assert said.plain == (
        f"Knowledge: form B was {difference:.0f} points (out of 100) harder than form A; "
        "scores were equated before comparing."
    )
    assert said.figure("difference") == pytest.approx(b.mean() - a.mean())
    assert "95% CI" in said.statistics
    document = evaluation.to_dict()
    assert document["forms"][0]["equated"] is True
    knowledge = document["domains"][0]
    assert knowledge["scale"] == "percent_of_maximum"
    assert [f["form"] for f in knowledge["forms"]] == ["A", "B"]
    assert [f["form"] for f in knowledge["item_analysis_by_form"]] == ["A", "B"]
    assert any("percentages of the maximum" in note for note in document["notes"])


def _table(frame: pd.DataFrame) -> ResponseTable:
    """A tidy table straight from a frame of answers (as the web app's adapter makes one)."""
    for name, position in (("programme", 2), ("directorate", 4), ("profession", 5)):
        frame.insert(position, name, "")
    frame.insert(6, "source_row", np.arange(2, len(frame) + 2))
    return ResponseTable(frame=frame, source="inline", layout="tidy")


def test_a_negligible_difference_is_not_equated(forms: Instrument) -> None:
    table = _table(_counterbalanced(forms, harder_b=False))
    scored = score_items(table, [forms])
    # Pre-test: A 0,1,1,2,2,2 of 3 (mean 44.4); B 0,1,1,2,2,3 of 4 (mean 37.5): a difference
    # of 6.9 points, under half a raw point of form A (16.7 points).
    same, (comparison,) = compare_forms(scored, min_group_size=5)
    assert comparison.equating is not None
    assert comparison.equating.difference == pytest.approx(37.5 - 400 / 9)
    assert comparison.negligible is True
    assert not comparison.equated
    assert same is scored
    evaluation = evaluate(table, [forms])
    (said,) = [
        f for f in evaluation.domain("knowledge").findings if f.comparison == "form_difference"
    ]
    assert said.kind == "forms_similar"
    assert said.plain == (
        "Knowledge: forms A and B were about equally hard, so scores were compared without "
        "equating."
    )


def test_a_difference_within_sampling_error_is_not_equated(forms: Instrument) -> None:
    # Two cohorts of six, one per order. Pre-test: form A (KA1, KA2 right) 0, 2, 0, 2, 2, 2
    # of 3; form B 0, 1, 0, 1, 1, 1 of 4. B is 27.8 points lower, above the threshold (16.7),
    # but six people a form leave a CI that includes 0.
    frame = _counterbalanced(forms, harder_b=True, right_pre=(0, 2, 0, 2, 2, 2))
    table = _table(frame[frame["cohort"].isin(["c0", "c2"])].reset_index(drop=True))
    scored = score_items(table, [forms])
    _, (comparison,) = compare_forms(scored, min_group_size=5)
    equating = comparison.equating
    assert equating is not None and equating.difference_ci is not None
    a = np.array([0, 2, 0, 2, 2, 2]) / 3 * 100
    b = np.array([0, 1, 0, 1, 1, 1]) / 4 * 100
    assert equating.difference == pytest.approx(b.mean() - a.mean())
    assert abs(equating.difference) >= comparison.threshold
    assert equating.difference_ci.low < 0 < equating.difference_ci.high
    assert comparison.negligible is False and comparison.beyond_chance is False
    assert not comparison.equated
    (said,) = form_findings(comparison, "Knowledge")
    assert said.kind == "forms_uncertain"
    assert said.plain == (
        f"Knowledge: people answering form B before training scored {abs(b.mean() - a.mean()):.0f}"
        " points (out of 100) lower, but with this many people that could be chance, so "
        "scores were compared without equating."
    )


def test_one_order_only_cannot_separate_form_from_training(
    tmp_path: Path, forms: Instrument
) -> None:
    frame = _counterbalanced(forms, harder_b=True)
    frame = frame[frame["cohort"].isin(["c0", "c1"])]
    path = tmp_path / "ab.csv"
    frame.to_csv(path, index=False)
    evaluation = evaluate_file(path, [forms])
    (comparison,) = evaluation.forms
    assert not comparison.counterbalanced
    assert comparison.equating is None and not comparison.equated
    (said,) = [
        f for f in evaluation.domain("knowledge").findings if f.comparison == "form_difference"
    ]
    assert said.kind == "forms_not_counterbalanced"
    assert "cannot be told apart from the effect of the training" in said.plain


def test_small_pre_test_groups_are_not_equated(forms: Instrument) -> None:
    table = _table(_counterbalanced(forms, harder_b=True))
    scored = score_items(table, [forms])
    _, (comparison,) = compare_forms(scored, min_group_size=13)
    assert comparison.equating is not None
    assert comparison.equating.reason == (
        "fewer than 13 people answered one of the forms before training"
    )
    assert not comparison.equated
    assert comparison.to_dict(13)["orders"][0]["n_people"] is None


def test_threshold_is_half_a_raw_point_of_the_reference_form(
    tmp_path: Path, forms: Instrument
) -> None:
    scored = _score(
        tmp_path,
        forms,
        f"""\
        {HEADER}
        P1,c1,pre,a,a,,,,,3
        P2,c1,pre,a,,,b,,,3
        """,
    )
    assert negligible_below(scored.domain("knowledge")) == pytest.approx(0.5 / 3 * 100)


def test_linear_equating_by_hand() -> None:
    reference = [20.0, 40.0, 60.0, 80.0]
    new = [10.0, 20.0, 30.0, 40.0, np.nan]
    result = linear_equating(new, reference)
    assert (result.n_reference, result.n_new) == (4, 4)
    assert result.difference == pytest.approx(25.0 - 50.0)
    assert result.slope == pytest.approx(2.0)
    assert result.intercept == pytest.approx(50.0 - 2.0 * 25.0)
    assert result.equate([10.0, 40.0]).tolist() == pytest.approx([20.0, 80.0])


def test_linear_equating_says_why_it_cannot_be_computed() -> None:
    assert linear_equating([50.0], [40.0, 60.0]).reason == (
        "fewer than 2 people answered form B before training (1)"
    )
    constant = linear_equating([50.0, 50.0], [40.0, 60.0])
    assert constant.reason is not None and "form B" in constant.reason
    with pytest.raises(ValueError, match="not computed"):
        constant.equate([1.0])


# --- templates and exports --------------------------------------------------------------------


def test_a_template_for_forms_has_a_form_column_and_one_forms_answers(
    tmp_path: Path, forms: Instrument
) -> None:
    path = tmp_path / "template.csv"
    path.write_bytes(template_bytes([forms], "csv"))
    table = read_responses(path, item_columns=[i.id for i in forms.items])
    row = table.frame.iloc[0]
    assert row["form"] == "A"
    assert [row[i] for i in ("K0", "KA1", "KA2", "KB1", "KB2", "KB3", "C1")] == [
        "a",
        "a",
        "a",
        "",
        "",
        "",
        "5",
    ]
    scored = score_items(table, [forms])
    assert scored.frame["form"].tolist() == ["A"]
    assert scored.frame["knowledge"].tolist() == [3.0]


def test_an_export_keeps_the_form_column(tmp_path: Path, forms: Instrument) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{HEADER},form\nP1,c1,pre,a,,,,,,3,B\n")
    table = read_responses(source, item_columns=[i.id for i in forms.items])
    again = tmp_path / "out.csv"
    again.write_bytes(csv_bytes(table))
    back = read_responses(again, item_columns=[i.id for i in forms.items])
    assert back.frame["form"].tolist() == ["B"]
    assert score_items(back, [forms]).frame["form"].tolist() == ["B"]
