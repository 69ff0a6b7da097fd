"""Helpers shared by the statistical tests: input conversion and interval inversion.

Nothing here is public. Every helper returns plain floats or numpy arrays and never lets a
NaN or an infinity escape silently: callers check :func:`all_finite` before building a result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt
from scipy import special

from imheval.errors import AnalysisError
from imheval.stats.distributions import f_cdf, ncf_cdf, nct_cdf, norm_sf, t_sf

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: R's t.test refuses data whose standard error is below this multiple of the mean's size
#: ("data are essentially constant"); we follow it so that rounding noise in differences such as
#: 4.14 - 2.00 never turns into an enormous t.
CONSTANT_TOLERANCE = 10 * np.finfo(float).eps


def as_float_array(values: object, name: str) -> FloatArray:
    """``values`` as a 1-D float array; NaN and +-inf both mean "missing".

    Raises AnalysisError when the values are not numbers or not one-dimensional: that is a
    programming error in the caller, not data that merely makes a test impossible.
    """
    try:
        to_numpy = getattr(values, "to_numpy", None)
        if callable(to_numpy):
            array = np.asarray(to_numpy(dtype=float, na_value=np.nan), dtype=float)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"{name} must be numbers (use NaN or None for missing): {exc}") from exc
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise AnalysisError(f"{name} must be one-dimensional, got shape {array.shape}")
    # Infinite scores are not scores; treating them as missing keeps every later sum finite.
    return np.where(np.isfinite(array), array, np.nan)


def as_item_matrix(
    values: object, name: str, item_ids: Sequence[str] | None
) -> tuple[FloatArray, tuple[str, ...]]:
    """A 2-D float array (NaN and +-inf = missing) and the item ids for its columns."""
    columns = getattr(values, "columns", None)
    try:
        to_numpy = getattr(values, "to_numpy", None)
        if callable(to_numpy):
            matrix = np.asarray(to_numpy(dtype=float, na_value=np.nan), dtype=float)
        else:
            # None becomes NaN under dtype=float, so nested lists with gaps work as they are.
            matrix = np.array(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"{name} must be a matrix of numbers (people x items): {exc}") from exc
    if matrix.ndim != 2:
        raise AnalysisError(f"{name} must be two-dimensional (people x items), got {matrix.shape}")
    matrix = np.where(np.isfinite(matrix), matrix, np.nan)
    if item_ids is not None:
        ids = tuple(str(i) for i in item_ids)
    elif columns is not None:
        ids = tuple(str(c) for c in columns)
    else:
        ids = tuple(f"Q{j + 1}" for j in range(matrix.shape[1]))
    if len(ids) != matrix.shape[1]:
        raise AnalysisError(
            f"{name} has {matrix.shape[1]} item column(s) but {len(ids)} item id(s) were given"
        )
    if len(set(ids)) != len(ids):
        raise AnalysisError(f"item ids must be unique, got {', '.join(ids)}")
    return matrix, ids


def check_confidence(confidence: float) -> float:
    """The confidence level as a float, or AnalysisError if it is not strictly between 0 and 1."""
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise AnalysisError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return level


def finite_or_none(value: object) -> float | None:
    """``value`` as a float, or None when it is missing, not a number, a bool, NaN or +-inf.

    The one place a number is checked before it goes into a result or a JSON dict, so JSON
    never holds NaN or Infinity and a caller's ``True`` is not taken for 1.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def all_finite(values: Iterable[float | None]) -> bool:
    """True when every value that is present is a finite number."""
    return all(v is None or math.isfinite(v) for v in values)


def sample_var(x: FloatArray) -> float:
    """The sample variance (ddof = 1); caller guarantees ``len(x) >= 2``."""
    with np.errstate(all="ignore"):
        return float(np.var(x, ddof=1))


def hedges_j(df: float) -> float | None:
    """Hedges' exact small-sample correction J(df) = G(df/2) / (sqrt(df/2) G((df-1)/2)).

    None when df < 2: the correction is undefined there (effectsize returns 0 for df = 1,
    which would report every effect as zero).
    """
    if not df >= 2:
        return None
    return math.exp(
        special.gammaln(df / 2) - 0.5 * math.log(df / 2) - special.gammaln((df - 1) / 2)
    )


def _find_root(function: Callable[[float], float], start: float, step: float) -> float | None:
    """The root of a function that decreases through zero, searched outward from ``start``.

    Returns None if no bracket is found or the function returns non-finite values, so an
    interval that cannot be inverted is reported as missing rather than wrong. scipy.optimize
    (a third of a second) is imported here, so that commands that never invert start without it.
    """
    from scipy.optimize import brentq

    with np.errstate(all="ignore"):
        f_start = function(start)
        if not math.isfinite(f_start):
            return None
        if f_start == 0.0:
            return start
        direction = 1.0 if f_start > 0 else -1.0
        previous = start
        width = max(step, 1.0)
        for _ in range(200):
            candidate = start + direction * width
            f_candidate = function(candidate)
            if not math.isfinite(f_candidate):
                return None
            if f_candidate == 0.0:
                return candidate
            if (f_candidate > 0) != (f_start > 0):
                low, high = sorted((previous, candidate))
                try:
                    root: float = brentq(
                        function, low, high, xtol=1e-14, rtol=8 * np.finfo(float).eps, maxiter=500
                    )
                except ValueError:  # the function was not finite inside the bracket
                    return None
                return root
            previous = candidate
            width *= 2.0
    return None


def noncentral_t_ci(t: float, df: float, confidence: float) -> tuple[float, float] | None:
    """The CI for the noncentrality parameter of an observed t (exact inversion).

    Finds ncp_low with P(T <= t | ncp_low) = 1 - alpha/2 and ncp_high with
    P(T <= t | ncp_high) = alpha/2 (Steiger & Fouladi 1997), as effectsize's ``.get_ncp_t``.
    """
    alpha = 1.0 - confidence
    results: list[float] = []
    for target in (1.0 - alpha / 2, alpha / 2):

        def distance(ncp: float, target: float = target) -> float:
            return nct_cdf(t, df, ncp) - target

        root = _find_root(distance, t, max(1.0, abs(t) / 4))
        if root is None:
            return None
        results.append(root)
    low, high = results
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        return None
    return low, high


def noncentral_f_ci(
    f: float, df1: float, df2: float, confidence: float
) -> tuple[float, float] | None:
    """The two-sided CI for the noncentrality lambda of an observed F (exact inversion).

    A bound is 0 when even lambda = 0 puts the observed F below the matching quantile, exactly
    as effectsize's ``.get_ncp_F``.
    """
    alpha = 1.0 - confidence
    with np.errstate(all="ignore"):
        central_cdf = f_cdf(f, df1, df2)
    if not math.isfinite(central_cdf):
        return None
    bounds: list[float] = []
    for target in (1.0 - alpha / 2, alpha / 2):
        if central_cdf <= target:
            bounds.append(0.0)
            continue

        def distance(ncp: float, target: float = target) -> float:
            if ncp <= 0:
                return central_cdf - target
            value = ncf_cdf(f, df1, df2, ncp)
            if math.isnan(value) and (df1 + ncp) / df1 > f:
                # scipy (Boost) gives nan where the probability underflows, far in the
                # lower tail of a distribution centred well above the observed F: it is 0
                value = 0.0
            return value - target

        root = _find_root(distance, 0.0, max(1.0, f * df1 / 4))
        if root is None:
            return None
        bounds.append(max(0.0, root))
    low, high = bounds
    return low, high


def two_sided_normal_p(z: float) -> float:
    """2 * min(P(Z <= z), P(Z >= z)), computed in the tail so small p keep their precision."""
    return min(1.0, 2.0 * norm_sf(abs(z)))


def two_sided_t_p(t: float, df: float) -> float:
    """Two-sided p for a t statistic, computed in the tail as R's ``2 * pt(-abs(t), df)``."""
    return min(1.0, 2.0 * t_sf(abs(t), df))
