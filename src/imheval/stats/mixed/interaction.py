"""Did the gain differ between programmes? The programme-by-time mixed model, and the cohort
ICC of the change scores with its design effect.

:func:`programme_time_model` fits, by REML as lme4 (see :mod:`.general`), the first of these
the data support, and says which and why:

1. ``score ~ time * programme + (1 + time | cohort) + (1 | cohort:participant)``: 5 or more
   cohorts and a fit that is not singular (every SD above lme4's 1e-4 tolerance);
2. ``score ~ time * programme + (1 | cohort) + (1 | cohort:participant)``: 5 or more cohorts;
3. ``score ~ time * programme + (1 | participant)``: fewer than 5 cohorts. Cohort cannot then be
   a fixed effect, since programme is the same for everyone in a cohort, so cohort differences
   are not allowed for (the reason says so).

The interaction ``time:programme`` is tested as lmerTest's ``anova(model)`` (an F test with
Satterthwaite denominator df; with two programmes and pre/post only it is the square of the one
coefficient's t), and each programme's estimated change from pre is a contrast tested as
``contest1D``. :func:`cohort_icc` is ``lmer(gain ~ 1 + (1 | cohort))`` by REML.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import BoolArray, FloatArray, IntArray, finite_or_none
from imheval.stats.apa import format_number, format_p
from imheval.stats.mixed.contrasts import (
    ManyDf,
    many_contrasts,
    one_contrast,
    satterthwaite,
)
from imheval.stats.mixed.general import Fit, Problem, fit, one_blas_thread
from imheval.stats.mixed.results import FixedEffect
from imheval.stats.results import ConfidenceInterval

MIN_COHORTS_FOR_RANDOM: Final = 5
TIMES: Final = ("pre", "post", "followup")

FORMULAS: Final = {
    "slopes": "score ~ time * programme + (1 + time | cohort) + (1 | cohort:participant)",
    "intercepts": "score ~ time * programme + (1 | cohort) + (1 | cohort:participant)",
    "participant": "score ~ time * programme + (1 | participant)",
}


@dataclass(frozen=True, slots=True)
class InteractionTest:
    """The F test of all time:programme terms (lmerTest's anova, Satterthwaite ddf)."""

    f: float
    numerator_df: int
    denominator_df: float | None
    p: float

    def apa(self) -> str:
        ddf = "inf" if self.denominator_df is None else format_number(self.denominator_df, 1)
        return f"F({self.numerator_df}, {ddf}) = {format_number(self.f)}, {format_p(self.p)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "f": finite_or_none(self.f),
            "numerator_df": self.numerator_df,
            "denominator_df": finite_or_none(self.denominator_df),
            "p": finite_or_none(self.p),
        }


@dataclass(frozen=True, slots=True)
class ProgrammeChange:
    """One programme's estimated mean change from pre to ``time`` (score points), with its
    t-test (Satterthwaite df) and CI, and the number of people in the model."""

    programme: str
    time: str
    n_participants: int
    estimate: float
    se: float
    df: float | None
    p: float
    ci: ConfidenceInterval

    def to_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "time": self.time,
            "n_participants": self.n_participants,
            "estimate": finite_or_none(self.estimate),
            "se": finite_or_none(self.se),
            "df": finite_or_none(self.df),
            "p": finite_or_none(self.p),
            "ci": self.ci.to_list(),
        }


@dataclass(frozen=True, slots=True)
class ProgrammeTimeModel:
    """The fitted programme-by-time model, or why it was not fitted (``reason``)."""

    structure: str  # "slopes", "intercepts" or "participant"
    structure_reason: str
    n_observations: int
    n_participants: int
    n_cohorts: int
    programmes: tuple[str, ...]
    formula: str = ""
    fixed_effects: tuple[FixedEffect, ...] = ()
    interaction: InteractionTest | None = None
    changes: tuple[ProgrammeChange, ...] = ()
    cohort_terms: tuple[str, ...] = ()
    cohort_covariance: tuple[tuple[float, ...], ...] = ()
    participant_variance: float | None = None
    residual_variance: float | None = None
    log_likelihood: float | None = None
    singular: bool = False
    confidence: float = 0.95
    notes: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "structure": self.structure,
            "structure_reason": self.structure_reason,
            "n_observations": self.n_observations,
            "n_participants": self.n_participants,
            "n_cohorts": self.n_cohorts,
            "programmes": list(self.programmes),
            "fixed_effects": [effect.to_dict() for effect in self.fixed_effects],
            "interaction": self.interaction.to_dict() if self.interaction else None,
            "changes": [change.to_dict() for change in self.changes],
            "cohort_terms": list(self.cohort_terms),
            "cohort_covariance": [
                [finite_or_none(v) for v in row] for row in self.cohort_covariance
            ],
            "participant_variance": finite_or_none(self.participant_variance),
            "residual_variance": finite_or_none(self.residual_variance),
            "log_likelihood": finite_or_none(self.log_likelihood),
            "singular": self.singular,
            "confidence": self.confidence,
            "notes": list(self.notes),
            "computed": self.computed,
            "reason": self.reason,
        }


_SLOPES_SINGULAR: Final = (
    "random time slopes by cohort were tried but their fit was singular (a variance estimated "
    "at zero or a correlation at +-1), so cohorts differ only in their level here"
)
_SLOPES_FAILED: Final = (
    "random time slopes by cohort were tried but could not be fitted, so cohorts differ only "
    "in their level here"
)
_FEW_COHORTS: Final = (
    "with fewer than 5 cohorts a cohort variance cannot be estimated reliably, and cohort "
    "cannot be a fixed effect beside programme (each cohort had one programme), so the model "
    "allows for repeated scores of each person but not for differences between cohorts: the "
    "programme difference may be overstated"
)


@dataclass(frozen=True, slots=True)
class CodedScores:
    """Scores as integer codes, one entry a score: ``cohort`` into ``cohort_labels`` and
    ``programme`` into ``programme_labels`` (both sorted as Python sorts text), ``time`` into
    :data:`TIMES`, ``person`` numbering people (the same participant code in two cohorts is two
    people). Grouping text is slow; these group with ``np.bincount``."""

    score: FloatArray
    cohort: IntArray
    person: IntArray
    programme: IntArray
    time: IntArray
    cohort_labels: tuple[str, ...]
    programme_labels: tuple[str, ...]

    def rows(self, keep: BoolArray) -> CodedScores:
        """The scores ``keep`` selects (codes and labels unchanged)."""
        return CodedScores(
            self.score[keep],
            self.cohort[keep],
            self.person[keep],
            self.programme[keep],
            self.time[keep],
            self.cohort_labels,
            self.programme_labels,
        )


def text_codes(values: pd.Series, *, strip: bool, sort: bool = True) -> tuple[IntArray, list[str]]:
    """Each row's code into the distinct values as text (``str(value)``, stripped when
    ``strip``; a missing value as ``str`` gives it, as ``astype(str)`` did), and those texts:
    sorted as Python sorts text when ``sort``, else in order of first appearance. Values equal
    as text are one code. The text is made of the distinct values only, not of every row."""
    raw, uniques = pd.factorize(values, use_na_sentinel=False)
    text = np.array(
        [str(value).strip() if strip else str(value) for value in uniques], dtype=object
    )
    if sort:
        names, inverse = np.unique(text, return_inverse=True) if text.size else (text, raw[:0])
    else:
        inverse, names = pd.factorize(text)
    codes = np.asarray(inverse, dtype=np.int64)[raw]
    return codes, [str(name) for name in names]


def person_codes(cohort: IntArray, participant: IntArray) -> IntArray:
    """One code per (cohort, participant), numbered in cohort order (so each cohort's people
    are one range of codes)."""
    if cohort.size == 0:
        return np.zeros(0, dtype=np.int64)
    key = cohort * (int(participant.max()) + 1) + participant
    _, person = np.unique(key, return_inverse=True)
    return np.asarray(person, dtype=np.int64)


def participant_codes(values: pd.Series, *, strip: bool) -> IntArray:
    """Codes telling participants apart as text (stripped when ``strip``); whole numbers are
    told apart as they are, which is the same and avoids making text of every id."""
    if pd.api.types.is_integer_dtype(values.dtype):
        return np.asarray(pd.factorize(values)[0], dtype=np.int64)
    return text_codes(values, strip=strip, sort=False)[0]


def _dense(codes: IntArray) -> tuple[IntArray, BoolArray]:
    """``codes`` renumbered 0, 1, ... over the codes used, keeping their order, and which of
    the old codes were used."""
    used = np.bincount(codes) > 0 if codes.size else np.zeros(0, dtype=bool)
    return (np.cumsum(used) - 1)[codes].astype(np.int64), used


def _frame(long: pd.DataFrame) -> CodedScores:
    """The complete rows of ``long`` as codes: a missing value anywhere leaves a row out; text
    is stripped; a blank cohort or programme, or a time not in :data:`TIMES`, leaves it out."""
    frame = long.loc[:, ["cohort", "participant", "programme", "time", "score"]]
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(score) & ~frame.drop(columns="score").isna().any(axis=1).to_numpy()
    frame, score = frame[complete], score[complete]
    cohort, cohort_labels = text_codes(frame["cohort"], strip=True)
    programme, programme_labels = text_codes(frame["programme"], strip=True)
    time_raw, time_labels = text_codes(frame["time"], strip=True)
    time_of = np.array([TIMES.index(t) if t in TIMES else -1 for t in time_labels] + [-1])
    time = time_of[time_raw]
    participant = participant_codes(frame["participant"], strip=True)
    coded = CodedScores(
        score,
        cohort,
        person_codes(cohort, participant),
        programme,
        time,
        tuple(cohort_labels),
        tuple(programme_labels),
    )
    blank_cohort = cohort_labels.index("") if "" in cohort_labels else -1
    blank_programme = programme_labels.index("") if "" in programme_labels else -1
    return coded.rows((cohort != blank_cohort) & (programme != blank_programme) & (time >= 0))


def programme_time_model(
    long: pd.DataFrame, confidence: float = 0.95, structure: str = "auto"
) -> ProgrammeTimeModel:
    """Fit the programme-by-time model to ``long`` (columns cohort, participant, programme,
    time in pre/post/followup, score); rows with anything missing are left out.

    ``structure`` "auto" chooses as the module says; "slopes", "intercepts" or "participant"
    force a model (a forced "slopes" is kept even when singular), for checks against R."""
    _check_structure(structure)
    return coded_programme_time_model(_frame(long), confidence, structure)


def _check_structure(structure: str) -> None:
    if structure not in ("auto", "slopes", "intercepts", "participant"):
        raise AnalysisError(
            f"structure must be 'auto', 'slopes', 'intercepts' or 'participant', got {structure!r}"
        )


def coded_programme_time_model(
    coded: CodedScores, confidence: float = 0.95, structure: str = "auto"
) -> ProgrammeTimeModel:
    """:func:`programme_time_model` of scores already coded (every score complete, its cohort
    and programme not blank)."""
    chosen = structure
    _check_structure(chosen)
    programme_code, programme_used = _dense(coded.programme)
    programmes = tuple(coded.programme_labels[i] for i in np.flatnonzero(programme_used).tolist())
    time_code, time_used = _dense(coded.time)
    times = tuple(TIMES[i] for i in np.flatnonzero(time_used).tolist())
    cohort_code, cohort_used = _dense(coded.cohort)
    person_code, person_used = _dense(coded.person)
    n_cohorts = int(np.count_nonzero(cohort_used))
    structure = "intercepts" if n_cohorts >= MIN_COHORTS_FOR_RANDOM else "participant"
    if chosen in ("intercepts", "participant"):
        structure = chosen
    base = ProgrammeTimeModel(
        structure=structure,
        structure_reason="" if structure == "intercepts" else _FEW_COHORTS,
        n_observations=int(coded.score.size),
        n_participants=int(np.count_nonzero(person_used)),
        n_cohorts=n_cohorts,
        programmes=programmes,
        formula=FORMULAS[structure],
        confidence=confidence,
    )
    if chosen != "auto":
        base = _replace(base, structure_reason="the model was chosen by the caller")
    why = _why_not(person_code, programmes, times)
    if why is not None:
        return _replace(base, reason=why)
    # the design has one distinct row per time and programme: a cell
    cell = time_code * len(programmes) + programme_code
    x, names = _fixed_design(programmes, times)
    y = coded.score.astype(np.float64)
    with one_blas_thread():
        # X has the row space of its distinct rows (the cells with scores), so their rank
        rank = int(np.linalg.matrix_rank(x[np.bincount(cell, minlength=x.shape[0]) > 0]))
    if rank < x.shape[1]:
        return _replace(base, reason="the programme and time effects cannot be separated")
    cell_time = np.repeat(np.arange(len(times)), len(programmes))
    fitted: Fit | None = None
    if structure == "intercepts" and chosen in ("auto", "slopes"):
        z_slopes = np.column_stack(
            [np.ones(cell_time.size)]
            + [(cell_time == t).astype(float) for t in range(1, len(times))]
        )
        slopes = fit(Problem(y, x, z_slopes, cohort_code, person_code, True, cell))
        if slopes is not None and (chosen == "slopes" or not slopes.singular):
            structure, fitted = "slopes", slopes
            base = _replace(
                base,
                structure="slopes",
                formula=FORMULAS["slopes"],
                structure_reason=(
                    f"with {n_cohorts} cohorts, each cohort has its own level and its own "
                    "change over time (random intercepts and time slopes)"
                ),
            )
        else:
            base = _replace(
                base, structure_reason=_SLOPES_FAILED if slopes is None else _SLOPES_SINGULAR
            )
    if fitted is None:
        z = np.ones((cell_time.size, 1 if structure == "intercepts" else 0))
        cohort_groups = cohort_code if structure == "intercepts" else person_code
        fitted = fit(Problem(y, x, z, cohort_groups, person_code, True, cell))
    if fitted is None:
        return _replace(base, reason="the REML search found no finite likelihood")
    # people in each programme (a person is counted in each programme they have scores in)
    n_persons = int(person_code.max()) + 1
    seen = np.zeros(len(programmes) * n_persons, dtype=bool)
    seen[programme_code * n_persons + person_code] = True
    people = seen.reshape(len(programmes), n_persons).sum(axis=1)
    return _results(base, fitted, people, names, programmes, times, structure)


def _why_not(person: IntArray, programmes: tuple[str, ...], times: tuple[str, ...]) -> str | None:
    if len(programmes) < 2:
        return "fewer than two programmes have scores, so there is nothing to compare"
    if "pre" not in times or len(times) < 2:
        return "there are no pre-test scores with later scores to compare them with"
    if int(np.bincount(person).max()) < 2:
        return "nobody has scores at two times"
    return None


def _fixed_design(
    programmes: tuple[str, ...], times: tuple[str, ...]
) -> tuple[FloatArray, list[str]]:
    """R's model.matrix(~ time * programme) with treatment coding, in R's column order, one
    row per cell (time index x number of programmes + programme index)."""
    time_codes = np.repeat(np.arange(len(times)), len(programmes))
    programme_codes = np.tile(np.arange(len(programmes)), len(times))
    columns = [np.ones(time_codes.size)]
    names = ["(Intercept)"]
    for t in range(1, len(times)):
        columns.append((time_codes == t).astype(float))
        names.append(f"time{times[t]}")
    for g in range(1, len(programmes)):
        columns.append((programme_codes == g).astype(float))
        names.append(f"programme{programmes[g]}")
    for g in range(1, len(programmes)):
        for t in range(1, len(times)):
            columns.append(((time_codes == t) & (programme_codes == g)).astype(float))
            names.append(f"time{times[t]}:programme{programmes[g]}")
    return np.column_stack(columns), names


def _results(
    base: ProgrammeTimeModel,
    fitted: Fit,
    people: IntArray,
    names: list[str],
    programmes: tuple[str, ...],
    times: tuple[str, ...],
    structure: str,
) -> ProgrammeTimeModel:
    level = base.confidence
    derivs = satterthwaite(fitted)
    p = len(names)
    effects = []
    for index, name in enumerate(names):
        contrast = np.zeros(p)
        contrast[index] = 1.0
        one = one_contrast(derivs, fitted.beta, contrast, level)
        effects.append(
            FixedEffect(
                term=name,
                label=name,
                estimate=one.estimate,
                se=one.se,
                statistic=one.statistic,
                df=one.df,
                p=one.p,
                ci=ConfidenceInterval(one.low, one.high, level),
            )
        )
    interaction_rows = [i for i, name in enumerate(names) if ":" in name]
    matrix = np.zeros((len(interaction_rows), p))
    for row, index in enumerate(interaction_rows):
        matrix[row, index] = 1.0
    many: ManyDf | None = many_contrasts(derivs, fitted.beta, matrix)
    changes = []
    for index_g, g in enumerate(programmes):
        for t in times[1:]:
            contrast = np.zeros(p)
            contrast[names.index(f"time{t}")] = 1.0
            if g != programmes[0]:
                contrast[names.index(f"time{t}:programme{g}")] = 1.0
            one = one_contrast(derivs, fitted.beta, contrast, level)
            changes.append(
                ProgrammeChange(
                    programme=g,
                    time=t,
                    n_participants=int(people[index_g]),
                    estimate=one.estimate,
                    se=one.se,
                    df=one.df,
                    p=one.p,
                    ci=ConfidenceInterval(one.low, one.high, level),
                )
            )
    covariance = fitted.cohort_covariance() if structure != "participant" else np.zeros((0, 0))
    terms = (
        ("(Intercept)", *(f"time{t}" for t in times[1:]))
        if structure == "slopes"
        else (("(Intercept)",) if structure == "intercepts" else ())
    )
    notes = [] if derivs.note is None else [derivs.note]
    if fitted.singular:
        notes.append(
            "a variance is estimated at zero (a boundary or 'singular' fit); the fixed effects "
            "remain valid"
        )
    return _replace(
        base,
        fixed_effects=tuple(effects),
        interaction=None
        if many is None
        else InteractionTest(many.f, many.numerator_df, many.denominator_df, many.p),
        changes=tuple(changes),
        cohort_terms=terms,
        cohort_covariance=tuple(tuple(float(v) for v in row) for row in covariance),
        participant_variance=fitted.person_variance(),
        residual_variance=fitted.sigma**2,
        log_likelihood=fitted.log_likelihood,
        singular=fitted.singular,
        notes=tuple(notes),
    )


def _replace(model: ProgrammeTimeModel, **changes: Any) -> ProgrammeTimeModel:
    return replace(model, **changes)


@dataclass(frozen=True, slots=True)
class CohortIcc:
    """The intraclass correlation of cohorts for the change scores and its design effect.

    ``icc`` = s2_cohort / (s2_cohort + s2_residual) from ``lmer(gain ~ 1 + (1 | cohort))``
    (REML); ``mean_cohort_size`` is the arithmetic mean number of people per cohort;
    ``design_effect`` = 1 + (mean_cohort_size - 1) * icc; ``effective_n`` = n / design_effect.
    """

    n_participants: int
    n_cohorts: int
    cohort_variance: float | None = None
    residual_variance: float | None = None
    icc: float | None = None
    mean_cohort_size: float | None = None
    design_effect: float | None = None
    effective_n: float | None = None
    singular: bool = False
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_participants": self.n_participants,
            "n_cohorts": self.n_cohorts,
            "cohort_variance": finite_or_none(self.cohort_variance),
            "residual_variance": finite_or_none(self.residual_variance),
            "icc": finite_or_none(self.icc),
            "mean_cohort_size": finite_or_none(self.mean_cohort_size),
            "design_effect": finite_or_none(self.design_effect),
            "effective_n": finite_or_none(self.effective_n),
            "singular": self.singular,
            "method": "REML lmer(gain ~ 1 + (1 | cohort)); design effect 1 + (m - 1) ICC, "
            "m the mean cohort size",
            "computed": self.computed,
            "reason": self.reason,
        }


def cohort_icc(gains: pd.DataFrame) -> CohortIcc:
    """The ICC of cohorts of ``gains`` (columns cohort, gain: one row per person)."""
    frame = gains.loc[:, ["cohort", "gain"]]
    gain = pd.to_numeric(frame["gain"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(gain) & ~frame["cohort"].isna().to_numpy()
    cohort, _ = text_codes(frame["cohort"][complete], strip=False)
    return coded_cohort_icc(gain[complete], cohort)


def coded_cohort_icc(gain: FloatArray, cohort: IntArray) -> CohortIcc:
    """:func:`cohort_icc` of the (complete) change scores ``gain`` with their ``cohort``
    codes."""
    code, used = _dense(cohort)
    n, n_cohorts = int(gain.size), int(np.count_nonzero(used))
    base = CohortIcc(n_participants=n, n_cohorts=n_cohorts)
    if n_cohorts < 2:
        return _replace_icc(base, reason="the ICC of cohorts needs people from 2 or more cohorts")
    if n <= n_cohorts:
        return _replace_icc(base, reason="each cohort needs 2 or more people with a change score")
    y = gain.astype(np.float64)
    if float(np.var(y)) == 0.0:
        return _replace_icc(base, reason="everyone's change was the same")
    # Rows, not cells: with one random intercept the dense sums cost little, and their
    # arithmetic is the one this fit always had (the search stops at the same point)
    ones = np.ones((n, 1))
    fitted = fit(Problem(y, ones, ones, code, np.arange(n), False))
    if fitted is None:
        return _replace_icc(base, reason="the REML search found no finite likelihood")
    between = float(fitted.cohort_covariance()[0, 0])
    within = fitted.sigma**2
    icc = between / (between + within)
    size = n / n_cohorts
    effect = 1.0 + (size - 1.0) * icc
    return _replace_icc(
        base,
        cohort_variance=between,
        residual_variance=within,
        icc=icc,
        mean_cohort_size=size,
        design_effect=effect,
        effective_n=n / effect,
        singular=fitted.singular,
    )


def _replace_icc(result: CohortIcc, **changes: Any) -> CohortIcc:
    return replace(result, **changes)


__all__ = [
    "FORMULAS",
    "CodedScores",
    "CohortIcc",
    "InteractionTest",
    "ProgrammeChange",
    "ProgrammeTimeModel",
    "coded_cohort_icc",
    "coded_programme_time_model",
    "cohort_icc",
    "participant_codes",
    "person_codes",
    "programme_time_model",
    "text_codes",
]
