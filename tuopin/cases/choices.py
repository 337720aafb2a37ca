"""Code lists of the procedures: case kinds, states, steps and notice kinds, with the transitions allowed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """Which procedure a case follows (domain.md §4.1, §4.2, §2.2)."""

    IDENTIFICATION = "identification", _("贫困户识别")
    EXIT = "exit", _("贫困户退出")
    MONITORING_ENTRY = "monitoring_entry", _("纳入监测")
    MONITORING_EXIT = "monitoring_exit", _("风险消除")
    RELAPSE = "relapse", _("返贫")


class CaseState(models.TextChoices):
    """Where a case stands; named after the last step completed."""

    APPLIED = "applied", _("已申请")
    APPRAISED = "appraised", _("已民主评议")
    NOTICE1 = "notice1", _("村级第一次公示中")
    REVIEWED = "reviewed", _("乡镇已审核")
    NOTICE2 = "notice2", _("村级第二次公示中")
    PROPOSED = "proposed", _("已提出")
    VERIFIED = "verified", _("已入户核实")
    NOTICE = "notice", _("公示中")
    OBJECTED = "objected", _("公示有异议，退回审核")
    APPROVED = "approved", _("县级已审批")
    ANNOUNCED = "announced", _("已公告")
    DONE = "done", _("已办结")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


FINAL_STATES = frozenset({CaseState.DONE, CaseState.REJECTED, CaseState.WITHDRAWN})
NOTICE_STATES = frozenset({CaseState.NOTICE1, CaseState.NOTICE2, CaseState.NOTICE})


class StepKind(models.TextChoices):
    """One recorded step of a case (the timeline)."""

    APPLY = "apply", _("农户申请")
    PROPOSE = "propose", _("提出")
    REPORT = "report", _("发现登记")
    APPRAISE = "appraise", _("民主评议")
    POST_NOTICE = "post_notice", _("张贴公示")
    OBJECTION = "objection", _("公示异议")
    REVIEW = "review", _("乡镇审核")
    VERIFY = "verify", _("入户核实")
    APPROVE = "approve", _("县级审批")
    ANNOUNCE = "announce", _("公告")
    COMPLETE = "complete", _("办结")
    REJECT = "reject", _("不予通过")
    WITHDRAW = "withdraw", _("撤回")
    NOTE = "note", _("备注")


class Decision(models.TextChoices):
    """The decision recorded with a step."""

    NONE = "", _("—")
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")


class Source(models.TextChoices):
    """How a household came to a monitoring or relapse case (domain.md §2.2)."""

    DECLARATION = "declaration", _("农户自主申报")
    SCREENING = "screening", _("基层干部排查")
    ALERT = "alert", _("部门筛查预警")


class MonitorCategory(models.TextChoices):
    """The three categories of 监测对象."""

    UNSTABLE = "unstable", _("脱贫不稳定户")
    EDGE = "edge", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class NoticeKind(models.TextChoices):
    """A posted notice: the two village 公示 of identification, the exit 公示, and the 公告."""

    FIRST = "first", _("第一次公示")
    SECOND = "second", _("第二次公示")
    EXIT = "exit", _("退出公示")
    ANNOUNCEMENT = "announcement", _("公告")


# state → {step: state after}; a step not listed for the case's kind and state is refused.
_IDENT = {
    CaseState.APPLIED: {StepKind.APPRAISE: CaseState.APPRAISED},
    CaseState.APPRAISED: {StepKind.POST_NOTICE: CaseState.NOTICE1},
    CaseState.NOTICE1: {StepKind.REVIEW: CaseState.REVIEWED, StepKind.OBJECTION: CaseState.OBJECTED},
    CaseState.OBJECTED: {StepKind.REVIEW: CaseState.REVIEWED},
    CaseState.REVIEWED: {StepKind.POST_NOTICE: CaseState.NOTICE2},
    CaseState.NOTICE2: {StepKind.APPROVE: CaseState.APPROVED, StepKind.OBJECTION: CaseState.OBJECTED},
    CaseState.APPROVED: {StepKind.POST_NOTICE: CaseState.ANNOUNCED},
    CaseState.ANNOUNCED: {StepKind.COMPLETE: CaseState.DONE},
}
_EXIT = {
    CaseState.PROPOSED: {StepKind.VERIFY: CaseState.VERIFIED},
    CaseState.OBJECTED: {StepKind.VERIFY: CaseState.VERIFIED},
    CaseState.VERIFIED: {StepKind.POST_NOTICE: CaseState.NOTICE},
    CaseState.NOTICE: {StepKind.APPROVE: CaseState.APPROVED, StepKind.OBJECTION: CaseState.OBJECTED},
    CaseState.APPROVED: {StepKind.POST_NOTICE: CaseState.ANNOUNCED},
    CaseState.ANNOUNCED: {StepKind.COMPLETE: CaseState.DONE},
}
# Monitoring and relapse: found → verified → county confirmation (which changes the status).
_SHORT = {
    CaseState.PROPOSED: {StepKind.VERIFY: CaseState.VERIFIED},
    CaseState.VERIFIED: {StepKind.APPROVE: CaseState.DONE},
}
TRANSITIONS: dict[str, dict[str, dict[str, str]]] = {
    CaseKind.IDENTIFICATION: _IDENT,
    CaseKind.EXIT: _EXIT,
    CaseKind.MONITORING_ENTRY: _SHORT,
    CaseKind.MONITORING_EXIT: _SHORT,
    CaseKind.RELAPSE: _SHORT,
}

# The household status each procedure ends in, and the statuses it may start from.
TARGET_STATUS = {
    CaseKind.EXIT: "exited",
    CaseKind.MONITORING_ENTRY: "monitored",
    CaseKind.MONITORING_EXIT: "risk_cleared",
    CaseKind.RELAPSE: "relapsed",
}
START_STATUSES = {
    CaseKind.EXIT: ("poor", "relapsed"),
    CaseKind.MONITORING_ENTRY: ("exited", "risk_cleared"),
    CaseKind.MONITORING_EXIT: ("monitored",),
    CaseKind.RELAPSE: ("exited", "monitored"),
}

# Which notice a case in a given state may be put on.
NOTICE_FOR_STATE = {
    (CaseKind.IDENTIFICATION, CaseState.APPRAISED): NoticeKind.FIRST,
    (CaseKind.IDENTIFICATION, CaseState.REVIEWED): NoticeKind.SECOND,
    (CaseKind.IDENTIFICATION, CaseState.APPROVED): NoticeKind.ANNOUNCEMENT,
    (CaseKind.EXIT, CaseState.VERIFIED): NoticeKind.EXIT,
    (CaseKind.EXIT, CaseState.APPROVED): NoticeKind.ANNOUNCEMENT,
}
