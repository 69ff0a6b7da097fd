"""The evaluation: responses in, one :class:`Evaluation` out, and its JSON.

Modules, top to bottom (each imports only those below it):

* :mod:`.plan`: :func:`evaluate`, :func:`evaluate_file` and the :class:`Evaluation` they
  return; the order of the whole analysis, and the progress reports.
* :mod:`.domain`: one domain's analysis (:func:`~.domain.analyse_domain`), calling in turn
  :mod:`.cohort` (the seed's cohort-level Table 1, paired t on cohort means, ANOVA of cohort
  gains), :mod:`.participant` (paired t, Wilcoxon, Shapiro-Wilk on matched people),
  :mod:`.groups` (breakdowns by programme, directorate and profession with Welch tests; the
  matching-bias test) and :mod:`.followup` (before and after vs follow-up).
* :mod:`.findings`: the plain-English findings on each domain, as
  :class:`~imheval.findings.Finding` values (kind, comparison, people, figures, words), written
  once the p-values are Holm-adjusted; their kinds are listed there. The findings on the
  deeper analyses (reliability, ceilings, reliable change, retention, the mixed model) and on
  a level 1 reaction are in :mod:`.findings_deeper`.
* :mod:`.serialise`: :meth:`Evaluation.to_dict`, the JSON in docs/evaluation-json.md.
* :mod:`.tables`: mean rows, their protection (:func:`protect_rows`) and Holm by family.
* :mod:`.results`: the options and the per-domain result types.
* :mod:`.deeper`: item analysis, reliable change, retention and the mixed model per domain.
* :mod:`.policies`: the seed's zero rule against complete cases (:func:`compare_policies`).

Where a new statistic goes: a new per-domain analysis is a function in the module of its unit
(cohort, participant, groups, follow-up; a new module if it is none of those) and one line in
:func:`~.domain.analyse_domain`; an analysis of the whole evaluation is a function in its own
module and one line in :func:`evaluate`. Its result type goes in :mod:`.results` (with
``to_dict``), and its JSON in :mod:`.serialise` and docs/evaluation-json.md.

p-values are Holm-adjusted across domains within each family of tests (same unit, test and
comparison). Descriptive cells for groups smaller than ``min_group_size`` are suppressed.
"""

from __future__ import annotations

from imheval.evaluation.deeper import DomainExtras, ItemMatrices, deeper_analyses, item_matrices
from imheval.evaluation.plan import Evaluation, evaluate, evaluate_file
from imheval.evaluation.policies import COMPARED_POLICIES, PairsOf, PolicyRow, compare_policies
from imheval.evaluation.results import (
    COMPARISON_NAMES,
    FOLLOWUP_COMPARISONS,
    GROUPINGS,
    Breakdown,
    DomainEvaluation,
    EvaluationOptions,
    MeanRow,
    ProgressCallback,
    Settings,
    TestEntry,
    Unit,
    ZeroReasonRow,
)
from imheval.evaluation.serialise import SCHEMA
from imheval.evaluation.tables import protect_rows

__all__ = [
    "COMPARED_POLICIES",
    "COMPARISON_NAMES",
    "FOLLOWUP_COMPARISONS",
    "GROUPINGS",
    "SCHEMA",
    "Breakdown",
    "DomainEvaluation",
    "DomainExtras",
    "Evaluation",
    "EvaluationOptions",
    "ItemMatrices",
    "MeanRow",
    "PairsOf",
    "PolicyRow",
    "ProgressCallback",
    "Settings",
    "TestEntry",
    "Unit",
    "ZeroReasonRow",
    "compare_policies",
    "deeper_analyses",
    "evaluate",
    "evaluate_file",
    "item_matrices",
    "protect_rows",
]
