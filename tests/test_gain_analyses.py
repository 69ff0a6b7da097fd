"""ANCOVA beside the Welch test of gains on the same people, normalised gain per cohort, and
their findings (the report blocks: tests/reports/test_gains_report.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from imheval.evaluation import EvaluationOptions, group_rule
from imheval.evaluation.gains import WHICH_QUESTION, gain_analyses, gain_findings
from imheval.evaluation.groups import group_comparisons
from imheval.evaluation.results import GROUPINGS
from imheval.scoring import DomainInfo

INFO = DomainInfo(id="k", label="Knowledge", n_items=10, min_total=0, max_total=10)


def _pairs(seed: int, sizes: dict[str, int]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for index, (programme, n) in enumerate(sizes.items()):
        for person in range(n):
            pre = float(np.clip(round(rng.normal(3 + index, 1.5)), 0, 10))
            post = float(np.clip(round(pre * 0.6 + 3 + rng.normal(0, 1)), 0, 10))
            rows.append(
                {
                    "pre": pre,
                    "post": post,
                    "cohort": f"{programme[:2]}{person % 2}",
                    "programme": programme,
                    "directorate": "",
                    "profession": "",
                }
            )
    return pd.DataFrame(rows)


def test_the_one_rule_hides_what_the_breakdown_tables_hide() -> None:
    for seed in range(40):
        rng = np.random.default_rng(seed)
        sizes = {f"P{i}": int(rng.integers(1, 12)) for i in range(int(rng.integers(2, 6)))}
        pairs = _pairs(seed, sizes)
        pre, post = pairs["pre"].to_numpy(), pairs["post"].to_numpy()
        compared = group_comparisons(INFO, pairs, pre, post, EvaluationOptions(min_group_size=5))
        breakdown = next(b for b in compared.breakdowns if b.grouping == "programme")
        hidden_in_table = {row.label for row in breakdown.rows if row.suppressed}
        assert group_rule.tested_groups(pairs, "programme", 5).hidden == hidden_in_table, sizes


def test_ancova_compares_the_people_the_welch_test_of_gains_compares() -> None:
    pairs = _pairs(1, {"Alpha": 12, "Beta": 10, "Gamma": 3, "Delta": 4})
    result = gain_analyses(INFO, pairs, 5)
    (entry,) = result.groupings  # directorate and profession are not recorded
    pre, post = pairs["pre"].to_numpy(), pairs["post"].to_numpy()
    compared = group_comparisons(INFO, pairs, pre, post, EvaluationOptions(min_group_size=5))
    welch = dict(compared.tests)["gain_by_programme"]
    assert entry.welch_gain.statistic == pytest.approx(welch.statistic)
    assert (
        entry.welch_gain.n == welch.n == entry.ancova.n == 22
    )  # Gamma (3) and Delta (4) are left out
    assert entry.ancova.groups == ("Alpha", "Beta")
    assert "left out" in entry.left_out
    assert result.note == WHICH_QUESTION and "Lord's paradox" in result.note
    json.dumps(result.to_dict(), allow_nan=False)


def test_no_ancova_without_two_groups_shown_and_no_hake_without_a_maximum() -> None:
    pairs = _pairs(2, {"Alpha": 12, "Beta": 3})
    bare = DomainInfo(id="t", label="Totals", n_items=0, min_total=None, max_total=None)
    result = gain_analyses(bare, pairs, 5)
    assert result.groupings == ()
    assert result.normalised is None
    assert result.normalised_reason is not None and "no known maximum" in result.normalised_reason
    assert gain_analyses(INFO, pairs.head(3), 5).reason is not None


def test_hake_g_per_cohort_hides_small_cohorts() -> None:
    pairs = _pairs(3, {"Alpha": 12, "Beta": 7})
    pairs.loc[pairs.index[:3], "cohort"] = "tiny"
    result = gain_analyses(INFO, pairs, 5)
    cohorts = {c.cohort: c for c in result.cohorts}
    assert cohorts["tiny"].hidden and cohorts["tiny"].hake_g is None
    assert cohorts["tiny"].to_dict()["n"] is None
    shown = [c for c in result.cohorts if not c.hidden]
    for cohort in shown:
        members = pairs[pairs["cohort"] == cohort.cohort]
        by_hand = (members["post"].mean() - members["pre"].mean()) / (10 - members["pre"].mean())
        assert cohort.hake_g == pytest.approx(by_hand)
    assert result.normalised is not None and result.normalised.n == len(pairs)


def test_findings_name_hakes_g_and_set_the_ancova_beside_the_welch_test() -> None:
    pairs = _pairs(4, {"Alpha": 15, "Beta": 15})
    result = gain_analyses(INFO, pairs, 5)
    found = gain_findings(result, INFO, 5)
    kinds = [f.kind for f in found]
    assert kinds == ["ancova", "normalised_gain"]
    ancova_finding, gain_finding = found
    assert ancova_finding.comparison == "ancova_by_programme"
    assert "Welch test of gains" in ancova_finding.text
    assert ancova_finding.statistics == result.groupings[0].ancova.apa()
    assert gain_finding.text.startswith("Normalised gain (Hake's g)")
    assert gain_finding.figure("hake_g") == result.normalised.hake_g  # type: ignore[union-attr]
    assert gain_findings(None, INFO, 5) == []


def test_groupings_match_the_evaluations() -> None:
    assert group_rule.TESTED_GROUPINGS == GROUPINGS


def test_a_small_count_at_the_maximum_cannot_be_worked_out_from_the_finding() -> None:
    pairs = _pairs(5, {"Alpha": 10, "Beta": 10})
    pairs.loc[pairs.index[:2], "pre"] = 10.0  # two people at the maximum before training
    result = gain_analyses(INFO, pairs, 5)
    assert result.normalised is not None and result.normalised.n_at_maximum == 2
    (gain,) = [f for f in gain_findings(result, INFO, 5) if f.kind == "normalised_gain"]
    assert gain.people == 20
    assert gain.figure("n_at_maximum") is None
    assert "fewer than 5 people already at the maximum" in gain.text
