"""Results pages under /o/<organisation>/results/: evaluations, reports, exports, live counts and
the matching review.

Every view goes through :func:`organisation_page`: anonymous visitors are sent to sign in, outsiders
get 404 (:func:`member_of`), each object named in the address is loaded from the member's own
organisation (404 otherwise), then the role (403) and the HTTP method (405) are checked, in that
order, as on the workspace pages. Each page kind that exists for an organisation, a programme
and a cohort is one view of a :class:`Scope`, worked out from the address by :func:`scoped`.
The analysis is the core's (see :mod:`.analysis`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode

from imheval import EvaluationOptions
from imheval.web.organisations.access import FORM, Access, organisation_views
from imheval.web.results import exports
from imheval.web.results.analysis import (
    Scope,
    UnavailableError,
    review_matches,
    scope_instruments,
    scope_table,
)
from imheval.web.results.counts import live_counts
from imheval.web.results.forms import MatchDecisionForm
from imheval.web.results.models import Decision, MatchDecision, ResultsView
from imheval.web.results.snapshots import PageContent, kept_content, refresh_state, visit
from imheval.web.results.tasks import REPORT_FORMATS, REPORT_LABELS, start_report
from imheval.web.tasks.jobs import job_url
from imheval.web.workspace.models import Cohort, Programme

#: Address parts naming an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {"programme": Programme, "cohort": Cohort}

EXPORT_LABELS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "sav": "SPSS (.sav)"}


#: The shared access rules (organisations.access.organisation_views) for results pages.
organisation_page = organisation_views(SCOPED_OBJECTS)


# ---------------------------------------------------------------------------- addresses


def scope_url(scope: Scope, page: str = "", **query: str) -> str:
    """The address of ``scope``'s results page, or a download ("report", "export",
    "match_decisions")."""
    name = f"results:{scope.kind}" + (f"_{page}" if page else "")
    kwargs: dict[str, Any] = {"org": scope.organisation.slug}
    if scope.cohort is not None:
        kwargs["cohort"] = scope.cohort.pk
    elif scope.programme is not None:
        kwargs["programme"] = scope.programme.pk
    url = reverse(name, kwargs=kwargs)
    return url + (f"?{urlencode(query)}" if query else "")


def crumbs(scope: Scope, here_is_results: bool = False) -> list[tuple[str, str]]:
    """Breadcrumbs: the organisation, programme and cohort pages above this one."""
    slug = scope.organisation.slug
    trail = [(scope.organisation.name, reverse("workspace:organisation", args=[slug]))]
    if scope.programme is not None:
        trail.append(
            (scope.programme.name, reverse("workspace:programme", args=[slug, scope.programme.pk]))
        )
    if scope.cohort is not None:
        trail.append(
            (
                f"Cohort {scope.cohort.name}",
                reverse("workspace:cohort", args=[slug, scope.cohort.pk]),
            )
        )
    if here_is_results:
        trail.append((f"Results for {scope.name}", scope_url(scope)))
    return trail


# ---------------------------------------------------------------------------- the scope


def scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the objects :func:`organisation_page` loaded from the address into one :class:`Scope`.

    Each results page kind is one view, ``view(request, access, scope)``, registered under three
    addresses (see .urls): ``results/`` (the organisation), ``results/programmes/<programme>/``
    and ``results/cohorts/<cohort>/``. Apply it under :func:`organisation_page`, which has
    already loaded the programme or cohort from the member's own organisation (404 otherwise).
    """

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest,
        access: Access,
        programme: Programme | None = None,
        cohort: Cohort | None = None,
    ) -> HttpResponse:
        return view(request, access, Scope.of(access.organisation, cohort or programme))

    return wrapper


# ---------------------------------------------------------------------------- evaluation pages


@organisation_page()
@scoped
def results(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
    """The scope's evaluation page, with links to the results of the scopes below it."""
    # The analysis is kept as a snapshot while the data are unchanged; when they changed, the
    # kept page is shown at once while new results are worked out behind (see .snapshots).
    shown = visit(scope)
    if scope.cohort is not None:  # the home page's "changed since you last viewed"
        ResultsView.record(request.user, scope.cohort, shown.computed_at)
    content = shown.content
    context = {
        **_rest(scope, content),
        "stale": shown.stale,
        "partial": shown.partial,
        "computed_at": shown.computed_at,
        "refresh": {
            "state": "failed" if shown.refresh_failed else "updating",
            "url": scope_url(scope, "refresh"),
        },
        "downloads": [
            (label, scope_url(scope, "report", format=key)) for key, label in REPORT_LABELS.items()
        ],
        "exports": [
            (label, scope_url(scope, "export", format=key)) for key, label in EXPORT_LABELS.items()
        ]
        if access.may("export_responses")
        else [],
        "match_decisions_url": scope_url(scope, "match_decisions")
        if access.may("export_responses")
        else "",
        "crumbs": crumbs(scope),
        "versions": _versions(scope),
        "counts_url": _cohort_url("cohort_counts", scope),
        "matching_url": _cohort_url("cohort_matching", scope)
        if access.may("review_matches")
        else "",
    }
    return render(request, "results/results.html", context)


def _versions(scope: Scope) -> list[dict[str, Any]]:
    """Each built-in instrument the scope's cohorts asked at more than one version: the version
    the results use, with how many cohorts asked it, and the cohorts left out, with links."""
    return [
        {
            "title": use.title,
            "chosen": use.chosen,
            "chosen_count": len(use.cohorts[use.chosen]),
            "others": [
                {
                    "version": version,
                    "cohorts": [
                        {"name": c.name, "url": scope_url(Scope.of(scope.organisation, c))}
                        for c in cohorts
                    ],
                }
                for version, cohorts in use.others
            ],
        }
        for use in scope.versions.instruments
    ]


def _rest(scope: Scope, content: PageContent) -> dict[str, Any]:
    """What results/rest.html shows below the summary: the results one level below ``scope``
    (each programme's or cohort's table from ``content.groups``, with a link to its own page),
    then the report's other sections."""
    heading, children = _children(scope)
    for number, child in enumerate(children, start=1):
        table = content.groups.get(child["name"])
        child.update(id=f"group-{number}", blocks=[table] if table else [])
    return {
        "scope": scope,
        "content": content,
        "problem": content.problem,
        "page_url": scope_url(scope),
        "children_heading": heading,
        "children": children,
    }


def _children(scope: Scope) -> tuple[str, list[dict[str, Any]]]:
    """The heading and the results one level below ``scope``: each with its "name" (as the
    evaluation names it), "label", "url" and a one-line summary ("line")."""
    organisation = scope.organisation
    if scope.cohort is not None:
        return "", []
    if scope.programme is not None:
        cohorts = (
            Cohort.objects.in_organisation(organisation)
            .filter(programme=scope.programme)
            .select_related("programme")
        )
        return "Results by cohort", [
            {
                "name": c.name,
                "label": f"Cohort {c.name}",
                "url": scope_url(Scope.of(organisation, c)),
                "line": f"Started {c.start_date.day} {c.start_date:%B %Y}",
            }
            for c in cohorts
        ]
    programmes = (
        Programme.objects.in_organisation(organisation)
        .annotate(n_cohorts=Count("cohorts"))
        .order_by("name")
    )
    return "Results by programme", [
        {
            "name": p.name,
            "label": p.name,
            "url": scope_url(Scope.of(organisation, p)),
            "line": f"{p.n_cohorts} cohort{pluralize(p.n_cohorts)}",
        }
        for p in programmes
    ]


def _cohort_url(name: str, scope: Scope) -> str:
    if scope.cohort is None:
        return ""
    return reverse(f"results:{name}", args=[scope.organisation.slug, scope.cohort.pk])


@organisation_page()
@scoped
def refresh(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
    """The stale page's question "are the new results ready?", asked by htmx every few seconds.

    ``?shown=`` is the state the page shows now: when it is unchanged the answer is 204 (htmx
    swaps nothing, so a screen reader hears nothing new); otherwise the fragment for the new
    state ("ready" stops the polling and offers a link; the page is never replaced under the
    reader). With ``?rest=1`` it is the question of a page showing only its summary: "ready"
    is then the rest of the page (results/rest.html), put in the place kept for it below the
    summary, and a short note for the page's live region.
    """
    state = refresh_state(scope)
    whole = kept_content(scope) if request.GET.get("rest") and state == "ready" else None
    if whole is not None:
        response = render(request, "results/rest_ready.html", _rest(scope, whole))
    elif state == request.GET.get("shown"):
        response = HttpResponse(status=204)
    elif request.GET.get("rest"):
        context = {
            "scope": scope,
            "refresh": {"state": state, "url": scope_url(scope, "refresh")},
            "page_url": scope_url(scope),
        }
        response = render(request, "results/preparing.html", context)
    else:
        context = {
            "scope": scope,
            "refresh": {"state": state, "url": scope_url(scope, "refresh")},
            "page_url": scope_url(scope),
        }
        response = render(request, "results/refresh.html", context)
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------- downloads


@organisation_page()
@scoped
def report(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
    """Start writing the report in the background and show its progress page (a large
    organisation's report takes longer than a request may: see imheval.web.tasks)."""
    kind = request.GET.get("format", "")
    if kind not in REPORT_FORMATS:
        raise Http404("No such report format")
    job = start_report(scope, kind, request.user, back_url=scope_url(scope))
    return redirect(job_url(job))


@organisation_page("export_responses")
@scoped
def export(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
    """The scope's responses as a CSV, Excel or SPSS file (``?format=``; 404 for another)."""
    kind = request.GET.get("format", "")
    if kind not in exports.EXPORT_FORMATS:
        raise Http404("No such export format")
    extension, content_type = exports.EXPORT_FORMATS[kind]
    try:
        instruments = scope_instruments(scope)
        table = scope_table(scope, instruments)
    except UnavailableError as reason:
        return _unavailable(request, scope, str(reason))
    table = exports.with_open_answers(table, instruments, scope.submissions())
    if kind == "csv":
        content = exports.write_csv(table)
    elif kind == "xlsx":
        content = exports.write_xlsx(table)
    else:
        sources = dict(scope.submissions().values_list("pk", "source"))
        content = exports.write_sav(table, instruments, sources, f"imheval: {scope.name}")
    return _attachment(content, content_type, scope.file_name("responses", extension))


@organisation_page("export_responses")
@scoped
def match_decisions(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
    """The scope's match decisions as the review CSV ``imheval analyse --accept-matches`` reads:
    with the responses CSV it reproduces the page's evaluation (not audited, like the exports).

    When there is nothing to analyse, no decision applies: the file has only its header row.
    """
    try:
        table = scope_table(scope, scope_instruments(scope))
    except UnavailableError:
        rows = []
    else:
        rows = exports.match_decision_rows(
            scope.organisation, scope.cohorts(), scope.submissions(), table
        )
    content = exports.write_match_decisions(rows)
    return _attachment(
        content, exports.EXPORT_FORMATS["csv"][1], scope.file_name("match-decisions", ".csv")
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _unavailable(request: HttpRequest, scope: Scope, problem: str) -> HttpResponse:
    context = {"scope": scope, "problem": problem, "crumbs": crumbs(scope, True)}
    return render(request, "results/unavailable.html", context, status=409)


# ---------------------------------------------------------------------------- live counts


@organisation_page()
def cohort_counts(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    scope = Scope.of(access.organisation, cohort)
    context = {
        "scope": scope,
        "counts": live_counts(cohort),
        "min_group_size": EvaluationOptions().min_group_size,
        "crumbs": crumbs(scope),
        "results_url": scope_url(scope),
    }
    return render(request, "results/counts.html", context)


@organisation_page()
def cohort_counts_live(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    scope = Scope.of(access.organisation, cohort)
    response = render(
        request, "results/counts_live.html", {"scope": scope, "counts": live_counts(cohort)}
    )
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------- matching review


@organisation_page("review_matches", FORM)
def cohort_matching(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    scope = Scope.of(access.organisation, cohort)
    review = review_matches(scope)
    form = MatchDecisionForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        decision = form.save(request.user)
        verb = "accepted as one person" if decision.is_accepted else "rejected (two people)"
        messages.success(request, f"{decision.code_a} and {decision.code_b} {verb}.")
        return redirect(
            reverse("results:cohort_matching", args=[access.organisation.slug, cohort.pk])
        )
    decisions = MatchDecision.objects.in_organisation(access.organisation).filter(cohort=cohort)
    decided = {(d.code_a, d.code_b): d for d in decisions.select_related("decided_by")}
    probable = [
        {"match": m, "decision": decided.get((m.earlier_code, m.later_code))}
        for m in (review.result.probable_matches if review.result is not None else ())
    ]
    context = {
        "scope": scope,
        "review": review,
        "form": form,
        "probable": probable,
        "accepted": [d for d in decided.values() if d.decision == Decision.ACCEPTED],
        "crumbs": crumbs(scope),
        "results_url": scope_url(scope),
    }
    return render(request, "results/matching.html", context, status=400 if form.errors else 200)
