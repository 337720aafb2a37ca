"""Forms that change the registry. Each calls a registry action — never ``form.save()`` — and shows
the action's Chinese messages next to the fields they name. A role without EDIT_REGISTRY gets 403;
a household or member outside the jurisdiction is 404 (its existence is not revealed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tuopin.accounts.roles import Capability
from tuopin.core.idnumber import parse_id_number
from tuopin.registry import actions
from tuopin.registry import choices as c
from tuopin.registry.models import Household, HouseholdYear, Member, MemberYear
from tuopin.registry.queries import visible_households
from tuopin.registry.validation import HOUSEHOLD_YEAR_FIELDS, MEMBER_YEAR_FIELDS

from ..forms import (
    HouseholdCreateForm,
    HouseholdEditForm,
    HouseholdYearForm,
    MemberAddForm,
    MemberEditForm,
    MemberFormSet,
    MemberRemoveForm,
)
from .common import attach_errors, require, village_choices

GET_POST = require_http_methods(["GET", "POST"])


def _editable_household(request: HttpRequest, pk: int) -> Household:
    # Look up first: an object outside the jurisdiction is a 404 for everyone, whatever their role.
    household = get_object_or_404(visible_households(request.user), pk=pk)
    require(request.user, Capability.EDIT_REGISTRY)
    return household


def _editable_member(request: HttpRequest, pk: int) -> Member:
    member = get_object_or_404(Member.objects.visible_to(request.user).select_related("household"), pk=pk)
    require(request.user, Capability.EDIT_REGISTRY)
    return member


def _year(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@never_cache  # a re-rendered form holds the ID numbers the clerk typed
@GET_POST
def household_create(request: HttpRequest) -> HttpResponse:
    """登记新户: village, header and the member table (at least the head)."""
    require(request.user, Capability.EDIT_REGISTRY)
    villages = village_choices(request.user)
    this_year = timezone.localdate().year
    table_errors: list[str] = []
    if request.method == "POST":
        form = HouseholdCreateForm(request.POST, villages=villages)
        formset = MemberFormSet(request.POST, prefix="members")
        if form.is_valid() and formset.is_valid():
            # The first row is the head's and always goes to the action (which says what is
            # missing); further rows count only if something was typed into them.
            rows = [f for i, f in enumerate(formset.forms) if i == 0 or f.has_changed()]
            d = form.cleaned_data
            try:
                household = actions.create_household(
                    actor=request.user,
                    village=d["village"],
                    year=d["year"],
                    members=[row.member_data() for row in rows],
                    **form.action_fields(keep_blank_contacts=False),
                )
            except ValidationError as exc:
                table_errors = attach_errors(exc, form, rows=rows, aliases={"other_causes": "other_cause_1"})
            else:
                messages.success(
                    request,
                    _("已登记建档立卡户 %(no)s（%(n)d人）。") % {"no": household.number, "n": household.member_count},
                )
                return redirect("household_detail", pk=household.pk)
    else:
        initial = {"identification_year": this_year, "year": this_year}
        if len(villages) == 1:
            initial["village"] = villages[0][0]
        form = HouseholdCreateForm(initial=initial, villages=villages)
        formset = MemberFormSet(prefix="members", initial=[{"relation": c.Relation.HEAD}])
    return render(
        request,
        "web/household_create.html",
        {"form": form, "formset": formset, "table_errors": table_errors, "title": _("登记新户")},
    )


@GET_POST
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the household header; a form based on an older version is refused, not overwritten."""
    household = _editable_household(request, pk)
    if request.method == "POST":
        form = HouseholdEditForm(request.POST)
        if form.is_valid():
            before = household.version
            try:
                household = actions.update_household(
                    household,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.action_fields(keep_blank_contacts=True),
                )
            except ValidationError as exc:
                attach_errors(exc, form, aliases={"other_causes": "other_cause_1"})
            else:
                if household.version == before:
                    messages.info(request, _("没有修改任何内容。"))
                else:
                    messages.success(request, _("户基本信息已保存。"))
                return redirect("household_detail", pk=household.pk)
    else:
        h = household
        form = HouseholdEditForm(
            initial={
                "group": h.group,
                "address": h.address,
                "identification_year": h.identification_year,
                "identification_standard": h.identification_standard,
                "category": h.category,
                "main_cause": h.main_cause,
                "other_cause_1": h.other_cause_1,
                "other_cause_2": h.other_cause_2,
                "bank_name": h.bank_name,
                "version": h.version,
            }
        )
    form.fields["phone"].help_text = _("当前：%(v)s。留空表示不修改") % {"v": household.phone_mask or _("未登记")}
    if "bank_account_mask" not in request.user.withheld_fields:
        form.fields["bank_account"].help_text = _("当前：%(v)s。留空表示不修改") % {
            "v": household.bank_account_mask or _("未登记")
        }
    return render(request, "web/household_edit.html", {"form": form, "h": household, "title": _("修改户基本信息")})


@never_cache  # a re-rendered form holds the ID numbers the clerk typed
@GET_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """新增成员 (birth, marriage, return) with the year's facts."""
    household = _editable_household(request, pk)
    health_detail = request.user.can(Capability.VIEW_HEALTH_DETAIL)
    if request.method == "POST":
        form = MemberAddForm(request.POST, health_detail=health_detail)
        if form.is_valid():
            try:
                member = actions.add_member(
                    household, actor=request.user, year=form.cleaned_data["year"], **form.member_data()
                )
            except ValidationError as exc:
                attach_errors(exc, form, aliases={"members": "relation"})
            else:
                messages.success(request, _("已新增成员 %(name)s。") % {"name": member.name})
                return redirect("household_detail", pk=household.pk)
    else:
        form = MemberAddForm(
            initial={
                "year": timezone.localdate().year,
                "school_status": c.SchoolStatus.NOT_IN_SCHOOL,
                "health": c.Health.HEALTHY,
                "migrant_work": c.MigrantWork.NONE,
                "medical_insured": True,
            },
            health_detail=health_detail,
        )
    return render(request, "web/member_form.html", {"form": form, "h": household, "title": _("新增成员")})


@never_cache  # a re-rendered form holds the ID numbers the clerk typed
@GET_POST
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a member's identity and record the facts of one year."""
    member = _editable_member(request, pk)
    household = member.household
    health_detail = request.user.can(Capability.VIEW_HEALTH_DETAIL)
    if request.method == "POST":
        form = MemberEditForm(request.POST, id_mask=member.id_mask, health_detail=health_detail)
        if form.is_valid():
            try:
                actions.update_member(member, actor=request.user, year=form.cleaned_data["year"], **form.member_data())
            except ValidationError as exc:
                attach_errors(exc, form, aliases={"members": "relation"})
            else:
                messages.success(request, _("成员 %(name)s 的信息已保存。") % {"name": form.cleaned_data["name"]})
                return redirect(f"{household_url(household)}?year={form.cleaned_data['year']}")
    else:
        latest = MemberYear.objects.filter(member=member).order_by("-year").first()
        year = _year(request.GET.get("year"), latest.year if latest else timezone.localdate().year)
        row = MemberYear.objects.filter(member=member, year=year).first() or latest
        initial: dict[str, Any] = {"name": member.name, "relation": member.relation, "ethnicity": member.ethnicity}
        initial["year"] = year
        if row is not None:
            initial.update({name: getattr(row, name) for name in MEMBER_YEAR_FIELDS})
        form = MemberEditForm(initial=initial, id_mask=member.id_mask, health_detail=health_detail)
    return render(
        request, "web/member_form.html", {"form": form, "h": household, "member": member, "title": _("修改成员信息")}
    )


@GET_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """减员: a member died or moved out. The record stays, listed under former members."""
    member = _editable_member(request, pk)
    if request.method == "POST":
        form = MemberRemoveForm(request.POST)
        if form.is_valid():
            try:
                actions.remove_member(
                    member, actor=request.user, reason=form.cleaned_data["reason"], date=form.cleaned_data["date"]
                )
            except ValidationError as exc:
                attach_errors(exc, form, aliases={"relation": None})
            else:
                messages.success(request, _("已将 %(name)s 减员。") % {"name": member.name})
                return redirect("household_detail", pk=member.household_id)
    else:
        form = MemberRemoveForm(initial={"reason": "deceased", "date": timezone.localdate()})
    return render(
        request,
        "web/member_remove.html",
        {"form": form, "h": member.household, "member": member, "title": _("成员减员")},
    )


@GET_POST
def household_year(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a household's facts for a year; the net income per capita is computed by the action."""
    household = _editable_household(request, pk)
    if request.method == "POST":
        form = HouseholdYearForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                row = actions.set_household_year(household, actor=request.user, year=year, **form.facts())
            except ValidationError as exc:
                attach_errors(exc, form, aliases={"size": None})
            else:
                messages.success(
                    request,
                    _("%(y)d年度户信息已保存，人均纯收入 ¥%(v)s。")
                    % {"y": year, "v": f"{row.net_income_per_capita:,.2f}"},
                )
                return redirect(f"{household_url(household)}?year={year}")
    else:
        latest = HouseholdYear.objects.filter(household=household).order_by("-year").first()
        year = _year(request.GET.get("year"), timezone.localdate().year)
        row = HouseholdYear.objects.filter(household=household, year=year).first()
        initial: dict[str, Any] = {"year": year, "food_clothing_secure": True, "has_electricity": True}
        source = row or latest  # a new year starts from last year's housing, water and land
        if source is not None:
            initial.update({name: getattr(source, name) for name in HOUSEHOLD_YEAR_FIELDS})
            if row is None:
                for name in ("wage_income", "business_income", "property_income", "transfer_income"):
                    initial[name] = ""
                initial["business_expenses"] = ""
        form = HouseholdYearForm(initial=initial)
    return render(request, "web/household_year.html", {"form": form, "h": household, "title": _("录入年度户信息")})


def household_url(household: Household) -> str:
    """The household page's URL."""
    return reverse("household_detail", args=[household.pk])


@require_POST
def check_id(request: HttpRequest) -> HttpResponse:
    """htmx: check an ID number as the clerk types; answer the Chinese error or what the number says.

    POST (never GET) so the number stays out of URLs and logs. Only the number's own validity is
    checked: whether the person is registered elsewhere is left to the save, so this endpoint
    cannot be used to probe other villages' registers.
    """
    require(request.user, Capability.EDIT_REGISTRY)
    value = next((v for k, v in request.POST.items() if k.endswith("id_number")), "").strip()
    context: dict[str, Any] = {}
    if value:
        try:
            parsed = parse_id_number(value)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
        else:
            context["gender"] = c.Gender(parsed.gender).label
            context["birth_date"] = parsed.birth_date
    return render(request, "web/_id_hint.html", context)
