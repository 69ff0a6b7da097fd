"""The workspace's addresses, under /o/. Each names its objects with the keywords that
views.SCOPED_OBJECTS loads from the organisation (programme, cohort, collection, instrument_file,
member, invitation), so no address can reach another organisation's object."""

from django.urls import path

from imheval.web.workspace import (
    cohort_views,
    instrument_editor,
    instrument_interop,
    plan_views,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:org>/", views.organisation, name="organisation"),
    path("<slug:org>/plan/", plan_views.plan, name="plan"),
    # programmes and cohorts
    path("<slug:org>/programmes/new/", views.programme_create, name="programme_create"),
    path("<slug:org>/programmes/<int:programme>/", views.programme_detail, name="programme"),
    path(
        "<slug:org>/programmes/<int:programme>/edit/",
        views.programme_edit,
        name="programme_edit",
    ),
    path(
        "<slug:org>/programmes/<int:programme>/cohorts/new/",
        views.cohort_create,
        name="cohort_create",
    ),
    path("<slug:org>/cohorts/", views.cohorts, name="cohorts"),
    path("<slug:org>/cohorts/<int:cohort>/", views.cohort_detail, name="cohort"),
    path("<slug:org>/cohorts/<int:cohort>/edit/", views.cohort_edit, name="cohort_edit"),
    path("<slug:org>/cohorts/<int:cohort>/forms/", views.cohort_forms, name="cohort_forms"),
    # copying, closing, archiving and deleting (cohort_views)
    path("<slug:org>/cohorts/<int:cohort>/copy/", cohort_views.cohort_copy, name="cohort_copy"),
    path("<slug:org>/cohorts/<int:cohort>/close/", cohort_views.cohort_close, name="cohort_close"),
    path(
        "<slug:org>/cohorts/<int:cohort>/archive/",
        cohort_views.cohort_archive,
        name="cohort_archive",
    ),
    path(
        "<slug:org>/cohorts/<int:cohort>/restore/",
        cohort_views.cohort_restore,
        name="cohort_restore",
    ),
    path(
        "<slug:org>/cohorts/<int:cohort>/delete/", cohort_views.cohort_delete, name="cohort_delete"
    ),
    path(
        "<slug:org>/programmes/<int:programme>/archive/",
        cohort_views.programme_archive,
        name="programme_archive",
    ),
    path(
        "<slug:org>/programmes/<int:programme>/restore/",
        cohort_views.programme_restore,
        name="programme_restore",
    ),
    path(
        "<slug:org>/programmes/<int:programme>/delete/",
        cohort_views.programme_delete,
        name="programme_delete",
    ),
    # questionnaires (collections): one per cohort and timepoint
    path(
        "<slug:org>/cohorts/<int:cohort>/questionnaires/new/",
        views.collection_create,
        name="collection_create",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/edit/",
        views.collection_edit,
        name="collection_edit",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/open/",
        views.collection_open,
        name="collection_open",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/close/",
        views.collection_close,
        name="collection_close",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/link/",
        views.collection_link,
        name="collection_link",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/new-link/",
        views.collection_new_link,
        name="collection_new_link",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/qr.svg",
        views.collection_qr_svg,
        name="collection_qr_svg",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/qr.png",
        views.collection_qr_png,
        name="collection_qr_png",
    ),
    path(
        "<slug:org>/questionnaires/<int:collection>/poster/",
        views.collection_poster,
        name="collection_poster",
    ),
    # instruments
    path("<slug:org>/instruments/", views.instruments, name="instruments"),
    path("<slug:org>/instruments/upload/", views.instrument_upload, name="instrument_upload"),
    # to and from other systems: REDCap, LimeSurvey, FHIR (instrument_interop)
    path(
        "<slug:org>/instruments/import/",
        instrument_interop.instrument_import,
        name="instrument_import",
    ),
    path(
        "<slug:org>/instruments/import/confirm/",
        instrument_interop.instrument_import_confirm,
        name="instrument_import_confirm",
    ),
    path(
        "<slug:org>/instruments/built-in/<str:instrument_id>/export/<slug:file_format>/",
        instrument_interop.instrument_builtin_export,
        name="instrument_builtin_export",
    ),
    path(
        "<slug:org>/instruments/<int:instrument_file>/export/<slug:file_format>/",
        instrument_interop.instrument_file_export,
        name="instrument_file_export",
    ),
    # the editor and YAML downloads (instrument_editor)
    path("<slug:org>/instruments/new/", instrument_editor.instrument_new, name="instrument_new"),
    path(
        "<slug:org>/instruments/starter.yaml",
        instrument_editor.instrument_starter,
        name="instrument_starter",
    ),
    path(
        "<slug:org>/instruments/built-in/<str:instrument_id>/copy/",
        instrument_editor.instrument_copy,
        name="instrument_copy",
    ),
    path(
        "<slug:org>/instruments/built-in/<str:instrument_id>/yaml/",
        instrument_editor.instrument_builtin_yaml,
        name="instrument_builtin_yaml",
    ),
    path(
        "<slug:org>/instruments/<int:instrument_file>/edit/",
        instrument_editor.instrument_edit,
        name="instrument_edit",
    ),
    path(
        "<slug:org>/instruments/<int:instrument_file>/yaml/",
        instrument_editor.instrument_file_yaml,
        name="instrument_file_yaml",
    ),
    path(
        "<slug:org>/instruments/built-in/<str:instrument_id>/",
        views.instrument_builtin,
        name="instrument_builtin",
    ),
    path(
        "<slug:org>/instruments/<int:instrument_file>/",
        views.instrument_file,
        name="instrument_file",
    ),
    # audit log and members
    path("<slug:org>/audit/", views.audit, name="audit"),
    path("<slug:org>/members/", views.members, name="members"),
    path("<slug:org>/settings/", views.organisation_settings, name="organisation_settings"),
    path("<slug:org>/members/invite/", views.member_invite, name="member_invite"),
    path("<slug:org>/members/<int:member>/", views.member_edit, name="member_edit"),
    path("<slug:org>/members/<int:member>/remove/", views.member_remove, name="member_remove"),
    path(
        "<slug:org>/members/<int:member>/password-reset/",
        views.member_password_reset,
        name="member_password_reset",
    ),
    path(
        "<slug:org>/invitations/<int:invitation>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
