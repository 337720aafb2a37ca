"""The registry: registered households (建档立卡户), their members, and the facts of each year.

Identity lives on ``Household`` and ``Member``; whatever is assessed lives per year on
``HouseholdYear`` and ``MemberYear`` (design.md §4.3), so a determination for 2019 reads 2019
facts today and in ten years. Every change goes through ``registry.actions``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from . import choices as c

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}
AREA = {"max_digits": 9, "decimal_places": 2, "null": True, "blank": True}


class Household(models.Model):
    """A registered household: header and A1–A3 of the 贫困户登记表, status, and protected contacts."""

    number = models.CharField(_("户编号"), max_length=20, unique=True)
    village = models.ForeignKey(
        "geo.Region",
        verbose_name=_("行政村"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # the (village, status) index leads with it
    )
    group = models.CharField(_("村民小组"), max_length=32, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True, db_index=True)
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0)

    phone_enc = models.TextField(blank=True, editable=False)
    phone_mask = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=64, blank=True)
    bank_account_enc = models.TextField(blank=True, editable=False)
    bank_account_hash = models.CharField(max_length=64, blank=True, editable=False)  # indexed in Meta
    bank_account_mask = models.CharField(_("银行账号"), max_length=32, blank=True)

    identification_year = models.PositiveSmallIntegerField(_("识别年度"))
    identification_standard = models.CharField(
        _("识别标准"), max_length=2, choices=c.IdentificationStandard.choices, default=c.IdentificationStandard.NATIONAL
    )
    category = models.CharField(
        _("贫困户属性"), max_length=2, choices=c.HouseholdCategory.choices, default=c.HouseholdCategory.GENERAL
    )
    main_cause = models.CharField(_("主要致贫原因"), max_length=2, choices=c.PovertyCause.choices)
    other_cause_1 = models.CharField(_("其他致贫原因一"), max_length=2, choices=c.PovertyCause.choices, blank=True)
    other_cause_2 = models.CharField(_("其他致贫原因二"), max_length=2, choices=c.PovertyCause.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=c.HouseholdStatus.choices, default=c.HouseholdStatus.POOR
    )  # the (status, village) index leads with it
    status_year = models.PositiveSmallIntegerField(_("状态年度"))

    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking of edits
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("建档立卡户")
        verbose_name_plural = _("建档立卡户")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["village", "status"]),
            models.Index(fields=["status", "village"]),
            # The household list's default order (village, then number) within an official's range of
            # village codes; and the other sorts, with the id as tie-breaker, paged by keyset:
            # an index in exactly that order serves any page of a million households from an index scan.
            models.Index(fields=["village", "number", "id"], name="household_village_number"),
            models.Index(fields=["main_cause", "id"], name="household_cause_id"),
            models.Index(fields=["status", "id"], name="household_status_id"),
            models.Index(fields=["category", "id"], name="household_category_id"),
            models.Index(fields=["member_count", "id"], name="household_size_id"),
            # A keyed hash is looked up by equality only: a plain index, without the LIKE index that
            # db_index=True adds on PostgreSQL (every index costs every bulk import).
            models.Index(fields=["bank_account_hash"], name="registry_household_acct_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def other_causes(self) -> list[str]:
        return [x for x in (self.other_cause_1, self.other_cause_2) if x]


class HouseholdStatusChange(models.Model):
    """One step of a household's status history (poor → exited → relapsed / monitored → cleared)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_changes")
    year = models.PositiveSmallIntegerField(_("年度"))
    date = models.DateField(_("日期"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=c.HouseholdStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=c.HouseholdStatus.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["household", "date", "id"]
        indexes = [models.Index(fields=["year", "to_status"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.from_status}→{self.to_status}"


class Member(models.Model):
    """A household member's identity (A4–A8). Yearly facts are on ``MemberYear``.

    The ID number is stored encrypted (``id_enc``) with a keyed hash for exact lookup
    (``id_hash``) and a precomputed default mask (``id_mask``) for display, so pages and lists
    never need to decrypt. A person may be current in only one household (partial unique index).
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("姓名"), max_length=64, db_index=True)  # name search is a prefix range on it
    id_enc = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, editable=False)  # indexed in Meta (equality only, no LIKE index)
    id_mask = models.CharField(_("公民身份号码"), max_length=18, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=c.Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(_("与户主关系"), max_length=2, choices=c.Relation.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=c.Ethnicity.choices, default=c.Ethnicity.HAN)
    is_current = models.BooleanField(_("在册"), default=True)
    deceased_on = models.DateField(_("死亡日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "relation", "birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], condition=Q(is_current=True), name="uniq_current_member_id"),
        ]
        indexes = [models.Index(fields=["id_hash"], name="registry_member_id_hash")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class HouseholdYear(models.Model):
    """A household's facts for one year: income (A17–A20), housing (A21–A24), water, land, living."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="years", db_index=False
    )  # the (household, year) unique constraint leads with it
    year = models.PositiveSmallIntegerField(_("年度"))
    size = models.PositiveSmallIntegerField(_("家庭人口"), default=0)

    wage_income = models.DecimalField(_("工资性收入"), **MONEY)
    business_income = models.DecimalField(_("家庭经营性收入"), **MONEY)
    property_income = models.DecimalField(_("财产性收入"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入"), **MONEY)
    business_expenses = models.DecimalField(_("生产经营费用支出"), **MONEY)
    net_income = models.DecimalField(_("家庭纯收入"), **MONEY)
    net_income_per_capita = models.DecimalField(_("年人均纯收入"), **MONEY)
    rigid_spending = models.DecimalField(
        _("刚性支出（因病、因灾、因意外）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        db_default=Decimal("0"),
    )
    food_clothing_secure = models.BooleanField(_("吃穿不愁"), default=True)

    housing_area = models.DecimalField(_("住房面积（平方米）"), **AREA)
    housing_structure = models.CharField(_("住房结构"), max_length=2, choices=c.HousingStructure.choices, blank=True)
    housing_built_year = models.PositiveSmallIntegerField(_("建房年份"), null=True, blank=True)
    housing_safety = models.CharField(_("住房安全等级"), max_length=1, choices=c.HousingSafety.choices, blank=True)
    housed_otherwise = models.BooleanField(_("无房但已妥善安置"), default=False)
    relocated = models.BooleanField(_("易地扶贫搬迁"), default=False)

    water_source = models.CharField(_("饮水来源"), max_length=2, choices=c.WaterSource.choices, blank=True)
    water_litres_per_day = models.PositiveSmallIntegerField(_("人均日供水量（升）"), null=True, blank=True)
    water_quality_ok = models.BooleanField(_("水质达标"), null=True, blank=True)
    water_piped = models.BooleanField(_("自来水入户"), default=False)
    water_trip_minutes = models.PositiveSmallIntegerField(_("取水往返时间（分钟）"), null=True, blank=True)
    water_horizontal_m = models.PositiveIntegerField(_("取水水平距离（米）"), null=True, blank=True)
    water_vertical_m = models.PositiveIntegerField(_("取水垂直距离（米）"), null=True, blank=True)
    water_shortage_days = models.PositiveSmallIntegerField(_("年缺水天数"), null=True, blank=True)

    arable_land_mu = models.DecimalField(_("耕地面积（亩）"), **AREA)
    irrigated_land_mu = models.DecimalField(_("有效灌溉面积（亩）"), **AREA)
    forest_land_mu = models.DecimalField(_("林地面积（亩）"), **AREA)
    grassland_mu = models.DecimalField(_("牧草地面积（亩）"), **AREA)
    water_surface_mu = models.DecimalField(_("水面面积（亩）"), **AREA)

    has_electricity = models.BooleanField(_("通生活用电"), default=True)
    fuel = models.CharField(_("主要燃料"), max_length=2, choices=c.Fuel.choices, blank=True)
    road_type = models.CharField(_("入户路类型"), max_length=1, choices=c.RoadType.choices, blank=True)
    sanitary_toilet = models.BooleanField(_("卫生厕所"), default=False)
    km_to_main_road = models.DecimalField(
        _("距村主干路（公里）"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度户信息")
        verbose_name_plural = _("年度户信息")
        ordering = ["household", "year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="uniq_household_year")]
        indexes = [models.Index(fields=["year", "household"])]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}"

    @property
    def total_income(self) -> Decimal:
        """A17 家庭总收入."""
        return self.wage_income + self.business_income + self.property_income + self.transfer_income


class MemberYear(models.Model):
    """A member's assessed facts for one year (A9–A16): schooling, health, labour, work, insurance."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="years", db_index=False
    )  # the (member, year) unique constraint leads with it
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="member_years")
    year = models.PositiveSmallIntegerField(_("年度"))
    education = models.CharField(_("文化程度"), max_length=1, choices=c.Education.choices)
    school_status = models.CharField(
        _("在校生状况"), max_length=2, choices=c.SchoolStatus.choices, default=c.SchoolStatus.NOT_IN_SCHOOL
    )
    health = models.CharField(_("健康状况"), max_length=1, choices=c.Health.choices, default=c.Health.HEALTHY)
    disability_category = models.CharField(
        _("残疾类别"), max_length=1, choices=c.DisabilityCategory.choices, blank=True
    )
    disability_grade = models.CharField(_("残疾等级"), max_length=1, choices=c.DisabilityGrade.choices, blank=True)
    labour = models.CharField(_("劳动能力"), max_length=1, choices=c.LabourSkill.choices)
    migrant_work = models.CharField(
        _("务工状况"), max_length=2, choices=c.MigrantWork.choices, default=c.MigrantWork.NONE
    )
    migrant_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0)
    dibao = models.BooleanField(_("低保人口"), default=False)
    tekun = models.BooleanField(_("特困供养人员"), default=False)
    medical_insured = models.BooleanField(_("参加城乡居民基本医疗保险"), default=True)
    pension_insured = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度成员信息")
        verbose_name_plural = _("年度成员信息")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="uniq_member_year")]
        indexes = [models.Index(fields=["year", "household"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}"
