"""Simulated studies for :func:`imheval.stats.power.design_power` (seeded, with progress).

Each simulated study has ``cohorts`` cohorts of ``cohort_size`` people. On the d_z scale (the
SD of the change is 1), person j of cohort k scores

    pre_kj  = a_k + p_kj + e1_kj
    post_kj = a_k + p_kj + effect + c_k + e2_kj

with cohort levels a_k ~ N(0, COHORT_LEVEL_SD^2), personal levels p_kj ~ N(0,
PERSON_LEVEL_SD^2), the cohort's deviation in change c_k ~ N(0, R) and e1, e2 ~ N(0, (1 - R)
/ 2), all independent. So each change post - pre = effect + c_k + (e2 - e1) has SD 1 and
intra-cohort correlation R, as the closed forms assume. The levels do not enter any change
score; they only make the mixed model's job realistic. Each person is lost before the
post-test with probability ``attrition`` (their pre score stays: the mixed model uses it, the
paired analyses cannot).

Each study is analysed three ways, counting p < alpha (two-sided):

- participant: the paired t-test on the people with both scores, its t divided by
  sqrt(design_effect) and referred to t with n / design_effect - 1 df (the design-effect
  correction whose power the closed form gives);
- cohort: the one-sample t-test of the cohort mean changes (cohorts with at least one pair);
- mixed: :func:`imheval.stats.mixed_model` (random cohort and person intercepts, no cohort
  by time term: the model imheval fits today), lmerTest's Satterthwaite p for ``timepost``.

A study an analysis cannot handle (too few pairs or cohorts, a model that cannot be fitted)
counts as not significant and is counted in ``failed``.

With an effect above 0, each study is also analysed with its post scores moved down by the
effect (the same random numbers with no true change), and the significant results counted in
``false_positives``: the empirical type I error of each analysis, as simr reports (Green &
MacLeod 2016). The mixed model's is well above alpha when R > 0 (its random intercepts do not
let the change differ by cohort), so its "power" beside it is not an honest power. This doubles
the mixed-model fits.

Each mixed-model fit is many small matrix operations, for which BLAS threads cost more than
they give: on a 2-core machine 1,000 studies of 5 x 20 took 33 s with one OpenBLAS thread and
356 s with the default (under load from other work). So the simulation runs with one BLAS
thread when ``threadpoolctl`` is installed; otherwise set ``OPENBLAS_NUM_THREADS=1`` before
Python starts.
"""

from __future__ import annotations

import contextlib
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from imheval.stats.distributions import t_ppf
from imheval.stats.mixed import mixed_model

#: SD of the cohorts' levels (pre scores), on the d_z scale; affects only the mixed model.
COHORT_LEVEL_SD: Final = 0.3
#: SD of the people's own levels, on the d_z scale; affects only the mixed model.
PERSON_LEVEL_SD: Final = 1.0

#: The simulation refuses more studies than this (about 20 minutes of mixed-model fits).
MAX_SIMULATIONS: Final = 100_000

ANALYSES: Final = ("participant", "cohort", "mixed")


@dataclass(frozen=True, slots=True)
class SimulatedPower:
    """Significant results out of ``replications`` simulated studies, for one analysis."""

    analysis: str
    significant: int
    replications: int
    failed: int
    #: significant results when the same studies are simulated with no true change (the
    #: analysis's empirical false-positive rate); None when not simulated (an effect of 0, whose
    #: power already is that rate)
    false_positives: int | None = None

    @property
    def power(self) -> float:
        return self.significant / self.replications

    @property
    def standard_error(self) -> float:
        """The Monte Carlo SE of the simulated power, sqrt(p (1 - p) / replications)."""
        p = self.power
        return math.sqrt(p * (1.0 - p) / self.replications)

    @property
    def false_positive_rate(self) -> float | None:
        """The share of the no-change studies found significant (None if not simulated)."""
        if self.false_positives is None:
            return None
        return self.false_positives / self.replications


def _t_significant(t: float, df: float, alpha: float) -> bool:
    return bool(df > 0 and abs(t) > t_ppf(1.0 - alpha / 2.0, df))


def _one_sample_significant(values: np.ndarray, alpha: float, deff: float = 1.0) -> bool | None:
    """None when the test is impossible (fewer than 2 values or none varying)."""
    n = values.size
    if n < 2 or n / deff < 2:
        return None
    sd = float(np.std(values, ddof=1))
    if sd == 0.0:
        return None
    t = float(np.mean(values)) / (sd / math.sqrt(n)) / math.sqrt(deff)
    return _t_significant(t, n / deff - 1.0, alpha)


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread while simulating, if threadpoolctl is installed."""
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = threadpoolctl.threadpool_limits(
        limits=1, user_api="blas"
    )
    return limits


def simulate_design(
    cohorts: int,
    cohort_size: int,
    effect: float,
    *,
    icc: float,
    attrition: float,
    alpha: float,
    design_effect: float,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SimulatedPower, ...]:
    """``replications`` seeded simulated studies, analysed three ways (see the module
    docstring); one :class:`SimulatedPower` per analysis, in :data:`ANALYSES` order.
    ``progress(done, total)`` is called after each study. Inputs are validated by the caller."""
    with _one_blas_thread():
        return _simulate(
            cohorts,
            cohort_size,
            effect,
            icc=icc,
            attrition=attrition,
            alpha=alpha,
            design_effect=design_effect,
            replications=replications,
            seed=seed,
            progress=progress,
        )


def _simulate(
    cohorts: int,
    cohort_size: int,
    effect: float,
    *,
    icc: float,
    attrition: float,
    alpha: float,
    design_effect: float,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[SimulatedPower, ...]:
    rng = np.random.default_rng(seed)
    people = cohorts * cohort_size
    cohort_of = np.repeat(np.arange(cohorts), cohort_size)
    cohort_labels = np.array([f"c{k + 1}" for k in range(cohorts)], dtype=object)[cohort_of]
    person_labels = np.array([f"p{j + 1}" for j in range(people)], dtype=object)
    residual_sd = math.sqrt((1.0 - icc) / 2.0)
    significant = dict.fromkeys(ANALYSES, 0)
    failed = dict.fromkeys(ANALYSES, 0)
    null = effect != 0.0
    false_positives = dict.fromkeys(ANALYSES, 0)
    for done in range(1, replications + 1):
        levels = rng.normal(0.0, COHORT_LEVEL_SD, cohorts)[cohort_of] + rng.normal(
            0.0, PERSON_LEVEL_SD, people
        )
        cohort_change = rng.normal(0.0, math.sqrt(icc), cohorts)[cohort_of]
        pre = levels + rng.normal(0.0, residual_sd, people)
        post = levels + effect + cohort_change + rng.normal(0.0, residual_sd, people)
        kept = rng.random(people) >= attrition
        analyse = _analyses(person_labels, cohort_labels, cohort_of, kept, alpha, design_effect)
        for analysis, outcome in analyse(pre, post).items():
            if outcome is None:
                failed[analysis] += 1
            elif outcome:
                significant[analysis] += 1
        if null:
            # The same study with no true change (common random numbers: no extra draws).
            for analysis, outcome in analyse(pre, post - effect).items():
                false_positives[analysis] += bool(outcome)
        if progress is not None:
            progress(done, replications)
    return tuple(
        SimulatedPower(
            name,
            significant[name],
            replications,
            failed[name],
            false_positives[name] if null else None,
        )
        for name in ANALYSES
    )


def _analyses(
    person_labels: np.ndarray,
    cohort_labels: np.ndarray,
    cohort_of: np.ndarray,
    kept: np.ndarray,
    alpha: float,
    design_effect: float,
) -> Callable[[np.ndarray, np.ndarray], dict[str, bool | None]]:
    """The three analyses of one simulated study's scores (None: could not be analysed)."""
    cohorts_kept = np.unique(cohort_of[kept])

    def analyse(pre: np.ndarray, post: np.ndarray) -> dict[str, bool | None]:
        change = (post - pre)[kept]
        means = np.array([change[cohort_of[kept] == k].mean() for k in cohorts_kept])
        return {
            "participant": _one_sample_significant(change, alpha, design_effect),
            "cohort": _one_sample_significant(means, alpha),
            "mixed": _mixed_significant(person_labels, cohort_labels, pre, post, kept, alpha),
        }

    return analyse


def _mixed_significant(
    person_labels: np.ndarray,
    cohort_labels: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    kept: np.ndarray,
    alpha: float,
) -> bool | None:
    frame = pd.DataFrame(
        {
            "participant": np.concatenate([person_labels, person_labels[kept]]),
            "cohort": np.concatenate([cohort_labels, cohort_labels[kept]]),
            "time": ["pre"] * pre.size + ["post"] * int(kept.sum()),
            "score": np.concatenate([pre, post[kept]]),
        }
    )
    result = mixed_model(frame)
    term = result.fixed_effect("timepost") if result.computed else None
    if term is None or term.p is None:
        return None
    return term.p < alpha
