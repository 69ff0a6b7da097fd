"""The profiled REML fit, as lme4 does it, and the grouped GLS every likelihood evaluation uses.

Nothing here forms an n x n matrix: :class:`_Structure` gathers, once per model, the sums of
the data by cohort and by number of scores per person, so each evaluation costs the number of
cohorts, not the number of scores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from imheval.stats._common import FloatArray
from imheval.stats.mixed.design import _Data
from imheval.stats.mixed.results import METHOD


@dataclass(frozen=True, slots=True)
class _Variances:
    """Absolute variances; a component that is not in the model is 0."""

    cohort: float
    participant: float
    residual: float

    def relative_sd(self) -> dict[str, float]:
        """Each random-effect SD as a share of the residual SD (lme4's theta)."""
        return {
            "cohort": math.sqrt(self.cohort / self.residual),
            "participant": math.sqrt(self.participant / self.residual),
        }


@dataclass(frozen=True, slots=True)
class _Fitted:
    variances: _Variances
    notes: tuple[str, ...]
    failure: str | None = None
    method: str = METHOD
    software_warnings: tuple[str, ...] = ()


_THETA_STARTS: Final = (1.0, 0.1, 3.0)

#: A relative SD the search leaves below this is checked for a lower deviance inside the
#: parameter space (:func:`_off_the_edge`); the REML optimum is seldom so close to zero, so
#: interior fits pay nothing for the check.
_EDGE: Final = 1e-2

#: Where along such a theta's axis the deviance is probed: near zero, where its sign tells
#: whether zero is a minimum along the axis, and farther out, for an optimum away from zero.
_EDGE_PROBES: Final = (1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0)

#: How much lower a probe's deviance must be to restart the search from it: far above the
#: deviance's rounding (about 1e-12 here), far below any difference that moves an estimate.
_EDGE_GAIN: Final = 1e-9

#: Restarts allowed after the first search: each begins lower than the last ended.
_EDGE_RESTARTS: Final = 3


def _profiled_reml_fit(structure: _Structure, effect: str) -> _Variances | None:
    """REML variances by lme4's method: minimise the profiled REML deviance over theta >= 0.

    theta are the random-effect SDs relative to the residual SD. At each theta, V = sigma^2 V0
    and the residual variance has the closed form sigma^2 = r'V0^-1 r / (n - p), so the
    deviance left to minimise is log|V0| + log|X'V0^-1X| + (n - p)(1 + log(2 pi q / (n - p))),
    q = r'V0^-1 r (Bates et al. 2015, J Stat Softw 67(1), eq. 42), each evaluation O(n) through
    :func:`_gls_parts`. L-BFGS-B with theta bounded below by zero, from each of
    ``_THETA_STARTS``, keeps the lowest deviance; a variance at the bound is a boundary
    ("singular") fit, as in lme4.

    The deviance is even in each theta, so its slope is zero at theta = 0 whether or not zero
    is the optimum: a bounded search that steps onto (or next to) the bound can stop there
    with the optimum inside (a participant variance of 0 where lme4 finds 0.108, on data
    tests/golden/mixed_inputs.json keeps as ``edge_participant``). So, as lme4 restarts a
    search that ends on the boundary (``lmerControl(restart_edge = TRUE)``), a theta left
    below ``_EDGE`` is checked by :func:`_off_the_edge` and the search restarted from any
    lower point found. None when no search ends at a finite deviance.
    """
    deviance = _profiled_deviance(structure, effect)
    size = 2 if effect == "random" else 1
    best: tuple[float, FloatArray] | None = None
    for start in _THETA_STARTS:
        found = _bounded_search(deviance, np.full(size, start))
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    for _ in range(_EDGE_RESTARTS):
        if best is None:
            break
        lower = _off_the_edge(deviance, *best)
        if lower is None:
            break
        # The probe is lower than best already; keep whichever of it and the search is lower.
        restarted, at_probe = _bounded_search(deviance, lower), (deviance(lower), lower)
        best = restarted if restarted is not None and restarted[0] <= at_probe[0] else at_probe
    if best is None:
        return None
    theta = best[1]
    cohort = float(theta[0]) ** 2 if effect == "random" else 0.0
    participant = float(theta[-1]) ** 2
    parts = _gls_parts(structure, _Variances(cohort, participant, 1.0))
    if parts is None:
        return None
    residual = parts.quadratic / (structure.n - structure.k)
    return _Variances(cohort * residual, participant * residual, residual)


def _profiled_deviance(structure: _Structure, effect: str) -> Callable[[FloatArray], float]:
    """The profiled REML deviance as a function of theta (inf where it is not defined)."""
    dof = structure.n - structure.k

    def deviance(theta: FloatArray) -> float:
        cohort = float(theta[0]) ** 2 if effect == "random" else 0.0
        participant = float(theta[-1]) ** 2
        parts = _gls_parts(structure, _Variances(cohort, participant, 1.0))
        if parts is None or not parts.quadratic > 0:
            return math.inf
        value = (
            parts.log_det_v
            + parts.log_det_xvx
            + dof * (1.0 + math.log(2.0 * math.pi * parts.quadratic / dof))
        )
        return value if math.isfinite(value) else math.inf

    return deviance


def _bounded_search(
    deviance: Callable[[FloatArray], float], start: FloatArray
) -> tuple[float, FloatArray] | None:
    """L-BFGS-B over theta >= 0 from ``start``: the deviance and theta it ends at, or None."""
    from scipy.optimize import minimize

    with np.errstate(all="ignore"):
        found = minimize(
            deviance,
            start,
            method="L-BFGS-B",
            bounds=[(0.0, None)] * start.size,
            options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500},
        )
    value = float(found.fun)
    if not math.isfinite(value):
        return None
    return value, np.asarray(found.x, dtype=np.float64)


def _off_the_edge(
    deviance: Callable[[FloatArray], float], value: float, theta: FloatArray
) -> FloatArray | None:
    """A theta with a deviance lower than ``value`` by more than ``_EDGE_GAIN``, or None.

    Each theta below ``_EDGE`` (and, when two are, both together) is moved to each of
    ``_EDGE_PROBES`` with the others held; the lowest deviance found wins. The deviance is
    even in theta, so near zero it changes as c theta^2: a lower deviance at the smallest
    probe means c < 0, zero a maximum along that axis, and the optimum inside. A boundary fit
    whose deviance no probe lowers is lme4's singular fit, and is kept.
    """
    near_zero = [i for i in range(theta.size) if theta[i] < _EDGE]
    if not near_zero:
        return None
    moves = [[i] for i in near_zero] + ([near_zero] if len(near_zero) > 1 else [])
    lowest: tuple[float, FloatArray] | None = None
    for axes in moves:
        for probe in _EDGE_PROBES:
            trial = theta.copy()
            trial[axes] = probe
            trial_value = deviance(trial)
            if trial_value < value - _EDGE_GAIN and (lowest is None or trial_value < lowest[0]):
                lowest = (trial_value, trial)
    return None if lowest is None else lowest[1]


def _ols_variances(data: _Data, exog: FloatArray) -> _Variances:
    """Both random variances at zero: the REML residual variance is RSS / (n - p)."""
    coefficients, *_ = np.linalg.lstsq(exog, data.score, rcond=None)
    residuals = data.score - exog @ coefficients
    dof = data.score.size - exog.shape[1]
    return _Variances(0.0, 0.0, float(residuals @ residuals) / dof)


@dataclass(frozen=True, slots=True)
class _GlsParts:
    """The pieces of a GLS fit at given variances, from which the REML likelihood is built."""

    beta: FloatArray
    covariance: FloatArray
    log_det_v: float
    log_det_xvx: float
    quadratic: float


@dataclass(frozen=True, slots=True)
class _Structure:
    """The sums of the data that the GLS needs, gathered once per model.

    People are grouped by how many scores they have (m = 1, 2 or 3 here): everything the GLS
    needs depends on the variances only through d_m = s2_r + s2_p m, so each evaluation of
    :meth:`parts` costs the number of cohorts, not the number of scores.
    """

    n: int
    k: int
    m_values: FloatArray  # the distinct numbers of scores per person
    people_by_m: FloatArray  # how many people have each
    cross: FloatArray  # [X, y]'[X, y]
    person_cross_by_m: FloatArray  # (m, k+1, k+1): sum of A_j A_j' over people with m scores
    cohort_sums_by_m: FloatArray  # (cohort, m, k+1): sum of A_j over a cohort's people with m
    cohort_people_by_m: FloatArray  # (cohort, m): how many of a cohort's people have m scores

    @classmethod
    def of(cls, data: _Data, exog: FloatArray) -> _Structure:
        n, k = exog.shape
        columns = np.column_stack([exog, data.score])
        n_people = data.n_participants
        counts = np.bincount(data.participant, minlength=n_people)
        person_cohort = np.zeros(n_people, dtype=np.int64)
        person_cohort[data.participant] = data.cohort
        n_cohorts = len(data.cohort_labels)
        sums = np.column_stack(
            [
                np.bincount(data.participant, weights=columns[:, j], minlength=n_people)
                for j in range(k + 1)
            ]
        )
        m_values, m_index = np.unique(counts, return_inverse=True)
        n_m = m_values.size
        person_cross = (
            np.stack([sums[m_index == i].T @ sums[m_index == i] for i in range(n_m)])
            if n_m
            else np.zeros((0, k + 1, k + 1))
        )
        cell = person_cohort * n_m + m_index
        cohort_sums = np.stack(
            [
                np.bincount(cell, weights=sums[:, j], minlength=n_cohorts * n_m)
                for j in range(k + 1)
            ],
            axis=-1,
        ).reshape(n_cohorts, n_m, k + 1)
        cohort_people = np.bincount(cell, minlength=n_cohorts * n_m).reshape(n_cohorts, n_m)
        return cls(
            n=n,
            k=k,
            m_values=m_values.astype(np.float64),
            people_by_m=np.bincount(m_index, minlength=n_m).astype(np.float64),
            cross=columns.T @ columns,
            person_cross_by_m=person_cross.astype(np.float64),
            cohort_sums_by_m=cohort_sums.astype(np.float64),
            cohort_people_by_m=cohort_people.astype(np.float64),
        )


def _gls_parts(structure: _Structure, variances: _Variances) -> _GlsParts | None:
    """GLS estimates, their covariance (X' V^-1 X)^-1, log|V|, log|X'V^-1X| and r'V^-1 r.

    V = s2_residual I + s2_participant Z_p Z_p' + s2_cohort Z_c Z_c' is inverted through its
    nesting (Woodbury twice): for participant j with m_j scores, d_j = s2_r + s2_p m_j; for
    cohort i, s_i = sum_j m_j / d_j. Then, for columns a, b of [X, y],
    a'V^-1 b = a'b / s2_r - sum_j s2_p A_j B_j / (s2_r d_j) - sum_i g_i Ahat_i Bhat_i,
    with A_j the participant sums, Ahat_i = sum_j A_j / d_j and g_i = s2_c / (1 + s2_c s_i);
    log|V| = n log s2_r + sum_j log(d_j / s2_r) + sum_i log(1 + s2_c s_i).
    No n x n matrix is formed, and the sums over people come grouped by m from
    :class:`_Structure`. The covariance is what lme4's ``vcov()`` reports (statsmodels'
    ``bse_fe`` also carries the variance parameters' uncertainty, so differs slightly on
    unbalanced data). None when X' V^-1 X is not positive definite.
    """
    r, p_var, c_var = variances.residual, variances.participant, variances.cohort
    n, k = structure.n, structure.k
    m = structure.m_values
    with np.errstate(all="ignore"):
        d = r + p_var * m
        gram = structure.cross / r - np.einsum(
            "m,mab->ab", p_var / (r * d), structure.person_cross_by_m
        )
        s_cohort = structure.cohort_people_by_m @ (m / d)
        cohort_sums = np.einsum("ima,m->ia", structure.cohort_sums_by_m, 1.0 / d)
        g = c_var / (1.0 + c_var * s_cohort)
        gram -= (cohort_sums * g[:, None]).T @ cohort_sums
        log_det_v = (
            n * math.log(r)
            + float(structure.people_by_m @ np.log1p(p_var * m / r))
            + float(np.sum(np.log1p(c_var * s_cohort)))
        )
    xvx, xvy, yvy = gram[:k, :k], gram[:k, k], gram[k, k]
    try:
        chol = np.linalg.cholesky(xvx)
    except np.linalg.LinAlgError:
        return None
    beta = np.linalg.solve(xvx, xvy)
    covariance = np.linalg.inv(xvx)
    quadratic = float(yvy - xvy @ beta)
    log_det_xvx = 2.0 * float(np.sum(np.log(np.diag(chol))))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(covariance))):
        return None
    return _GlsParts(
        beta.astype(np.float64), covariance.astype(np.float64), log_det_v, log_det_xvx, quadratic
    )


def _gls(
    structure: _Structure, variances: _Variances
) -> tuple[FloatArray, FloatArray, float] | None:
    """GLS estimates, their covariance (X' V^-1 X)^-1 and the REML log-likelihood.

    The REML log-likelihood is -(log|V| + log|X'V^-1X| + r'V^-1 r + (n - p) log 2 pi) / 2,
    R's ``logLik``; see :func:`_gls_parts` for how it is computed. None when X' V^-1 X is not
    positive definite.
    """
    parts = _gls_parts(structure, variances)
    if parts is None:
        return None
    n, k = structure.n, structure.k
    log_likelihood = -0.5 * (
        parts.log_det_v + parts.log_det_xvx + parts.quadratic + (n - k) * math.log(2 * math.pi)
    )
    return parts.beta, parts.covariance, float(log_likelihood)


#: Central-difference steps: for the Jacobian of Var(beta) and for the Hessian of the REML
#: deviance, absolute on each theta (an SD relative to the residual SD) and relative on sigma.
_JACOBIAN_STEP: Final = 1e-4
_HESSIAN_STEP: Final = 1e-3

#: lmerTest's tolerance: Hessian eigenvalues at or below it are left out of its inverse.
_EIGEN_TOLERANCE: Final = 1e-8
