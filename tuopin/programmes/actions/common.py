"""Validation and lookup helpers shared by the programme actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.geo.models import Region
from tuopin.registry.models import Household, Member

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")  # 10亿: anything larger is a unit error (元 vs 分)


def require(actor: Any, capability: Capability = Capability.EDIT_PROGRAMMES) -> None:
    """Refuse an actor whose role lacks ``capability``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def year(value: Any, field: str = "year") -> int:
    """A programme year between 2013 and next year."""
    try:
        y = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请填写年度，如 2019。")}) from None
    if not 2013 <= y <= timezone.localdate().year + 1:
        raise ValidationError({field: _("年度%(y)d超出范围（2013年至今）。") % {"y": y}})
    return y


def money(value: Any, field: str, label: str, *, positive: bool = False, maximum: Decimal | None = None) -> Decimal:
    """A non-negative (or positive) amount in yuan, at most two decimals, within ``maximum``."""
    if value in (None, "") and not positive:
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("%(l)s应为金额（元），如 1500.00。") % {"l": label}}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("%(l)s应为金额（元），如 1500.00。") % {"l": label}})
    if amount < 0 or (positive and amount == 0):
        raise ValidationError(
            {field: (_("%(l)s必须大于0元。") if positive else _("%(l)s不能为负数。")) % {"l": label}},
            code="negative",
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("%(l)s最多保留两位小数（分）。") % {"l": label}})
    limit = maximum if maximum is not None else MAX_AMOUNT
    if amount > limit:
        raise ValidationError(
            {field: _("%(l)s%(a)s元超过上限%(m)s元。") % {"l": label, "a": amount, "m": limit}}, code="over_limit"
        )
    return amount.quantize(CENT)


def ratio(value: Any, field: str, label: str) -> Decimal:
    """A rate between 0 and 1 (0.08 = 8%)."""
    try:
        r = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("%(l)s应为小数，如 0.08 表示8%%。") % {"l": label}}) from None
    if not r.is_finite() or not 0 <= r <= 1:
        raise ValidationError({field: _("%(l)s应在0到1之间（如 0.08 表示8%%）。") % {"l": label}})
    return r


def date(value: Any, field: str, label: str, *, required: bool = True) -> dt.date | None:
    """A date (``date`` or ISO text); not in the future."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写%(l)s。") % {"l": label}})
        return None
    if isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: _("%(l)s格式应为 2019-10-15。") % {"l": label}}) from None
    if d > timezone.localdate():
        raise ValidationError({field: _("%(l)s不能晚于今天。") % {"l": label}})
    return d


def choice(value: Any, field: str, choices: type[models.TextChoices], label: str) -> str:
    """A code from a code list."""
    if value not in choices.values:
        raise ValidationError({field: _("请选择有效的%(l)s。") % {"l": label}})
    return str(value)


def text(value: Any, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    """Trimmed text within ``max_length``."""
    s = str(value or "").strip()
    if required and not s:
        raise ValidationError({field: _("请填写%(l)s。") % {"l": label}})
    if len(s) > max_length:
        raise ValidationError({field: _("%(l)s不能超过%(n)d个字。") % {"l": label, "n": max_length}})
    return s


def household(actor: Any, value: Any, field: str = "household") -> Household:
    """The household ``value`` (object or id) if it is inside the actor's jurisdiction; refuse otherwise.

    An id outside the jurisdiction gets the same message as one that does not exist.
    """
    pk = value.pk if isinstance(value, Household) else value
    try:
        h = Household.objects.visible_to(actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        h = None
    if h is None:
        raise ValidationError({field: _("户不存在或不在您的管辖范围内。")}, code="unknown_household")
    check_in_jurisdiction(actor, h.village_id)
    return h


def member(actor: Any, value: Any, hh: Household | None = None, field: str = "member") -> Member:
    """The member ``value`` (object or id) inside the actor's jurisdiction, and of ``hh`` when given."""
    pk = value.pk if isinstance(value, Member) else value
    try:
        m = Member.objects.visible_to(actor).select_related("household").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        m = None
    if m is None:
        raise ValidationError({field: _("成员不存在或不在您的管辖范围内。")}, code="unknown_member")
    if hh is not None and m.household_id != hh.pk:
        raise ValidationError({field: _("该成员不属于所选的户。")})
    return m


def living(m: Member, y: int, field: str = "member") -> None:
    """Refuse a benefit for a year that starts after the member died or moved out."""
    if m.deceased_on and m.deceased_on < dt.date(y, 1, 1):
        raise ValidationError(
            {field: _("%(n)s已于%(d)s死亡，不能登记%(y)d年度的待遇。") % {"n": m.name, "d": m.deceased_on, "y": y}},
            code="deceased",
        )
    if m.moved_out_on and m.moved_out_on < dt.date(y, 1, 1):
        raise ValidationError({field: _("%(n)s已于%(d)s迁出。") % {"n": m.name, "d": m.moved_out_on}})


def region(actor: Any, value: Any, field: str = "region") -> Region:
    """A region code inside the actor's jurisdiction."""
    code = value.code if isinstance(value, Region) else str(value or "").strip()
    r = Region.objects.filter(code=code).first()
    if r is None:
        raise ValidationError({field: _("地区代码“%(c)s”不存在。") % {"c": code}})
    check_in_jurisdiction(actor, r.code)
    return r


def unknown(data: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields an action does not accept."""
    extra = set(data) - allowed
    if extra:
        raise ValidationError({k: _("不能设置此字段。") for k in sorted(extra)})
