"""The results addresses, under /o/<organisation>/results/.

Downloads name their format in the query: ``report/?format=pdf`` (html, pdf, docx) and
``export/?format=csv`` (csv, xlsx, sav); ``match-decisions/`` is the CSV of match decisions the
CLI reads with ``--accept-matches``. ``refresh/`` is the fragment a page shown while its
new results are worked out asks for every few seconds.

Each page kind is one view registered under three scopes, named ``<scope>`` or
``<scope>_<page>``: ``results/`` (organisation), ``results/programmes/<programme>/``
(programme) and ``results/cohorts/<cohort>/`` (cohort); e.g. ``results:programme_export`` is
``/o/<org>/results/programmes/<programme>/export/``. The view receives the scope from
:func:`imheval.web.results.views.scoped`.
"""

from django.urls import URLPattern, path

from imheval.web.results import views

app_name = "results"

#: Scope name -> where its pages live below <org>/results/.
SCOPES = {
    "organisation": "",
    "programme": "programmes/<int:programme>/",
    "cohort": "cohorts/<int:cohort>/",
}
#: Page name ("" for the evaluation page) -> (its address below the scope's, its view).
SCOPED_PAGES = {
    "": ("", views.results),
    "refresh": ("refresh/", views.refresh),
    "report": ("report/", views.report),
    "export": ("export/", views.export),
    "match_decisions": ("match-decisions/", views.match_decisions),
}

scoped_patterns: list[URLPattern] = [
    path(
        f"<slug:org>/results/{scope_route}{page_route}",
        view,
        name=scope + (f"_{page}" if page else ""),
    )
    for scope, scope_route in SCOPES.items()
    for page, (page_route, view) in SCOPED_PAGES.items()
]

urlpatterns = [
    *scoped_patterns,
    path(
        "<slug:org>/results/cohorts/<int:cohort>/counts/",
        views.cohort_counts,
        name="cohort_counts",
    ),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/counts/live/",
        views.cohort_counts_live,
        name="cohort_counts_live",
    ),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/matching/",
        views.cohort_matching,
        name="cohort_matching",
    ),
]
