"""The statsmodels fallback: REML variances from ``MixedLM`` when the profiled search fails.

Tried only on small data (``MAX_FALLBACK_OBSERVATIONS``): it builds dense per-cohort matrices
and may fit up to nine models. statsmodels is imported inside the functions, since it takes a
second to import and most callers never need it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Final

import numpy as np

from imheval.stats._common import FloatArray, all_finite
from imheval.stats.mixed.design import _Data
from imheval.stats.mixed.reml import _Fitted, _gls, _ols_variances, _Structure, _Variances
from imheval.stats.mixed.results import METHOD_FALLBACK

#: The most scores the statsmodels fallback is tried on. It builds dense per-cohort matrices and
#: may fit up to nine models, so its cost grows far faster than the profiled search's: about a
#: second per fit at 4,000 scores, minutes (and gigabytes) at 20,000 or more. Above this the
#: model is reported as not fitted, with the reason, instead.
MAX_FALLBACK_OBSERVATIONS: Final = 5_000

#: Optimisers tried in turn; BFGS with a tight gradient tolerance reaches lme4's estimates.
_OPTIMISERS: Final[tuple[tuple[str, dict[str, float]], ...]] = (
    ("bfgs", {"gtol": 1e-8}),
    ("lbfgs", {}),
    ("cg", {"gtol": 1e-8}),
)

#: A fitted variance whose SD is below this share of the residual SD triggers a check of the
#: boundary (the variance fixed at zero), where statsmodels' unconstrained search can stall.
_NEAR_BOUNDARY: Final = 0.1


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
    full, notes, said, first_try = _statsmodels_fit(
        data, exog, "random" if effect == "random" else "participant"
    )
    relevant = ("cohort", "participant") if effect == "random" else ("participant",)
    if (
        full is not None
        and first_try
        and min(full.relative_sd()[name] for name in relevant) >= _NEAR_BOUNDARY
    ):
        return _Fitted(full, notes, method=METHOD_FALLBACK, software_warnings=said)
    faces = ["participant", "ols"] if effect == "random" else []
    faces += ["cohort"] if effect == "random" else ["ols"]
    candidates = [] if full is None else [full]
    for face in faces:
        if face == "ols":
            candidates.append(_ols_variances(data, exog))
        else:
            fitted, _, _, _ = _statsmodels_fit(data, exog, face)
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
            software_warnings=said,
        )
    best = max(scored, key=lambda pair: pair[0])[1]
    return _Fitted(best, notes, method=METHOD_FALLBACK, software_warnings=said)


def _statsmodels_fit(
    data: _Data, exog: FloatArray, structure: str
) -> tuple[_Variances | None, tuple[str, ...], tuple[str, ...], bool]:
    """Fit one random-effects structure by REML; None when no optimiser converged.

    The flag says whether the first optimiser (BFGS) converged: needing a fallback is a sign
    of a likelihood that is flat or stalls at the boundary.

    ``structure``: "random" (cohort intercept + participant-within-cohort component),
    "participant" (participant intercept only) or "cohort" (cohort intercept only).
    Returns the variances, plain-English notes for readers (an optimiser that could not fit),
    statsmodels' own warnings verbatim (kept for the record, not reaching the user), and whether
    the first optimiser succeeded.
    """
    # Imported here: statsmodels takes a second to import and most callers never fit a model.
    from statsmodels.regression.mixed_linear_model import MixedLM

    notes: list[str] = []
    variances: _Variances | None = None
    best_likelihood: float | None = None
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
            if not (all_finite([found.cohort, found.participant, residual]) and residual > 0):
                continue
            if method == _OPTIMISERS[0][0]:
                variances = _Variances(
                    max(found.cohort, 0.0), max(found.participant, 0.0), residual
                )
                first_try = True
                break
            # BFGS did not converge: each later optimiser may stop at a different point of a
            # flat likelihood (statsmodels 0.15's L-BFGS stops short where 0.14's did not),
            # so all are tried and the highest REML log-likelihood is kept
            likelihood = float(fit.llf)
            if not math.isfinite(likelihood):  # still a fit, as before, if nothing better
                likelihood = -math.inf
            if best_likelihood is None or likelihood > best_likelihood:
                best_likelihood = likelihood
                variances = _Variances(
                    max(found.cohort, 0.0), max(found.participant, 0.0), residual
                )
    said: list[str] = []
    for warning in caught:
        message = f"statsmodels: {str(warning.message).strip()}"
        if message not in said:
            said.append(message)
    return variances, tuple(notes), tuple(said), first_try


#: Starting points of the profiled-REML search, as relative SDs (theta): lme4 starts at 1; the


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
