"""The to-do list's probable matches come from one run of the core's tolerant matching over
every cohort (workspace.attention._undecided_everywhere); cohort by cohort, the counts are
those of one run per cohort (_undecided), which took minutes for 1,000 cohorts."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from imheval.web.workspace.attention import _undecided, _undecided_everywhere

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _typo(code: str, rng: random.Random) -> str:
    position = rng.randrange(len(code))
    replacement = rng.choice([c for c in ALPHABET if c != code[position]])
    return code[:position] + replacement + code[position + 1 :]


def _organisation(seed: int) -> tuple[pd.DataFrame, dict[int, list[tuple[str, str, str]]]]:
    """Cohorts of 3-15 people at pre and post: some missing at one time, some with a typo at
    post, some codes shared between cohorts, a few repeated; decisions on some typos."""
    rng = random.Random(seed)
    rows: list[tuple[int, str, str, str, str]] = []
    decided: dict[int, list[tuple[str, str, str]]] = {}
    shared = "".join(rng.choice(ALPHABET) for _ in range(6))
    for cohort_id in range(1, rng.randint(2, 12) + 1):
        for person in range(rng.randint(3, 15)):
            code = shared if person == 0 else "".join(rng.choice(ALPHABET) for _ in range(6))
            profession = rng.choice(["Health visitor", "Midwife"])
            directorate = rng.choice(["North", "South"])
            fate = rng.random()
            if fate > 0.1:
                rows.append((cohort_id, "pre", code, profession, directorate))
            later = _typo(code, rng) if 0.1 < fate < 0.35 else code
            if fate < 0.9:
                rows.append((cohort_id, "post", later, profession, directorate))
            if later != code and fate > 0.1 and rng.random() < 0.5:
                decision = rng.choice(["accepted", "rejected"])
                decided.setdefault(cohort_id, []).append((code, later, decision))
        if rng.random() < 0.2:  # a code used twice at one questionnaire
            rows.append(rows[-1])
    frame = pd.DataFrame(
        rows, columns=["cohort_id", "timepoint", "participant", "profession", "directorate"]
    )
    frame = frame[~frame.duplicated(["cohort_id", "timepoint", "participant"], keep=False)]
    return frame, decided


@pytest.mark.parametrize("seed", range(25))
def test_one_run_over_all_cohorts_counts_what_a_run_per_cohort_counts(seed: int) -> None:
    frame, decided = _organisation(seed)
    together = _undecided_everywhere(frame, decided)
    assert together is not None
    one_by_one = {
        int(key): _undecided(int(key), rows, decided.get(int(key), []))
        for key, rows in frame.groupby("cohort_id")
    }
    assert together == one_by_one


def test_the_counts_see_typos_and_leave_out_decided_pairs() -> None:
    rows = [
        (1, "pre", "ABC123", "Midwife", "North"),
        (1, "post", "ABC124", "Midwife", "North"),
        (1, "pre", "XYZ789", "Midwife", "North"),
        (1, "post", "XYZ788", "Midwife", "North"),
        (2, "pre", "DEF456", "Midwife", "North"),
        (2, "post", "DEF457", "Midwife", "North"),
    ]
    frame = pd.DataFrame(
        rows, columns=["cohort_id", "timepoint", "participant", "profession", "directorate"]
    )
    assert _undecided_everywhere(frame, {}) == {1: 2, 2: 1}
    decided = {1: [("ABC123", "ABC124", "rejected")], 2: [("DEF456", "DEF457", "accepted")]}
    assert _undecided_everywhere(frame, decided) == {1: 1, 2: 0}
