"""The paper pages' addresses, under /o/<organisation>/paper/. Each names its objects with the
keywords that views.SCOPED_OBJECTS loads from the organisation (collection, cohort, form, batch),
so no address can reach another organisation's object."""

from django.urls import path

from imheval.web.paper import interop_views, views

app_name = "paper"

urlpatterns = [
    # one questionnaire (collection): print, key in, differences
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/print/",
        views.print_forms,
        name="print",
    ),
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/enter/",
        views.enter,
        name="enter",
    ),
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/double-entry/",
        views.double_entry,
        name="double_entry",
    ),
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/differences/",
        views.discrepancies,
        name="discrepancies",
    ),
    # one paper form
    path("<slug:org>/paper/forms/<int:form>/change/", views.change, name="change"),
    path("<slug:org>/paper/forms/<int:form>/delete/", views.delete, name="delete"),
    path("<slug:org>/paper/forms/<int:form>/resolve/", views.resolve, name="resolve"),
    # importing a file into a cohort
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/template.csv",
        views.import_template,
        {"kind": "csv"},
        name="import_template_csv",
    ),
    path(
        "<slug:org>/paper/questionnaires/<int:collection>/template.xlsx",
        views.import_template,
        {"kind": "xlsx"},
        name="import_template_xlsx",
    ),
    path("<slug:org>/paper/cohorts/<int:cohort>/import/", views.import_file, name="import_file"),
    path("<slug:org>/paper/imports/<int:batch>/", views.import_preview, name="import_preview"),
    # importing another system's exports (REDCap, Microsoft Forms, LimeSurvey, FHIR)
    path(
        "<slug:org>/paper/cohorts/<int:cohort>/import/other-system/",
        interop_views.interop_import,
        name="interop_import",
    ),
    path(
        "<slug:org>/paper/imports/<int:batch>/mapping/",
        interop_views.interop_preview,
        name="interop_preview",
    ),
    path("<slug:org>/paper/imports/<int:batch>/cancel/", views.import_cancel, name="import_cancel"),
    path("<slug:org>/paper/imports/<int:batch>/delete/", views.import_undo, name="import_undo"),
]
