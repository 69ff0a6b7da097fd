"""Grouping columns worked out once as integer codes (issue 19) give the figures grouping their
text gives: who is tested, the breakdowns, Table 1's cohort means, the item-rest correlations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.evaluation import group_rule
from imheval.evaluation.cohort import _coded_cohort_means, _cohort_means
from imheval.evaluation.group_rule import _tested_by_text, group_codes, matched_pairs, text_codes
from imheval.evaluation.groups import _breakdown, _coded_breakdown
from imheval.io.reader import read_responses
from imheval.matching import match
from imheval.scoring import DomainInfo, scores_from_totals
from imheval.stats.items import _item_rest

INFO = DomainInfo(id="k", label="Knowledge", n_items=10, min_total=0, max_total=10)


def _pairs(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, 11, n).astype(float)
    return pd.DataFrame(
        {
            "cohort": [f"c{i}" for i in rng.integers(0, max(2, n // 6), n)],
            "programme": rng.choice(["P1", "P10", "P2", ""], n, p=[0.5, 0.3, 0.17, 0.03]),
            "directorate": rng.choice(["Adult", "Child", "x"], n, p=[0.5, 0.48, 0.02]),
            "profession": rng.choice(["", "nurse"], n),
            "participant": [f"p{i}" for i in range(n)],
            "pre": pre,
            "post": np.clip(pre + rng.integers(-2, 5, n), 0, 10).astype(float),
        }
    )


def test_text_codes_sort_as_text_and_join_values_equal_as_text() -> None:
    coded = text_codes(pd.Series([2, "b", "2", "", "a", 2], dtype=object))
    assert coded is not None
    assert coded.names.tolist() == ["", "2", "a", "b"]
    assert coded.labels.tolist() == ["2", "b", "2", "", "a", "2"]
    assert text_codes(pd.Series(["a", None], dtype=object)) is None


def test_codes_are_worked_out_once_per_frame() -> None:
    pairs = _pairs(1, 50)
    assert group_codes(pairs, "programme") is group_codes(pairs, "programme")
    assert group_codes(pairs.copy(), "programme") is not group_codes(pairs, "programme")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 120), size=st.integers(1, 12))
def test_tested_groups_from_codes_equal_those_from_text(seed: int, n: int, size: int) -> None:
    pairs = _pairs(seed, n)
    for grouping in ("cohort", "programme", "directorate", "profession"):
        coded = group_rule.tested_groups(pairs, grouping, size)
        text = _tested_by_text(pairs, grouping, size)
        assert coded.codes is not None
        assert coded.labels.tolist() == text.labels.tolist()
        assert coded.tested.tolist() == text.tested.tolist()
        assert (coded.hidden, coded.left_out) == (text.hidden, text.left_out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_breakdowns_from_codes_equal_grouping_the_text(seed: int) -> None:
    pairs = _pairs(seed, 200)
    pre, post = pairs["pre"].to_numpy(), pairs["post"].to_numpy()
    for grouping in ("programme", "directorate", "profession"):
        shown = group_rule.tested_groups(pairs, grouping, 5)
        assert shown.codes is not None
        recorded = shown.labels != ""
        by_text = _breakdown(INFO, grouping, pairs[recorded], int((~recorded).sum()), 5)
        by_codes = _coded_breakdown(INFO, grouping, shown.codes, pre, post, post - pre, 5)
        assert by_codes.not_recorded == by_text.not_recorded
        assert len(by_codes.rows) == len(by_text.rows)
        for a, b in zip(by_codes.rows, by_text.rows, strict=True):
            for field in a.__dataclass_fields__:
                x, y = getattr(a, field), getattr(b, field)
                if isinstance(x, float) and isinstance(y, float):
                    assert x == pytest.approx(y, rel=1e-12) or (math.isnan(x) and math.isnan(y))
                else:
                    assert x == y


@pytest.mark.parametrize("seed", [1, 2])
def test_cohort_means_from_codes_equal_grouping_the_text(seed: int) -> None:
    pairs = _pairs(seed, 300)
    cohorts = sorted(set(pairs["cohort"]))
    programmes = pd.DataFrame(
        {"cohort": cohorts, "programme": [("P1" if i % 3 else None) for i in range(len(cohorts))]}
    )
    # an order that leaves two cohorts out: they come last, in the order the pairs name them
    order = cohorts[::-1][2:]
    coded = group_codes(pairs, "cohort")
    assert coded is not None
    by_codes = _coded_cohort_means(pairs, coded, programmes, order)
    work = pairs.astype({"cohort": object})  # no codes memo: the text path
    by_text = _cohort_means(work.iloc[:, :], programmes, order)
    assert by_codes["cohort"].tolist() == by_text["cohort"].tolist()
    assert by_codes["programme"].tolist() == by_text["programme"].tolist()
    assert by_codes["n"].tolist() == by_text["n"].tolist()
    for column in ("pre", "post", "sd_diff"):
        np.testing.assert_allclose(by_codes[column], by_text[column], rtol=1e-12)


def _item_rest_by_item(matrix: np.ndarray) -> list[float | None]:
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    total = complete.sum(axis=1)
    found: list[float | None] = []
    for j in range(matrix.shape[1]):
        item, rest = complete[:, j], total - complete[:, j]
        if np.ptp(item) == 0 or np.ptp(rest) == 0:
            found.append(None)
            continue
        found.append(float(np.corrcoef(item, rest)[0, 1]))
    return found


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 60), k=st.integers(2, 8))
def test_item_rest_correlations_equal_correlating_each_item(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = (rng.random((n, k)) < rng.random(k)).astype(float)
    matrix[rng.random((n, k)) < 0.05] = np.nan
    values, reasons = _item_rest(matrix, "before training")
    if int((~np.isnan(matrix).any(axis=1)).sum()) < 3:
        assert values == [None] * k
        return
    expected = _item_rest_by_item(matrix)
    for value, reason, wanted in zip(values, reasons, expected, strict=True):
        if wanted is None:
            assert value is None and reason is not None
        else:
            assert value == pytest.approx(wanted, rel=1e-9, abs=1e-12)


def test_matched_pairs_carry_the_codes_of_the_matched_people(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = []
    for person in range(40):
        for timepoint in ("pre", "post"):
            if timepoint == "post" and person % 7 == 0:
                continue
            rows.append(
                {
                    "cohort": f"C{person % 4}",
                    "participant": f"P{person:03d}",
                    "timepoint": timepoint,
                    "programme": ["A", "B", ""][person % 3],
                    "directorate": "D",
                    "profession": "",
                    "k": float(rng.integers(0, 11)),
                }
            )
    path = tmp_path / "responses.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    matched = match(scores_from_totals(read_responses(path), {"k": (0.0, 10.0)}))
    pairs = matched_pairs(matched, "k")
    plain = matched.pairs("k", "pre", "post")
    # the codes came from the matched people's, not from grouping the pairs' text again
    assert set(group_rule._MEMO[id(pairs)][1]) == {"cohort", *group_rule.TESTED_GROUPINGS}
    for column in ("cohort", "programme", "directorate"):
        coded = group_codes(pairs, column)
        assert coded is not None
        assert coded.labels.tolist() == plain[column].astype(str).tolist()
        assert coded.names.tolist() == sorted(set(plain[column].astype(str)))
