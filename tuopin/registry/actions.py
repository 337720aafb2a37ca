"""Every change to the registry (design.md §4.2).

Each function takes the acting user explicitly, checks the jurisdiction, validates, writes in
one transaction and appends exactly one audit row in that same transaction. Pages, the API,
imports, the CLI and jobs all call these; nothing else writes registry rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.actions import check_version, diff, snapshot
from tuopin.core.crypto import decrypt, encrypt, lookup_hash
from tuopin.core.idnumber import mask_id
from tuopin.core.masking import mask_account, mask_phone
from tuopin.core.scoping import check_in_jurisdiction, code_in_prefix, user_prefix
from tuopin.geo.choices import Level
from tuopin.geo.models import Region

from . import choices as c
from .models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear
from .validation import (
    HOUSEHOLD_YEAR_FIELDS,
    MEMBER_YEAR_CHOICES,
    MEMBER_YEAR_FIELDS,
    check_causes,
    check_choice,
    check_household_year,
    check_member_identity,
    household_year_value,
)

__all__ = [
    "create_household",
    "update_household",
    "move_household",
    "add_member",
    "update_member",
    "remove_member",
    "set_household_year",
    "set_member_year",
    "change_status",
    "reveal_id_number",
]

HOUSEHOLD_EDITABLE = (
    "group",
    "address",
    "identification_year",
    "identification_standard",
    "category",
    "main_cause",
    "other_causes",
    "phone",
    "bank_name",
    "bank_account",
)
MEMBER_EDITABLE = ("name", "relation", "ethnicity", "id_number", "gender", "birth_date")


def _require(actor: Any, capability: Capability) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _village(value: Any) -> Region:
    code = value.code if isinstance(value, Region) else str(value or "")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"village": _("行政村代码“%(code)s”不存在。") % {"code": code}}, code="unknown_code")
    if region.level != Level.VILLAGE:
        raise ValidationError({"village": _("“%(name)s”不是行政村，户籍必须落在村一级。") % {"name": region.name}})
    return region


def _check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("请填写年度，如 2019。")}) from None
    if not 2013 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("年度%(y)d超出范围（2013年至今）。") % {"y": year}})
    return year


def _protected_contacts(data: dict[str, Any], household: Household) -> None:
    """Encrypt phone and bank account, keeping only masks and a lookup hash in clear."""
    if "phone" in data:
        phone = "".join(ch for ch in str(data["phone"] or "") if ch.isdigit())
        if phone and not (7 <= len(phone) <= 12):
            raise ValidationError({"phone": _("联系电话应为7至12位数字。")})
        household.phone_enc = encrypt(phone) if phone else ""
        household.phone_mask = mask_phone(phone) if phone else ""
    if "bank_account" in data:
        account = "".join(ch for ch in str(data["bank_account"] or "") if ch.isdigit())
        if account and not (12 <= len(account) <= 19):
            raise ValidationError({"bank_account": _("银行账号应为12至19位数字。")})
        household.bank_account_enc = encrypt(account) if account else ""
        household.bank_account_hash = lookup_hash(account, purpose="account") if account else ""
        household.bank_account_mask = mask_account(account) if account else ""


def _clean_member_year(data: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in MEMBER_YEAR_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in MEMBER_YEAR_CHOICES:
            blank = name.startswith("disability")
            field = MemberYear._meta.get_field(name)
            value = check_choice(prefix + name, value, MEMBER_YEAR_CHOICES[name], str(field.verbose_name), blank=blank)
        elif name == "migrant_months":
            try:
                value = int(value or 0)
            except (TypeError, ValueError):
                raise ValidationError({prefix + name: _("务工时间应为0至12的整数（月）。")}) from None
            if not 0 <= value <= 12:
                raise ValidationError({prefix + name: _("务工时间应为0至12的整数（月）。")})
        else:
            value = bool(value) and str(value).lower() not in {"0", "false", "否", "no"}
        out[name] = value
    if out.get("disability_category") and not out.get("disability_grade"):
        raise ValidationError({prefix + "disability_grade": _("已填写残疾类别，请同时填写残疾等级。")})
    return out


def _default_member_year(parsed_birth: dt.date, year: int) -> dict[str, Any]:
    age = year - parsed_birth.year
    return {
        "education": c.Education.PRESCHOOL if age < 6 else c.Education.PRIMARY,
        "labour": c.LabourSkill.NONE if age < 16 or age >= 65 else c.LabourSkill.ORDINARY,
    }


def _new_member(household: Household, data: dict[str, Any], *, actor: Any, year: int, prefix: str = "") -> Member:
    parsed, id_hash = check_member_identity(data, field_prefix=prefix)
    relation = check_choice(prefix + "relation", data.get("relation"), c.Relation, _("与户主关系"))
    ethnicity = check_choice(prefix + "ethnicity", data.get("ethnicity") or c.Ethnicity.HAN, c.Ethnicity, _("民族"))
    other = Member.objects.filter(id_hash=id_hash, is_current=True).select_related("household").first()
    if other is not None:
        # Name the other household only when the clerk may see it: the message must not tell a
        # village clerk where a person is registered in someone else's jurisdiction.
        if code_in_prefix(other.household.village_id, user_prefix(actor)):
            message = _("此人已在户%(no)s中登记，一人只能在一户中在册。") % {"no": other.household.number}
        else:
            message = _("此人已在其他地区的建档立卡户中登记，一人只能在一户中在册；如需迁入请联系上级审核。")
        raise ValidationError({prefix + "id_number": message}, code="duplicate_person")
    member = Member(
        household=household,
        name=str(data["name"]).strip(),
        id_enc=encrypt(parsed.number),
        id_hash=id_hash,
        id_mask=mask_id(parsed.number),
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        relation=relation,
        ethnicity=ethnicity,
    )
    try:
        with transaction.atomic():
            member.save(force_insert=True)
    except IntegrityError:  # a concurrent registration of the same person won the race
        raise ValidationError({prefix + "id_number": _("此人已在其他户中登记。")}, code="duplicate_person") from None
    facts = {**_default_member_year(parsed.birth_date, year), **_clean_member_year(data, prefix=prefix)}
    MemberYear.objects.create(member=member, household=household, year=year, **facts)
    return member


def _refresh_household_counts(household: Household) -> None:
    """Keep the denormalised head name and member count in step with the members."""
    current = Member.objects.filter(household=household, is_current=True)
    head = current.filter(relation=c.Relation.HEAD).values_list("name", flat=True).first()
    household.head_name = head or ""
    household.member_count = current.count()
    Household.objects.filter(pk=household.pk).update(head_name=household.head_name, member_count=household.member_count)


def _check_one_head(household: Household) -> None:
    heads = Member.objects.filter(household=household, is_current=True, relation=c.Relation.HEAD).count()
    if heads != 1:
        raise ValidationError(
            {"members": _("每户必须有且只有一名户主（现有%(n)d名）。") % {"n": heads}}, code="head_count"
        )


def _next_number(village: Region) -> str:
    last = Household.objects.filter(village=village).aggregate(m=Max("number"))["m"]
    seq = int(last[12:]) + 1 if last and last[12:].isdigit() else 1
    return f"{village.code}{seq:04d}"


@transaction.atomic
def create_household(
    *,
    actor: Any,
    village: Region | str,
    identification_year: int,
    main_cause: str,
    members: list[dict[str, Any]],
    year: int | None = None,
    other_causes: list[str] | None = None,
    number: str | None = None,
    **fields: Any,
) -> Household:
    """Register a household with its members (one of them the head) and its first year's facts.

    ``members`` is a list of dicts: name, id_number, relation, ethnicity, optionally gender and
    birth_date (cross-checked with the ID) and the yearly member facts. Nothing is saved unless
    everything is valid.
    """
    _require(actor, Capability.EDIT_REGISTRY)
    region = _village(village)
    check_in_jurisdiction(actor, region.code)
    ident_year = _check_year(identification_year)
    year = _check_year(year or ident_year)
    main, o1, o2 = check_causes(main_cause, other_causes or [])
    if not members:
        raise ValidationError({"members": _("请至少登记一名家庭成员（户主）。")})
    if sum(1 for m in members if str(m.get("relation")) == c.Relation.HEAD) != 1:
        raise ValidationError({"members": _("每户必须有且只有一名户主。")}, code="head_count")
    unknown = set(fields) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError({k: _("不能设置此字段。") for k in unknown})
    household = Household(
        number=number or _next_number(region),
        village=region,
        group=str(fields.get("group") or "")[:32],
        address=str(fields.get("address") or "")[:200],
        identification_year=ident_year,
        identification_standard=check_choice(
            "identification_standard",
            fields.get("identification_standard") or c.IdentificationStandard.NATIONAL,
            c.IdentificationStandard,
            _("识别标准"),
        ),
        category=check_choice(
            "category", fields.get("category") or c.HouseholdCategory.GENERAL, c.HouseholdCategory, _("贫困户属性")
        ),
        main_cause=main,
        other_cause_1=o1,
        other_cause_2=o2,
        status=c.HouseholdStatus.POOR,
        status_year=ident_year,
        bank_name=str(fields.get("bank_name") or "")[:64],
    )
    _protected_contacts(fields, household)
    if Household.objects.filter(number=household.number).exists():
        raise ValidationError({"number": _("户编号%(no)s已存在。") % {"no": household.number}}, code="duplicate")
    household.save(force_insert=True)
    seen: set[str] = set()
    for i, data in enumerate(members):
        prefix = f"members[{i}]."
        member = _new_member(household, data, actor=actor, year=year, prefix=prefix)
        if member.id_hash in seen:
            raise ValidationError({prefix + "id_number": _("同一人在本户中重复登记。")}, code="duplicate_person")
        seen.add(member.id_hash)
    _refresh_household_counts(household)
    HouseholdYear.objects.create(household=household, year=year, size=household.member_count)
    HouseholdStatusChange.objects.create(
        household=household,
        year=ident_year,
        date=timezone.localdate(),
        from_status="",
        to_status=c.HouseholdStatus.POOR,
        reason=_("识别为建档立卡户"),
        actor_name=actor.username,
    )
    audit.record(
        actor,
        "household.create",
        obj=household,
        summary=f"登记建档立卡户 {household.number}（{household.member_count}人）",
        changes={"household": snapshot(household), "members": household.member_count},
    )
    return household


@transaction.atomic
def update_household(
    household: Household, *, actor: Any, expected_version: int | None = None, **fields: Any
) -> Household:
    """Edit header fields (A1–A3, contacts). ``expected_version`` refuses edits of a stale copy."""
    _require(actor, Capability.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    check_version(household, expected_version)
    unknown = set(fields) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError({k: _("不能修改此字段。") for k in unknown})
    before = snapshot(household)
    if "main_cause" in fields or "other_causes" in fields:
        main, o1, o2 = check_causes(
            fields.get("main_cause", household.main_cause), fields.get("other_causes", household.other_causes)
        )
        household.main_cause, household.other_cause_1, household.other_cause_2 = main, o1, o2
    if "identification_year" in fields:
        household.identification_year = _check_year(fields["identification_year"])
    if "identification_standard" in fields:
        household.identification_standard = check_choice(
            "identification_standard", fields["identification_standard"], c.IdentificationStandard, _("识别标准")
        )
    if "category" in fields:
        household.category = check_choice("category", fields["category"], c.HouseholdCategory, _("贫困户属性"))
    for name, size in (("group", 32), ("address", 200), ("bank_name", 64)):
        if name in fields:
            setattr(household, name, str(fields[name] or "")[:size])
    _protected_contacts(fields, household)
    changes = diff(before, snapshot(household))
    if not changes:
        return household
    household.version = F("version") + 1
    household.save()
    household.refresh_from_db()
    audit.record(actor, "household.update", obj=household, summary=f"修改户 {household.number}", changes=changes)
    return household


@transaction.atomic
def move_household(household: Household, *, actor: Any, village: Region | str) -> Household:
    """Move a household to another village; both villages must be inside the actor's jurisdiction."""
    _require(actor, Capability.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    region = _village(village)
    check_in_jurisdiction(actor, region.code)
    old = household.village_id
    household.village = region
    household.version = F("version") + 1
    household.save(update_fields=["village", "version", "updated_at"])
    household.refresh_from_db()
    audit.record(
        actor,
        "household.move",
        obj=household,
        summary=f"户 {household.number} 迁至 {region.name}",
        changes={"village": [old, region.code]},
    )
    return household


@transaction.atomic
def add_member(household: Household, *, actor: Any, year: int, **data: Any) -> Member:
    """Add a member (birth, marriage, return) with the year's facts."""
    _require(actor, Capability.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    year = _check_year(year)
    member = _new_member(household, data, actor=actor, year=year)
    _check_one_head(household)
    _refresh_household_counts(household)
    HouseholdYear.objects.filter(household=household, year=year).update(size=household.member_count)
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
    audit.record(
        actor,
        "member.add",
        obj=member,
        region_code=household.village_id,
        summary=f"户 {household.number} 新增成员 {member.name}",
        changes={"member": snapshot(member)},
    )
    return member


@transaction.atomic
def update_member(member: Member, *, actor: Any, year: int | None = None, **data: Any) -> Member:
    """Correct a member's identity fields and/or set that year's facts (when ``year`` is given)."""
    _require(actor, Capability.EDIT_REGISTRY)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_in_jurisdiction(actor, member.household.village_id)
    before = snapshot(member)
    if any(k in data for k in ("id_number", "gender", "birth_date", "name")):
        ident = {
            "name": data.get("name", member.name),
            "id_number": data.get("id_number") or decrypt(member.id_enc),
            "gender": data.get("gender"),
            "birth_date": data.get("birth_date"),
        }
        parsed, id_hash = check_member_identity(ident)
        if id_hash != member.id_hash and Member.objects.filter(id_hash=id_hash, is_current=True).exists():
            raise ValidationError({"id_number": _("此人已在其他户中登记。")}, code="duplicate_person")
        member.name = str(ident["name"]).strip()
        if id_hash != member.id_hash:  # re-encrypt only a changed number (the mask records the change)
            member.id_enc, member.id_hash, member.id_mask = encrypt(parsed.number), id_hash, mask_id(parsed.number)
        member.gender, member.birth_date = parsed.gender, parsed.birth_date
    if "relation" in data:
        member.relation = check_choice("relation", data["relation"], c.Relation, _("与户主关系"))
    if "ethnicity" in data:
        member.ethnicity = check_choice("ethnicity", data["ethnicity"], c.Ethnicity, _("民族"))
    member.save()
    _check_one_head(member.household)
    changes = diff(before, snapshot(member))
    if year is not None:
        year_changes = _upsert_member_year(member, _check_year(year), data)
        if year_changes:
            changes[f"year_{year}"] = year_changes
    if not changes:
        return member
    _refresh_household_counts(member.household)
    Household.objects.filter(pk=member.household_id).update(version=F("version") + 1)
    audit.record(
        actor,
        "member.update",
        obj=member,
        region_code=member.household.village_id,
        summary=f"修改成员 {member.name}",
        changes=changes,
    )
    return member


def _upsert_member_year(member: Member, year: int, data: dict[str, Any]) -> dict[str, Any]:
    facts = _clean_member_year(data)
    row = MemberYear.objects.filter(member=member, year=year).first()
    if row is None:
        row = MemberYear(
            member=member, household=member.household, year=year, **_default_member_year(member.birth_date, year)
        )
    before = snapshot(row, list(MEMBER_YEAR_FIELDS))
    for k, v in facts.items():
        setattr(row, k, v)
    row.save()
    return diff(before, snapshot(row, list(MEMBER_YEAR_FIELDS)))


@transaction.atomic
def set_member_year(member: Member, *, actor: Any, year: int, **facts: Any) -> MemberYear:
    """Record a member's facts for a year (schooling, health, labour, work, insurance)."""
    _require(actor, Capability.EDIT_REGISTRY)
    member = Member.objects.select_related("household").get(pk=member.pk)
    check_in_jurisdiction(actor, member.household.village_id)
    year = _check_year(year)
    unknown = set(facts) - set(MEMBER_YEAR_FIELDS)
    if unknown:
        raise ValidationError({k: _("不能设置此字段。") for k in unknown})
    changes = _upsert_member_year(member, year, facts)
    if changes:
        audit.record(
            actor,
            "member.set_year",
            obj=member,
            region_code=member.household.village_id,
            summary=f"{member.name} {year}年度信息",
            changes=changes,
        )
    return MemberYear.objects.get(member=member, year=year)


@transaction.atomic
def remove_member(member: Member, *, actor: Any, reason: str, date: dt.date) -> Member:
    """Mark a member deceased or moved out; the record stays for history. The head cannot be removed
    until another member is made head."""
    _require(actor, Capability.EDIT_REGISTRY)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_in_jurisdiction(actor, member.household.village_id)
    if not member.is_current:
        raise ValidationError(_("该成员已不在册。"))
    if member.relation == c.Relation.HEAD:
        raise ValidationError({"relation": _("户主不能直接减员，请先变更户主。")}, code="head_count")
    if date > timezone.localdate() or date < member.birth_date:
        raise ValidationError({"date": _("日期不合理。")})
    if reason == "deceased":
        member.deceased_on = date
    elif reason == "moved_out":
        member.moved_out_on = date
    else:
        raise ValidationError({"reason": _("减员原因应为死亡或迁出。")})
    member.is_current = False
    member.save()
    _refresh_household_counts(member.household)
    Household.objects.filter(pk=member.household_id).update(version=F("version") + 1)
    audit.record(
        actor,
        "member.remove",
        obj=member,
        region_code=member.household.village_id,
        summary=f"成员 {member.name} {'死亡' if reason == 'deceased' else '迁出'}",
        changes={"reason": reason, "date": date.isoformat()},
    )
    return member


def _net_per_capita(row: HouseholdYear) -> None:
    row.net_income = (row.total_income - row.business_expenses).quantize(Decimal("0.01"))
    size = row.size or 0
    row.net_income_per_capita = (
        (row.net_income / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if size else Decimal("0.00")
    )


@transaction.atomic
def set_household_year(household: Household, *, actor: Any, year: int, **facts: Any) -> HouseholdYear:
    """Record a household's facts for a year; net income and its per-capita value are computed here
    (A19 = A17 − A18; A20 = A19 ÷ household size)."""
    _require(actor, Capability.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    year = _check_year(year)
    unknown = set(facts) - set(HOUSEHOLD_YEAR_FIELDS) - {"size"}
    if unknown:
        raise ValidationError({k: _("不能设置此字段。") for k in unknown})
    row = HouseholdYear.objects.filter(household=household, year=year).first() or HouseholdYear(
        household=household, year=year, size=household.member_count
    )
    before = snapshot(row)
    for name, value in facts.items():
        setattr(row, name, household_year_value(name, value))
    if row.size < 1:
        raise ValidationError({"size": _("家庭人口为0，无法计算人均纯收入：请先登记家庭成员。")})
    check_household_year({name: getattr(row, name) for name in HOUSEHOLD_YEAR_FIELDS})
    _net_per_capita(row)
    row.save()
    changes = diff(before, snapshot(row))
    if changes:
        audit.record(
            actor, "household.set_year", obj=household, summary=f"户 {household.number} {year}年度信息", changes=changes
        )
    return row


@transaction.atomic
def change_status(
    household: Household, *, actor: Any, to_status: str, year: int, reason: str, date: dt.date | None = None
) -> Household:
    """Move a household along its status history (e.g. poor → exited), refusing impossible steps.

    The procedures of issue 5 (two notices and an announcement) call this at their last step.
    """
    _require(actor, Capability.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    to_status = check_choice("to_status", to_status, c.HouseholdStatus, _("状态"))
    year = _check_year(year)
    if to_status not in c.STATUS_TRANSITIONS[household.status]:
        raise ValidationError(
            {
                "to_status": _("不能从“%(a)s”变为“%(b)s”。")
                % {"a": c.HouseholdStatus(household.status).label, "b": c.HouseholdStatus(to_status).label}
            },
            code="bad_transition",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("请填写状态变更原因。")})
    old = household.status
    HouseholdStatusChange.objects.create(
        household=household,
        year=year,
        date=date or timezone.localdate(),
        from_status=old,
        to_status=to_status,
        reason=reason.strip()[:200],
        actor_name=actor.username,
    )
    household.status, household.status_year = to_status, year
    household.version = F("version") + 1
    household.save(update_fields=["status", "status_year", "version", "updated_at"])
    household.refresh_from_db()
    audit.record(
        actor,
        "household.status",
        obj=household,
        summary=f"户 {household.number} {reason.strip()[:80]}",
        changes={"status": [old, to_status], "year": year},
    )
    return household


@transaction.atomic
def reveal_id_number(member: Member, *, actor: Any, reason: str) -> str:
    """The plaintext ID number, for a role allowed to see it, with a stated reason — logged."""
    _require(actor, Capability.VIEW_PLAINTEXT_ID)
    member = Member.objects.select_related("household").get(pk=member.pk)
    check_in_jurisdiction(actor, member.household.village_id)
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("查看完整身份证号须填写事由。")})
    audit.record(
        actor,
        "member.reveal_id",
        obj=member,
        region_code=member.household.village_id,
        summary=f"查看 {member.name} 的完整身份证号：{reason.strip()[:100]}",
    )
    return decrypt(member.id_enc)
