"""Analyses beyond the seed plan: item matrices paired by person, the zero rule side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imheval.evaluation import EvaluationOptions, evaluate_file, item_matrices
from imheval.instruments.model import Instrument

TINY = Instrument.model_validate(
    {
        "format": "imheval-instrument/1",
        "id": "tiny",
        "version": "1",
        "title": "Tiny",
        "levels": ["beginner"],
        "domains": [{"id": "knowledge", "label": "Knowledge"}],
        "items": [
            {
                "id": f"K{i}",
                "domain": "knowledge",
                "text": f"Q{i}",
                "options": {"a": "x", "b": "y"},
                "key": "a",
            }
            for i in (1, 2, 3)
        ],
    }
)


def test_item_rows_are_paired_by_person_not_by_file_order(tmp_path: Path) -> None:
    # post rows come first and in another order; P3 has no post-test; P4 no pre-test
    path = tmp_path / "items.csv"
    path.write_text(
        "participant,cohort,timepoint,K1,K2,K3\n"
        "P2,C1,post,a,a,b\n"
        "P1,C1,post,a,a,a\n"
        "P4,C1,post,a,b,b\n"
        "P1,C1,pre,b,a,b\n"
        "P2,C1,pre,b,b,b\n"
        "P3,C1,pre,a,a,a\n",
        encoding="utf-8",
    )
    evaluation = evaluate_file(path, [TINY], EvaluationOptions(min_group_size=1))
    matrices = item_matrices(evaluation.scored, evaluation.matched, [TINY], "knowledge")
    assert matrices is not None
    assert matrices.item_ids == ("K1", "K2", "K3")
    # people are in code order: P1 then P2
    np.testing.assert_array_equal(matrices.pre, [[0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(matrices.post, [[1, 1, 1], [1, 1, 0]])
    assert matrices.max_points == (1.0, 1.0, 1.0)


def test_no_item_matrices_for_bare_totals(tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    path.write_text("participant,cohort,timepoint,knowledge\nP1,C1,pre,1\nP1,C1,post,2\n")
    evaluation = evaluate_file(path)
    assert item_matrices(evaluation.scored, evaluation.matched, [], "knowledge") is None
    assert evaluation.policy_comparison == ()


def test_bare_totals_get_no_item_analysis_and_say_why_there_is_no_reliable_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "totals.csv"
    rows = ["participant,cohort,timepoint,knowledge"]
    for i, (pre, post) in enumerate([(2, 4), (3, 5), (1, 4), (2, 3), (3, 6), (2, 2)]):
        rows += [f"P{i},C{i % 2},pre,{pre}", f"P{i},C{i % 2},post,{post}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    extras = evaluate_file(path).domain("knowledge").extras
    assert extras is not None
    assert extras.items is None
    assert extras.reliable_change.reason is not None
    assert "no reliability estimate" in extras.reliable_change.reason
    assert extras.retention is None  # no follow-up collected
    # two cohorts: too few for a cohort variance, so cohort is a fixed effect, and it says why
    model = extras.mixed_model
    assert model.cohort_effect == "fixed"
    assert model.cohort_effect_reason is not None and "fewer than 5" in model.cohort_effect_reason


def test_retention_and_the_mixed_model_use_every_timepoint(tmp_path: Path) -> None:
    pre = [2, 3, 1, 2, 4, 3]
    post = [5, 5, 4, 4, 6, 6]
    follow = [4, 5, 3, 3, 5, 5]
    rows = ["participant,cohort,timepoint,knowledge"]
    for i in range(6):
        rows += [
            f"P{i},C1,pre,{pre[i]}",
            f"P{i},C1,post,{post[i]}",
            f"P{i},C1,followup,{follow[i]}",
        ]
    path = tmp_path / "fu.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(path)
    extras = evaluation.domain("knowledge").extras
    assert extras is not None and extras.retention is not None
    gain_post = (sum(post) - sum(pre)) / 6  # 2.5
    gain_follow = (sum(follow) - sum(pre)) / 6  # 1.5
    assert extras.retention.share_retained is not None
    assert abs(extras.retention.share_retained - gain_follow / gain_post) < 1e-12
    model = extras.mixed_model
    assert model.computed, model.reason
    assert model.n_observations == 18
    post_effect = model.fixed_effect("timepost")
    follow_effect = model.fixed_effect("timefollowup")
    # balanced data: the fixed time effects are the mean changes from pre
    assert post_effect is not None and abs(post_effect.estimate - gain_post) < 1e-6
    assert follow_effect is not None and abs(follow_effect.estimate - gain_follow) < 1e-6
    text = " ".join(f.text for f in evaluation.domain("knowledge").findings)
    assert "of the gain after training remained at follow-up" in text
    # the share kept comes with Fieller's 95% CI, in the sentence's statistics and figures
    kept = next(f for f in evaluation.domain("knowledge").findings if f.kind == "retention")
    ci = extras.retention.share_ci
    assert ci is not None and ci.low < extras.retention.share_retained < ci.high
    assert kept.figure("share_ci_low") == ci.low and kept.figure("share_ci_high") == ci.high
    assert kept.statistics == f"95% CI {ci.low:.0%} to {ci.high:.0%}"
    assert kept.statistics not in kept.plain


def test_deeper_analyses_are_in_the_strict_json(tmp_path: Path) -> None:
    import json

    path = tmp_path / "items.csv"
    lines = ["participant,cohort,timepoint,K1,K2,K3"]
    answers = ["bbb", "abb", "aab", "bab", "aaa", "bba", "abb", "aab"]
    for i, before in enumerate(answers):
        after = "".join("a" if c == "b" and (i + j) % 2 else c for j, c in enumerate(before))
        lines += [f"P{i},C1,pre,{','.join(before)}", f"P{i},C1,post,{','.join(after)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = json.loads(json.dumps(evaluate_file(path, [TINY]).to_dict(), allow_nan=False))
    domain = document["domains"][0]
    assert {"item_analysis", "reliable_change", "retention", "mixed_model"} <= set(domain)
    items = domain["item_analysis"]["items"]
    assert [item["item"] for item in items] == ["K1", "K2", "K3"]
    # facility before training of K1: answers 'a' among the eight first letters
    first = [a[0] for a in answers]
    assert items[0]["facility_pre"] == first.count("a") / 8


def test_policy_comparison_is_the_same_whichever_policy_the_evaluation_used() -> None:
    """The complete-case shortcut (from the seed scoring) must agree with scoring afresh."""
    from imheval.demo import demo_instruments, demo_path
    from imheval.scoring import MissingPolicy

    instruments = list(demo_instruments())
    seed = evaluate_file(demo_path(), instruments)
    complete = evaluate_file(
        demo_path(), instruments, EvaluationOptions(missing_policy=MissingPolicy.COMPLETE_CASE)
    )
    assert len(seed.policy_comparison) == 8
    for a, b in zip(seed.policy_comparison, complete.policy_comparison, strict=True):
        assert (a.domain, a.policy, a.n_pairs) == (b.domain, b.policy, b.n_pairs)
        assert a.pre_mean == b.pre_mean and a.post_mean == b.post_mean
        assert a.result.statistic == b.result.statistic
    # the demo has blank answers, so complete cases lose people in knowledge
    rows = {(r.domain, r.policy.value): r.n_pairs for r in seed.policy_comparison}
    assert rows[("knowledge", "complete_case")] < rows[("knowledge", "seed")]
