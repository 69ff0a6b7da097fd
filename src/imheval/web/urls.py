"""The site's addresses: workspace under /o/<organisation>/, questionnaires under /q/<token>/.

The Django admin is mounted at /admin/ only when settings.IMHEVAL_ADMIN is on (IMHEVAL_ADMIN=1):
superusers there see every organisation, so a site that does not use it does not expose it.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from imheval.web.capture import preview
from imheval.web.organisations import views as organisation_views

urlpatterns = [
    path("healthz", organisation_views.healthz, name="healthz"),
    path("", include("imheval.web.organisations.urls")),
    path("o/", include("imheval.web.workspace.urls")),
    path("o/", include("imheval.web.results.urls")),
    path("o/", include("imheval.web.paper.urls")),
    path("", include("imheval.web.network.urls")),
    path("", include("imheval.web.qualitative.urls")),
    path("", include("imheval.web.workforce.urls")),
    path("o/", include("imheval.web.tasks.urls")),
    path("o/", include("imheval.web.capture.preview")),
    path("q/", include("imheval.web.capture.urls")),
    # The participant pages again, as a preview that keeps nothing (capture/preview.py).
    path(
        "preview/",
        include((preview.participant_urlpatterns, "capture"), namespace=preview.NAMESPACE),
    ),
    path("guides/", include("imheval.web.guides")),
]
if settings.IMHEVAL_ADMIN:
    urlpatterns.append(path("admin/", admin.site.urls))
