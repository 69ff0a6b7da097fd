"""Routes of the level-4 service data pages (services_views.py): the list, one series, adding
and deleting a figure, training dates, the import and the template (``file_format``: csv or
xlsx)."""

from django.urls import URLPattern, path

from imheval.web.workforce import services_views as views

S = "o/<slug:org>/workforce/services"

urlpatterns: list[URLPattern] = [
    path(S + "/", views.services, name="services"),
    path(S + "/series/", views.services_series, name="services_series"),
    path(S + "/new/", views.services_figure_create, name="services_figure_create"),
    path(S + "/<int:figure>/delete/", views.services_figure_delete, name="services_figure_delete"),
    path(S + "/training/new/", views.services_training_create, name="services_training_create"),
    path(
        S + "/training/<int:training>/", views.services_training_edit, name="services_training_edit"
    ),
    path(S + "/import/", views.services_import, name="services_import"),
    path(S + "/template.<slug:file_format>", views.services_template, name="services_template"),
]
