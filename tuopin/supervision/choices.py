"""Code lists of inspections, findings, rectification and accountability."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    """巡察 and special campaigns."""

    PATROL = "patrol", _("扶贫领域专项巡察")
    CAMPAIGN = "campaign", _("腐败和作风问题专项治理")
    AUDIT = "audit", _("审计")
    ASSESSMENT = "assessment", _("成效考核")
    OTHER = "other", _("其他督查")


class FindingCategory(models.TextChoices):
    """What a finding is about."""

    RESPONSIBILITY = "responsibility", _("责任落实")
    POLICY = "policy", _("政策落实")
    WORK_STYLE = "work_style", _("工作作风")
    FUNDS = "funds", _("资金管理")
    DATA = "data", _("数据质量")
    CORRUPTION = "corruption", _("腐败问题")


class FindingStatus(models.TextChoices):
    """A finding is open, being rectified, or closed (销号)."""

    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已销号")


class AccountabilityKind(models.TextChoices):
    """An accountability record: a case exposed, or a person disciplined, admonished or interviewed."""

    EXPOSED = "exposed", _("曝光问题")
    DISCIPLINED = "disciplined", _("党政纪处分")
    ADMONISHED = "admonished", _("诫勉")
    INTERVIEWED = "interviewed", _("约谈")


class RecognitionKind(models.TextChoices):
    """An award or a promotion."""

    AWARD = "award", _("表彰奖励")
    PROMOTION = "promotion", _("提拔重用")


class RecipientType(models.TextChoices):
    """Who is recognised."""

    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("组织")
