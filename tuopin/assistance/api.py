"""REST API of responsibility, pairing and visits (scoped lists; POST calls the action)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tuopin.accounts.roles import Capability
from tuopin.cases.api import CodeField
from tuopin.core.api import ScopedViewSetMixin, StrictInputMixin
from tuopin.core.scoping import code_in_prefix, code_prefix, user_prefix
from tuopin.geo.models import Region
from tuopin.registry.models import Household

from . import actions, queries
from .models import AssistanceAction, Cadre, LeaderVisit, Pairing, ResponsibilityLetter, Secretary, Visit, WorkTeam


def _serializer(model_cls, exclude=()):
    meta = type("Meta", (), {"model": model_cls, "exclude": list(exclude)})
    return type(
        f"{model_cls.__name__}Serializer",
        (serializers.ModelSerializer,),
        {"Meta": meta, "serializer_choice_field": CodeField},
    )


def _input(name, fields):
    return type(name, (StrictInputMixin, serializers.Serializer), dict(fields))


def _hh(request, pk):
    return get_object_or_404(Household.objects.visible_to(request.user), pk=pk) if pk else None


def _viewset(model_cls, input_cls, create, *, exclude=(), filters=("year",)):
    """A scoped list/retrieve/create viewset whose create parses ``input_cls`` and calls ``create``."""

    class ViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        scoped_model = model_cls
        serializer_class = _serializer(model_cls, exclude)
        filter_backends: list = []

        def scope_queryset(self, qs):
            p = self.request.query_params
            if "year" in filters and str(p.get("year", "")).isdigit():
                field = "year" if any(f.name == "year" for f in model_cls._meta.fields) else "date__year"
                qs = qs.filter(**{field: int(p["year"])})
            if p.get("region", "").isdigit():
                qs = qs.in_region(code_prefix(p["region"]))
            return qs

        @extend_schema(request=input_cls)
        def create(self, request):
            self.require(Capability.EDIT_ASSISTANCE)
            data = input_cls(data=request.data)
            data.is_valid(raise_exception=True)
            obj = create(request, dict(data.validated_data))
            return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)

    ViewSet.__name__ = f"{model_cls.__name__}ViewSet"
    ViewSet.__doc__ = f"{model_cls._meta.verbose_name}（管辖范围内）。"
    return ViewSet


S = serializers
SecretaryViewSet = _viewset(
    Secretary,
    _input(
        "SecretaryInput",
        {"region": S.CharField(), "year": S.IntegerField(), "name": S.CharField(), "post": S.CharField()},
    ),
    lambda r, d: actions.set_secretary(actor=r.user, **d),
)
LetterViewSet = _viewset(
    ResponsibilityLetter,
    _input(
        "LetterInput",
        {
            "year": S.IntegerField(),
            "upper_region": S.CharField(),
            "lower_region": S.CharField(),
            "upper_party": S.CharField(),
            "lower_party": S.CharField(),
            "signed_on": S.DateField(),
            "title": S.CharField(required=False, default=""),
        },
    ),
    lambda r, d: actions.sign_letter(actor=r.user, **d),
)
LeaderVisitViewSet = _viewset(
    LeaderVisit,
    _input(
        "LeaderVisitInput",
        {
            "region": S.CharField(),
            "date": S.DateField(),
            "leader": S.CharField(),
            "level": S.IntegerField(),
            "kind": S.CharField(),
            "content": S.CharField(),
            "post": S.CharField(required=False, default=""),
        },
    ),
    lambda r, d: actions.record_leader_visit(actor=r.user, **d),
)
CadreViewSet = _viewset(
    Cadre,
    _input(
        "CadreInput",
        {
            "region": S.CharField(),
            "name": S.CharField(),
            "unit": S.CharField(),
            "unit_level": S.CharField(),
            "phone": S.CharField(required=False, default=""),
            "post": S.CharField(required=False, default=""),
        },
    ),
    lambda r, d: actions.add_cadre(actor=r.user, **d),
    exclude=("phone_enc",),
    filters=(),
)


def _pair(r, d):
    cadre = get_object_or_404(Cadre.objects.all(), pk=d.pop("cadre"))
    return actions.pair(actor=r.user, cadre=cadre, household=_hh(r, d.pop("household", None)), **d)


PairingViewSet = _viewset(
    Pairing,
    _input(
        "PairingInput",
        {
            "cadre": S.IntegerField(),
            "household": S.IntegerField(required=False),
            "village": S.CharField(required=False),
            "start": S.DateField(),
            "end": S.DateField(required=False, allow_null=True),
        },
    ),
    _pair,
    filters=(),
)


def _team(r, d):
    first = get_object_or_404(Cadre.objects.all(), pk=d.pop("first_secretary"))
    members = list(Cadre.objects.filter(pk__in=d.pop("members", [])))
    return actions.form_work_team(actor=r.user, first_secretary=first, members=members, **d)


WorkTeamViewSet = _viewset(
    WorkTeam,
    _input(
        "WorkTeamInput",
        {
            "village": S.CharField(),
            "unit": S.CharField(),
            "first_secretary": S.IntegerField(),
            "members": S.ListField(child=S.IntegerField(), required=False, default=list),
            "start": S.DateField(),
            "end": S.DateField(required=False, allow_null=True),
        },
    ),
    _team,
    filters=(),
)


def _visit(r, d):
    cadre = get_object_or_404(Cadre.objects.all(), pk=d.pop("cadre"))
    return actions.record_visit(actor=r.user, cadre=cadre, household=_hh(r, d.pop("household", None)), **d)


VisitViewSet = _viewset(
    Visit,
    _input(
        "VisitInput",
        {
            "cadre": S.IntegerField(),
            "household": S.IntegerField(required=False),
            "village": S.CharField(required=False),
            "date": S.DateField(),
            "content": S.CharField(),
            "problems": S.CharField(required=False, default=""),
            "follow_up": S.CharField(required=False, default=""),
        },
    ),
    _visit,
)


def _action(r, d):
    cadre = get_object_or_404(Cadre.objects.all(), pk=d.pop("cadre")) if d.get("cadre") else None
    d.pop("cadre", None)
    return actions.record_action(actor=r.user, cadre=cadre, household=_hh(r, d.pop("household", None)), **d)


ActionViewSet = _viewset(
    AssistanceAction,
    _input(
        "ActionInput",
        {
            "unit": S.CharField(),
            "kind": S.CharField(),
            "date": S.DateField(),
            "description": S.CharField(),
            "village": S.CharField(required=False),
            "household": S.IntegerField(required=False),
            "cadre": S.IntegerField(required=False),
            "amount": S.DecimalField(max_digits=12, decimal_places=2, required=False, default=0),
        },
    ),
    _action,
)


class FiguresView(APIView):
    """Responsibility, visits and coverage figures of a region (inside the caller's jurisdiction) for a year."""

    @extend_schema(parameters=[OpenApiParameter("region", str), OpenApiParameter("year", int)], responses={200: dict})
    def get(self, request):
        code = str(request.query_params.get("region") or "").ljust(12, "0")
        region = Region.objects.filter(code=code).first()
        if region is None or not code_in_prefix(region.code, user_prefix(request.user)):
            return Response({"region": [_("地区不存在或不在管辖范围内。")]}, status=404)
        year = int(request.query_params.get("year") or 0) or None
        if year is None:
            return Response({"year": [_("请指定年度。")]}, status=400)
        return Response(queries.annual_figures(region, year))


__all__ = [
    "SecretaryViewSet",
    "LetterViewSet",
    "LeaderVisitViewSet",
    "CadreViewSet",
    "PairingViewSet",
    "WorkTeamViewSet",
    "VisitViewSet",
    "ActionViewSet",
    "FiguresView",
    "action",
]
