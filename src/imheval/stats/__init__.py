"""Statistics for training evaluations: small pure functions returning frozen results.

Every test returns a :class:`TestResult`; one that cannot be computed says why in ``reason``
instead of returning NaN or raising. See docs/methods.md for formulas and references; every
number is checked against R in tests/golden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# These modules share a name with a function they define: if the module were imported after
# this package, ``imheval.stats.mcnemar`` would be the module, not the function.
from imheval._lazy import lazy_names
from imheval.stats.ancova import AncovaResult, ancova
from imheval.stats.mcnemar import McNemarResult, mcnemar
from imheval.stats.measurement_error import (
    BlandAltman,
    MeasurementError,
    bland_altman,
    measurement_error,
)

if TYPE_CHECKING:
    from imheval.stats.agreement import RatingAgreement, WeightedKappa, weighted_kappa
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

#: Where each other public name lives. They are imported on first use (PEP 562), so that an
#: analysis does not load the planning, interrupted-time-series and other modules it never uses.
_LAZY = {
    "RatingAgreement": "imheval.stats.agreement",
    "WeightedKappa": "imheval.stats.agreement",
    "weighted_kappa": "imheval.stats.agreement",
    "apa_text": "imheval.stats.apa",
    "format_effect": "imheval.stats.apa",
    "format_p": "imheval.stats.apa",
    "ReliableChange": "imheval.stats.change",
    "Retention": "imheval.stats.change",
    "reliable_change": "imheval.stats.change",
    "retention": "imheval.stats.change",
    "Descriptives": "imheval.stats.descriptive",
    "describe": "imheval.stats.descriptive",
    "NormalisedGain": "imheval.stats.gain",
    "normalised_gain": "imheval.stats.gain",
    "compare_groups": "imheval.stats.groups",
    "one_way_anova": "imheval.stats.groups",
    "welch_anova": "imheval.stats.groups",
    "welch_t": "imheval.stats.groups",
    "CeilingResult": "imheval.stats.items",
    "FloorResult": "imheval.stats.items",
    "ItemAnalysis": "imheval.stats.items",
    "ItemStats": "imheval.stats.items",
    "ceiling_effect": "imheval.stats.items",
    "floor_effect": "imheval.stats.items",
    "item_analysis": "imheval.stats.items",
    "SegmentedRegression": "imheval.stats.its",
    "segmented_regression": "imheval.stats.its",
    "FixedEffect": "imheval.stats.mixed",
    "MixedModelResult": "imheval.stats.mixed",
    "VarianceComponents": "imheval.stats.mixed",
    "mixed_model": "imheval.stats.mixed",
    "holm": "imheval.stats.multiplicity",
    "paired_t": "imheval.stats.paired",
    "shapiro_wilk": "imheval.stats.paired",
    "wilcoxon_signed_rank": "imheval.stats.paired",
    "DesignPower": "imheval.stats.power",
    "StudyPlan": "imheval.stats.power",
    "design_power": "imheval.stats.power",
    "paired_power": "imheval.stats.power",
    "plan_study": "imheval.stats.power",
    "smallest_detectable_effect": "imheval.stats.power",
    "wilson_ci": "imheval.stats.proportions",
    "AlphaResult": "imheval.stats.reliability",
    "DomainRetest": "imheval.stats.reliability",
    "ItemRetest": "imheval.stats.reliability",
    "KappaResult": "imheval.stats.reliability",
    "TestRetestResult": "imheval.stats.reliability",
    "cohen_kappa": "imheval.stats.reliability",
    "cronbach_alpha": "imheval.stats.reliability",
    "icc_a1": "imheval.stats.reliability",
    "icc_interpretation": "imheval.stats.reliability",
    "kappa_words": "imheval.stats.reliability",
    "koo_li_band": "imheval.stats.reliability",
    "percent_agreement": "imheval.stats.reliability",
    "test_retest": "imheval.stats.reliability",
    "EFFECT_SIZE_LABELS": "imheval.stats.results",
    "ConfidenceInterval": "imheval.stats.results",
    "EffectSize": "imheval.stats.results",
    "TestResult": "imheval.stats.results",
}


# Under "not TYPE_CHECKING" so that mypy still reports a misspelt name on this module.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_names(globals(), _LAZY)


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
