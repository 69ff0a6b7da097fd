"""Matching anonymous codes across pre, post and follow-up, within a cohort.

CONTRACT (filled in by the matching work; see docs/decisions/0001-architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from imheval.scoring import ScoredTable

MatchMode = Literal["exact", "tolerant"]


@dataclass(frozen=True, slots=True)
class ProbableMatch:
    """Two codes in one cohort that probably belong to one person; a person must confirm."""

    cohort: str
    earlier_timepoint: str
    earlier_code: str
    later_timepoint: str
    later_code: str
    reason: str  # "one character different" | "one code part different"
    profession: str
    directorate: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of matching.

    ``people``: one row per person (cohort + participant code; accepted probable matches are
    merged under the earlier code), columns: cohort, participant, programme, directorate,
    profession, ``present_pre``, ``present_post``, ``present_followup`` (bool) and, for every
    domain d and timepoint t, a float column ``f"{d}@{t}"`` (NaN = not measured).
    ``cohorts``: one row per cohort: cohort, programme, n_pre, n_post, n_followup,
    n_matched (pre and post), n_pre_only, n_post_only, n_followup_matched (pre, post and
    follow-up).
    """

    people: pd.DataFrame
    cohorts: pd.DataFrame
    mode: MatchMode
    probable_matches: tuple[ProbableMatch, ...]
    accepted_matches: tuple[ProbableMatch, ...]
    duplicate_codes: tuple[tuple[str, tuple[str, ...]], ...]  # (code, cohorts it appears in)

    def pairs(self, domain: str, first: str = "pre", second: str = "post") -> pd.DataFrame:
        """Complete pairs for one domain: cohort, programme, directorate, profession,
        participant, ``first``, ``second`` (floats, no NaN)."""
        raise NotImplementedError


def match(
    scored: ScoredTable,
    mode: MatchMode = "exact",
    accepted: Iterable[tuple[str, str, str]] = (),
) -> MatchResult:
    """Link codes across timepoints within each cohort.

    ``accepted`` holds (cohort, earlier_code, later_code) triples a person has confirmed
    (e.g. from a previous run's probable-match list); only those are merged.
    """
    raise NotImplementedError
