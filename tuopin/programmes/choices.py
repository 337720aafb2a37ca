"""Code lists of the programmes (产业、就业、教育、医疗、住房、饮水、兜底、信贷、电商)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """The assessment indicator a benefit serves (names match ``assessment`` indicators)."""

    INCOME = "income", _("收入")
    EDUCATION = "education", _("义务教育")
    MEDICAL = "medical", _("基本医疗")
    HOUSING = "housing", _("住房安全")
    WATER = "water", _("饮水安全")


class ProjectKind(models.TextChoices):
    PLANTING = "planting", _("种植")
    BREEDING = "breeding", _("养殖")
    TEXTILE = "textile", _("纺织袜业")
    SOLAR = "solar", _("光伏")
    TOURISM = "tourism", _("乡村旅游")
    ECOMMERCE = "ecommerce", _("电商")
    OTHER = "other", _("其他")


class FundSource(models.TextChoices):
    SPECIAL = "special", _("财政专项扶贫资金")
    INTEGRATED = "integrated", _("统筹整合涉农资金")
    SOCIAL = "social", _("社会资金")
    ENTERPRISE = "enterprise", _("企业自筹")
    CREDIT = "credit", _("信贷资金")
    OTHER = "other", _("其他")


# "扶贫资金" in the report: the two public poverty-fund sources.
POVERTY_FUND_SOURCES = (FundSource.SPECIAL, FundSource.INTEGRATED)


class Linkage(models.TextChoices):
    DIVIDEND = "dividend", _("分红")
    EMPLOYMENT = "employment", _("就业")
    ORDER = "order", _("订单收购")
    LAND = "land", _("土地流转")


class DividendRule(models.TextChoices):
    NONE = "none", _("不分红")
    PERCENT_OF_FUNDS = "percent", _("按投入扶贫资金比例")
    FIXED = "fixed", _("每户（人）定额")
    PROFIT_SHARE = "profit", _("按利润比例")


class DividendBasis(models.TextChoices):
    HOUSEHOLD = "household", _("按户")
    PERSON = "person", _("按人")


class EmploymentKind(models.TextChoices):
    PUBLIC_WELFARE = "public", _("公益岗位")
    ENTERPRISE = "enterprise", _("企业就业")
    MIGRANT = "migrant", _("外出务工")


class SafetyNetKind(models.TextChoices):
    DIBAO = "dibao", _("低保金")
    TEKUN = "tekun", _("特困供养金")
    PENSION = "pension", _("养老金")


class PackageArea(models.TextChoices):
    EDUCATION = "education", _("教育")
    PENSION = "pension", _("养老")
    MEDICAL = "medical", _("医疗")
    OTHER = "other", _("其他")


class HousingKind(models.TextChoices):
    RENOVATION = "renovation", _("危房改造")
    STEEL_REBUILD = "steel", _("彩钢房重建")
    HOMELESS_NEW = "homeless", _("无房户新建")


class HousingStatus(models.TextChoices):
    PLANNED = "planned", _("已列入计划")
    STARTED = "started", _("已开工")
    COMPLETED = "completed", _("已竣工")
    MOVED_IN = "moved_in", _("已入住")


HOUSING_ORDER = [HousingStatus.PLANNED, HousingStatus.STARTED, HousingStatus.COMPLETED, HousingStatus.MOVED_IN]
HOUSING_DATE_FIELD = {
    HousingStatus.PLANNED: "planned_on",
    HousingStatus.STARTED: "started_on",
    HousingStatus.COMPLETED: "completed_on",
    HousingStatus.MOVED_IN: "moved_in_on",
}


class WaterProblemKind(models.TextChoices):
    QUALITY = "quality", _("水质不达标")
    QUANTITY = "quantity", _("水量不足")
    DISTANCE = "distance", _("取水距离远")
    GUARANTEE = "guarantee", _("供水保证率低")


class WaterFixKind(models.TextChoices):
    DEEP_WELL = "deep_well", _("打深水井")
    DISINFECTION = "disinfection", _("消毒灭菌")
    CENTRAL = "central", _("集中供水")
    OTHER = "other", _("其他")


class WorkStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    IN_PROGRESS = "in_progress", _("整改中")
    FIXED = "fixed", _("已解决")


class LoanStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    OVERDUE = "overdue", _("逾期")
    EXTENDED = "extended", _("展期")
    REPAID = "repaid", _("已结清")


class SiteKind(models.TextChoices):
    BASE = "base", _("电商孵化基地")
    STATION = "station", _("村级电子商务服务站")
