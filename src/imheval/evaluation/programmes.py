"""Did the gain differ between programmes? The programme-by-time mixed model of one domain, and
how alike people trained together gained (the cohort ICC of the change scores, the design
effect).

:func:`programme_analysis` is called by :func:`imheval.evaluation.deeper.deeper_analyses`; its
result sits in ``DomainExtras.programme_model`` and its ``to_dict()`` in the JSON under that
key (docs/evaluation-json.md, "programme_model"). The statistics are
:mod:`imheval.stats.mixed.interaction`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from imheval.evaluation.group_rule import tested_groups
from imheval.findings.model import Finding, Stats, finding
from imheval.findings.wording import people
from imheval.scoring import DomainInfo
from imheval.stats.apa import format_number
from imheval.stats.mixed.interaction import (
    TIMES,
    CodedScores,
    CohortIcc,
    ProgrammeTimeModel,
    coded_cohort_icc,
    coded_programme_time_model,
    participant_codes,
    person_codes,
    text_codes,
)

#: Programme labels that mean "not recorded".
_UNRECORDED = frozenset({"", "nan", "none", "<na>"})

#: Below this ICC, people trained together gained no more alike than anyone else, in words.
ICC_NEGLIGIBLE = 0.01

#: From this ICC of the gains on, a model without cohort slopes may overstate programme
#: differences (its df count people, not cohorts): ``ProgrammeModel.caution`` says so.
OVERCONFIDENT_ICC = 0.05

OVERCONFIDENT = (
    "cohorts' gains differed (ICC of the gains {icc:.2f}) and the model could not give each "
    "cohort its own gain, so the programme comparison counts people more than cohorts: its "
    "p-value and intervals may be too narrow"
)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A programme left out of the model, with its number of people (None when too few to show)
    and why."""

    programme: str
    n_participants: int | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "n_participants": self.n_participants,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ProgrammeModel:
    """The programme-by-time model of one domain, the cohort ICC and the design effect.

    ``icc`` is computed whenever 2 or more cohorts have matched people; ``model`` only when 2
    or more programmes are shown in the breakdown by programme (at least ``min_group_size``
    people measured before and after, and not hidden to protect a smaller programme; otherwise
    None, and ``model_reason`` says why). ``left_out`` lists the other programmes;
    ``n_unrecorded`` counts people whose programme was not recorded (left out of the model,
    kept in the ICC); ``n_matched`` counts the model's people measured before and after (the
    model also uses the scores of its people measured once).
    """

    n_participants: int
    n_cohorts: int
    icc: CohortIcc
    model: ProgrammeTimeModel | None = None
    model_reason: str | None = None
    left_out: tuple[LeftOut, ...] = ()
    n_unrecorded: int = 0
    n_matched: int | None = None

    @property
    def caution(self) -> str | None:
        """Why the programme comparison may be overconfident (None when there is no cause)."""
        model, icc = self.model, self.icc.icc
        if model is None or not model.computed or model.structure == "slopes" or icc is None:
            return None
        return OVERCONFIDENT.format(icc=icc) if icc >= OVERCONFIDENT_ICC else None

    @property
    def reason(self) -> str | None:
        """Why the programme comparison is not given (None when it is)."""
        if self.model is None:
            return self.model_reason
        return self.model.reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_participants": self.n_participants,
            "n_cohorts": self.n_cohorts,
            "icc": self.icc.to_dict(),
            "model": self.model.to_dict() if self.model is not None else None,
            "model_reason": self.model_reason,
            "left_out": [item.to_dict() for item in self.left_out],
            "n_unrecorded": self.n_unrecorded,
            "n_matched": self.n_matched,
            "caution": self.caution,
            "reason": self.reason,
        }


def programme_analysis(long: pd.DataFrame, min_group_size: int) -> ProgrammeModel | None:
    """``long``: one row per score of each person matched across timepoints (columns cohort,
    participant, programme, time, score; programme "" where not recorded). None when fewer than
    two cohorts have people; otherwise the ICC, and the model of the programmes the breakdown
    by programme shows.

    Which programmes are modelled is the breakdown's rule
    (:func:`~imheval.evaluation.group_rule.tested_groups` on the people measured before and
    after): a programme with fewer than ``min_group_size`` such people is left out, and so is
    one the breakdown hides to protect it; otherwise the model's change for a hidden programme
    would print what the breakdown hides. Programmes with no one measured both times are left
    out too (they have no change). The model needs two or more programmes kept; it uses every
    score of the people in them (also of those measured once).
    """
    # Everything below works on integer codes: text is made of the distinct values only.
    cohort, cohort_labels = text_codes(long["cohort"], strip=True)
    programme_raw, programme_text = text_codes(long["programme"], strip=True)
    # unrecorded programmes are "" (code 0 among the sorted texts, with "" first)
    programme_texts = ["" if name.lower() in _UNRECORDED else name for name in programme_text]
    programme_names, programme_of_text = np.unique(
        np.array(["", *programme_texts], dtype=object), return_inverse=True
    )
    programme = np.asarray(programme_of_text, dtype=np.int64)[1:][programme_raw]
    person = person_codes(cohort, participant_codes(long["participant"], strip=False))
    n_persons = int(person.max()) + 1 if person.size else 0
    blank = cohort_labels.index("") if "" in cohort_labels else -1
    used_cohorts = np.bincount(cohort, minlength=len(cohort_labels)) > 0
    n_cohorts = int(np.count_nonzero(used_cohorts)) - int(blank >= 0 and used_cohorts[blank])
    if n_cohorts < 2:
        return None
    score = pd.to_numeric(long["score"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    time, time_texts = text_codes(long["time"], strip=False, sort=False)
    before = _first_score(score, person, time == _index(time_texts, "pre"), n_persons)
    after = _first_score(score, person, time == _index(time_texts, "post"), n_persons)
    both = ~np.isnan(before) & ~np.isnan(after)
    person_cohort = np.zeros(n_persons, dtype=np.int64)
    person_cohort[person] = cohort
    icc = coded_cohort_icc((after - before)[both], person_cohort[both])
    recorded = programme != 0
    unrecorded_people = np.zeros(n_persons, dtype=bool)
    unrecorded_people[person[~recorded]] = True
    n_unrecorded = int(np.count_nonzero(unrecorded_people))
    # each person's programme is the one on their first row
    programme_of = programme[_first_rows(np.arange(person.size), person, n_persons)]
    names = np.asarray(programme_names, dtype=object)
    matched = pd.DataFrame({"programme": names[programme_of[both]]})
    shown = tested_groups(matched, "programme", min_group_size)
    matched_counts = np.bincount(programme_of[both], minlength=names.size)
    n_matched = {str(names[i]): int(matched_counts[i]) for i in np.flatnonzero(matched_counts)}
    recorded_codes = np.flatnonzero(np.bincount(programme[recorded], minlength=names.size))
    recorded_names = [str(names[i]) for i in recorded_codes.tolist()]
    kept = [name for name in recorded_names if n_matched.get(name, 0) and name not in shown.hidden]
    left_out = tuple(
        LeftOut(name, None, _left_out_reason(n_matched.get(name, 0), min_group_size))
        for name in recorded_names
        if name not in kept
    )
    result = ProgrammeModel(
        n_participants=n_persons,
        n_cohorts=n_cohorts,
        icc=icc,
        left_out=left_out,
        n_unrecorded=n_unrecorded,
    )
    if len(kept) < 2:
        why = (
            "no programme was recorded"
            if not recorded_names
            else "only one programme was recorded"
            if len(recorded_names) == 1
            else "fewer than two programmes are shown in the breakdown by programme (each "
            f"needs {min_group_size} or more people measured before and after training)"
        )
        return _with(result, model_reason=why)
    model_scores = _model_scores(
        long, score, cohort, cohort_labels, programme, names, kept, (time, time_texts)
    )
    return _with(
        result,
        model=coded_programme_time_model(model_scores),
        n_matched=int(sum(n_matched[name] for name in kept)),
    )


def _index(texts: list[str], text: str) -> int:
    """The position of ``text`` in ``texts``, -1 when it is not there."""
    return texts.index(text) if text in texts else -1


def _first_score(
    score: np.ndarray, person: np.ndarray, at_time: np.ndarray, n_persons: int
) -> np.ndarray:
    """Each person's first score (in row order) at the rows ``at_time`` selects that have a
    score; NaN for a person with none."""
    rows = np.flatnonzero(at_time & ~np.isnan(score))
    found = np.full(n_persons, np.nan)
    first = _first_rows(rows, person[rows], n_persons)
    has = first >= 0
    found[has] = score[first[has]]
    return found


def _first_rows(rows: np.ndarray, person: np.ndarray, n_persons: int) -> np.ndarray:
    """Each person's first of ``rows`` (their ``person``), -1 for a person with none. An
    assignment through repeated indices leaves the last value (NumPy's rule), so the rows go
    in backwards."""
    first = np.full(n_persons, -1, dtype=np.int64)
    first[person[::-1]] = rows[::-1]
    return first


def _model_scores(
    long: pd.DataFrame,
    score: np.ndarray,
    cohort: np.ndarray,
    cohort_labels: list[str],
    programme: np.ndarray,
    programme_names: np.ndarray,
    kept: list[str],
    times: tuple[np.ndarray, list[str]],
) -> CodedScores:
    """The scores the programme model uses, as codes: those of the ``kept`` programmes, with
    a score, a participant, a cohort that is not blank and a time of :data:`TIMES` (the
    model's rule, with participant and time stripped as the model strips them; ``times`` are
    the codes and texts of the times, a missing time's text being "nan")."""
    time_code, time_texts = times
    time = np.array([_index(list(TIMES), text.strip()) for text in time_texts], dtype=np.int64)[
        time_code
    ]
    kept_codes = [int(np.flatnonzero(programme_names == name)[0]) for name in kept]
    blank = cohort_labels.index("") if "" in cohort_labels else -1
    keep = (
        np.isin(programme, kept_codes)
        & (cohort != blank)
        & (time >= 0)
        & ~np.isnan(score)
        & ~long["participant"].isna().to_numpy()
    )
    participant = participant_codes(long["participant"][keep], strip=True)
    return CodedScores(
        score[keep],
        cohort[keep],
        person_codes(cohort[keep], participant),
        programme[keep],
        time[keep],
        tuple(cohort_labels),
        tuple(str(name) for name in programme_names),
    )


def _left_out_reason(n_matched: int, min_group_size: int) -> str:
    if n_matched == 0:
        return "no one was measured both before and after training"
    if n_matched < min_group_size:
        return (
            f"fewer than {min_group_size} people measured before and after training, too few "
            "to show or compare"
        )
    # its change would give the smaller one's back, with the overall change
    return "hidden to protect a smaller programme, as in the breakdown by programme"


def _with(result: ProgrammeModel, **changes: Any) -> ProgrammeModel:
    return replace(result, **changes)


def programme_findings(
    result: ProgrammeModel | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result``: the cohort ICC and design effect, and whether
    the gain differed between programmes (none when it is None)."""
    if result is None:
        return []
    found: list[Finding] = []
    icc_finding = _icc_finding(result.icc, info)
    if icc_finding is not None:
        found.append(icc_finding)
    model = result.model
    if model is None or not model.computed or model.interaction is None:
        return found
    found.append(_programme_finding(model, info, result.caution, result.n_matched))
    return found


def _icc_finding(icc: CohortIcc, info: DomainInfo) -> Finding | None:
    if not icc.computed or icc.icc is None or icc.design_effect is None:
        return None
    size = icc.mean_cohort_size or 0.0
    effective = icc.effective_n or 0.0
    stats = Stats(
        f"ICC = {format_number(icc.icc)}, design effect = {format_number(icc.design_effect)}, "
        f"{icc.n_cohorts} cohorts"
    )
    if icc.icc < ICC_NEGLIGIBLE:
        words = (
            f"People trained together gained no more alike in {info.label} than people from "
            f"different cohorts, so the {people(icc.n_participants)} count as about "
            f"{effective:.0f} independent people"
        )
    else:
        words = (
            f"People trained together gained {'slightly ' if icc.icc < 0.05 else ''}more alike "
            f"in {info.label} than people from "
            f"different cohorts: {icc.icc:.0%} of the differences in gain lay between cohorts; "
            f"with about {size:.0f} people a cohort, the {people(icc.n_participants)} carry "
            f"about as much information as {effective:.0f} independent people"
        )
    return finding(
        "cohort_icc",
        info.id,
        words,
        stats,
        ".",
        comparison="gain_by_cohort",
        people=icc.n_participants,
        figures={
            "icc": icc.icc,
            "design_effect": icc.design_effect,
            "effective_n": icc.effective_n,
            "mean_cohort_size": icc.mean_cohort_size,
            "n_cohorts": icc.n_cohorts,
        },
    )


def _programme_finding(
    model: ProgrammeTimeModel, info: DomainInfo, caution: str | None, n_matched: int | None
) -> Finding:
    test = model.interaction
    assert test is not None
    alpha = 1 - model.confidence
    differed = test.p < alpha
    posts = [c for c in model.changes if c.time == "post"]
    listing = "; ".join(
        f"{c.programme} {c.estimate:+.1f} points ({model.confidence:.0%} CI {c.ci.low:.1f} to "
        f"{c.ci.high:.1f})"
        for c in posts
    )
    # the model uses every score of its people, also of those measured once: say both counts
    who = people(model.n_participants)
    if n_matched is not None and n_matched != model.n_participants:
        who += f", {n_matched} of them measured before and after"
    allowing = (
        f"allowing for {model.n_cohorts} cohorts and {who}"
        if model.structure != "participant"
        else f"allowing for {who} (not for differences between cohorts: there are fewer than 5)"
    )
    verdict = (
        f"The gain in {info.label} differed between programmes"
        if differed
        else f"The gain in {info.label} did not clearly differ between programmes"
    )
    return finding(
        "programme_difference",
        info.id,
        f"{verdict} ({allowing}): {listing}",
        Stats(test.apa()),
        "." if caution is None else f"; but {caution}.",
        comparison="gain_by_programme",
        people=model.n_participants,
        figures={
            "f": test.f,
            "numerator_df": test.numerator_df,
            "denominator_df": test.denominator_df,
            "p": test.p,
            "structure": model.structure,
            "n_cohorts": model.n_cohorts,
            "n_matched": n_matched,
        },
    )
