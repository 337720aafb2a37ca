"""Explaining a determination (in the reader's language; the CLI's is Chinese): each indicator, the numbers behind it, the standards used.

The explanation is composed from the stored determination and the frozen rule set of its run, so
it tells why the decision was made *then*, whatever the facts or standards are today.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tuopin.policy.definitions import DEFINITIONS
from tuopin.policy.resolve import Resolver
from tuopin.registry.models import Household

from .choices import INDICATORS, MONITOR_LABELS, CannotReason, ExitBlock, Result
from .models import Determination

__all__ = ["explain", "explain_text", "latest_determination"]


def latest_determination(household: Household, year: int) -> Determination | None:
    """The household's determination in the most recent finished run for the year."""
    return (
        Determination.objects.filter(household=household, year=year, run__status="done")
        .select_related("run", "run__ruleset")
        .order_by("-run_id")
        .first()
    )


def _yuan(value: Any) -> str:
    return "—" if value is None else _("%(v)s元") % {"v": f"{value:,.2f}"}


def _reason(name: str, d: Determination, std: dict[str, Any]) -> str:
    result = Result(getattr(d, name))
    if d.cannot_reason:
        return str(CannotReason(d.cannot_reason).label)
    if name == "income":
        if d.net_income_per_capita is None or d.poverty_line is None:
            return _("缺少人均纯收入或扶贫标准")
        cmp = "≥" if result == Result.PASS else "<"
        text = _("人均纯收入%(income)s %(cmp)s 扶贫标准%(line)s") % {
            "income": _yuan(d.net_income_per_capita),
            "cmp": cmp,
            "line": _yuan(d.poverty_line),
        }
        dibao = std.get("dibao_standard")
        if dibao is not None:
            if dibao >= d.poverty_line:
                text += _("；低保标准%(v)s，两线合一已实现") % {"v": _yuan(dibao)}
            else:
                text += _("；低保标准%(v)s，两线合一未实现") % {"v": _yuan(dibao)}
        return text
    if name == "food":
        return _("吃穿不愁") if result == Result.PASS else _("登记为吃穿有困难")
    if name == "education":
        age = _("%(a)s至%(b)s周岁（按当年%(c)s计）") % {
            "a": std.get("school_age_min"),
            "b": std.get("school_age_max"),
            "c": std.get("school_cutoff"),
        }
        if result == Result.CANNOT:
            return _("%(n)s名义务教育阶段成员缺少在校情况；义务教育年龄%(age)s") % {
                "n": d.members_unknown_school,
                "age": age,
            }
        if d.children_school_age == 0:
            return _("无义务教育阶段成员（%(age)s）") % {"age": age}
        return _("义务教育阶段成员%(n)s人，失学辍学%(out)s人（%(age)s）") % {
            "n": d.children_school_age,
            "out": d.children_out_of_school,
            "age": age,
        }
    if name == "medical":
        problems = []
        if d.members_uninsured:
            problems.append(_("%(n)s名成员未参加基本医疗保险") % {"n": d.members_uninsured})
        if d.members_over_selfpay_cap:
            cap = std.get("medical_selfpay_cap")
            problems.append(
                _("%(n)s名成员当年医疗费用个人自付比例超过%(cap)s")
                % {"n": d.members_over_selfpay_cap, "cap": f"{cap:.0%}"}
                if cap is not None
                else _("%(n)s名成员医疗个人自付比例超过上限") % {"n": d.members_over_selfpay_cap}
            )
        if problems:
            return _("；").join(problems)
        return _("%(n)s名成员均参加基本医疗保险，自付比例未超上限") % {"n": d.members}
    if name == "housing":
        grades = std.get("housing_safe_grades") or "—"
        if not d.housing_grade:
            return _("缺少住房安全等级")
        label = _("无房户") if d.housing_grade == "N" else _("%(g)s级") % {"g": d.housing_grade}
        text = _("住房%(label)s；安全等级为%(grades)s") % {"label": label, "grades": grades}
        if d.housing_grade == "N" and result == Result.PASS:
            text += _("（无房户已妥善安置）")
        return text
    if name == "water":
        parts = []
        for flag, label in (
            ("water_quantity_ok", _("水量")),
            ("water_quality_ok", _("水质")),
            ("water_convenience_ok", _("取水方便程度")),
            ("water_guarantee_ok", _("供水保障率")),
        ):
            value = getattr(d, flag)
            state = _("未知") if value is None else (_("达标") if value else _("不达标"))
            parts.append(_("%(label)s%(state)s") % {"label": label, "state": state})
        limits = _(
            "（水量≥%(litres)s升/人·日；往返≤%(minutes)s分钟或水平≤%(h)s米或垂直≤%(v)s米；年缺水≤%(days)s天）"
        ) % {
            "litres": std.get("water_litres_min"),
            "minutes": std.get("water_trip_minutes_max"),
            "h": std.get("water_horizontal_m_max"),
            "v": std.get("water_vertical_m_max"),
            "days": std.get("water_shortage_days_max"),
        }
        return _("，").join(parts) + limits
    return ""


def explain(d: Determination) -> dict[str, Any]:
    """Structured explanation of one determination (for pages, the API and the CLI)."""
    resolver = Resolver(d.run.ruleset.content["standards"])
    std = resolver.values_for(d.village_code, d.year)
    used = {
        name: {"label": str(DEFINITIONS[name].label), "value": str(value), "unit": str(DEFINITIONS[name].unit)}
        for name, value in std.items()
        if value is not None
    }
    return {
        "household_id": d.household_id,
        "year": d.year,
        "run": d.run_id,
        "ruleset": d.run.ruleset.label,
        "status": d.status,
        "indicators": [
            {
                "name": name,
                "label": str(label),
                "result": str(Result(getattr(d, name)).label),
                "passed": getattr(d, name) == Result.PASS,
                "reason": _reason(name, d, std),
            }
            for name, label in INDICATORS
        ],
        "meets_standard": d.meets_standard,
        "exit_eligible": d.exit_eligible,
        "exit_block": str(ExitBlock(d.exit_block).label),
        "monitoring": [str(label) for flag, label in MONITOR_LABELS.items() if d.monitor_flags & int(flag)],
        "standards": used,
        "input_hash": d.input_hash,
    }


def explain_text(target: str, year: int) -> str | None:
    """Plain-text explanation for the CLI; ``target`` is a household number or id."""
    household = Household.objects.filter(number=target).first() or (
        Household.objects.filter(pk=target).first() if str(target).isdigit() else None
    )
    if household is None:
        return None
    d = latest_determination(household, year)
    if d is None:
        return None
    e = explain(d)
    lines = [
        f"户 {household.number}（户主 {household.head_name}）{year}年评估 — 批次 #{e['run']}，{e['ruleset']}",
        f"年末状态：{household.get_status_display() if household.status == e['status'] else e['status']}",
    ]
    for item in e["indicators"]:
        mark = "✓" if item["passed"] else ("?" if item["result"] == str(Result.CANNOT.label) else "✗")
        lines.append(f"  {mark} {item['label']}：{item['result']} — {item['reason']}")
    lines.append(
        f"达到退出标准：{'是' if e['meets_standard'] else '否'}；可退出：{'是' if e['exit_eligible'] else '否'}"
        + ("" if e["exit_eligible"] else f"（{e['exit_block']}）")
    )
    if e["monitoring"]:
        lines.append("监测预警：" + "、".join(e["monitoring"]))
    lines.append("所用标准：" + "；".join(f"{v['label']} {v['value']}{v['unit']}" for v in e["standards"].values()))
    lines.append(f"输入哈希：{e['input_hash']}")
    return "\n".join(lines)
