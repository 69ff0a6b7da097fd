"""The organisation's workforce home (/o/<org>/workforce/): what is set up (framework,
establishment, required levels, training registers, births), a link to every workforce page,
and coverage today in one line ("34 of 40 team targets met, 4 on trajectory, 2 behind").

Links are made only to pages that exist (:func:`~.coverage_views.url`), so the page works while
the workforce app grows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from imheval.errors import CoverageError
from imheval.web.organisations.access import Access
from imheval.web.workforce.access import organisation_page
from imheval.web.workforce.adapter import programme_level
from imheval.web.workforce.coverage_views import compute, status_summary, today, url
from imheval.web.workforce.models import (
    BirthsYear,
    EarlierTraining,
    Establishment,
    LevelRequirement,
    Trainee,
    WorkforceSettings,
)
from imheval.web.workspace.models import Programme

#: The workforce pages the home links to: (URL name, link text, what it is for).
PAGES = (
    ("coverage", "Coverage", "The heat map of teams by level against their targets, and the gaps."),
    ("coverage_trend", "Coverage over the years", "Coverage at the end of each financial year."),
    (
        "outcomes",
        "Outcomes beside coverage",
        "Whether the training worked, programme by programme.",
    ),
    (
        "services",
        "Service data (level 4)",
        "Service figures before and after training: Barr 4a practice, 4b benefit to families.",
    ),
    ("places", "Places", "Places funded, offered, taken and completed, per programme and year."),
    (
        "board_pack",
        "Board pack",
        "The year for the board in Word or PDF: places, coverage, gaps, outcomes, actions.",
    ),
    ("establishment", "Establishment", "Staff by service and profession, from an HR extract."),
    ("requirements", "Required levels", "The level each team needs, the target and its date."),
    ("births", "Births", "Births a year, for the specialist rule of thumb."),
    (
        "earlier",
        "Earlier training",
        "Training staff completed before imheval or elsewhere, imported from a file.",
    ),
    (
        "settings",
        "Framework and planning figures",
        "The framework, usual cohort size and turnover.",
    ),
    ("regions", "Regions", "Regions you are invited to, and what you share with them."),
)


@organisation_page()
def home(request: HttpRequest, access: Access) -> HttpResponse:
    organisation = access.organisation
    settings = WorkforceSettings.for_organisation(organisation)
    framework_error = ""
    try:
        ladder = settings.ladder()
        framework = ladder.describe()
    except CoverageError as error:
        ladder = None
        framework = settings.get_framework_display()
        framework_error = "; ".join(problem.message for problem in error.problems)
    day = today()
    # the extract coverage uses today (a later one may be imported ahead of its date)
    extract = Establishment.objects.filter(organisation=organisation, as_of__lte=day).first()
    staff = (
        extract.rows.aggregate(headcount=Sum("headcount"), teams=Count("id"))
        if extract is not None
        else {"headcount": None, "teams": 0}
    )
    programmes = list(
        Programme.objects.filter(organisation=organisation).values_list("framework_level", "level")
    )
    with_level = (
        sum(
            1
            for framework_level, level in programmes
            if programme_level(framework_level, level, ladder)
        )
        if ladder is not None
        else 0
    )
    completions = Trainee.objects.filter(cohort__programme__organisation=organisation).aggregate(
        trainees=Count("id"), completed=Count("id", filter=Q(completed_on__isnull=False))
    )
    # the figure the births check uses: the latest year up to this one
    births = BirthsYear.objects.filter(organisation=organisation, year__lte=day.year).first()
    computed = compute(organisation, day)
    result = computed.result
    pages = [
        {"url": link, "text": text, "about": about}
        for name, text, about in PAGES
        if (link := url(name, organisation)) is not None
    ]
    context: dict[str, Any] = {
        "framework": framework,
        "framework_error": framework_error,
        "extract": extract,
        "staff": staff,
        "requirements": LevelRequirement.objects.filter(organisation=organisation).count(),
        "programmes": len(programmes),
        "with_level": with_level,
        "completions": completions,
        "earlier": EarlierTraining.objects.filter(organisation=organisation).count(),
        "births": births,
        "summary": status_summary(result.rows) if result is not None else "",
        "problems": computed.problems,
        "pages": pages,
        "coverage_url": url("coverage", organisation),
        "today": day,
    }
    return render(request, "workforce/home.html", context)
