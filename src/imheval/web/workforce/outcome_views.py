"""The outcomes page: for each programme, grouped by the level it gives, how many were funded
and trained beside whether the training worked (the kept evaluation figures), and its download.

The page reads kept rows only (a constant number of queries); when they may be out of date it
queues their refresh (``outcome_tasks``) and says so. No name from the training register is
shown or downloaded here: only counts of completions.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from imheval.stats import format_p
from imheval.web.organisations.access import Access
from imheval.web.workforce.access import organisation_page
from imheval.web.workforce.downloads import TABLE_FORMATS, table_response
from imheval.web.workforce.outcome_tasks import start_refresh
from imheval.web.workforce.outcomes import (
    ProgrammeOutcomeRow,
    outcomes_stale,
    programme_outcomes,
)
from imheval.workforce.board import financial_year

DOWNLOAD_HEADER = (
    "Level",
    "Programme",
    "Funder",
    "Financial year",
    "Places funded",
    "People completed",
    "Matched before and after",
    "Measure",
    "Mean before",
    "Mean after",
    "Mean change",
    "Mean change 95% CI low",
    "Mean change 95% CI high",
    "Effect size type",
    "Effect size",
    "Effect size 95% CI low",
    "Effect size 95% CI high",
    "p (paired t-test)",
    "p (Holm-adjusted across measures)",
    "Matched at follow-up",
    "Follow-up retention (%)",
    "Kirkpatrick levels measured",
    "Worked out at",
    "Summary",
)


def _url(name: str, access: Access, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access) -> list[tuple[str, str]]:
    """Back to the workforce overview (the programmes list until that page exists)."""
    try:
        return [("Workforce", _url("home", access))]
    except NoReverseMatch:
        return [("Programmes", reverse("workspace:organisation", args=[access.organisation.slug]))]


def _count_cell(n: int | None, row: ProgrammeOutcomeRow) -> object:
    """A count of people as downloaded: the number, or "fewer than 5" when hidden."""
    return n if n is not None else f"fewer than {row.min_group_size}"


def download_rows(rows: Sequence[ProgrammeOutcomeRow]) -> list[list[object]]:
    """The table's rows for a download: full precision, hidden counts in words, no names."""
    found: list[list[object]] = []
    for row in rows:
        main = row.main
        shown = main if main is not None and not main.suppressed else None
        effect = shown.effect if shown is not None else None
        evaluated = row.computed and not row.problem
        retention = row.retention
        found.append(
            [
                row.level,
                row.programme,
                row.funder,
                financial_year(row.places_year),
                row.places_funded,
                row.trained,
                _count_cell(row.matched, row) if evaluated else None,
                main.label if main is not None else "",
                shown.pre_mean if shown is not None else None,
                shown.post_mean if shown is not None else None,
                shown.change if shown is not None else None,
                shown.change_ci[0] if shown is not None and shown.change_ci else None,
                shown.change_ci[1] if shown is not None and shown.change_ci else None,
                effect.short_name if effect is not None else "",
                effect.value if effect is not None else None,
                effect.ci[0] if effect is not None and effect.ci is not None else None,
                effect.ci[1] if effect is not None and effect.ci is not None else None,
                shown.p if shown is not None else None,
                shown.p_holm if shown is not None else None,
                _count_cell(row.followup_matched, row) if evaluated and row.matched else None,
                100 * retention if retention is not None else None,
                row.kirkpatrick_text,
                row.computed_at.isoformat() if row.computed_at is not None else "",
                row.sentence,
            ]
        )
    return found


def _signed(value: float | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{value:+.{places}f}".replace("-", "\u2212")


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}".replace("-", "\u2212")


def cells(row: ProgrammeOutcomeRow) -> dict[str, str]:
    """What the page's table shows of a row, rounded for reading ("" where nothing is known;
    "hidden" where fewer than the minimum group size would show)."""
    hidden = "hidden"
    evaluated = row.computed and not row.problem
    main = row.main
    shown = main if main is not None and not main.suppressed else None
    effect = shown.effect if shown is not None else None
    found = {
        "places": "" if row.places_funded is None else f"{row.places_funded:,}",
        "trained": f"{row.trained:,}",
        "matched": "" if not evaluated else hidden if row.matched is None else f"{row.matched:,}",
        "change": "",
        "effect": "",
        "retention": "",
        "measure": main.label if main is not None else "",
    }
    if main is not None and main.suppressed:
        found["change"] = found["effect"] = hidden
    elif shown is not None and shown.change is not None:
        found["change"] = f"{_signed(shown.change)} {shown.scale_text}".strip()
        if effect is not None and effect.value is not None:
            found["effect"] = _number(effect.value)
            if effect.ci is not None:
                found["effect"] += f" ({_number(effect.ci[0])} to {_number(effect.ci[1])})"
    if evaluated and row.matched:
        if row.followup_matched is None:
            found["retention"] = hidden
        elif row.retention is not None:
            found["retention"] = (
                f"{row.retention * 100:.0f}% ({row.followup_matched:,} of {row.matched:,})"
            )
    return found


def measure_cells(row: ProgrammeOutcomeRow) -> list[dict[str, str]]:
    """Every measure of a row, rounded for reading, for the programme's details."""
    found = []
    for measure in row.measures:
        effect = measure.effect
        small = measure.suppressed
        found.append(
            {
                "label": measure.label,
                "level": f"{measure.kirkpatrick_level}",
                "n": "hidden" if small else "" if measure.n is None else f"{measure.n:,}",
                "before": "hidden" if small else _number(measure.pre_mean),
                "after": "hidden" if small else _number(measure.post_mean),
                "change": "hidden" if small else _signed(measure.change),
                "change_ci": ""
                if small or measure.change_ci is None
                else f"{_number(measure.change_ci[0])} to {_number(measure.change_ci[1])}",
                "effect": "hidden"
                if small
                else ""
                if effect is None or effect.value is None
                else _number(effect.value)
                + (
                    f" ({_number(effect.ci[0])} to {_number(effect.ci[1])})"
                    if effect.ci is not None
                    else ""
                ),
                "p": "hidden" if small else _p(measure.p_judged),
                "headline": measure.headline,
            }
        )
    return found


def _p(p: float | None) -> str:
    return "" if p is None else format_p(p)


@organisation_page()
def outcomes(request: HttpRequest, access: Access) -> HttpResponse:
    """Outcomes beside coverage: kept figures at once; a refresh queued when out of date."""
    organisation = access.organisation
    rows = programme_outcomes(organisation)
    refresh = ""
    if outcomes_stale(organisation, rows):
        refresh = start_refresh(organisation)
        if refresh == "inline":
            rows = programme_outcomes(organisation)
    levels = [
        {
            "level": level or "No level set",
            "rows": [
                {"row": row, "cells": cells(row), "measures": measure_cells(row)} for row in found
            ],
        }
        for level, found in groupby(rows, key=lambda row: row.level)
    ]
    computed = [row.computed_at for row in rows if row.computed_at is not None]
    context = {
        "organisation": organisation,
        "levels": levels,
        "rows": rows,
        "nothing_yet": bool(rows) and not computed,
        "updating": refresh in ("queued", "waiting"),
        "refresh_failed": refresh == "failed",
        "computed_at": min(computed) if computed else None,
        "places_year": financial_year(rows[0].places_year) if rows else "",
        "downloads": [
            (extension.lstrip(".").upper(), _url("outcomes_download", access, file_format=key))
            for key, (extension, _) in TABLE_FORMATS.items()
        ],
        "crumbs": _crumbs(access),
        "results_url": reverse("results:organisation", args=[organisation.slug]),
    }
    return render(request, "workforce/outcomes.html", context)


@organisation_page()
def outcomes_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The outcomes table as CSV or XLSX (404 for another format), from the kept rows."""
    rows = programme_outcomes(access.organisation)
    return table_response(
        f"outcomes {access.organisation.slug}", DOWNLOAD_HEADER, download_rows(rows), file_format
    )
