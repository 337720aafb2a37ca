"""Authentication policy: second factor for privileged roles, security events into the audit trail,
and dormant accounts.

- Roles in ``settings.TWO_FACTOR_ROLES`` (the three administrators and the approver, who handles
  money) must pass a TOTP check after the password before any page or API call (等保 身份鉴别 d).
- Logins, failed logins, lockouts and logouts are audit rows (安全审计 a–b).
- ``disable_dormant_accounts`` deactivates accounts unused for ``settings.DORMANT_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from tuopin.core import audit
from tuopin.core.network import client_address, in_networks

from .roles import ADMIN_ROLES

__all__ = ["needs_second_factor", "SecondFactorMiddleware", "disable_dormant_accounts", "TuopinBasicAuthentication"]

OPEN_PATHS = ("/accounts/otp/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def needs_second_factor(user: Any) -> bool:
    """Whether this user's role must pass TOTP after the password."""
    return bool(user.is_authenticated and user.role in settings.TWO_FACTOR_ROLES)


def is_verified(request: Any) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


class SecondFactorMiddleware:
    """Hold privileged users at the TOTP page until they have passed it in this session."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and needs_second_factor(user) and not is_verified(request):
            path = request.path_info
            if not path.startswith(OPEN_PATHS):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": _("该角色须先完成双因素认证（动态口令）。")}, status=403)
                return redirect(f"/accounts/otp/?next={request.get_full_path()}")
        return self.get_response(request)


class TuopinBasicAuthentication(BasicAuthentication):
    """HTTP Basic for scripts — refused for roles that need a second factor (a password alone is not
    enough for them, 等保 身份鉴别 d)."""

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if needs_second_factor(user):
            raise exceptions.AuthenticationFailed(_("该角色须通过网页登录并完成双因素认证，不能使用基本认证。"))
        if user.role in ADMIN_ROLES and not in_networks(client_address(request), settings.ADMIN_NETWORKS):
            raise exceptions.AuthenticationFailed(_("管理员账户只能从指定的管理网络访问。"))
        return user, auth


def _client(request: Any) -> str:
    return client_address(request) if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    with transaction.atomic():
        audit.record(
            user,
            "auth.login",
            obj=user,
            region_code=user.jurisdiction_id or "",
            summary=f"登录成功（{_client(request)}）",
        )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            audit.record(user, "auth.logout", obj=user, region_code=user.jurisdiction_id or "", summary="退出登录")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit.record(
            None,
            "auth.login_failed",
            object_type="accounts.user",
            object_id=username,
            result="fail",
            summary=f"登录失败：用户名 {username}（{_client(request)}）",
        )


def _on_lockout(sender, request, credentials=None, **kwargs):  # connected in apps.ready (axes signal)
    username = str((credentials or {}).get("username", ""))[:150]
    with transaction.atomic():
        audit.record(
            None,
            "auth.locked_out",
            object_type="accounts.user",
            object_id=username,
            result="fail",
            summary=f"连续登录失败，已锁定：用户名 {username}（{_client(request)}）",
        )


@transaction.atomic
def disable_dormant_accounts(*, actor: Any = None, now: dt.datetime | None = None) -> list[str]:
    """Deactivate accounts with no login for ``DORMANT_DAYS`` days (or never used since creation)."""
    from .models import User

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.DORMANT_DAYS)
    dormant = User.objects.filter(is_active=True).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    names = list(dormant.values_list("username", flat=True))
    if names:
        dormant.update(is_active=False)
        audit.record(
            actor,
            "account.disable_dormant",
            object_type="accounts.user",
            object_id=",".join(names)[:64],
            summary=f"停用{len(names)}个超过{settings.DORMANT_DAYS}天未登录的账户",
            changes={"usernames": names},
        )
    return names
