"""A linear mixed model of scores over time, with people nested in cohorts.

:func:`mixed_model` takes one row per participant per time and fits, by REML as lme4 does (the
profiled REML deviance minimised over the relative SDs, with statsmodels' ``MixedLM`` as the
fallback), the model R users write as
``lmer(score ~ time + (1 | cohort) + (1 | cohort:participant))``, and tests each fixed effect
with a t-test on Satterthwaite degrees of freedom, as R's lmerTest does. It returns a frozen
:class:`MixedModelResult` that never holds NaN: when the model cannot be fitted, ``reason`` says
why in plain English and the numbers are None.

The package follows the steps of a fit: :mod:`.design` turns the table into integer codes and a
design matrix and finds data with nothing to model; :mod:`.reml` is the profiled REML search and
the grouped GLS; :mod:`.satterthwaite` the degrees of freedom; :mod:`.fallback` statsmodels'
fit; :mod:`.results` the frozen results. This module holds the plan that runs them, so that a
test replacing ``imheval.stats.mixed._profiled_reml_fit`` or ``_statsmodels_fallback`` replaces
what :func:`_fit` calls.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import FloatArray, all_finite, check_confidence, two_sided_normal_p
from imheval.stats.distributions import norm_ppf, t_ppf, t_sf
from imheval.stats.mixed.design import (
    NO_VARIATION,
    NO_WITHIN_PERSON_VARIATION,
    REQUIRED_COLUMNS,
    TIME_LEVELS,
    _Data,
    _design,
    _no_variation,
    _prepare,
)
from imheval.stats.mixed.fallback import MAX_FALLBACK_OBSERVATIONS, _statsmodels_fallback
from imheval.stats.mixed.general import one_blas_thread
from imheval.stats.mixed.reml import (
    _Fitted,
    _gls,
    _profiled_reml_fit,
    _Structure,
    _Variances,
)
from imheval.stats.mixed.results import (
    _FORMULAS,
    METHOD,
    METHOD_FALLBACK,
    FixedEffect,
    MixedModelResult,
    VarianceComponents,
)
from imheval.stats.mixed.satterthwaite import _satterthwaite_df
from imheval.stats.results import ConfidenceInterval

__all__ = [
    "DEFAULT_MAX_PARTICIPANTS",
    "FEWER_THAN_5_COHORTS",
    "MAX_FALLBACK_OBSERVATIONS",
    "METHOD",
    "METHOD_FALLBACK",
    "MIN_COHORTS_FOR_RANDOM",
    "NO_VARIATION",
    "NO_WITHIN_PERSON_VARIATION",
    "REQUIRED_COLUMNS",
    "SINGULAR_TOLERANCE",
    "TIME_LEVELS",
    "CohortEffect",
    "FixedEffect",
    "MixedModelResult",
    "VarianceComponents",
    "mixed_model",
]

#: With fewer cohorts than this, cohort is a fixed effect (McNeish & Stapleton 2016).
MIN_COHORTS_FOR_RANDOM: Final = 5

#: No limit on participants by default: the fit's cost per step does not grow with the data
#: (200,000 people in 4,000 cohorts fit in about half a second). A caller may still set one.
DEFAULT_MAX_PARTICIPANTS: Final[int | None] = None

#: lme4's isSingular() tolerance: a random-effect SD below this share of the residual SD is zero.
SINGULAR_TOLERANCE: Final = 1e-4

CohortEffect = Literal["auto", "random", "fixed"]

FEWER_THAN_5_COHORTS = (
    "with fewer than 5 cohorts, a cohort variance cannot be estimated reliably, "
    "so cohort is a fixed effect"
)


#: Why a fit with unusable standard errors is reported as not fitted.
_NO_STANDARD_ERRORS: Final = (
    "the fit gave no usable standard errors (the information matrix is singular)"
)
_NORMAL_DF_NOTE: Final = (
    "the Satterthwaite degrees of freedom could not be computed (the REML likelihood is "
    "flat or curved the wrong way at the estimates), so the p-values and confidence "
    "intervals use the normal distribution (Wald z)"
)


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
    # Every step is a few small matrix products, for which BLAS threads cost more than they
    # give: on 200,000 people, one thread took half the time of two on a busy 2-core machine.
    with one_blas_thread():
        return _mixed_model(long_frame, cohort_effect, max_participants, confidence)


def _mixed_model(
    long_frame: pd.DataFrame,
    cohort_effect: CohortEffect,
    max_participants: int | None,
    confidence: float,
) -> MixedModelResult:
    level = check_confidence(confidence)
    _check_options(cohort_effect, max_participants)
    data = _prepare(long_frame)
    n_cohorts = len(data.cohort_labels)
    effect, effect_reason = _cohort_structure(cohort_effect, n_cohorts)

    def not_computed(
        reason: str, notes: tuple[str, ...] = (), said: tuple[str, ...] = ()
    ) -> MixedModelResult:
        return MixedModelResult(
            formula=_FORMULAS[effect],
            cohort_effect=effect,
            cohort_effect_reason=effect_reason,
            n_observations=int(data.score.size),
            n_participants=data.n_participants,
            n_cohorts=n_cohorts,
            confidence=level,
            notes=notes,
            reason=reason,
            software_warnings=said,
        )

    reason = _why_data_cannot_be_modelled(data, effect, max_participants)
    if reason is not None:
        return not_computed(reason)
    exog, terms, labels = _design(data, effect)
    reason = _why_design_cannot_be_fitted(data, exog, effect)
    if reason is not None:
        return not_computed(reason)
    structure = _Structure.of(data, exog)  # the sums every likelihood evaluation needs
    fitted = _fit(data, exog, structure, effect)
    if fitted.failure is not None:
        return not_computed(fitted.failure, fitted.notes, fitted.software_warnings)
    variances = fitted.variances
    estimated = _estimates(structure, variances)
    if estimated is None:
        return not_computed(_NO_STANDARD_ERRORS, fitted.notes, fitted.software_warnings)
    estimates, ses, log_likelihood = estimated
    dfs, df_notes = _degrees_of_freedom(structure, variances, effect)
    cohort_var = variances.cohort if effect == "random" else None
    singular_notes = _singular_notes(cohort_var, variances)
    return MixedModelResult(
        formula=_FORMULAS[effect],
        cohort_effect=effect,
        cohort_effect_reason=effect_reason,
        n_observations=int(data.score.size),
        n_participants=data.n_participants,
        n_cohorts=n_cohorts,
        fixed_effects=_fixed_effects(terms, labels, estimates, ses, dfs, level),
        variance_components=VarianceComponents(
            cohort=cohort_var, participant=variances.participant, residual=variances.residual
        ),
        log_likelihood=log_likelihood,
        converged=True,
        singular=bool(singular_notes),
        confidence=level,
        notes=(*fitted.notes, *df_notes, *singular_notes),
        method=fitted.method,
        software_warnings=fitted.software_warnings,
    )


def _check_options(cohort_effect: str, max_participants: int | None) -> None:
    """Raise AnalysisError for an unknown ``cohort_effect`` or a ``max_participants`` below 1."""
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


def _cohort_structure(cohort_effect: str, n_cohorts: int) -> tuple[str, str | None]:
    """The cohort term ("random", "fixed" or "none") and why it is not random, if it is not."""
    if cohort_effect == "random" or (
        cohort_effect == "auto" and n_cohorts >= MIN_COHORTS_FOR_RANDOM
    ):
        return "random", None
    if n_cohorts <= 1:
        return "none", "there is only one cohort, so there is no cohort effect to estimate"
    return "fixed", (
        FEWER_THAN_5_COHORTS if cohort_effect == "auto" else "cohort was chosen as a fixed effect"
    )


def _why_data_cannot_be_modelled(
    data: _Data, effect: str, max_participants: int | None
) -> str | None:
    """Why the rows give the model nothing to fit (too many people, no change...), or None."""
    n_participants = data.n_participants
    if max_participants is not None and n_participants > max_participants:
        return (
            f"more participants than the limit set for the mixed model "
            f"(N = {n_participants} > {max_participants}); the participant-level paired tests "
            "cover these data"
        )
    if data.score.size == 0:
        return "there are no scores"
    if "pre" not in data.times:
        return "there are no pre-test scores, and the model compares later times with pre"
    if len(data.times) < 2:
        return "there are only pre-test scores, so there is no change to model"
    if effect == "random" and len(data.cohort_labels) < 2:
        return "a cohort variance needs at least 2 cohorts"
    per_person = np.bincount(data.participant, minlength=n_participants)
    if not np.any(per_person >= 2):
        return (
            "nobody has scores at two times, so differences between people cannot be separated "
            "from measurement noise"
        )
    return None


def _why_design_cannot_be_fitted(data: _Data, exog: FloatArray, effect: str) -> str | None:
    """Why the design leaves nothing to estimate (too few rows, confounded, no variation)."""
    n_obs = int(data.score.size)
    n_variances = 3 if effect == "random" else 2
    if n_obs <= exog.shape[1] + n_variances:
        return (
            f"too few observations ({n_obs}) for {exog.shape[1]} fixed effects and "
            f"{n_variances} variances"
        )
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        return "the fixed effects cannot be separated (each time or cohort must add information)"
    # Checked before fitting anything: with no residual variation the REML likelihood grows
    # without bound, the profiled search finds no finite optimum and the fallback would run
    # for minutes to report a meaningless zero variance.
    return _no_variation(data, exog)


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


def _estimates(
    structure: _Structure, variances: _Variances
) -> tuple[FloatArray, FloatArray, float] | None:
    """The fixed effects, their SEs and the REML log-likelihood; None when an SE is unusable."""
    gls = _gls(structure, variances)
    if gls is None:
        return None
    estimates, covariance, log_likelihood = gls
    with np.errstate(all="ignore"):
        ses = np.sqrt(np.diag(covariance))
    if not (np.all(np.isfinite(estimates)) and np.all(np.isfinite(ses)) and np.all(ses > 0)):
        return None
    return estimates, ses, log_likelihood


def _degrees_of_freedom(
    structure: _Structure, variances: _Variances, effect: str
) -> tuple[FloatArray | None, tuple[str, ...]]:
    """Satterthwaite df (None: use the normal distribution) and the notes that explain them."""
    dfs, curvature_note = _satterthwaite_df(structure, variances, effect)
    notes: tuple[str, ...] = () if curvature_note is None else (curvature_note,)
    if dfs is None:
        notes = (*notes, _NORMAL_DF_NOTE)
    return dfs, notes


def _fixed_effects(
    terms: list[str],
    labels: list[str],
    estimates: FloatArray,
    ses: FloatArray,
    dfs: FloatArray | None,
    level: float,
) -> tuple[FixedEffect, ...]:
    """Each coefficient's t-test and CI: on its Satterthwaite df, or Wald z when dfs is None."""
    effects = []
    for index, (term, label, estimate, se) in enumerate(
        zip(terms, labels, estimates.tolist(), ses.tolist(), strict=True)
    ):
        t = estimate / se
        df = None if dfs is None else float(dfs[index])
        if df is None:
            p = two_sided_normal_p(t)
            critical = norm_ppf(0.5 + level / 2)
        else:
            p = 2 * t_sf(abs(t), df)
            critical = t_ppf(0.5 + level / 2, df)
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
    return tuple(effects)


def _singular_notes(cohort_var: float | None, variances: _Variances) -> tuple[str, ...]:
    """The note for a variance estimated at zero (lme4's "singular" fit), or no note."""
    residual = variances.residual
    singular_parts = [
        name
        for name, variance in (("cohort", cohort_var), ("participant", variances.participant))
        if variance is not None and math.sqrt(max(variance, 0.0) / residual) < SINGULAR_TOLERANCE
    ]
    if not singular_parts:
        return ()
    return (
        f"the {' and '.join(singular_parts)} variance is estimated at zero (a boundary or "
        "'singular' fit): the model is then the same as one without that term, and the "
        "fixed effects remain valid",
    )
