"""hake_gain_by_group agrees with hake_gain group by group."""

import math

import numpy as np

from imheval.stats.gain import hake_gain, hake_gain_by_group


def test_matches_hake_gain_per_group() -> None:
    rng = np.random.default_rng(3)
    n, groups = 400, 30
    pre = rng.integers(0, 11, n).astype(float)
    post = np.minimum(pre + rng.integers(-2, 5, n), 10).astype(float)
    pre[rng.random(n) < 0.05] = np.nan
    post[rng.random(n) < 0.05] = np.nan
    code = rng.integers(0, groups, n)
    code[code == 7] = 8  # group 7 is empty
    pre[code == 3] = 10.0  # group 3 starts at the maximum
    found = hake_gain_by_group(pre, post, code, groups, 10)
    for g in range(groups):
        members = code == g
        expected = hake_gain(pre[members], post[members], 10) if members.any() else None
        if expected is None:
            assert found[g] is None
        else:
            value = found[g]
            assert value is not None and math.isclose(value, expected, rel_tol=1e-12)
    assert found[7] is None and found[3] is None
