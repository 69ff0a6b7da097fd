"""Routes of a region's views of what its organisations share (regional_views): coverage by
organisation and level, outcomes side by side, their downloads, and the regional report.
They use only the address parts ``region``, ``file_format`` and ``report_format``."""

from django.urls import URLPattern, path

from imheval.web.workforce import regional_views

R = "r/<slug:region>/"

urlpatterns: list[URLPattern] = [
    path(R + "coverage/", regional_views.regional_coverage, name="regional_coverage"),
    path(
        R + "coverage.<slug:file_format>",
        regional_views.regional_coverage_download,
        name="regional_coverage_download",
    ),
    path(R + "outcomes/", regional_views.regional_outcomes, name="regional_outcomes"),
    path(
        R + "outcomes.<slug:file_format>",
        regional_views.regional_outcomes_download,
        name="regional_outcomes_download",
    ),
    path(
        R + "report.<slug:report_format>",
        regional_views.regional_report_file,
        name="regional_report",
    ),
]
