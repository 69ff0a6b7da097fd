"""The member profile's addresses (profile_views.py): the group's profile page under
/o/<org>/groups/<group>/profile/, and the anonymous questionnaire under /p/<token>/, public by
design (reached by an unguessable token, like the capture app's /q/<token>/)."""

from django.urls import URLPattern, path

from imheval.web.network import profile_views as views

P = "o/<slug:org>/groups/<int:group>/profile/"

urlpatterns: list[URLPattern] = [
    path(P, views.profile, name="profile"),
    path(P + "open/", views.profile_open, name="profile_open"),
    path(P + "close/", views.profile_close, name="profile_close"),
    path(P + "merge/", views.profile_merge, name="profile_merge"),
    path(P + "qr.svg", views.profile_qr_svg, name="profile_qr_svg"),
    path(P + "qr.png", views.profile_qr_png, name="profile_qr_png"),
    path("p/<str:token>/", views.public_start, name="profile_start"),
    path("p/<str:token>/questions/", views.public_questions, name="profile_questions"),
    path("p/<str:token>/thank-you/", views.public_thanks, name="profile_thanks"),
]
