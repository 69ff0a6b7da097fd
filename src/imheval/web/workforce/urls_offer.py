"""Routes of the places pages (places.py): per programme and financial year, funded, offered,
taken and completed; the records of funded and offered places (``places``: a PlacesYear of
the organisation); the downloads of each table (``file_format``: csv or xlsx)."""

from django.urls import URLPattern, path

from imheval.web.workforce import places

P = "o/<slug:org>/workforce/places"

urlpatterns: list[URLPattern] = [
    path(P + "/", places.places, name="places"),
    path(P + "/new/", places.places_create, name="places_create"),
    path(P + "/<int:places>/", places.places_edit, name="places_edit"),
    path(P + "/<int:places>/delete/", places.places_delete, name="places_delete"),
    path(P + ".<slug:file_format>", places.places_download, name="places_download"),
    path(
        P + "/by-profession.<slug:file_format>",
        places.places_professions_download,
        name="places_professions_download",
    ),
    path(
        P + "/by-service.<slug:file_format>",
        places.places_services_download,
        name="places_services_download",
    ),
]
