"""Routes of a region's views of what its organisations share (regional_views): coverage by
organisation and level, places, outcomes side by side, their downloads; and the regional report
written by a worker (regional_report_views). They use only the address parts ``region``,
``file_format``, ``report_format`` and ``regional_report`` (a report of the region)."""

from django.urls import URLPattern, path

from imheval.web.workforce import regional_report_views, regional_views

R = "r/<slug:region>/"
REPORT = R + "reports/<int:regional_report>/"

urlpatterns: list[URLPattern] = [
    path(R + "coverage/", regional_views.regional_coverage, name="regional_coverage"),
    path(
        R + "coverage.<slug:file_format>",
        regional_views.regional_coverage_download,
        name="regional_coverage_download",
    ),
    path(R + "places/", regional_views.regional_places, name="regional_places"),
    path(
        R + "places.<slug:file_format>",
        regional_views.regional_places_download,
        name="regional_places_download",
    ),
    path(R + "outcomes/", regional_views.regional_outcomes, name="regional_outcomes"),
    path(
        R + "outcomes.<slug:file_format>",
        regional_views.regional_outcomes_download,
        name="regional_outcomes_download",
    ),
    path(
        R + "report.<slug:report_format>",
        regional_report_views.regional_report,
        name="regional_report",
    ),
    path(REPORT, regional_report_views.regional_report_progress, name="regional_report_progress"),
    path(
        REPORT + "status/",
        regional_report_views.regional_report_status,
        name="regional_report_status",
    ),
    path(
        REPORT + "file",
        regional_report_views.regional_report_download,
        name="regional_report_download",
    ),
]
