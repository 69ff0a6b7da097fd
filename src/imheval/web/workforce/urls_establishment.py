"""Routes of the workforce planning pages: the settings, the establishment, the required levels
and births. Each address names its objects with the keywords access.SCOPED_OBJECTS loads from
the organisation (establishment, post, requirement, point, births); a post or point must also
belong to the extract or requirement in its address."""

from django.urls import URLPattern, path

from imheval.web.workforce import births, establishment, requirements, settings_views

W = "o/<slug:org>/workforce/"
E = W + "establishment/<int:establishment>/"
R = W + "requirements/<int:requirement>/"

urlpatterns: list[URLPattern] = [
    path(W + "settings/", settings_views.settings, name="settings"),
    # the establishment
    path(W + "establishment/", establishment.establishment, name="establishment"),
    path(
        W + "establishment/import/",
        establishment.establishment_import,
        name="establishment_import",
    ),
    path(W + "establishment/new/", establishment.establishment_create, name="establishment_create"),
    path(E, establishment.establishment_extract, name="establishment_extract"),
    path(E + "date/", establishment.establishment_edit, name="establishment_edit"),
    path(E + "delete/", establishment.establishment_delete, name="establishment_delete"),
    path(
        E + "download.<slug:file_format>",
        establishment.establishment_download,
        name="establishment_download",
    ),
    path(E + "rows/new/", establishment.post_create, name="post_create"),
    path(E + "rows/<int:post>/", establishment.post_edit, name="post_edit"),
    path(E + "rows/<int:post>/delete/", establishment.post_delete, name="post_delete"),
    # required levels
    path(W + "requirements/", requirements.requirements, name="requirements"),
    path(W + "requirements/new/", requirements.requirement_create, name="requirement_create"),
    path(
        W + "requirements/import/",
        requirements.requirements_import,
        name="requirements_import",
    ),
    path(
        W + "requirements/import/confirm/",
        requirements.requirements_import_confirm,
        name="requirements_import_confirm",
    ),
    path(
        W + "requirements/download.<slug:file_format>",
        requirements.requirements_download,
        name="requirements_download",
    ),
    path(R, requirements.requirement_edit, name="requirement_edit"),
    path(R + "delete/", requirements.requirement_delete, name="requirement_delete"),
    path(R + "points/new/", requirements.point_create, name="point_create"),
    path(R + "points/<int:point>/", requirements.point_edit, name="point_edit"),
    path(R + "points/<int:point>/delete/", requirements.point_delete, name="point_delete"),
    # births
    path(W + "births/", births.births, name="births"),
    path(W + "births/births.<slug:file_format>", births.births_download, name="births_download"),
    path(W + "births/new/", births.births_create, name="births_create"),
    path(W + "births/<int:births>/", births.births_edit, name="births_edit"),
    path(W + "births/<int:births>/delete/", births.births_delete, name="births_delete"),
]
