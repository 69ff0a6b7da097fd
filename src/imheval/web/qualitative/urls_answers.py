"""Routes: see urls.py. The open-text answers of the study's questionnaires (answers.py)."""

from django.urls import URLPattern, path

from imheval.web.qualitative import answers

S = "o/<slug:org>/qualitative/<int:study>/"

urlpatterns: list[URLPattern] = [
    path(S + "answers/", answers.answers, name="answers"),
]
