"""imheval.stats.power against R: every number make_golden_power.R wrote.

Closed forms (pwr::pwr.t.test, noncentral pt/qt by hand, the plan arithmetic) to 1e-8
relative; whole numbers (pairs, people, cohorts needed) exactly. The smallest detectable effect
is compared with R's uniroot at tol 1e-13 (pwr.t.test's own d, found to about 1e-4, only to
1e-3). Simulated powers: imheval's seeded simulation (different random numbers from R's) must
lie within 4 Monte Carlo standard errors of R's lme4/lmerTest simulation (1,000 studies per
design in R; fewer here, to keep the suite quick, so the combined SE is wider).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from imheval.stats.power import (
    design_power,
    paired_power,
    pairs_needed,
    plan_study,
    smallest_detectable_effect,
)

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "power_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "power_r_results.json").read_text())

CLOSED = {"rel": 1e-8, "abs": 1e-12}
#: simulated studies per design in this test (R's side has 1,000)
SIMULATED_STUDIES = 100


def _label(case: dict[str, Any]) -> str:
    return ",".join(f"{key}={value}" for key, value in case.items() if not isinstance(value, dict))


@pytest.mark.parametrize("case", R["power"], ids=_label)
def test_paired_power_matches_pwr(case: dict[str, Any]) -> None:
    # pairs from the inputs at full precision (R wrote 15 significant digits back)
    pairs = min(INPUTS["power_grid"]["pairs"], key=lambda value: abs(value - case["pairs"]))
    ours = paired_power(pairs, case["effect"], case["alpha"])
    assert ours == pytest.approx(case["power"], **CLOSED)


@pytest.mark.parametrize("case", R["pairs_needed"], ids=_label)
def test_pairs_needed_is_the_ceiling_of_pwr_and_minimal(case: dict[str, Any]) -> None:
    n = pairs_needed(case["effect"], case["power"], case["alpha"])
    assert n == case["n_min"] == case["n_ceiling"]
    assert paired_power(n, case["effect"], case["alpha"]) == pytest.approx(
        case["power_at_n_min"], **CLOSED
    )


@pytest.mark.parametrize("case", R["detectable"], ids=_label)
def test_smallest_detectable_effect_matches_r(case: dict[str, Any]) -> None:
    grid = INPUTS["detectable_grid"]["pairs"]
    pairs = min(grid, key=lambda value: abs(value - case["pairs"]))
    ours = smallest_detectable_effect(pairs, power=case["power"], alpha=case["alpha"])
    assert ours == pytest.approx(case["effect"], **CLOSED)
    assert ours == pytest.approx(case["d_pwr"], rel=1e-3)


@pytest.mark.parametrize(
    ("plan", "expected"), list(zip(INPUTS["plans"], R["plans"], strict=True)), ids=_label
)
def test_plan_study_matches_the_contract_computed_in_r(
    plan: dict[str, Any], expected: dict[str, Any]
) -> None:
    result = plan_study(**plan)
    for name in ("people_analysed", "people_needed", "cohorts_needed"):
        assert getattr(result, name) == expected[name], name
    for name in ("pairs", "design_effect", "power"):
        assert getattr(result, name) == pytest.approx(expected[name], **CLOSED), name
    as_json = result.to_dict()
    assert {key: as_json[key] for key in expected if expected[key] is not None} == pytest.approx(
        {key: value for key, value in expected.items() if value is not None}, **CLOSED
    )


@pytest.mark.parametrize(
    ("design", "expected"), list(zip(INPUTS["designs"], R["designs"], strict=True)), ids=_label
)
def test_design_closed_forms_match_r(design: dict[str, Any], expected: dict[str, Any]) -> None:
    result = design_power(
        design["cohorts"],
        design["cohort_size"],
        design["effect"],
        icc=design["icc"],
        attrition=design["attrition"],
        alpha=design["alpha"],
    )
    participant, cohort = result.analysis("participant"), result.analysis("cohort")
    assert result.analysed_per_cohort == pytest.approx(expected["analysed_per_cohort"], **CLOSED)
    assert result.design_effect == pytest.approx(expected["design_effect"], **CLOSED)
    assert participant.df == pytest.approx(expected["participant_df"], **CLOSED)
    assert participant.power == pytest.approx(expected["participant_power"], **CLOSED)
    assert participant.power == pytest.approx(expected["participant_power_by_hand"], **CLOSED)
    assert cohort.df == expected["cohort_df"]
    assert cohort.power == pytest.approx(expected["cohort_power"], **CLOSED)
    detectable = dict(result.smallest_detectable)
    assert detectable["participant"] == pytest.approx(expected["participant_detectable"], **CLOSED)
    assert detectable["cohort"] == pytest.approx(expected["cohort_detectable"], **CLOSED)
    assert detectable["mixed"] is None


def _within_four_se(ours: float, our_se: float, theirs: float, their_se: float, n: int) -> bool:
    # A simulated 0 or 1 has SE 0; floor each SE at that of one study in n.
    floor = math.sqrt(0.5 * 0.5 / n) / 4
    return abs(ours - theirs) <= 4 * math.hypot(max(our_se, floor), max(their_se, floor))


@pytest.mark.parametrize("name", ["six_by_ten", "five_by_twelve_null"])
def test_simulated_power_matches_the_r_simulation(name: str) -> None:
    design = next(d for d in INPUTS["simulations"]["designs"] if d["name"] == name)
    expected = R["simulations"][name]
    calls: list[tuple[int, int]] = []
    result = design_power(
        design["cohorts"],
        design["cohort_size"],
        design["effect"],
        icc=design["icc"],
        attrition=design["attrition"],
        alpha=design["alpha"],
        simulate=SIMULATED_STUDIES,
        seed=7,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (SIMULATED_STUDIES, SIMULATED_STUDIES) and len(calls) == SIMULATED_STUDIES
    for row in result.analyses:
        assert row.simulated_power is not None and row.standard_error is not None
        assert row.failed_simulations == 0
        assert _within_four_se(
            row.simulated_power,
            row.standard_error,
            expected[f"{row.analysis}_power"],
            expected[f"{row.analysis}_se"],
            SIMULATED_STUDIES,
        ), (row.analysis, row.simulated_power, expected[f"{row.analysis}_power"])
