"""Write forms_responses.csv and forms_instrument.yaml: the golden data for parallel forms.

Run from this folder: ``python3 make_forms_inputs.py``, then ``Rscript make_golden_forms.R``.
Four cohorts of ten: c1 and c2 answer form A before training and form B after, c3 and c4 the
opposite (counterbalanced). Each form has six right/wrong items keyed 'a'; form B's items are
made harder, so the form difference is not negligible and scores are equated. Half the rows say
their form in the 'form' column, the others leave it blank (worked out from the answers); one
person has no post-test and one answer is blank (the zero rule counts it 0).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ITEMS = 6

INSTRUMENT = """\
format: imheval-instrument/1
id: forms-golden
version: 1.0.0
title: Parallel forms golden data
levels: [beginner]
forms:
  - id: A
  - id: B
domains:
  - id: knowledge
    label: Knowledge
items:
"""


def main() -> None:
    lines = [INSTRUMENT]
    for form in "AB":
        for k in range(1, ITEMS + 1):
            lines.append(
                f"  - {{id: K{form}{k}, domain: knowledge, form: {form}, text: Question {form}{k},"
                " options: {a: right, b: wrong, c: also wrong}, key: a}\n"
            )
    (HERE / "forms_instrument.yaml").write_text("".join(lines))

    rng = np.random.default_rng(2026)
    header = ["participant", "cohort", "timepoint", "form"] + [
        f"K{form}{k}" for form in "AB" for k in range(1, ITEMS + 1)
    ]
    rows = []
    orders = [("A", "B"), ("A", "B"), ("B", "A"), ("B", "A")]
    for c, (first, second) in enumerate(orders, start=1):
        for p in range(1, 11):
            ability = rng.normal(0.0, 1.0)
            for timepoint, form in (("pre", first), ("post", second)):
                if (c, p, timepoint) == (4, 10, "post"):
                    continue  # one person without a post-test
                gain = 1.0 if timepoint == "post" else 0.0
                answers = {f"K{f}{k}": "" for f in "AB" for k in range(1, ITEMS + 1)}
                for k in range(1, ITEMS + 1):
                    ease = (3.5 - k) * 0.5 - (1.0 if form == "B" else 0.0)
                    right = rng.random() < 1.0 / (1.0 + np.exp(-(ability + gain + ease)))
                    answers[f"K{form}{k}"] = "a" if right else str(rng.choice(["b", "c"]))
                if (c, p, timepoint) == (1, 3, "pre"):
                    answers[f"K{form}2"] = ""  # a blank answer: 0 under the zero rule
                said = form if p % 2 == 0 else ""
                rows.append([f"C{c}P{p:02d}", f"c{c}", timepoint, said, *answers.values()])
    with (HERE / "forms_responses.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
