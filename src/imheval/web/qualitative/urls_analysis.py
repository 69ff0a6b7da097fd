"""Routes of a study's own pages (views.py): the organisation's studies, a study's hub and
settings, sources (upload, preview, rename, delete), speakers, the codebook (rows, history,
bulk move), the phase log and memos. Each address names its objects with the keywords
study_access.SCOPED_OBJECTS loads from the organisation."""

from django.urls import URLPattern, path

from imheval.web.qualitative import views

Q = "o/<slug:org>/qualitative/"
S = Q + "<int:study>/"

urlpatterns: list[URLPattern] = [
    path(Q, views.studies, name="studies"),
    path(Q + "new/", views.study_create, name="study_create"),
    path(S, views.study, name="study"),
    path(S + "settings/", views.study_edit, name="study_edit"),
    path(S + "sources/new/", views.source_upload, name="source_upload"),
    path(S + "sources/new/preview/", views.source_preview, name="source_preview"),
    path(S + "sources/<int:source>/", views.source, name="source"),
    path(S + "sources/<int:source>/edit/", views.source_edit, name="source_edit"),
    path(S + "sources/<int:source>/delete/", views.source_delete, name="source_delete"),
    path(S + "speakers/", views.speakers, name="speakers"),
    path(S + "speakers/<int:speaker>/", views.speaker_edit, name="speaker_edit"),
    path(S + "codebook/", views.codebook, name="codebook"),
    path(S + "codebook/new/", views.code_create, name="code_create"),
    path(S + "codebook/move/", views.codes_move, name="codes_move"),
    path(S + "codebook/<int:code>/", views.code_edit, name="code_edit"),
    path(S + "codebook/<int:code>/delete/", views.code_delete, name="code_delete"),
    path(S + "codebook/<int:code>/history/", views.code_history, name="code_history"),
    path(S + "phases/", views.phases, name="phases"),
    path(S + "phases/new/", views.phase_create, name="phase_create"),
    path(S + "phases/<int:phase>/", views.phase_edit, name="phase_edit"),
    path(S + "memos/", views.memos, name="memos"),
    path(S + "memos/new/", views.memo_create, name="memo_create"),
    path(S + "memos/<int:memo>/", views.memo_edit, name="memo_edit"),
    path(S + "memos/<int:memo>/delete/", views.memo_delete, name="memo_delete"),
]
