from django.contrib import admin

from imheval.web.capture.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "collection", "code", "status", "source", "completed_at"]
    list_filter = ["status", "source"]
    readonly_fields = ["key", "started_at", "completed_at"]
