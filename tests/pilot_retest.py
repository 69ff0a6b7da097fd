"""A small pilot test-retest study for the reliability tests (the CLI's and the library's).

Person i answers the first `right` items correctly (key a), the rest wrongly (b).
Knowledge totals: first 1, 2, 3, 4; retest 1, 3, 3, 5. By hand (tests/stats/test_reliability):
ICC(A,1) = 8/9 = .89, ICC(C,1) = 12/13. Item K3: first right for P3, P4; retest for P2, P3, P4
-> agreement 3/4, chance agreement .5 * .75 + .5 * .25 = .5, kappa = (.75 - .5) / .5 = .50.
"""

from __future__ import annotations

from pathlib import Path

INSTRUMENT = """\
format: imheval-instrument/1
id: pilot-form
version: 1.0.0
title: Pilot form
levels: [beginner]
domains:
  - id: knowledge
    label: Knowledge
items:
"""
ITEM = """\
  - id: K{n}
    domain: knowledge
    concept: c{n}
    text: Question {n}?
    options: {{a: Right, b: Wrong}}
    key: a
"""
FIRST_RIGHT = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}
RETEST_RIGHT = {"P1": 1, "P2": 3, "P3": 3, "P4": 5}


def _answers(right: int) -> str:
    return ",".join("a" if position < right else "b" for position in range(5))


def write_pilot(
    tmp_path: Path, *, retest: bool = True, followup: bool = False
) -> tuple[Path, Path]:
    """The pilot's responses file and its instrument file, written in ``tmp_path``."""
    instrument = tmp_path / "pilot-form.yaml"
    instrument.write_text(
        INSTRUMENT + "".join(ITEM.format(n=n) for n in range(1, 6)), encoding="utf-8"
    )
    lines = ["participant,cohort,timepoint,K1,K2,K3,K4,K5"]
    lines += [f"{code},Pilot,pre,{_answers(right)}" for code, right in FIRST_RIGHT.items()]
    if retest:
        lines += [f"{code},Pilot,post,{_answers(right)}" for code, right in RETEST_RIGHT.items()]
    if followup:
        lines.append(f"P1,Pilot,followup,{_answers(5)}")
    data = tmp_path / "pilot.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, instrument
