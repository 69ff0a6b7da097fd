"""imheval.stats.ancova, .gain and the Wilson facility CIs against R: every number
make_golden_gains.R wrote.

Closed forms (F, df, p, partial eta squared, slope, adjusted means and their SEs, normalised
gain, Wilson bounds): rtol 1e-8. The CI of partial eta squared inverts the noncentral F
(scipy's ncf against R's pf with ncp, each root found to about 1e-13): rtol 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imheval.stats.ancova import ancova
from imheval.stats.gain import normalised_gain
from imheval.stats.items import wilson_ci

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "gains_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "gains_r_results.json").read_text())

CLOSED = {"rel": 1e-8, "abs": 1e-12}
INVERTED = {"rel": 1e-6, "abs": 1e-9}


@pytest.mark.parametrize("case", sorted(INPUTS["ancova"]))
def test_ancova_matches_r(case: str) -> None:
    data, expected = INPUTS["ancova"][case], R["ancova"][case]
    result = ancova(data["pre"], data["post"], data["group"])
    assert result.computed, result.reason
    assert result.n == expected["n"]
    assert list(result.groups) == expected["groups"]
    assert result.df == tuple(float(v) for v in expected["df"])
    assert result.f == pytest.approx(expected["f"], **CLOSED)
    assert result.p == pytest.approx(expected["p"], **CLOSED)
    eta = result.partial_eta_squared
    assert eta is not None and eta.name == "partial_eta_squared"
    assert eta.value == pytest.approx(expected["partial_eta_squared"], **CLOSED)
    assert eta.ci is not None
    assert [eta.ci.low, eta.ci.high] == pytest.approx(
        expected["partial_eta_squared_ci"], **INVERTED
    )
    assert result.slope == pytest.approx(expected["slope"], **CLOSED)
    assert result.slope_se == pytest.approx(expected["slope_se"], **CLOSED)
    assert result.mean_pre == pytest.approx(expected["mean_pre"], **CLOSED)
    means = result.adjusted_means
    assert [m.adjusted_mean for m in means] == pytest.approx(expected["adjusted_mean"], **CLOSED)
    assert [m.se for m in means] == pytest.approx(expected["adjusted_se"], **CLOSED)
    assert [m.ci.low for m in means] == pytest.approx(expected["adjusted_ci_low"], **CLOSED)
    assert [m.ci.high for m in means] == pytest.approx(expected["adjusted_ci_high"], **CLOSED)
    slopes = result.slopes
    assert slopes is not None and slopes.f is not None, slopes
    assert slopes.df == tuple(float(v) for v in expected["slopes_df"])
    assert slopes.f == pytest.approx(expected["slopes_f"], **CLOSED)
    assert slopes.p == pytest.approx(expected["slopes_p"], **CLOSED)
    assert slopes.parallel is (expected["slopes_p"] >= 0.05)


def test_the_golden_data_cover_a_slopes_failure_and_groups_that_start_apart() -> None:
    assert R["ancova"]["nonparallel"]["slopes_p"] < 0.05
    assert R["ancova"]["lord"]["slopes_p"] >= 0.05


@pytest.mark.parametrize("case", sorted(INPUTS["normalised"]))
def test_normalised_gain_matches_r(case: str) -> None:
    data, expected = INPUTS["normalised"][case], R["normalised"][case]
    result = normalised_gain(data["pre"], data["post"], data["maximum"])
    for name in ("n", "n_at_maximum", "n_analysed", "n_lost"):
        assert getattr(result, name) == expected[name], name
    for name in ("mean", "median", "lowest", "hake_g"):
        assert getattr(result, name) == pytest.approx(expected[name], **CLOSED), name


@pytest.mark.parametrize("case", R["wilson"], ids=lambda c: f"{c['x']}of{c['n']}")
def test_wilson_facility_ci_matches_prop_test(case: dict[str, float]) -> None:
    ci = wilson_ci(case["x"] / case["n"], int(case["n"]))
    assert ci is not None
    assert ci.low == pytest.approx(case["low"], **CLOSED)
    assert ci.high == pytest.approx(case["high"], **CLOSED)
