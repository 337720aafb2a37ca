"""REST API of inspections, findings (with rectification and 销号), accountability and recognition."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tuopin.accounts.roles import Capability
from tuopin.cases.api import CodeField
from tuopin.core.api import ScopedViewSetMixin, StrictInputMixin
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.models import Region

from . import actions, queries
from .models import AccountabilityRecord, Finding, Inspection, Recognition, Rectification

S = serializers


def _input(name, fields):
    return type(name, (StrictInputMixin, S.Serializer), dict(fields))


class RectificationSerializer(S.ModelSerializer):
    serializer_choice_field = CodeField

    class Meta:
        model = Rectification
        fields = ["id", "date", "measures", "evidence", "reported_by"]


class FindingSerializer(S.ModelSerializer):
    serializer_choice_field = CodeField
    overdue = S.BooleanField(read_only=True)
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "region",
            "category",
            "description",
            "responsible_unit",
            "found_on",
            "deadline",
            "status",
            "closed_on",
            "closed_by",
            "close_note",
            "overdue",
            "rectifications",
        ]


FindingInput = _input(
    "FindingInput",
    {
        "region": S.CharField(),
        "category": S.CharField(),
        "description": S.CharField(),
        "responsible_unit": S.CharField(),
        "deadline": S.DateField(),
        "found_on": S.DateField(required=False),
        "inspection": S.IntegerField(required=False),
    },
)
RectifyInput = _input(
    "RectifyInput",
    {
        "measures": S.CharField(),
        "evidence": S.CharField(required=False, default=""),
        "date": S.DateField(required=False),
    },
)
CloseInput = _input("CloseInput", {"note": S.CharField(), "date": S.DateField(required=False)})


@extend_schema(tags=["supervision"])
class FindingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Findings in the caller's jurisdiction with an ``overdue`` flag; ``?overdue=1`` lists only overdue ones."""

    scoped_model = Finding
    serializer_class = FindingSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        qs = queries.with_overdue(qs.prefetch_related("rectifications"), timezone.localdate())
        p = self.request.query_params
        if p.get("overdue") in ("1", "true"):
            qs = qs.filter(overdue=True)
        if p.get("status"):
            qs = qs.filter(status=p["status"])
        return qs

    @extend_schema(request=FindingInput)
    def create(self, request):
        self.require(Capability.EDIT_SUPERVISION)
        data = FindingInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        insp = d.pop("inspection", None)
        inspection = get_object_or_404(Inspection.objects.visible_to(request.user), pk=insp) if insp else None
        row = actions.record_finding(actor=request.user, inspection=inspection, **d)
        return Response(FindingSerializer(self.get_queryset().get(pk=row.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RectifyInput)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        finding = self.get_object()
        self.require(Capability.RECTIFY)
        data = RectifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.report_rectification(finding, actor=request.user, **data.validated_data)
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data)

    @extend_schema(request=CloseInput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        finding = self.get_object()
        self.require(Capability.EDIT_SUPERVISION)
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.close_finding(finding, actor=request.user, **data.validated_data)
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data)


def _viewset(model_cls, input_cls, create):
    class ViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        scoped_model = model_cls
        serializer_class = type(
            f"{model_cls.__name__}Serializer",
            (S.ModelSerializer,),
            {
                "Meta": type("Meta", (), {"model": model_cls, "fields": "__all__"}),
                "serializer_choice_field": CodeField,
            },
        )
        filter_backends: list = []

        def scope_queryset(self, qs):
            p = self.request.query_params
            if str(p.get("year", "")).isdigit() and hasattr(model_cls, "date"):
                qs = qs.filter(date__year=int(p["year"]))
            if p.get("kind"):
                qs = qs.filter(kind=p["kind"])
            return qs

        @extend_schema(request=input_cls)
        def create(self, request):
            self.require(Capability.EDIT_SUPERVISION)
            data = input_cls(data=request.data)
            data.is_valid(raise_exception=True)
            obj = create(actor=request.user, **data.validated_data)
            return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)

    ViewSet.__name__ = f"{model_cls.__name__}ViewSet"
    ViewSet.__doc__ = f"{model_cls._meta.verbose_name}（管辖范围内）。"
    return ViewSet


InspectionViewSet = _viewset(
    Inspection,
    _input(
        "InspectionInput",
        {
            "region": S.CharField(),
            "kind": S.CharField(),
            "title": S.CharField(),
            "start": S.DateField(),
            "end": S.DateField(),
            "team": S.CharField(),
        },
    ),
    actions.open_inspection,
)
AccountabilityViewSet = _viewset(
    AccountabilityRecord,
    _input(
        "AccountabilityInput",
        {
            "region": S.CharField(),
            "kind": S.CharField(),
            "subject": S.CharField(),
            "description": S.CharField(),
            "date": S.DateField(required=False),
        },
    ),
    actions.record_accountability,
)
RecognitionViewSet = _viewset(
    Recognition,
    _input(
        "RecognitionInput",
        {
            "region": S.CharField(),
            "kind": S.CharField(),
            "recipient_type": S.CharField(),
            "recipient": S.CharField(),
            "title": S.CharField(),
            "date": S.DateField(required=False),
        },
    ),
    actions.record_recognition,
)


class FiguresView(APIView):
    """Inspections, findings, accountability and recognition counted for a region and year."""

    @extend_schema(parameters=[OpenApiParameter("region", str), OpenApiParameter("year", int)], responses={200: dict})
    def get(self, request):
        code = str(request.query_params.get("region") or "").ljust(12, "0")
        region = Region.objects.filter(code=code).first()
        if region is None or not code_in_prefix(region.code, user_prefix(request.user)):
            return Response({"region": [_("地区不存在或不在管辖范围内。")]}, status=404)
        if not str(request.query_params.get("year", "")).isdigit():
            return Response({"year": [_("请指定年度。")]}, status=400)
        return Response(queries.annual_figures(region, int(request.query_params["year"])))
