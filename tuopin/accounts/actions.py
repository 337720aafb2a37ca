"""Changes to accounts. Each writes its audit row in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuopin.core import audit
from tuopin.geo.models import Region

from .models import User
from .roles import Role

__all__ = ["create_user"]


@transaction.atomic
def create_user(
    *, actor: Any, username: str, password: str, role: str, jurisdiction: Region, full_name: str = "", unit: str = ""
) -> User:
    """Create an account with one role and one jurisdiction; the password must pass the policy."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(u)s”已存在（不区分大小写）。") % {"u": username}})
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色。")})
    user = User(username=username, role=role, jurisdiction=jurisdiction, full_name=full_name, unit=unit)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor,
        "account.create",
        obj=user,
        region_code=jurisdiction.code,
        summary=f"创建账户 {username}（{Role(role).label}）",
    )
    return user
