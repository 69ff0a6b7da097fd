"""The Django admin's view of network groups (mounted only with IMHEVAL_ADMIN=1, for staff).

Marks are changed through the register page, which staff can reach too; here they are read
only, so every change to a register goes through one place."""

from django.contrib import admin

from imheval.web.network.models import AttendanceMark, Meeting, Member, NetworkGroup


@admin.register(NetworkGroup)
class NetworkGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organisation", "target_percent", "year_start", "recurrence"]
    list_filter = ["organisation"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["group", "date", "topic", "cancelled"]
    list_filter = ["group"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "group", "profession", "service"]
    list_filter = ["group"]


@admin.register(AttendanceMark)
class AttendanceMarkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["meeting", "member", "status", "by_member"]
    readonly_fields = ["meeting", "member", "status", "by_member"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
