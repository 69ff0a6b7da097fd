"""The results addresses, under /o/<organisation>/results/.

Downloads name their format in the query: ``report/?format=pdf`` (html, pdf, docx) and
``export/?format=csv`` (csv, xlsx, sav); ``match-decisions/`` is the CSV of match decisions the
CLI reads with ``--accept-matches``. ``refresh/`` is the fragment a page shown while its
new results are worked out asks for every few seconds.
"""

from django.urls import path

from imheval.web.results import views

app_name = "results"

urlpatterns = [
    path("<slug:org>/results/", views.organisation, name="organisation"),
    path("<slug:org>/results/report/", views.organisation_report, name="organisation_report"),
    path("<slug:org>/results/export/", views.organisation_export, name="organisation_export"),
    path(
        "<slug:org>/results/match-decisions/",
        views.organisation_match_decisions,
        name="organisation_match_decisions",
    ),
    path("<slug:org>/results/refresh/", views.organisation_refresh, name="organisation_refresh"),
    path("<slug:org>/results/programmes/<int:programme>/", views.programme, name="programme"),
    path(
        "<slug:org>/results/programmes/<int:programme>/refresh/",
        views.programme_refresh,
        name="programme_refresh",
    ),
    path(
        "<slug:org>/results/programmes/<int:programme>/report/",
        views.programme_report,
        name="programme_report",
    ),
    path(
        "<slug:org>/results/programmes/<int:programme>/export/",
        views.programme_export,
        name="programme_export",
    ),
    path(
        "<slug:org>/results/programmes/<int:programme>/match-decisions/",
        views.programme_match_decisions,
        name="programme_match_decisions",
    ),
    path("<slug:org>/results/cohorts/<int:cohort>/", views.cohort, name="cohort"),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/refresh/",
        views.cohort_refresh,
        name="cohort_refresh",
    ),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/report/",
        views.cohort_report,
        name="cohort_report",
    ),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/export/",
        views.cohort_export,
        name="cohort_export",
    ),
    path(
        "<slug:org>/results/cohorts/<int:cohort>/match-decisions/",
        views.cohort_match_decisions,
        name="cohort_match_decisions",
    ),
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
