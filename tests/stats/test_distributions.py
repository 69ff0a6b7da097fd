"""imheval.stats.distributions gives the very bits scipy.stats gives, edge values included."""

from __future__ import annotations

import itertools
import json
import math
import struct
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from imheval.stats import distributions as dist

XS = [
    -math.inf,
    -1e300,
    -40.0,
    -7.5,
    -2.0,
    -1.0,
    -1e-300,
    -0.0,
    0.0,
    1e-300,
    1e-8,
    0.3,
    1.0,
    1.959963984540054,
    2.5,
    7.5,
    40.0,
    1e6,
    1e300,
    math.inf,
    math.nan,
]
QS = [
    -0.1,
    0.0,
    5e-324,
    1e-300,
    1e-12,
    0.001,
    0.025,
    0.05,
    0.3,
    0.5,
    0.7,
    0.95,
    0.975,
    0.999,
    1.0 - 1e-12,
    1.0 - 2**-53,
    1.0,
    1.1,
    math.nan,
]
DFS = [-1.0, 0.0, 1e-3, 0.5, 1.0, 2.0, 3.7, 9.0, 30.0, 199.0, 1e6, math.inf, math.nan]


def _bits(value: float) -> bytes:
    """The value's 8 bytes, with every NaN the same, so that -0.0 and 0.0 differ but NaNs match."""
    return b"nan" if math.isnan(value) else struct.pack("<d", value)


def _assert_same(ours: float, theirs: object, where: str) -> None:
    assert isinstance(ours, float), where
    assert _bits(ours) == _bits(float(theirs)), f"{where}: {ours!r} != {theirs!r}"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (dist.norm_cdf, stats.norm.cdf),
        (dist.norm_sf, stats.norm.sf),
    ],
)
def test_normal_tails_equal_scipy(
    ours: Callable[[float], float], theirs: Callable[[float], object]
) -> None:
    for x in XS:
        _assert_same(ours(x), theirs(x), f"{ours.__name__}({x})")


def test_normal_quantile_equals_scipy() -> None:
    for q in QS:
        _assert_same(dist.norm_ppf(q), stats.norm.ppf(q), f"norm_ppf({q})")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (dist.t_cdf, stats.t.cdf),
        (dist.t_sf, stats.t.sf),
        (dist.chi2_sf, stats.chi2.sf),
    ],
)
def test_one_df_tails_equal_scipy(
    ours: Callable[[float, float], float], theirs: Callable[[float, float], object]
) -> None:
    with np.errstate(all="ignore"):
        for x, df in itertools.product(XS, DFS):
            _assert_same(ours(x, df), theirs(x, df), f"{ours.__name__}({x}, {df})")


def test_t_quantile_equals_scipy() -> None:
    with np.errstate(all="ignore"):
        for q, df in itertools.product(QS, DFS):
            _assert_same(dist.t_ppf(q, df), stats.t.ppf(q, df), f"t_ppf({q}, {df})")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (dist.f_cdf, stats.f.cdf),
        (dist.f_sf, stats.f.sf),
    ],
)
def test_f_tails_equal_scipy(
    ours: Callable[[float, float, float], float],
    theirs: Callable[[float, float, float], object],
) -> None:
    with np.errstate(all="ignore"):
        for x, df1, df2 in itertools.product(XS, DFS, DFS):
            _assert_same(
                ours(x, df1, df2), theirs(x, df1, df2), f"{ours.__name__}({x}, {df1}, {df2})"
            )


def test_f_quantile_equals_scipy() -> None:
    with np.errstate(all="ignore"):
        for q, df1, df2 in itertools.product(QS, DFS, DFS):
            _assert_same(
                dist.f_ppf(q, df1, df2), stats.f.ppf(q, df1, df2), f"f_ppf({q}, {df1}, {df2})"
            )


def test_whole_number_degrees_of_freedom_equal_scipy() -> None:
    # Callers pass n - 1 as an int; scipy turns it into an int64 array, we into a float.
    for df in (1, 2, 9, 199, 4999):
        _assert_same(dist.t_ppf(0.975, df), stats.t.ppf(0.975, df), f"t_ppf(0.975, {df})")
        _assert_same(dist.t_sf(2.1, df), stats.t.sf(2.1, df), f"t_sf(2.1, {df})")
        _assert_same(dist.f_sf(3.2, df, 2 * df), stats.f.sf(3.2, df, 2 * df), f"f_sf {df}")
        _assert_same(dist.chi2_sf(3.2, df), stats.chi2.sf(3.2, df), f"chi2_sf {df}")


def test_known_values() -> None:
    # Textbook values, so that a scipy change that broke both sides alike would still show.
    assert dist.norm_ppf(0.975) == pytest.approx(1.959963984540054, rel=1e-15)
    assert dist.t_ppf(0.975, 10) == pytest.approx(2.228138851986274, rel=1e-13)
    assert dist.t_ppf(0.975, math.inf) == pytest.approx(dist.norm_ppf(0.975), rel=1e-15)
    assert dist.chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-13)
    assert dist.f_sf(1.0, 4, 4) == pytest.approx(0.5, rel=1e-13)
    assert dist.t_sf(0.0, 7) == 0.5
    assert dist.t_ppf(0.0, 3) == -math.inf
    assert dist.f_ppf(1.0, 2, 3) == math.inf
    assert math.isnan(dist.t_sf(1.0, 0))
    assert math.copysign(1.0, dist.norm_ppf(0.5)) == 1.0


NCPS = [-math.inf, -11.3, -1.0, 0.0, 0.3, 4.0, 40.0, math.inf, math.nan]
SMALL_XS = [-math.inf, -2.0, -0.0, 0.0, 1e-300, 0.5, 2.0, 30.0, math.inf, math.nan]
SMALL_DFS = [-1.0, 0.0, 0.5, 1.0, 3.0, 40.0, 1e6, math.inf, math.nan]


def test_noncentral_t_cdf_equals_scipy() -> None:
    with np.errstate(all="ignore"):
        for x, df, ncp in itertools.product(SMALL_XS, SMALL_DFS, NCPS):
            _assert_same(
                dist.nct_cdf(x, df, ncp), stats.nct.cdf(x, df, ncp), f"nct_cdf({x}, {df}, {ncp})"
            )


def test_noncentral_f_cdf_equals_scipy() -> None:
    with np.errstate(all="ignore"):
        for x, df1, df2, ncp in itertools.product(SMALL_XS, SMALL_DFS, SMALL_DFS, NCPS):
            theirs = stats.ncf.cdf(x, df1, df2, ncp)
            _assert_same(
                dist.ncf_cdf(x, df1, df2, ncp), theirs, f"ncf_cdf({x}, {df1}, {df2}, {ncp})"
            )


def test_noncentral_t_upper_tail_equals_scipy() -> None:
    for x, df, ncp in [(2.0, 9.0, 1.5), (-1.0, 30.0, 0.3), (2.6, 199.0, -11.3)]:
        _assert_same(dist.nct_sf(x, df, ncp), stats.nct.sf(x, df, ncp), "nct_sf")


def test_binomial_cdf_equals_scipy() -> None:
    ks = [-math.inf, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 6.9, 7.0, 12.0, 24.0, 25.0, math.inf]
    ns = [-1.0, 0.0, 1.0, 2.5, 7.0, 25.0, 1000.0, math.inf, math.nan]
    ps = [-0.1, 0.0, 0.3, 0.5, 1.0, 1.1, math.nan]
    with np.errstate(all="ignore"):
        for k, n, p in itertools.product([*ks, math.nan], ns, ps):
            _assert_same(
                dist.binom_cdf(k, n, p), stats.binom.cdf(k, n, p), f"binom_cdf({k}, {n}, {p})"
            )
    # McNemar's exact test: whole k from 0 to n // 2 at p = 0.5, as integers.
    for n_int in range(1, 60):
        for k_int in range(n_int // 2 + 1):
            _assert_same(
                dist.binom_cdf(k_int, n_int, 0.5), stats.binom.cdf(k_int, n_int, 0.5), "mcnemar"
            )


def test_binomial_cdf_uses_scipy_specials_own_function() -> None:
    # The fast path is the one in use: a scipy that moves _binom_cdf fails here, not silently.
    assert dist._binom_cdf_routine() is not None


def test_binomial_cdf_without_the_private_function_asks_scipy_stats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A scipy.special._ufuncs without _binom_cdf (scipy.stats keeps its own reference to the
    # real module, so its binom.cdf still works).
    monkeypatch.setitem(sys.modules, dist._UFUNCS_MODULE, types.ModuleType(dist._UFUNCS_MODULE))
    assert dist._binom_cdf_routine() is None
    with np.errstate(all="ignore"):
        for k, n, p in itertools.product(
            [-1.0, 0.0, 2.0, 6.9, 7.0, math.nan], [0.0, 2.5, 7.0, 25.0], [0.0, 0.5, 1.1]
        ):
            _assert_same(
                dist.binom_cdf(k, n, p), stats.binom.cdf(k, n, p), f"binom_cdf({k}, {n}, {p})"
            )
        for n_int in range(1, 30):
            for k_int in range(n_int // 2 + 1):
                _assert_same(
                    dist.binom_cdf(k_int, n_int, 0.5), stats.binom.cdf(k_int, n_int, 0.5), "exact"
                )


def _shapiro_samples() -> list[np.ndarray]:
    """Samples of every size class AS R94 treats apart (3, 4-5, 6-11, 12+), ties, skew, offsets."""
    rng = np.random.default_rng(7)
    samples = [
        np.array([1.0, 2.0, 4.0]),
        np.array([1.0, 1.0, 2.0]),
        np.array([3.0, 1.0, 2.0, 10.0]),
        np.array([0.5, -0.5, 0.25, 0.0, 2.0]),
        np.array([-1.0, -1.0, 0.0, 0.0, 0.0, 1.0, 2.0]),
        np.array([1e6 + 0.1, 1e6 + 0.3, 1e6 + 0.2, 1e6 + 0.9, 1e6, 1e6 + 0.4]),
    ]
    for n in (6, 7, 11, 12, 13, 20, 50, 199, 1000, 5000):
        samples.append(rng.normal(size=n))
        samples.append(rng.exponential(size=n) * 3.0 - 2.0)
        samples.append(rng.integers(-4, 5, size=n).astype(float))
    return samples


def test_shapiro_equals_scipy() -> None:
    for values in _shapiro_samples():
        w, p = dist.shapiro(values)
        expected = stats.shapiro(values)
        _assert_same(w, expected.statistic, f"shapiro W, n {values.size}")
        _assert_same(p, expected.pvalue, f"shapiro p, n {values.size}")


def test_shapiro_without_the_compiled_routine_asks_scipy_stats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dist, "_compiled_swilk", lambda: None)
    for values in _shapiro_samples()[:8]:
        w, p = dist.shapiro(values)
        expected = stats.shapiro(values)
        _assert_same(w, expected.statistic, f"shapiro W, n {values.size}")
        _assert_same(p, expected.pvalue, f"shapiro p, n {values.size}")


def test_shapiro_uses_the_compiled_routine() -> None:
    # The fast path is the one in use: a scipy that moves swilk fails here, not silently.
    assert dist._compiled_swilk() is not None


@pytest.fixture
def fresh_swilk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The routine not yet looked up (the real one comes back after the test)."""
    monkeypatch.setattr(dist, "_swilk_found", [])


def _assert_shapiro_as_scipy(samples: list[np.ndarray]) -> None:
    for values in samples:
        w, p = dist.shapiro(values)
        expected = stats.shapiro(values)
        _assert_same(w, expected.statistic, f"shapiro W, n {values.size}")
        _assert_same(p, expected.pvalue, f"shapiro p, n {values.size}")


@pytest.mark.parametrize("error", [ImportError, OSError, RuntimeError, AttributeError])
@pytest.mark.usefixtures("fresh_swilk")
def test_shapiro_asks_scipy_stats_when_the_routine_fails_to_load(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def failing_load() -> None:
        raise error("cannot load")

    monkeypatch.setattr(dist, "_load_swilk", failing_load)
    assert dist._compiled_swilk() is None
    _assert_shapiro_as_scipy(_shapiro_samples()[:8])


def _two_values(shifted: object, coefficients: object, init: object) -> tuple[float, float]:
    return 0.9, 0.5


def _w_above_one(shifted: object, coefficients: object, init: object) -> tuple[float, float, int]:
    return 1.5, 0.5, 0


def _wrong_w(shifted: object, coefficients: object, init: object) -> tuple[float, float, int]:
    return 0.5, 0.5, 0


def _new_signature(shifted: object) -> tuple[float, float, int]:
    return 27 / 28, 0.6368868450289689, 0


@pytest.mark.parametrize("routine", [_two_values, _w_above_one, _wrong_w, _new_signature])
@pytest.mark.usefixtures("fresh_swilk")
def test_shapiro_asks_scipy_stats_when_the_routine_gives_a_wrong_answer(
    monkeypatch: pytest.MonkeyPatch, routine: Callable[..., object]
) -> None:
    monkeypatch.setattr(dist, "_load_swilk", lambda: routine)
    assert dist._compiled_swilk() is None
    _assert_shapiro_as_scipy(_shapiro_samples()[:8])


@pytest.mark.usefixtures("fresh_swilk")
def test_shapiro_routine_check_accepts_the_real_routine() -> None:
    # The check on the known sample passes scipy's routine (else every call would use the
    # fallback, equal but slow, and the tests above could not tell).
    swilk = dist._load_swilk()
    assert swilk is not None
    assert dist._swilk_works(swilk) is True
    assert dist._compiled_swilk() is swilk


@pytest.mark.usefixtures("fresh_swilk")
def test_shapiro_from_eight_threads_loads_the_routine_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_load = dist._load_swilk
    loads: list[int] = []

    def slow_load() -> object:
        loads.append(1)
        time.sleep(0.05)  # a window in which the other threads ask for the routine too
        return real_load()

    monkeypatch.setattr(dist, "_load_swilk", slow_load)
    values = _shapiro_samples()[-6]
    start = threading.Barrier(8)
    results: list[tuple[float, float]] = []

    def call() -> None:
        start.wait()
        results.append(dist.shapiro(values))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = stats.shapiro(values)
    assert len(loads) == 1
    assert len(results) == 8
    assert set(results) == {(float(expected.statistic), float(expected.pvalue))}


@pytest.mark.parametrize(
    "values",
    [
        [1.0, math.nan, 2.0, 3.0],
        [math.nan, math.nan, math.nan],
        [*np.linspace(0.0, 1.0, 20).tolist(), math.nan],
    ],
)
def test_shapiro_with_nan_gives_nan_as_scipy(values: list[float]) -> None:
    w, p = dist.shapiro(np.array(values))
    expected = stats.shapiro(values)
    assert math.isnan(w) and math.isnan(p)
    _assert_same(w, expected.statistic, "W")
    _assert_same(p, expected.pvalue, "p")


@pytest.mark.parametrize("values", [[], [1.0], [1.0, 2.0]])
def test_shapiro_with_fewer_than_three_values_gives_nan_as_scipy(values: list[float]) -> None:
    w, p = dist.shapiro(np.array(values))
    with pytest.warns(Warning):  # scipy warns that the sample is too small
        expected = stats.shapiro(values)
    _assert_same(w, expected.statistic, "W")
    _assert_same(p, expected.pvalue, "p")


def test_shapiro_in_a_fresh_interpreter_does_not_import_scipy_stats() -> None:
    values = _shapiro_samples()[-6]  # 1000 values
    # The module is loaded from its file alone: importing the package imheval.stats would
    # also load the other statistics, and this is about the normality test.
    script = (
        "import importlib.util, json, sys\n"
        "import numpy as np\n"
        f"spec = importlib.util.spec_from_file_location('alone', {dist.__file__!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        f"values = np.array({values.tolist()!r})\n"
        "import threading\n"  # eight first calls at once, each loading from the file if unlocked
        "start = threading.Barrier(8)\n"
        "results = []\n"
        "def call():\n"
        "    start.wait()\n"
        "    results.append(module.shapiro(values))\n"
        "threads = [threading.Thread(target=call) for _ in range(8)]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
        "assert len(results) == 8 and len(set(results)) == 1, results\n"
        "w, p = results[0]\n"
        "loaded = 'scipy.stats' in sys.modules\n"
        "from scipy import stats\n"  # and scipy.stats works afterwards, with the same routine
        "again = stats.shapiro(values)\n"
        "same = float(again.statistic) == w and float(again.pvalue) == p\n"
        "print(json.dumps([w.hex(), p.hex(), loaded, same]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    w_hex, p_hex, loaded, same_again = json.loads(done.stdout)
    expected = stats.shapiro(values)
    assert values.size == 1000
    assert loaded is False
    assert same_again is True
    assert float.fromhex(w_hex) == float(expected.statistic)
    assert float.fromhex(p_hex) == float(expected.pvalue)


def test_shapiro_racing_a_first_import_of_scipy_stats_in_a_fresh_interpreter() -> None:
    values = _shapiro_samples()[-6]
    script = (
        "import importlib.util, json, sys, threading\n"
        "import numpy as np\n"
        f"spec = importlib.util.spec_from_file_location('alone', {dist.__file__!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        f"values = np.array({values.tolist()!r})\n"
        "start = threading.Barrier(8)\n"
        "results = []\n"
        "def ours():\n"
        "    start.wait()\n"
        "    results.append(module.shapiro(values))\n"
        "def theirs():\n"
        "    start.wait()\n"
        "    from scipy import stats\n"
        "    result = stats.shapiro(values)\n"
        "    results.append((float(result.statistic), float(result.pvalue)))\n"
        "threads = [threading.Thread(target=theirs if i % 4 == 0 else ours) for i in range(8)]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
        "print(json.dumps([[w.hex(), p.hex()] for w, p in results]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    results = json.loads(done.stdout)
    expected = stats.shapiro(values)
    assert len(results) == 8
    for w_hex, p_hex in results:
        assert float.fromhex(w_hex) == float(expected.statistic)
        assert float.fromhex(p_hex) == float(expected.pvalue)


@pytest.mark.parametrize(
    "values",
    [
        [3.0],
        [0.5, 0.5],
        [2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 4.0],
        [1.0, 1.0, 1.0, 1.0],
        [0.1, 0.2, 0.30000000000000004, 0.3, 5.0, -0.0, 0.0],
        [1.0, math.nan, 2.0],
    ],
)
def test_average_ranks_equal_scipy(values: list[float]) -> None:
    ours = dist.average_ranks(np.array(values))
    theirs = stats.rankdata(values)
    assert ours.dtype == np.float64
    assert [_bits(v) for v in ours.tolist()] == [_bits(v) for v in theirs.tolist()]


def test_average_ranks_random_ties_equal_scipy() -> None:
    rng = np.random.default_rng(19)
    for size in (1, 2, 5, 50, 1000):
        values = rng.integers(0, max(2, size // 3), size).astype(float) / 4
        np.testing.assert_array_equal(dist.average_ranks(values), stats.rankdata(values))


def test_average_ranks_of_nothing_is_empty() -> None:
    assert dist.average_ranks(np.array([])).shape == (0,)
