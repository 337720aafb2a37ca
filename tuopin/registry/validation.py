"""Validation of registry input shared by forms, the API, imports and the CLI.

Each check raises ``ValidationError`` keyed by the field, with a Chinese message a clerk can act
on; the actions call these before writing anything, inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import ParsedID, parse_id_number

from . import choices as c

__all__ = [
    "check_choice",
    "check_member_identity",
    "check_causes",
    "to_money",
    "MEMBER_YEAR_FIELDS",
    "HOUSEHOLD_YEAR_FIELDS",
]

MEMBER_YEAR_FIELDS = (
    "education",
    "school_status",
    "health",
    "disability_category",
    "disability_grade",
    "labour",
    "migrant_work",
    "migrant_months",
    "dibao",
    "tekun",
    "medical_insured",
    "pension_insured",
)
MEMBER_YEAR_CHOICES = {
    "education": c.Education,
    "school_status": c.SchoolStatus,
    "health": c.Health,
    "disability_category": c.DisabilityCategory,
    "disability_grade": c.DisabilityGrade,
    "labour": c.LabourSkill,
    "migrant_work": c.MigrantWork,
}
INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "business_expenses",
    "rigid_spending",
)
HOUSEHOLD_YEAR_FIELDS = (
    *INCOME_FIELDS,
    "food_clothing_secure",
    "housing_area",
    "housing_structure",
    "housing_built_year",
    "housing_safety",
    "housed_otherwise",
    "relocated",
    "water_source",
    "water_litres_per_day",
    "water_quality_ok",
    "water_piped",
    "water_trip_minutes",
    "water_horizontal_m",
    "water_vertical_m",
    "water_shortage_days",
    "arable_land_mu",
    "irrigated_land_mu",
    "forest_land_mu",
    "grassland_mu",
    "water_surface_mu",
    "has_electricity",
    "fuel",
    "road_type",
    "sanitary_toilet",
    "km_to_main_road",
)
HOUSEHOLD_YEAR_CHOICES = {
    "housing_structure": c.HousingStructure,
    "housing_safety": c.HousingSafety,
    "water_source": c.WaterSource,
    "fuel": c.Fuel,
    "road_type": c.RoadType,
}
MAX_INCOME = Decimal("10000000")  # ¥1000万 a year is a typing error in a poor household's record


def check_choice(field: str, value: Any, choices: type, label: str, *, blank: bool = False) -> str:
    """The value as a code of ``choices``; refuse an unknown code naming the field."""
    code = "" if value is None else str(value).strip()
    if code == "" and blank:
        return ""
    if code not in choices.values:
        raise ValidationError(
            {field: _("%(label)s的代码“%(code)s”不在国家代码表中。") % {"label": label, "code": code}},
            code="unknown_code",
        )
    return code


def check_member_identity(data: dict[str, Any], *, field_prefix: str = "") -> tuple[ParsedID, str]:
    """Validate a member's ID number and cross-check the entered gender and birth date with it.

    Returns the parsed ID and its lookup hash.
    """
    f = field_prefix
    try:
        parsed = parse_id_number(str(data.get("id_number") or ""))
    except ValidationError as exc:
        raise ValidationError({f"{f}id_number": exc.messages}) from None
    errors: dict[str, str] = {}
    gender = data.get("gender")
    if gender not in (None, "") and str(gender) != parsed.gender:
        errors[f"{f}gender"] = _("性别与公民身份号码不符（号码显示为%(g)s）。") % {"g": c.Gender(parsed.gender).label}
    birth = data.get("birth_date")
    if birth not in (None, ""):
        if isinstance(birth, str):
            try:
                birth = dt.date.fromisoformat(birth)
            except ValueError:
                errors[f"{f}birth_date"] = _("出生日期格式应为YYYY-MM-DD。")
                birth = None
        if birth is not None and birth != parsed.birth_date:
            errors[f"{f}birth_date"] = _("出生日期与公民身份号码不符（号码显示为%(d)s）。") % {
                "d": parsed.birth_date.isoformat()
            }
    if not str(data.get("name") or "").strip():
        errors[f"{f}name"] = _("请填写姓名。")
    if errors:
        raise ValidationError(errors)
    return parsed, lookup_hash(parsed.number)


def check_causes(main: Any, others: list[Any]) -> tuple[str, str, str]:
    """A3: one main cause (required) and at most two other causes, all different."""
    if main in (None, ""):
        raise ValidationError({"main_cause": _("请选择主要致贫原因。")}, code="required")
    main = check_choice("main_cause", main, c.PovertyCause, _("主要致贫原因"))
    other = [check_choice("other_causes", o, c.PovertyCause, _("其他致贫原因")) for o in others if o not in (None, "")]
    if len(other) > 2:
        raise ValidationError({"other_causes": _("其他致贫原因最多选择两项。")})
    if main in other or len(set(other)) != len(other):
        raise ValidationError({"other_causes": _("其他致贫原因不能与主要致贫原因重复，也不能重复选择。")})
    other += ["", ""]
    return main, other[0], other[1]


def to_money(field: str, value: Any, label: str) -> Decimal:
    """A non-negative amount in yuan with two decimals; refuses text, negatives and absurd sizes."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValidationError({field: _("%(label)s应为金额（元），如 1234.50。") % {"label": label}}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("%(label)s应为金额（元），如 1234.50。") % {"label": label}})
    if amount < 0:
        raise ValidationError({field: _("%(label)s不能为负数。") % {"label": label}})
    if amount > MAX_INCOME:
        raise ValidationError({field: _("%(label)s超出合理范围，请核对单位是否为元。") % {"label": label}})
    return amount.quantize(Decimal("0.01"))
