"""Findings as data: the words and the statistics of each sentence kept apart, with its figures.

Nothing in imheval reads a sentence back, so these tests pin what the report, the terminal and
the JSON select findings by: their kind, comparison, people and figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import Evaluation, EvaluationOptions, evaluate_file
from imheval.findings import Finding, Stats, finding
from imheval.findings.wording import direction_text, join_and, join_or, people, were
from imheval.reports import ReportContext, build_report
from imheval.reports.model import Callout, Findings
from imheval.reports.sections.summary import domain_findings


@pytest.fixture(scope="module")
def demo() -> Evaluation:
    return evaluate_file(demo_path(), list(demo_instruments()))


def test_a_finding_keeps_its_words_and_its_statistics_apart() -> None:
    made = finding(
        "gain_gap",
        "knowledge",
        "A started lower (5.44 (68%)) than B",
        Stats("F(2, 26.04) = 22.90, p < .001"),
        "; after training the gap narrowed",
        Stats("Holm-adjusted p = .002"),
        ".",
        comparison="gain_by_profession",
        people=40,
        figures={"p": 0.0004},
    )
    assert made.text == (
        "A started lower (5.44 (68%)) than B (F(2, 26.04) = 22.90, p < .001); after training the "
        "gap narrowed (Holm-adjusted p = .002)."
    )
    assert made.plain == "A started lower (5.44 (68%)) than B; after training the gap narrowed."
    assert made.statistics == "F(2, 26.04) = 22.90, p < .001; Holm-adjusted p = .002"
    assert made.figure("p") == 0.0004
    with pytest.raises(KeyError, match="no figure 'q'"):
        made.figure("q")
    trailing = finding(
        "followup",
        "k",
        "Scores held (2.00 against 3.00)",
        Stats("t(8) = 3.00, p = .017", trailing=True),
        ".",
    )
    assert trailing.text == "Scores held (2.00 against 3.00), t(8) = 3.00, p = .017."
    assert trailing.plain == "Scores held (2.00 against 3.00)."
    assert finding("reliability", "k", "No statistics (95% CI .49 to .77).").statistics == ""


def test_a_finding_is_frozen() -> None:
    made = finding("change", "k", "Words.")
    with pytest.raises(AttributeError):
        made.kind = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        made.figures["x"] = 1  # type: ignore[index]


def test_the_demo_findings_cite_the_figures_of_their_tests(demo: Evaluation) -> None:
    knowledge = demo.domain("knowledge")
    kinds = [item.kind for item in knowledge.findings]
    assert kinds[:3] == ["change", "cohort_test", "participant_test"]
    change = knowledge.findings[0]
    assert change.people == knowledge.n_pairs == 59
    assert change.figure("pre_mean") == knowledge.overall.pre_mean
    assert change.figure("difference") == knowledge.overall.difference
    participant = next(f for f in knowledge.findings if f.kind == "participant_test")
    entry = knowledge.test("participant", "paired_t")
    assert entry is not None
    assert participant.figure("p") == entry.result.p
    assert participant.figure("p_holm") == entry.p_holm
    assert participant.figure("cohen_dz") == entry.result.effect("cohen_dz").value  # type: ignore[union-attr]
    assert participant.figure("significant") is True
    assert participant.statistics == entry.result.apa()
    assert participant.statistics not in participant.plain
    assert participant.plain.startswith("Per person, the mean change was +")
    cohort = next(f for f in knowledge.findings if f.kind == "cohort_test")
    assert cohort.figure("cohorts") == knowledge.n_cohorts == 5
    assert cohort.statistics.startswith(knowledge.test("cohort", "paired_t").result.apa())  # type: ignore[union-attr]
    # Every kind the module documents, and no other, is used.
    every = {item.kind for d in demo.domains for item in d.findings}
    assert every <= {
        "change", "cohort_test", "participant_test", "programme_gains", "baseline_gap",
        "gain_gap", "groups_quiet", "matching_bias", "reliability", "ceiling", "easy_items",
        "reliable_change", "retention", "mixed_model", "reaction", "floor", "hard_items",
        "normalised_gain", "ancova", "cohort_icc", "programme_difference",
        "retrospective_change", "response_shift", "single_timepoint",
        "single_timepoint_items", "single_timepoint_too_few", "single_timepoint_none",
        "followup_bias", "followup_bias_none", "followup_bias_too_few",
    }  # fmt: skip
    assert {"ceiling", "reliable_change", "mixed_model", "reliability"} <= every
    # issue 18's analyses on the demo: ANCOVA beside the Welch gain tests, Hake's g, the cohort
    # ICC and the programme-by-time model
    assert {"ancova", "normalised_gain", "cohort_icc", "programme_difference"} <= every


def test_the_json_keeps_the_text_and_gains_the_figures(demo: Evaluation) -> None:
    document = json.loads(json.dumps(demo.to_dict(), allow_nan=False))
    knowledge = next(d for d in document["domains"] if d["id"] == "knowledge")
    assert knowledge["findings"] == [item.text for item in demo.domain("knowledge").findings]
    details = knowledge["finding_details"]
    assert [d["text"] for d in details] == knowledge["findings"]
    participant = next(d for d in details if d["kind"] == "participant_test")
    assert participant["comparison"] == "pre_post"
    assert participant["people"] == 59
    assert (
        participant["figures"]["p"]
        == demo.domain("knowledge").test("participant", "paired_t").result.p
    )  # type: ignore[union-attr]


def test_the_report_shows_each_findings_words_with_its_statistics_beside(
    demo: Evaluation,
) -> None:
    summary = build_report(demo).section("summary")
    shown = [block for block in summary.blocks if isinstance(block, Findings)]
    knowledge = demo.domain("knowledge").findings
    expected = [
        (item.plain, item.statistics)
        for item in knowledge
        if item.kind in ("change", "cohort_test", "participant_test")
    ]
    assert list(shown[1].items) == expected
    # the first block is the headline of every domain
    assert list(shown[0].items) == [
        (d.headline.plain, d.headline.statistics)  # type: ignore[union-attr]
        for d in demo.domains
    ]


def write_one_person(path: Path) -> Path:
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    lines += ["A1,C1,P,pre,10", "A1,C1,P,post,14", "B2,C1,P,pre,11"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_one_person_is_one_person_not_one_people(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_one_person(tmp_path / "one.csv"), options=EvaluationOptions(min_group_size=1)
    )
    change = evaluation.domain("knowledge").findings[0]
    assert change.kind == "change"
    assert change.people == 1
    assert "the 1 person matched before and after training scored 10.00" in change.text
    assert "1 people" not in " ".join(f.text for f in evaluation.domain("knowledge").findings)


def test_wording_helpers() -> None:
    assert (people(1), people(1200), were(1), were(2)) == (
        "1 person",
        "1,200 people",
        "was",
        "were",
    )
    assert join_and([]) == "" and join_and(["a"]) == "a"
    assert join_and(["a", "b", "c"]) == "a, b and c"
    assert join_or(["a", "b"]) == "a or b"


def test_a_group_test_names_its_direction_from_data_not_from_its_method_text(
    demo: Evaluation,
) -> None:
    two_groups = [
        e.result
        for d in demo.domains
        for e in d.tests
        if e.result.computed and e.result.groups is not None
    ]
    assert two_groups, "the demo has two-group Welch tests (directorate)"
    first, second = two_groups[0].groups  # type: ignore[misc]
    assert direction_text(two_groups[0]) == f"{first} minus {second}"
    anova = demo.domain("knowledge").test("cohort", "anova_gain", "gain_by_programme")
    assert anova is not None and direction_text(anova.result) == ""


def test_findings_are_finding_values_everywhere(demo: Evaluation) -> None:
    assert all(isinstance(item, Finding) for d in demo.domains for item in d.findings)


def test_a_count_hidden_in_the_words_is_hidden_in_the_figures(demo: Evaluation) -> None:
    # Risk identification: 9 of 68 improved, 1 declined (5 is the minimum group size).
    risk = demo.domain("risk_identification")
    change = risk.extras.reliable_change  # type: ignore[union-attr]
    assert (change.n_improved, change.n_declined) == (9, 1)
    written = next(f for f in risk.findings if f.kind == "reliable_change")
    assert "fewer than 5 of 68 people reliably declined" in written.text
    assert (written.figure("improved"), written.figure("declined")) == (9, None)
    # The report hides the 9 as well, so the 1 cannot be worked out from the total.
    shown = next(
        f for f in domain_findings(ReportContext(demo, 5), risk) if f.kind == "reliable_change"
    )
    assert "the number who improved is not shown" in shown.text
    assert (shown.figure("improved"), shown.figure("declined")) == (None, None)
    assert "9 of 68" not in shown.text


def write_totals(path: Path, gains: list[float]) -> Path:
    """Two cohorts of already-scored totals (no range), each person's post = pre + gain."""
    lines = ["participant,cohort,programme,timepoint,score"]
    for i, gain in enumerate(gains):
        cohort = "C1" if i % 2 else "C2"
        lines += [
            f"P{i:02d},{cohort},P,pre,{20 + i % 5}",
            f"P{i:02d},{cohort},P,post,{20 + i % 5 + gain}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_headline_says_when_scores_fell_in_points_without_a_range(tmp_path: Path) -> None:
    gains = [-3.0, -2.0, -4.0, -3.0, -2.5, -3.5] * 4  # 24 people, every one lower after
    evaluation = evaluate_file(write_totals(tmp_path / "fell.csv", gains))
    headline = evaluation.domain("score").headline
    assert headline is not None and headline.kind == "headline"
    pre = sum(20 + i % 5 for i in range(24)) / 24  # 21.92, worked out by hand from the rows
    assert headline.plain.startswith(
        f"Score fell from {pre:.2f} to {pre - 3:.2f} points on average, a large change"
    )
    assert headline.plain.endswith("this is very unlikely to be chance.")
    assert headline.figure("difference") == pytest.approx(-3.0)
    assert headline.statistics.startswith("24 people; mean change -3.00 points")


def test_a_headline_on_few_people_with_no_clear_change_says_both(tmp_path: Path) -> None:
    gains = [1.0, -1.0, 2.0, -1.5, 0.5, -0.5, 1.0, -1.0]
    evaluation = evaluate_file(write_totals(tmp_path / "flat.csv", gains))
    headline = evaluation.domain("score").headline
    assert headline is not None
    # pre: (0+1+2+3+4+0+1+2)/8 + 20 = 21.625; the gains average +0.0625
    assert headline.plain == (
        "Score went from 21.62 to 21.69 points on average; a change this size could be chance. "
        "With only 8 people, how large the change is remains uncertain."
    )
    assert headline.figure("significant") is False


def test_an_item_is_named_by_its_short_wording(demo: Evaluation) -> None:
    assert demo.item_label("K1") == "K1: attachment containment"  # imh-core's concept for K1
    assert demo.item_label("not-an-item") == "not-an-item"


def test_with_no_post_test_yet_the_advice_is_to_set_one_up_not_to_check_codes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pre_only.csv"
    rows = ["participant,cohort,programme,timepoint,score"]
    rows += [f"P{i:02d},C1,P,pre,{10 + i % 3}" for i in range(12)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(path)
    advice = "No one has answered a post-test yet, so change cannot be measured."
    assert any(note.startswith(advice) for note in evaluation.notes)
    assert not any("typed the same way" in note for note in evaluation.notes)
    summary = build_report(evaluation).section("summary")
    assert any(
        isinstance(block, Callout) and block.text.startswith(advice) for block in summary.blocks
    )
