"""The core's matching run on anonymous codes alone, for the workspace's counts.

The to-do list (possible matches still to check) and the cohort page (matched people still to
answer the follow-up) need to know who is one person, not what anyone answered. Both ask the
core's :func:`imheval.matching.match`, with the cohort's accepted match decisions, on a table of
codes only, so a pair a reviewer accepted counts as one person exactly as in the analysis.

A code used twice at one questionnaire is left out, as the adapter leaves it out of the
analysis; so is an empty code (the core refuses one).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from imheval.io.table import RESERVED_COLUMNS
from imheval.matching import MatchMode, MatchResult, match
from imheval.scoring import MissingPolicy, ScoredTable
from imheval.web.results.models import Decision

#: (timepoint, code, profession, directorate) of one complete response.
CodeRow = tuple[str, str, str, str]
#: (earlier code, later code, decision) of one match decision.
DecisionRow = tuple[str, str, str]


def codes_table(label: str, rows: Iterable[CodeRow]) -> ScoredTable:
    """One cohort's complete responses as the core's table, codes only (no domains).

    ``label`` names the cohort in the table. Repeated codes at one timepoint and empty codes
    are left out (see the module docstring).
    """
    return cohorts_codes_table((label, *row) for row in rows)


def cohorts_codes_table(rows: Iterable[tuple[str, str, str, str, str]]) -> ScoredTable:
    """Several cohorts' complete responses as one core table, codes only: each row is
    (cohort label, timepoint, code, profession, directorate). Within each cohort, repeated
    codes at one timepoint and empty codes are left out, as :func:`codes_table` does."""
    frame = pd.DataFrame(
        list(rows), columns=["cohort", "timepoint", "participant", "profession", "directorate"]
    ).astype(str)
    frame = frame[frame["participant"] != ""]
    frame = frame[~frame.duplicated(["cohort", "timepoint", "participant"], keep=False)]
    table = pd.DataFrame(
        {
            "participant": frame["participant"].to_numpy(),
            "cohort": frame["cohort"].to_numpy(),
            "programme": "",
            "timepoint": frame["timepoint"].to_numpy(),
            "directorate": frame["directorate"].to_numpy(),
            "profession": frame["profession"].to_numpy(),
        },
        columns=list(RESERVED_COLUMNS),
    )
    return ScoredTable(table, (), MissingPolicy.SEED, "workspace")


def accepted_pairs(
    label: str, table: ScoredTable, decisions: Iterable[DecisionRow]
) -> tuple[tuple[str, str, str], ...]:
    """The accepted decisions whose two codes are both still in ``table``, as the core's
    (cohort, earlier, later) triples; a decision whose response was deleted joins nothing."""
    present = set(table.frame["participant"])
    return tuple(
        (label, earlier, later)
        for earlier, later, decision in decisions
        if decision == str(Decision.ACCEPTED) and earlier in present and later in present
    )


def match_codes(
    label: str, rows: Iterable[CodeRow], decisions: Iterable[DecisionRow], mode: MatchMode
) -> MatchResult:
    """The core's matching of one cohort's codes with its accepted decisions applied.

    Raises what :func:`imheval.matching.match` raises (an :class:`~imheval.errors.ImhevalError`)
    when the decisions no longer fit the data.
    """
    table = codes_table(label, rows)
    return match(table, mode, accepted_pairs(label, table, decisions))
