"""The second-factor page: set up a TOTP authenticator (first time) or enter its code."""

from __future__ import annotations

import segno
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuopin.core import audit

from .security import is_verified, needs_second_factor


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def otp(request):
    """Show the enrolment QR code (no confirmed device yet) or ask for the 6-digit code."""
    user = request.user
    if not needs_second_factor(user) or is_verified(request):
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="tuopin", confirmed=False
        )
    error = ""
    if request.method == "POST":
        token = "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())
        if device.verify_is_allowed()[0] and device.verify_token(token):
            with transaction.atomic():
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                otp_login(request, device)
                audit.record(
                    user,
                    "auth.otp_enrolled" if enrolling else "auth.otp_verified",
                    obj=user,
                    region_code=user.jurisdiction_id or "",
                    summary="动态口令验证通过",
                )
            return redirect(_next_url(request))
        with transaction.atomic():
            audit.record(
                user,
                "auth.otp_failed",
                obj=user,
                region_code=user.jurisdiction_id or "",
                result="fail",
                summary="动态口令错误",
            )
        error = _("动态口令不正确或已过期，请重新输入。多次错误后需等待片刻再试。")
    context = {"enrolling": enrolling, "error": error, "next": _next_url(request)}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/otp.html", context, status=400 if error else 200)
