"""Distribution functions for the statistics, without importing scipy.stats.

``import scipy.stats`` costs about a second and a half of every command's start-up, and the
statistics need it almost only for the t, normal, F and chi-squared distributions (central and
noncentral). Each function here calls the same ``scipy.special`` function that scipy.stats 1.17
calls, with scipy.stats's argument handling (an invalid degree of freedom or a NaN gives NaN, the
ends of the support give 0 or 1, p = 0 and p = 1 give the ends of the support), so every value is
the one scipy.stats gives, to the last bit (tests/stats/test_distributions.py checks it over a
grid).

The binomial uses the private special function scipy.stats uses. The noncentral t's upper tail
comes from scipy.stats, imported when called (planning only, never an analysis), and the
Shapiro-Wilk test from scipy.stats's compiled routine, loaded on its own.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import sys
from collections.abc import Callable
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy
from scipy import special
from scipy.special import _ufuncs

FloatArray = npt.NDArray[np.float64]

#: Where scipy (1.17) keeps its compiled Shapiro-Wilk routine.
_SWILK_MODULE = "scipy.stats._ansari_swilk_statistics"


def _cdf(
    function: Callable[[float], float], x: float, valid: bool, lower: float, upper: float
) -> float:
    """scipy.stats's ``cdf``: NaN for invalid arguments or x, 0 and 1 at the ends of the support."""
    x = float(x)
    if not valid or math.isnan(x):
        return math.nan
    if x >= upper:
        return 1.0
    if x <= lower:
        return 0.0
    return float(function(x))


def _sf(
    function: Callable[[float], float], x: float, valid: bool, lower: float, upper: float
) -> float:
    """scipy.stats's ``sf``: NaN for invalid arguments or x, 1 and 0 at the ends of the support."""
    x = float(x)
    if not valid or math.isnan(x):
        return math.nan
    if x <= lower:
        return 1.0
    if x >= upper:
        return 0.0
    return float(function(x))


def _ppf(
    function: Callable[[float], float], q: float, valid: bool, lower: float, upper: float
) -> float:
    """scipy.stats's ``ppf``: NaN outside [0, 1], the ends of the support at 0 and 1."""
    q = float(q)
    if not valid or not 0.0 <= q <= 1.0:
        return math.nan
    if q == 0.0:
        return lower
    if q == 1.0:
        return upper
    return float(function(q))


def _positive(*dfs: float) -> bool:
    """scipy.stats's check of shape parameters: every one above 0 (NaN is not)."""
    return all(float(df) > 0 for df in dfs)


def norm_cdf(x: float) -> float:
    """P(Z <= x) for the standard normal, as ``scipy.stats.norm.cdf`` (``special.ndtr``)."""
    return _cdf(special.ndtr, x, True, -math.inf, math.inf)


def norm_sf(x: float) -> float:
    """P(Z > x) for the standard normal, as ``scipy.stats.norm.sf`` (``special.ndtr(-x)``)."""
    return _sf(lambda v: special.ndtr(-v), x, True, -math.inf, math.inf)


def norm_ppf(q: float) -> float:
    """The standard normal quantile, as ``scipy.stats.norm.ppf`` (``special.ndtri``)."""
    return _ppf(special.ndtri, q, True, -math.inf, math.inf)


def t_cdf(x: float, df: float) -> float:
    """P(T <= x) on ``df`` degrees of freedom (inf allowed), as ``scipy.stats.t.cdf``."""
    df = float(df)
    return _cdf(lambda v: special.stdtr(df, v), x, _positive(df), -math.inf, math.inf)


def t_sf(x: float, df: float) -> float:
    """P(T > x) on ``df`` degrees of freedom (inf allowed), as ``scipy.stats.t.sf``."""
    df = float(df)
    return _sf(lambda v: special.stdtr(df, -v), x, _positive(df), -math.inf, math.inf)


def t_ppf(q: float, df: float) -> float:
    """The t quantile on ``df`` degrees of freedom (inf allowed), as ``scipy.stats.t.ppf``."""
    df = float(df)
    return _ppf(lambda v: special.stdtrit(df, v), q, _positive(df), -math.inf, math.inf)


def f_cdf(x: float, df1: float, df2: float) -> float:
    """P(F <= x) on (df1, df2) degrees of freedom, as ``scipy.stats.f.cdf``."""
    df1, df2 = float(df1), float(df2)
    return _cdf(lambda v: special.fdtr(df1, df2, v), x, _positive(df1, df2), 0.0, math.inf)


def f_sf(x: float, df1: float, df2: float) -> float:
    """P(F > x) on (df1, df2) degrees of freedom, as ``scipy.stats.f.sf``."""
    df1, df2 = float(df1), float(df2)
    return _sf(lambda v: special.fdtrc(df1, df2, v), x, _positive(df1, df2), 0.0, math.inf)


def f_ppf(q: float, df1: float, df2: float) -> float:
    """The F quantile on (df1, df2) degrees of freedom, as ``scipy.stats.f.ppf``."""
    df1, df2 = float(df1), float(df2)
    return _ppf(lambda v: special.fdtri(df1, df2, v), q, _positive(df1, df2), 0.0, math.inf)


def chi2_sf(x: float, df: float) -> float:
    """P(X > x) for chi-squared on ``df`` degrees of freedom, as ``scipy.stats.chi2.sf``."""
    df = float(df)
    return _sf(lambda v: special.chdtrc(df, v), x, _positive(df), 0.0, math.inf)


def nct_cdf(x: float, df: float, ncp: float) -> float:
    """P(T <= x) for the noncentral t, as ``scipy.stats.nct.cdf`` (``special.nctdtr``)."""
    df, ncp = float(df), float(ncp)
    valid = _positive(df) and not math.isnan(ncp)
    return _cdf(lambda v: special.nctdtr(df, ncp, v), x, valid, -math.inf, math.inf)


def nct_sf(x: float, df: float, ncp: float) -> float:
    """P(T > x) for the noncentral t, ``scipy.stats.nct.sf`` (imported when called)."""
    from scipy import stats

    return float(stats.nct.sf(x, df, ncp))


def ncf_cdf(x: float, df1: float, df2: float, ncp: float) -> float:
    """P(F <= x) for the noncentral F, as ``scipy.stats.ncf.cdf`` (``special.ncfdtr``)."""
    df1, df2, ncp = float(df1), float(df2), float(ncp)
    valid = _positive(df1, df2) and ncp >= 0
    return _cdf(lambda v: special.ncfdtr(df1, df2, ncp, v), x, valid, 0.0, math.inf)


def binom_cdf(k: float, n: float, p: float) -> float:
    """P(X <= k) for the binomial, as ``scipy.stats.binom.cdf``.

    scipy.stats calls scipy.special's ``_binom_cdf`` (Boost) on the floor of k, clipped to
    [0, 1], with NaN for a k that is NaN, an n that is not a whole number of at least 0 or a p
    outside [0, 1], 0 below 0 and 1 from n on; so does this.
    """
    k, n, p = float(k), float(n), float(p)
    if not (n >= 0 and float(np.round(n)) == n and 0 <= p <= 1) or math.isnan(k):
        return math.nan
    if k >= n:
        return 1.0
    if k < 0:
        return 0.0
    value = float(_ufuncs._binom_cdf(math.floor(k), n, p))
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def shapiro(values: FloatArray) -> tuple[float, float]:
    """Shapiro-Wilk W and p for 3 to 5000 values, as ``scipy.stats.shapiro``.

    scipy.stats.shapiro sorts the values, subtracts the one at position n // 2 of the values as
    given (a value near the median, for precision) and passes them to its compiled AS R94
    routine, ``swilk``. That routine is loaded here on its own (it needs only numpy), so a
    normality test does not import the rest of scipy.stats; where this scipy keeps it elsewhere,
    scipy.stats.shapiro is called instead. No warnings: the callers check the range and size.
    """
    swilk = _compiled_swilk()
    if swilk is None:
        from scipy import stats

        result = stats.shapiro(values)
        return float(result.statistic), float(result.pvalue)
    x = np.ravel(values).astype(np.float64)
    shifted = np.sort(x)
    shifted -= x[x.size // 2]
    w, p, _ = swilk(shifted, np.zeros(x.size // 2, dtype=np.float64), False)
    return float(w), float(p)


@functools.cache
def _compiled_swilk() -> Callable[..., tuple[float, float, int]] | None:
    """scipy.stats's compiled ``swilk``, loaded without scipy.stats, or None if it is not there."""
    module = sys.modules.get(_SWILK_MODULE)
    if module is None:
        folder = Path(scipy.__file__).parent / "stats"
        paths = [folder / f"_ansari_swilk_statistics{suffix}" for suffix in EXTENSION_SUFFIXES]
        path = next((path for path in paths if path.is_file()), None)
        spec = None if path is None else importlib.util.spec_from_file_location(_SWILK_MODULE, path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules.setdefault(_SWILK_MODULE, module)
    swilk: Callable[..., tuple[float, float, int]] | None = getattr(module, "swilk", None)
    return swilk


def average_ranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n of a 1-D array, ties sharing their mean rank, as ``scipy.stats.rankdata``.

    The same steps as scipy's (a stable sort, the first rank of each run of equal values plus
    half the run's length less one), so the ranks are the same floats; any NaN makes every rank
    NaN, as scipy's default ``nan_policy="propagate"``.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    n = x.size
    if n == 0:
        return np.empty(0, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    first = np.concatenate(([True], ordered[:-1] != ordered[1:]))
    counts = np.diff(np.flatnonzero(first), append=n)
    run_ranks = np.arange(1, n + 1, dtype=np.float64)[first] + (counts.astype(np.float64) - 1) / 2
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(run_ranks, counts)
    if np.isnan(x).any():
        ranks[:] = np.nan
    return ranks
