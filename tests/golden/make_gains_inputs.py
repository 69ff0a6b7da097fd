"""Writes gains_inputs.json: the inputs make_golden_gains.R reads (run once; kept for the record).

Three ANCOVA data sets of integer scores 0 to 10 (groups that start at different levels, as in
Lord's paradox; slopes that differ; two small groups), normalised-gain vectors with people at
the maximum and a loss, and (x, n) pairs for Wilson intervals including 0 and n.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

rng = np.random.default_rng(18)


def scores(pre_mean: float, n: int, slope: float, shift: float) -> tuple[list[int], list[int]]:
    pre = np.clip(np.round(rng.normal(pre_mean, 1.8, n)), 0, 10)
    post = np.clip(np.round(shift + slope * pre + rng.normal(0, 1.2, n)), 0, 10)
    return [int(v) for v in pre], [int(v) for v in post]


def dataset(spec: list[tuple[str, float, int, float, float]]) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {"pre": [], "post": [], "group": []}
    for name, pre_mean, n, slope, shift in spec:
        pre, post = scores(pre_mean, n, slope, shift)
        out["pre"] += pre
        out["post"] += post
        out["group"] += [name] * n
    return out


inputs = {
    "ancova": {
        "lord": dataset(
            [
                ("Adult", 3.5, 14, 0.6, 3.0),
                ("Child", 6.0, 12, 0.6, 3.2),
                ("Early", 5.0, 9, 0.6, 2.0),
            ]
        ),
        "nonparallel": dataset([("A", 4.0, 15, 0.2, 5.0), ("B", 4.5, 15, 0.9, 1.0)]),
        "small": dataset([("x", 4.0, 4, 0.7, 2.0), ("y", 5.0, 3, 0.7, 2.5)]),
    },
    "normalised": {
        "with_maximum": {
            "pre": [2, 5, 8, 10, 10, 9, 4, 7, 3, 6],
            "post": [6, 9, 7, 10, 9, 10, 8, 7, 9, 6],
            "maximum": 10,
        },
        "fractional": {
            "pre": [12.5, 20, 31.25, 40, 5],
            "post": [30, 35, 40, 40, 20],
            "maximum": 40,
        },
    },
    "wilson": [[0, 12], [3, 12], [12, 12], [47, 59], [1, 1], [29, 68]],
}
(Path(__file__).parent / "gains_inputs.json").write_text(json.dumps(inputs, indent=1) + "\n")
