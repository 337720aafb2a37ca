"""Pages of the assistance app: coverage overview, households to visit, recent visits, visit form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.registry.models import Household

from . import actions, queries
from .models import Cadre, LeaderVisit, ResponsibilityLetter, Secretary, Visit


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Responsibility and coverage of the user's jurisdiction for a year."""
    user = request.user
    if user.jurisdiction_id is None or not user.sees_business_data:
        raise Http404
    # Default: the latest year with any record (a new county sees the current year).
    latest = Visit.objects.visible_to(user).order_by("-date").values_list("date__year", flat=True).first()
    asked = str(request.GET.get("year") or "")
    year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else (latest or timezone.localdate().year)
    if request.method == "POST":
        p = request.POST
        try:
            cadre = get_object_or_404(Cadre.objects.all(), pk=p.get("cadre") or 0)
            household = get_object_or_404(Household.objects.visible_to(user), number=p.get("household", ""))
            actions.record_visit(
                actor=user,
                cadre=cadre,
                household=household,
                date=p.get("date"),
                content=p.get("content", ""),
                problems=p.get("problems", ""),
                follow_up=p.get("follow_up", ""),
            )
            messages.success(request, _("已登记走访。"))
            return redirect(f"{request.path}?year={year}")
        except (ValidationError, PermissionDenied) as exc:
            for msg in getattr(exc, "messages", [str(exc)]):
                messages.error(request, msg)
    figures = queries.annual_figures(user.jurisdiction, year)
    return render(
        request,
        "assistance/overview.html",
        {
            "year": year,
            "f": figures,
            "title": _("帮扶责任与遍访"),
            "secretaries": Secretary.objects.visible_to(user).filter(year=year).select_related("region")[:100],
            "letters": ResponsibilityLetter.objects.visible_to(user)
            .filter(year=year)
            .select_related("upper_region", "lower_region")[:100],
            "leader_visits": LeaderVisit.objects.visible_to(user).filter(date__year=year).select_related("region")[:50],
            "visits": Visit.objects.visible_to(user).filter(date__year=year).select_related("cadre", "household")[:50],
            "to_visit": queries.households_to_visit(user, year)[:50],
            "cadres": Cadre.objects.visible_to(user)[:200],
        },
    )
