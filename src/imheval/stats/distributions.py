"""Distribution functions for the statistics, without importing scipy.stats.

``import scipy.stats`` costs about a second and a half of every command's start-up, and the
statistics need it almost only for the t, normal, F and chi-squared distributions (central and
noncentral). Each function here calls the same ``scipy.special`` function that scipy.stats 1.17
calls, with scipy.stats's argument handling (an invalid degree of freedom or a NaN gives NaN, the
ends of the support give 0 or 1, p = 0 and p = 1 give the ends of the support), so every value is
the one scipy.stats gives, to the last bit (tests/stats/test_distributions.py checks it over a
grid).

The binomial uses the private special function scipy.stats uses, looked up when called (with
scipy.stats.binom.cdf where a scipy no longer has it). The noncentral t's upper tail comes from
scipy.stats, imported when called (planning only, never an analysis), and the Shapiro-Wilk test
from scipy.stats's compiled routine, loaded on its own (with scipy.stats.shapiro where that
routine cannot be loaded or does not pass a check on a known sample).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import math
import sys
import threading
from collections.abc import Callable
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import scipy
from scipy import special

FloatArray = npt.NDArray[np.float64]

#: scipy's compiled AS R94 routine: (sorted values, coefficients, init) -> (W, p, ifault).
SwilkRoutine = Callable[[FloatArray, FloatArray, bool], tuple[float, float, int]]

#: Where scipy (1.17) keeps its compiled Shapiro-Wilk routine.
_SWILK_MODULE = "scipy.stats._ansari_swilk_statistics"

#: Where scipy (1.17) keeps the Boost binomial CDF that scipy.stats.binom.cdf calls.
_UFUNCS_MODULE = "scipy.special._ufuncs"

#: Held while the routine is looked up and loaded, so that it is loaded once (see _compiled_swilk).
_SWILK_LOCK = threading.Lock()

#: The routine once looked up (None: use scipy.stats.shapiro); empty before the first call.
_swilk_found: list[SwilkRoutine | None] = []


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

    scipy.stats calls scipy.special's private ``_binom_cdf`` (Boost) on the floor of k, clipped
    to [0, 1], with NaN for a k that is NaN, an n that is not a whole number of at least 0 or a p
    outside [0, 1], 0 below 0 and 1 from n on; so does this. A scipy without that function gets
    ``scipy.stats.binom.cdf`` itself (which imports scipy.stats).
    """
    routine = _binom_cdf_routine()
    if routine is None:
        from scipy import stats

        return float(stats.binom.cdf(k, n, p))
    k, n, p = float(k), float(n), float(p)
    if not (n >= 0 and float(np.round(n)) == n and 0 <= p <= 1) or math.isnan(k):
        return math.nan
    if k >= n:
        return 1.0
    if k < 0:
        return 0.0
    value = float(routine(math.floor(k), n, p))
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def _binom_cdf_routine() -> Callable[[float, float, float], float] | None:
    """scipy.special's private ``_binom_cdf``, or None where this scipy does not have it there."""
    try:
        ufuncs = importlib.import_module(_UFUNCS_MODULE)
    except ImportError:
        return None
    routine: Callable[[float, float, float], float] | None = getattr(ufuncs, "_binom_cdf", None)
    return routine if callable(routine) else None


def shapiro(values: FloatArray) -> tuple[float, float]:
    """Shapiro-Wilk W and p for 3 to 5000 finite values, as ``scipy.stats.shapiro``.

    scipy.stats.shapiro sorts the values, subtracts the one at position n // 2 of the values as
    given (a value near the median, for precision) and passes them to its compiled AS R94
    routine, ``swilk``. That routine is loaded here on its own (it needs only numpy), so a
    normality test does not import the rest of scipy.stats; where it cannot be loaded, or gives
    a wrong answer on a known sample, scipy.stats.shapiro is called instead. Any NaN, or fewer
    than 3 values, gives (nan, nan), as scipy.stats (which also warns). No warnings: the
    callers drop NaN and check the range and size.
    """
    x = np.ravel(values).astype(np.float64)
    if x.size < 3 or bool(np.isnan(x).any()):
        return math.nan, math.nan
    swilk = _compiled_swilk()
    if swilk is None:
        from scipy import stats

        result = stats.shapiro(x)
        return float(result.statistic), float(result.pvalue)
    shifted = np.sort(x)
    shifted -= x[x.size // 2]
    w, p, _ = swilk(shifted, np.zeros(x.size // 2, dtype=np.float64), False)
    return float(w), float(p)


def _compiled_swilk() -> SwilkRoutine | None:
    """scipy.stats's compiled ``swilk``, or None (use scipy.stats.shapiro) if it cannot be had.

    Looked up once, under a lock, so that threads calling this together load it once and none
    sees it half loaded. Any failure to load it, or a routine that does not give the known
    answer on a small sample (a changed signature or result), gives None.
    """
    with _SWILK_LOCK:
        if not _swilk_found:
            try:
                swilk = _load_swilk()
            except Exception:  # any failure means: ask scipy.stats instead
                swilk = None
            _swilk_found.append(swilk if swilk is not None and _swilk_works(swilk) else None)
        return _swilk_found[0]


def _load_swilk() -> SwilkRoutine | None:
    """The ``swilk`` of scipy.stats's compiled module, loading the module if need be.

    Once scipy.stats is in sys.modules (imported, or being imported by another thread) the
    import system loads the module, under its lock for the module's name, which that import
    also takes. Before, the module is loaded from its file and registered in sys.modules under
    its own name, holding the same lock (where this Python has it): an ``import scipy.stats``
    in another thread waits for it and then takes the module from sys.modules, rather than
    loading the extension a second time. Such a later import does not set the package's
    ``_ansari_swilk_statistics`` attribute; scipy.stats only imports names from the module, so
    it does not need it.
    """
    if "scipy.stats" in sys.modules:
        module: ModuleType | None = importlib.import_module(_SWILK_MODULE)
    else:
        with _import_lock(_SWILK_MODULE):
            module = sys.modules.get(_SWILK_MODULE)
            if module is None:
                module = _load_swilk_file()
    swilk: SwilkRoutine | None = getattr(module, "swilk", None)
    return swilk


def _load_swilk_file() -> ModuleType | None:
    """The compiled module loaded from scipy's stats folder and put in sys.modules, or None."""
    folder = Path(scipy.__file__).parent / "stats"
    paths = [folder / f"_ansari_swilk_statistics{suffix}" for suffix in EXTENSION_SUFFIXES]
    path = next((path for path in paths if path.is_file()), None)
    spec = None if path is None else importlib.util.spec_from_file_location(_SWILK_MODULE, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return sys.modules.setdefault(_SWILK_MODULE, module)


def _import_lock(name: str) -> contextlib.AbstractContextManager[object]:
    """The import system's per-module lock for ``name``; no lock where this Python has none."""
    bootstrap = getattr(importlib, "_bootstrap", None)
    manager = getattr(bootstrap, "_ModuleLockManager", None)
    if manager is None:
        return contextlib.nullcontext()
    lock: contextlib.AbstractContextManager[object] = manager(name)
    return lock


#: A sample with a known answer: for three values W = 3 (x3 - x1)^2 / (2 n^2 variance) = 27/28
#: here, and p = 6 / pi (asin(sqrt(W)) - asin(sqrt(3 / 4))) (Royston 1995, exact for n = 3).
_CHECK_SAMPLE = (1.0, 2.0, 4.0)
_CHECK_W = 27 / 28
_CHECK_P = 6 / math.pi * (math.asin(math.sqrt(27 / 28)) - math.asin(math.sqrt(0.75)))


def _swilk_works(swilk: SwilkRoutine) -> bool:
    """Whether ``swilk`` takes scipy 1.17's arguments and gives (W, p, ifault) right on a sample."""
    x = np.array(_CHECK_SAMPLE, dtype=np.float64)
    shifted = np.sort(x) - x[x.size // 2]
    try:
        result = swilk(shifted, np.zeros(x.size // 2, dtype=np.float64), False)
        w, p, fault = result
        return (
            isinstance(result, tuple)
            and all(isinstance(value, float) for value in (w, p))
            and isinstance(fault, int)
            and 0.0 < w <= 1.0
            and math.isclose(w, _CHECK_W, rel_tol=1e-9)
            and math.isclose(p, _CHECK_P, rel_tol=1e-6)
        )
    except Exception:  # a routine that fails on a known sample is not used
        return False


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
