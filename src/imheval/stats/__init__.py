"""Statistics for training evaluations: small pure functions returning frozen results.

Every test returns a :class:`TestResult`; one that cannot be computed says why in ``reason``
instead of returning NaN or raising. See docs/methods.md for formulas and references; every
number is checked against R in tests/golden.
"""

from imheval.stats.apa import apa_text, format_effect, format_p
from imheval.stats.descriptive import Descriptives, describe
from imheval.stats.groups import compare_groups, one_way_anova, welch_anova, welch_t
from imheval.stats.multiplicity import holm
from imheval.stats.paired import paired_t, shapiro_wilk, wilcoxon_signed_rank
from imheval.stats.results import EFFECT_SIZE_LABELS, ConfidenceInterval, EffectSize, TestResult

__all__ = [
    "EFFECT_SIZE_LABELS",
    "ConfidenceInterval",
    "Descriptives",
    "EffectSize",
    "TestResult",
    "apa_text",
    "compare_groups",
    "describe",
    "format_effect",
    "format_p",
    "holm",
    "one_way_anova",
    "paired_t",
    "shapiro_wilk",
    "welch_anova",
    "welch_t",
    "wilcoxon_signed_rank",
]
