"""What matching returns: the matched people and cohorts, probable and accepted matches.

Also the reasons a pair of codes is listed (``ONE_CHARACTER``, ``ONE_PART``, ``CONFIRMED``) and
the error for an accepted match that cannot be one person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError, ImhevalError
from imheval.io.table import TIMEPOINTS

MatchMode = Literal["exact", "tolerant"]

#: Reasons a pair of codes is listed as a probable match.
ONE_CHARACTER: Final = "one character different"
ONE_PART: Final = "one code part different"
#: Reason recorded for an accepted pair that neither rule would have proposed.
CONFIRMED: Final = "confirmed by a person"


class AcceptedMatchError(ImhevalError, ValueError):
    """Raised when a confirmed match names codes that cannot be one person in that cohort."""


@dataclass(frozen=True, slots=True)
class ProbableMatch:
    """Two codes in one cohort that probably belong to one person; a person must confirm.

    ``earlier_timepoint`` / ``later_timepoint`` are the first timepoints at which each code was
    used. ``ambiguous`` is True when either code has two or more candidates, so the reviewer
    must choose (accepting two candidates for one code at the same timepoint is an error).
    """

    cohort: str
    earlier_timepoint: str
    earlier_code: str
    later_timepoint: str
    later_code: str
    reason: str  # "one character different" | "one code part different"
    profession: str
    directorate: str
    ambiguous: bool = False


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

    Details: programme, directorate and profession of a person come from the earliest timepoint
    at which each is non-empty ("" if never recorded). A cohort's programme is its most common
    non-empty programme (ties: alphabetical first). ``n_pre_only`` counts people present at pre
    but not at post, ``n_post_only`` those present at post but not at pre (whatever happened at
    follow-up), so ``n_pre == n_matched + n_pre_only``. Cohorts are in order of first appearance
    in the data; people are sorted by cohort, then code.

    ``row_person`` gives, for each row of the scored table (by position), the position of its
    person in ``people``; :meth:`rows_at` turns it round, so item-level answers can be paired.
    :meth:`pair_people` and :meth:`pair_rows` say which people, and which rows, :meth:`pairs`
    chose.
    """

    people: pd.DataFrame
    cohorts: pd.DataFrame
    mode: MatchMode
    probable_matches: tuple[ProbableMatch, ...]
    accepted_matches: tuple[ProbableMatch, ...]
    duplicate_codes: tuple[tuple[str, tuple[str, ...]], ...]  # (code, cohorts it appears in)
    row_person: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=np.int64), repr=False, compare=False
    )
    row_timepoint: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=object), repr=False, compare=False
    )

    #: For the text columns cohort, programme, directorate and profession: each person's code
    #: into the column's values (those used, sorted as Python sorts text) and those values;
    #: worked out while matching, so people can be grouped without grouping text.
    people_codes: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: Per person (row, in ``people`` order) and timepoint (column, in ``TIMEPOINTS`` order),
    #: the position of their row in the scored table, or -1; worked out once from the above.
    person_rows: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = np.full((len(self.people), len(TIMEPOINTS)), -1, dtype=np.int64)
        for column, timepoint in enumerate(TIMEPOINTS):
            at = np.flatnonzero(self.row_timepoint == timepoint)
            rows[self.row_person[at], column] = at
        rows.flags.writeable = False  # shared by every caller of rows_at and pairs
        object.__setattr__(self, "person_rows", rows)

    def rows_at(self, timepoint: str) -> np.ndarray:
        """Per person (in ``people`` order), the position of their row at ``timepoint`` in the
        scored table, or -1 when they have none."""
        if timepoint not in TIMEPOINTS:
            return np.full(len(self.people), -1, dtype=np.int64)
        rows: np.ndarray = self.person_rows[:, TIMEPOINTS.index(timepoint)].copy()
        return rows

    def pairs(self, domain: str, first: str = "pre", second: str = "post") -> pd.DataFrame:
        """Complete pairs for one domain: cohort, programme, directorate, profession,
        participant, ``first``, ``second`` (floats, no NaN).

        Only people with a score at both timepoints are returned, in ``people`` order (row i
        is the person at ``pair_people(domain, first, second)[i]``). Raises
        :class:`~imheval.errors.AnalysisError` for an unknown domain or timepoint, or when
        ``first == second``.
        """
        first_values, second_values = self._scores(domain, first, second)
        complete = ~np.isnan(first_values) & ~np.isnan(second_values)
        chosen: pd.DataFrame = self.people.loc[
            complete, ["cohort", "programme", "directorate", "profession", "participant"]
        ].reset_index(drop=True)
        chosen[first] = first_values[complete]
        chosen[second] = second_values[complete]
        return chosen

    def pair_people(self, domain: str, first: str = "pre", second: str = "post") -> np.ndarray:
        """The positions in ``people`` of the people :meth:`pairs` returns, in its row order.

        Raises :class:`~imheval.errors.AnalysisError` as :meth:`pairs` does.
        """
        first_values, second_values = self._scores(domain, first, second)
        people: np.ndarray = np.flatnonzero(~np.isnan(first_values) & ~np.isnan(second_values))
        return people

    def pair_rows(
        self, domain: str, first: str = "pre", second: str = "post"
    ) -> tuple[np.ndarray, np.ndarray]:
        """The scored table's rows (positions) behind :meth:`pairs`: for row i of the pairs,
        the row of its ``first`` score and the row of its ``second`` score.

        Raises :class:`~imheval.errors.AnalysisError` as :meth:`pairs` does.
        """
        people = self.pair_people(domain, first, second)
        rows = self.person_rows[people]
        return rows[:, TIMEPOINTS.index(first)], rows[:, TIMEPOINTS.index(second)]

    def _scores(self, domain: str, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
        """Every person's ``domain`` scores at ``first`` and ``second`` (NaN = not measured),
        after checking the names."""
        for timepoint in (first, second):
            if timepoint not in TIMEPOINTS:
                raise AnalysisError(
                    f"unknown timepoint '{timepoint}': use one of {', '.join(TIMEPOINTS)}"
                )
        if first == second:
            raise AnalysisError(f"a pair needs two different timepoints, got '{first}' twice")
        first_column, second_column = f"{domain}@{first}", f"{domain}@{second}"
        if first_column not in self.people.columns:
            known = sorted({c.split("@")[0] for c in self.people.columns if "@" in c})
            raise AnalysisError(
                f"no domain '{domain}' in the matched data (domains: {', '.join(known) or 'none'})"
            )
        return (
            self.people[first_column].to_numpy(dtype=np.float64),
            self.people[second_column].to_numpy(dtype=np.float64),
        )
