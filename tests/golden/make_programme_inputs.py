"""Write programme_inputs.json: the simulated cases make_golden_programme.R fits.

Run from this folder: python3 make_programme_inputs.py (numpy's seeded generator, so the same
file every time). Each cohort has one programme, its own level and its own change (slope_sd),
people within cohorts their own level; about 5% of scores are missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

EFFECTS = {"A": 4.0, "B": 6.0, "C": 3.0}


def simulate(
    n_cohorts: int,
    programmes: list[str],
    per: int = 10,
    followup: bool = False,
    slope_sd: float = 1.0,
    seed: int = 1,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cohorts):
        programme = programmes[c % len(programmes)]
        level, slope = rng.normal(0, 2), rng.normal(0, slope_sd)
        effect = EFFECTS[programme]
        for i in range(per):
            person = rng.normal(0, 3)
            for time in ["pre", "post"] + (["followup"] if followup else []):
                if rng.random() < 0.05:
                    continue
                mean = 20 + level + person
                mean += (effect + slope) if time == "post" else 0
                mean += (effect * 0.7 + slope) if time == "followup" else 0
                rows.append(
                    {
                        "cohort": f"c{c:02d}",
                        "participant": f"p{i}",
                        "programme": programme,
                        "time": time,
                        "score": round(mean + rng.normal(0, 2.5), 1),
                    }
                )
    return pd.DataFrame(rows)


CASES = {
    "two_programmes": {"n_cohorts": 8, "programmes": ["A", "B"], "per": 10, "seed": 1},
    "three_programmes": {"n_cohorts": 9, "programmes": ["A", "B", "C"], "per": 9, "seed": 2},
    "singular_slopes": {
        "n_cohorts": 7,
        "programmes": ["A", "B"],
        "per": 10,
        "slope_sd": 0.0,
        "seed": 10,
    },
    "followup": {
        "n_cohorts": 10,
        "programmes": ["A", "B"],
        "per": 8,
        "followup": True,
        "slope_sd": 1.5,
        "seed": 5,
    },
    "few_cohorts": {"n_cohorts": 4, "programmes": ["A", "B"], "per": 12, "seed": 6},
}


def main() -> None:
    out: dict[str, object] = {
        "note": "Simulated by make_programme_inputs.py (seeded).",
        "cases": {},
    }
    cases: dict[str, object] = {}
    for name, options in CASES.items():
        frame = simulate(**options)  # type: ignore[arg-type]
        cases[name] = {"columns": list(frame.columns), "rows": frame.to_numpy().tolist()}
    out["cases"] = cases
    Path(__file__).with_name("programme_inputs.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main()
