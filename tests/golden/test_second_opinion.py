"""imheval.stats against the shared golden vectors (a second, independent opinion).

second_opinion/golden_vectors.json was computed by R and by Python libraries that agreed with
each other; see second_opinion/README.md. We select the cases for the statistics imheval
implements and pass each with the file's own rule:
``abs(actual - expected) <= atol + rtol * abs(expected)``.

Cases deliberately not run (each named in SKIPPED with the reason) use conventions imheval does
not report: Wilcoxon p without R's default choice, and the Steiger/MBESS eta-squared CI
(imheval follows effectsize: lambda / (lambda + df2)).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from imheval.stats import (
    TestResult,
    holm,
    one_way_anova,
    paired_t,
    shapiro_wilk,
    welch_anova,
    wilcoxon_signed_rank,
)

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parent / "second_opinion" / "golden_vectors.json").read_text()
)
DATASETS = GOLDEN["datasets"]
ANALYSES = {"paired_t", "effect_size", "wilcoxon", "normality", "anova_gain", "welch_anova_gain"}
PAIRED_DATASETS = {"table1_group_means", "individual_prepost"}

SKIPPED = {
    "wilcoxon_p_normal_nocorrect": "not R's default; imheval reports R's default p only",
    "wilcoxon_p_normal_correct": "not R's default; imheval reports R's default p only",
    "eta2_ci95_low(Steiger/MBESS: lam/(lam+N))": "imheval follows effectsize's conversion",
    "eta2_ci95_high(Steiger/MBESS: lam/(lam+N))": "imheval follows effectsize's conversion",
}


def _paired_inputs(dataset: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    data = DATASETS[dataset]
    pre = np.array([np.nan if v is None else v for v in data["pre"]], dtype=float)
    post = np.array([np.nan if v is None else v for v in data["post"]], dtype=float)
    labels = data.get("training_type") or data.get("cohort")
    return pre, post, labels


def _gains(dataset: str) -> tuple[np.ndarray, list[str]]:
    pre, post, labels = _paired_inputs(dataset)
    complete = ~(np.isnan(pre) | np.isnan(post))
    return (post - pre)[complete], [g for g, ok in zip(labels, complete, strict=True) if ok]


def _effect(result: TestResult, name: str, part: str = "value") -> float:
    effect = result.effect(name)
    assert effect is not None, f"{name} missing"
    if part == "value":
        return effect.value
    assert effect.ci is not None, f"{name} has no CI"
    return effect.ci.low if part == "low" else effect.ci.high


def _number(value: float | None) -> float:
    assert value is not None
    return value


Getter = Callable[[str], float]


def _paired(dataset: str) -> TestResult:
    pre, post, _ = _paired_inputs(dataset)
    return paired_t(pre, post)


def _wilcoxon(dataset: str) -> TestResult:
    pre, post, _ = _paired_inputs(dataset)
    return wilcoxon_signed_rank(pre, post)


def _anova(dataset: str) -> TestResult:
    return one_way_anova(*_gains(dataset))


def _welch(dataset: str) -> TestResult:
    return welch_anova(*_gains(dataset))


def _shapiro(dataset: str) -> TestResult:
    return shapiro_wilk(_gains(dataset)[0])


def _ci(result: TestResult, side: str) -> float:
    assert result.estimate_ci is not None
    return result.estimate_ci.low if side == "low" else result.estimate_ci.high


def _scalar_df(result: TestResult) -> float:
    assert isinstance(result.df, float)
    return result.df


def _df(result: TestResult, index: int) -> float:
    assert isinstance(result.df, tuple)
    return result.df[index]


QUANTITIES: dict[str, Getter] = {
    "t": lambda ds: _number(_paired(ds).statistic),
    "df": lambda ds: _scalar_df(_paired(ds)),
    "p": lambda ds: _number(_paired(ds).p),
    "ci95_low": lambda ds: _ci(_paired(ds), "low"),
    "ci95_high": lambda ds: _ci(_paired(ds), "high"),
    "r_from_t": lambda ds: _effect(_paired(ds), "r"),
    "cohens_dz": lambda ds: _effect(_paired(ds), "cohen_dz"),
    "cohens_dz_ci95_low": lambda ds: _effect(_paired(ds), "cohen_dz", "low"),
    "cohens_dz_ci95_high": lambda ds: _effect(_paired(ds), "cohen_dz", "high"),
    "hedges_gz(exact J)": lambda ds: _effect(_paired(ds), "hedges_gz"),
    "hedges_gz_ci95_low": lambda ds: _effect(_paired(ds), "hedges_gz", "low"),
    "hedges_gz_ci95_high": lambda ds: _effect(_paired(ds), "hedges_gz", "high"),
    "d_av": lambda ds: _effect(_paired(ds), "d_av"),
    "d_rm": lambda ds: _effect(_paired(ds), "d_rm"),
    "rank_biserial": lambda ds: _effect(_wilcoxon(ds), "rank_biserial"),
    "rank_biserial_ci95_low": lambda ds: _effect(_wilcoxon(ds), "rank_biserial", "low"),
    "rank_biserial_ci95_high": lambda ds: _effect(_wilcoxon(ds), "rank_biserial", "high"),
    "wilcoxon_V(W+)": lambda ds: _number(_wilcoxon(ds).statistic),
    "wilcoxon_p_R_default": lambda ds: _number(_wilcoxon(ds).p),
    "shapiro_W_diff": lambda ds: _number(_shapiro(ds).statistic),
    "shapiro_p_diff": lambda ds: _number(_shapiro(ds).p),
    "anova_gain_F": lambda ds: _number(_anova(ds).statistic),
    "anova_gain_p": lambda ds: _number(_anova(ds).p),
    "anova_gain_eta2(=partial, one-way)": lambda ds: _effect(_anova(ds), "partial_eta_squared"),
    "anova_gain_omega2(effectsize truncates at 0)": lambda ds: _effect(_anova(ds), "omega_squared"),
    "anova_gain_omega2_raw(can be <0)": lambda ds: _number(_anova(ds).details["omega_squared_raw"]),
    "eta2_ci95_low(effectsize: lam/(lam+df2))": lambda ds: _effect(
        _anova(ds), "partial_eta_squared", "low"
    ),
    "eta2_ci95_high(effectsize: lam/(lam+df2))": lambda ds: _effect(
        _anova(ds), "partial_eta_squared", "high"
    ),
    "welch_F": lambda ds: _number(_welch(ds).statistic),
    "welch_df2": lambda ds: _df(_welch(ds), 1),
    "welch_p": lambda ds: _number(_welch(ds).p),
}


def _selected() -> list[dict[str, Any]]:
    return [
        case
        for case in GOLDEN["cases"]
        if case["analysis"] in ANALYSES
        and case["dataset"] in PAIRED_DATASETS
        and case["quantity"] not in SKIPPED
    ]


CASES = _selected()
HOLM_CASES = [c for c in GOLDEN["cases"] if c["quantity"].startswith("holm[")]


def _passes(actual: float, case: dict[str, Any]) -> bool:
    return abs(actual - case["expected"]) <= case["atol"] + case["rtol"] * abs(case["expected"])


def test_every_selected_case_has_a_getter() -> None:
    unknown = sorted({c["quantity"] for c in CASES} - set(QUANTITIES))
    assert unknown == []
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_shared_golden_vector(case: dict[str, Any]) -> None:
    actual = QUANTITIES[case["quantity"]](case["dataset"])
    assert _passes(actual, case), f"{case['id']}: got {actual!r}, expected {case['expected']!r}"


def test_holm_matches_shared_golden_vectors() -> None:
    assert len(HOLM_CASES) == 7
    adjusted = holm(DATASETS["pvalues"]["p"])
    for case in HOLM_CASES:
        index = int(case["quantity"].removeprefix("holm[").removesuffix("]"))
        value = adjusted[index]
        assert value is not None
        assert _passes(value, case), case["id"]


def test_seed_table_1_reproduction_matches_shared_record() -> None:
    record = GOLDEN["source_study_reproduction"]
    pre, post, _ = _paired_inputs("table1_group_means")
    result = paired_t(pre, post)
    assert result.statistic == pytest.approx(record["paired_t"]["recomputed"]["t"], rel=1e-5)
    assert result.p == pytest.approx(record["paired_t"]["recomputed"]["p"], rel=1e-5)
    low, high = record["paired_t"]["rounding_range_t"]
    assert low <= 21.68 <= high  # the reported t is within what rounding the means allows
    r_from_t = _effect(result, "r")
    assert r_from_t == pytest.approx(record["r_effect"]["sqrt(t2/(t2+df)) from recomputed t"])
    assert round(r_from_t, 2) != 0.97  # the reported r = .97 is not r from t
    anova = one_way_anova(*_gains("table1_group_means"))
    expected = record["anova_between_types"]["recomputed_on_gain_scores"]
    assert anova.statistic == pytest.approx(expected["F"], rel=1e-5)
    assert anova.p == pytest.approx(expected["p"], rel=1e-5)
    assert _effect(anova, "partial_eta_squared") == pytest.approx(expected["eta2"], rel=1e-5)
