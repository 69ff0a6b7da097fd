"""Satterthwaite degrees of freedom for the mixed model's fixed effects, as lmerTest computes."""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from imheval.stats._common import FloatArray
from imheval.stats.mixed.reml import _gls, _Structure, _Variances

#: Central-difference steps: for the Jacobian of Var(beta) and for the Hessian of the REML
#: deviance, absolute on each theta (an SD relative to the residual SD) and relative on sigma.
_JACOBIAN_STEP: Final = 1e-4
_HESSIAN_STEP: Final = 1e-3

#: lmerTest's tolerance: Hessian eigenvalues at or below it are left out of its inverse.
_EIGEN_TOLERANCE: Final = 1e-8


def _satterthwaite_df(
    structure: _Structure, variances: _Variances, effect: str
) -> tuple[FloatArray | None, str | None]:
    """Satterthwaite degrees of freedom for each fixed-effect coefficient, as lmerTest computes.

    For coefficient j (c = e_j): df = 2 Phi_jj^2 / (g' A g), where Phi(v) = Var(beta_hat) =
    (X' V^-1 X)^-1 as a function of the variance parameters v, g = dPhi_jj / dv, and
    A = 2 H^-1 is the asymptotic covariance of v, H the Hessian of the REML deviance
    (-2 log-likelihood) at the estimates. Like lmerTest (``as_lmerModLT``, ``contest1D``),
    v = (theta, sigma), theta being the random-effect SDs relative to the residual SD sigma
    (lme4's theta); H is inverted through its eigenvalues above 1e-8 (a Moore-Penrose
    inverse). Both derivatives are numerical: central differences on :func:`_gls`, steps 1e-4
    (Jacobian) and 1e-3 (Hessian), absolute on theta and relative on sigma. The deviance is
    even in theta, so a variance estimated at zero (theta = 0) needs no special case: that
    theta adds nothing to g, as in lmerTest. Returns the df, or None when the Hessian has no
    positive eigenvalue or a df is not a positive number, and a note when the Hessian has a
    negative eigenvalue (lmerTest's warning "Model failed to converge").
    """
    sigma = math.sqrt(variances.residual)
    relative = variances.relative_sd()
    names = ("cohort", "participant") if effect == "random" else ("participant",)
    point = np.array([*(relative[name] for name in names), sigma])
    size = point.size

    def at(parameters: FloatArray) -> tuple[FloatArray, float] | None:
        """Var(beta) and the REML deviance at (theta, sigma)."""
        residual = float(parameters[-1]) ** 2
        parts = dict(zip(names, (float(v) ** 2 * residual for v in parameters[:-1]), strict=True))
        trial = _Variances(parts.get("cohort", 0.0), parts["participant"], residual)
        fitted = _gls(structure, trial)
        return None if fitted is None else (fitted[1], -2.0 * fitted[2])

    def steps(step: float) -> FloatArray:
        return np.array([step] * (size - 1) + [step * sigma])

    centre = at(point)
    if centre is None:
        return None, None
    covariance, deviance = centre
    jacobian_step = steps(_JACOBIAN_STEP)
    gradient = np.zeros((size, covariance.shape[0]))  # variance parameter x coefficient
    for i in range(size):
        shift = np.zeros(size)
        shift[i] = jacobian_step[i]
        up, down = at(point + shift), at(point - shift)
        if up is None or down is None:
            return None, None
        gradient[i] = np.diag(up[0] - down[0]) / (2.0 * jacobian_step[i])

    hessian_step = steps(_HESSIAN_STEP)

    def deviance_at(*moves: tuple[int, float]) -> float:
        shift = np.zeros(size)
        for i, sign in moves:
            shift[i] += sign * hessian_step[i]
        found = at(point + shift)
        return math.nan if found is None else found[1]

    hessian = np.zeros((size, size))
    for i in range(size):
        hessian[i, i] = (
            deviance_at((i, 1.0)) - 2.0 * deviance + deviance_at((i, -1.0))
        ) / hessian_step[i] ** 2
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                deviance_at((i, 1.0), (j, 1.0))
                - deviance_at((i, 1.0), (j, -1.0))
                - deviance_at((i, -1.0), (j, 1.0))
                + deviance_at((i, -1.0), (j, -1.0))
            ) / (4.0 * hessian_step[i] * hessian_step[j])
    if not np.all(np.isfinite(hessian)):
        return None, None
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    note = (
        "the REML likelihood curves the wrong way in some direction at the estimates (a "
        "negative eigenvalue of its Hessian; lmerTest warns 'Model failed to converge'), so "
        "the degrees of freedom leave that direction out and are approximate"
        if np.any(eigenvalues < -_EIGEN_TOLERANCE)
        else None
    )
    positive = eigenvalues > _EIGEN_TOLERANCE
    if not np.any(positive):
        return None, note
    kept = eigenvectors[:, positive]
    parameter_covariance = 2.0 * (kept / eigenvalues[positive]) @ kept.T
    denominator = np.einsum("kj,kl,lj->j", gradient, parameter_covariance, gradient)
    with np.errstate(all="ignore"):
        dfs = 2.0 * np.diag(covariance) ** 2 / denominator
    if not (np.all(np.isfinite(dfs)) and np.all(dfs > 0)):
        return None, note
    return np.asarray(dfs, dtype=np.float64), note
