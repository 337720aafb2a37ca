"""API for assessment runs (started as background jobs, progress polled), their determinations with
explanations, region rollups, and the policy standards."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tuopin.accounts.roles import Capability
from tuopin.core.api import ScopedViewSetMixin, StrictInputMixin
from tuopin.geo.models import Region
from tuopin.policy.actions import add_standard, replace_standard
from tuopin.policy.models import RuleSet, Standard

from .actions import start_run
from .explain import explain
from .models import Determination, RegionRollup, Run

__all__ = ["RunViewSet", "DeterminationViewSet", "RollupViewSet", "StandardViewSet", "RuleSetViewSet"]


class RunSerializer(serializers.ModelSerializer):
    ruleset = serializers.CharField(source="ruleset.label", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "year",
            "region",
            "region_name",
            "ruleset",
            "replay_of",
            "status",
            "stage",
            "progress",
            "counts",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class RunCreateSerializer(StrictInputMixin, serializers.Serializer):
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    region = serializers.CharField(max_length=12)


@extend_schema_view(
    list=extend_schema(tags=["assessment"], operation_id="assessment_runs_list"),
    retrieve=extend_schema(tags=["assessment"], operation_id="assessment_runs_retrieve"),
)
class RunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessment runs in the caller's jurisdiction. POST queues a run; poll the run for progress."""

    scoped_model = Run
    serializer_class = RunSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        return qs.select_related("region", "ruleset").order_by("-id")

    @extend_schema(
        tags=["assessment"],
        operation_id="assessment_runs_create",
        request=RunCreateSerializer,
        responses={202: RunSerializer},
    )
    def create(self, request):
        """Queue an assessment of every registered household of a region in a year (a background job)."""
        self.require(Capability.RUN_ASSESSMENT)
        data = RunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = Region.objects.visible_to(request.user).filter(code=data.validated_data["region"].ljust(12, "0"))
        region = region.first()
        if region is None:
            raise ValidationError({"region": _("地区代码不存在或不在您的管辖范围内。")})
        run = start_run(actor=request.user, year=data.validated_data["year"], region=region)
        run.refresh_from_db()
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class DeterminationSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = Determination
        exclude = ["input_hash"]
        read_only_fields = ["id"]


@extend_schema_view(
    list=extend_schema(
        tags=["assessment"],
        operation_id="assessment_determinations_list",
        parameters=[
            OpenApiParameter("run", int),
            OpenApiParameter("household", int),
            OpenApiParameter("year", int),
            OpenApiParameter("exit_eligible", bool),
            OpenApiParameter("failing", str, description="income/food/…"),
        ],
    ),
    retrieve=extend_schema(tags=["assessment"], operation_id="assessment_determinations_retrieve"),
)
class DeterminationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Determinations in the caller's jurisdiction, with an explanation per record."""

    scoped_model = Determination
    serializer_class = DeterminationSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        qs = qs.select_related("household").order_by("run_id", "household_id")
        params = self.request.query_params
        for name in ("run", "household", "year"):
            value = str(params.get(name) or "")
            if value.isdigit():
                qs = qs.filter(**{f"{name}_id" if name != "year" else name: int(value)})
        if str(params.get("exit_eligible") or "").lower() in {"1", "true"}:
            qs = qs.filter(exit_eligible=True)
        failing = params.get("failing")
        if failing in {"income", "food", "education", "medical", "housing", "water"}:
            qs = qs.filter(**{failing: 0})
        return qs

    @extend_schema(tags=["assessment"], operation_id="assessment_determinations_explain", responses={200: dict})
    @action(detail=True, methods=["get"])
    def explain(self, request, pk=None):
        """Each indicator with its result, the numbers behind it and the standards of the run's rule set."""
        return Response(explain(self.get_object()))


class RollupSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = RegionRollup
        fields = "__all__"


@extend_schema_view(
    list=extend_schema(
        tags=["assessment"],
        operation_id="assessment_rollups_list",
        parameters=[OpenApiParameter("run", int), OpenApiParameter("level", int)],
    ),
    retrieve=extend_schema(tags=["assessment"], operation_id="assessment_rollups_retrieve"),
)
class RollupViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Region totals of runs, for regions inside the caller's jurisdiction."""

    scoped_model = RegionRollup
    serializer_class = RollupSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        qs = qs.select_related("region").order_by("run_id", "region_id")
        for name in ("run", "level"):
            value = str(self.request.query_params.get(name) or "")
            if value.isdigit():
                qs = qs.filter(**{f"{name}_id" if name == "run" else name: int(value)})
        return qs


class StandardSerializer(StrictInputMixin, serializers.ModelSerializer):
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "name",
            "region_prefix",
            "effective_year",
            "value",
            "source",
            "confidence",
            "created_at",
            "created_by",
            "retired_at",
            "retired_by",
            "replaced_by",
            "reason",
        ]
        read_only_fields = ["id", "created_at", "created_by", "retired_at", "retired_by", "replaced_by"]


@extend_schema_view(
    list=extend_schema(
        tags=["policy"],
        operation_id="standards_list",
        parameters=[OpenApiParameter("name", str), OpenApiParameter("history", bool)],
    ),
    retrieve=extend_schema(tags=["policy"], operation_id="standards_retrieve"),
    create=extend_schema(tags=["policy"], operation_id="standards_create"),
    partial_update=extend_schema(tags=["policy"], operation_id="standards_partial_update"),
)
class StandardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Policy standards (public policy, readable by every signed-in official). Changes go through the
    actions: an edit retires the old row and adds a new one, so the history stays."""

    serializer_class = StandardSerializer
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Standard.objects.order_by("name", "region_prefix", "effective_year", "id")
        params = self.request.query_params
        if str(params.get("history") or "").lower() not in {"1", "true"}:
            qs = qs.filter(retired_at__isnull=True)
        if params.get("name"):
            qs = qs.filter(name=params["name"])
        return qs

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = add_standard(
            actor=request.user,
            name=v["name"],
            region_prefix=v.get("region_prefix", ""),
            effective_year=v["effective_year"],
            value=v["value"],
            source=v.get("source", ""),
            confidence=v.get("confidence", "to_confirm"),
        )
        return Response(StandardSerializer(row).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        unknown = set(request.data) - {"value", "source", "reason"}
        if unknown:
            raise ValidationError(dict.fromkeys(unknown, _("只能修改取值、出处，并须填写原因。")))
        new = replace_standard(
            row,
            actor=request.user,
            value=request.data.get("value", row.value),
            source=request.data.get("source", ""),
            reason=str(request.data.get("reason") or ""),
        )
        return Response(StandardSerializer(new).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class RuleSetSerializer(serializers.ModelSerializer):
    # Named "digest" so that no API field ends in _hash: that suffix is reserved for keyed lookup hashes,
    # which never leave the server.
    digest = serializers.CharField(source="content_hash", read_only=True)

    class Meta:
        model = RuleSet
        fields = ["id", "year", "version", "content", "digest", "created_at", "created_by"]


@extend_schema_view(
    list=extend_schema(tags=["policy"], operation_id="rulesets_list"),
    retrieve=extend_schema(tags=["policy"], operation_id="rulesets_retrieve"),
)
class RuleSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Frozen rule sets (one per year and version) that determinations point at."""

    serializer_class = RuleSetSerializer
    queryset = RuleSet.objects.order_by("year", "version")
    filter_backends: list = []
