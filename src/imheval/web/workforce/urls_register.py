"""Routes of the training register (a cohort's people, attendance and completion, its import
and download) and of earlier training. Address parts: ``cohort`` and ``trainee`` (the trainee
must be on that cohort's register, else 404), ``earlier``, and ``file_format`` (csv or xlsx)."""

from django.urls import URLPattern, path

from imheval.web.workforce import earlier, register, register_import

C = "o/<slug:org>/workforce/cohorts/<int:cohort>/"
R = C + "register/"
E = "o/<slug:org>/workforce/earlier/"

urlpatterns: list[URLPattern] = [
    path(R, register.register, name="register"),
    path(R + "add/", register.register_add, name="register_add"),
    path(R + "import/", register_import.register_import, name="register_import"),
    path(R + "<int:trainee>/", register.register_edit, name="register_edit"),
    path(R + "<int:trainee>/remove/", register.register_remove, name="register_remove"),
    path(R + "<int:trainee>/completion/", register.register_completion, name="register_completion"),
    path(C + "register.<slug:file_format>", register.register_download, name="register_download"),
    path(E, earlier.earlier, name="earlier"),
    path(E + "earlier.<slug:file_format>", earlier.earlier_download, name="earlier_download"),
    path(E + "<int:earlier>/delete/", earlier.earlier_delete, name="earlier_delete"),
    path(E + "remove-import/", earlier.earlier_remove_import, name="earlier_remove_import"),
]
