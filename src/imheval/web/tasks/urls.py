"""A job's addresses, under /o/<organisation>/jobs/<job>/: the progress page, the fragment it
polls (``status/``) and the file a report job made (``download/``)."""

from django.urls import path

from imheval.web.tasks import views

app_name = "jobs"

urlpatterns = [
    path("<slug:org>/jobs/<int:job>/", views.job, name="job"),
    path("<slug:org>/jobs/<int:job>/status/", views.status, name="status"),
    path("<slug:org>/jobs/<int:job>/download/", views.download, name="download"),
]
