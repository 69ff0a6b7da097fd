"""Routes for coding a transcript (coding.py): the source's coding page, and one passage's
page to change or remove it. Each address names its objects with the keywords
study_access.SCOPED_OBJECTS loads from the organisation (study, source, coding)."""

from django.urls import URLPattern, path

from imheval.web.qualitative import coding

S = "o/<slug:org>/qualitative/<int:study>/sources/<int:source>/"

urlpatterns: list[URLPattern] = [
    path(S + "code/", coding.coding, name="coding"),
    path(S + "codings/<int:coding>/", coding.coding_passage, name="coding_passage"),
]
