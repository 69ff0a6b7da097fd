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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from imheval.suppression import suppress

#: The groupings compared between groups (the same as ``evaluation.results.GROUPINGS``).
TESTED_GROUPINGS = ("programme", "directorate", "profession")


@dataclass(frozen=True, slots=True)
class TestedGroups:
    """Who a test between the groups of one grouping compares.

    ``labels`` is each matched person's group ("" = not recorded); ``tested`` marks the people
    in groups the breakdown shows; ``hidden`` names the groups hidden; ``left_out`` is "" or the
    words (starting "; left out, ...") that say so.
    """

    __test__ = False  # not a pytest test class

    labels: np.ndarray
    tested: np.ndarray
    hidden: frozenset[str]
    left_out: str


def tested_groups(pairs: pd.DataFrame, grouping: str, min_group_size: int) -> TestedGroups:
    """The people of ``pairs`` that tests between ``grouping`` groups compare (see above)."""
    labels = pairs[grouping].astype(str).to_numpy() if len(pairs) else np.array([], str)
    recorded = labels != ""
    names, counts = np.unique(labels[recorded], return_counts=True)
    small = [i for i, n in enumerate(counts) if 0 < n < min_group_size]
    decided = suppress(
        [*(int(n) for n in counts), int((~recorded).sum())],
        min_group_size,
        hidden=small,
        fixed=[len(counts)],
    )
    hidden = [i for i, hide in zip(range(len(counts)), decided.hidden, strict=False) if hide]
    hidden_names = frozenset(str(names[i]) for i in hidden)
    tested = recorded & ~np.isin(labels, list(hidden_names))
    because = (
        f"fewer than {min_group_size} people"
        if all(0 < counts[i] < min_group_size for i in hidden)
        else f"fewer than {min_group_size} people or hidden to protect such a group"
    )
    left_out = (
        f"; left out, {because}: {len(hidden_names)} {grouping} group(s)" if hidden_names else ""
    )
    return TestedGroups(labels=labels, tested=tested, hidden=hidden_names, left_out=left_out)
