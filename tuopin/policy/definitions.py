"""The standards tuopin knows about: their names, kinds and units (the *values* are data, never here).

A standard's value is stored as text in ``Standard.value`` and parsed by its kind. Adding a new
standard means adding a definition here and rows in a standards file; the engine reads values only
through ``tuopin.policy.resolve``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["StandardDef", "DEFINITIONS", "parse_value"]


@dataclass(frozen=True)
class StandardDef:
    """What a standard is: its code name, Chinese label, value kind and unit."""

    name: str
    label: str
    kind: str  # money | ratio | int | text | month_day | bool
    unit: str = ""
    help: str = ""


DEFINITIONS: dict[str, StandardDef] = {
    d.name: d
    for d in [
        StandardDef("poverty_line", _("扶贫标准（贫困线）"), "money", _("元/人·年"), _("年人均纯收入，现价")),
        StandardDef("dibao_standard", _("农村低保标准"), "money", _("元/人·年")),
        StandardDef("monitoring_line", _("防返贫监测收入线"), "money", _("元/人·年")),
        StandardDef(
            "stable_income_margin",
            _("收入稳定余量"),
            "ratio",
            "",
            _("退出时人均纯收入须高于贫困线的比例余量（0 表示高于贫困线即可）"),
        ),
        StandardDef("school_age_min", _("义务教育起始年龄"), "int", _("周岁")),
        StandardDef("school_age_max", _("义务教育截止年龄"), "int", _("周岁")),
        StandardDef("school_cutoff", _("入学年龄计算截止日"), "month_day", "", _("如 08-31：按当年该日的周岁计算")),
        StandardDef("water_litres_min", _("人均日供水量下限"), "int", _("升/人·日")),
        StandardDef("water_trip_minutes_max", _("取水往返时间上限"), "int", _("分钟")),
        StandardDef("water_horizontal_m_max", _("取水水平距离上限"), "int", _("米")),
        StandardDef("water_vertical_m_max", _("取水垂直距离上限"), "int", _("米")),
        StandardDef("water_shortage_days_max", _("年缺水天数上限"), "int", _("天")),
        StandardDef("housing_safe_grades", _("安全住房等级"), "text", "", _("逗号分隔，如 A,B")),
        StandardDef("homeless_housed_is_safe", _("无房户妥善安置视为住房安全"), "bool"),
        StandardDef("medical_selfpay_cap", _("医疗个人自付比例上限"), "ratio"),
        StandardDef("village_exit_incidence_max", _("贫困村退出贫困发生率上限"), "ratio"),
        StandardDef("county_exit_incidence_max", _("贫困县退出贫困发生率上限"), "ratio"),
        StandardDef("income_drop_ratio", _("收入骤减监测比例"), "ratio", "", _("人均纯收入比上年下降超过此比例即预警")),
        StandardDef(
            "rigid_spending_ratio",
            _("刚性支出监测比例"),
            "ratio",
            "",
            _("因病因灾因意外刚性支出超过上年家庭纯收入的此倍数即预警"),
        ),
        StandardDef(
            "loan_rate_denominator",
            _("户贷率分母"),
            "text",
            "",
            _("registered = 建档立卡户数；with_labour = 有劳动能力户数"),
        ),
        StandardDef("loan_max_amount", _("扶贫小额信贷额度上限"), "money", _("元")),
        StandardDef("loan_max_years", _("扶贫小额信贷期限上限"), "int", _("年")),
        StandardDef("yulu_subsidy_per_term", _("雨露计划每学期补助"), "money", _("元/人·学期")),
        StandardDef("payment_max_amount", _("单笔资金发放上限"), "money", _("元"), _("超过此金额的单笔发放不予受理")),
        StandardDef("notice_days_min", _("公示期最短天数"), "int", _("天"), _("公示起止日期含首尾计算")),
        StandardDef("township_verifiers_min", _("乡镇入户核实最少人数"), "int", _("人")),
        StandardDef("upload_max_mb", _("程序附件大小上限"), "int", _("MB")),
    ]
}


def parse_value(name: str, raw: str) -> object:
    """Parse a stored value by its definition's kind; raise ``ValidationError`` (Chinese) when malformed."""
    definition = DEFINITIONS.get(name)
    if definition is None:
        raise ValidationError({"name": _("未知的标准名称“%(n)s”。") % {"n": name}})
    text = str(raw).strip()
    try:
        if definition.kind in ("money", "ratio"):
            value = Decimal(text)
            if not value.is_finite() or value < 0:
                raise InvalidOperation
            if definition.kind == "ratio" and value > 10:
                raise InvalidOperation
            return value
        if definition.kind == "int":
            value = int(text)
            if value < 0:
                raise ValueError
            return value
        if definition.kind == "month_day":
            month, day = (int(x) for x in text.split("-"))
            dt.date(2000, month, day)  # 2000 is a leap year: 02-29 is allowed
            return f"{month:02d}-{day:02d}"
        if definition.kind == "bool":
            if text.lower() not in {"0", "1", "true", "false"}:
                raise ValueError
            return text.lower() in {"1", "true"}
        if not text:
            raise ValueError
        return text
    except (InvalidOperation, ValueError, ArithmeticError):
        raise ValidationError(
            {"value": _("“%(v)s”不是%(label)s的有效取值。") % {"v": text, "label": definition.label}}
        ) from None
