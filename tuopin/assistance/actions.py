"""Every change to the responsibility chain, pairings, work teams, visits and assistance actions.

Each function takes the acting user explicitly, checks the role and the jurisdiction, validates with
Chinese messages keyed by field, and writes exactly one audit row in its transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability, Role
from tuopin.core import audit
from tuopin.core.actions import snapshot
from tuopin.core.crypto import encrypt
from tuopin.core.masking import mask_phone
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.core.validation import clean_choice as _choice
from tuopin.core.validation import clean_date as _date
from tuopin.core.validation import clean_text as _text
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry.models import Household

from .choices import ActionKind, LeaderLevel, PairingKind, UnitLevel, VisitKind
from .models import AssistanceAction, Cadre, LeaderVisit, Pairing, ResponsibilityLetter, Secretary, Visit, WorkTeam

__all__ = [
    "set_secretary",
    "sign_letter",
    "record_leader_visit",
    "add_cadre",
    "pair",
    "end_pairing",
    "form_work_team",
    "record_visit",
    "record_action",
]


def _require(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(Capability.EDIT_ASSISTANCE):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _region(value: Any, field: str = "region", *, level: int | None = None) -> Region:
    code = value.code if isinstance(value, Region) else str(value or "").ljust(12, "0")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({field: _("地区代码不存在。")})
    if level is not None and region.level != level:
        raise ValidationError({field: _("“%(n)s”不是行政村。") % {"n": region.name}})
    return region


def _audit(actor: Any, verb: str, obj: Any, summary: str) -> None:
    audit.record(actor, f"assistance.{verb}", obj=obj, summary=summary, changes=snapshot(obj))


@transaction.atomic
def set_secretary(*, actor: Any, region: Any, year: int, name: str, post: str) -> Secretary:
    """Name the secretary responsible for a region in a year (replaces the earlier entry for that year)."""
    _require(actor)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    row, _created = Secretary.objects.update_or_create(
        region=region,
        year=int(year),
        defaults={
            "level": region.level,
            "name": _text(name, "name", _("姓名"), 64),
            "post": _text(post, "post", _("职务"), 64),
        },
    )
    _audit(actor, "secretary", row, f"{year}年度{region.name}扶贫责任书记：{row.name}")
    return row


@transaction.atomic
def sign_letter(
    *,
    actor: Any,
    year: int,
    upper_region: Any,
    lower_region: Any,
    upper_party: str,
    lower_party: str,
    signed_on: Any,
    title: str = "",
) -> ResponsibilityLetter:
    """Record a 目标责任书 between a region and one directly or indirectly below it."""
    _require(actor)
    upper, lower = _region(upper_region, "upper_region"), _region(lower_region, "lower_region")
    check_in_jurisdiction(actor, lower.code)
    if lower.level <= upper.level or not lower.code.startswith(upper.prefix):
        raise ValidationError({"lower_region": _("乙方须为甲方的下级地区。")})
    try:
        with transaction.atomic():
            letter = ResponsibilityLetter.objects.create(
                year=int(year),
                upper_region=upper,
                lower_region=lower,
                upper_party=_text(upper_party, "upper_party", _("甲方"), 120),
                lower_party=_text(lower_party, "lower_party", _("乙方"), 120),
                signed_on=_date(signed_on, "signed_on"),
                title=(title or _("%(y)d年度脱贫攻坚目标责任书") % {"y": int(year)})[:120],
            )
    except IntegrityError:
        raise ValidationError({"lower_region": _("该年度双方的责任书已登记。")}) from None
    _audit(actor, "letter", letter, f"签订目标责任书：{letter.upper_party}—{letter.lower_party}")
    return letter


@transaction.atomic
def record_leader_visit(
    *, actor: Any, region: Any, date: Any, leader: str, level: Any, kind: Any, content: str, post: str = ""
) -> LeaderVisit:
    """Record a leader's 遍访 or 调研 visit to a region (usually a village)."""
    _require(actor)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    visit = LeaderVisit.objects.create(
        region=region,
        date=_date(date, "date"),
        leader=_text(leader, "leader", _("领导姓名"), 64),
        post=post[:64],
        level=_choice(level, LeaderLevel, "level", _("领导层级")),
        kind=_choice(kind, VisitKind, "kind", _("类型")),
        content=_text(content, "content", _("内容")),
    )
    _audit(
        actor,
        "leader_visit",
        visit,
        f"{visit.get_level_display()}{visit.leader}{visit.get_kind_display()}{region.name}",
    )
    return visit


@transaction.atomic
def add_cadre(
    *, actor: Any, region: Any, name: str, unit: str, unit_level: Any, phone: str = "", post: str = "", user: Any = None
) -> Cadre:
    """Register a cadre (帮扶责任人); the contact number is stored encrypted and shown masked."""
    _require(actor)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if digits and not 7 <= len(digits) <= 12:
        raise ValidationError({"phone": _("联系电话应为7至12位数字。")})
    cadre = Cadre.objects.create(
        region=region,
        name=_text(name, "name", _("姓名"), 64),
        unit=_text(unit, "unit", _("单位"), 120),
        unit_level=_choice(unit_level, UnitLevel, "unit_level", _("单位层级")),
        post=post[:64],
        phone_enc=encrypt(digits) if digits else "",
        phone_mask=mask_phone(digits) if digits else "",
        user=user,
    )
    _audit(actor, "cadre", cadre, f"登记帮扶干部 {cadre.name}（{cadre.unit}）")
    return cadre


def _visible_cadre(actor: Any, cadre: Any) -> Cadre:
    # A cadre from a city unit helps a village far below it: the *pairing's* village is what the
    # actor must cover; the cadre row only has to exist.
    found = Cadre.objects.filter(pk=getattr(cadre, "pk", cadre)).first()
    if found is None:
        raise ValidationError({"cadre": _("帮扶干部不存在。")})
    return found


@transaction.atomic
def pair(
    *, actor: Any, cadre: Any, start: Any, household: Household | None = None, village: Any = None, end: Any = None
) -> Pairing:
    """Pair a cadre with a household (包户) or a village (包村). A household has one pairing at a time:
    a period overlapping another pairing of the same household is refused."""
    _require(actor)
    cadre = _visible_cadre(actor, cadre)
    start = _date(start, "start")
    end = _date(end, "end") if end not in (None, "") else None
    if end is not None and end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if household is not None:
        household = Household.objects.select_for_update().get(pk=household.pk)  # serialise pairings of one household
        check_in_jurisdiction(actor, household.village_id)
        overlap = Pairing.objects.filter(household=household, kind=PairingKind.HOUSEHOLD).filter(
            Q(end__isnull=True) | Q(end__gte=start)
        )
        if end is not None:
            overlap = overlap.filter(start__lte=end)
        other = overlap.select_related("cadre").first()
        if other is not None:
            raise ValidationError(
                {
                    "start": _("该户在%(s)s起已由%(n)s结对帮扶，时间重叠；请先结束原结对。")
                    % {"s": other.start.isoformat(), "n": other.cadre.name}
                },
                code="overlap",
            )
        row = Pairing.objects.create(
            cadre=cadre,
            kind=PairingKind.HOUSEHOLD,
            household=household,
            village_id=household.village_id,
            start=start,
            end=end,
        )
    else:
        region = _region(village, "village", level=Level.VILLAGE)
        check_in_jurisdiction(actor, region.code)
        row = Pairing.objects.create(cadre=cadre, kind=PairingKind.VILLAGE, village=region, start=start, end=end)
    _audit(actor, "pair", row, f"{cadre.name}结对{'户' if household else '村'} {household or row.village_id}")
    return row


@transaction.atomic
def end_pairing(pairing: Pairing, *, actor: Any, end: Any) -> Pairing:
    """End a pairing on a date (the cadre moved, the household exited and stabilised…)."""
    _require(actor)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    check_in_jurisdiction(actor, pairing.village_id)
    end = _date(end, "end")
    if end < pairing.start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    pairing.end = end
    pairing.save(update_fields=["end"])
    _audit(actor, "unpair", pairing, f"结束结对 {pairing.pk}")
    return pairing


@transaction.atomic
def form_work_team(
    *,
    actor: Any,
    village: Any,
    unit: str,
    first_secretary: Cadre,
    start: Any,
    members: list[Cadre] | None = None,
    end: Any = None,
) -> WorkTeam:
    """Record a 驻村工作队 and its 第一书记."""
    _require(actor)
    region = _region(village, "village", level=Level.VILLAGE)
    check_in_jurisdiction(actor, region.code)
    team = WorkTeam.objects.create(
        village=region,
        unit=_text(unit, "unit", _("派出单位"), 120),
        first_secretary=_visible_cadre(actor, first_secretary),
        start=_date(start, "start"),
        end=_date(end, "end") if end else None,
    )
    if members:
        team.members.set([_visible_cadre(actor, m) for m in members])
    _audit(actor, "work_team", team, f"驻村工作队：{region.name}（{team.unit}）")
    return team


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    cadre: Any,
    date: Any,
    content: str,
    household: Household | None = None,
    village: Any = None,
    problems: str = "",
    follow_up: str = "",
) -> Visit:
    """Record a cadre's visit to a household (or a village). A cadre account records only its own visits."""
    _require(actor)
    cadre = _visible_cadre(actor, cadre)
    if actor.role == Role.CADRE and cadre.user_id != actor.pk:
        raise PermissionDenied(_("帮扶责任人只能登记本人的走访。"))
    if household is not None:
        household = Household.objects.get(pk=household.pk)
        code = household.village_id
    else:
        code = _region(village, "village", level=Level.VILLAGE).code
    check_in_jurisdiction(actor, code)
    visit = Visit.objects.create(
        cadre=cadre,
        household=household,
        village_id=code,
        date=_date(date, "date"),
        content=_text(content, "content", _("走访内容")),
        problems=problems,
        follow_up=follow_up,
    )
    _audit(actor, "visit", visit, f"{cadre.name}走访 {household.number if household else code}")
    return visit


@transaction.atomic
def record_action(
    *,
    actor: Any,
    unit: str,
    kind: Any,
    date: Any,
    description: str,
    village: Any = None,
    household: Household | None = None,
    cadre: Any = None,
    amount: Any = "0",
) -> AssistanceAction:
    """Record a 帮扶行动 (慰问, 资金帮扶 …) by a paired unit, with the amount in yuan."""
    _require(actor)
    if household is not None:
        household = Household.objects.get(pk=household.pk)
        code = household.village_id
    else:
        code = _region(village, "village", level=Level.VILLAGE).code
    check_in_jurisdiction(actor, code)
    try:
        money = Decimal(str(amount or "0")).quantize(Decimal("0.01"))
        if money < 0 or not money.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("金额应为不小于0的数（元）。")}) from None
    row = AssistanceAction.objects.create(
        unit=_text(unit, "unit", _("帮扶单位"), 120),
        kind=_choice(kind, ActionKind, "kind", _("类型")),
        date=_date(date, "date"),
        description=_text(description, "description", _("内容")),
        village_id=code,
        household=household,
        cadre=_visible_cadre(actor, cadre) if cadre else None,
        amount=money,
    )
    _audit(actor, "action", row, f"{row.unit}{row.get_kind_display()} {money}元")
    return row
