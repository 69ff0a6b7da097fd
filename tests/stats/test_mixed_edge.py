"""The REML search does not stop at a zero variance when the optimum lies above zero.

The profiled REML deviance is even in each relative SD theta, so its slope is zero at theta = 0
whatever the data: a search bounded at zero that steps onto (or next to) the bound can stop
there. ``edge_participant`` in tests/golden/mixed_inputs.json is a table on which it did (a
participant variance of 3e-11, a "singular" fit, where lme4 finds 0.108); these tests pin the
check that restarts such a search (``imheval.stats.mixed.reml._off_the_edge``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from imheval.stats import mixed_model
from imheval.stats.mixed import reml
from imheval.stats.mixed.design import _design, _prepare

GOLDEN = Path(__file__).parents[1] / "golden"
INPUTS: dict[str, Any] = json.loads((GOLDEN / "mixed_inputs.json").read_text())
R: dict[str, Any] = json.loads((GOLDEN / "mixed_r_results.json").read_text())
RANDOM_CASES = sorted(k for k, c in INPUTS["cases"].items() if c["cohort_effect"] == "random")

Row = tuple[str, str, str, float]


def _frame(rows: list[Row] | list[list[Any]]) -> pd.DataFrame:
    return pd.DataFrame([list(row) for row in rows], columns=INPUTS["columns"])


def _golden(case: str) -> pd.DataFrame:
    return _frame(INPUTS["cases"][case]["rows"])


def _structure(frame: pd.DataFrame, effect: str = "random") -> reml._Structure:
    data = _prepare(frame)
    exog, _, _ = _design(data, effect)
    return reml._Structure.of(data, exog)


def test_the_edge_case_is_fitted_where_lme4_fits_it() -> None:
    expected = R["cases"]["edge_participant"]
    result = mixed_model(_golden("edge_participant"))
    components = result.variance_components
    assert components is not None and components.cohort is not None
    assert components.participant == pytest.approx(expected["var_participant"], rel=1e-3)
    assert components.participant == pytest.approx(0.108425, rel=1e-3)  # not 3e-11
    assert components.cohort == pytest.approx(expected["var_cohort"], rel=1e-3)
    assert result.log_likelihood == pytest.approx(expected["loglik_reml"], rel=0, abs=1e-6)
    assert not result.singular and expected["singular"] is False
    assert result.notes == ()  # no singular note, no Hessian that curves the wrong way


def test_next_to_zero_the_check_finds_the_lower_deviance_inside() -> None:
    # Where the search used to stop: the participant's theta 3.3e-6, the cohort's 3.48.
    deviance = reml._profiled_deviance(_structure(_golden("edge_participant")), "random")
    stopped = np.array([3.4779679, 3.3061819e-06])
    lower = reml._off_the_edge(deviance, deviance(stopped), stopped)
    assert lower is not None
    assert lower[0] == stopped[0]  # only the theta next to zero is moved
    assert lower[1] == pytest.approx(0.1)  # the probe nearest lme4's 0.2077
    assert deviance(lower) < deviance(stopped) - 0.01
    # Zero is a maximum along that axis: the smallest probe is already lower.
    nudged = stopped.copy()
    nudged[1] = reml._EDGE_PROBES[0]
    assert deviance(nudged) < deviance(stopped) - reml._EDGE_GAIN


def test_a_true_zero_variance_is_kept() -> None:
    # singular_cohort: lme4 puts the cohort variance at 0, and no probe lowers the deviance.
    frame = _golden("singular_cohort")
    assert R["cases"]["singular_cohort"]["singular"] is True
    structure = _structure(frame)
    fitted = reml._profiled_reml_fit(structure, "random")
    assert fitted is not None and fitted.cohort == 0.0
    theta = np.array([0.0, math.sqrt(fitted.participant / fitted.residual)])
    deviance = reml._profiled_deviance(structure, "random")
    assert reml._off_the_edge(deviance, deviance(theta), theta) is None


def test_thetas_away_from_zero_are_not_probed() -> None:
    calls: list[np.ndarray] = []

    def deviance(theta: np.ndarray) -> float:
        calls.append(theta)
        return 0.0

    theta = np.array([reml._EDGE, 0.5])
    assert reml._off_the_edge(deviance, 1.0, theta) is None
    assert calls == []


@pytest.mark.parametrize("case", RANDOM_CASES)
def test_a_search_started_at_zero_still_reaches_lme4s_optimum(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Started at theta = 0 the slope is zero in every direction: the bounded search alone
    # stays at (or next to) zero, so only the restart can reach lme4's estimates.
    monkeypatch.setattr(reml, "_THETA_STARTS", (0.0,))
    expected = R["cases"][case]
    result = mixed_model(_golden(case))
    components = result.variance_components
    assert components is not None and components.cohort is not None
    assert components.cohort == pytest.approx(expected["var_cohort"], rel=1e-3, abs=1e-8)
    assert components.participant == pytest.approx(expected["var_participant"], rel=1e-3)
    assert components.residual == pytest.approx(expected["var_residual"], rel=1e-3)
    assert result.log_likelihood == pytest.approx(expected["loglik_reml"], rel=0, abs=1e-6)
    assert result.singular == expected["singular"]


def _dense_log_likelihood(frame: pd.DataFrame, variances: tuple[float, float, float]) -> float:
    """The REML log-likelihood from the n x n covariance matrix, as R's logLik defines it."""
    data = _prepare(frame)
    exog, _, _ = _design(data, "random")
    cohort, participant, residual = variances
    n, k = exog.shape
    v = (
        residual * np.eye(n)
        + participant * (data.participant[:, None] == data.participant[None, :])
        + cohort * (data.cohort[:, None] == data.cohort[None, :])
    )
    v_inv = np.linalg.inv(v)
    xvx = exog.T @ v_inv @ exog
    beta = np.linalg.solve(xvx, exog.T @ v_inv @ data.score)
    r = data.score - exog @ beta
    return float(
        -0.5
        * (
            np.linalg.slogdet(v)[1]
            + np.linalg.slogdet(xvx)[1]
            + r @ v_inv @ r
            + (n - k) * math.log(2 * math.pi)
        )
    )


@st.composite
def nested_tables(draw: st.DrawFn) -> list[Row]:
    """5 to 8 cohorts of 1 to 6 people, pre and post (some with follow-up), scores in tenths:
    a cohort shift, a person shift and noise, each of its own size, some scores missing."""
    spreads = [draw(st.sampled_from([0, 5, 20, 60])) for _ in range(3)]  # tenths of a point
    rows: list[Row] = []
    for c in range(draw(st.integers(5, 8))):
        cohort_shift = draw(st.integers(-spreads[0], spreads[0]))
        for p in range(draw(st.integers(1, 6))):
            person_shift = draw(st.integers(-spreads[1], spreads[1]))
            times = ["pre", "post"] + (["followup"] if draw(st.booleans()) else [])
            for gain, time in enumerate(times):
                if draw(st.integers(0, 9)) == 0:
                    continue
                noise = draw(st.integers(-spreads[2] - 5, spreads[2] + 5))
                tenths = 100 + cohort_shift + person_shift + 15 * gain + noise
                rows.append((f"P{p}", f"C{c}", time, tenths / 10))
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_tables())
@example([tuple(row) for row in INPUTS["cases"]["edge_participant"]["rows"]])
def test_no_nearby_variances_give_a_higher_reml_likelihood(rows: list[Row]) -> None:
    frame = _frame(rows)
    result = mixed_model(frame, cohort_effect="random")
    assume(result.computed)  # tables with nothing to fit are test_mixed.py's
    components = result.variance_components
    assert components is not None and components.cohort is not None
    found = (components.cohort, components.participant, components.residual)
    at_fit = _dense_log_likelihood(frame, found)
    assert result.log_likelihood == pytest.approx(at_fit, rel=0, abs=1e-7)
    for index in range(3):
        moves: list[float] = [found[index] * 0.97, found[index] * 1.03]
        if index < 2 and found[index] < 0.01 * components.residual:
            # a variance at (or next to) zero is also moved well inside
            moves += [f * components.residual for f in (0.001, 0.01, 0.1)]
        for moved in moves:
            trial = list(found)
            trial[index] = moved
            there = _dense_log_likelihood(frame, (trial[0], trial[1], trial[2]))
            assert there <= at_fit + 1e-7, (index, moved)
