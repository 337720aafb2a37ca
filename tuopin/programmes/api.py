"""REST API of the programmes (/api/programmes/<type>/), built from ``kinds.KINDS``.

Lists and details start from ``visible_to(user)`` (out of scope → 404). ``POST`` parses the body
with the same form fields as the create page (unknown keys refused) and calls the type's action.
Extra routes: a project's yearly dividends, a housing case's next step, a household's support by
guarantee, and a region's annual figures.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tuopin.accounts.roles import Capability
from tuopin.core.api import ScopedViewSetMixin, StrictInputMixin
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.models import Region
from tuopin.registry.models import Household

from . import actions as a
from .kinds import KINDS, Kind
from .queries import annual_figures, household_support


def _read_serializer(kind: Kind) -> type[serializers.ModelSerializer]:
    names = ["id"] + [
        f.name for f in kind.model._meta.concrete_fields if f.name != "id" and not f.name.endswith(("_enc", "_hash"))
    ]
    labels = [f"{f.name}_label" for f in kind.model._meta.concrete_fields if f.choices and f.name in names]
    meta = type("Meta", (), {"model": kind.model, "fields": [*names, *labels], "read_only_fields": [*names, *labels]})
    # Codes go out as plain strings beside their Chinese labels: many record types share field names
    # such as ``kind`` and ``status``, and one schema enum per name keeps the OpenAPI document unambiguous.
    attrs: dict = {"Meta": meta}
    for f in kind.model._meta.concrete_fields:
        if f.choices and f.name in names:
            attrs[f.name] = serializers.CharField(read_only=True)
            attrs[f"{f.name}_label"] = serializers.CharField(source=f"get_{f.name}_display", read_only=True)
    return type(f"Programme{kind.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


_FORM_TO_SERIALIZER = (
    (forms.BooleanField, serializers.BooleanField, ()),
    (forms.IntegerField, serializers.IntegerField, ("min_value", "max_value")),
    (forms.DecimalField, serializers.DecimalField, ("max_digits", "decimal_places")),
    (forms.DateField, serializers.DateField, ()),
    (forms.ChoiceField, serializers.ChoiceField, ("choices",)),
    (forms.CharField, serializers.CharField, ("max_length",)),
)


def _input_serializer(kind: Kind) -> type[serializers.Serializer]:
    """The create body as the OpenAPI document shows it, made from the same form fields ``_parse`` uses."""
    attrs: dict = {}
    for name, form_field in kind.inputs.items():
        for form_cls, ser_cls, keys in _FORM_TO_SERIALIZER:
            if isinstance(form_field, form_cls):
                extra = {k: getattr(form_field, k) for k in keys if getattr(form_field, k, None) is not None}
                if form_cls in (forms.CharField, forms.ChoiceField):
                    extra["allow_blank"] = not form_field.required
                if form_cls is forms.DecimalField:
                    extra.setdefault("max_digits", None)
                    extra.setdefault("decimal_places", None)
                attrs[name] = ser_cls(required=form_field.required, help_text=str(form_field.label or ""), **extra)
                break
    return type(f"Programme{kind.model.__name__}Input", (serializers.Serializer,), attrs)


def _parse(kind: Kind, data) -> dict:
    unknown = sorted(set(data) - set(kind.inputs))
    if unknown:
        raise ValidationError({k: _("不能设置或修改此字段。") for k in unknown})
    form = type("KindForm", (forms.Form,), dict(kind.inputs))(data)
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


class DividendsInput(StrictInputMixin, serializers.Serializer):
    """The year whose dividends to compute (the action checks it)."""

    year = serializers.IntegerField(required=False, allow_null=True)


class AdvanceInput(StrictInputMixin, serializers.Serializer):
    """The housing case's next step and its date (the action checks both)."""

    status = serializers.CharField(max_length=12, required=False, allow_blank=True)
    on = serializers.CharField(max_length=10, required=False, allow_blank=True, help_text="YYYY-MM-DD")


def _body(cls: type[serializers.Serializer], request) -> dict:
    s = cls(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def make_viewset(kind: Kind) -> type[viewsets.GenericViewSet]:
    """A list/retrieve/create viewset for one programme record type."""

    class KindViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        scoped_model = kind.model
        serializer_class = _read_serializer(kind)
        filter_backends: list = []

        def scope_queryset(self, qs):
            qs = qs.order_by("-id")
            year = self.request.query_params.get("year", "")
            if year.isdigit() and any(f.name == "year" for f in kind.model._meta.fields):
                qs = qs.filter(year=int(year))
            return qs

        @extend_schema(request=_input_serializer(kind), responses={201: serializer_class})
        def create(self, request):
            self.require(Capability.EDIT_PROGRAMMES)
            obj = kind.create(actor=request.user, **_parse(kind, request.data))
            return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

        if kind.slug == "projects":

            @extend_schema(request=DividendsInput, responses={201: dict})
            @action(detail=True, methods=["post"])
            def dividends(self, request, pk=None):
                """Compute the project's dividends for ``year`` → a payment batch (``compute_dividends``)."""
                project = self.get_object()
                self.require(Capability.MAKE_PAYMENTS)
                batch = a.compute_dividends(
                    project, actor=request.user, year=_body(DividendsInput, request).get("year")
                )
                return Response(
                    {
                        "batch": batch.pk,
                        "count": batch.payment_count,
                        "total": str(batch.total_amount),
                        "flagged": batch.flagged_count,
                    },
                    status=status.HTTP_201_CREATED,
                )

        if kind.slug == "housing":

            @extend_schema(request=AdvanceInput, responses={200: serializer_class})
            @action(detail=True, methods=["post"])
            def advance(self, request, pk=None):
                """Move the case to its next step (``advance_housing_case``)."""
                case = self.get_object()
                self.require(Capability.EDIT_PROGRAMMES)
                body = _body(AdvanceInput, request)
                case = a.advance_housing_case(case, actor=request.user, status=body.get("status"), on=body.get("on"))
                return Response(self.get_serializer(case).data)

    KindViewSet.__name__ = f"{kind.model.__name__}ViewSet"
    KindViewSet.__doc__ = f"{kind.title}（管辖范围内）"
    return extend_schema(tags=["programmes"])(KindViewSet)


VIEWSETS = {slug: make_viewset(kind) for slug, kind in KINDS.items()}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class SupportView(APIView):
    """What was done for a household in a year, by guarantee (``queries.household_support``)."""

    @extend_schema(tags=["programmes"], responses={200: dict})
    def get(self, request, household_id: int, year: int):
        household = get_object_or_404(Household.objects.visible_to(request.user), pk=household_id)
        data = household_support(household, year)
        return Response({k: [_plain(i) for i in v] for k, v in data.items()})


class FiguresView(APIView):
    """A region's annual programme figures (``queries.annual_figures``), each computed from records."""

    @extend_schema(tags=["programmes"], responses={200: dict})
    def get(self, request):
        code = str(request.query_params.get("region") or getattr(request.user, "jurisdiction_id", "") or "")
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None or not code_in_prefix(region.code, user_prefix(request.user)):
            return Response({"detail": _("地区不存在或不在您的管辖范围内。")}, status=status.HTTP_404_NOT_FOUND)
        try:
            year = int(request.query_params.get("year", "2019"))
        except ValueError:
            return Response({"year": [_("请填写年度，如 2019。")]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_plain(annual_figures(region, year)))
