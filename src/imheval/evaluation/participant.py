"""Participant level: every matched person's before and after is one pair.

A paired t-test with the CI of the mean change, d_z (exact CI), g_z, d_av and d_rm; a Wilcoxon
signed-rank test with rank-biserial r; and Shapiro-Wilk on the changes (an assumption check,
never Holm-adjusted).
"""

from __future__ import annotations

import numpy as np

from imheval.stats import TestResult, paired_t, shapiro_wilk, wilcoxon_signed_rank


def participant_tests(pre: np.ndarray, post: np.ndarray) -> tuple[TestResult, ...]:
    """The before-after tests of matched people, in the order they are reported."""
    return (paired_t(pre, post), wilcoxon_signed_rank(pre, post), shapiro_wilk(post - pre))
