"""The mixed model's data: complete rows as integer codes, the design matrix, and the checks
that find, without fitting, scores that leave the model nothing to estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import FloatArray, IntArray

#: The times a score can belong to, in order; "pre" is the reference level.
TIME_LEVELS: Final = ("pre", "post", "followup")

REQUIRED_COLUMNS: Final = ("participant", "cohort", "time", "score")

#: A sum of squares at most this share of the sum of squared scores is rounding, not variation
#: (a relative SD of 1e-10): questionnaire scores that differ at all differ by far more.
_NO_VARIATION: Final = 1e-20

NO_VARIATION = "every score is the same, so there is no variation for a model to explain"
NO_WITHIN_PERSON_VARIATION = (
    "every participant's score changed by exactly the same amount, so no variation is left "
    "within people to estimate the residual variance from (the model's likelihood has no "
    "maximum); the paired tests still apply"
)


@dataclass(frozen=True, slots=True)
class _Data:
    """The complete observations, sorted by cohort then participant, with integer codes."""

    score: FloatArray
    time: IntArray
    cohort: IntArray
    participant: IntArray
    cohort_labels: tuple[str, ...]
    times: tuple[str, ...]

    @property
    def n_participants(self) -> int:
        return int(self.participant.max()) + 1 if self.participant.size else 0


def _prepare(long_frame: pd.DataFrame) -> _Data:
    """The complete rows, sorted by cohort then participant, as integer codes and scores."""
    if not isinstance(long_frame, pd.DataFrame):
        raise AnalysisError(
            f"the mixed model needs a table (pandas DataFrame), got {type(long_frame).__name__}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in long_frame.columns]
    if missing:
        raise AnalysisError(
            f"the table for the mixed model lacks the column(s) {', '.join(missing)} "
            f"(it needs {', '.join(REQUIRED_COLUMNS)})"
        )
    try:
        score = pd.to_numeric(long_frame["score"], errors="raise").to_numpy(
            dtype=float, na_value=np.nan
        )
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"score must be numbers (NaN or None for missing): {exc}") from exc
    score = np.where(np.isfinite(score), score, np.nan)
    participant = _participant_codes(long_frame["participant"])
    cohort, cohort_names = _label_codes(long_frame["cohort"])
    time_raw, time_names = _label_codes(long_frame["time"])
    lowered = [name.lower() for name in time_names]
    unknown = sorted({name for name in lowered if name not in TIME_LEVELS})
    if unknown:
        raise AnalysisError(
            f"unknown time label(s) {', '.join(repr(u) for u in unknown[:5])}: "
            f"use {', '.join(TIME_LEVELS)}"
        )
    level_of = np.array([TIME_LEVELS.index(name) for name in lowered] + [-1], dtype=np.int64)
    time = level_of[time_raw]  # code -1 (missing) picks the trailing -1
    keep = ~np.isnan(score) & (participant >= 0) & (cohort >= 0) & (time >= 0)
    score, participant, cohort, time = score[keep], participant[keep], cohort[keep], time[keep]
    # One integer key per person: the same code in two cohorts is two people.
    person_key = cohort * (int(participant.max(initial=0)) + 1) + participant
    order = np.lexsort((person_key, cohort))
    score, cohort, time, person_key = score[order], cohort[order], time[order], person_key[order]
    # Codes in key order make each cohort's people one contiguous range of codes. The keys are
    # sorted now, so their codes count the changes (np.unique's, without its sort).
    person = _sorted_codes(person_key)
    used_cohorts = cohort[np.r_[True, cohort[1:] != cohort[:-1]]] if cohort.size else cohort
    cohort = _sorted_codes(cohort)
    present = tuple(t for i, t in enumerate(TIME_LEVELS) if np.any(time == i))
    return _Data(
        score=score.astype(np.float64),
        time=time.astype(np.int64),
        cohort=cohort.astype(np.int64),
        participant=person.astype(np.int64),
        cohort_labels=tuple(cohort_names[i] for i in used_cohorts.tolist()),
        times=present,
    )


def _sorted_codes(keys: IntArray) -> IntArray:
    """Codes 0, 1, ... of sorted ``keys``, the same for equal keys (np.unique's inverse)."""
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.cumsum(np.r_[0, keys[1:] != keys[:-1]]).astype(np.int64)


def _participant_codes(values: pd.Series) -> IntArray:
    """Integer codes for participants; -1 for missing or blank.

    Integer ids (as callers holding a person index pass) are coded directly, which avoids
    turning 200,000 ids into text; anything else goes through :func:`_label_codes`.
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        ids = values.to_numpy()
        if ids.dtype.kind in "iu" and ids.size and ids.min() >= 0 and ids.max() < 4 * ids.size:
            # positions (as callers holding a person index pass): np.unique's codes by counting
            used = np.bincount(ids) > 0
            return np.asarray((np.cumsum(used) - 1)[ids], dtype=np.int64)
        _, codes = np.unique(ids, return_inverse=True)
        return codes.astype(np.int64)
    codes, _ = _label_codes(values)
    return codes


def _label_codes(values: pd.Series) -> tuple[IntArray, list[str]]:
    """Integer codes over the sorted, stripped text labels; -1 for missing or blank.

    Factorising first and cleaning only the distinct labels keeps this fast on 400,000 rows.
    """
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [str(u).strip() for u in uniques]
    names = sorted({c for c in cleaned if c})
    position = {name: i for i, name in enumerate(names)}
    remap = np.array([position.get(c, -1) for c in cleaned] + [-1], dtype=np.int64)
    return remap[raw_codes], names


_TIME_LABELS: Final = {
    "post": "change from pre to post",
    "followup": "change from pre to follow-up",
}


def _design(data: _Data, effect: str) -> tuple[FloatArray, list[str], list[str]]:
    """The fixed-effects design matrix with lme4's column names and plain-English labels."""
    columns = [np.ones(data.score.size)]
    terms = ["(Intercept)"]
    reference_cohort = data.cohort_labels[0] if data.cohort_labels else ""
    labels = ["mean at pre" if effect != "fixed" else f"mean at pre in cohort {reference_cohort}"]
    for index, time in enumerate(TIME_LEVELS):
        if time == "pre" or time not in data.times:
            continue
        columns.append((data.time == index).astype(float))
        terms.append(f"time{time}")
        labels.append(_TIME_LABELS[time])
    if effect == "fixed":
        for index, cohort in enumerate(data.cohort_labels[1:], start=1):
            columns.append((data.cohort == index).astype(float))
            terms.append(f"cohort{cohort}")
            labels.append(f"cohort {cohort} minus cohort {reference_cohort}")
    return np.column_stack(columns), terms, labels


def _no_variation(data: _Data, exog: FloatArray) -> str | None:
    """Why the scores leave the model nothing to estimate, or None when they do not.

    Two cases, both found in O(n) without fitting: every score is the same; or, within each
    person, the time effects explain every difference (each person's scores minus their own
    mean, regressed on the time columns minus their means, leave no residual), so the residual
    variance is zero and the REML likelihood has no maximum (its deviance falls without bound
    as the residual SD goes to zero). Variation below ``_NO_VARIATION`` of the sum of squared
    scores counts as rounding.
    """
    score = data.score
    floor = _NO_VARIATION * float(score @ score)
    centred = score - score.mean()
    if float(centred @ centred) <= floor:
        return NO_VARIATION
    counts = np.bincount(data.participant).astype(np.float64)

    def within(column: FloatArray) -> FloatArray:
        means = np.bincount(data.participant, weights=column) / counts
        return np.asarray(column - means[data.participant], dtype=np.float64)

    target = within(score)
    # Intercept and cohort columns are constant within a person and vanish here (up to rounding,
    # which lstsq's rank cut-off ignores); only the time columns remain.
    predictors = np.column_stack([within(exog[:, j]) for j in range(exog.shape[1])])
    coefficients, *_ = np.linalg.lstsq(predictors, target, rcond=None)
    residual = target - predictors @ coefficients
    if float(residual @ residual) <= floor:
        return NO_WITHIN_PERSON_VARIATION
    return None
