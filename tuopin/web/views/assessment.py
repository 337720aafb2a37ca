"""Assessment runs (脱贫评估): the list with the start form, the run page with its region rollups and
determinations, progress polled with htmx, and replay.

A run covers a region; a user may look at runs inside their jurisdiction *and* at runs of the
regions above it (a county run covers every village clerk's village). Of a covering run the user
sees only what lies inside their jurisdiction: the rollups and determinations are read through
``visible_to(user)``, and the counts shown are their own region's rollup, never the whole run's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuopin.accounts.roles import Capability
from tuopin.assessment.actions import replay_run, start_run
from tuopin.assessment.choices import INDICATORS, MONITOR_LABELS, ExitBlock, Result, RunStatus
from tuopin.assessment.models import Determination, RegionRollup, Run
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.choices import PREFIX_LENGTH, Level
from tuopin.geo.models import Region
from tuopin.registry.choices import HouseholdStatus
from tuopin.registry.models import HouseholdYear

from ..forms_analysis import StartRunForm
from .common import PAGE_SIZE, attach_errors, region_choices, require

INDICATOR_NAMES = [name for name, _label in INDICATORS]
# Short column heads for the indicator marks (the full labels are in the table's legend).
SHORT_LABELS = {
    "income": gettext_lazy("收入"),
    "food": gettext_lazy("吃穿"),
    "education": gettext_lazy("教育"),
    "medical": gettext_lazy("医疗"),
    "housing": gettext_lazy("住房"),
    "water": gettext_lazy("饮水"),
}
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


# --- what a user may read ----------------------------------------------------------------------


def covering_codes(user: Any) -> list[str]:
    """Codes of the regions strictly above the user's jurisdiction (their runs cover it)."""
    prefix = user_prefix(user)
    if not prefix:
        return []
    return [prefix[:n].ljust(12, "0") for n in sorted(set(PREFIX_LENGTH.values())) if n < len(prefix)]


def visible_runs(user: Any) -> QuerySet[Run]:
    """Runs inside the user's jurisdiction, and runs of the regions above it (which cover it)."""
    if user_prefix(user) is None:
        return Run.objects.none()
    return Run.objects.visible_to(user) | Run.objects.filter(region_id__in=covering_codes(user))


def scope_code(run: Run, user: Any) -> str:
    """The region whose figures the user sees for a run: the run's own, or their jurisdiction's when
    the run covers more than they may see."""
    return run.region_id if code_in_prefix(run.region_id, user_prefix(user)) else user.jurisdiction_id


def latest_data_year(user: Any) -> int:
    """The newest year with household facts in the jurisdiction (the start form's default)."""
    year = HouseholdYear.objects.visible_to(user).aggregate(y=Max("year"))["y"]
    return year or timezone.localdate().year


# --- run list and start ------------------------------------------------------------------------


def run_list(request: HttpRequest) -> HttpResponse:
    """Runs the user may read, newest first, with each one's figures; POST starts a run."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    choices = region_choices(user)
    form = None
    if user.can(Capability.RUN_ASSESSMENT):
        form = StartRunForm(
            initial={"year": latest_data_year(user), "region": user.jurisdiction_id}, region_choices=choices
        )
    if request.method == "POST":
        require(user, Capability.RUN_ASSESSMENT)
        form = StartRunForm(request.POST, region_choices=choices)
        if form.is_valid():
            region = Region.objects.visible_to(user).filter(code=form.cleaned_data["region"]).first()
            try:
                if region is None:
                    raise ValidationError({"region": _("地区不在您的管辖范围内。")})
                run = start_run(actor=user, year=form.cleaned_data["year"], region=region)
            except ValidationError as exc:
                attach_errors(exc, form)
            except PermissionDenied as exc:
                form.add_error("region", str(exc))
            else:
                messages.success(request, _("评估已加入队列，完成后本页自动显示结果。"))
                return redirect("run_detail", pk=run.pk)

    runs = visible_runs(user).select_related("region", "ruleset").order_by("-id")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = _scope_rollups(user, list(page.object_list))
    rows = [{"run": run, "r": figures.get(run.pk), "covering": scope_code(run, user) != run.region_id} for run in page]
    context = {"form": form, "page": page, "rows": rows, "active": ACTIVE}
    return render(request, "web/assessment/run_list.html", context)


def _scope_rollups(user: Any, runs: list[Run]) -> dict[int, RegionRollup]:
    """Each run's rollup for the region the user sees it by (one query for the whole page)."""
    if not runs:
        return {}
    rows = RegionRollup.objects.visible_to(user).filter(
        Q(region_id=F("run__region_id")) | Q(region_id=user.jurisdiction_id), run_id__in=[r.pk for r in runs]
    )
    wanted = {run.pk: scope_code(run, user) for run in runs}
    return {r.run_id: r for r in rows if wanted.get(r.run_id) == r.region_id}


# --- the run page ------------------------------------------------------------------------------


def _get_run(user: Any, pk: int) -> Run:
    return get_object_or_404(visible_runs(user).select_related("region", "ruleset"), pk=pk)


DET_FILTERS = ("failing", "eligible", "cannot", "flagged")


def _det_params(data: Any) -> dict[str, str]:
    """The determination list's filters (unknown values are dropped, not errors)."""
    out = {}
    if data.get("failing") in INDICATOR_NAMES:
        out["failing"] = data["failing"]
    for key in ("eligible", "cannot", "flagged"):
        if data.get(key) == "1":
            out[key] = "1"
    return out


def _determinations(user: Any, run: Run, prefix: str, params: dict[str, str]) -> QuerySet[Determination]:
    qs = Determination.objects.visible_to(user).filter(run=run).in_region(prefix)
    if "failing" in params:
        qs = qs.filter(**{params["failing"]: Result.FAIL})
    if params.get("eligible"):
        qs = qs.filter(exit_eligible=True)
    if params.get("cannot"):
        any_cannot = Q()
        for name in INDICATOR_NAMES:
            any_cannot |= Q(**{name: Result.CANNOT})
        qs = qs.filter(any_cannot)
    if params.get("flagged"):
        qs = qs.filter(monitor_flags__gt=0)
    return qs.select_related("household__village").order_by("village_code", "household__number", "pk")


def _det_row(d: Determination) -> dict[str, Any]:
    try:
        status = HouseholdStatus(d.status).label
    except ValueError:
        status = d.status
    return {
        "d": d,
        "status": status,
        "marks": [getattr(d, name) for name in INDICATOR_NAMES],
        "block": "" if d.exit_eligible else ExitBlock(d.exit_block).label,
        "monitoring": _("、").join(str(label) for flag, label in MONITOR_LABELS.items() if d.monitor_flags & int(flag)),
    }


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: progress while it works; when done, the figures, the rollups by region with drill-down
    (``?region=``) and the filterable determinations of the selected region."""
    user = request.user
    run = _get_run(user, pk)  # first: a run outside the jurisdiction is a 404 whatever the role
    require(user, Capability.VIEW_REGISTRY)
    scope = scope_code(run, user)
    code = str(request.GET.get("region") or scope)
    context: dict[str, Any] = {
        "run": run,
        "active": ACTIVE,
        "scope_is_run": scope == run.region_id,
        "can_replay": user.can(Capability.RUN_ASSESSMENT)
        and scope == run.region_id
        and run.status == RunStatus.DONE
        and run.replay_of_id is None,
        "replay_summary": request.session.pop(f"replay:{run.pk}", None),
        "short_labels": [SHORT_LABELS[n] for n in INDICATOR_NAMES],
        "indicators": [(name, label, SHORT_LABELS[name]) for name, label in INDICATORS],
    }
    if run.status == RunStatus.DONE:
        rollups = RegionRollup.objects.visible_to(user).filter(run=run)
        top = rollups.filter(region_id=code).select_related("region").first()
        if top is None and code != scope:
            raise Http404  # outside the jurisdiction, or not part of this run
        params = _det_params(request.GET)
        context["top"] = top
        if top is not None:
            children = rollups.filter(region__parent_id=code).select_related("region").order_by("region_id")
            region = top.region
            prefix = region.prefix
            page = Paginator(_determinations(user, run, prefix, params), PAGE_SIZE).get_page(request.GET.get("page"))
            base = {"region": code} if code != scope else {}
            child_rows = [rollup_row(r) for r in children]
            context.update(
                {
                    "region": region,
                    "crumbs": _crumbs(region, scope),
                    "children": child_rows,
                    "children_with_total": [rollup_row(top), *child_rows],
                    "page": page,
                    "det_rows": [_det_row(d) for d in page.object_list],
                    "params": params,
                    "filter_query": urlencode(base),
                    "page_query": urlencode({**base, **params}),
                    "indicator_choices": [(name, SHORT_LABELS[name]) for name in INDICATOR_NAMES],
                }
            )
    return render(request, "web/assessment/run_detail.html", context)


def _crumbs(region: Region, scope: str) -> list[Region]:
    """The drill-down path from the user's scope region down to ``region``."""
    path = region.ancestors()
    codes = [r.code for r in path]
    return path[codes.index(scope) :] if scope in codes else [region]


def rollup_row(r: RegionRollup) -> dict[str, Any]:
    """A rollup with the figures a table row shows; every missing denominator stays None."""
    return {
        "r": r,
        "fails": [getattr(r, f"fail_{name}") for name in INDICATOR_NAMES],
        "is_village": r.level == Level.VILLAGE,
    }


def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every 2 s; once the run has finished, the whole page reloads
    (``HX-Refresh``) so that the results appear."""
    user = request.user
    run = _get_run(user, pk)  # first: a run outside the jurisdiction is a 404 whatever the role
    require(user, Capability.VIEW_REGISTRY)
    response = render(request, "web/assessment/_progress.html", {"run": run, "active": ACTIVE})
    if run.status not in ACTIVE and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
def run_replay(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-run a finished run under its own rule set on today's facts, and show what differs."""
    user = request.user
    run = _get_run(user, pk)  # first: a run outside the jurisdiction is a 404 whatever the role
    require(user, Capability.RUN_ASSESSMENT)
    if run.status != RunStatus.DONE or scope_code(run, user) != run.region_id:
        raise PermissionDenied(_("只能重放本辖区内已完成的评估。"))
    replay, summary = replay_run(run, actor=user)
    request.session[f"replay:{replay.pk}"] = summary
    return redirect("run_detail", pk=replay.pk)
