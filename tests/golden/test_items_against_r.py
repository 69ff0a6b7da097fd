"""Item analysis and reliability against R (items_r_results.json) and the shared golden vectors.

make_golden_items.R wrote R's answers (psych::alpha, psych::ICC, psych::cohen.kappa, cor,
mcnemar.test, binom.test, p.adjust) with 15 significant digits, so values must agree to
rtol 1e-9. The shared golden vectors (second_opinion/) are compared with their own rule,
``abs(actual - expected) <= atol + rtol * abs(expected)``; cases for quantities imheval does not
report are listed in SKIPPED_QUANTITIES with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from imheval.stats import (
    ItemAnalysis,
    cohen_kappa,
    cronbach_alpha,
    icc_a1,
    item_analysis,
    mcnemar,
    percent_agreement,
)

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "items_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "items_r_results.json").read_text())
SHARED: dict[str, Any] = json.loads((HERE / "second_opinion" / "golden_vectors.json").read_text())

POINT = {"rel": 1e-9, "abs": 1e-12}


def _matrix(rows: list[list[float | None]]) -> np.ndarray:
    return np.array(rows, dtype=float)


# --------------------------------------------------------------------------------------------
# R's answers


@pytest.mark.parametrize("name", sorted(INPUTS["item_sets"]))
def test_alpha_feldt_ci_and_alpha_if_deleted_match_r(name: str) -> None:
    data, expected = INPUTS["item_sets"][name], R["item_sets"][name]
    result = cronbach_alpha(_matrix(data["x"]), data["items"])
    assert result.n == expected["n_complete"]
    assert result.k == expected["k"]
    assert result.alpha == pytest.approx(expected["alpha"], **POINT)
    assert [result.ci_low, result.ci_high] == pytest.approx(expected["feldt_ci95"], **POINT)
    for item, value in expected["alpha_if_deleted"].items():
        assert result.alpha_if_deleted[item] == pytest.approx(value, **POINT), item
    if not expected["constant_items"]:
        # Without a constant item psych::alpha keeps every item and must agree with us.
        assert result.alpha == pytest.approx(expected["psych_raw_alpha"], **POINT)
        for item, value in expected["psych_alpha_drop"].items():
            assert result.alpha_if_deleted[item] == pytest.approx(value, **POINT), item


def test_psych_alpha_differs_when_it_drops_a_constant_item() -> None:
    # Q1 is answered correctly by all at post: psych drops it, imheval keeps it.
    expected = R["item_sets"]["items_binary_post"]
    assert expected["constant_items"] == ["Q1"]
    result = cronbach_alpha(_matrix(INPUTS["item_sets"]["items_binary_post"]["x"]))
    assert result.alpha == pytest.approx(expected["alpha"], **POINT)
    assert result.alpha != pytest.approx(expected["psych_raw_alpha"], rel=1e-3)
    # psych's value is alpha with Q1 deleted.
    assert result.alpha_if_deleted["Q1"] == pytest.approx(expected["psych_raw_alpha"], **POINT)


@pytest.mark.parametrize("name", sorted(INPUTS["item_sets"]))
def test_facility_and_item_rest_match_r(name: str) -> None:
    data, expected = INPUTS["item_sets"][name], R["item_sets"][name]
    analysis = item_analysis(
        _matrix(data["x"]), None, data["items"], max_points=data["max"], min_points=data["min"]
    )
    for item in data["items"]:
        stats_of_item = analysis.item(item)
        assert stats_of_item.facility_pre == pytest.approx(expected["facility"][item], **POINT)
        r_value = expected["item_rest"][item]
        if r_value is None:
            assert stats_of_item.item_rest_pre is None
            assert "zero variance" in stats_of_item.reasons["item_rest_pre"]
        else:
            assert stats_of_item.item_rest_pre == pytest.approx(r_value, **POINT), item
        if "psych_r_drop" in expected:
            assert stats_of_item.item_rest_pre == pytest.approx(
                expected["psych_r_drop"][item], rel=1e-9
            )


def _mcnemar_analysis(name: str) -> tuple[dict[str, Any], ItemAnalysis]:
    data = INPUTS["mcnemar"][name]
    return data, item_analysis(_matrix(data["pre"]), _matrix(data["post"]), data["items"])


@pytest.mark.parametrize("name", sorted(INPUTS["mcnemar"]))
def test_mcnemar_counts_p_and_holm_match_r(name: str) -> None:
    data, analysis = _mcnemar_analysis(name)
    for item in data["items"]:
        expected = R["mcnemar"][name][item]
        result = analysis.item(item).mcnemar
        assert result is not None
        assert (result.n, result.b, result.c) == (expected["n"], expected["b"], expected["c"])
        assert result.p == pytest.approx(expected["p_auto"], **POINT)
        assert result.method == ("exact" if expected["b"] + expected["c"] < 25 else "chi_square")
        assert analysis.item(item).p_holm == pytest.approx(expected["p_auto_holm"], **POINT)


@pytest.mark.parametrize("name", sorted(INPUTS["mcnemar"]))
def test_mcnemar_both_methods_match_r_when_forced(name: str) -> None:
    data = INPUTS["mcnemar"][name]
    pre, post = _matrix(data["pre"]), _matrix(data["post"])
    for j, item in enumerate(data["items"]):
        expected = R["mcnemar"][name][item]
        exact = mcnemar(pre[:, j], post[:, j], exact=True)
        chi_square = mcnemar(pre[:, j], post[:, j], exact=False)
        assert exact.p == pytest.approx(expected["p_exact"], **POINT)
        assert exact.statistic is None
        assert chi_square.statistic == pytest.approx(expected["chi2_cc"], **POINT)
        assert chi_square.p == pytest.approx(expected["p_cc"], **POINT)


@pytest.mark.parametrize("name", sorted(INPUTS["icc"]))
def test_icc_a1_and_c1_match_psych(name: str) -> None:
    data, expected = INPUTS["icc"][name], R["icc"][name]
    result = icc_a1(data["t1"], data["t2"])
    absolute, consistency = expected["ICC2"], expected["ICC3"]
    assert result.n == expected["n"]
    assert result.estimate == pytest.approx(absolute["icc"], **POINT)
    assert result.estimate_ci is not None
    assert result.estimate_ci.to_list() == pytest.approx(absolute["ci95"], **POINT)
    assert result.statistic == pytest.approx(absolute["F"], **POINT)
    assert result.df == (absolute["df1"], absolute["df2"])
    assert result.p == pytest.approx(absolute["p"], **POINT)
    assert result.details["icc_c1"] == pytest.approx(consistency["icc"], **POINT)
    assert [result.details["icc_c1_ci_low"], result.details["icc_c1_ci_high"]] == pytest.approx(
        consistency["ci95"], **POINT
    )


@pytest.mark.parametrize("name", sorted(INPUTS["kappa"]))
def test_kappa_se_ci_and_agreement_match_psych(name: str) -> None:
    data, expected = INPUTS["kappa"][name], R["kappa"][name]
    result = cohen_kappa(data["a"], data["b"])
    assert result.n == expected["n"]
    assert result.kappa == pytest.approx(expected["kappa"], **POINT)
    assert result.se is not None
    assert result.se**2 == pytest.approx(expected["var_kappa"], rel=1e-9, abs=1e-15)
    if expected["var_kappa"] == 0:
        # psych prints the zero-width interval [kappa, kappa]; imheval gives none, with a reason.
        assert expected["ci95"][0] == expected["ci95"][1] == expected["kappa"]
        assert result.ci is None and result.ci_reason
    else:
        assert result.ci is not None
        assert result.ci.to_list() == pytest.approx(expected["ci95"], **POINT)
    assert result.percent_agreement == pytest.approx(expected["percent_agreement"], **POINT)
    assert percent_agreement(data["a"], data["b"]) == pytest.approx(
        expected["percent_agreement"], **POINT
    )


# --------------------------------------------------------------------------------------------
# The shared golden vectors (second opinion)

SKIPPED_QUANTITIES = {
    "kr20 with pq over SAMPLE var of total": "a known inconsistent formula, recorded as a trap",
    "pbis_item_total": "imheval reports the corrected item-rest r, not the uncorrected one",
    "_chi2_nocc": "imheval follows R's mcnemar.test default (continuity correction)",
    "_p_nocc": "imheval follows R's mcnemar.test default (continuity correction)",
    "_fdr_bh": "imheval adjusts item p-values with Holm, not Benjamini-Hochberg",
    "ICC1": "imheval reports ICC(A,1) and ICC(C,1) only",
    "pearson_r": "imheval reports agreement (ICC), not Pearson's r",
}
SHARED_CASES = [
    case for case in SHARED["cases"] if case["dataset"] in ("items_binary", "test_retest")
]


def _skip_reason(case: dict[str, Any]) -> str | None:
    for fragment, reason in SKIPPED_QUANTITIES.items():
        if fragment in case["quantity"] or fragment in case["id"]:
            return reason
    if re.match(r"ICC[23]k", case["quantity"]):
        return "imheval reports single-measure ICCs only (one administration is used at a time)"
    return None


RUN_CASES = [c for c in SHARED_CASES if _skip_reason(c) is None]


def test_every_shared_case_is_run_or_skipped_with_a_reason() -> None:
    assert len(SHARED_CASES) > 60
    assert len(RUN_CASES) >= 40
    for case in SHARED_CASES:
        assert case in RUN_CASES or _skip_reason(case)


def _shared_item_analysis(timepoint: str) -> ItemAnalysis:
    data = SHARED["datasets"]["items_binary"]
    pre = _matrix(data["pre"])
    post = _matrix(data["post"])
    if timepoint == "pre":
        return item_analysis(pre, post, data["items"])
    # Post-only statistics (facility, item-rest) computed with post in the "pre" slot.
    return item_analysis(post, None, data["items"])


def _actual(case: dict[str, Any]) -> float | None:
    quantity, case_id = case["quantity"], case["id"]
    if case["dataset"] == "test_retest":
        data = SHARED["datasets"]["test_retest"]
        result = icc_a1(data["t1"], data["t2"])
        assert result.estimate_ci is not None
        part = quantity.split("=")[0].split("_", 1)
        kind, what = part[0], (part[1] if len(part) > 1 else "icc")
        if kind == "ICC2":
            return {
                "icc": result.estimate,
                "ci95_low": result.estimate_ci.low,
                "ci95_high": result.estimate_ci.high,
                "F": result.statistic,
                "p": result.p,
            }[what]
        if kind == "ICC3":
            return {
                "icc": result.details["icc_c1"],
                "ci95_low": result.details["icc_c1_ci_low"],
                "ci95_high": result.details["icc_c1_ci_high"],
                "F": result.statistic,
                "p": result.p,
            }[what]
        raise AssertionError(f"unhandled case {case_id}")
    timepoint = "post" if ".items_post." in case_id else "pre"
    if "kr20/alpha" in quantity or quantity.startswith("alpha_feldt"):
        data = SHARED["datasets"]["items_binary"]
        alpha = cronbach_alpha(_matrix(data[timepoint]))
        if quantity.endswith("_low"):
            return alpha.ci_low
        if quantity.endswith("_high"):
            return alpha.ci_high
        return alpha.alpha
    item_match = re.search(r"\[(Q\d)\]", quantity) or re.match(r"(Q\d)_", quantity)
    if case_id.endswith("pbis_q1_undefined"):
        return _shared_item_analysis("post").item("Q1").item_rest_pre
    assert item_match, case_id
    item = item_match.group(1)
    if quantity.startswith("facility"):
        return _shared_item_analysis(timepoint).item(item).facility_pre
    if quantity.startswith("pbis_corrected"):
        return _shared_item_analysis(timepoint).item(item).item_rest_pre
    data = SHARED["datasets"]["items_binary"]
    j = data["items"].index(item)
    pre, post = _matrix(data["pre"])[:, j], _matrix(data["post"])[:, j]
    if quantity.endswith("_p_exact_holm"):
        return _shared_item_analysis("pre").item(item).p_holm
    if quantity.endswith("_p_exact"):
        return mcnemar(pre, post, exact=True).p
    if quantity.endswith("_chi2_cc"):
        return mcnemar(pre, post, exact=False).statistic
    if quantity.endswith("_p_cc"):
        return mcnemar(pre, post, exact=False).p
    raise AssertionError(f"unhandled case {case_id}")


@pytest.mark.parametrize("case", RUN_CASES, ids=lambda case: case["id"])
def test_shared_golden_case(case: dict[str, Any]) -> None:
    actual = _actual(case)
    expected = case["expected"]
    if expected is None:
        assert actual is None, "an undefined quantity must be None, not a number"
        return
    assert actual is not None
    assert abs(actual - expected) <= case["atol"] + case["rtol"] * abs(expected)
