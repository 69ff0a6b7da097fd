"""Routes of the workforce app's outcomes page (outcomes beside coverage) and its download."""

from django.urls import URLPattern, path

from imheval.web.workforce import outcome_views

urlpatterns: list[URLPattern] = [
    path("o/<slug:org>/workforce/outcomes/", outcome_views.outcomes, name="outcomes"),
    path(
        "o/<slug:org>/workforce/outcomes/table.<slug:file_format>",
        outcome_views.outcomes_download,
        name="outcomes_download",
    ),
]
