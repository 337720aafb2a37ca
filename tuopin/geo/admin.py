"""Admin for the region hierarchy (reference data) — system administrator only, audited."""

from django.contrib import admin

from tuopin.core.admin import RoleAdmin

from .models import Region, RegionPopulation


@admin.register(Region)
class RegionAdmin(RoleAdmin):
    list_display = ("code", "name", "level", "parent", "is_synthetic")
    list_filter = ("level", "is_synthetic")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        return ("code", "level", "parent") if obj else ()


@admin.register(RegionPopulation)
class RegionPopulationAdmin(RoleAdmin):
    list_display = ("region", "year", "rural_population")
    list_filter = ("year",)
    raw_id_fields = ("region",)
