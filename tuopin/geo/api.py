"""REST API for the region hierarchy: ``/api/regions/`` (read-only, jurisdiction-scoped).

A user sees the regions inside their jurisdiction. With ``?ancestors=true`` the list also carries
the regions above the jurisdiction (province, city, …) so a client can show the full place name;
those ancestors can also be fetched by code, since a region's name is not business data. Anything
else answers 404.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tuopin.core.api import ScopedViewSetMixin
from tuopin.core.scoping import user_prefix

from .choices import PREFIX_LENGTH, Level
from .models import Region

__all__ = ["RegionSerializer", "RegionViewSet", "ancestor_codes"]


class RegionSerializer(serializers.ModelSerializer):
    """A region as every client sees it: code, name, level and parent code."""

    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "parent", "is_synthetic"]
        read_only_fields = fields


def ancestor_codes(prefix: str | None) -> list[str]:
    """The 12-digit codes of the regions strictly above a jurisdiction prefix (province first)."""
    if not prefix:
        return []
    return [prefix[:n].ljust(12, "0") for n in sorted(PREFIX_LENGTH.values()) if n < len(prefix)]


def _truthy(value: str | None) -> bool:
    return str(value or "").lower() in {"1", "true", "yes", "on"}


REGION_LIST_PARAMS = [
    OpenApiParameter("level", OpenApiTypes.INT, enum=Level.values, description="只列出此级别的地区（1省…5村）"),
    OpenApiParameter("parent", OpenApiTypes.STR, description="只列出此上级地区（12位代码）的直接下级"),
    OpenApiParameter("q", OpenApiTypes.STR, description="按名称或代码前缀查找"),
    OpenApiParameter("ancestors", OpenApiTypes.BOOL, description="同时列出管辖地区的上级地区（用于显示全称）"),
]


@extend_schema_view(
    list=extend_schema(operation_id="regions_list", tags=["regions"], parameters=REGION_LIST_PARAMS),
    retrieve=extend_schema(operation_id="regions_retrieve", tags=["regions"]),
)
class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Regions inside the caller's jurisdiction (plus, on request, the ones above it)."""

    scoped_model = Region
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"
    filter_backends: list = []  # filtering is explicit below (prefix ranges, not ORM lookups from the URL)

    def _with_ancestors(self, qs):
        codes = ancestor_codes(user_prefix(self.request.user))
        if not codes:
            return qs
        return Region.objects.filter(Q(pk__in=qs.values("pk")) | Q(code__in=codes))

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list" or _truthy(self.request.query_params.get("ancestors")):
            qs = self._with_ancestors(qs)
        if self.action != "list":
            return qs.order_by("code")
        params = self.request.query_params
        level = str(params.get("level") or "")
        if level.isdigit():
            qs = qs.filter(level=int(level))
        parent = str(params.get("parent") or "")
        if parent:
            qs = qs.filter(parent_id=parent)
        text = str(params.get("q") or "").strip()
        if text:
            qs = qs.filter(code__startswith=text) if text.isdigit() else qs.filter(name__contains=text)
        return qs.order_by("code")

    @extend_schema(operation_id="regions_children", tags=["regions"], responses=RegionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="children")
    def children(self, request, code=None):
        """The direct subdivisions of a region that are visible or lie on the way down to the caller's
        jurisdiction (unpaginated: a region has at most a few hundred children)."""
        region = self.get_object()
        rows = self._with_ancestors(super().get_queryset()).filter(parent_id=region.code).order_by("code")
        return Response(RegionSerializer(rows, many=True).data)
