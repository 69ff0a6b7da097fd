"""Statistics for training evaluations: small pure functions returning frozen results.

Every test returns a :class:`TestResult`; one that cannot be computed says why in ``reason``
instead of returning NaN or raising. See docs/methods.md for formulas and references; every
number is checked against R in tests/golden.
"""

from imheval.stats.agreement import RatingAgreement, WeightedKappa, weighted_kappa
from imheval.stats.ancova import AncovaResult, ancova
from imheval.stats.apa import apa_text, format_effect, format_p
from imheval.stats.change import ReliableChange, Retention, reliable_change, retention
from imheval.stats.descriptive import Descriptives, describe
from imheval.stats.gain import NormalisedGain, normalised_gain
from imheval.stats.groups import compare_groups, one_way_anova, welch_anova, welch_t
from imheval.stats.items import (
    CeilingResult,
    FloorResult,
    ItemAnalysis,
    ItemStats,
    ceiling_effect,
    floor_effect,
    item_analysis,
)
from imheval.stats.its import SegmentedRegression, segmented_regression
from imheval.stats.mcnemar import McNemarResult, mcnemar
from imheval.stats.measurement_error import (
    BlandAltman,
    MeasurementError,
    bland_altman,
    measurement_error,
)
from imheval.stats.mixed import FixedEffect, MixedModelResult, VarianceComponents, mixed_model
from imheval.stats.multiplicity import holm
from imheval.stats.paired import paired_t, shapiro_wilk, wilcoxon_signed_rank
from imheval.stats.power import (
    DesignPower,
    StudyPlan,
    design_power,
    paired_power,
    plan_study,
    smallest_detectable_effect,
)
from imheval.stats.proportions import wilson_ci
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
    "AncovaResult",
    "BlandAltman",
    "CeilingResult",
    "ConfidenceInterval",
    "Descriptives",
    "DesignPower",
    "DomainRetest",
    "EffectSize",
    "FixedEffect",
    "FloorResult",
    "ItemAnalysis",
    "ItemRetest",
    "ItemStats",
    "KappaResult",
    "McNemarResult",
    "MeasurementError",
    "MixedModelResult",
    "NormalisedGain",
    "RatingAgreement",
    "ReliableChange",
    "Retention",
    "SegmentedRegression",
    "StudyPlan",
    "TestResult",
    "TestRetestResult",
    "VarianceComponents",
    "WeightedKappa",
    "ancova",
    "apa_text",
    "bland_altman",
    "ceiling_effect",
    "cohen_kappa",
    "compare_groups",
    "cronbach_alpha",
    "describe",
    "design_power",
    "floor_effect",
    "format_effect",
    "format_p",
    "holm",
    "icc_a1",
    "icc_interpretation",
    "item_analysis",
    "kappa_words",
    "koo_li_band",
    "mcnemar",
    "measurement_error",
    "mixed_model",
    "normalised_gain",
    "one_way_anova",
    "paired_power",
    "paired_t",
    "percent_agreement",
    "plan_study",
    "reliable_change",
    "retention",
    "segmented_regression",
    "shapiro_wilk",
    "smallest_detectable_effect",
    "test_retest",
    "weighted_kappa",
    "welch_anova",
    "welch_t",
    "wilcoxon_signed_rank",
    "wilson_ci",
]
