"""Routes of a region's own pages (region_views: the region, its members, roles and targets,
under /r/<region>/, reached through a regional role) and of the organisation's side
(sharing: its regions and the share button, under /o/<organisation>/workforce/regions/).

Region routes use only the address parts ``region``, ``target``, ``file_format`` (and
``report_format``, for the regional report): region_access.region_page loads a target from the
region only."""

from django.urls import URLPattern, path

from imheval.web.workforce import region_views, sharing

R = "r/<slug:region>/"

urlpatterns: list[URLPattern] = [
    path(R, region_views.region, name="region"),
    path(R + "members/", region_views.region_members, name="region_members"),
    path(R + "roles/", region_views.region_roles, name="region_roles"),
    path(R + "targets/", region_views.region_targets, name="region_targets"),
    path(R + "targets/new/", region_views.region_target_add, name="region_target_add"),
    path(R + "targets/import/", region_views.region_targets_import, name="region_targets_import"),
    path(
        R + "targets.<slug:file_format>",
        region_views.region_targets_download,
        name="region_targets_download",
    ),
    path(R + "targets/<int:target>/", region_views.region_target, name="region_target"),
    path(
        R + "targets/<int:target>/delete/",
        region_views.region_target_delete,
        name="region_target_delete",
    ),
    path("o/<slug:org>/workforce/regions/", sharing.regions, name="regions"),
    path(
        "o/<slug:org>/workforce/regions/<int:region_member>/share/",
        sharing.region_share,
        name="region_share",
    ),
]
