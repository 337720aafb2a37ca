"""Roles (design.md §2) and what each may do. One role per account, so no account can hold two
of the three system-administration roles (三员分立, security.md §1 访问控制 d)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role; the jurisdiction region says *where*, the role says *what*."""

    CLERK = "clerk", _("信息员")
    REVIEWER = "reviewer", _("乡镇审核员")
    APPROVER = "approver", _("县级审批员")
    LEADER = "leader", _("领导（查看）")
    CADRE = "cadre", _("帮扶责任人")
    INSPECTOR = "inspector", _("巡察员")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")


class Capability(models.TextChoices):
    """Named permissions checked in actions and views (never numeric codes)."""

    VIEW_REGISTRY = "view_registry", _("查看建档立卡信息")
    EDIT_REGISTRY = "edit_registry", _("录入和修改建档立卡信息")
    VIEW_PLAINTEXT_ID = "view_plaintext_id", _("查看完整身份证号")
    VIEW_HEALTH_DETAIL = "view_health_detail", _("查看健康详情")
    VIEW_BANK_ACCOUNT = "view_bank_account", _("查看银行账户信息")
    EXPORT = "export", _("导出数据")
    VIEW_AUDIT = "view_audit", _("查看审计日志")
    MANAGE_ACCOUNTS = "manage_accounts", _("管理账户")
    MANAGE_POLICIES = "manage_policies", _("管理角色和安全策略")
    RUN_ASSESSMENT = "run_assessment", _("运行评估")
    EDIT_STANDARDS = "edit_standards", _("维护政策标准")
    IMPORT = "import", _("导入数据")
    CROSS_CHECK = "cross_check", _("部门数据比对")
    EDIT_PROGRAMMES = "edit_programmes", _("录入帮扶项目和措施")
    MAKE_PAYMENTS = "make_payments", _("编制资金发放批次")
    CHECK_PAYMENTS = "check_payments", _("审核资金发放批次和对账")
    # Procedures (issue 5): the village proposes, the township reviews, the county approves.
    HANDLE_CASE = "handle_case", _("发起和办理识别、退出、监测程序")
    REVIEW_CASE = "review_case", _("乡镇审核、入户核实")
    APPROVE_CASE = "approve_case", _("县级审批、确认")
    EDIT_ASSISTANCE = "edit_assistance", _("维护帮扶责任、结对和走访")
    EDIT_SUPERVISION = "edit_supervision", _("录入巡察发现、问责和表彰")
    RECTIFY = "rectify", _("填报整改情况")


C = Capability
_REGISTRY = {C.VIEW_REGISTRY, C.EDIT_REGISTRY, C.EXPORT, C.VIEW_BANK_ACCOUNT}
# What each role may do. Villages record; townships review, make payment batches and verify; counties
# approve, check payments and set their standards; the city leads and inspects. Maker ≠ checker is also
# enforced per payment batch, so two county approvers can make and check each other's batches.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset(_REGISTRY | {C.IMPORT, C.EDIT_PROGRAMMES, C.HANDLE_CASE, C.EDIT_ASSISTANCE}),
    Role.REVIEWER: frozenset(
        _REGISTRY
        | {C.RUN_ASSESSMENT, C.IMPORT, C.CROSS_CHECK, C.EDIT_PROGRAMMES, C.MAKE_PAYMENTS}
        | {C.HANDLE_CASE, C.REVIEW_CASE, C.EDIT_ASSISTANCE, C.RECTIFY}
    ),
    Role.APPROVER: frozenset(
        _REGISTRY
        | {C.VIEW_PLAINTEXT_ID, C.VIEW_HEALTH_DETAIL, C.RUN_ASSESSMENT, C.EDIT_STANDARDS, C.IMPORT, C.CROSS_CHECK}
        | {C.EDIT_PROGRAMMES, C.MAKE_PAYMENTS, C.CHECK_PAYMENTS}
        | {C.HANDLE_CASE, C.REVIEW_CASE, C.APPROVE_CASE, C.EDIT_ASSISTANCE, C.RECTIFY}
    ),
    Role.LEADER: frozenset({C.VIEW_REGISTRY, C.EXPORT, C.EDIT_ASSISTANCE}),
    # A cadre records own visits and screens households for monitoring (基层干部排查).
    Role.CADRE: frozenset({C.VIEW_REGISTRY, C.HANDLE_CASE, C.EDIT_ASSISTANCE}),
    # Inspectors record findings and close them (销号); the responsible township/county rectify.
    # Inspectors follow the money (shared accounts, payments into the wrong account), so they see account masks.
    Role.INSPECTOR: frozenset(
        {C.VIEW_REGISTRY, C.EXPORT, C.VIEW_AUDIT, C.CROSS_CHECK, C.EDIT_SUPERVISION, C.VIEW_BANK_ACCOUNT}
    ),
    # 三员: no business data at all.
    Role.SYSADMIN: frozenset({C.MANAGE_ACCOUNTS}),
    Role.SECADMIN: frozenset({C.MANAGE_POLICIES}),
    Role.AUDITADMIN: frozenset({C.VIEW_AUDIT}),
}

# Field-level rules (security.md §2.3; 等保 访问控制 g, labels on important objects): a field named here
# reaches only roles holding its capability. Without it the field is null in every API response (at any
# depth, audit ``changes`` included; tuopin.core.api.FieldRulesJSONRenderer), and pages and exports leave
# it out. Leaders and cadres see no bank accounts; only roles with VIEW_HEALTH_DETAIL see disability
# detail (others see the health status: 残疾 yes/no); the birth date with the ID mask rebuilds the number.
FIELD_CAPABILITIES: dict[str, str] = {
    "birth_date": C.VIEW_PLAINTEXT_ID,
    "disability_category": C.VIEW_HEALTH_DETAIL,
    "disability_grade": C.VIEW_HEALTH_DETAIL,
    "bank_account_mask": C.VIEW_BANK_ACCOUNT,
    "account_mask": C.VIEW_BANK_ACCOUNT,
}


def withheld_fields(capabilities: frozenset[str]) -> frozenset[str]:
    """The labelled fields a holder of ``capabilities`` may not receive."""
    return frozenset(name for name, cap in FIELD_CAPABILITIES.items() if cap not in capabilities)


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})
