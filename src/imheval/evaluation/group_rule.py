"""Which matched people a test between groups compares: the one rule for every such test.

A group hidden in a breakdown table (fewer than the minimum group size, or hidden to protect
such a group) is left out of the tests too: a test of a group of two says as much about those
two people as their means would, and a test of a group hidden to protect a smaller one gives
its mean back, and with it the smaller one's. :func:`tested_groups` decides this from the
counts alone, exactly as :func:`~imheval.evaluation.tables.protect_rows` hides the breakdown's
rows (rows in sorted label order, then the people not recorded, whose count is published), so
the Welch tests (:mod:`imheval.evaluation.groups`) and the ANCOVA
(:mod:`imheval.evaluation.gains`) compare the same people. It imports nothing from the
evaluation's result types, so the deeper analyses can use it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from imheval.matching import MatchResult
from imheval.suppression import suppress

#: The groupings compared between groups (the same as ``evaluation.results.GROUPINGS``).
TESTED_GROUPINGS = ("programme", "directorate", "profession")

#: The columns of matched pairs whose codes :func:`matched_pairs` works out once per matching.
_CODED_COLUMNS = ("cohort", *TESTED_GROUPINGS)


@dataclass(frozen=True, slots=True)
class GroupCodes:
    """One text column as integer codes: ``names`` (the distinct values as text, sorted as
    Python sorts text, the order of R's factor levels and of ``np.unique``) and each row's
    ``codes`` into them. Grouping text is slow; grouping these is a ``bincount``."""

    codes: np.ndarray
    names: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """Each row's value as text (an object array)."""
        labels: np.ndarray = self.names[self.codes]
        return labels

    def categorical(self, rows: np.ndarray | None = None) -> pd.Categorical:
        """The rows (all, or those ``rows`` selects) as a Categorical over ``names``, which the
        statistics take as group labels without grouping text again."""
        codes = self.codes if rows is None else self.codes[rows]
        return pd.Categorical.from_codes(codes, categories=pd.Index(self.names, dtype=object))


def text_codes(column: pd.Series | np.ndarray) -> GroupCodes | None:
    """``column`` compared as text (``astype(str)``) as :class:`GroupCodes`; None when it holds
    a missing value (text has no rule for it here)."""
    codes, uniques = pd.factorize(column)
    if codes.size and int(codes.min()) < 0:
        return None
    text = np.array([str(u) for u in uniques], dtype=object)
    # values equal as text (1 and "1") are one group: unique over the few names, not the rows
    names, inverse = np.unique(text, return_inverse=True) if text.size else (text, codes[:0])
    return GroupCodes(
        codes=np.asarray(inverse, dtype=np.int64)[codes], names=np.asarray(names, dtype=object)
    )


# id(frame) -> (a weak reference to it, its column's codes by column name); an entry leaves
# with its frame
_MEMO: dict[int, tuple[weakref.ref[pd.DataFrame], dict[str, GroupCodes | None]]] = {}


def _memo(frame: pd.DataFrame) -> dict[str, GroupCodes | None]:
    key = id(frame)
    entry = _MEMO.get(key)
    if entry is not None and entry[0]() is frame:
        return entry[1]
    found: dict[str, GroupCodes | None] = {}
    _MEMO[key] = (weakref.ref(frame), found)
    weakref.finalize(frame, _MEMO.pop, key, None)
    return found


def group_codes(frame: pd.DataFrame, column: str) -> GroupCodes | None:
    """:func:`text_codes` of ``frame[column]``, worked out once per frame and column (frames
    here are not changed after they are made). None when the column has a missing value."""
    memo = _memo(frame)
    if column not in memo:
        memo[column] = text_codes(frame[column])
    return memo[column]


def matched_pairs(matched: MatchResult, domain: str) -> pd.DataFrame:
    """``matched.pairs(domain, "pre", "post")``, with the codes of its cohort and grouping
    columns taken from the matched people's (worked out once for every domain): row i of the
    pairs is the person at ``matched.pair_people(domain)[i]``."""
    pairs = matched.pairs(domain, "pre", "post")
    chosen = matched.pair_people(domain, "pre", "post")
    people = matched.people
    known = _memo(people)
    for column, (codes, names) in matched.people_codes.items():
        known.setdefault(column, GroupCodes(codes=codes, names=names))
    memo = _memo(pairs)
    for column in _CODED_COLUMNS:
        if column not in people.columns:
            continue
        whole = group_codes(people, column)
        if whole is None:
            continue
        codes = whole.codes[chosen]
        # only the groups that keep someone, renumbered
        present = np.bincount(codes, minlength=whole.names.size) > 0
        renumber = np.cumsum(present) - 1
        memo[column] = GroupCodes(codes=renumber[codes], names=whole.names[present])
    return pairs


@dataclass(frozen=True, slots=True)
class TestedGroups:
    """Who a test between the groups of one grouping compares.

    ``labels`` is each matched person's group ("" = not recorded); ``tested`` marks the people
    in groups the breakdown shows; ``hidden`` names the groups hidden; ``left_out`` is "" or the
    words (starting "; left out, ...") that say so. ``codes`` holds the same groups as integer
    codes (None when the labels were not coded).
    """

    __test__ = False  # not a pytest test class

    labels: np.ndarray
    tested: np.ndarray
    hidden: frozenset[str]
    left_out: str
    codes: GroupCodes | None = None


def tested_groups(pairs: pd.DataFrame, grouping: str, min_group_size: int) -> TestedGroups:
    """The people of ``pairs`` that tests between ``grouping`` groups compare (see above)."""
    coded = group_codes(pairs, grouping) if len(pairs) else None
    if coded is None:
        return _tested_by_text(pairs, grouping, min_group_size)
    counts = np.bincount(coded.codes, minlength=coded.names.size)
    # names are sorted, so "" (not recorded) is the first when anyone has it
    blank = coded.names.size > 0 and coded.names[0] == ""
    recorded_names = coded.names[1:] if blank else coded.names
    recorded_counts = counts[1:] if blank else counts
    not_recorded = int(counts[0]) if blank else 0
    hidden, left_out = _decide(
        recorded_names, recorded_counts, not_recorded, grouping, min_group_size
    )
    hide = np.zeros(coded.names.size, dtype=bool)
    if blank:
        hide[0] = True
    hide[[i + int(blank) for i, name in enumerate(recorded_names) if name in hidden]] = True
    return TestedGroups(
        labels=coded.labels,
        tested=~hide[coded.codes],
        hidden=hidden,
        left_out=left_out,
        codes=coded,
    )


def _tested_by_text(pairs: pd.DataFrame, grouping: str, min_group_size: int) -> TestedGroups:
    labels = pairs[grouping].astype(str).to_numpy() if len(pairs) else np.array([], str)
    recorded = labels != ""
    names, counts = np.unique(labels[recorded], return_counts=True)
    hidden, left_out = _decide(names, counts, int((~recorded).sum()), grouping, min_group_size)
    tested = recorded & ~np.isin(labels, list(hidden))
    return TestedGroups(labels=labels, tested=tested, hidden=hidden, left_out=left_out)


def _decide(
    names: np.ndarray, counts: np.ndarray, not_recorded: int, grouping: str, min_group_size: int
) -> tuple[frozenset[str], str]:
    """The groups hidden (by name) and the words that say so, from the recorded groups' counts
    in sorted name order and the count of people not recorded."""
    small = [i for i, n in enumerate(counts) if 0 < n < min_group_size]
    decided = suppress(
        [*(int(n) for n in counts), not_recorded],
        min_group_size,
        hidden=small,
        fixed=[len(counts)],
    )
    hidden = [i for i, hide in zip(range(len(counts)), decided.hidden, strict=False) if hide]
    hidden_names = frozenset(str(names[i]) for i in hidden)
    because = (
        f"fewer than {min_group_size} people"
        if all(0 < counts[i] < min_group_size for i in hidden)
        else f"fewer than {min_group_size} people or hidden to protect such a group"
    )
    left_out = (
        f"; left out, {because}: {len(hidden_names)} {grouping} group(s)" if hidden_names else ""
    )
    return hidden_names, left_out
