"""The test-retest study of a questionnaire: a pilot file in, one frozen result out.

The same people answer the questionnaire twice with no training in between. The responses file
has the usual layout (docs/data-format.md); the first administration is coded ``pre`` and the
retest ``post`` (the reader knows only pre, post and followup). Codes are matched exactly within
each cohort, as in :func:`imheval.evaluate_file`. ``imheval reliability`` is a thin shell over
:func:`retest_study`; the statistics themselves are in :mod:`imheval.stats.reliability`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.instruments import Instrument
from imheval.instruments.model import KeyedItem, RatingItem
from imheval.io import read_responses
from imheval.matching import MatchResult, match
from imheval.scoring import (
    ItemOutcome,
    MissingPolicy,
    chosen_options,
    score_items,
    scores_from_totals,
)
from imheval.stats.reliability import TestRetestResult, test_retest

#: The timepoints the two administrations are read from.
FIRST: Final = "pre"
SECOND: Final = "post"

#: Outcomes that are real answers; blank, invalid and not-administered items are left out of
#: kappa (a blank retest answer is not a disagreement about the item's content).
_ANSWERED = (int(ItemOutcome.SCORED), int(ItemOutcome.WRONG))


@dataclass(frozen=True, slots=True)
class RetestStudy:
    """A test-retest study: who answered when, and the reliability of each domain and item.

    ``n_first`` and ``n_retest`` count the people seen at each administration, ``n_both`` those
    matched across the two (the people ICC and kappa are computed on). ``instruments`` holds
    (id, version) of each form scored (empty for already-scored totals); ``domain_labels`` maps
    a domain id to its label. ``reliability`` has ICC(A,1) per domain and kappa per item (no
    items for totals). ``notes`` are plain-English notes for the reader: the reader's warnings,
    then how the figures were made.
    """

    source: str
    instruments: tuple[tuple[str, str], ...]
    n_first: int
    n_retest: int
    n_both: int
    domain_labels: Mapping[str, str]
    reliability: TestRetestResult
    notes: tuple[str, ...]

    def label(self, domain: str | None) -> str:
        """The label of ``domain`` ("" for None, the id itself when it has no label)."""
        if domain is None:
            return ""
        return self.domain_labels.get(domain, domain)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers): the --json document."""
        document = self.reliability.to_dict()
        for domain in document["domains"]:
            domain["label"] = self.label(domain["domain"])
        return {
            "source": self.source,
            "instruments": [{"id": id_, "version": version} for id_, version in self.instruments],
            "n_first": self.n_first,
            "n_retest": self.n_retest,
            "n_both": self.n_both,
            "domain_labels": dict(self.domain_labels),
            "domains": document["domains"],
            "items": document["items"],
            "notes": list(self.notes),
        }


def retest_study(
    path: str | os.PathLike[str], instruments: Sequence[Instrument] = ()
) -> RetestStudy:
    """Read, score and match a pilot file and return its test-retest reliability.

    With ``instruments`` the item answers are scored (seed rule for the domain totals) and
    each item's agreement is computed on the answers given both times; without, every
    numeric column is an already-scored domain total and there are no items.

    Raises the library's errors: :class:`~imheval.errors.DataFormatError` for a bad file,
    :class:`~imheval.errors.AnalysisError` when nobody answered both times (the message says
    how to code the two administrations).
    """
    item_ids = [item.id for instrument in instruments for item in instrument.items]
    table = read_responses(path, item_columns=item_ids or None)
    scored = (
        score_items(table, list(instruments), MissingPolicy.SEED)
        if instruments
        else scores_from_totals(table)
    )
    matched = match(scored)
    people = matched.people
    both = people["present_pre"].to_numpy(bool) & people["present_post"].to_numpy(bool)
    n_first, n_second, n_both = (
        int(people["present_pre"].sum()),
        int(people["present_post"].sum()),
        int(both.sum()),
    )
    if n_both == 0:
        raise AnalysisError(
            f"{table.source}: nobody answered both times (first administration: {n_first} "
            f"people, retest: {n_second}). Code the first administration as timepoint 'pre' "
            "and the retest as 'post', with the same participant code and cohort both times."
        )
    domain_ids = [info.id for info in scored.domains]
    first = pd.DataFrame({d: people[f"{d}@{FIRST}"].to_numpy(float) for d in domain_ids})
    second = pd.DataFrame({d: people[f"{d}@{SECOND}"].to_numpy(float) for d in domain_ids})
    items_first = items_second = options_first = options_second = None
    keyed = {
        item.id: item
        for instrument in instruments
        for item in instrument.items
        if isinstance(item, KeyedItem)
    }
    scales = {
        item.id: _scale_points(instrument, item)
        for instrument in instruments
        for item in instrument.items
        if isinstance(item, RatingItem) and item.scale in instrument.scales
    }
    if scored.item_points is not None and scored.item_outcomes is not None:
        answered = scored.item_outcomes.isin(_ANSWERED)
        answers = scored.item_points.where(answered)
        items_first, items_second = (
            _aligned_items(scored.frame, answers, matched, t) for t in (FIRST, SECOND)
        )
        keyed_ids = [i for i in answers.columns if i in keyed and i in table.frame.columns]
        if keyed_ids:
            options = pd.DataFrame(
                {i: _option_numbers(table.frame[i], keyed[i]) for i in keyed_ids},
                index=scored.frame.index,
            ).where(answered[keyed_ids])
            options_first, options_second = (
                _aligned_items(scored.frame, options, matched, t) for t in (FIRST, SECOND)
            )
    result = test_retest(
        first,
        second,
        items_first,
        items_second,
        item_domains=dict(scored.item_domains or {}),
        options_first=options_first,
        options_second=options_second,
        rating_scales=scales,
        option_codes={i: tuple(item.options) for i, item in keyed.items()},
    )
    notes = [
        "The first administration is read from timepoint 'pre' and the retest from 'post'.",
        "ICC(A,1) counts a systematic shift between the two administrations as disagreement; "
        "ICC(C,1), which ignores it, is in the JSON details.",
        "Limits of agreement, the standard error of measurement (SEM, de Vet et al. 2006) and "
        "the smallest detectable change are in score points; differences are retest minus "
        "first.",
    ]
    if instruments:
        notes.append(
            "Domain totals use the zero rule (wrong, missing and invalid answers score 0); "
            "item agreement uses only the answers given both times."
        )
        if keyed:
            notes.append(
                "For questions with an answer key, 'same option' compares the option chosen and "
                "'same score' compares right or wrong: two different wrong options agree on the "
                "score but not on the option."
            )
        if scales:
            notes.append(
                "For rating items, kappa compares the exact rating; weighted kappa (linear and "
                "quadratic weights) gives partial credit for a near miss."
            )
        if any(item.kappa.ci_reason for item in result.items):
            notes.append(
                "No CI is shown for a kappa whose large-sample standard error is 0 (perfect "
                "agreement, or one administration gave a single answer)."
            )
    if (table.frame["timepoint"] == "followup").any():
        notes.append("Follow-up rows were ignored: a test-retest pilot has two administrations.")
    return RetestStudy(
        source=table.source,
        instruments=tuple((i.id, i.version) for i in instruments),
        n_first=n_first,
        n_retest=n_second,
        n_both=n_both,
        domain_labels={info.id: info.label for info in scored.domains},
        reliability=result,
        notes=(*table.warnings, *notes),
    )


def _option_numbers(answers: pd.Series, item: KeyedItem) -> np.ndarray:
    """Each answer's option as its position among the item's options (NaN if none)."""
    position = {code: float(n) for n, code in enumerate(item.options)}
    chosen = chosen_options(answers, item)
    return np.array([position.get(code, np.nan) for code in chosen], dtype=float)


def _scale_points(instrument: Instrument, item: RatingItem) -> tuple[float, ...]:
    scale = instrument.scales[item.scale]
    return tuple(float(point) for point in range(scale.min, scale.max + 1))


def _aligned_items(
    frame: pd.DataFrame, points: pd.DataFrame, matched: MatchResult, timepoint: str
) -> pd.DataFrame:
    """Item points at ``timepoint``, one row per person of ``matched`` (NaN if not answered)."""
    rows = (frame["timepoint"] == timepoint).to_numpy()
    keys = _person_keys(frame["cohort"], frame["participant"])[rows]
    at_timepoint = points.loc[rows].set_axis(pd.Index(keys), axis=0)
    people = matched.people
    wanted = _person_keys(people["cohort"], people["participant"])
    # match() has already refused a code used twice at one timepoint, so keys are unique.
    return at_timepoint.reindex(pd.Index(wanted)).reset_index(drop=True)


def _person_keys(cohorts: pd.Series, codes: pd.Series) -> np.ndarray:
    return (cohorts.astype(str) + "\x1f" + codes.astype(str)).to_numpy(dtype=object)
