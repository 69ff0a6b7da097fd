"""The normalised gain (Hake's g) publishes nothing about fewer than ``min_group_size`` people:
not a count of 1 to ``min_group_size - 1`` (nor one that gives such a count back from a
published total), not the lowest g of so few people, in the JSON or in the report. Review of
issue 18, blocking item 5.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from imheval.evaluation import Evaluation
from imheval.evaluation.gains import gain_analyses, published_normalised
from imheval.evaluation.serialise import evaluation_dict
from imheval.reports import build_report
from imheval.reports.model import Paragraph
from imheval.scoring import DomainInfo
from imheval.stats.gain import NormalisedGain

INFO = DomainInfo(id="k", label="Knowledge", n_items=10, min_total=0, max_total=10)


def _gain(**changes: object) -> NormalisedGain:
    base: dict[str, object] = {
        "maximum": 10.0,
        "n": 60,
        "n_at_maximum": 0,
        "n_analysed": 60,
        "mean": 0.5,
        "median": 0.5,
        "n_lost": 0,
        "lowest": 0.1,
        "hake_g": 0.5,
    }
    base.update(changes)
    return NormalisedGain(**base)  # type: ignore[arg-type]


def test_one_person_who_lost_is_neither_counted_nor_described() -> None:
    out = published_normalised(_gain(n_lost=1, lowest=-0.25), 5)
    assert out["n_lost"] is None and out["lowest"] is None
    assert out["mean"] == 0.5 and out["n_analysed"] == 60


def test_enough_people_who_lost_are_shown_with_the_lowest() -> None:
    out = published_normalised(_gain(n_lost=6, lowest=-1.0), 5)
    assert out["n_lost"] == 6 and out["lowest"] == -1.0
    # at 10 the same 6 are too few
    out = published_normalised(_gain(n_lost=6, lowest=-1.0), 10)
    assert out["n_lost"] is None and out["lowest"] is None


def test_a_small_count_at_the_maximum_hides_the_count_analysed_too() -> None:
    # n is published: n_analysed would give n_at_maximum back
    out = published_normalised(_gain(n_at_maximum=3, n_analysed=57), 5)
    assert out["n_at_maximum"] is None and out["n_analysed"] is None
    assert out["n"] == 60 and out["mean"] == 0.5


def test_few_people_analysed_hide_their_mean_and_median() -> None:
    out = published_normalised(_gain(n_at_maximum=57, n_analysed=3, n_lost=0, lowest=0.2), 5)
    assert out["n_analysed"] is None and out["n_at_maximum"] is None
    assert out["mean"] is None and out["median"] is None and out["lowest"] is None


def test_a_small_count_who_did_not_lose_hides_the_count_who_did() -> None:
    # 58 of 60 lost: 2 did not, which 60 - 58 would give back
    out = published_normalised(_gain(n_lost=58, lowest=-3.0), 5)
    assert out["n_lost"] is None and out["lowest"] is None


def test_no_loss_keeps_zero_and_the_lowest_of_everyone() -> None:
    out = published_normalised(_gain(), 5)
    assert out["n_lost"] == 0 and out["lowest"] == 0.1 and out["n_at_maximum"] == 0


def test_gain_analyses_json_hides_at_its_group_size() -> None:
    rng = np.random.default_rng(3)
    pre = rng.integers(1, 6, 40).astype(float)
    post = pre + rng.integers(1, 4, 40)
    post[0] = pre[0] - 1  # one person's score fell
    pairs = pd.DataFrame(
        {"pre": pre, "post": post, "cohort": ["C1"] * 20 + ["C2"] * 20, "programme": "P"}
    )
    result = gain_analyses(INFO, pairs, 5)
    assert result.normalised is not None and result.normalised.n_lost == 1
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))["normalised_gain"]
    assert data["n_lost"] is None and data["lowest"] is None
    assert data["n"] == 40 and data["mean"] is not None


def _counts_in_range(value: object, size: int) -> bool:
    return isinstance(value, int) and 0 < value < size


def test_demo_json_has_no_small_normalised_gain_counts(demo_evaluation: Evaluation) -> None:
    data = evaluation_dict(demo_evaluation)
    seen = 0
    for domain in data["domains"]:
        gain = (domain.get("gains") or {}).get("normalised_gain")
        if gain is None:
            continue
        seen += 1
        for key in ("n_at_maximum", "n_analysed", "n_lost"):
            assert not _counts_in_range(gain[key], 5), (domain["id"], key, gain[key])
        if gain["n_lost"] is None:
            assert gain["lowest"] is None
    assert seen


@pytest.mark.parametrize("size", [5, 10])
def test_demo_report_gives_no_lowest_for_a_few_people(
    demo_evaluation: Evaluation, size: int
) -> None:
    report = build_report(demo_evaluation, min_group_size=size)
    texts = [
        block.text
        for section in report.sections
        for block in section.blocks
        if isinstance(block, Paragraph) and "scored lower after training" in block.text
    ]
    assert texts  # the demo has people whose score fell
    for text in texts:
        sentence = re.search(r"[^.]*scored lower after training \([^)]*\)", text)
        assert sentence is not None
        if sentence.group(0).strip().startswith(f"Fewer than {size}"):
            assert "the lowest was" not in sentence.group(0)
        number = re.match(r"\s*(\d+) people scored lower", sentence.group(0))
        if number is not None:
            assert int(number.group(1)) >= size
    assert any(f"Fewer than {size} people scored lower" in text for text in texts)
