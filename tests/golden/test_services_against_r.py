"""imheval.stats.its (the level-4 interrupted time series) against R: every number
make_golden_services.R wrote from services_inputs.json.

OLS is a closed formula: estimates, standard errors, t, fitted values, R squared, Durbin-Watson
and the lag-1 autocorrelation to rtol 1e-9; p-values and CIs (through the t distribution) to
rtol 1e-7.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imheval.stats.its import segmented_regression

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "services_inputs.json").read_text())["cases"]
R: dict[str, Any] = json.loads((HERE / "services_r_results.json").read_text())

CLOSED = {"rel": 1e-9, "abs": 1e-12}
DISTRIBUTION = {"rel": 1e-7, "abs": 1e-12}


@pytest.mark.parametrize("case", sorted(INPUTS))
def test_segmented_regression_matches_r_lm(case: str) -> None:
    data, expected = INPUTS[case], R[case]
    fit = segmented_regression(data["y"], data["time"], data["after"])
    assert fit.reason is None
    coefficients = [fit.intercept, fit.pre_slope, fit.level_change, fit.slope_change]
    for index, coefficient in enumerate(coefficients):
        assert coefficient is not None
        assert coefficient.estimate == pytest.approx(expected["estimate"][index], **CLOSED)
        assert coefficient.se == pytest.approx(expected["se"][index], **CLOSED)
        assert coefficient.t == pytest.approx(expected["t"][index], **CLOSED)
        assert coefficient.p == pytest.approx(expected["p"][index], **DISTRIBUTION)
        assert coefficient.ci is not None
        assert coefficient.ci.low == pytest.approx(expected["ci_low"][index], **DISTRIBUTION)
        assert coefficient.ci.high == pytest.approx(expected["ci_high"][index], **DISTRIBUTION)
    assert fit.df_residual == expected["df_residual"]
    assert fit.r_squared == pytest.approx(expected["r_squared"], **CLOSED)
    assert fit.durbin_watson == pytest.approx(expected["durbin_watson"], **CLOSED)
    assert fit.lag1_autocorrelation == pytest.approx(expected["lag1_autocorrelation"], **CLOSED)
    assert fit.fitted == pytest.approx(expected["fitted"], **CLOSED)


def test_autocorrelated_case_is_flagged() -> None:
    data = INPUTS["waiting_weeks_autocorrelated"]
    fit = segmented_regression(data["y"], data["time"], data["after"])
    assert fit.durbin_watson is not None
    assert fit.durbin_watson < 1.5
    assert fit.autocorrelated is True
