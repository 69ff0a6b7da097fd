"""imheval.stats.mixed.layout: the sums a fit builds from codes it has seen before are the
sums it builds from scratch, bit for bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mixed_problems import cell_problem

from imheval.stats.mixed import general
from imheval.stats.mixed import layout as layout_module
from imheval.stats.mixed.contrasts import satterthwaite
from imheval.stats.mixed.general import Problem, _group_sums, _grouped_cross, _Sums, evaluate, fit
from imheval.stats.mixed.layout import Layout, design_key, layout

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


SUMS = ("total", "zcross", "sizes", "n_of_size", "total_by_size", "zcross_by_size")


def _fresh(problem: Problem) -> _Sums:
    layout_module._last.clear()
    return _Sums(problem)


@pytest.mark.parametrize(("seed", "n_times", "k", "person_term", "mixed"), CASES)
def test_sums_from_a_kept_layout_are_the_sums_from_scratch(
    seed: int, n_times: int, k: int, person_term: bool, mixed: bool
) -> None:
    problem = cell_problem(seed, n_times, k, person_term, mixed)
    other_y = np.random.default_rng(seed + 100).normal(5.0, 3.0, problem.n)
    again = dataclasses.replace(problem, y=other_y)
    from_scratch = _fresh(again)
    _fresh(problem)  # keeps the layout and the design's sums, made with the first scores
    kept = _Sums(again)
    if person_term and k:
        assert layout_module._last and layout_module._last[0].kept
    for name in SUMS:
        assert np.array_equal(getattr(kept, name), getattr(from_scratch, name)), name


def test_a_layout_is_kept_only_for_equal_codes() -> None:
    problem = cell_problem(3, 3, 2, True, True)
    assert problem.cell is not None
    first = layout(problem.cohort, problem.person, problem.cell, 9)
    assert layout(problem.cohort.copy(), problem.person, problem.cell, 9) is first
    moved = problem.person.copy()
    moved[[0, -1]] = moved[[-1, 0]]
    second = layout(problem.cohort, moved, problem.cell, 9)
    assert second is not first
    assert layout(problem.cohort, moved, problem.cell, 10) is not second
    in_cells = layout(problem.cohort, moved, problem.cell, 10).in_cells
    assert in_cells is not None and in_cells.shape == (moved.max() + 1, 10)
    assert layout(problem.cohort, problem.person, problem.cell, 9) is not first  # only the last


def test_a_layout_counts_rows_people_and_sizes() -> None:
    cohort = np.array([0, 0, 0, 1, 1, 2])
    person = np.array([0, 0, 1, 2, 2, 3])
    cell = np.array([0, 1, 0, 0, 1, 1])
    codes = Layout(cohort, person, cell, 2)
    assert codes.counts.tolist() == [2, 1, 2, 1]
    assert codes.person_cohort.tolist() == [0, 0, 1, 2]
    assert codes.sizes.tolist() == [1.0, 2.0]
    assert codes.n_of_size.tolist() == [2.0, 2.0]
    assert [c.tolist() for c in codes.cohort_of_size] == [[0, 2], [0, 1]]
    design = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert codes.person_sums(design).tolist() == [[2.0, 1.0], [1.0, 0.0], [2.0, 1.0], [1.0, 1.0]]
    assert design_key(design) != design_key(design[:, :1]) != design_key(design.T)


def test_grouped_cross_sums_each_column_as_it_sums_it_alone() -> None:
    """What lets a fit re-sum only the y column of a kept design's sums: NumPy's reduceat
    adds each column of a matrix as it adds that column alone, bit for bit."""
    rng = np.random.default_rng(7)
    group = rng.integers(0, 50, 4000)
    rows = rng.normal(0.0, 1.0, (4000, 5)) * 10.0 ** rng.integers(-8, 9, (4000, 5))
    cross = _grouped_cross(rows, rows[:, 3:], group, 60)
    for column in range(5):
        alone = _grouped_cross(rows[:, column : column + 1], rows[:, 3:], group, 60)
        assert np.array_equal(cross[:, column], alone[:, 0])
    sums = _group_sums(rows, group, 60)
    assert np.array_equal(sums[:, 2], _group_sums(rows[:, 2:3], group, 60)[:, 0])
    assert sums[group[0], 0] == pytest.approx(rows[group == group[0], 0].sum(), rel=1e-12)


@pytest.mark.parametrize(("seed", "n_times", "k", "person_term", "mixed"), CASES)
def test_evaluations_reusing_scratch_space_leave_nothing_behind(
    seed: int, n_times: int, k: int, person_term: bool, mixed: bool
) -> None:
    """Each evaluation writes its cohorts' blocks into the sums' scratch space: one at a theta
    is, bit for bit, what it is on sums that never evaluated anything else."""
    problem = cell_problem(seed, n_times, k, person_term, mixed)
    rng = np.random.default_rng(seed)
    thetas = [np.abs(rng.normal(0.6, 0.5, problem.n_theta)) + 0.01 for _ in range(4)]
    shared = _Sums(problem)
    for theta in thetas + thetas[::-1]:
        again, alone = evaluate(shared, theta), evaluate(_fresh(problem), theta)
        assert again is not None and alone is not None
        assert np.array_equal(again.beta, alone.beta)
        assert np.array_equal(again.xhx, alone.xhx)
        assert (again.pwrss, again.logdet_h, again.logdet_xhx) == (
            alone.pwrss,
            alone.logdet_h,
            alone.logdet_xhx,
        )
    assert (len(shared._buffers) > 0) == (k > 0)


def test_satterthwaite_sharing_evaluations_between_sigmas_gives_the_same_derivatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Satterthwaite derivatives evaluate each theta once (a move of sigma alone keeps
    theta): the same numbers, bit for bit, as evaluating at every point."""
    problem = cell_problem(3, 3, 2, True, True)
    fitted = fit(problem)
    assert fitted is not None
    shared = satterthwaite(fitted)
    calls: list[bytes] = []
    real = general.evaluate

    def counted(sums: _Sums, theta: np.ndarray) -> general.Evaluation | None:
        calls.append(theta.tobytes())
        return real(sums, theta)

    monkeypatch.setattr(general, "evaluate", counted)
    memo: general.Memo = {}
    point = fitted.varpar
    moved = point.copy()
    moved[-1] *= 1.01
    assert general.deviance(fitted.sums, moved, memo) == general.deviance(fitted.sums, moved)
    assert general.deviance(fitted.sums, point, memo) == general.deviance(fitted.sums, point)
    assert len(memo) == 1 and len(calls) == 3
    monkeypatch.setattr(
        general, "_remembered", lambda sums, theta, memo: general.evaluate(sums, theta)
    )
    calls.clear()
    every = satterthwaite(fitted)
    assert len(calls) == 1 + 2 * 5 + 2 * 5 + 4 * 10  # each point of the numerical derivatives
    assert shared.jacobian is not None and every.jacobian is not None
    assert np.array_equal(shared.jacobian, every.jacobian)
    assert shared.varpar_covariance is not None and every.varpar_covariance is not None
    assert np.array_equal(shared.varpar_covariance, every.varpar_covariance)
