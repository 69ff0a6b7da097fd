"""The typed values an Evaluation carries beside its JSON (issue 11 item 2).

Settings, zero reasons and the published matching bias are computed once by evaluate(), and
to_dict() only serialises them; a two-group comparison names its direction in
``TestResult.groups``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import (
    Evaluation,
    EvaluationOptions,
    Settings,
    ZeroReasonRow,
    evaluate_file,
)
from imheval.matching import (
    CategoryBias,
    DomainBias,
    MatchingBias,
    PublishedCategory,
    published_bias,
)
from imheval.scoring import ZERO_REASON_COLUMNS, zero_reasons
from imheval.stats import compare_groups, welch_t


@pytest.fixture(scope="module")
def demo() -> Evaluation:
    return evaluate_file(demo_path(), list(demo_instruments()))


def write_bias_table(path: Path, groups: dict[str, tuple[int, int]]) -> Path:
    """One cohort; per directorate, (people seen at pre and post, people seen only at pre)."""
    rows = ["participant,cohort,timepoint,directorate,knowledge"]
    for directorate, (matched, unmatched) in groups.items():
        for i in range(matched + unmatched):
            code = f"{directorate[0]}{i}"
            rows.append(f"{code},C1,pre,{directorate},{i % 5}")
            if i < matched:
                rows.append(f"{code},C1,post,{directorate},{i % 5 + 1}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- settings -----------------------------------------------------------------------------------


def test_settings_are_the_ones_the_demo_ran_with_and_the_json_records(demo: Evaluation) -> None:
    assert demo.settings == Settings(
        scoring_rule="1 point per correct answer; wrong, missing or invalid answers score 0 "
        "(the zero rule of the published evaluation this tool follows); rating items summed "
        "with reverse keying",
        missing_data_policy="seed",
        matching="exact",
        accepted_matches=0,
        min_group_size=5,
        multiplicity="Holm, across domains within each family of tests",
        confidence_level=0.95,
    )
    assert demo.to_dict()["settings"] == demo.settings.to_dict()


def test_settings_of_bare_totals_say_no_missing_data_policy_applies(tmp_path: Path) -> None:
    path = write_bias_table(tmp_path / "totals.csv", {"Adult Services": (6, 0)})
    evaluation = evaluate_file(path, options=EvaluationOptions(min_group_size=3))
    assert evaluation.settings.missing_data_policy == "not_applicable"
    assert evaluation.settings.scoring_rule == "already-scored domain totals read from the file"
    assert evaluation.settings.min_group_size == 3
    assert evaluation.to_dict()["settings"] == evaluation.settings.to_dict()


# --- zero reasons -------------------------------------------------------------------------------


def test_zero_reasons_are_the_scoring_counts_row_for_row(demo: Evaluation) -> None:
    expected = zero_reasons(demo.scored).to_dict(orient="records")
    assert len(demo.zero_reasons) == len(expected) > 0
    for row, counts in zip(demo.zero_reasons, expected, strict=True):
        assert isinstance(row, ZeroReasonRow)
        assert (row.domain, row.timepoint) == (counts["domain"], counts["timepoint"])
        assert [getattr(row, name) for name in ZERO_REASON_COLUMNS] == [
            int(counts[name]) for name in ZERO_REASON_COLUMNS
        ]
    assert demo.to_dict()["zero_reasons"] == [row.to_dict() for row in demo.zero_reasons]


def test_zero_reasons_count_every_item_answer_once(demo: Evaluation) -> None:
    # Each response answers (or skips) every item of a domain once at its timepoint.
    frame = demo.scored.frame
    assert demo.scored.item_domains is not None
    for row in demo.zero_reasons:
        n_items = sum(1 for d in demo.scored.item_domains.values() if d == row.domain)
        responses = int((frame["timepoint"] == row.timepoint).sum())
        total = sum(getattr(row, name) for name in ZERO_REASON_COLUMNS)
        assert total == n_items * responses


def test_bare_totals_have_no_zero_reasons(tmp_path: Path) -> None:
    path = write_bias_table(tmp_path / "totals.csv", {"Adult Services": (6, 0)})
    evaluation = evaluate_file(path)
    assert evaluation.zero_reasons == ()
    assert evaluation.to_dict()["zero_reasons"] == []


# --- matching bias after suppression ------------------------------------------------------------


def test_a_category_of_three_unmatched_people_is_hidden_with_its_complement(
    tmp_path: Path,
) -> None:
    path = write_bias_table(
        tmp_path / "bias.csv", {"Adult Services": (10, 6), "Children's Services": (10, 3)}
    )
    evaluation = evaluate_file(path)
    published = evaluation.matching_bias
    assert (published.n_matched, published.n_unmatched) == (20, 9)
    directorates = {c.category: c for c in published.categories if c.variable == "directorate"}
    # 3 unmatched people in Children's Services: hidden; Adult Services would give the 3 back
    # by subtraction from the published totals, so it is hidden too.
    assert directorates["Children's Services"] == PublishedCategory(
        variable="directorate",
        category="Children's Services",
        suppressed=True,
        n_matched=None,
        percent_matched=None,
        n_unmatched=None,
        percent_unmatched=None,
    )
    assert directorates["Adult Services"].suppressed is True
    # The raw counts are still there for internal use.
    raw = {c.category: c for c in evaluation.bias.categories if c.variable == "directorate"}
    assert raw["Children's Services"].n_unmatched == 3
    assert evaluation.to_dict()["matching_bias"]["categories"][0]["suppressed"] is True


def test_large_enough_categories_and_domains_are_published_in_full(tmp_path: Path) -> None:
    path = write_bias_table(
        tmp_path / "bias.csv", {"Adult Services": (10, 6), "Children's Services": (10, 5)}
    )
    published = evaluate_file(path).matching_bias
    # Two directorates, and one profession category: not recorded, for everyone.
    assert [(c.variable, c.category, c.suppressed) for c in published.categories] == [
        ("directorate", "Adult Services", False),
        ("directorate", "Children's Services", False),
        ("profession", "", False),
    ]
    children = next(c for c in published.categories if c.category == "Children's Services")
    assert (children.n_matched, children.n_unmatched) == (10, 5)
    assert children.percent_unmatched == pytest.approx(5 / 11 * 100)
    (knowledge,) = published.domains
    assert (knowledge.n_matched, knowledge.n_unmatched) == (20, 11)
    assert knowledge.mean_unmatched is not None
    assert knowledge.mean_difference == pytest.approx(
        knowledge.mean_matched - knowledge.mean_unmatched  # type: ignore[operator]
    )


def test_a_small_group_of_people_keeps_its_count_but_not_its_mean() -> None:
    bias = MatchingBias(
        n_matched=12,
        n_unmatched=2,
        domains=(
            DomainBias("knowledge", 12, 3.5, 1.2, 2, 2.0, 1.4, 1.5),
            DomainBias("confidence", 12, 20.0, 4.0, 2, 18.0, 2.0, 2.0),
        ),
        categories=(
            CategoryBias("directorate", "Adult Services", 12, 100.0, 2, 100.0),
            CategoryBias("profession", "Nurse", 12, 100.0, 2, 100.0),
        ),
    )
    published = published_bias(bias, min_group_size=5, analysed_domains={"knowledge"})
    (knowledge,) = published.domains  # confidence was not analysed
    assert (knowledge.n_matched, knowledge.mean_matched, knowledge.sd_matched) == (12, 3.5, 1.2)
    assert (knowledge.n_unmatched, knowledge.mean_unmatched, knowledge.sd_unmatched) == (
        2,
        None,
        None,
    )
    assert knowledge.mean_difference is None
    assert all(c.suppressed and c.n_unmatched is None for c in published.categories)


# --- the direction of a group comparison --------------------------------------------------------


def test_a_two_group_welch_t_names_its_groups_first_minus_second() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 9.0, 8.0])
    labels = np.array(["b", "b", "b", "b", "a", "a", "a", "a"])
    result = compare_groups(values, labels)
    assert result.groups == ("a", "b")
    assert "('a' minus 'b')" in result.method
    assert result.estimate == pytest.approx(7.5 - 2.5)
    assert result.to_dict()["groups"] == ["a", "b"]


def test_three_groups_and_plain_tests_have_no_direction() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 5.0, 9.0, 8.0, 7.5])
    labels = np.array(["a", "a", "a", "b", "b", "b", "c", "c", "c"])
    three = compare_groups(values, labels)
    assert three.test == "welch_anova"
    assert three.groups is None
    assert three.to_dict()["groups"] is None
    assert welch_t(values[:4], values[4:]).groups is None


def test_group_tests_between_two_directorates_carry_their_direction(tmp_path: Path) -> None:
    path = write_bias_table(
        tmp_path / "groups.csv", {"Adult Services": (6, 0), "Children's Services": (6, 0)}
    )
    tests = evaluate_file(path).domain("knowledge").tests
    baseline = next(e for e in tests if e.comparison == "baseline_by_directorate")
    assert baseline.result.computed
    assert baseline.result.groups == ("Adult Services", "Children's Services")
    assert baseline.to_dict()["groups"] == ["Adult Services", "Children's Services"]
    by_programme = next(e for e in tests if e.comparison == "gain_by_programme")
    assert by_programme.result.groups is None  # no programme recorded: not a two-group test
