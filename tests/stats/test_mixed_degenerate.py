"""The mixed model on data with nothing to model, and the bound on its slow fallback.

Security finding N6: a file whose rows all carry the same answers made the profiled REML search
fail (zero residual variation: the likelihood has no maximum), so statsmodels' dense fallback
ran up to nine fits per domain, taking minutes and gigabytes. These tests perform that attack
and pin that nothing is fitted, and that the fallback is never tried on large data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from imheval.evaluation import evaluate_file
from imheval.instruments import get_builtin
from imheval.stats import mixed, mixed_model
from imheval.stats.mixed import (
    MAX_FALLBACK_OBSERVATIONS,
    METHOD_FALLBACK,
    NO_VARIATION,
    NO_WITHIN_PERSON_VARIATION,
    fallback,
)


def _people(pre: np.ndarray, post: np.ndarray, people_per_cohort: int = 20) -> pd.DataFrame:
    """One pre and one post row per person, in cohorts of ``people_per_cohort``."""
    n = pre.size
    people = [f"P{i:06d}" for i in range(n)]
    cohorts = [f"C{i // people_per_cohort:05d}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant": people * 2,
            "cohort": cohorts * 2,
            "time": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]),
        }
    )


class _Calls:
    """Counts the calls of a module function, and either forwards them or refuses them.

    The spy replaces the name in the module that calls it: ``mixed`` (the plan) calls the
    profiled fit and the fallback, ``mixed.fallback`` calls statsmodels' fit.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, *, allowed: bool = True) -> None:
        self.count = 0
        module: Any = fallback if name == "_statsmodels_fit" else mixed
        original = getattr(module, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if not allowed:
                raise AssertionError(f"{module.__name__}.{name} must not be called here")
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)


def _refuse_every_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_profiled_reml_fit", "_statsmodels_fallback", "_statsmodels_fit"):
        _Calls(monkeypatch, name, allowed=False)


def test_identical_scores_are_not_fitted_and_say_why_without_fitting_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _refuse_every_fit(monkeypatch)
    same = np.full(400, 21.0)
    result = mixed_model(_people(same, same))
    assert not result.computed
    assert result.reason == NO_VARIATION
    assert result.fixed_effects == ()
    assert result.variance_components is None
    assert (result.n_observations, result.n_participants, result.n_cohorts) == (800, 400, 20)
    assert result.to_dict()["reason"] == (
        "every score is the same, so there is no variation for a model to explain"
    )


def test_everyone_changing_by_the_same_amount_is_not_fitted_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _refuse_every_fit(monkeypatch)
    pre = np.random.default_rng(3).integers(0, 7, 300).astype(float)
    result = mixed_model(_people(pre, pre + 2.0))
    assert not result.computed
    assert result.reason == NO_WITHIN_PERSON_VARIATION


def test_a_single_different_answer_is_enough_for_the_model_to_be_fitted() -> None:
    pre = np.full(200, 3.0)
    post = np.full(200, 5.0)
    post[17] = 6.0
    result = mixed_model(_people(pre, post))
    assert result.computed
    change = result.fixed_effect("timepost")
    assert change is not None
    assert change.estimate == pytest.approx(2.005)


def test_the_fallback_is_not_tried_on_more_scores_than_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mixed, "_profiled_reml_fit", lambda *args: None)
    fallback = _Calls(monkeypatch, "_statsmodels_fallback", allowed=False)
    rng = np.random.default_rng(5)
    n = MAX_FALLBACK_OBSERVATIONS // 2 + 1  # two scores each: one over the bound
    pre = rng.normal(10, 2, n)
    result = mixed_model(_people(pre, pre + 1 + rng.normal(0, 1, n)))
    assert fallback.count == 0
    assert not result.computed
    assert result.n_observations == MAX_FALLBACK_OBSERVATIONS + 2
    assert result.reason == (
        "the REML search found no finite likelihood, and the slower fallback fit (statsmodels) "
        "is only tried on up to 5,000 scores (here 5,002); the paired tests still apply"
    )


def test_the_fallback_is_still_tried_on_few_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mixed, "_profiled_reml_fit", lambda *args: None)
    fallback = _Calls(monkeypatch, "_statsmodels_fallback")
    rng = np.random.default_rng(6)
    pre = rng.normal(10, 2, 60)
    result = mixed_model(_people(pre, pre + 1 + rng.normal(0, 1, 60), people_per_cohort=10))
    assert fallback.count == 1
    assert result.computed
    assert result.method == METHOD_FALLBACK


def test_evaluating_20000_identical_rows_fits_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused rather than only counted, so that the attack fails in seconds, not minutes.
    profiled = _Calls(monkeypatch, "_profiled_reml_fit", allowed=False)
    statsmodels = _Calls(monkeypatch, "_statsmodels_fit", allowed=False)
    answers = "c,c,c,b,c,d,yes,no,yes,b,c,a,b,c,4,3,4,3,4,3"
    items = [f"K{i}" for i in range(1, 7)] + [f"R{i}" for i in range(1, 9)]
    items += [f"S{i}" for i in range(1, 7)]
    lines = ["participant,cohort,timepoint," + ",".join(items)]
    for person in range(10_000):
        for time in ("pre", "post"):
            lines.append(f"P{person:06d},C{person // 20:04d},{time},{answers}")
    path = tmp_path / "identical.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    evaluation = evaluate_file(path, [get_builtin("imh-core@1.0.0")])

    assert (profiled.count, statsmodels.count) == (0, 0)
    assert len(evaluation.domains) == 3
    for domain in evaluation.domains:
        assert domain.n_pairs == 10_000
        assert domain.extras is not None
        assert domain.extras.mixed_model.reason == NO_VARIATION
