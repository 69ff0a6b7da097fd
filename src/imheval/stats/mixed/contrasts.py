"""Tests of contrasts of a :mod:`.general` fit, with Satterthwaite degrees of freedom as
lmerTest's ``contest1D`` (one contrast: t) and ``contestMD`` (several: F) compute them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from imheval.stats._common import FloatArray
from imheval.stats.distributions import chi2_sf, f_sf, norm_ppf, norm_sf, t_ppf, t_sf
from imheval.stats.mixed.general import Fit, Memo, covariance_of_beta, deviance, one_blas_thread

#: Central-difference steps, absolute on theta and relative on sigma (as the main model's).
_JACOBIAN_STEP: Final = 1e-4
_HESSIAN_STEP: Final = 1e-3
#: lmerTest's tolerance: Hessian eigenvalues at or below it are left out of its inverse.
_EIGEN_TOLERANCE: Final = 1e-8

CURVATURE_NOTE: Final = (
    "the REML likelihood curves the wrong way in some direction at the estimates (lmerTest "
    "warns 'Model failed to converge'), so the degrees of freedom leave that direction out "
    "and are approximate"
)


@dataclass(frozen=True, slots=True)
class Satterthwaite:
    """What every contrast's df needs: the Jacobian of Var(beta) and the covariance of the
    variance parameters (theta, sigma), A = 2 H^+ with H the REML deviance's Hessian."""

    covariance: FloatArray
    jacobian: FloatArray | None  # varpar x p x p
    varpar_covariance: FloatArray | None
    note: str | None


def satterthwaite(fit: Fit) -> Satterthwaite:
    """Numerical derivatives at the estimates, as lmerTest's ``as_lmerModLT`` takes them."""
    try:
        with one_blas_thread():
            return _satterthwaite(fit)
    finally:
        fit.sums.release()


def _satterthwaite(fit: Fit) -> Satterthwaite:
    point = fit.varpar
    size = point.size
    sums = fit.sums
    steps = np.array([1.0] * (size - 1) + [fit.sigma])
    # a move of sigma alone leaves theta, so its evaluation, as it was: each theta is evaluated once
    memo: Memo = {}
    jacobian = np.zeros((size, *fit.covariance.shape))
    for i in range(size):
        shift = np.zeros(size)
        shift[i] = _JACOBIAN_STEP * steps[i]
        up = covariance_of_beta(sums, point + shift, memo)
        down = covariance_of_beta(sums, point - shift, memo)
        if up is None or down is None:
            return Satterthwaite(fit.covariance, None, None, None)
        jacobian[i] = (up - down) / (2.0 * shift[i])
    h = _HESSIAN_STEP * steps
    centre = deviance(sums, point, memo)

    def at(*moves: tuple[int, float]) -> float:
        shift = np.zeros(size)
        for i, sign in moves:
            shift[i] += sign * h[i]
        return deviance(sums, point + shift, memo)

    hessian = np.zeros((size, size))
    for i in range(size):
        hessian[i, i] = (at((i, 1.0)) - 2.0 * centre + at((i, -1.0))) / h[i] ** 2
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                at((i, 1.0), (j, 1.0))
                - at((i, 1.0), (j, -1.0))
                - at((i, -1.0), (j, 1.0))
                + at((i, -1.0), (j, -1.0))
            ) / (4.0 * h[i] * h[j])
    if not np.all(np.isfinite(hessian)):
        return Satterthwaite(fit.covariance, jacobian, None, None)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    note = CURVATURE_NOTE if np.any(eigenvalues < -_EIGEN_TOLERANCE) else None
    positive = eigenvalues > _EIGEN_TOLERANCE
    if not np.any(positive):
        return Satterthwaite(fit.covariance, jacobian, None, note)
    kept = eigenvectors[:, positive]
    return Satterthwaite(
        fit.covariance, jacobian, 2.0 * (kept / eigenvalues[positive]) @ kept.T, note
    )


@dataclass(frozen=True, slots=True)
class OneDf:
    """One contrast: estimate, SE, t on Satterthwaite df (None: normal), p and CI bounds."""

    estimate: float
    se: float
    statistic: float
    df: float | None
    p: float
    low: float
    high: float


def contrast_df(derivs: Satterthwaite, contrast: FloatArray) -> float | None:
    """lmerTest's contest1D df: 2 (c'Vc)^2 / (g'Ag), g = d(c'Vc)/d varpar; None if unusable."""
    if derivs.jacobian is None or derivs.varpar_covariance is None:
        return None
    variance = float(contrast @ derivs.covariance @ contrast)
    gradient = np.einsum("i,kij,j->k", contrast, derivs.jacobian, contrast)
    denominator = float(gradient @ derivs.varpar_covariance @ gradient)
    if not (denominator > 0):
        return None
    df = 2.0 * variance**2 / denominator
    return df if math.isfinite(df) and df > 0 else None


def one_contrast(
    derivs: Satterthwaite, beta: FloatArray, contrast: FloatArray, level: float
) -> OneDf:
    """The t-test and CI of c'beta (Wald z when the df cannot be computed)."""
    estimate = float(contrast @ beta)
    se = math.sqrt(max(float(contrast @ derivs.covariance @ contrast), 0.0))
    statistic = estimate / se if se > 0 else math.nan
    df = contrast_df(derivs, contrast)
    if df is None:
        p = 2 * norm_sf(abs(statistic))
        critical = norm_ppf(0.5 + level / 2)
    else:
        p = 2 * t_sf(abs(statistic), df)
        critical = t_ppf(0.5 + level / 2, df)
    return OneDf(estimate, se, statistic, df, p, estimate - critical * se, estimate + critical * se)


@dataclass(frozen=True, slots=True)
class ManyDf:
    """An F test of several contrasts: F, numerator and (Satterthwaite) denominator df, p."""

    f: float
    numerator_df: int
    denominator_df: float | None
    p: float


def many_contrasts(derivs: Satterthwaite, beta: FloatArray, contrasts: FloatArray) -> ManyDf | None:
    """lmerTest's contestMD: the F of L beta = 0 on the eigen-decomposition of L V L'.

    Each eigen-direction m is a t-test with df nu_m; the denominator df is 2E / (E - q) with
    E = sum nu_m / (nu_m - 2) (2 when any nu_m <= 2; their mean when all are equal; nu itself
    when q = 1). None when L V L' has no positive eigenvalue.
    """
    covariance = contrasts @ derivs.covariance @ contrasts.T
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    tolerance = max(float(np.finfo(float).eps) ** 0.5 * float(values[0]), 0.0)
    positive = values > tolerance
    q = int(np.count_nonzero(positive))
    if q == 0:
        return None
    rotated = (vectors.T @ contrasts)[:q]
    f = float(np.sum((rotated @ beta) ** 2 / values[:q]) / q)
    nus = [contrast_df(derivs, rotated[m]) for m in range(q)]
    if any(nu is None for nu in nus):
        return ManyDf(f, q, None, chi2_sf(f * q, q))
    known = np.array([nu for nu in nus if nu is not None])
    ddf = _f_ddf(known)
    return ManyDf(f, q, ddf, f_sf(f, q, ddf))


def _f_ddf(nu: FloatArray) -> float:
    """lmerTest's get_Fstat_ddf."""
    if nu.size == 1:
        return float(nu[0])
    if bool(np.all(np.abs(np.diff(nu)) < 1e-8)):
        return float(nu.mean())
    if bool(np.any(nu <= 2)):
        return 2.0
    e = float(np.sum(nu / (nu - 2)))
    return 2.0 * e / (e - nu.size)
