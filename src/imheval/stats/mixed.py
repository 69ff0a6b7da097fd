"""A linear mixed model of scores over time, with people nested in cohorts.

:func:`mixed_model` takes one row per participant per time and fits, by REML as lme4 does (the
profiled REML deviance minimised over the relative SDs, with statsmodels' ``MixedLM`` as the
fallback), the model R users write as
``lmer(score ~ time + (1 | cohort) + (1 | cohort:participant))``, and tests each fixed effect
with a t-test on Satterthwaite degrees of freedom, as R's lmerTest does. It returns a frozen
:class:`MixedModelResult` that never holds NaN: when the model cannot be fitted, ``reason`` says
why in plain English and the numbers are None.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from scipy import stats

from imheval.errors import AnalysisError
from imheval.stats._common import (
    FloatArray,
    IntArray,
    all_finite,
    check_confidence,
    two_sided_normal_p,
)
from imheval.stats.apa import format_number, format_p
from imheval.stats.results import ConfidenceInterval, _clean

#: The times a score can belong to, in order; "pre" is the reference level.
TIME_LEVELS: Final = ("pre", "post", "followup")

#: With fewer cohorts than this, cohort is a fixed effect (McNeish & Stapleton 2016).
MIN_COHORTS_FOR_RANDOM: Final = 5

#: No limit on participants by default: the fit's cost per step does not grow with the data
#: (200,000 people in 4,000 cohorts fit in about half a second). A caller may still set one.
DEFAULT_MAX_PARTICIPANTS: Final[int | None] = None

#: lme4's isSingular() tolerance: a random-effect SD below this share of the residual SD is zero.
SINGULAR_TOLERANCE: Final = 1e-4

#: The most scores the statsmodels fallback is tried on. It builds dense per-cohort matrices and
#: may fit up to nine models, so its cost grows far faster than the profiled search's: about a
#: second per fit at 4,000 scores, minutes (and gigabytes) at 20,000 or more. Above this the
#: model is reported as not fitted, with the reason, instead.
MAX_FALLBACK_OBSERVATIONS: Final = 5_000

#: A sum of squares at most this share of the sum of squared scores is rounding, not variation
#: (a relative SD of 1e-10): questionnaire scores that differ at all differ by far more.
_NO_VARIATION: Final = 1e-20

NO_VARIATION = "every score is the same, so there is no variation for a model to explain"
NO_WITHIN_PERSON_VARIATION = (
    "every participant's score changed by exactly the same amount, so no variation is left "
    "within people to estimate the residual variance from (the model's likelihood has no "
    "maximum); the paired tests still apply"
)

REQUIRED_COLUMNS: Final = ("participant", "cohort", "time", "score")

#: How the model is fitted and tested (``MixedModelResult.method``).
METHOD: Final = "REML (profiled, as lme4); t-tests with Satterthwaite df (as lmerTest)"
#: The same when the profiled search failed and statsmodels' fit was used instead.
METHOD_FALLBACK: Final = (
    "REML (statsmodels MixedLM, as the profiled search failed); t-tests with Satterthwaite df "
    "(as lmerTest)"
)

CohortEffect = Literal["auto", "random", "fixed"]

FEWER_THAN_5_COHORTS = (
    "with fewer than 5 cohorts, a cohort variance cannot be estimated reliably, "
    "so cohort is a fixed effect"
)

_FORMULAS: Final = {
    "random": "score ~ time + (1 | cohort) + (1 | cohort:participant)",
    "fixed": "score ~ time + cohort + (1 | participant)",
    "none": "score ~ time + (1 | participant)",
}


@dataclass(frozen=True, slots=True)
class FixedEffect:
    """One fixed-effect coefficient, named as lme4 names it.

    ``term`` is ``(Intercept)`` (the mean at pre, in the reference cohort when cohort is fixed),
    ``timepost`` / ``timefollowup`` (the change from pre) or ``cohort<label>`` (the difference
    from the first cohort in sorted order). ``statistic`` is t = estimate / se, ``df`` its
    Satterthwaite degrees of freedom, ``p`` the two-sided p-value from the t distribution on
    ``df`` and ``ci`` is estimate +- t_(1 - alpha/2, df) * se, as lmerTest's ``summary()`` and
    ``contest1D()`` give them. ``df`` is None only when the degrees of freedom could not be
    computed (the model's notes say why); ``p`` and ``ci`` then use the normal distribution.
    """

    term: str
    label: str
    estimate: float
    se: float
    statistic: float
    df: float | None
    p: float
    ci: ConfidenceInterval

    def apa(self) -> str:
        """APA-style test, e.g. ``t(5.52) = 18.13, p < .001`` (``z = ...`` when df is None)."""
        head = "z" if self.df is None else f"t({format_number(self.df)})"
        return f"{head} = {format_number(self.statistic)}, {format_p(self.p)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "label": self.label,
            "estimate": _clean(self.estimate),
            "se": _clean(self.se),
            "statistic": _clean(self.statistic),
            "df": _clean(self.df),
            "p": _clean(self.p),
            "ci": self.ci.to_list(),
        }


@dataclass(frozen=True, slots=True)
class VarianceComponents:
    """Estimated variances: between cohorts, between participants (within cohort) and residual.

    ``cohort`` is None when cohort is a fixed effect (or there is a single cohort).
    """

    cohort: float | None
    participant: float
    residual: float

    def to_dict(self) -> dict[str, float | None]:
        return {
            "cohort": _clean(self.cohort),
            "participant": _clean(self.participant),
            "residual": _clean(self.residual),
        }


@dataclass(frozen=True, slots=True)
class MixedModelResult:
    """A fitted linear mixed model, or the reason it could not be fitted.

    ``formula`` is the model in lme4 syntax. ``cohort_effect`` is "random", "fixed" or "none"
    (a single cohort), and ``cohort_effect_reason`` explains, in plain English, why cohort is not
    random. ``fixed_effects`` and ``variance_components`` are empty / None when not computed.
    ``log_likelihood`` is the REML log-likelihood (R's ``logLik`` of a REML fit). ``singular`` is
    True when a variance is estimated at zero (lme4's "boundary (singular) fit"; the fixed effects
    are still valid). ``notes`` records what the fitting software warned about.
    """

    formula: str
    cohort_effect: str
    n_observations: int
    n_participants: int
    n_cohorts: int
    cohort_effect_reason: str | None = None
    fixed_effects: tuple[FixedEffect, ...] = ()
    variance_components: VarianceComponents | None = None
    log_likelihood: float | None = None
    converged: bool = False
    singular: bool = False
    method: str = METHOD
    confidence: float = 0.95
    notes: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def fixed_effect(self, term: str) -> FixedEffect | None:
        """The coefficient named ``term`` (lme4 naming, e.g. ``timepost``), or None."""
        for effect in self.fixed_effects:
            if effect.term == term:
                return effect
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain floats and None (never NaN)."""
        return {
            "formula": self.formula,
            "cohort_effect": self.cohort_effect,
            "cohort_effect_reason": self.cohort_effect_reason,
            "n_observations": self.n_observations,
            "n_participants": self.n_participants,
            "n_cohorts": self.n_cohorts,
            "fixed_effects": [effect.to_dict() for effect in self.fixed_effects],
            "variance_components": (
                self.variance_components.to_dict() if self.variance_components else None
            ),
            "log_likelihood": _clean(self.log_likelihood),
            "converged": self.converged,
            "singular": self.singular,
            "method": self.method,
            "confidence": self.confidence,
            "notes": list(self.notes),
            "computed": self.computed,
            "reason": self.reason,
        }


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


def mixed_model(
    long_frame: pd.DataFrame,
    *,
    cohort_effect: CohortEffect = "auto",
    max_participants: int | None = DEFAULT_MAX_PARTICIPANTS,
    confidence: float = 0.95,
) -> MixedModelResult:
    """Fit score ~ time with random intercepts for cohort and for participant within cohort.

    ``long_frame`` has one row per participant per time, with columns ``participant``,
    ``cohort``, ``time`` ("pre", "post" or "followup") and ``score`` (a number; NaN or None for
    missing). Participants are identified within their cohort, so the same code in two cohorts
    is two people. Rows with a missing score, participant, cohort or time are dropped.

    Model (REML; time treatment-coded with reference "pre", so ``timepost`` and ``timefollowup``
    are the mean changes from pre):

        score_ijt = b0 + b_t + u_i + v_ij + e_ijt,
        u_i ~ N(0, s2_cohort), v_ij ~ N(0, s2_participant), e_ijt ~ N(0, s2_residual)

    i.e. lme4's ``lmer(score ~ time + (1 | cohort) + (1 | cohort:participant))``, fitted as
    lme4 fits it (see :func:`_profiled_reml_fit`; statsmodels ``MixedLM(groups=cohort,
    exog_re=1, exog_vc=participant)`` is the fallback). The random intercepts let people and
    cohorts differ in level, so repeated scores of one person (and people trained together) are
    not treated as independent.

    With ``cohort_effect="auto"`` and fewer than 5 cohorts, a cohort variance cannot be
    estimated reliably (McNeish & Stapleton 2016), so cohort becomes a fixed effect:
    ``lmer(score ~ time + cohort + (1 | participant))``, and
    ``cohort_effect_reason`` says so; with one cohort there is no cohort term. ``"random"`` or
    ``"fixed"`` force the choice (``"random"`` needs 2 or more cohorts).

    Tests are lmerTest's: t = estimate / SE on Satterthwaite degrees of freedom, with the CI
    from the same t distribution (see :func:`_satterthwaite_df`). With few cohorts the df are
    small, so these p-values are larger than Wald z tests (which treat the SEs as exact).

    Not computed (``reason`` set, never an exception or NaN) when: there are more than
    ``max_participants`` participants (None, the default, sets no limit); there are no pre
    scores or no later scores; nobody has scores at two times; there are too few observations
    for the parameters; the fixed effects cannot be separated; every score is the same, or every
    participant's scores change by the same amount (no residual variation: the likelihood has
    no maximum, so nothing is fitted); or the fit fails or does not converge (the statsmodels
    fallback is tried only up to ``MAX_FALLBACK_OBSERVATIONS`` scores). Raises
    AnalysisError only for a caller's mistake: a missing column, an unknown time label, or an
    invalid option. Checked against R's ``lme4::lmer`` (REML) and lmerTest (tests/golden):
    fixed effects and their SEs to rtol 1e-4, variance components to rtol 1e-3, Satterthwaite
    df, t and p to rtol 1e-3.
    """
    level = check_confidence(confidence)
    if cohort_effect not in ("auto", "random", "fixed"):
        raise AnalysisError(
            f"cohort_effect must be 'auto', 'random' or 'fixed', got {cohort_effect!r}"
        )
    if max_participants is not None:
        if isinstance(max_participants, bool) or not isinstance(max_participants, int):
            raise AnalysisError(
                f"max_participants must be a whole number or None, got {max_participants!r}"
            )
        if max_participants < 1:
            raise AnalysisError(f"max_participants must be at least 1, got {max_participants}")
    data = _prepare(long_frame)
    n_obs = int(data.score.size)
    n_participants = data.n_participants
    n_cohorts = len(data.cohort_labels)

    effect: str
    effect_reason: str | None = None
    if cohort_effect == "random" or (
        cohort_effect == "auto" and n_cohorts >= MIN_COHORTS_FOR_RANDOM
    ):
        effect = "random"
    elif n_cohorts <= 1:
        effect = "none"
        effect_reason = "there is only one cohort, so there is no cohort effect to estimate"
    else:
        effect = "fixed"
        effect_reason = (
            FEWER_THAN_5_COHORTS
            if cohort_effect == "auto"
            else "cohort was chosen as a fixed effect"
        )

    def not_computed(reason: str, notes: tuple[str, ...] = ()) -> MixedModelResult:
        return MixedModelResult(
            formula=_FORMULAS[effect],
            cohort_effect=effect,
            cohort_effect_reason=effect_reason,
            n_observations=n_obs,
            n_participants=n_participants,
            n_cohorts=n_cohorts,
            confidence=level,
            notes=notes,
            reason=reason,
        )

    if max_participants is not None and n_participants > max_participants:
        return not_computed(
            f"more participants than the limit set for the mixed model "
            f"(N = {n_participants} > {max_participants}); the participant-level paired tests "
            "cover these data"
        )
    if n_obs == 0:
        return not_computed("there are no scores")
    if "pre" not in data.times:
        return not_computed(
            "there are no pre-test scores, and the model compares later times with pre"
        )
    if len(data.times) < 2:
        return not_computed("there are only pre-test scores, so there is no change to model")
    if effect == "random" and n_cohorts < 2:
        return not_computed("a cohort variance needs at least 2 cohorts")
    per_person = np.bincount(data.participant, minlength=n_participants)
    if not np.any(per_person >= 2):
        return not_computed(
            "nobody has scores at two times, so differences between people cannot be separated "
            "from measurement noise"
        )

    exog, terms, labels = _design(data, effect)
    n_variances = 3 if effect == "random" else 2
    if n_obs <= exog.shape[1] + n_variances:
        return not_computed(
            f"too few observations ({n_obs}) for {exog.shape[1]} fixed effects and "
            f"{n_variances} variances"
        )
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        return not_computed(
            "the fixed effects cannot be separated (each time or cohort must add information)"
        )

    # Checked before fitting anything: with no residual variation the REML likelihood grows
    # without bound, the profiled search finds no finite optimum and the fallback would run
    # for minutes to report a meaningless zero variance.
    degenerate = _no_variation(data, exog)
    if degenerate is not None:
        return not_computed(degenerate)

    structure = _Structure.of(data, exog)  # the sums every likelihood evaluation needs
    fitted = _fit(data, exog, structure, effect)
    if fitted.failure is not None:
        return not_computed(fitted.failure, fitted.notes)
    variances, notes = fitted.variances, fitted.notes
    gls = _gls(structure, variances)
    if gls is None:
        return not_computed(
            "the fit gave no usable standard errors (the information matrix is singular)", notes
        )
    estimates, covariance, log_likelihood = gls
    with np.errstate(all="ignore"):
        ses = np.sqrt(np.diag(covariance))
    if not (np.all(np.isfinite(estimates)) and np.all(np.isfinite(ses)) and np.all(ses > 0)):
        return not_computed(
            "the fit gave no usable standard errors (the information matrix is singular)", notes
        )
    residual = variances.residual
    cohort_var = variances.cohort if effect == "random" else None
    participant_var = variances.participant

    dfs, curvature_note = _satterthwaite_df(structure, variances, effect)
    if curvature_note is not None:
        notes = (*notes, curvature_note)
    if dfs is None:
        notes = (
            *notes,
            "the Satterthwaite degrees of freedom could not be computed (the REML likelihood is "
            "flat or curved the wrong way at the estimates), so the p-values and confidence "
            "intervals use the normal distribution (Wald z)",
        )
    effects = []
    for index, (term, label, estimate, se) in enumerate(
        zip(terms, labels, estimates.tolist(), ses.tolist(), strict=True)
    ):
        t = estimate / se
        df = None if dfs is None else float(dfs[index])
        if df is None:
            p = two_sided_normal_p(t)
            critical = float(stats.norm.ppf(0.5 + level / 2))
        else:
            p = float(2 * stats.t.sf(abs(t), df))
            critical = float(stats.t.ppf(0.5 + level / 2, df))
        effects.append(
            FixedEffect(
                term=term,
                label=label,
                estimate=estimate,
                se=se,
                statistic=t,
                df=df,
                p=p,
                ci=ConfidenceInterval(estimate - critical * se, estimate + critical * se, level),
            )
        )

    singular_parts = [
        name
        for name, variance in (("cohort", cohort_var), ("participant", participant_var))
        if variance is not None and math.sqrt(max(variance, 0.0) / residual) < SINGULAR_TOLERANCE
    ]
    if singular_parts:
        notes = (
            *notes,
            f"the {' and '.join(singular_parts)} variance is estimated at zero (a boundary or "
            "'singular' fit): the model is then the same as one without that term, and the "
            "fixed effects remain valid",
        )
    return MixedModelResult(
        formula=_FORMULAS[effect],
        cohort_effect=effect,
        cohort_effect_reason=effect_reason,
        n_observations=n_obs,
        n_participants=n_participants,
        n_cohorts=n_cohorts,
        fixed_effects=tuple(effects),
        variance_components=VarianceComponents(
            cohort=cohort_var, participant=participant_var, residual=residual
        ),
        log_likelihood=log_likelihood,
        converged=True,
        singular=bool(singular_parts),
        confidence=level,
        notes=notes,
        method=fitted.method,
    )


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
    # Codes in key order make each cohort's people one contiguous range of codes.
    _, person = np.unique(person_key, return_inverse=True)
    used_cohorts, cohort = np.unique(cohort, return_inverse=True)
    present = tuple(t for i, t in enumerate(TIME_LEVELS) if np.any(time == i))
    return _Data(
        score=score.astype(np.float64),
        time=time.astype(np.int64),
        cohort=cohort.astype(np.int64),
        participant=person.astype(np.int64),
        cohort_labels=tuple(cohort_names[i] for i in used_cohorts.tolist()),
        times=present,
    )


def _participant_codes(values: pd.Series) -> IntArray:
    """Integer codes for participants; -1 for missing or blank.

    Integer ids (as callers holding a person index pass) are coded directly, which avoids
    turning 200,000 ids into text; anything else goes through :func:`_label_codes`.
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        _, codes = np.unique(values.to_numpy(), return_inverse=True)
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


@dataclass(frozen=True, slots=True)
class _Variances:
    """Absolute variances; a component that is not in the model is 0."""

    cohort: float
    participant: float
    residual: float

    def relative_sd(self) -> dict[str, float]:
        """Each random-effect SD as a share of the residual SD (lme4's theta)."""
        return {
            "cohort": math.sqrt(self.cohort / self.residual),
            "participant": math.sqrt(self.participant / self.residual),
        }


@dataclass(frozen=True, slots=True)
class _Fitted:
    variances: _Variances
    notes: tuple[str, ...]
    failure: str | None = None
    method: str = METHOD


#: Optimisers tried in turn; BFGS with a tight gradient tolerance reaches lme4's estimates.
_OPTIMISERS: Final[tuple[tuple[str, dict[str, float]], ...]] = (
    ("bfgs", {"gtol": 1e-8}),
    ("lbfgs", {}),
    ("cg", {"gtol": 1e-8}),
)

#: A fitted variance whose SD is below this share of the residual SD triggers a check of the
#: boundary (the variance fixed at zero), where statsmodels' unconstrained search can stall.
_NEAR_BOUNDARY: Final = 0.1


def _fit(data: _Data, exog: FloatArray, structure: _Structure, effect: str) -> _Fitted:
    """REML variance estimates: lme4's profiled search first, statsmodels if that fails.

    :func:`_profiled_reml_fit` minimises the same REML criterion as lme4, over the closed
    parameter space, in O(n) per step; on 2,600 people in 180 cohorts it takes a fraction of
    a second where statsmodels' ``MixedLM`` took seconds per domain. Should it end at no finite
    deviance, :func:`_statsmodels_fit` is the fallback (see :func:`_statsmodels_fallback`), but
    only on up to ``MAX_FALLBACK_OBSERVATIONS`` scores: beyond that the fallback's dense
    matrices cost minutes and gigabytes, so the failure is reported instead.
    """
    variances = _profiled_reml_fit(structure, effect)
    if variances is not None and all_finite(
        [variances.cohort, variances.participant, variances.residual]
    ):
        return _Fitted(variances, ())
    if structure.n > MAX_FALLBACK_OBSERVATIONS:
        return _Fitted(
            _Variances(0.0, 0.0, 1.0),
            (),
            f"the REML search found no finite likelihood, and the slower fallback fit "
            f"(statsmodels) is only tried on up to {MAX_FALLBACK_OBSERVATIONS:,} scores (here "
            f"{structure.n:,}); the paired tests still apply",
        )
    return _statsmodels_fallback(data, exog, structure, effect)


def _statsmodels_fallback(
    data: _Data, exog: FloatArray, structure: _Structure, effect: str
) -> _Fitted:
    """REML variance estimates from statsmodels, with the boundary checked as lme4 does.

    statsmodels optimises without bounds, so when a variance is truly zero it may stall near
    zero and report no convergence. lme4 optimises over the closed parameter space instead.
    To match it, when the full fit fails or lands near zero we also fit the models with that
    variance fixed at zero (each face of the boundary) and keep the fit with the highest REML
    log-likelihood; all share one fixed-effects design, so their REML likelihoods compare.
    """
    full, notes, first_try = _statsmodels_fit(
        data, exog, "random" if effect == "random" else "participant"
    )
    relevant = ("cohort", "participant") if effect == "random" else ("participant",)
    if (
        full is not None
        and first_try
        and min(full.relative_sd()[name] for name in relevant) >= _NEAR_BOUNDARY
    ):
        return _Fitted(full, notes, method=METHOD_FALLBACK)
    faces = ["participant", "ols"] if effect == "random" else []
    faces += ["cohort"] if effect == "random" else ["ols"]
    candidates = [] if full is None else [full]
    for face in faces:
        if face == "ols":
            candidates.append(_ols_variances(data, exog))
        else:
            fitted, _, _ = _statsmodels_fit(data, exog, face)
            if fitted is not None:
                candidates.append(fitted)
    scored = []
    for candidate in candidates:
        gls = _gls(structure, candidate)
        if gls is not None and math.isfinite(gls[2]):
            scored.append((gls[2], candidate))
    if not scored:
        return _Fitted(
            _Variances(0.0, 0.0, 1.0),
            notes,
            "the model did not converge (statsmodels tried BFGS, L-BFGS and conjugate "
            "gradient); the paired tests still apply",
        )
    best = max(scored, key=lambda pair: pair[0])[1]
    return _Fitted(best, notes, method=METHOD_FALLBACK)


def _statsmodels_fit(
    data: _Data, exog: FloatArray, structure: str
) -> tuple[_Variances | None, tuple[str, ...], bool]:
    """Fit one random-effects structure by REML; None when no optimiser converged.

    The flag says whether the first optimiser (BFGS) converged: needing a fallback is a sign
    of a likelihood that is flat or stalls at the boundary.

    ``structure``: "random" (cohort intercept + participant-within-cohort component),
    "participant" (participant intercept only) or "cohort" (cohort intercept only).
    statsmodels' warnings are recorded as notes instead of reaching the user.
    """
    # Imported here: statsmodels takes a second to import and most callers never fit a model.
    from statsmodels.regression.mixed_linear_model import MixedLM

    notes: list[str] = []
    variances: _Variances | None = None
    first_try = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for method, options in _OPTIMISERS:
            try:
                if structure == "random":
                    model = MixedLM(
                        data.score,
                        exog,
                        groups=data.cohort,
                        exog_re=np.ones((data.score.size, 1)),
                        exog_vc=_participant_dummies(data),
                    )
                elif structure == "cohort":
                    model = MixedLM(data.score, exog, groups=data.cohort)
                else:
                    model = MixedLM(data.score, exog, groups=data.participant)
                with np.errstate(all="ignore"):
                    fit = model.fit(reml=True, method=[method], **options)
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, OverflowError) as exc:
                notes.append(f"statsmodels ({method}) could not fit the model: {_plain(exc)}")
                continue
            if not fit.converged:
                continue
            residual = float(fit.scale)
            first = float(np.asarray(fit.cov_re)[0, 0])
            if structure == "random":
                found = _Variances(first, float(np.asarray(fit.vcomp)[0]), residual)
            elif structure == "cohort":
                found = _Variances(first, 0.0, residual)
            else:
                found = _Variances(0.0, first, residual)
            if all_finite([found.cohort, found.participant, residual]) and residual > 0:
                variances = _Variances(
                    max(found.cohort, 0.0), max(found.participant, 0.0), residual
                )
                first_try = method == _OPTIMISERS[0][0]
                break
    for warning in caught:
        message = f"statsmodels: {str(warning.message).strip()}"
        if message not in notes:
            notes.append(message)
    return variances, tuple(notes), first_try


#: Starting points of the profiled-REML search, as relative SDs (theta): lme4 starts at 1; the
#: others guard against a flat or two-peaked likelihood, and the best end point is kept.
_THETA_STARTS: Final = (1.0, 0.1, 3.0)


def _profiled_reml_fit(structure: _Structure, effect: str) -> _Variances | None:
    """REML variances by lme4's method: minimise the profiled REML deviance over theta >= 0.

    theta are the random-effect SDs relative to the residual SD. At each theta, V = sigma^2 V0
    and the residual variance has the closed form sigma^2 = r'V0^-1 r / (n - p), so the
    deviance left to minimise is log|V0| + log|X'V0^-1X| + (n - p)(1 + log(2 pi q / (n - p))),
    q = r'V0^-1 r (Bates et al. 2015, J Stat Softw 67(1), eq. 42), each evaluation O(n) through
    :func:`_gls_parts`. L-BFGS-B with theta bounded below by zero, from each of
    ``_THETA_STARTS``, keeps the lowest deviance; a variance at the bound is a boundary
    ("singular") fit, as in lme4. None when no search ends at a finite deviance.
    """
    from scipy.optimize import minimize

    dof = structure.n - structure.k

    def deviance(theta: FloatArray) -> float:
        cohort = float(theta[0]) ** 2 if effect == "random" else 0.0
        participant = float(theta[-1]) ** 2
        parts = _gls_parts(structure, _Variances(cohort, participant, 1.0))
        if parts is None or not parts.quadratic > 0:
            return math.inf
        value = (
            parts.log_det_v
            + parts.log_det_xvx
            + dof * (1.0 + math.log(2.0 * math.pi * parts.quadratic / dof))
        )
        return value if math.isfinite(value) else math.inf

    size = 2 if effect == "random" else 1
    best: tuple[float, FloatArray] | None = None
    for start in _THETA_STARTS:
        with np.errstate(all="ignore"):
            found = minimize(
                deviance,
                np.full(size, start),
                method="L-BFGS-B",
                bounds=[(0.0, None)] * size,
                options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500},
            )
        value = float(found.fun)
        if math.isfinite(value) and (best is None or value < best[0]):
            best = (value, np.asarray(found.x, dtype=np.float64))
    if best is None:
        return None
    theta = best[1]
    cohort = float(theta[0]) ** 2 if effect == "random" else 0.0
    participant = float(theta[-1]) ** 2
    parts = _gls_parts(structure, _Variances(cohort, participant, 1.0))
    if parts is None:
        return None
    residual = parts.quadratic / dof
    return _Variances(cohort * residual, participant * residual, residual)


def _ols_variances(data: _Data, exog: FloatArray) -> _Variances:
    """Both random variances at zero: the REML residual variance is RSS / (n - p)."""
    coefficients, *_ = np.linalg.lstsq(exog, data.score, rcond=None)
    residuals = data.score - exog @ coefficients
    dof = data.score.size - exog.shape[1]
    return _Variances(0.0, 0.0, float(residuals @ residuals) / dof)


@dataclass(frozen=True, slots=True)
class _GlsParts:
    """The pieces of a GLS fit at given variances, from which the REML likelihood is built."""

    beta: FloatArray
    covariance: FloatArray
    log_det_v: float
    log_det_xvx: float
    quadratic: float


@dataclass(frozen=True, slots=True)
class _Structure:
    """The sums of the data that the GLS needs, gathered once per model.

    People are grouped by how many scores they have (m = 1, 2 or 3 here): everything the GLS
    needs depends on the variances only through d_m = s2_r + s2_p m, so each evaluation of
    :meth:`parts` costs the number of cohorts, not the number of scores.
    """

    n: int
    k: int
    m_values: FloatArray  # the distinct numbers of scores per person
    people_by_m: FloatArray  # how many people have each
    cross: FloatArray  # [X, y]'[X, y]
    person_cross_by_m: FloatArray  # (m, k+1, k+1): sum of A_j A_j' over people with m scores
    cohort_sums_by_m: FloatArray  # (cohort, m, k+1): sum of A_j over a cohort's people with m
    cohort_people_by_m: FloatArray  # (cohort, m): how many of a cohort's people have m scores

    @classmethod
    def of(cls, data: _Data, exog: FloatArray) -> _Structure:
        n, k = exog.shape
        columns = np.column_stack([exog, data.score])
        n_people = data.n_participants
        counts = np.bincount(data.participant, minlength=n_people)
        person_cohort = np.zeros(n_people, dtype=np.int64)
        person_cohort[data.participant] = data.cohort
        n_cohorts = len(data.cohort_labels)
        sums = np.column_stack(
            [
                np.bincount(data.participant, weights=columns[:, j], minlength=n_people)
                for j in range(k + 1)
            ]
        )
        m_values, m_index = np.unique(counts, return_inverse=True)
        n_m = m_values.size
        person_cross = (
            np.stack([sums[m_index == i].T @ sums[m_index == i] for i in range(n_m)])
            if n_m
            else np.zeros((0, k + 1, k + 1))
        )
        cell = person_cohort * n_m + m_index
        cohort_sums = np.stack(
            [
                np.bincount(cell, weights=sums[:, j], minlength=n_cohorts * n_m)
                for j in range(k + 1)
            ],
            axis=-1,
        ).reshape(n_cohorts, n_m, k + 1)
        cohort_people = np.bincount(cell, minlength=n_cohorts * n_m).reshape(n_cohorts, n_m)
        return cls(
            n=n,
            k=k,
            m_values=m_values.astype(np.float64),
            people_by_m=np.bincount(m_index, minlength=n_m).astype(np.float64),
            cross=columns.T @ columns,
            person_cross_by_m=person_cross.astype(np.float64),
            cohort_sums_by_m=cohort_sums.astype(np.float64),
            cohort_people_by_m=cohort_people.astype(np.float64),
        )


def _gls_parts(structure: _Structure, variances: _Variances) -> _GlsParts | None:
    """GLS estimates, their covariance (X' V^-1 X)^-1, log|V|, log|X'V^-1X| and r'V^-1 r.

    V = s2_residual I + s2_participant Z_p Z_p' + s2_cohort Z_c Z_c' is inverted through its
    nesting (Woodbury twice): for participant j with m_j scores, d_j = s2_r + s2_p m_j; for
    cohort i, s_i = sum_j m_j / d_j. Then, for columns a, b of [X, y],
    a'V^-1 b = a'b / s2_r - sum_j s2_p A_j B_j / (s2_r d_j) - sum_i g_i Ahat_i Bhat_i,
    with A_j the participant sums, Ahat_i = sum_j A_j / d_j and g_i = s2_c / (1 + s2_c s_i);
    log|V| = n log s2_r + sum_j log(d_j / s2_r) + sum_i log(1 + s2_c s_i).
    No n x n matrix is formed, and the sums over people come grouped by m from
    :class:`_Structure`. The covariance is what lme4's ``vcov()`` reports (statsmodels'
    ``bse_fe`` also carries the variance parameters' uncertainty, so differs slightly on
    unbalanced data). None when X' V^-1 X is not positive definite.
    """
    r, p_var, c_var = variances.residual, variances.participant, variances.cohort
    n, k = structure.n, structure.k
    m = structure.m_values
    with np.errstate(all="ignore"):
        d = r + p_var * m
        gram = structure.cross / r - np.einsum(
            "m,mab->ab", p_var / (r * d), structure.person_cross_by_m
        )
        s_cohort = structure.cohort_people_by_m @ (m / d)
        cohort_sums = np.einsum("ima,m->ia", structure.cohort_sums_by_m, 1.0 / d)
        g = c_var / (1.0 + c_var * s_cohort)
        gram -= (cohort_sums * g[:, None]).T @ cohort_sums
        log_det_v = (
            n * math.log(r)
            + float(structure.people_by_m @ np.log1p(p_var * m / r))
            + float(np.sum(np.log1p(c_var * s_cohort)))
        )
    xvx, xvy, yvy = gram[:k, :k], gram[:k, k], gram[k, k]
    try:
        chol = np.linalg.cholesky(xvx)
    except np.linalg.LinAlgError:
        return None
    beta = np.linalg.solve(xvx, xvy)
    covariance = np.linalg.inv(xvx)
    quadratic = float(yvy - xvy @ beta)
    log_det_xvx = 2.0 * float(np.sum(np.log(np.diag(chol))))
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(covariance))):
        return None
    return _GlsParts(
        beta.astype(np.float64), covariance.astype(np.float64), log_det_v, log_det_xvx, quadratic
    )


def _gls(
    structure: _Structure, variances: _Variances
) -> tuple[FloatArray, FloatArray, float] | None:
    """GLS estimates, their covariance (X' V^-1 X)^-1 and the REML log-likelihood.

    The REML log-likelihood is -(log|V| + log|X'V^-1X| + r'V^-1 r + (n - p) log 2 pi) / 2,
    R's ``logLik``; see :func:`_gls_parts` for how it is computed. None when X' V^-1 X is not
    positive definite.
    """
    parts = _gls_parts(structure, variances)
    if parts is None:
        return None
    n, k = structure.n, structure.k
    log_likelihood = -0.5 * (
        parts.log_det_v + parts.log_det_xvx + parts.quadratic + (n - k) * math.log(2 * math.pi)
    )
    return parts.beta, parts.covariance, float(log_likelihood)


#: Central-difference steps: for the Jacobian of Var(beta) and for the Hessian of the REML
#: deviance, absolute on each theta (an SD relative to the residual SD) and relative on sigma.
_JACOBIAN_STEP: Final = 1e-4
_HESSIAN_STEP: Final = 1e-3

#: lmerTest's tolerance: Hessian eigenvalues at or below it are left out of its inverse.
_EIGEN_TOLERANCE: Final = 1e-8


def _satterthwaite_df(
    structure: _Structure, variances: _Variances, effect: str
) -> tuple[FloatArray | None, str | None]:
    """Satterthwaite degrees of freedom for each fixed-effect coefficient, as lmerTest computes.

    For coefficient j (c = e_j): df = 2 Phi_jj^2 / (g' A g), where Phi(v) = Var(beta_hat) =
    (X' V^-1 X)^-1 as a function of the variance parameters v, g = dPhi_jj / dv, and
    A = 2 H^-1 is the asymptotic covariance of v, H the Hessian of the REML deviance
    (-2 log-likelihood) at the estimates. Like lmerTest (``as_lmerModLT``, ``contest1D``),
    v = (theta, sigma), theta being the random-effect SDs relative to the residual SD sigma
    (lme4's theta); H is inverted through its eigenvalues above 1e-8 (a Moore-Penrose
    inverse). Both derivatives are numerical: central differences on :func:`_gls`, steps 1e-4
    (Jacobian) and 1e-3 (Hessian), absolute on theta and relative on sigma. The deviance is
    even in theta, so a variance estimated at zero (theta = 0) needs no special case: that
    theta adds nothing to g, as in lmerTest. Returns the df, or None when the Hessian has no
    positive eigenvalue or a df is not a positive number, and a note when the Hessian has a
    negative eigenvalue (lmerTest's warning "Model failed to converge").
    """
    sigma = math.sqrt(variances.residual)
    relative = variances.relative_sd()
    names = ("cohort", "participant") if effect == "random" else ("participant",)
    point = np.array([*(relative[name] for name in names), sigma])
    size = point.size

    def at(parameters: FloatArray) -> tuple[FloatArray, float] | None:
        """Var(beta) and the REML deviance at (theta, sigma)."""
        residual = float(parameters[-1]) ** 2
        parts = dict(zip(names, (float(v) ** 2 * residual for v in parameters[:-1]), strict=True))
        trial = _Variances(parts.get("cohort", 0.0), parts["participant"], residual)
        fitted = _gls(structure, trial)
        return None if fitted is None else (fitted[1], -2.0 * fitted[2])

    def steps(step: float) -> FloatArray:
        return np.array([step] * (size - 1) + [step * sigma])

    centre = at(point)
    if centre is None:
        return None, None
    covariance, deviance = centre
    jacobian_step = steps(_JACOBIAN_STEP)
    gradient = np.zeros((size, covariance.shape[0]))  # variance parameter x coefficient
    for i in range(size):
        shift = np.zeros(size)
        shift[i] = jacobian_step[i]
        up, down = at(point + shift), at(point - shift)
        if up is None or down is None:
            return None, None
        gradient[i] = np.diag(up[0] - down[0]) / (2.0 * jacobian_step[i])

    hessian_step = steps(_HESSIAN_STEP)

    def deviance_at(*moves: tuple[int, float]) -> float:
        shift = np.zeros(size)
        for i, sign in moves:
            shift[i] += sign * hessian_step[i]
        found = at(point + shift)
        return math.nan if found is None else found[1]

    hessian = np.zeros((size, size))
    for i in range(size):
        hessian[i, i] = (
            deviance_at((i, 1.0)) - 2.0 * deviance + deviance_at((i, -1.0))
        ) / hessian_step[i] ** 2
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                deviance_at((i, 1.0), (j, 1.0))
                - deviance_at((i, 1.0), (j, -1.0))
                - deviance_at((i, -1.0), (j, 1.0))
                + deviance_at((i, -1.0), (j, -1.0))
            ) / (4.0 * hessian_step[i] * hessian_step[j])
    if not np.all(np.isfinite(hessian)):
        return None, None
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    note = (
        "the REML likelihood curves the wrong way in some direction at the estimates (a "
        "negative eigenvalue of its Hessian; lmerTest warns 'Model failed to converge'), so "
        "the degrees of freedom leave that direction out and are approximate"
        if np.any(eigenvalues < -_EIGEN_TOLERANCE)
        else None
    )
    positive = eigenvalues > _EIGEN_TOLERANCE
    if not np.any(positive):
        return None, note
    kept = eigenvectors[:, positive]
    parameter_covariance = 2.0 * (kept / eigenvalues[positive]) @ kept.T
    denominator = np.einsum("kj,kl,lj->j", gradient, parameter_covariance, gradient)
    with np.errstate(all="ignore"):
        dfs = 2.0 * np.diag(covariance) ** 2 / denominator
    if not (np.all(np.isfinite(dfs)) and np.all(dfs > 0)):
        return None, note
    return np.asarray(dfs, dtype=np.float64), note


def _participant_dummies(data: _Data) -> Any:
    """statsmodels' variance-component spec: one 0/1 column per participant, cohort by cohort.

    Rows are sorted by cohort and each cohort's participants have contiguous codes, so every
    cohort's block is a slice and its participants' local codes are ``code - first code``.
    """
    from statsmodels.regression.mixed_linear_model import VCSpec

    boundaries = np.flatnonzero(np.diff(data.cohort)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [data.cohort.size]])
    matrices = []
    names = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        codes = data.participant[start:end]
        local = codes - codes.min()
        block = np.zeros((end - start, int(local.max()) + 1))
        block[np.arange(end - start), local] = 1.0
        matrices.append(block)
        names.append([f"participant[{c}]" for c in np.unique(codes).tolist()])
    return VCSpec(["participant"], [names], [matrices])


def _plain(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__
