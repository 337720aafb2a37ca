"""Results, block reasons and monitoring triggers of the assessment."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Result(models.IntegerChoices):
    """One indicator's outcome. Stored as a small integer so a million determinations stay small."""

    FAIL = 0, _("未达标")
    PASS = 1, _("达标")
    CANNOT = 2, _("无法评估")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# Indicators, in the order the national checklist reads them: (field, Chinese label).
INDICATORS = (
    ("income", _("收入（人均纯收入稳定超过扶贫标准）")),
    ("food", _("吃穿不愁")),
    ("education", _("义务教育有保障")),
    ("medical", _("基本医疗有保障")),
    ("housing", _("住房安全有保障")),
    ("water", _("饮水安全有保障")),
)


class ExitBlock(models.IntegerChoices):
    """Why a household that is poor this year cannot exit (一出三不出 and failing indicators)."""

    NONE = 0, _("无")
    NOT_POOR = 1, _("非贫困状态，不涉及退出")
    INDICATOR = 2, _("有指标未达标或无法评估")
    NEW_THIS_YEAR = 3, _("当年新识别户，当年不退出")
    RELAPSED_THIS_YEAR = 4, _("当年返贫户，当年不退出")
    UNSTABLE_INCOME = 5, _("收入不稳定（未超过贫困线的稳定余量）")


class Monitor(enum.IntFlag):
    """Monitoring triggers (防返贫监测), combined as bit flags."""

    BELOW_MONITORING_LINE = 1
    RIGID_SPENDING = 2
    INCOME_DROP = 4


MONITOR_LABELS = {
    Monitor.BELOW_MONITORING_LINE: _("人均纯收入低于监测线"),
    Monitor.RIGID_SPENDING: _("刚性支出超过上年家庭纯收入"),
    Monitor.INCOME_DROP: _("人均纯收入大幅下降"),
}


class CannotReason(models.IntegerChoices):
    """Why the household as a whole could not be assessed (0 = it could)."""

    NONE = 0, _("无")
    NO_YEAR_DATA = 1, _("缺少当年户信息")
    NO_MEMBERS = 2, _("当年没有在册家庭成员")
    NO_STANDARD = 3, _("当年没有适用的扶贫标准")
