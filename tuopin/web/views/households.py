"""The household list (户籍管理) and the household page (一户一档)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuopin.accounts.roles import Capability
from tuopin.assessment.choices import ExitBlock, Result
from tuopin.assessment.explain import explain, latest_determination
from tuopin.core.models import AuditEvent
from tuopin.registry.choices import HouseholdStatus
from tuopin.registry.models import HouseholdStatusChange, HouseholdYear, Member, MemberYear
from tuopin.registry.queries import visible_households

from ..forms import HouseholdFilterForm
from .common import (
    SORTS,
    as_id_number,
    household_list_queryset,
    list_params,
    masked_params,
    paginate_households,
    region_choices,
)

# Audit actions as a clerk reads them.
ACTION_LABELS = {
    "household.create": _("登记建档立卡户"),
    "household.update": _("修改户基本信息"),
    "household.move": _("迁移户籍"),
    "household.set_year": _("录入年度户信息"),
    "household.status": _("变更状态"),
    "member.add": _("新增成员"),
    "member.update": _("修改成员信息"),
    "member.set_year": _("录入年度成员信息"),
    "member.remove": _("减员"),
    "member.reveal_id": _("查看完整身份证号"),
}
AUDIT_LIMIT = 200


def home(request: HttpRequest) -> HttpResponse:
    """The start page is the user's own work (``reports:home``, by role)."""
    return redirect("reports:home")


def household_list(request: HttpRequest) -> HttpResponse:
    """Filterable, searchable, sortable list of the households in the user's jurisdiction.

    The search box posts: a full ID number is then searched without ever appearing in a URL (access
    logs, history, Referer) or in the page; any other search redirects to an ordinary GET URL.
    """
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    params = list_params(data)
    id_search = as_id_number(params.get("q", "")) is not None
    if request.method == "POST" and not id_search:
        return redirect(f"{reverse('household_list')}?{urlencode(params)}" if params else "household_list")

    shown = masked_params(params)
    form = HouseholdFilterForm(shown, region_choices=region_choices(user))
    form.is_valid()  # only to render the submitted values; the queryset reads ``params``
    page = paginate_households(household_list_queryset(user, params), params, data)

    sort = params.get("sort", "number")
    base = {k: v for k, v in params.items() if k not in ("page", "sort")}
    columns = []
    for key, label in (
        ("number", _("户编号")),
        ("head", _("户主")),
        ("village", _("村")),
        ("size", _("人口")),
        ("category", _("属性")),
        ("cause", _("主要致贫原因")),
        ("status", _("状态")),
    ):
        state = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
        target = f"-{key}" if state == "asc" else key
        columns.append(
            {
                "key": key,
                "label": label,
                "state": state,
                "url": "?" + urlencode({**base, "sort": target}),
                "numeric": key == "size",
            }
        )
    context = {
        "form": form,
        "page": page,
        "columns": columns,
        "id_search": id_search,
        # Links keep the filters; an ID search has no links carrying the number (≤ a few rows anyway).
        "page_query": urlencode({k: v for k, v in params.items() if k != "page"}),
        "has_filters": bool(params.keys() - {"sort"}),
        "can_edit": user.can(Capability.EDIT_REGISTRY),
        "can_export": user.can(Capability.EXPORT) and not id_search,
        "export_query": urlencode(params),
        "sorts": SORTS,
    }
    return render(request, "web/household_list.html", context)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一户一档: header, members with the selected year's facts, yearly data, history and audit trail."""
    user = request.user
    household = get_object_or_404(visible_households(user).select_related("village__parent"), pk=pk)
    members = list(Member.objects.filter(household=household))
    household_years = {row.year: row for row in HouseholdYear.objects.filter(household=household)}
    member_years = set(MemberYear.objects.filter(household=household).values_list("year", flat=True).distinct())
    years = sorted(set(household_years) | member_years, reverse=True)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = years[0] if years else None
    facts = {row.member_id: row for row in MemberYear.objects.filter(household=household, year=year)}

    today = timezone.localdate()
    rows = []
    for m in members:
        end = m.deceased_on or today
        rows.append({"m": m, "age": _age(m.birth_date, end), "y": facts.get(m.pk)})
    member_ids = [str(m.pk) for m in members]
    audit = AuditEvent.objects.filter(
        Q(object_type="registry.household", object_id=str(household.pk))
        | Q(object_type="registry.member", object_id__in=member_ids)
    ).order_by("-seq")[:AUDIT_LIMIT]
    events = [{"e": e, "label": ACTION_LABELS.get(e.action, e.action)} for e in audit]

    context = {
        "h": household,
        "assessment": _assessment(household, year),
        "support": _support(household, year),
        "village_name": household.village.full_name(),
        "current": [r for r in rows if r["m"].is_current],
        "former": [r for r in rows if not r["m"].is_current],
        "years": years,
        "year": year,
        "hy": household_years.get(year),
        "status_changes": HouseholdStatusChange.objects.filter(household=household).order_by("year", "date", "id"),
        "events": events,
        "audit_limit": AUDIT_LIMIT,
        "can_edit": user.can(Capability.EDIT_REGISTRY),
        "can_reveal": user.can(Capability.VIEW_PLAINTEXT_ID),
        "can_assess": user.can(Capability.RUN_ASSESSMENT),
    }
    return render(request, "web/household_detail.html", context)


def _support(household, year: int | None) -> list[tuple[str, list[dict]]]:
    """For each guarantee, what the programmes did for the household that year (and when)."""
    if not year:
        return []
    from tuopin.programmes.choices import Indicator
    from tuopin.programmes.queries import household_support

    return [(Indicator(k).label, items) for k, items in household_support(household, year).items()]


def _assessment(household, year: int | None) -> dict | None:
    """The selected year's latest finished determination, explained (None: not assessed that year).

    The explanation is composed from the run's frozen rule set, so it says why the decision was made
    then, whatever the facts or standards are now.
    """
    d = latest_determination(household, year) if year else None
    if d is None:
        return None
    e = explain(d)
    cannot = str(Result.CANNOT.label)
    for item in e["indicators"]:
        item["mark"], item["css"] = (
            ("✓", "pass") if item["passed"] else ("?", "cannot") if item["result"] == cannot else ("✗", "fail")
        )
    e["determination"] = d
    e["not_poor"] = d.exit_block == ExitBlock.NOT_POOR  # exit does not arise: no red cross
    e["status_label"] = dict(HouseholdStatus.choices).get(e["status"], e["status"])
    return e
