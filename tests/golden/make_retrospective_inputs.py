"""Writes the retrospective pre-test golden responses (run from this folder; seeded, so the
files are the same every time). make_golden_retrospective.R reads them; the instrument is
retrospective_instrument.yaml (c1-c3 retrospective, c3 reversed; c4 asked once).

* retrospective_responses.csv: 2 cohorts, 36 people; everyone answers the post-test with then
  and now, 28 also a real pre-test; some then answers blank (the person is left out), one a
  scale label ("Very confident"), one outside the scale ("7": invalid, left out).
* retrospective_post_only.csv: 9 people, post-test only (no real pre-test: no response shift).
"""

from __future__ import annotations

import csv

import numpy as np

HEADER = ["participant", "cohort", "timepoint", "k1", "c1", "c2", "c3", "c4"]
THEN = ["c1@then", "c2@then", "c3@then"]


def _clip(values: np.ndarray) -> list[int]:
    return [int(v) for v in np.clip(values, 1, 5)]


def write(path: str, n: int, seed: int, with_pre: int) -> None:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for i in range(n):
        code = f"R{seed}{i:02d}"
        cohort = "Spring" if i % 2 else "Autumn"
        pre = _clip(rng.integers(2, 5, 3))
        then = _clip(np.array(pre) - rng.integers(0, 3, 3) + rng.integers(0, 2, 3))
        now = _clip(np.array(then) + rng.integers(0, 3, 3))
        if i < with_pre:
            rows.append(
                {
                    "participant": code,
                    "cohort": cohort,
                    "timepoint": "pre",
                    "k1": "a" if i % 3 else "b",
                    "c1": pre[0],
                    "c2": pre[1],
                    "c3": 6 - pre[2],
                    "c4": pre[0],
                }
            )
        post: dict[str, object] = {
            "participant": code,
            "cohort": cohort,
            "timepoint": "post",
            "k1": "a",
            "c1": now[0],
            "c2": now[1],
            "c3": 6 - now[2],
            "c4": now[1],
            "c1@then": then[0],
            "c2@then": then[1],
            "c3@then": 6 - then[2],
        }
        if i == 3:
            post["c2@then"] = ""  # incomplete then: left out
        if i == 5:
            post["c1@then"] = "Very confident" if then[0] == 5 else str(then[0])
        if i == 7:
            post["c1@then"] = "Very confident"  # a label: 5
        if i == 8:
            post["c3@then"] = "7"  # outside the scale: invalid, left out
        rows.append(post)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*HEADER, *THEN], restval="")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write("retrospective_responses.csv", 36, 18, 28)
    write("retrospective_post_only.csv", 9, 19, 0)
