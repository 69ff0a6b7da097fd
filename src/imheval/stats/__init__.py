"""Statistics for training evaluations: small pure functions returning frozen results.

Every test returns a :class:`TestResult`; one that cannot be computed says why in ``reason``
instead of returning NaN or raising. See docs/methods.md for formulas and references; every
number is checked against R in tests/golden.
"""

from imheval.stats.apa import apa_text, format_effect, format_p
from imheval.stats.change import ReliableChange, Retention, reliable_change, retention
from imheval.stats.descriptive import Descriptives, describe
from imheval.stats.groups import compare_groups, one_way_anova, welch_anova, welch_t
from imheval.stats.items import (
    CeilingResult,
    ItemAnalysis,
    ItemStats,
    ceiling_effect,
    item_analysis,
)
from imheval.stats.mcnemar import McNemarResult, mcnemar
from imheval.stats.mixed import FixedEffect, MixedModelResult, VarianceComponents, mixed_model
from imheval.stats.multiplicity import holm
from imheval.stats.paired import paired_t, shapiro_wilk, wilcoxon_signed_rank
from imheval.stats.reliability import (
    AlphaResult,
    DomainRetest,
    ItemRetest,
    KappaResult,
    TestRetestResult,
    cohen_kappa,
    cronbach_alpha,
    icc_a1,
    icc_interpretation,
    kappa_words,
    koo_li_band,
    percent_agreement,
    test_retest,
)
from imheval.stats.results import EFFECT_SIZE_LABELS, ConfidenceInterval, EffectSize, TestResult

__all__ = [
    "EFFECT_SIZE_LABELS",
    "AlphaResult",
    "CeilingResult",
    "ConfidenceInterval",
    "Descriptives",
    "DomainRetest",
    "EffectSize",
    "FixedEffect",
    "ItemAnalysis",
    "ItemRetest",
    "ItemStats",
    "KappaResult",
    "McNemarResult",
    "MixedModelResult",
    "ReliableChange",
    "Retention",
    "TestResult",
    "TestRetestResult",
    "VarianceComponents",
    "apa_text",
    "ceiling_effect",
    "cohen_kappa",
    "compare_groups",
    "cronbach_alpha",
    "describe",
    "format_effect",
    "format_p",
    "holm",
    "icc_a1",
    "icc_interpretation",
    "item_analysis",
    "kappa_words",
    "koo_li_band",
    "mcnemar",
    "mixed_model",
    "one_way_anova",
    "paired_t",
    "percent_agreement",
    "reliable_change",
    "retention",
    "shapiro_wilk",
    "test_retest",
    "welch_anova",
    "welch_t",
    "wilcoxon_signed_rank",
]
