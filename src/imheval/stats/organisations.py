"""Do organisations differ? A nested random-intercept model fitted from cohort summaries.

A region sees aggregates only: for each cohort, how many matched people it had (n), the mean of
their gains (post minus pre, percent of the measure's maximum) and the SD of those gains. For
the model

    gain_ijk = mu + a_k + c_jk + e_ijk,
    a_k ~ N(0, s2_organisation), c_jk ~ N(0, s2_cohort), e_ijk ~ N(0, s2_residual)

(people i within cohorts j within organisations k; R:
``lmer(gain ~ 1 + (1 | organisation) + (1 | organisation:cohort), REML = TRUE)``) these are
sufficient statistics: the REML likelihood depends on the data only through each cohort's n,
mean and within-cohort sum of squares (n - 1) SD^2. So :func:`compare_organisations` fits
exactly the model lme4 fits to the people's own gains, without ever seeing them.

The fit reuses the mixed model's profiled REML search and grouped GLS
(:mod:`imheval.stats.mixed.reml`): a cohort here plays the part a participant plays there (a
block of n_j exchangeable gains sharing one random intercept) and an organisation the part of a
cohort, so the sums that search needs come straight from the summaries. The intercept's
t-test uses Satterthwaite degrees of freedom as lmerTest's ``contest1D`` does
(:mod:`imheval.stats.mixed.satterthwaite`), and organisations are compared by the REML
likelihood-ratio test of s2_organisation = 0 against
``lmer(gain ~ 1 + (1 | organisation:cohort))``, p from chi-square on 1 df, as
``lmerTest::ranova`` reports it. Checked against R in
tests/golden/test_organisations_against_r.py.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from imheval.errors import AnalysisError
from imheval.stats._common import FloatArray, IntArray, check_confidence, finite_or_none
from imheval.stats.apa import format_number
from imheval.stats.distributions import chi2_sf, norm_ppf, norm_sf, t_ppf, t_sf
from imheval.stats.mixed.reml import _gls, _gls_parts, _Structure, _Variances
from imheval.stats.mixed.satterthwaite import _satterthwaite_df
from imheval.stats.results import ConfidenceInterval

__all__ = [
    "FEW_ORGANISATIONS",
    "FORMULA",
    "FORMULA_WITHOUT_ORGANISATION",
    "METHOD",
    "CohortSummary",
    "OrganisationComparison",
    "OrganisationMean",
    "compare_organisations",
]

#: The model in lme4 syntax, and the model the likelihood-ratio test compares it with.
FORMULA: Final = "gain ~ 1 + (1 | organisation) + (1 | organisation:cohort)"
FORMULA_WITHOUT_ORGANISATION: Final = "gain ~ 1 + (1 | organisation:cohort)"

#: How the comparison is made (``OrganisationComparison.method``).
METHOD: Final = (
    "REML from each cohort's n, mean and SD (the same fit as lme4's on the people's gains); "
    "mean gain tested with Satterthwaite df (as lmerTest); organisations compared by the REML "
    "likelihood-ratio test of the organisation variance (as lmerTest::ranova)"
)

#: With fewer organisations than this, the variance between them is very imprecise (the same
#: rule of thumb as the mixed model's cohorts: McNeish & Stapleton 2016).
FEW_ORGANISATIONS: Final = 5

#: lme4's isSingular() tolerance: an SD below this share of the residual SD is zero.
_SINGULAR_TOLERANCE: Final = 1e-4


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """What a region knows of one cohort: its matched people's gains as n, mean and SD.

    ``cohort`` is named within its ``organisation`` (two organisations may both have a
    "Cohort 1"). ``sd`` is the sample SD (n - 1 divisor) of the gains; it is None, and is not
    read, when ``n`` is 1. A cohort with ``n`` = 0 carries no information and is left out (the
    result's notes say how many were).
    """

    organisation: str
    cohort: str
    n: int
    mean: float
    sd: float | None


@dataclass(frozen=True, slots=True)
class OrganisationMean:
    """One organisation's raw mean gain over its people (each person counts once), for the
    side-by-side table. ``sd`` is the SD of its people's gains (n - 1 divisor), rebuilt from
    its cohorts' summaries; None when it has one person."""

    organisation: str
    cohorts: int
    n: int
    mean: float
    sd: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "cohorts": self.cohorts,
            "n": self.n,
            "mean": finite_or_none(self.mean),
            "sd": finite_or_none(self.sd),
        }


@dataclass(frozen=True, slots=True)
class OrganisationComparison:
    """Whether a programme's outcomes differ between organisations, and the mean gain.

    Counts (``organisations``, ``cohorts``, ``people``) are of what was analysed (cohorts with
    at least one person). ``mean_gain`` is the model's mu, with ``se``, ``df`` (Satterthwaite),
    ``t``, ``p_mean`` (two-sided, is the mean gain zero?) and ``ci``, as lmerTest's
    ``contest1D`` gives them; when the df cannot be computed ``df`` is None and the test and
    CI use the normal distribution. The three variances are REML estimates;
    ``icc_organisation`` (``icc_cohort``) is the organisation (cohort) variance as a share of
    all three. ``lrt_statistic`` is twice the REML log-likelihood of the model minus that of the
    model without the organisation term; ``p_value`` is its chi-square(1) upper tail, exactly
    as ``lmerTest::ranova`` reports it, and ``p_value_boundary`` half of it (the correction for
    testing a variance at its boundary, zero). ``singular`` is True when the organisation
    variance is estimated at zero. ``organisation_means`` gives each organisation's raw mean
    gain and n, in the order organisations first appear. When the comparison cannot be made,
    ``reason`` says why in plain English and every number is None; ``notes`` explain the
    result to a reader.
    """

    organisations: int
    cohorts: int
    people: int
    organisation_means: tuple[OrganisationMean, ...] = ()
    mean_gain: float | None = None
    se: float | None = None
    df: float | None = None
    t: float | None = None
    p_mean: float | None = None
    ci: ConfidenceInterval | None = None
    variance_organisation: float | None = None
    variance_cohort: float | None = None
    variance_residual: float | None = None
    icc_organisation: float | None = None
    icc_cohort: float | None = None
    log_likelihood: float | None = None
    log_likelihood_without_organisation: float | None = None
    lrt_statistic: float | None = None
    p_value: float | None = None
    p_value_boundary: float | None = None
    singular: bool = False
    confidence: float = 0.95
    reason: str | None = None
    notes: tuple[str, ...] = ()
    method: str = METHOD
    formula: str = FORMULA

    @property
    def computed(self) -> bool:
        return self.reason is None

    @property
    def differ(self) -> bool | None:
        """True when organisations differ more than chance would explain (``p_value`` below
        1 - ``confidence``), None when not computed."""
        if self.p_value is None:
            return None
        return self.p_value < 1.0 - self.confidence

    def plain_sentence(self) -> str:
        """One sentence for a board member: do organisations differ, and how much of the
        variation in gains lies between them. Cautious with fewer than 5 organisations."""
        if self.reason is not None or self.p_value is None or self.icc_organisation is None:
            return f"Whether organisations differ could not be tested: {self.reason}."
        p = _plain_p(self.p_value, 1.0 - self.confidence)
        share = "none" if self.singular else _plain_share(self.icc_organisation)
        k = self.organisations
        if self.differ:
            sentence = (
                f"The change differed between organisations more than chance would explain "
                f"({p}): {share} of the variation in gains lies between organisations."
            )
            if k < FEW_ORGANISATIONS:
                sentence += (
                    f" With only {k} organisations, though, how large that difference is remains "
                    "very uncertain."
                )
            return sentence
        if k < FEW_ORGANISATIONS:
            # Too few organisations to call them "similar": say what the test cannot rule out.
            estimate = (
                "puts none of the variation in gains between organisations"
                if share == "none"
                else f"puts {share} of the variation in gains between organisations"
            )
            return (
                f"The {k} organisations' results did not differ more than chance could explain "
                f"({p}), but with only {k} organisations a real difference could easily go "
                f"unnoticed: the model {estimate}."
            )
        return (
            f"The change was similar across the {k} organisations: differences between "
            f"organisations account for {share} of the variation in people's gains, no more "
            f"than chance would give ({p})."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain floats and None (never NaN)."""
        numbers = {
            name: finite_or_none(getattr(self, name))
            for name in (
                "mean_gain",
                "se",
                "df",
                "t",
                "p_mean",
                "variance_organisation",
                "variance_cohort",
                "variance_residual",
                "icc_organisation",
                "icc_cohort",
                "log_likelihood",
                "log_likelihood_without_organisation",
                "lrt_statistic",
                "p_value",
                "p_value_boundary",
            )
        }
        return {
            "organisations": self.organisations,
            "cohorts": self.cohorts,
            "people": self.people,
            "organisation_means": [m.to_dict() for m in self.organisation_means],
            **numbers,
            "ci": self.ci.to_list() if self.ci is not None else None,
            "singular": self.singular,
            "differ": self.differ,
            "confidence": self.confidence,
            "computed": self.computed,
            "reason": self.reason,
            "notes": list(self.notes),
            "method": self.method,
            "formula": self.formula,
            "sentence": self.plain_sentence(),
        }


@dataclass(frozen=True, slots=True)
class _Cohorts:
    """The analysed cohorts as arrays (organisation index, n, mean, within sum of squares)."""

    labels: tuple[str, ...]  # organisations, in order of first appearance
    organisation: IntArray
    n: FloatArray
    mean: FloatArray
    within: FloatArray  # (n - 1) SD^2; 0 for a cohort of one


def compare_organisations(
    cohorts: Sequence[CohortSummary], *, confidence: float = 0.95
) -> OrganisationComparison:
    """Fit the nested random-intercept model from cohort summaries and test organisations.

    Model (REML): gain_ijk = mu + a_k + c_jk + e_ijk with a_k ~ N(0, s2_organisation),
    c_jk ~ N(0, s2_cohort), e_ijk ~ N(0, s2_residual); R:
    ``lmer(gain ~ 1 + (1 | organisation) + (1 | organisation:cohort), REML = TRUE)``.

    Each cohort's n, mean and SD are sufficient: with V0 the covariance relative to
    s2_residual, 1'V0^-1 1, 1'V0^-1 y, y'V0^-1 y and log|V0| need only each cohort's n,
    n * mean and within sum of squares (n - 1) SD^2 (a cohort of n exchangeable gains with a
    shared intercept has V0 = I + t_c J, whose inverse is I - t_c/(1 + n t_c) J). The profiled
    REML deviance (s2_residual and mu profiled out in closed form) is minimised over the two
    relative SDs, bounded at 0, by lme4's method (Bates et al. 2015, eq. 42).

    Returns: ``mean_gain`` (mu) with its SE, Satterthwaite df, t, p and CI (lmerTest's
    ``contest1D``); the three variances and the organisations' share of them; the REML
    likelihood-ratio statistic against the model without the organisation term and its
    chi-square(1) p-value (``lmerTest::ranova``), with the boundary-corrected p (half) too.

    Not computed (``reason`` set, numbers None; never NaN) when fewer than 2 organisations
    have people, when every cohort has one person (no within-cohort spread, so people and
    cohorts cannot be told apart: lme4 refuses too), when every organisation ran one cohort
    (organisations and cohorts cannot be told apart), when no cohort's gains vary within it,
    or when the search fails. Cohorts with n = 0 are left out, with a note. With fewer than 5
    organisations the fit is made but a note says the organisation variance is imprecise.

    Raises AnalysisError for a caller's mistake: a negative or fractional n, a mean that is
    not a finite number, a missing or negative SD for a cohort of 2 or more, the same cohort
    of the same organisation twice, or a confidence level outside (0, 1).

    Examples:
        >>> result = compare_organisations([
        ...     CohortSummary("North", "A", 12, 14.0, 10.0),
        ...     CohortSummary("North", "B", 9, 18.5, 12.0),
        ...     CohortSummary("South", "A", 15, 11.0, 9.0),
        ...     CohortSummary("South", "B", 1, 20.0, None),
        ... ])
        >>> result.organisations, result.people
        (2, 37)
    """
    level = check_confidence(confidence)
    data, notes = _prepare(cohorts)
    k = len(data.labels)
    counted = OrganisationComparison(
        organisations=k,
        cohorts=int(data.n.size),
        people=int(data.n.sum()),
        organisation_means=_organisation_means(data),
        confidence=level,
        notes=notes,
    )

    def not_computed(reason: str) -> OrganisationComparison:
        return replace(counted, reason=reason)

    reason = _why_not(data)
    if reason is not None:
        return not_computed(reason)
    structure = _structure(data)
    full = _reml_fit(data, structure, with_organisation=True)
    reduced = _reml_fit(data, structure, with_organisation=False)
    if full is None or reduced is None:
        return not_computed("the model could not be fitted (the REML search found no optimum)")
    gls = _gls(structure, full)
    gls_reduced = _gls(structure, reduced)
    if gls is None or gls_reduced is None:
        return not_computed("the model could not be fitted (the information matrix is singular)")
    beta, covariance, log_likelihood = gls
    log_likelihood_reduced = gls_reduced[2]
    # The reduced model is the full one with s2_organisation = 0, so the statistic cannot be
    # negative; a tiny negative value is the two searches' rounding, and R's pchisq gives 1.
    lrt = max(0.0, 2.0 * (log_likelihood - log_likelihood_reduced))
    p_value = chi2_sf(lrt, 1)
    estimate = float(beta[0]) + _data_centre(data)
    se = math.sqrt(float(covariance[0, 0]))
    dfs, curvature_note = _satterthwaite_df(structure, full, "random")
    df = None if dfs is None else float(dfs[0])
    t = estimate / se
    if df is None:
        p_mean = min(1.0, 2.0 * norm_sf(abs(t)))
        critical = norm_ppf(0.5 + level / 2)
    else:
        p_mean = min(1.0, 2.0 * t_sf(abs(t), df))
        critical = t_ppf(0.5 + level / 2, df)
    total = full.cohort + full.participant + full.residual
    singular = math.sqrt(full.cohort / full.residual) < _SINGULAR_TOLERANCE
    notes = (
        *notes,
        *_fit_notes(k, singular, p_value, level, curvature_note, df is None),
    )
    numbers = [estimate, se, t, p_mean, lrt, p_value, log_likelihood, log_likelihood_reduced]
    if not all(math.isfinite(v) for v in numbers) or not se > 0:
        return not_computed("the model gave no usable standard error")
    return replace(
        counted,
        mean_gain=estimate,
        se=se,
        df=df,
        t=t,
        p_mean=p_mean,
        ci=ConfidenceInterval(estimate - critical * se, estimate + critical * se, level),
        variance_organisation=full.cohort,
        variance_cohort=full.participant,
        variance_residual=full.residual,
        icc_organisation=full.cohort / total,
        icc_cohort=full.participant / total,
        log_likelihood=log_likelihood,
        log_likelihood_without_organisation=log_likelihood_reduced,
        lrt_statistic=lrt,
        p_value=p_value,
        p_value_boundary=p_value / 2.0,
        singular=singular,
        notes=notes,
    )


def _data_centre(data: _Cohorts) -> float:
    """The people-weighted mean gain, subtracted before fitting so sums of squares stay small."""
    return float(np.sum(data.n * data.mean) / np.sum(data.n))


def _prepare(cohorts: Sequence[CohortSummary]) -> tuple[_Cohorts, tuple[str, ...]]:
    """Check the summaries (AnalysisError for a caller's mistake) and keep cohorts with people."""
    labels: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    organisation: list[int] = []
    sizes: list[float] = []
    means: list[float] = []
    within: list[float] = []
    empty = 0
    for summary in cohorts:
        name = f"cohort {summary.cohort!r} of {summary.organisation!r}"
        key = (str(summary.organisation), str(summary.cohort))
        if key in seen:
            raise AnalysisError(f"{name} is listed twice; each cohort must appear once")
        seen.add(key)
        n = summary.n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise AnalysisError(f"{name}: n must be a whole number of people, 0 or more, got {n!r}")
        if n == 0:
            empty += 1
            continue
        mean = finite_or_none(summary.mean)
        if mean is None:
            raise AnalysisError(f"{name}: the mean gain must be a number, got {summary.mean!r}")
        if n == 1:
            squares = 0.0
        else:
            sd = finite_or_none(summary.sd)
            if sd is None or sd < 0:
                raise AnalysisError(
                    f"{name}: a cohort of {n} people needs the SD of their gains (0 or more), "
                    f"got {summary.sd!r}"
                )
            squares = (n - 1) * sd * sd
        organisation.append(labels.setdefault(key[0], len(labels)))
        sizes.append(float(n))
        means.append(mean)
        within.append(squares)
    notes: tuple[str, ...] = ()
    if empty:
        notes = (
            f"{empty} cohort{'s' if empty != 1 else ''} with no matched people "
            f"{'were' if empty != 1 else 'was'} left out (a cohort with nobody in it adds "
            "nothing to the model)",
        )
    data = _Cohorts(
        labels=tuple(labels),
        organisation=np.asarray(organisation, dtype=np.int64),
        n=np.asarray(sizes, dtype=np.float64),
        mean=np.asarray(means, dtype=np.float64),
        within=np.asarray(within, dtype=np.float64),
    )
    singles = int(np.sum(data.n == 1))
    if singles:
        notes = (
            *notes,
            f"{singles} cohort{'s' if singles != 1 else ''} of one person "
            f"{'carry' if singles != 1 else 'carries'} a mean but no spread",
        )
    return data, notes


def _organisation_means(data: _Cohorts) -> tuple[OrganisationMean, ...]:
    """Each organisation's people-weighted mean gain, n and SD, from its cohorts' summaries."""
    rows = []
    for index, label in enumerate(data.labels):
        mine = data.organisation == index
        n = float(data.n[mine].sum())
        mean = float(np.sum(data.n[mine] * data.mean[mine]) / n)
        squares = float(
            data.within[mine].sum() + np.sum(data.n[mine] * (data.mean[mine] - mean) ** 2)
        )
        sd = math.sqrt(squares / (n - 1)) if n >= 2 else None
        rows.append(OrganisationMean(label, int(mine.sum()), int(n), mean, sd))
    return tuple(rows)


def _why_not(data: _Cohorts) -> str | None:
    """Why the summaries cannot answer the question, in plain English, or None."""
    k = len(data.labels)
    if k < 2:
        return (
            f"organisations can only be compared when at least 2 have people with gains (here {k})"
        )
    if not np.any(data.n >= 2):
        return (
            "every cohort has one person, so differences between people cannot be told apart "
            "from differences between cohorts"
        )
    per_organisation = np.bincount(data.organisation, minlength=k)
    if np.all(per_organisation == 1):
        return (
            "each organisation ran one cohort, so differences between organisations cannot be "
            "told apart from differences between cohorts"
        )
    if not np.any(data.within > 0):
        return (
            "no cohort's gains vary within it (every SD is 0), so the variation between "
            "people cannot be estimated"
        )
    return None


def _structure(data: _Cohorts) -> _Structure:
    """The mixed model's GLS sums, built from the summaries.

    In :class:`~imheval.stats.mixed.reml._Structure` a "participant" is a block of m scores
    sharing an intercept and a "cohort" a group of such blocks; here they are a cohort of n
    gains and an organisation. The columns are [1, y], y centred at the people-weighted mean:
    a block's sums are (n, n * mean); the total cross-products are (N, sum n mean,
    sum of y^2 = sum (within + n mean^2)).
    """
    k = len(data.labels)
    centred = data.mean - _data_centre(data)
    block = np.column_stack([data.n, data.n * centred])  # each cohort's sums of [1, y]
    total_n = float(data.n.sum())
    sum_y = float(block[:, 1].sum())
    sum_y2 = float(np.sum(data.within) + np.sum(data.n * centred * centred))
    cross = np.array([[total_n, sum_y], [sum_y, sum_y2]])
    m_values, m_index = np.unique(data.n, return_inverse=True)
    n_m = m_values.size
    person_cross = np.stack([block[m_index == i].T @ block[m_index == i] for i in range(n_m)])
    cell = data.organisation * n_m + m_index
    cohort_sums = np.stack(
        [np.bincount(cell, weights=block[:, j], minlength=k * n_m) for j in range(2)], axis=-1
    ).reshape(k, n_m, 2)
    cohort_people = np.bincount(cell, minlength=k * n_m).reshape(k, n_m)
    return _Structure(
        n=int(total_n),
        k=1,
        m_values=m_values.astype(np.float64),
        people_by_m=np.bincount(m_index, minlength=n_m).astype(np.float64),
        cross=cross,
        person_cross_by_m=person_cross.astype(np.float64),
        cohort_sums_by_m=cohort_sums.astype(np.float64),
        cohort_people_by_m=cohort_people.astype(np.float64),
    )


def _profiled_deviance(data: _Cohorts) -> Callable[[float, float], float]:
    """The profiled REML deviance as a function of the relative variances (s2_organisation and
    s2_cohort over s2_residual), from the summaries alone; inf where it is not finite.

    With V0 = V / s2_residual, cohort j (n_j people, centred mean m_j) and d_j = 1 + n_j t_c:
    1'V0^-1 1 = sum_k S_k / (1 + t_o S_k), 1'V0^-1 y = sum_k T_k / (1 + t_o S_k), where
    S_k = sum_j n_j / d_j and T_k = sum_j n_j m_j / d_j over organisation k's cohorts;
    y'V0^-1 y = W + sum_j n_j m_j^2 / d_j - sum_k t_o T_k^2 / (1 + t_o S_k), W the within
    sum of squares; log|V0| = sum_j log d_j + sum_k log(1 + t_o S_k) (Woodbury twice).
    """
    k = len(data.labels)
    n = data.n
    centred = data.mean - _data_centre(data)
    n_centred = n * centred
    n_centred_2 = n_centred * centred
    within = float(np.sum(data.within))
    dof = float(np.sum(n)) - 1.0
    organisation_of = data.organisation

    def deviance(organisation: float, cohort: float) -> float:
        with np.errstate(all="ignore"):
            d = 1.0 + n * cohort
            s = np.bincount(organisation_of, weights=n / d, minlength=k)
            t = np.bincount(organisation_of, weights=n_centred / d, minlength=k)
            g = 1.0 + organisation * s
            xvx = float((s / g).sum())
            xvy = float((t / g).sum())
            yvy = within + float((n_centred_2 / d).sum()) - organisation * float((t * t / g).sum())
            quadratic = yvy - xvy * xvy / xvx
            if not (xvx > 0 and quadratic > 0):
                return math.inf
            log_det = float(np.log(d).sum()) + float(np.log(g).sum())
            value = (
                log_det + math.log(xvx) + dof * (1.0 + math.log(2.0 * math.pi * quadratic / dof))
            )
        return value if math.isfinite(value) else math.inf

    return deviance


#: The relative SDs (theta) tried before searching: the best points start the searches.
_THETA_GRID: Final = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def _reml_fit(
    data: _Cohorts, structure: _Structure, *, with_organisation: bool
) -> _Variances | None:
    """REML variances: the profiled REML deviance minimised over the relative SDs theta.

    theta are the organisation and cohort SDs relative to the residual SD (lme4's theta); the
    residual variance and mu have closed forms at each theta, so the deviance left is
    log|V0| + log(1'V0^-1 1) + (N - 1)(1 + log(2 pi q / (N - 1))), q = r'V0^-1 r (Bates et al.
    2015, eq. 42), each evaluation costing the number of organisations times the number of
    cohorts (:func:`_profiled_deviance`).

    The deviance is even in each theta, so the search runs over all real theta and takes
    absolute values: no bound to stop on. (A search bounded at theta >= 0 can step onto the
    bound, where the deviance's slope in that theta is zero, and stop there although the
    optimum lies inside; seen on real-sized data, so not done here.) The best points of a
    grid start Nelder-Mead searches, each polished by BFGS; the lowest deviance wins. A theta
    below lme4's singular tolerance (1e-4) that the deviance does not need is set to 0
    exactly, as lme4's bounded optimiser leaves it. None when no finite deviance is found.
    """
    from scipy.optimize import minimize

    dof = structure.n - 1
    size = 2 if with_organisation else 1

    def variances(theta: FloatArray) -> _Variances:
        organisation = float(theta[0]) ** 2 if with_organisation else 0.0
        return _Variances(organisation, float(theta[-1]) ** 2, 1.0)

    at = _profiled_deviance(data)

    def deviance(theta: FloatArray) -> float:
        return at(float(theta[0]) ** 2 if with_organisation else 0.0, float(theta[-1]) ** 2)

    grid = [np.array(point) for point in itertools.product(_THETA_GRID, repeat=size)]
    on_grid = [deviance(point) for point in grid]
    starts = [
        np.maximum(grid[i], 0.01) for i in np.argsort(on_grid)[:3] if math.isfinite(on_grid[i])
    ]
    best: tuple[float, FloatArray] | None = None
    for start in starts:
        with np.errstate(all="ignore"):
            searched = minimize(
                deviance,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 4000, "maxfev": 8000},
            )
            polished = minimize(deviance, searched.x, method="BFGS", options={"gtol": 1e-10})
        for found in (searched, polished):
            value = float(found.fun)
            if math.isfinite(value) and (best is None or value < best[0]):
                best = (value, np.abs(np.asarray(found.x, dtype=np.float64)))
    if best is None:
        return None
    value, theta = best
    for i in range(size):
        if theta[i] < _SINGULAR_TOLERANCE:
            trial = theta.copy()
            trial[i] = 0.0
            if deviance(trial) <= value + 1e-9:
                theta, value = trial, min(value, deviance(trial))
    parts = _gls_parts(structure, variances(theta))
    if parts is None:
        return None
    residual = parts.quadratic / dof
    relative = variances(theta)
    return _Variances(relative.cohort * residual, relative.participant * residual, residual)


def _fit_notes(
    k: int,
    singular: bool,
    p_value: float,
    level: float,
    curvature_note: str | None,
    normal: bool,
) -> tuple[str, ...]:
    """The notes a reader needs beside a fitted comparison."""
    alpha = 1.0 - level
    notes = []
    if k < FEW_ORGANISATIONS:
        notes.append(
            f"with only {k} organisations, the variance between organisations is estimated "
            "very imprecisely: a real difference could go unnoticed, and the share of "
            "variation between organisations could be far from the truth"
        )
    if singular:
        notes.append(
            "the variance between organisations is estimated at zero (a boundary or "
            "'singular' fit): organisations' gains differ no more than their cohorts' "
            "differences would explain, and the model is the same as one without organisations"
        )
    notes.append(
        "a variance cannot be negative, so the test of 'no difference between organisations' "
        "sits on a boundary; halving the p-value corrects for that in large samples "
        f"({_plain_p(p_value / 2, alpha)}). The sentence uses the uncorrected p-value, as R's "
        f"lmerTest::ranova reports it ({_plain_p(p_value, alpha)}), which errs on the side of "
        "not claiming a difference"
    )
    if curvature_note is not None:
        notes.append(curvature_note)
    if normal:
        notes.append(
            "the Satterthwaite degrees of freedom could not be computed, so the mean gain's "
            "test and confidence interval use the normal distribution"
        )
    return tuple(notes)


def _plain_p(p: float, alpha: float = 0.05) -> str:
    """p for a lay reader, with a leading zero: ``p = 0.41``, ``p = 0.002``, ``p < 0.001``.

    Three decimals below 0.1 (two above); more when rounding would put p on the threshold
    (0.04996 is not "0.050").
    """
    if p < 0.001:
        return "p < 0.001"
    if p > 0.99:
        return "p > 0.99"
    decimals = 3 if p < 0.1 else 2
    text = format_number(p, decimals)
    while float(text) == alpha and p != alpha and decimals < 6:
        decimals += 1
        text = format_number(p, decimals)
    return f"p = {text}"


def _plain_share(share: float) -> str:
    """A share of variation as a whole percent: ``18%``, ``less than 1%``, ``none``."""
    if share <= 0.0:
        return "none"
    percent = share * 100.0
    if percent < 0.5:
        return "less than 1%"
    return f"{format_number(percent, 0)}%"
