"""imheval.stats.mixed.general given by cells, and the codes the programme model works on: the
fast paths give what the straightforward ones give."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from mixed_problems import cell_problem

from imheval.stats.mixed.general import (
    Problem,
    _Sums,
    evaluate,
    fit,
    profiled_deviance,
)
from imheval.stats.mixed.interaction import (
    person_codes,
    text_codes,
)


def _dense(problem: Problem) -> Problem:
    assert problem.cell is not None
    return dataclasses.replace(
        problem, x=problem.x[problem.cell], z=problem.z[problem.cell], cell=None
    )


CASES = [
    (seed, n_times, k, person_term, mixed)
    for seed, (n_times, k, person_term, mixed) in enumerate(
        [
            (2, 2, True, False),
            (2, 1, True, True),
            (3, 3, True, True),
            (3, 2, True, False),
            (2, 0, True, False),
            (2, 1, False, True),
            (3, 3, False, False),
        ]
    )
]


@pytest.mark.parametrize("by_entry", [False, True])
@pytest.mark.parametrize(("seed", "n_times", "k", "person_term", "mixed"), CASES)
def test_a_problem_given_by_cells_evaluates_as_its_dense_design(
    seed: int, n_times: int, k: int, person_term: bool, mixed: bool, by_entry: bool
) -> None:
    problem = dataclasses.replace(
        cell_problem(seed, n_times, k, person_term, mixed), by_entry=by_entry
    )
    cells, dense = _Sums(problem), _Sums(_dense(problem))
    assert (cells.cells is not None) == (by_entry and k > 0)
    np.testing.assert_allclose(cells.total, dense.total, rtol=1e-13)
    np.testing.assert_allclose(cells.total_by_size, dense.total_by_size, rtol=1e-13)
    if not by_entry:
        np.testing.assert_allclose(cells.zcross, dense.zcross, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(
            cells.zcross_by_size, dense.zcross_by_size, rtol=1e-13, atol=1e-13
        )
    rng = np.random.default_rng(seed)
    for _ in range(4):
        theta = np.abs(rng.normal(0.5, 0.4, problem.n_theta))
        if k > 1:  # an off-diagonal of Lambda may be negative
            theta[-2] = -theta[-2]
        by_cells, by_rows = evaluate(cells, theta), evaluate(dense, theta)
        assert by_cells is not None and by_rows is not None
        np.testing.assert_allclose(by_cells.beta, by_rows.beta, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(by_cells.xhx, by_rows.xhx, rtol=1e-11, atol=1e-12)
        assert by_cells.pwrss == pytest.approx(by_rows.pwrss, rel=1e-11)
        assert by_cells.logdet_h == pytest.approx(by_rows.logdet_h, rel=1e-11, abs=1e-11)
        assert profiled_deviance(cells, theta) == pytest.approx(
            profiled_deviance(dense, theta), rel=1e-12
        )


def test_a_problem_given_by_cells_fits_as_its_dense_design() -> None:
    problem = cell_problem(3, 3, 2, True, True)
    by_rows = fit(_dense(problem))
    assert by_rows is not None
    for by_entry in (False, True):
        by_cells = fit(dataclasses.replace(problem, by_entry=by_entry))
        assert by_cells is not None
        assert by_cells.log_likelihood == pytest.approx(by_rows.log_likelihood, rel=1e-10)
        np.testing.assert_allclose(by_cells.beta, by_rows.beta, rtol=1e-4, atol=1e-6)


def test_text_codes_group_as_stripped_text_and_sort_as_python() -> None:
    values = pd.Series([" b", "a", "b", 1, "1", np.nan, "a "], dtype=object)
    codes, names = text_codes(values, strip=True)
    text = values.map(lambda v: str(v).strip())
    assert names == sorted(set(text))
    assert [names[c] for c in codes] == text.tolist()
    codes, names = text_codes(values, strip=False, sort=False)
    assert [names[c] for c in codes] == values.map(str).tolist()


def test_person_codes_tell_the_same_participant_in_two_cohorts_apart() -> None:
    cohort = np.array([1, 0, 1, 0, 1])
    participant = np.array([7, 7, 7, 3, 2])
    person = person_codes(cohort, participant)
    pairs = list(zip(cohort.tolist(), participant.tolist(), strict=True))
    assert len(set(person.tolist())) == len(set(pairs))
    for i in range(5):
        for j in range(5):
            assert (person[i] == person[j]) == (pairs[i] == pairs[j])
    # each cohort's people are one range of codes, in cohort order
    assert person[cohort == 0].max() < person[cohort == 1].min()
