"""The problem both mixed-model cell tests fit: scores of people in cohorts, given by cells."""

from __future__ import annotations

import numpy as np

from imheval.stats.mixed.general import Problem
from imheval.stats.mixed.interaction import TIMES, _fixed_design


def cell_problem(
    seed: int, n_times: int, k: int, person_term: bool, mixed_cohorts: bool
) -> Problem:
    """Scores of people in cohorts at up to ``n_times`` times, in 3 programmes; a cohort has
    one programme unless ``mixed_cohorts``; people have 1 to ``n_times`` scores (one has a
    time twice); cohort random columns: intercept and time slopes, the first ``k``."""
    rng = np.random.default_rng(seed)
    times = TIMES[:n_times]
    programmes = ("A", "B", "C")
    rows = []
    person = 0
    for cohort in range(9):
        for _ in range(int(rng.integers(2, 7))):
            programme = int(rng.integers(3)) if mixed_cohorts else cohort % 3
            seen = sorted(
                rng.choice(n_times, size=int(rng.integers(1, n_times + 1)), replace=False)
            )
            for t in seen:
                rows.append((cohort, person, programme, int(t), rng.normal(10 + t, 2)))
            person += 1
    rows.append((*rows[-1][:4], 11.5))  # the same person and time twice
    columns = zip(*rows, strict=True)
    cohort_code, person_code, programme_code, time_code, score = map(np.array, columns)
    x, _ = _fixed_design(programmes, times)
    cell_time = np.repeat(np.arange(n_times), len(programmes))
    z = np.column_stack(
        [np.ones(cell_time.size)] + [(cell_time == t).astype(float) for t in range(1, n_times)]
    )[:, :k]
    cell = time_code * len(programmes) + programme_code
    return Problem(
        score.astype(float),
        x,
        z,
        cohort_code.astype(np.int64),
        person_code.astype(np.int64),
        person_term,
        cell.astype(np.int64),
    )
