from django.contrib import admin

from imheval.web.workspace.models import Cohort, Collection, InstrumentFile, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organisation", "level", "delivery"]
    list_filter = ["organisation", "level"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "programme", "start_date", "trainer"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["cohort", "timepoint", "is_open"]
    readonly_fields = ["token"]


@admin.register(InstrumentFile)
class InstrumentFileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["instrument_id", "title", "organisation"]
