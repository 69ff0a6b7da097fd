"""imheval.stats against R: every number make_golden.R wrote to r_results.json.

R wrote 15 significant digits, so point values must agree to rtol 1e-9. Confidence bounds found
by inverting a noncentral distribution are compared to R's uniroot() inversion ("ci95_exact") at
rtol 1e-7 (R's own pt() warns that it loses a little precision for ncp near 37, as in the seed's
Table 1), and to effectsize's optim()-based bounds at the accuracy optim reaches (1e-5, 2e-6 abs).
"""

from __future__ import annotations

import json
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
    welch_t,
    wilcoxon_signed_rank,
)

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "r_results.json").read_text())

POINT = {"rel": 1e-9, "abs": 1e-12}
EXACT_CI = {"rel": 1e-7, "abs": 1e-10}
EFFECTSIZE_CI = {"rel": 1e-5, "abs": 2e-6}
# scipy and R both run Royston's AS R94 algorithm; their ports agree to about 1e-9.
SHAPIRO = {"rel": 1e-7, "abs": 1e-12}

PAIRED = sorted(INPUTS["paired"])
GROUPED = sorted(k for k in INPUTS["paired"] if INPUTS["paired"][k]["group"] is not None)


def _ci(result: TestResult, name: str) -> list[float]:
    effect = result.effect(name)
    assert effect is not None, f"{name} missing"
    assert effect.ci is not None, f"{name} has no CI"
    return effect.ci.to_list()


def _value(result: TestResult, name: str) -> float:
    effect = result.effect(name)
    assert effect is not None, f"{name} missing"
    return effect.value


def _diffs(dataset: str) -> tuple[np.ndarray, list[str]]:
    ds = INPUTS["paired"][dataset]
    pre = np.array([np.nan if v is None else v for v in ds["pre"]], dtype=float)
    post = np.array([np.nan if v is None else v for v in ds["post"]], dtype=float)
    ok = ~(np.isnan(pre) | np.isnan(post))
    labels = ds["group"] or [""] * len(ok)
    groups = [g for g, keep in zip(labels, ok, strict=True) if keep]
    return (post - pre)[ok], groups


def test_golden_file_records_r_and_package_versions() -> None:
    assert R["R_version"].startswith("R version 4.")
    assert R["packages"]["effectsize"]


@pytest.mark.parametrize("dataset", PAIRED)
def test_paired_t_matches_r_t_test(dataset: str) -> None:
    ds, expected = INPUTS["paired"][dataset], R["paired"][dataset]
    result = paired_t(ds["pre"], ds["post"])
    tt = expected["t_test"]
    assert result.n == expected["n_pairs"]
    assert result.statistic == pytest.approx(tt["t"], **POINT)
    assert result.df == pytest.approx(tt["df"], **POINT)
    assert result.p == pytest.approx(tt["p"], **POINT)
    assert result.estimate == pytest.approx(tt["estimate"], **POINT)
    assert result.estimate_ci is not None
    assert result.estimate_ci.to_list() == pytest.approx(tt["ci95"], **POINT)
    for key in ("mean_pre", "mean_post", "sd_pre", "sd_post", "sd_diff", "r_prepost"):
        assert result.details[key] == pytest.approx(expected[key], **POINT), key


@pytest.mark.parametrize("dataset", PAIRED)
def test_paired_effect_sizes_match_r_effectsize(dataset: str) -> None:
    ds, expected = INPUTS["paired"][dataset], R["paired"][dataset]
    result = paired_t(ds["pre"], ds["post"])
    for name, key in (("cohen_dz", "cohens_dz"), ("hedges_gz", "hedges_gz")):
        assert _value(result, name) == pytest.approx(expected[key]["est"], **POINT), name
        assert _ci(result, name) == pytest.approx(expected[key]["ci95_exact"], **EXACT_CI), name
        assert _ci(result, name) == pytest.approx(expected[key]["ci95"], **EFFECTSIZE_CI), name
    assert _value(result, "d_av") == pytest.approx(expected["d_av"], **POINT)
    assert _value(result, "d_rm") == pytest.approx(expected["d_rm"], **POINT)
    assert _value(result, "r") == pytest.approx(expected["r_from_t"], **POINT)


@pytest.mark.parametrize("dataset", PAIRED)
def test_wilcoxon_matches_r_wilcox_test_default(dataset: str) -> None:
    ds, expected = INPUTS["paired"][dataset], R["paired"][dataset]
    result = wilcoxon_signed_rank(ds["pre"], ds["post"])
    assert result.statistic == pytest.approx(expected["wilcoxon"]["V"], **POINT)
    assert result.p == pytest.approx(expected["wilcoxon"]["p"], **POINT)
    assert ("exact p" in result.method) is expected["wilcoxon"]["exact"]
    assert _value(result, "rank_biserial") == pytest.approx(
        expected["rank_biserial"]["est"], **POINT
    )
    assert _ci(result, "rank_biserial") == pytest.approx(expected["rank_biserial"]["ci95"], **POINT)


def test_golden_inputs_exercise_every_wilcoxon_branch() -> None:
    methods = {R["paired"][k]["wilcoxon"]["method"] for k in PAIRED}
    assert methods == {
        "Wilcoxon signed rank exact test",
        "Wilcoxon signed rank test with continuity correction",
    }
    large = INPUTS["paired"]["large_no_ties"]
    assert len(large["pre"]) >= 50


@pytest.mark.parametrize("dataset", PAIRED)
def test_shapiro_wilk_of_changes_matches_r(dataset: str) -> None:
    diffs, _ = _diffs(dataset)
    result = shapiro_wilk(diffs)
    assert result.statistic == pytest.approx(R["paired"][dataset]["shapiro_diff"]["W"], **SHAPIRO)
    assert result.p == pytest.approx(R["paired"][dataset]["shapiro_diff"]["p"], **SHAPIRO)


@pytest.mark.parametrize("name", sorted(INPUTS["shapiro"]))
def test_shapiro_wilk_matches_r_shapiro_test(name: str) -> None:
    result = shapiro_wilk(INPUTS["shapiro"][name])
    assert result.statistic == pytest.approx(R["shapiro"][name]["W"], **SHAPIRO)
    assert result.p == pytest.approx(R["shapiro"][name]["p"], **SHAPIRO)


def _anova_cases() -> list[tuple[str, np.ndarray, list[str], dict[str, Any]]]:
    cases = []
    for dataset in GROUPED:
        diffs, groups = _diffs(dataset)
        cases.append((dataset, diffs, groups, R["paired"][dataset]["gain_anova"]))
    three = INPUTS["groups"]["three_groups_unequal"]
    cases.append(
        (
            "three_groups_unequal",
            np.array(three["values"]),
            three["group"],
            R["groups"]["three_groups_unequal"],
        )
    )
    return cases


ANOVA_CASES = _anova_cases()


@pytest.mark.parametrize(("name", "values", "groups", "expected"), ANOVA_CASES)
def test_one_way_anova_matches_r_aov_and_effectsize(
    name: str, values: np.ndarray, groups: list[str], expected: dict[str, Any]
) -> None:
    result = one_way_anova(values, groups)
    assert result.statistic == pytest.approx(expected["F"], **POINT)
    assert result.df == (expected["df1"], expected["df2"])
    assert result.p == pytest.approx(expected["p"], **POINT)
    assert result.details["ss_between"] == pytest.approx(expected["ss_between"], **POINT)
    assert result.details["ss_within"] == pytest.approx(expected["ss_within"], **POINT)
    for label, mean in expected["group_means"].items():
        assert result.details[f"mean[{label}]"] == pytest.approx(mean, **POINT)
        assert result.details[f"n[{label}]"] == expected["group_n"][label]
    for effect in ("eta_squared", "partial_eta_squared"):
        assert _value(result, effect) == pytest.approx(expected["eta2"], **POINT)
        assert _value(result, effect) == pytest.approx(expected["eta2_partial"], **POINT)
        assert _ci(result, effect) == pytest.approx(expected["eta2_ci95_exact"], **EXACT_CI)
        assert _ci(result, effect) == pytest.approx(expected["eta2_ci95"], **EFFECTSIZE_CI)
    assert _value(result, "omega_squared") == pytest.approx(expected["omega2"], **POINT)
    assert result.details["omega_squared_raw"] == pytest.approx(expected["omega2_raw"], **POINT)


@pytest.mark.parametrize(
    ("name", "values", "groups", "expected"), [c for c in ANOVA_CASES if "welch" in c[3]]
)
def test_welch_anova_matches_r_oneway_test(
    name: str, values: np.ndarray, groups: list[str], expected: dict[str, Any]
) -> None:
    result = welch_anova(values, groups)
    welch = expected["welch"]
    assert result.statistic == pytest.approx(welch["F"], **POINT)
    assert result.df is not None and not isinstance(result.df, float)
    assert result.df[0] == welch["df1"]
    assert result.df[1] == pytest.approx(welch["df2"], **POINT)
    assert result.p == pytest.approx(welch["p"], **POINT)


def test_welch_t_and_pooled_effect_sizes_match_r() -> None:
    data = INPUTS["groups"]["two_groups_unequal"]
    expected = R["groups"]["two_groups_unequal"]
    result = welch_t(data["a"], data["b"])
    wt = expected["welch_t"]
    assert result.statistic == pytest.approx(wt["t"], **POINT)
    assert result.df == pytest.approx(wt["df"], **POINT)
    assert result.p == pytest.approx(wt["p"], **POINT)
    assert result.estimate == pytest.approx(wt["estimate"], **POINT)
    assert result.estimate_ci is not None
    assert result.estimate_ci.to_list() == pytest.approx(wt["ci95"], **POINT)
    assert result.details["sd_pooled"] == pytest.approx(expected["sd_pooled"], **POINT)
    for name, key in (("cohen_d", "cohens_d"), ("hedges_g", "hedges_g")):
        assert _value(result, name) == pytest.approx(expected[key]["est"], **POINT)
        assert _ci(result, name) == pytest.approx(expected[key]["ci95_exact"], **EXACT_CI)
        assert _ci(result, name) == pytest.approx(expected[key]["ci95"], **EFFECTSIZE_CI)


def test_holm_matches_r_p_adjust_with_na() -> None:
    p_values = INPUTS["pvalues"]["p"]
    adjusted = holm(p_values)
    for ours, theirs in zip(adjusted, R["holm"]["adjusted"], strict=True):
        if theirs is None:
            assert ours is None
        else:
            assert ours == pytest.approx(theirs, **POINT)
