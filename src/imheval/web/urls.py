"""The site's addresses: workspace under /o/<organisation>/, questionnaires under /q/<token>/."""

from django.contrib import admin
from django.urls import include, path

from imheval.web.organisations import views as organisation_views

urlpatterns = [
    path("healthz", organisation_views.healthz, name="healthz"),
    path("", include("imheval.web.organisations.urls")),
    path("o/", include("imheval.web.workspace.urls")),
    path("o/", include("imheval.web.results.urls")),
    path("o/", include("imheval.web.paper.urls")),
    path("q/", include("imheval.web.capture.urls")),
    path("admin/", admin.site.urls),
]
