"""Validation of registry input shared by forms, the API, imports and the CLI.

Each check raises ``ValidationError`` keyed by the field, with a Chinese message a clerk can act
on; the actions call these before writing anything, inside their transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import ParsedID, parse_id_number

from . import choices as c
from .models import HouseholdYear

__all__ = [
    "check_choice",
    "check_member_identity",
    "check_causes",
    "to_money",
    "to_bool",
    "household_year_value",
    "check_household_year",
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


TRUE_WORDS = frozenset({"是", "有", "1", "y", "yes", "true", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "0", "n", "no", "false", "×"})
# Words a clerk writes in one particular yes/no column of the form.
BOOL_WORDS: dict[str, dict[str, bool]] = {
    "water_quality_ok": {"达标": True, "合格": True, "不达标": False, "不合格": False},
    "water_piped": {"入户": True, "已入户": True, "未入户": False},
    "has_electricity": {"通": True, "已通": True, "通电": True, "未通": False, "不通": False, "未通电": False},
    "food_clothing_secure": {"不愁": True, "愁": False},
    "relocated": {"已搬迁": True, "未搬迁": False},
    "sanitary_toilet": {"已改厕": True, "未改厕": False},
}
# Upper bounds the database types impose (and one below them that no real household exceeds).
_INT_MAX = {"PositiveSmallIntegerField": 32767, "PositiveIntegerField": 2147483647}
MAX_SHORTAGE_DAYS = 366


def to_bool(field: str, value: Any, label: str, *, nullable: bool = False) -> bool | None:
    """是/否 and their usual spellings (and ``True``/``False``, 1/0); anything else is refused, never guessed.

    A blank is ``None`` for a field that may be unknown (``nullable``), else "no".
    """
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None if nullable else False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    extra = BOOL_WORDS.get(field, {})
    if word in extra:
        return extra[word]
    raise ValidationError(
        {field: _("%(label)s应填“是”或“否”，现为“%(v)s”。") % {"label": label, "v": str(value)[:20]}}, code="not_bool"
    )


def household_year_value(name: str, value: Any) -> Any:
    """One fact of ``set_household_year`` as it is stored: amounts, codes, yes/no, counts and areas.

    Raises ``ValidationError`` keyed by the field, in Chinese. The import calls this once per distinct
    cell value of a column, so the action and the import accept and refuse exactly the same values.
    """
    field = HouseholdYear._meta.get_field(name)
    label = str(field.verbose_name)
    kind = field.get_internal_type()
    if name in INCOME_FIELDS:
        return to_money(name, value, label)
    if name in HOUSEHOLD_YEAR_CHOICES:
        return check_choice(name, value, HOUSEHOLD_YEAR_CHOICES[name], label, blank=True)
    if kind == "BooleanField":
        return to_bool(name, value, label, nullable=field.null)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if kind == "DecimalField":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValidationError(
                {name: _("%(label)s应为数字，现为“%(v)s”。") % {"label": label, "v": text[:20]}}
            ) from None
        if not number.is_finite():
            raise ValidationError({name: _("%(label)s应为数字，现为“%(v)s”。") % {"label": label, "v": text[:20]}})
        # As the database column would round it (Django's DecimalField), so both paths store the same.
        number = number.quantize(Decimal(1).scaleb(-field.decimal_places))
        top = Decimal(10) ** (field.max_digits - field.decimal_places)
    else:
        try:
            number = int(text) if not isinstance(value, int) else value
        except ValueError:
            raise ValidationError(
                {name: _("%(label)s应为整数，现为“%(v)s”。") % {"label": label, "v": text[:20]}}
            ) from None
        top = _INT_MAX.get(kind, 2147483647) + 1
    if number < 0:
        raise ValidationError({name: _("%(label)s不能为负数。") % {"label": label}}, code="negative")
    if number >= top:
        raise ValidationError({name: _("%(label)s%(v)s超出合理范围，请核对单位。") % {"label": label, "v": text[:20]}})
    if name == "housing_built_year" and not 1900 <= number <= timezone.localdate().year:
        raise ValidationError(
            {name: _("建房年份应在1900年至%(y)d年之间，现为%(v)s。") % {"y": timezone.localdate().year, "v": number}}
        )
    if name == "water_shortage_days" and number > MAX_SHORTAGE_DAYS:
        raise ValidationError({name: _("年缺水天数不能超过366天，现为%(v)s。") % {"v": number}})
    return number


def check_household_year(facts: dict[str, Any]) -> None:
    """Rules across a year's facts (after each value passed :func:`household_year_value`)."""
    if facts.get("housing_safety") == c.HousingSafety.NONE and facts.get("housing_area"):
        raise ValidationError({"housing_area": _("无房户的住房面积应填0。")})
