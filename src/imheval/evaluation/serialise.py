"""The JSON evaluation (docs/evaluation-json.md): :func:`evaluation_dict` and its helpers.

Serialisation only: every value here has been computed (and suppressed) before; this module
turns it into plain JSON types, never NaN or Infinity. Code that presents an evaluation reads
its typed values, not this dict. :func:`evaluation_dict` reads an evaluation through
:class:`EvaluationDocument`, the attributes :class:`~imheval.evaluation.plan.Evaluation` has,
so that the evaluation's module may call it without this module importing it back.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import pandas as pd

from imheval._version import __version__
from imheval.evaluation.forms import FormComparison
from imheval.evaluation.policies import PolicyRow
from imheval.evaluation.results import (
    DomainEvaluation,
    EvaluationOptions,
    Settings,
    TestEntry,
    ZeroReasonRow,
)
from imheval.matching import MatchResult, PublishedBias
from imheval.scoring import ScoredTable
from imheval.stats._common import finite_or_none

#: Version of the JSON document written by :meth:`Evaluation.to_dict` (docs/evaluation-json.md).
SCHEMA = "imheval.evaluation/1"


class EvaluationDocument(Protocol):
    """What :func:`evaluation_dict` reads of an evaluation."""

    @property
    def source(self) -> str: ...
    @property
    def created(self) -> str: ...
    @property
    def instruments(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def options(self) -> EvaluationOptions: ...
    @property
    def scored(self) -> ScoredTable: ...
    @property
    def matched(self) -> MatchResult: ...
    @property
    def matching_bias(self) -> PublishedBias: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def zero_reasons(self) -> tuple[ZeroReasonRow, ...]: ...
    @property
    def domains(self) -> tuple[DomainEvaluation, ...]: ...
    @property
    def tests(self) -> tuple[TestEntry, ...]: ...
    @property
    def policy_comparison(self) -> tuple[PolicyRow, ...]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    @property
    def forms(self) -> tuple[FormComparison, ...]: ...


def evaluation_dict(evaluation: EvaluationDocument) -> dict[str, Any]:
    """The JSON evaluation (schema in docs/evaluation-json.md); never NaN or Infinity."""
    cohorts = evaluation.matched.cohorts
    return {
        "schema": SCHEMA,
        "imheval_version": __version__,
        "created": evaluation.created,
        "source": evaluation.source,
        "instruments": [{"id": i, "version": v} for i, v in evaluation.instruments],
        "settings": evaluation.settings.to_dict(),
        "participation": {
            "responses": len(evaluation.scored.frame),
            "people": len(evaluation.matched.people),
            "cohorts": _records(cohorts),
            "matched_pre_post": int(cohorts["n_matched"].sum()) if len(cohorts) else 0,
            "probable_matches": [
                {
                    "cohort": m.cohort,
                    "earlier_timepoint": m.earlier_timepoint,
                    "earlier_code": m.earlier_code,
                    "later_timepoint": m.later_timepoint,
                    "later_code": m.later_code,
                    "reason": m.reason,
                }
                for m in evaluation.matched.probable_matches
            ],
            "duplicate_codes": [
                {"code": code, "cohorts": list(where)}
                for code, where in evaluation.matched.duplicate_codes
            ],
        },
        "matching_bias": _published_bias_dict(evaluation.matching_bias),
        "domains": [
            {
                "id": d.domain.id,
                "label": d.domain.label,
                "n_items": d.domain.n_items,
                "min_total": d.domain.min_total,
                "max_total": d.domain.max_total,
                "kirkpatrick_level": d.domain.kirkpatrick_level,
                "answers": d.domain.answers,
                "scale": d.domain.scale,
                "forms": [r.to_dict() for r in d.domain.forms],
                "headline": d.headline.to_dict() if d.headline is not None else None,
                "n_pairs": d.n_pairs,
                "n_cohorts": d.n_cohorts,
                "overall": d.overall.to_dict(),
                "table1": [row.to_dict() for row in d.table1],
                "breakdowns": {
                    b.grouping: {
                        "rows": [r.to_dict() for r in b.rows],
                        # A small count of people with no group recorded is hidden like a
                        # small row (decision 0003).
                        "not_recorded": None
                        if 0 < b.not_recorded < evaluation.options.min_group_size
                        else b.not_recorded,
                    }
                    for b in d.breakdowns
                },
                "findings": [f.text for f in d.findings],
                "finding_details": [f.to_dict() for f in d.findings],
                **(d.extras.to_dict() if d.extras is not None else {}),
            }
            for d in evaluation.domains
        ],
        "zero_reasons": [row.to_dict() for row in evaluation.zero_reasons],
        "tests": [entry.to_dict() for entry in evaluation.tests],
        "policy_comparison": [row.to_dict() for row in evaluation.policy_comparison],
        "notes": list(evaluation.notes),
        "forms": [
            comparison.to_dict(evaluation.options.min_group_size) for comparison in evaluation.forms
        ],
    }


def _published_bias_dict(bias: PublishedBias) -> dict[str, Any]:
    """The matching bias after suppression (see :func:`imheval.matching.published_bias`)."""
    return {
        "n_matched": bias.n_matched,
        "n_unmatched": bias.n_unmatched,
        "domains": [
            {
                "domain": d.domain,
                "n_matched": d.n_matched,
                "mean_matched": finite_or_none(d.mean_matched),
                "sd_matched": finite_or_none(d.sd_matched),
                "n_unmatched": d.n_unmatched,
                "mean_unmatched": finite_or_none(d.mean_unmatched),
                "sd_unmatched": finite_or_none(d.sd_unmatched),
                "mean_difference": finite_or_none(d.mean_difference),
            }
            for d in bias.domains
        ],
        "categories": [
            {
                "variable": c.variable,
                "category": c.category,
                "suppressed": c.suppressed,
                "n_matched": c.n_matched,
                "percent_matched": finite_or_none(c.percent_matched),
                "n_unmatched": c.n_unmatched,
                "percent_unmatched": finite_or_none(c.percent_unmatched),
            }
            for c in bias.categories
        ],
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, with plain Python values (a non-finite float is None).

    Built column by column: a national file has 10,000 cohorts, and pandas' row records with
    a check of every value cost more than the rest of the document.
    """
    names = [str(name) for name in frame.columns]
    if not all(isinstance(dtype, np.dtype) or dtype == "str" for dtype in frame.dtypes):
        # Nullable extension columns keep pandas' own boxing of their missing values.
        return [
            {str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
    columns = [_plain_column(frame.iloc[:, position]) for position in range(frame.shape[1])]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _plain_column(column: pd.Series) -> list[object]:
    if column.dtype.kind in "iub":
        values: list[object] = column.to_numpy().tolist()
        return values
    if column.dtype.kind == "f":
        return [v if math.isfinite(v) else None for v in column.to_numpy().tolist()]
    return [_plain(value) for value in column.to_numpy(dtype=object).tolist()]


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value
