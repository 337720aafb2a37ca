"""Region analysis pages (收入分布与多维贫困): a region's income distribution and its Alkire–Foster
index in a year, from the determinations of the latest finished assessment covering it.

The region's headline figures, trend, children and programme figures are on the dashboard
(``tuopin.reports.dashboard``), which reads rollups; this page is the one that needs every
household's numbers (a distribution and an index are not sums), read set-based in one
``values_list`` over the region's code range, never one household at a time. Where a figure cannot
be computed — no run, no incomes, no household with every indicator assessed — the page says so
instead of showing a zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.assessment.choices import INDICATORS, Result, RunStatus
from tuopin.assessment.models import Determination, RegionRollup
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.models import Region
from tuopin.measures import IncomeDistribution, alkire_foster
from tuopin.policy.resolve import Resolver

from .assessment import INDICATOR_NAMES, SHORT_LABELS
from .common import require

DIMENSIONS = len(INDICATOR_NAMES)
DEFAULT_K = 1  # deprived in at least one of six: the union approach, as exit needs every indicator to pass
HIST_BINS = 25
NICE_WIDTHS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


def region_home(request: HttpRequest) -> HttpResponse:
    """``/regions/`` opens the user's own jurisdiction."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    if not user.jurisdiction_id:
        raise Http404
    return redirect("region_detail", code=user.jurisdiction_id)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The region's income distribution and multidimensional index for a year (default: the latest
    year with a finished run covering it)."""
    user = request.user
    # Look up first: a region outside the jurisdiction is a 404 for everyone, whatever their role.
    region = get_object_or_404(Region.objects.visible_to(user), code=code)
    require(user, Capability.VIEW_REGISTRY)
    done = RegionRollup.objects.visible_to(user).filter(region=region, run__status=RunStatus.DONE)
    years = sorted(set(done.values_list("run__year", flat=True)), reverse=True)
    year = _int(request.GET.get("year"), years[0] if years else None)
    k = _int(request.GET.get("k"), DEFAULT_K)
    k = k if 1 <= k <= DIMENSIONS else DEFAULT_K
    own = user_prefix(user)
    context: dict[str, Any] = {
        "region": region,
        "crumbs": [(r, code_in_prefix(r.code, own)) for r in region.ancestors()],
        "years": years,
        "year": year,
        "k": k,
        "k_choices": [(m, f"{m}/{DIMENSIONS}") for m in range(1, DIMENSIONS + 1)],
        "short_labels": [SHORT_LABELS[n] for n in INDICATOR_NAMES],
        "can_run": user.can(Capability.RUN_ASSESSMENT),
    }
    rollup = done.filter(run__year=year).select_related("run__ruleset").order_by("-run_id").first() if year else None
    context["r"] = rollup
    context["children"] = Region.objects.filter(parent=region).order_by("code").only("code", "name")
    if rollup is not None:
        run = rollup.run
        line = Resolver(run.ruleset.content["standards"]).value("poverty_line", region.code, run.year)
        columns = _columns(user, run.pk, region)
        context.update({"run": run, "line": line, "income": _income(columns, line), "af": _alkire_foster(columns, k)})
    return render(request, "web/regions/region_detail.html", context)


def _columns(user: Any, run_id: int, region: Region) -> dict[str, np.ndarray]:
    """The region's determinations in the run as columns (one query, set-based)."""
    fields = ["net_income_per_capita", "members", *INDICATOR_NAMES]
    rows = list(
        Determination.objects.visible_to(user)
        .filter(run_id=run_id)
        .in_region(region.prefix)
        .values_list(*fields)
        .order_by()
    )
    if not rows:
        return {name: np.empty(0) for name in fields}
    cols = list(zip(*rows, strict=True))
    out = {
        "net_income_per_capita": np.array([np.nan if v is None else float(v) for v in cols[0]], dtype=float),
        "members": np.array(cols[1], dtype=float),
    }
    for name, col in zip(INDICATOR_NAMES, cols[2:], strict=True):
        out[name] = np.array(col, dtype=np.int64)
    return out


def _income(columns: dict[str, np.ndarray], line: Any) -> dict[str, Any]:
    """Income distribution of the region's people: households weighted by their members, losses
    bottom-coded to 0 (the measures need non-negative incomes); households without an income or
    without members are counted as missing, not as zero income."""
    incomes, members = columns["net_income_per_capita"], columns["members"]
    known = ~np.isnan(incomes) & (members > 0)
    result: dict[str, Any] = {"households": int(incomes.size), "missing": int((~known).sum()), "ok": False}
    if not known.any():
        return result
    y, w = np.maximum(incomes[known], 0.0), members[known]
    try:
        dist = IncomeDistribution.from_incomes(y, weights=w, line=float(line) if line else None)
    except ValueError:
        result["error"] = True
        return result
    result.update(
        {
            "ok": True,
            "dist": dist,
            "bottom_coded": int((incomes[known] < 0).sum()),
            "chart": _histogram(y, w, float(line) if line else None),
        }
    )
    return result


def _histogram(y: np.ndarray, w: np.ndarray, line: float | None) -> dict[str, Any]:
    """People per income bin, binned here so that the page carries a few dozen numbers rather than
    every household's income. Bins have a round width; the top 1 % go into an open last bin."""
    top = float(np.percentile(y, 99)) if y.size > 1 else float(y.max())
    top = max(top, (line or 0) * 1.5, 1.0)
    width = next((n for n in NICE_WIDTHS if top / n <= HIST_BINS), NICE_WIDTHS[-1])
    bins = max(1, math.ceil(top / width))
    edges = np.arange(bins + 1, dtype=float) * width
    counts, _edges = np.histogram(np.minimum(y, edges[-1] - 1e-9), bins=edges, weights=w)
    labels = [f"{int(a):,}–{int(b):,}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    if (y >= edges[-1]).any():
        labels[-1] = f"≥{int(edges[-2]):,}"
    return {
        "kind": "histogram",
        "x": [float(a + width / 2) for a in edges[:-1]],
        "y": [round(float(c), 2) for c in counts],
        "width": width,
        "text": labels,
        "line": line,
        "line_label": _("贫困线 %(v)s元") % {"v": f"{line:,.0f}"} if line else "",
        "x_title": _("年人均纯收入（元）"),
        "y_title": _("人数"),
        "hover": _("%{text}元：%{y}人"),
    }


def _alkire_foster(columns: dict[str, np.ndarray], k: int) -> dict[str, Any]:
    """Alkire–Foster over the six indicators (deprived = failed), people-weighted, k = m/6.

    A household with any indicator that could not be assessed is left out: the method needs every
    dimension observed, and counting "cannot assess" as achieved would hide missing data.
    """
    members = columns["members"]
    if members.size == 0:
        return {"ok": False, "households": 0}
    matrix = np.column_stack([columns[name] for name in INDICATOR_NAMES])
    complete = (matrix != Result.CANNOT).all(axis=1) & (members > 0)
    out: dict[str, Any] = {"households": int(members.size), "excluded": int((~complete).sum()), "ok": False}
    if not complete.any():
        return out
    res = alkire_foster(
        (matrix[complete] == Result.FAIL).astype(float), k=k / DIMENSIONS, sample_weights=members[complete]
    )
    labels = [str(label) for _name, label in INDICATORS]
    dims = [
        {"label": label, "uncensored": float(u), "censored": float(c), "contribution": float(p)}
        for label, u, c, p in zip(
            labels, res.uncensored_headcounts, res.censored_headcounts, res.contributions, strict=True
        )
    ]
    chart = {
        "kind": "bars",
        "x": [str(SHORT_LABELS[n]) for n in INDICATOR_NAMES],
        "series": [
            {"name": _("删失贫困发生率（%）"), "y": [round(d["censored"] * 100, 2) for d in dims]},
            {"name": _("对M0的贡献率（%）"), "y": [round(d["contribution"], 2) for d in dims]},
        ],
        "y_title": "%",
    }
    out.update({"ok": True, "res": res, "dims": dims, "chart": chart, "people": float(members[complete].sum())})
    return out
