from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "workspace"


def _todo(
    request: HttpRequest, **kwargs: object
) -> HttpResponse:  # replaced by the workspace views
    return HttpResponse("workspace")


urlpatterns = [
    path("", _todo, name="home"),
    path("<slug:org>/", _todo, name="organisation"),
    path("<slug:org>/instruments/", _todo, name="instruments"),
    path("<slug:org>/audit/", _todo, name="audit"),
    path("<slug:org>/members/", _todo, name="members"),
]
