"""Routes of the workforce home and the coverage pages: the home, the heat map (``?as_of=``),
the trend, the downloads of each table (``file_format``: csv or xlsx) and the coverage report
(a POST that starts a job: html, pdf or docx)."""

from django.urls import URLPattern, path

from imheval.web.workforce import coverage_views, home, trend

W = "o/<slug:org>/workforce/"
C = W + "coverage/"

urlpatterns: list[URLPattern] = [
    path(W, home.home, name="home"),
    path(C, coverage_views.coverage, name="coverage"),
    path(
        C + "coverage.<slug:file_format>",
        coverage_views.coverage_download,
        name="coverage_download",
    ),
    path(C + "needs.<slug:file_format>", coverage_views.needs_download, name="needs_download"),
    path(C + "report/", coverage_views.coverage_report, name="coverage_report"),
    path(C + "trend/", trend.coverage_trend, name="coverage_trend"),
    path(C + "trend.<slug:file_format>", trend.trend_download, name="trend_download"),
]
