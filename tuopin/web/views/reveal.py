"""Showing one full ID number to a role allowed to see it, with a stated reason (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tuopin.accounts.roles import Capability
from tuopin.registry import actions
from tuopin.registry.models import Member

from ..forms import RevealForm
from .common import attach_errors, require


@never_cache  # Cache-Control: no-store — the number must not stay in any cache or the back button
@require_http_methods(["GET", "POST"])
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a reason (GET) and show the plaintext once (POST). htmx gets only the fragment."""
    # Look up first: an object outside the jurisdiction is a 404 for everyone, whatever their role.
    member = get_object_or_404(Member.objects.visible_to(request.user).select_related("household"), pk=pk)
    require(request.user, Capability.VIEW_PLAINTEXT_ID)
    plaintext = ""
    if request.method == "POST":
        form = RevealForm(request.POST)
        if form.is_valid():
            try:
                plaintext = actions.reveal_id_number(member, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                attach_errors(exc, form)
    else:
        form = RevealForm()
    template = "web/_id_cell.html" if request.htmx else "web/member_reveal.html"
    context = {"form": form, "member": member, "m": member, "h": member.household, "plaintext": plaintext}
    context["can_reveal"] = True
    context["title"] = _("查看完整身份证号")
    return render(request, template, context)
