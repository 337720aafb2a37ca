"""Policy standards (政策标准) and rule sets (规则集): tables, history, the values that apply to a
region in a year, forms for approvers, the diff of two rule-set versions and the comparison of two
versions on a cohort.

Standards are public policy: every business role reads them. Changes go through
``add_standard`` / ``replace_standard``, which check the role and the jurisdiction themselves; the
views only turn their refusals into messages next to the fields.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.assessment.actions import compare_rulesets
from tuopin.assessment.choices import INDICATORS, MONITOR_LABELS
from tuopin.core.models import AuditEvent
from tuopin.core.scoping import user_prefix
from tuopin.geo.models import Region
from tuopin.policy.actions import add_standard, diff_rulesets, replace_standard
from tuopin.policy.definitions import DEFINITIONS, parse_value
from tuopin.policy.models import RuleSet, Standard
from tuopin.policy.resolve import Resolver
from tuopin.registry.queries import visible_households

from ..forms_analysis import ApplicableForm, CompareForm, StandardAddForm, StandardChangeForm
from .assessment import latest_data_year
from .common import attach_errors, region_choices, require

STANDARD_ACTIONS = ("standard.add", "standard.replace", "standard.retire")


def prefix_names(prefixes: set[str]) -> dict[str, str]:
    """Region prefix → region name (``""`` → 全国), in one query. Region names are public."""
    codes = {p.ljust(12, "0"): p for p in prefixes if p}
    names = {"": _("全国")}
    for code, name in Region.objects.filter(code__in=codes).values_list("code", "name"):
        names[codes[code]] = name
    return {p: names.get(p, p) for p in prefixes}


def can_edit_prefix(user: Any, prefix: str) -> bool:
    """Whether the user may change a standard of this region prefix (the action decides; this only
    hides forms that would be refused)."""
    own = user_prefix(user)
    return user.can(Capability.EDIT_STANDARDS) and own is not None and prefix.startswith(own)


# --- standards ---------------------------------------------------------------------------------


def standard_list(request: HttpRequest) -> HttpResponse:
    """Active standards grouped by standard, with history counts, and the values that apply to a
    chosen region and year."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    active = list(Standard.objects.filter(retired_at__isnull=True).order_by("name", "region_prefix", "effective_year"))
    retired = {
        (r["name"], r["region_prefix"], r["effective_year"]): r["n"]
        for r in Standard.objects.filter(retired_at__isnull=False)
        .values("name", "region_prefix", "effective_year")
        .annotate(n=Count("id"))
    }
    names = prefix_names({r.region_prefix for r in active})
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in active:
        by_name[r.name].append(
            {
                "s": r,
                "region": names[r.region_prefix],
                "history": retired.get((r.name, r.region_prefix, r.effective_year), 0),
                "editable": can_edit_prefix(user, r.region_prefix),
            }
        )
    groups = [{"def": d, "rows": by_name[name]} for name, d in DEFINITIONS.items() if by_name.get(name)]

    choices = region_choices(user)
    data = request.GET if "year" in request.GET else None
    form = ApplicableForm(
        data, initial={"year": latest_data_year(user), "region": user.jurisdiction_id}, region_choices=choices
    )
    year = region = None
    if data is None:
        year, region = latest_data_year(user), user.jurisdiction_id
    elif form.is_valid():
        year, region = form.cleaned_data["year"], form.cleaned_data["region"]
    applicable = _applicable(active, region, year) if region else []
    context = {
        "groups": groups,
        "form": form,
        "applicable": applicable,
        "year": year,
        "region_name": dict(choices).get(region, "").strip("\u3000") if region else "",
        "can_edit": user.can(Capability.EDIT_STANDARDS),
    }
    return render(request, "web/policy/standards.html", context)


def _applicable(active: list[Standard], code: str, year: int) -> list[dict[str, Any]]:
    """Every standard's value for a region and year, and which row it comes from (via the Resolver,
    exactly as the engine resolves it)."""
    resolver = Resolver(
        {"name": r.name, "region_prefix": r.region_prefix, "effective_year": r.effective_year, "value": r.value}
        for r in active
    )
    found = {name: resolver.row(name, code, year) for name in DEFINITIONS}
    names = prefix_names({row[0] for row in found.values() if row})
    out = []
    for name, d in DEFINITIONS.items():
        row = found[name]
        out.append(
            {
                "def": d,
                "value": parse_value(name, row[2]) if row else None,
                "region": names[row[0]] if row else "",
                "effective_year": row[1] if row else None,
            }
        )
    return out


def standard_add(request: HttpRequest) -> HttpResponse:
    """Add a standard (approvers, for prefixes inside their jurisdiction)."""
    user = request.user
    require(user, Capability.EDIT_STANDARDS)
    form = StandardAddForm(request.POST or None, initial={"region_prefix": user_prefix(user) or ""})
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            row = add_standard(
                actor=user,
                name=v["name"],
                region_prefix=v["region_prefix"],
                effective_year=v["effective_year"],
                value=v["value"],
                source=v["source"],
                confidence=v["confidence"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "overlap":
                form.add_error("effective_year", exc.messages[0])
            else:
                attach_errors(exc, form)
        except PermissionDenied as exc:
            form.add_error("region_prefix", str(exc))
        else:
            messages.success(request, _("已新增标准：%(s)s") % {"s": DEFINITIONS[row.name].label})
            return redirect("standard_detail", pk=row.pk)
    return render(request, "web/policy/standard_add.html", {"form": form})


def _history(standard: Standard) -> QuerySet[Standard]:
    return Standard.objects.filter(
        name=standard.name, region_prefix=standard.region_prefix, effective_year=standard.effective_year
    ).order_by("created_at", "id")


def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One standard's key (name, region, year): every value it has had, who changed it, when and why;
    POST changes the value (the old row is retired and kept)."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    standard = get_object_or_404(Standard, pk=pk)
    editable = standard.retired_at is None and can_edit_prefix(user, standard.region_prefix)
    form = StandardChangeForm(initial={"value": standard.value}) if editable else None
    if request.method == "POST":
        require(user, Capability.EDIT_STANDARDS)
        form = StandardChangeForm(request.POST)
        if form.is_valid():
            v = form.cleaned_data
            try:
                new = replace_standard(standard, actor=user, value=v["value"], source=v["source"], reason=v["reason"])
            except ValidationError as exc:
                attach_errors(exc, form)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已修改取值，原取值已停用并保留在历史中。"))
                return redirect("standard_detail", pk=new.pk)

    rows = list(_history(standard))
    events = AuditEvent.objects.filter(action__in=STANDARD_ACTIONS, object_id__in=[str(r.pk) for r in rows])
    by_row: dict[tuple[str, str], AuditEvent] = {(e.action, e.object_id): e for e in events}
    history = []
    for r in rows:
        replaced = by_row.get(("standard.replace", str(r.pk)))
        retired = by_row.get(("standard.retire", str(r.pk)))
        history.append(
            {
                "s": r,
                "current": r.pk == standard.pk,
                # The reason of a change is recorded on the replacement's audit row: "修改标准 …：reason".
                "reason": replaced.summary.split("：", 1)[-1] if replaced else "",
                "retire_reason": retired.summary.split("：", 1)[-1] if retired else "",
            }
        )
    context = {
        "s": standard,
        "d": DEFINITIONS[standard.name],
        "region": prefix_names({standard.region_prefix})[standard.region_prefix],
        "history": history,
        "form": form,
        "editable": editable,
        "active_row": next((r for r in rows if r.retired_at is None), None),
    }
    return render(request, "web/policy/standard_detail.html", context)


# --- rule sets ---------------------------------------------------------------------------------


def ruleset_list(request: HttpRequest) -> HttpResponse:
    """Frozen rule-set versions per year, links to the diff of consecutive versions, and the form to
    compare two versions on a cohort."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    years: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rs in RuleSet.objects.order_by("-year", "-version"):
        years[rs.year].append({"rs": rs, "standards": len(rs.content.get("standards", []))})
    compare = None
    if user.can(Capability.RUN_ASSESSMENT):
        compare = CompareForm(initial={"year": latest_data_year(user)}, region_choices=region_choices(user))
    return render(
        request, "web/policy/rulesets.html", {"years": sorted(years.items(), reverse=True), "compare": compare}
    )


def _ruleset_or_none(year: Any, version: Any) -> RuleSet | None:
    try:
        return RuleSet.objects.filter(year=int(year), version=int(version)).first()
    except (TypeError, ValueError):
        return None


def ruleset_diff(request: HttpRequest) -> HttpResponse:
    """What changed between two versions of a year's rule set (``?year=&old=&new=``)."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    year = request.GET.get("year")
    old, new = _ruleset_or_none(year, request.GET.get("old")), _ruleset_or_none(year, request.GET.get("new"))
    rows = diff_rulesets(old, new) if old and new else []
    names = prefix_names({r["region_prefix"] for r in rows})
    for r in rows:
        r["region"] = names[r["region_prefix"]]
        d = DEFINITIONS.get(r["name"])
        r["unit"] = d.unit if d else ""
    versions = RuleSet.objects.filter(year=int(year)).values_list("version", flat=True) if str(year).isdigit() else []
    context = {"old": old, "new": new, "rows": rows, "year": year, "versions": list(versions)}
    return render(request, "web/policy/ruleset_diff.html", context)


def _change_text(name: str, value: Any) -> str:
    if name == "exit_eligible":
        return _("可退出") if value else _("不可退出")
    if name == "monitor_flags":
        flags = [str(label) for flag, label in MONITOR_LABELS.items() if int(value) & int(flag)]
        return "、".join(flags) or _("未触发")
    return str(value)


def ruleset_compare(request: HttpRequest) -> HttpResponse:
    """Evaluate a region's households under two versions of a year's rule set (in memory, nothing is
    stored) and list who would change, and in which indicator."""
    user = request.user
    require(user, Capability.RUN_ASSESSMENT)
    form = CompareForm(request.GET or None, region_choices=region_choices(user))
    result = None
    labels = {
        **{n: str(label) for n, label in INDICATORS},
        "exit_eligible": _("可否退出"),
        "monitor_flags": _("监测预警"),
    }
    if request.GET and form.is_valid():
        v = form.cleaned_data
        old, new = _ruleset_or_none(v["year"], v["old"]), _ruleset_or_none(v["year"], v["new"])
        region = Region.objects.visible_to(user).filter(code=v["region"]).first()
        if old is None:
            form.add_error("old", _("该年度没有这个版本。"))
        if new is None:
            form.add_error("new", _("该年度没有这个版本。"))
        if region is None:
            form.add_error("region", _("地区不在您的管辖范围内。"))
        if not form.errors:
            try:
                cmp = compare_rulesets(actor=user, year=v["year"], region=region, old=old, new=new)
            except PermissionDenied as exc:
                form.add_error("region", str(exc))
            else:
                result = _comparison(user, cmp, labels)
    context = {"form": form, "result": result, "labels": labels}
    return render(request, "web/policy/ruleset_compare.html", context)


def _comparison(user: Any, cmp: Any, labels: dict[str, str]) -> dict[str, Any]:
    ids = [c["household_id"] for c in cmp.changed]
    households = visible_households(user).filter(pk__in=ids).select_related("village").in_bulk()
    changed = []
    for c in cmp.changed:
        h = households.get(c["household_id"])
        if h is None:  # the cohort is the region's; a household moved out since is not shown
            continue
        changed.append(
            {
                "h": h,
                "changes": [
                    {"label": labels[name], "old": _change_text(name, a), "new": _change_text(name, b)}
                    for name, (a, b) in c["changes"].items()
                ],
            }
        )
    by_indicator = [{"label": labels[name], "n": n} for name, n in cmp.by_indicator.items()]
    return {"households": cmp.households, "changed": changed, "by_indicator": by_indicator, "shown": len(changed)}
