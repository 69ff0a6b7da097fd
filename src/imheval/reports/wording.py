"""The report's own wording: table cells (scores, differences, proportions), ranges, slugs.

Small pure functions from numbers to the text a report shows, used by several sections. Wording
the findings and the terminal share too (people, plurals, lists, effect sizes) is in
:mod:`imheval.findings.wording`. Rounding happens here, when presenting, never in the
statistics. None is shown as :data:`DASH`. A cell that shows a number is returned as a
:class:`~imheval.reports.model.Number`, so the renderers right-align it without reading it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from imheval.evaluation import DomainEvaluation
from imheval.findings.wording import DASH as DASH_TEXT
from imheval.findings.wording import people
from imheval.reports.model import Number

#: A missing number in a table: aligned as the numbers around it.
DASH = Number(DASH_TEXT)

#: The one word for a figure hidden to protect a small group, in every table: a count of fewer
#: than ``min_group_size`` people, the means and tests of such a group, and any figure hidden
#: because a small one could be worked out from it. A dash means something else: nothing to show.
HIDDEN = Number("hidden")


def signed_number(value: float | None) -> Number:
    return Number(f"{value:+.2f}") if value is not None else DASH


EFFECT_LEGEND: Mapping[str, str] = {
    "cohen_dz": "d_z = mean change / SD of the changes",
    "hedges_gz": "g_z = d_z corrected for small samples",
    "d_av": "d_av = mean change / average SD before and after",
    "d_rm": "d_rm = repeated-measures d, corrected for the before-after correlation",
    "r": "r = correlation from t, sqrt(t² / (t² + df))",
    "rank_biserial": "r_rb = matched-pairs rank-biserial correlation",
    "eta_squared": "η² = share of variance explained by the groups",
    "partial_eta_squared": "η²_p = partial eta squared (equal to η² in a one-way design)",
    "omega_squared": "ω² = omega squared, a less biased η²",
    "cohen_d": "d = difference between two groups / pooled SD",
    "hedges_g": "g = d corrected for small samples",
}


def prop(value: float | None) -> Number:
    """A proportion or correlation in APA style: .65, -.12, 1.00."""
    if value is None:
        return DASH
    text = f"{value:.2f}"
    if text.startswith("0."):
        return Number(text[1:])
    if text.startswith("-0."):
        return Number("-" + text[2:])
    return Number(text)


def optional_prop(value: float | None) -> Number:
    return prop(value) if value is not None else DASH


def optional_number(value: float | None) -> Number:
    return Number(f"{value:.2f}") if value is not None else DASH


def percent_text(value: float | None) -> Number:
    return Number(f"{100 * value:.0f}%") if value is not None else DASH


def range_text(domain: DomainEvaluation) -> str:
    info = domain.domain
    if info.min_total is None or info.max_total is None:
        return ""
    items = f", {info.n_items} questions" if info.n_items else ""
    return f" (scores {info.min_total:g} to {info.max_total:g}{items})"


def score(mean: float | None, percent: float | None) -> Number:
    if mean is None:
        return DASH
    return Number(f"{mean:.2f}" + (f" ({percent:.0f}%)" if percent is not None else ""))


def difference(value: float | None, percent: float | None) -> Number:
    if value is None:
        return DASH
    return Number(f"{value:+.2f}" + (f" ({percent:+.0f} pp)" if percent is not None else ""))


def plain_number(value: float, percent: bool) -> Number:
    return Number(f"{value:.0f}" if percent else f"{value:.2f}")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def people_text(n: int, min_group_size: int) -> str:
    """ "12 people", "1 person", or "fewer than 5 people" for 1 to min_group_size - 1."""
    if 0 < n < min_group_size:
        return f"fewer than {min_group_size} people"
    return people(n)
