"""Review of issue 18, items 2 and 3: a domain asked once must not give hidden figures away.

Cohorts are nested in programmes, so a hidden cohort must not be its programme's count minus
the cohorts shown (in "total by programme and by cohort" and in "People taking part by
cohort"); and an item's n and mean must not solve its hidden answer counts.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import evaluate_file
from imheval.evaluation.single_time import _group_summaries, _item_summary, suppress_nested
from imheval.instruments import get_builtin
from imheval.instruments.model import RatingItem, RatingScale
from imheval.reports.context import ReportContext
from imheval.reports.sections.participation import participation_section
from imheval.reports.wording import HIDDEN

MIN = 5


def _rows(sizes: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = []
    for (programme, cohort), n in sizes.items():
        for k in range(n):
            rows.append({"programme": programme, "cohort": cohort, "score": float(10 + k % 7)})
    return pd.DataFrame(rows)


def _recoverable(programme_n: dict[str, int | None], cohorts: list[tuple[str, int | None]]) -> bool:
    """True when some shown programme has exactly one hidden cohort (then it is solved)."""
    for programme, n in programme_n.items():
        if n is None:
            continue
        hidden = [c for p, c in cohorts if p == programme and c is None]
        if len(hidden) == 1:
            return True
    return False


def test_a_four_person_cohort_is_not_its_programme_minus_its_sister_cohort() -> None:
    # Solihull: S1 4 people, S2 9; Think Family: TF1 5, TF2 8, TF3 6; Anna Freud: AF1 6.
    sizes = {
        ("Think Family", "TF1"): 5,
        ("Think Family", "TF2"): 8,
        ("Think Family", "TF3"): 6,
        ("Solihull", "S1"): 4,
        ("Solihull", "S2"): 9,
        ("Anna Freud", "AF1"): 6,
    }
    groups = _group_summaries(_rows(sizes), "score", MIN)
    programmes = {g.group: g.n for g in groups if g.grouping == "programme"}
    of = {c: p for p, c in sizes}
    cohorts = [(of[g.group], g.n) for g in groups if g.grouping == "cohort"]
    by_cohort = {g.group: g for g in groups if g.grouping == "cohort"}
    assert by_cohort["S1"].hidden
    assert not _recoverable(programmes, cohorts)
    # the hidden cohorts' figures are not published at all
    assert all(g.mean is None and g.sd is None for g in groups if g.hidden)


def test_non_nested_cohorts_show_only_programmes() -> None:
    frame = _rows({("A", "C1"): 6, ("B", "C1"): 3, ("B", "C2"): 9})
    groups = _group_summaries(frame, "score", MIN)
    assert {g.grouping for g in groups} == {"programme"}


@pytest.mark.parametrize("seed", range(200))
def test_nested_rule_never_leaves_one_hidden_cohort_in_a_shown_programme(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_programmes = int(rng.integers(1, 5))
    cohort_programme = [p for p in range(n_programmes) for _ in range(int(rng.integers(1, 4)))]
    cohort_counts = [int(rng.integers(0, 12)) for _ in cohort_programme]
    programme_counts = [
        sum(n for n, q in zip(cohort_counts, cohort_programme, strict=True) if q == p)
        for p in range(n_programmes)
    ]
    hide_p, hide_c = suppress_nested(programme_counts, cohort_programme, cohort_counts, MIN)
    if 0 < sum(programme_counts) < MIN:  # the total itself is hidden: so is everything
        assert all(h or n == 0 for n, h in zip(cohort_counts, hide_c, strict=True))
        return
    for n, hide in zip(cohort_counts, hide_c, strict=True):
        assert hide or not 0 < n < MIN
    for n, hide in zip(programme_counts, hide_p, strict=True):
        assert hide or not 0 < n < MIN
    for p in range(n_programmes):
        hidden = [
            n
            for n, q, h in zip(cohort_counts, cohort_programme, hide_c, strict=True)
            if q == p and h
        ]
        if not hide_p[p] and hidden:
            # a shown programme: its hidden cohorts sum to a known number, so there must be
            # at least two of them, at least MIN people together
            assert len(hidden) >= 2 and sum(hidden) >= MIN
        if hide_p[p]:
            members = zip(cohort_counts, cohort_programme, hide_c, strict=True)
            assert all(h or n == 0 for n, q, h in members if q == p)
    shown_total = sum(n for n, h in zip(programme_counts, hide_p, strict=True) if not h)
    hidden_total = sum(programme_counts) - shown_total
    assert hidden_total == 0 or hidden_total >= MIN


def _solutions(item: object, n: int) -> list[tuple[int, ...]]:
    """Every set of answer counts a reader could fill the hidden cells with."""
    answers = item.answers  # type: ignore[attr-defined]
    known = {v: c for v, _, c in answers if c is not None}
    hidden = [v for v, _, c in answers if c is None]
    found = []
    rest = n - sum(known.values())
    for guess in itertools.product(range(1, rest + 1), repeat=len(hidden)):
        if sum(guess) != rest:
            continue
        counts = {**known, **dict(zip(hidden, guess, strict=True))}
        mean = item.mean  # type: ignore[attr-defined]
        if mean is not None and round(sum(v * c for v, c in counts.items()) / n, 2) != round(
            mean, 2
        ):
            continue
        share = item.share_at_least  # type: ignore[attr-defined]
        at_least = item.at_least  # type: ignore[attr-defined]
        if share is not None and round(
            sum(c for v, c in counts.items() if v >= at_least) / n, 4
        ) != round(share, 4):
            continue
        found.append(tuple(counts[v] for v in hidden))
    return found


def test_hidden_answer_counts_cannot_be_solved_from_n_and_the_mean() -> None:
    # PF1 of the review: 0:12, 1:4, 2:8, 3:6, 4:8; counts 4 and 6 hidden, n 38
    scale = RatingScale(min=0, max=4, labels={0: "Not at all", 1: "Once"})
    item = RatingItem(id="PF1", domain="practice", text="Asked about the baby", scale="freq")
    answered = np.repeat([0, 1, 2, 3, 4], [12, 4, 8, 6, 8]).astype(float)
    summary = _item_summary(item, scale, answered, MIN)
    assert [c for _, _, c in summary.answers] == [12, None, 8, None, 8]
    assert summary.mean is None and summary.sd is None
    assert len(_solutions(summary, 38)) > 1
    assert summary.to_dict()["mean"] is None


def test_a_share_that_would_pin_a_hidden_count_is_hidden() -> None:
    # 0:4, 1:6, 2:3, 3:10, 4:10: 0 and 2 hidden on both sides of "once or more"
    scale = RatingScale(min=0, max=4, labels={0: "Not at all", 1: "Once"})
    item = RatingItem(id="PF2", domain="practice", text="Used ideas", scale="freq")
    answered = np.repeat([0, 1, 2, 3, 4], [6, 6, 3, 10, 10]).astype(float)
    summary = _item_summary(item, scale, answered, MIN)
    hidden = [v for v, _, c in summary.answers if c is None]
    assert hidden and summary.mean is None
    assert len(_solutions(summary, len(answered))) > 1


def test_an_item_with_every_count_shown_keeps_its_mean() -> None:
    scale = RatingScale(min=0, max=4)
    item = RatingItem(id="PF4", domain="practice", text="Raised it", scale="freq")
    answered = np.repeat([0, 1, 2, 3, 4], [5, 7, 11, 8, 7]).astype(float)
    summary = _item_summary(item, scale, answered, MIN)
    assert summary.mean == pytest.approx(answered.mean())
    assert summary.share_at_least == pytest.approx(33 / 38)


def test_who_took_part_does_not_give_away_a_cohorts_followup_count(tmp_path: Path) -> None:
    # The demo with a follow-up wave: 4 of S1 and 9 of S2 answer at follow-up (Solihull 13).
    demo = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    post = demo[demo["timepoint"] == "post"]
    pre = set(zip(demo.loc[demo["timepoint"] == "pre", "participant"], strict=True))
    wave = []
    for cohort, take in (("S1", 4), ("S2", 9), ("TF1", 6), ("TF2", 8), ("AF1", 6)):
        rows = post[(post["cohort"] == cohort) & post["participant"].map(lambda p: (p,) in pre)]
        wave.append(rows.head(take).assign(timepoint="followup"))
    path = tmp_path / "fu.csv"
    pd.concat([demo, *wave], ignore_index=True).to_csv(path, index=False)
    evaluation = evaluate_file(path, [*demo_instruments(), get_builtin("imh-practice-followup")])
    section = participation_section(ReportContext(evaluation, MIN))
    tables = {t.caption: t for t in section.tables()}
    by_programme = tables["People taking part by programme"]
    by_cohort = tables["People taking part by cohort"]
    column = by_cohort.header.index("Follow-up")
    programme_followup = {
        row[0]: row[by_programme.header.index("Follow-up")] for row in by_programme.rows
    }
    cohorts = [(row[1], row[column]) for row in by_cohort.rows if row[0] != "Total"]
    solihull = [cell for programme, cell in cohorts if programme == "Solihull"]
    assert programme_followup["Solihull"] != HIDDEN
    # S1's 4 is hidden, and so is S2 (else 13 - 9 = 4)
    assert solihull == [HIDDEN, HIDDEN]
    for programme, shown in programme_followup.items():
        if programme == "Total" or shown == HIDDEN:
            continue
        cells = [cell for p, cell in cohorts if p == programme]
        assert cells.count(HIDDEN) != 1, programme
