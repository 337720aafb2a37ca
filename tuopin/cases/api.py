"""REST API of the procedures: /api/cases/, /api/notices/ (scoped; every write calls an action)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tuopin.accounts.roles import Capability
from tuopin.core.api import ScopedViewSetMixin, StrictInputMixin
from tuopin.registry.models import Household

from . import actions, bulk
from .choices import CaseKind, MonitorCategory, Source
from .documents import notice_docx
from .models import Case, Notice, NoticeEntry, Step
from .queries import filter_cases


class CodeField(serializers.CharField):
    """A code-list value as a plain string in the schema.

    The code lists are Chinese-labelled on the pages; as OpenAPI enums, fields named "kind" or
    "category" in several apps collide in the schema's component names.
    """

    def __init__(self, *, choices=None, html_cutoff=None, html_cutoff_text=None, **kwargs):
        super().__init__(**kwargs)


class StepSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    serializer_choice_field = CodeField

    class Meta:
        model = Step
        fields = [
            "id",
            "kind",
            "from_state",
            "to_state",
            "date",
            "at",
            "actor_name",
            "decision",
            "note",
            "data",
            "notice",
            "attachments",
        ]

    def get_attachments(self, obj) -> list[dict]:
        return [
            {"id": a.pk, "name": a.original_name, "type": a.content_type, "size": a.size} for a in obj.attachments.all()
        ]


class CaseSerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(source="display_name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    notice_end = serializers.DateField(source="notice.end_date", read_only=True, default=None)

    serializer_choice_field = CodeField

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "state",
            "year",
            "village",
            "village_name",
            "household",
            "head_name",
            "applicant_summary",
            "source",
            "monitor_category",
            "reason",
            "notice",
            "notice_end",
            "opened_on",
            "last_step_on",
            "closed_on",
            "version",
        ]


class CaseDetailSerializer(CaseSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "steps"]


class StepInput(StrictInputMixin, serializers.Serializer):
    date = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    decision = serializers.ChoiceField(choices=["approve", "reject"], required=False)
    attendees = serializers.IntegerField(required=False, allow_null=True)
    votes_for = serializers.IntegerField(required=False, allow_null=True)
    votes_against = serializers.IntegerField(required=False, allow_null=True)
    abstain = serializers.IntegerField(required=False, allow_null=True)
    verifiers = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    household_agrees = serializers.BooleanField(required=False, allow_null=True, default=None)


class ExitInput(StrictInputMixin, serializers.Serializer):
    household = serializers.IntegerField()
    year = serializers.IntegerField()
    date = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RiskInput(ExitInput):
    # Codes as plain strings (the action refuses unknown ones in Chinese): enum names of "kind" and
    # "category" would collide with other apps' in the OpenAPI components.
    kind = serializers.CharField(
        help_text=" / ".join([CaseKind.MONITORING_ENTRY, CaseKind.MONITORING_EXIT, CaseKind.RELAPSE])
    )
    source = serializers.CharField(help_text=" / ".join(Source.values))
    category = serializers.CharField(required=False, default="", help_text=" / ".join(MonitorCategory.values))
    reason = serializers.CharField()


class IdentificationInput(StrictInputMixin, serializers.Serializer):
    village = serializers.CharField()
    year = serializers.IntegerField()
    applicant = serializers.JSONField()
    date = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BulkExitInput(StrictInputMixin, serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField()
    date = serializers.DateField(required=False)


class NoticeInput(StrictInputMixin, serializers.Serializer):
    cases = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    region = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    contact = serializers.CharField()
    address = serializers.CharField()
    title = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeEntrySerializer(serializers.ModelSerializer):
    serializer_choice_field = CodeField

    class Meta:
        model = NoticeEntry
        fields = ["case", "village_name", "group", "name_public", "id_public", "size", "cause"]


class NoticeSerializer(serializers.ModelSerializer):
    entries = NoticeEntrySerializer(many=True, read_only=True)

    serializer_choice_field = CodeField

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "procedure",
            "region",
            "year",
            "title",
            "issuer",
            "start_date",
            "end_date",
            "contact",
            "address",
            "entries",
        ]


STEPS = {
    "appraise": (
        Capability.HANDLE_CASE,
        lambda c, u, d: actions.appraise(
            c,
            actor=u,
            attendees=d.get("attendees"),
            votes_for=d.get("votes_for"),
            votes_against=d.get("votes_against"),
            abstain=d.get("abstain"),
            date=d.get("date"),
            note=d["note"],
        ),
    ),
    "review": (
        Capability.REVIEW_CASE,
        lambda c, u, d: actions.review(c, actor=u, decision=d.get("decision"), date=d.get("date"), note=d["note"]),
    ),
    "verify": (
        Capability.REVIEW_CASE,
        lambda c, u, d: actions.verify(
            c,
            actor=u,
            verifiers=d["verifiers"],
            decision=d.get("decision"),
            household_agrees=d["household_agrees"],
            date=d.get("date"),
            note=d["note"],
        ),
    ),
    "approve": (
        Capability.APPROVE_CASE,
        lambda c, u, d: actions.approve(c, actor=u, decision=d.get("decision"), date=d.get("date"), note=d["note"]),
    ),
    "object": (
        Capability.HANDLE_CASE,
        lambda c, u, d: actions.object_to_notice(c, actor=u, note=d["note"], date=d.get("date")),
    ),
    "complete": (Capability.HANDLE_CASE, lambda c, u, d: actions.complete(c, actor=u, date=d.get("date"))),
    "withdraw": (
        Capability.HANDLE_CASE,
        lambda c, u, d: actions.withdraw(c, actor=u, note=d["note"], date=d.get("date")),
    ),
}


@extend_schema(tags=["cases"])
class CaseViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Procedure cases in the caller's jurisdiction; steps are POSTed to /api/cases/{id}/{step}/."""

    scoped_model = Case
    serializer_class = CaseSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        qs = qs.select_related("village", "household", "notice")
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("steps", Step.objects.prefetch_related("attachments")))
        return filter_cases(qs, self.request.query_params) if self.action == "list" else qs

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def _step(self, request, pk, name):
        case = self.get_object()
        capability, fn = STEPS[name]
        self.require(capability)
        data = StepInput(data=request.data)
        data.is_valid(raise_exception=True)
        fn(case, request.user, data.validated_data)
        return Response(CaseDetailSerializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def appraise(self, request, pk=None):
        return self._step(request, pk, "appraise")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._step(request, pk, "review")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(request, pk, "verify")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, pk, "approve")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="object")
    def object_(self, request, pk=None):
        return self._step(request, pk, "object")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(request, pk, "complete")

    @extend_schema(request=StepInput, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, pk, "withdraw")

    def _household(self, pk):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(Household.objects.visible_to(self.request.user), pk=pk)

    @extend_schema(request=ExitInput, responses=CaseSerializer)
    @action(detail=False, methods=["post"], url_path="exit")
    def propose_exit(self, request):
        data = ExitInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        h = self._household(d["household"])
        self.require(Capability.HANDLE_CASE)
        case = actions.propose_exit(h, actor=request.user, year=d["year"], date=d.get("date"), note=d["note"])
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskInput, responses=CaseSerializer)
    @action(detail=False, methods=["post"], url_path="risk")
    def report_risk(self, request):
        data = RiskInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        h = self._household(d["household"])
        self.require(Capability.HANDLE_CASE)
        case = actions.report_risk(
            h,
            actor=request.user,
            kind=d["kind"],
            year=d["year"],
            source=d["source"],
            category=d["category"],
            reason=d["reason"],
            date=d.get("date"),
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IdentificationInput, responses=CaseSerializer)
    @action(detail=False, methods=["post"], url_path="identification")
    def apply(self, request):
        data = IdentificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        self.require(Capability.HANDLE_CASE)
        case = actions.apply_identification(
            actor=request.user,
            village=d["village"],
            year=d["year"],
            applicant=d["applicant"],
            date=d.get("date"),
            note=d["note"],
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BulkExitInput)
    @action(detail=False, methods=["post"], url_path="bulk-exit")
    def bulk_exit(self, request):
        data = BulkExitInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        self.require(Capability.HANDLE_CASE)
        result = bulk.bulk_propose_exit(d["region"], actor=request.user, year=d["year"], date=d.get("date"))
        return Response({"created": result.count, "cases": result.done})


@extend_schema(tags=["cases"])
class NoticeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Notices (公示/公告) posted in the caller's jurisdiction, with the masked list as posted."""

    scoped_model = Notice
    serializer_class = NoticeSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        return qs.prefetch_related("entries")

    @extend_schema(request=NoticeInput, responses=NoticeSerializer)
    def create(self, request, *args, **kwargs):
        data = NoticeInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        # post_notice refuses ids outside the caller's scope itself (it re-reads them through visible_to).
        notice = bulk.post_notice(
            [Case(pk=pk) for pk in d["cases"]],
            actor=request.user,
            region=d["region"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            contact=d["contact"],
            address=d["address"],
            title=d["title"],
        )
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        notice = self.get_object()
        resp = HttpResponse(
            notice_docx(notice),
            content_type=("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
        resp["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.docx"'
        return resp
