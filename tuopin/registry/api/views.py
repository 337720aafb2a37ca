"""Views of the registry API: ``/api/households/`` and ``/api/members/``.

Every queryset starts from ``visible_to(request.user)`` (:class:`ScopedViewSetMixin`), so anything
outside the caller's jurisdiction is a 404 on detail, PATCH and every custom action. Every write
is one call of a ``registry.actions`` function, so jurisdiction, validation and the audit row are
exactly those of the pages; the serializers only parse. PUT and DELETE do not exist: a household
is never deleted (its status becomes 已销户) and a member is removed with a reason.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tuopin.accounts.roles import Capability
from tuopin.core.api import ScopedViewSetMixin
from tuopin.core.models import AuditEvent

from .. import actions
from .. import choices as c
from ..models import Household, Member, MemberYear
from ..queries import filter_households, search_households
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="输入有误：字段名 → 中文错误信息列表"),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="角色无权进行此操作"),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="不存在或不在管辖范围内"),
}

HOUSEHOLD_LIST_PARAMS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="地区代码（任意级别，管辖范围内）"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=c.HouseholdStatus.values, description="户状态"),
    OpenApiParameter("cause", OpenApiTypes.STR, enum=c.PovertyCause.values, description="致贫原因（主要或其他）"),
    OpenApiParameter("category", OpenApiTypes.STR, enum=c.HouseholdCategory.values, description="贫困户属性"),
    OpenApiParameter("year", OpenApiTypes.INT, description="有该年度信息的户"),
    OpenApiParameter("search", OpenApiTypes.STR, description="户编号、户主或成员姓名、完整身份证号（精确匹配）"),
]
MEMBER_LIST_PARAMS = [
    OpenApiParameter("household", OpenApiTypes.INT, description="只列出此户的成员"),
    OpenApiParameter("current", OpenApiTypes.BOOL, description="true 只列在册成员，false 只列已减员成员"),
]


def _member_prefetch() -> Prefetch:
    return Prefetch("years", queryset=MemberYear.objects.order_by("year"))


class _WriteMixin(ScopedViewSetMixin):
    """Parse input with the action's serializer and reload the result through the scoped queryset."""

    def parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def reloaded(self, pk, serializer_class, *, status_code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=pk)
        return Response(serializer_class(obj, context=self.get_serializer_context()).data, status=status_code)


@extend_schema_view(
    list=extend_schema(operation_id="households_list", parameters=HOUSEHOLD_LIST_PARAMS),
    retrieve=extend_schema(
        operation_id="households_retrieve", responses={200: s.HouseholdDetailSerializer, 404: ERRORS[404]}
    ),
)
@extend_schema(tags=["households"])
class HouseholdViewSet(_WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Registered households in the caller's jurisdiction, with members, yearly facts and history."""

    scoped_model = Household
    serializer_class = s.HouseholdSerializer
    filter_backends: list = []  # filters are the registry's own (queries.filter_households)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, qs):
        qs = qs.select_related("village")
        if self.action == "list":
            params = self.request.query_params
            qs = search_households(filter_households(qs, params), params.get("search", ""))
        elif self.action not in ("audit",):
            qs = qs.prefetch_related(
                # Prefetching through the relation also fills each member's ``household`` cache.
                Prefetch(
                    "members",
                    queryset=Member.objects.order_by("relation", "birth_date", "id").prefetch_related(
                        _member_prefetch()
                    ),
                ),
                "years",
                "status_changes",
            )
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.HouseholdDetailSerializer
        return s.HouseholdSerializer

    @extend_schema(
        operation_id="households_create",
        request=s.HouseholdCreateSerializer,
        responses={201: s.HouseholdDetailSerializer, **ERRORS},
    )
    def create(self, request):
        """Register a household with its members → ``create_household``."""
        self.require(Capability.EDIT_REGISTRY)
        data = dict(self.parse(s.HouseholdCreateSerializer))
        members = [dict(m) for m in data.pop("members")]
        household = actions.create_household(actor=request.user, members=members, **data)
        return self.reloaded(household.pk, s.HouseholdDetailSerializer, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="households_partial_update",
        request=s.HouseholdUpdateSerializer,
        responses={
            200: s.HouseholdDetailSerializer,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="版本已过期：记录已被他人修改"),
            **ERRORS,
        },
    )
    def partial_update(self, request, pk=None):
        """Edit header fields → ``update_household``; ``version`` must be the current version."""
        household = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = dict(self.parse(s.HouseholdUpdateSerializer))
        version = data.pop("version")
        actions.update_household(household, actor=request.user, expected_version=version, **data)
        return self.reloaded(household.pk, s.HouseholdDetailSerializer)

    @extend_schema(
        operation_id="households_change_status",
        request=s.StatusChangeInputSerializer,
        responses={200: s.HouseholdDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Move the household along its status history → ``change_status``."""
        household = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = self.parse(s.StatusChangeInputSerializer)
        actions.change_status(household, actor=request.user, **data)
        return self.reloaded(household.pk, s.HouseholdDetailSerializer)

    @extend_schema(
        operation_id="households_set_year",
        request=s.HouseholdYearInputSerializer,
        responses={200: s.HouseholdYearSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="years")
    def set_year(self, request, pk=None):
        """Record (insert or update) the household's facts for a year → ``set_household_year``."""
        household = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = dict(self.parse(s.HouseholdYearInputSerializer))
        row = actions.set_household_year(household, actor=request.user, **data)
        return Response(s.HouseholdYearSerializer(row, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="households_audit",
        responses={200: s.AuditEventSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], url_path="audit")
    def audit(self, request, pk=None):
        """The audit trail of the household and its members, newest first (paginated)."""
        household = self.get_object()
        member_ids = [str(pk) for pk in Member.objects.filter(household=household).values_list("pk", flat=True)]
        rows = AuditEvent.objects.filter(
            Q(object_type=Household._meta.label_lower, object_id=str(household.pk))
            | Q(object_type=Member._meta.label_lower, object_id__in=member_ids)
        ).order_by("-seq")
        page = self.paginate_queryset(rows)
        ctx = self.get_serializer_context()
        if page is not None:
            return self.get_paginated_response(s.AuditEventSerializer(page, many=True, context=ctx).data)
        return Response(s.AuditEventSerializer(rows, many=True, context=ctx).data)


@extend_schema_view(
    list=extend_schema(operation_id="members_list", parameters=MEMBER_LIST_PARAMS),
    retrieve=extend_schema(
        operation_id="members_retrieve", responses={200: s.MemberDetailSerializer, 404: ERRORS[404]}
    ),
)
@extend_schema(tags=["members"])
class MemberViewSet(_WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household members in the caller's jurisdiction (scoped through their household)."""

    scoped_model = Member
    serializer_class = s.MemberSerializer
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, qs):
        qs = qs.select_related("household").order_by("household_id", "relation", "birth_date", "id")
        if self.action == "list":
            params = self.request.query_params
            household = str(params.get("household") or "")
            if household.isdigit():
                qs = qs.filter(household_id=int(household))
            current = str(params.get("current") or "").lower()
            if current in {"true", "1", "false", "0"}:
                qs = qs.filter(is_current=current in {"true", "1"})
        elif self.action == "retrieve":
            qs = qs.prefetch_related(_member_prefetch())
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.MemberDetailSerializer
        return s.MemberSerializer

    @extend_schema(
        operation_id="members_create",
        request=s.MemberCreateSerializer,
        responses={201: s.MemberDetailSerializer, **ERRORS},
    )
    def create(self, request):
        """Add a member to a visible household → ``add_member``."""
        self.require(Capability.EDIT_REGISTRY)
        data = dict(self.parse(s.MemberCreateSerializer))
        household = data.pop("household")
        member = actions.add_member(household, actor=request.user, **data)
        return self.reloaded(member.pk, s.MemberDetailSerializer, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="members_partial_update",
        request=s.MemberUpdateSerializer,
        responses={200: s.MemberDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Correct identity fields and/or a year's facts → ``update_member``."""
        member = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = dict(self.parse(s.MemberUpdateSerializer))
        actions.update_member(member, actor=request.user, **data)
        return self.reloaded(member.pk, s.MemberDetailSerializer)

    @extend_schema(
        operation_id="members_remove",
        request=s.MemberRemoveSerializer,
        responses={200: s.MemberDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="remove")
    def remove(self, request, pk=None):
        """Mark the member deceased or moved out → ``remove_member`` (the record stays)."""
        member = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = self.parse(s.MemberRemoveSerializer)
        actions.remove_member(member, actor=request.user, **data)
        return self.reloaded(member.pk, s.MemberDetailSerializer)

    @extend_schema(
        operation_id="members_reveal_id",
        request=s.RevealInputSerializer,
        responses={200: s.RevealResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="reveal-id")
    def reveal_id(self, request, pk=None):
        """The full ID number, for a role allowed to see it, with a reason → ``reveal_id_number`` (audited)."""
        member = self.get_object()
        self.require(Capability.VIEW_PLAINTEXT_ID)
        data = self.parse(s.RevealInputSerializer)
        number = actions.reveal_id_number(member, actor=request.user, reason=data["reason"])
        response = Response(s.RevealResultSerializer({"id_number": number}).data)
        response["Cache-Control"] = "no-store"
        return response
