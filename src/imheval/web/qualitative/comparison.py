"""The coders' comparison (codebook and coding-reliability analysis).

Two or more coders code the same sources blind to each other. While the comparison is closed,
this page shows only how many codings each coder has made (no text, no figures, which would
give away what the others coded). Opening it (analysts, evaluators and admins; it sets
``Study.comparison_opened_at`` and cannot be undone, since coders have then seen each other's
work) shows, for each code, the agreement figures pooled over all sources and source by source
(percent agreement, Cohen's kappa for two coders, Krippendorff's alpha), with undefined figures
explained in words, and, for a chosen code, the stretches of text the coders disagree on, side
by side. The unit of comparison (character or speaker turn) is the study's setting, switchable
on the page (``?unit=``).

The figures are the core's (:func:`imheval.qualitative.agreement.agreement` over
:func:`~imheval.web.qualitative.adapter.project_for`), the same as ``imheval qual agreement``
gives for an exported project. A reflexive study gets Braun and Clarke's caution first.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from imheval.qualitative.agreement import (
    UNITS,
    AgreementError,
    AgreementFigures,
    agreement,
    disagreements,
)
from imheval.web.organisations.access import POST, Access
from imheval.web.qualitative.adapter import project_for
from imheval.web.qualitative.models import Approach, Code, Coding, Study
from imheval.web.qualitative.review import study_crumbs, study_url
from imheval.web.qualitative.study_access import CODE, may, organisation_page
from imheval.web.qualitative.study_access import require as require_action

#: How many disagreeing stretches a source lists before "and N more".
STRETCHES_SHOWN = 200


def figure_cells(figures: AgreementFigures) -> dict[str, str]:
    """The figures as the page shows them: a percentage, coefficients to three places, and a
    dash where a figure is undefined (the reason is shown beside)."""

    def coefficient(value: float | None) -> str:
        return "not defined" if value is None else f"{value:.3f}".replace("-", "\u2212")

    return {
        "units": f"{figures.units:,}",
        "percent": "not defined"
        if figures.percent_agreement is None
        else f"{100 * figures.percent_agreement:.1f}%",
        "kappa": coefficient(figures.cohen_kappa),
        "alpha": coefficient(figures.krippendorff_alpha),
        "reason": figures.reason or "",
    }


@organisation_page("view")
def comparison(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """The comparison: closed (counts only) or open (figures and disagreements)."""
    unit = request.GET.get("unit") or study.agreement_unit
    if unit not in UNITS:
        unit = study.agreement_unit if study.agreement_unit in UNITS else "character"
    counts = Counter(
        Coding.objects.filter(source__study=study).values_list("coder__name", flat=True)
    )
    context: dict[str, Any] = {
        "study": study,
        "reflexive": study.approach == Approach.REFLEXIVE,
        "opened": study.comparison_opened_at is not None,
        "may_open": may(access, CODE),
        "coder_counts": sorted(counts.items()),
        "unit": unit,
        "units": [
            (u, "Each character" if u == "character" else "Each speaker turn") for u in UNITS
        ],
        "crumbs": study_crumbs(access, study),
    }
    if study.comparison_opened_at is not None:
        context.update(_open_parts(request, study, unit))
    return render(request, "qualitative/comparison.html", context)


def _open_parts(request: HttpRequest, study: Study, unit: Any) -> dict[str, Any]:
    project = project_for(study)
    try:
        report = agreement(project, unit=unit)
    except AgreementError as error:
        return {"problem": str(error)}
    pks = dict(Code.objects.filter(study=study).values_list("guid", "pk"))
    rows = [
        {
            "code": result.code,
            "pk": pks.get(result.code.guid),
            "pooled": figure_cells(result.pooled),
            "sources": [(s.source.name, figure_cells(s.figures)) for s in result.sources],
        }
        for result in report.codes
    ]
    chosen = None
    stretches: list[dict[str, Any]] = []
    wanted = request.GET.get("code", "")
    code_guid = next((guid for guid, pk in pks.items() if str(pk) == wanted), None)
    if code_guid is not None:
        chosen = next(c for c in project.codes if c.guid == code_guid)
        for source in project.sources:
            found = disagreements(project, code_guid, source.guid, [c.guid for c in report.coders])
            stretches.append(
                {
                    "source": source.name,
                    "count": len(found),
                    "items": [
                        {
                            "start": d.start,
                            "end": d.end,
                            "text": d.text,
                            "coded_by": ", ".join(c.name for c in d.coded_by),
                            "not_coded_by": ", ".join(c.name for c in d.not_coded_by),
                        }
                        for d in found[:STRETCHES_SHOWN]
                    ],
                }
            )
    return {
        "coders": [c.name for c in report.coders],
        "two_coders": len(report.coders) == 2,
        "rows": rows,
        "notes": report.notes,
        "chosen": chosen,
        "chosen_pk": wanted if chosen is not None else "",
        "stretches": stretches,
        "shown": STRETCHES_SHOWN,
    }


@organisation_page("view", POST)
def comparison_open(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Open the comparison: from now on coders see each other's codings and the figures."""
    require_action(access, CODE)
    if study.comparison_opened_at is None:
        study.comparison_opened_at = timezone.now()
        study.save(update_fields=["comparison_opened_at"])
        messages.success(request, "The comparison is open: coders now see each other's codings.")
    return redirect(study_url("comparison", access, study))
