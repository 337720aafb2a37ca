"""The region dashboard (脱贫攻坚看板): where a region stands, with drill-down city → county → town →
village, and a link from every figure to the records behind it.

What an assessment run determines (registered and remaining poor, incidence, exits, failed
guarantees, monitoring) is read from the run's ``RegionRollup`` rows — one row per region and run,
so the trend over the years and the children table are two small queries whatever the region's size.
What no run determines (programme spend and reach, visit coverage) is one grouped ``SUM`` over the
``reports.RegionFigures`` rollup (``dashboard_figures``), findings one grouped count.

A region outside the user's jurisdiction is a 404 for every role; links go only downwards from the
region shown, and the breadcrumbs link only the levels inside the jurisdiction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tuopin.accounts.roles import Capability
from tuopin.assessment.choices import INDICATORS, RunStatus
from tuopin.assessment.models import RegionRollup
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.web.views.assessment import SHORT_LABELS
from tuopin.web.views.common import require

from .dashboard_figures import PROGRAMMES, record_figures

INDICATOR_NAMES = [name for name, _label in INDICATORS]


def dashboard_home(request: HttpRequest) -> HttpResponse:
    """``/reports/dashboard/`` opens the user's own jurisdiction."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    if not user.jurisdiction_id:
        raise Http404
    return redirect("reports:dashboard", code=user.jurisdiction_id)


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def yearly_rollups(region: Region) -> dict[int, RegionRollup]:
    """The region's rollup in the latest finished run of each year (replays excluded: a replay
    re-decides an old year under its old rules, it is not that year's assessment)."""
    rows = (
        RegionRollup.objects.filter(region=region, run__status=RunStatus.DONE, run__replay_of__isnull=True)
        .select_related("run__ruleset")
        .order_by("run__year", "-run_id")
    )
    out: dict[int, RegionRollup] = {}
    for r in rows:
        out.setdefault(r.run.year, r)
    return out


def _pct(part: int | None, whole: int | None) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole and part is not None else None


def _trend(by_year: dict[int, RegionRollup]) -> dict[str, Any]:
    """Every year from the first to the last assessed, a missing year shown as missing (never 0)."""
    if not by_year:
        return {"rows": [], "chart": None}
    years = list(range(min(by_year), max(by_year) + 1))
    rows = [{"year": y, "r": by_year.get(y)} for y in years]

    def series(name: str, scale: int = 1) -> list[float | None]:
        out = []
        for y in years:
            r = by_year.get(y)
            value = getattr(r, name) if r is not None else None
            out.append(None if value is None else round(float(value) * scale, 4))
        return out

    chart = {
        "kind": "trend",
        "x": [str(y) for y in years],
        "bars": [
            {"name": _("剩余贫困人口"), "y": series("poor_people")},
            {"name": _("当年脱贫人口"), "y": series("exited_people")},
        ],
        "line": {"name": _("贫困发生率（%）"), "y": series("incidence", 100)},
        "y_title": _("人"),
        "y2_title": "%",
    }
    return {
        "rows": rows,
        "chart": chart if any(v is not None for v in chart["line"]["y"] + chart["bars"][0]["y"]) else None,
    }


def _links(region: Region, r: RegionRollup | None, latest: bool) -> dict[str, str]:
    """Where the records behind each figure are listed."""
    out: dict[str, str] = {}
    if r is not None:
        run = reverse("run_detail", args=[r.run_id])
        base = {"region": region.code}
        out["run"] = f"{run}?{urlencode(base)}"
        for name in INDICATOR_NAMES:
            out[f"fail_{name}"] = f"{run}?{urlencode({**base, 'failing': name})}"
        out["eligible"] = f"{run}?{urlencode({**base, 'eligible': '1'})}"
        out["flagged"] = f"{run}?{urlencode({**base, 'flagged': '1'})}"
        out["cannot"] = f"{run}?{urlencode({**base, 'cannot': '1'})}"
    households = reverse("household_list")
    if latest:  # the household list filters by today's status: it lists this year's figures only
        out["poor"] = f"{households}?{urlencode({'region': region.code, 'status': 'poor'})}"
        out["monitored"] = f"{households}?{urlencode({'region': region.code, 'status': 'monitored'})}"
    return out


def _programme_rows(figures: dict[str, Any], year: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    rows, chart_x, chart_y = [], [], []
    for p in PROGRAMMES:
        fig = figures["programmes"][p.key]
        amount = fig["amount"]
        rows.append(
            {
                "key": p.key,
                "label": p.label,
                "records": fig["records"],
                "households": fig["households"],
                "amount": amount,
                "url": f"{reverse('programmes:list', args=[p.slug])}?{urlencode({'year': year})}",
            }
        )
        if amount:
            chart_x.append(str(p.label).split("（")[0])
            chart_y.append(round(float(amount) / 10000, 2))
    chart = (
        {"kind": "hbars", "y": chart_x, "x": chart_y, "x_title": _("万元"), "hover": _("%{y}：%{x}万元")}
        if chart_y
        else None
    )
    return rows, chart


def _coverage(figures: dict[str, Any]) -> dict[str, Any]:
    c = figures["coverage"]
    return {**c, "share": _pct(c["visited"], c["poor"]), "paired_share": _pct(c["paired"], c["poor"])}


def _fails_chart(r: RegionRollup) -> dict[str, Any]:
    return {
        "kind": "bars",
        "x": [str(SHORT_LABELS[n]) for n in INDICATOR_NAMES],
        "series": [{"name": _("未达标户数"), "y": [getattr(r, f"fail_{n}") for n in INDICATOR_NAMES]}],
        "y_title": _("户"),
        "unit": pgettext("unit after a number", "户"),
        "integer": True,  # households: whole numbers on the axis, never 0.2 of a household
    }


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A region's dashboard for a year (default: the latest year with a finished assessment)."""
    user = request.user
    # Look up first: a region outside the jurisdiction is a 404 for everyone, whatever their role.
    region = get_object_or_404(Region.objects.visible_to(user), code=code)
    require(user, Capability.VIEW_REGISTRY)
    by_year = yearly_rollups(region)
    years = sorted(by_year, reverse=True)
    asked = _year(request.GET.get("year"))
    year = asked or (years[0] if years else None)
    own = user_prefix(user)
    children = list(Region.objects.filter(parent=region).order_by("code").only("code", "name", "level"))
    context: dict[str, Any] = {
        "region": region,
        "crumbs": [(r, code_in_prefix(r.code, own)) for r in region.ancestors()],
        "years": years,
        "year": year,
        "children": children,
        "child_level": Level(region.level + 1).label if region.level < Level.VILLAGE else None,
        "can_run": user.can(Capability.RUN_ASSESSMENT),
        "trend": _trend(by_year),
    }
    if year is None:  # nothing assessed and no year asked for: say so, compute nothing
        return render(request, "reports/dashboard/dashboard.html", context)

    r = by_year.get(year)
    figures = record_figures(region, year, [c.code for c in children])
    child_rollups = {}
    if r is not None:
        child_rollups = {
            c.region_id: c for c in RegionRollup.objects.filter(run_id=r.run_id, region__parent=region).order_by()
        }
    programme_rows, programme_chart = _programme_rows(figures.total, year)
    child_rows = []
    for child in children:
        figs = figures.children[child.code]
        spend = sum((f["amount"] for f in figs["programmes"].values() if f["amount"]), Decimal(0))
        child_rows.append(
            {
                "region": child,
                "r": child_rollups.get(child.code),
                "coverage": _coverage(figs),
                "findings": figs["findings"],
                "spend": spend,
            }
        )
    links = _links(region, r, latest=bool(years) and year == years[0])
    context.update(
        {
            "r": r,
            "run": r.run if r is not None else None,
            "links": links,
            "fails": [(label, getattr(r, f"fail_{n}"), links.get(f"fail_{n}"), n) for n, label in INDICATORS]
            if r is not None
            else [],
            "fails_chart": _fails_chart(r) if r is not None and r.households else None,
            "programmes": programme_rows,
            "programme_chart": programme_chart,
            "programme_total": sum((row["amount"] or Decimal(0) for row in programme_rows), Decimal(0)),
            "programme_records": sum(row["records"] for row in programme_rows),
            "coverage": _coverage(figures.total),
            "findings": figures.total["findings"],
            "own": figures.own,
            "child_rows": child_rows,
            "refreshed_at": figures.refreshed_at,
            "visits_url": f"{reverse('assistance:overview')}?{urlencode({'year': year})}",
            "findings_url": reverse("supervision:overview"),
            "overdue_url": f"{reverse('supervision:overview')}?overdue=1",
            "analysis_url": f"{reverse('region_detail', args=[region.code])}?{urlencode({'year': year})}",
        }
    )
    return render(request, "reports/dashboard/dashboard.html", context)
