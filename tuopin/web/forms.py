"""Forms of the registry pages.

These forms only collect and type-convert input; the registry actions validate it (ID checksum,
national codes, one head per household, …) and the views attach the actions' Chinese messages to
the fields (see ``tuopin.web.errors``). Code-list fields therefore accept any submitted code
(``CodeChoiceField``) so that the action's own message, naming the field and the code, is what the
clerk reads — one source of truth for the rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuopin.registry import choices as c


def id_input_attrs() -> dict[str, Any]:
    """Attributes of an ID-number input: no autofill, and htmx checking the number as it is typed."""
    return {
        "autocomplete": "off",
        "spellcheck": "false",
        "maxlength": "18",
        "class": "idno",
        "hx-post": reverse_lazy("check_id"),
        "hx-trigger": "input changed delay:500ms, change",
        "hx-target": "next .hint",
        "hx-swap": "innerHTML",
    }


class CodeChoiceField(forms.ChoiceField):
    """A select whose value is checked by the action, not by the form."""

    def valid_value(self, value: Any) -> bool:
        return True


def code_field(
    label: Any, choices: type, *, required: bool = False, blank_label: Any = "—", must_choose: bool = False
) -> CodeChoiceField:
    """A select of a national code list; blank first unless the field is required.

    ``must_choose`` marks a field the action requires while the form leaves it optional, so that
    the action's message (naming what is missing) is the one the clerk reads.
    """
    options = list(choices.choices)
    options = [o for o in options if o[0] != ""]
    if not required:
        options = [("", blank_label), *options]
    field = CodeChoiceField(label=label, choices=options, required=required)
    field.show_required = must_choose
    return field


def year_choices() -> list[tuple[int, int]]:
    """Programme years, newest first (2014 was the first year of 建档立卡)."""
    return [(y, y) for y in range(timezone.localdate().year, 2013, -1)]


class YearField(forms.TypedChoiceField):
    """A year select (2014 … this year)."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label=label, choices=year_choices, coerce=int, **kwargs)


# --- household list filters -------------------------------------------------------------------


class HouseholdFilterForm(forms.Form):
    """The list's filters and search box (GET). Invalid values are simply ignored by the list."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=40)
    region = forms.ChoiceField(label=_("地区"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *c.HouseholdStatus.choices])
    cause = forms.ChoiceField(label=_("致贫原因"), required=False, choices=[("", _("全部")), *c.PovertyCause.choices])
    category = forms.ChoiceField(
        label=_("贫困户属性"), required=False, choices=[("", _("全部")), *c.HouseholdCategory.choices]
    )
    year = forms.ChoiceField(label=_("年度"), required=False)

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部")), *region_choices]
        self.fields["year"].choices = [("", _("全部")), *[(str(y), str(y)) for y, _y in year_choices()]]
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("姓名、户编号或完整身份证号"), "type": "search", "autocomplete": "off"}
        )


# --- household header ------------------------------------------------------------------------


class HouseholdHeaderForm(forms.Form):
    """A1–A3 and contacts. Phone and bank account are never prefilled (only their masks are shown)."""

    group = forms.CharField(label=_("村民小组"), required=False, max_length=32)
    address = forms.CharField(label=_("住址"), required=False, max_length=200)
    identification_year = YearField(_("识别年度"))
    identification_standard = code_field(_("识别标准"), c.IdentificationStandard, required=True)
    category = code_field(_("贫困户属性"), c.HouseholdCategory, required=True)
    main_cause = code_field(_("主要致贫原因"), c.PovertyCause, blank_label=_("请选择"), must_choose=True)
    other_cause_1 = code_field(_("其他致贫原因一"), c.PovertyCause)
    other_cause_2 = code_field(_("其他致贫原因二"), c.PovertyCause)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    bank_name = forms.CharField(label=_("开户银行"), required=False, max_length=64)
    bank_account = forms.CharField(label=_("银行账号"), required=False, max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["bank_account"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def action_fields(self, *, keep_blank_contacts: bool) -> dict[str, Any]:
        """Cleaned data as keyword arguments of ``create_household`` / ``update_household``.

        On an edit, a blank phone or account means "unchanged" (the form never shows the stored
        number, so a blank field is not a request to erase it).
        """
        d = self.cleaned_data
        out = {
            "group": d["group"],
            "address": d["address"],
            "identification_year": d["identification_year"],
            "identification_standard": d["identification_standard"],
            "category": d["category"],
            "main_cause": d["main_cause"],
            "other_causes": [x for x in (d["other_cause_1"], d["other_cause_2"]) if x],
            "bank_name": d["bank_name"],
        }
        for name in ("phone", "bank_account"):
            if d[name] or not keep_blank_contacts:
                out[name] = d[name]
        return out


class HouseholdCreateForm(HouseholdHeaderForm):
    """A new household: its village, header and the year of its first facts."""

    field_order = ["village", "group", "address", "identification_year", "year"]

    village = forms.ChoiceField(label=_("行政村"))
    year = YearField(_("信息年度"))

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = villages if len(villages) == 1 else [("", _("请选择")), *villages]
        self.fields["year"].help_text = _("成员的文化程度、健康等信息所属的年度")


class HouseholdEditForm(HouseholdHeaderForm):
    """Edit of the header, carrying the version the clerk started from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


# --- members ---------------------------------------------------------------------------------


class MemberIdentityForm(forms.Form):
    """A member's identity (A4–A8). Gender and birth date are optional: they are read from the ID
    number, and if entered they are cross-checked with it."""

    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=20, required=False)
    relation = code_field(_("与户主关系"), c.Relation, blank_label=_("请选择"), must_choose=True)
    ethnicity = code_field(_("民族"), c.Ethnicity, required=True)
    gender = code_field(_("性别"), c.Gender, blank_label=_("按身份证"))
    birth_date = forms.DateField(
        label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(id_input_attrs())
        self.fields["ethnicity"].initial = c.Ethnicity.HAN

    def identity(self) -> dict[str, Any]:
        """The identity keys for the action (blank optional fields left out)."""
        d = self.cleaned_data
        out = {"name": d["name"], "id_number": d["id_number"], "relation": d["relation"], "ethnicity": d["ethnicity"]}
        if d.get("gender"):
            out["gender"] = d["gender"]
        if d.get("birth_date"):
            out["birth_date"] = d["birth_date"]
        return out


class MemberRowForm(MemberIdentityForm):
    """One row of the member table on the new-household form (identity + three yearly facts)."""

    education = code_field(_("文化程度"), c.Education, blank_label=_("按年龄"))
    health = code_field(_("健康状况"), c.Health, blank_label=_("健康"))
    labour = code_field(_("劳动能力"), c.LabourSkill, blank_label=_("按年龄"))

    def member_data(self) -> dict[str, Any]:
        """The member dict ``create_household`` expects."""
        out = self.identity()
        for name in ("education", "health", "labour"):
            if self.cleaned_data.get(name):
                out[name] = self.cleaned_data[name]
        return out


MemberFormSet = forms.formset_factory(MemberRowForm, extra=2, min_num=1, max_num=30, validate_max=True)


class MemberYearForm(forms.Form):
    """A member's facts for one year (A9–A16)."""

    year = YearField(_("信息年度"))
    education = code_field(_("文化程度"), c.Education, required=True)
    school_status = code_field(_("在校生状况"), c.SchoolStatus, required=True)
    health = code_field(_("健康状况"), c.Health, required=True)
    disability_category = code_field(_("残疾类别"), c.DisabilityCategory)
    disability_grade = code_field(_("残疾等级"), c.DisabilityGrade)
    labour = code_field(_("劳动能力"), c.LabourSkill, required=True)
    migrant_work = code_field(_("务工状况"), c.MigrantWork, required=True)
    migrant_months = forms.IntegerField(label=_("务工时间（月）"), required=False, min_value=0, max_value=12)
    dibao = forms.BooleanField(label=_("低保人口"), required=False)
    tekun = forms.BooleanField(label=_("特困供养人员"), required=False)
    medical_insured = forms.BooleanField(label=_("参加城乡居民基本医疗保险"), required=False)
    pension_insured = forms.BooleanField(label=_("参加城乡居民基本养老保险"), required=False)

    def __init__(self, *args: Any, health_detail: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.health_detail = health_detail
        if not health_detail:
            # Write-only for roles that may not read disability detail: never prefilled.
            for name in ("disability_category", "disability_grade"):
                self.fields[name].help_text = _("已登记的残疾详情不显示；留空表示不修改")
                self.initial.pop(name, None)

    def facts(self) -> dict[str, Any]:
        """The yearly facts for the action."""
        d = self.cleaned_data
        out = {name: d[name] for name in self.fields if name != "year" and not name.startswith("disability")}
        out["migrant_months"] = d.get("migrant_months") or 0
        if self.health_detail or d.get("disability_category") or d.get("disability_grade"):
            out["disability_category"] = d.get("disability_category") or ""
            out["disability_grade"] = d.get("disability_grade") or ""
        return out


class MemberEditForm(MemberYearForm):
    """Edit of a member: identity corrections and the facts of one year."""

    field_order = ["name", "id_number", "relation", "ethnicity", "year"]

    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=20, required=False)
    relation = code_field(_("与户主关系"), c.Relation, required=True)
    ethnicity = code_field(_("民族"), c.Ethnicity, required=True)

    def __init__(self, *args: Any, id_mask: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _("当前：%(mask)s。留空表示不修改") % {"mask": id_mask}
        self.fields["id_number"].widget.attrs.update(id_input_attrs())

    def member_data(self) -> dict[str, Any]:
        """Keyword arguments of ``update_member`` (without ``year``)."""
        d = self.cleaned_data
        out = {"name": d["name"], "relation": d["relation"], "ethnicity": d["ethnicity"], **self.facts()}
        if d.get("id_number"):
            out["id_number"] = d["id_number"]
        return out


class MemberAddForm(MemberIdentityForm, MemberYearForm):
    """A new member of an existing household: identity and the year's facts."""

    field_order = ["name", "id_number", "relation", "ethnicity", "gender", "birth_date", "year"]

    def member_data(self) -> dict[str, Any]:
        """Keyword arguments of ``add_member`` (without ``year``)."""
        return {**self.identity(), **self.facts()}


class MemberRemoveForm(forms.Form):
    """减员: a member died or moved out on a date."""

    reason = forms.ChoiceField(
        label=_("减员原因"), choices=[("deceased", _("死亡")), ("moved_out", _("迁出"))], widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RevealForm(forms.Form):
    """The reason for looking at a full ID number (recorded in the audit trail)."""

    reason = forms.CharField(label=_("查看事由"), max_length=100)


# --- a household's year ----------------------------------------------------------------------


def _num(label: Any, *, decimal: bool = True) -> forms.CharField:
    # Text inputs (validated by the action) so that "1,234.5" or "１２３" get the action's message.
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal" if decimal else "numeric", "class": "num"}),
    )


class HouseholdYearForm(forms.Form):
    """A household's facts for a year: income, housing, water, land and living conditions."""

    SECTIONS = (
        (
            _("收入（元）"),
            ("wage_income", "business_income", "property_income", "transfer_income", "business_expenses"),
        ),
        (_("两不愁"), ("food_clothing_secure",)),
        (
            _("住房"),
            (
                "housing_area",
                "housing_structure",
                "housing_built_year",
                "housing_safety",
                "housed_otherwise",
                "relocated",
            ),
        ),
        (
            _("饮水"),
            (
                "water_source",
                "water_litres_per_day",
                "water_quality_ok",
                "water_piped",
                "water_trip_minutes",
                "water_horizontal_m",
                "water_vertical_m",
                "water_shortage_days",
            ),
        ),
        (
            _("土地（亩）"),
            ("arable_land_mu", "irrigated_land_mu", "forest_land_mu", "grassland_mu", "water_surface_mu"),
        ),
        (_("生活条件"), ("has_electricity", "fuel", "road_type", "sanitary_toilet", "km_to_main_road")),
    )

    year = YearField(_("信息年度"))
    wage_income = _num(_("工资性收入"))
    business_income = _num(_("家庭经营性收入"))
    property_income = _num(_("财产性收入"))
    transfer_income = _num(_("转移性收入"))
    business_expenses = _num(_("生产经营费用支出"))
    food_clothing_secure = forms.BooleanField(label=_("吃穿不愁"), required=False)
    housing_area = _num(_("住房面积（平方米）"))
    housing_structure = code_field(_("住房结构"), c.HousingStructure)
    housing_built_year = _num(_("建房年份"), decimal=False)
    housing_safety = code_field(_("住房安全等级"), c.HousingSafety)
    housed_otherwise = forms.BooleanField(label=_("无房但已妥善安置"), required=False)
    relocated = forms.BooleanField(label=_("易地扶贫搬迁"), required=False)
    water_source = code_field(_("饮水来源"), c.WaterSource)
    water_litres_per_day = _num(_("人均日供水量（升）"), decimal=False)
    water_quality_ok = forms.NullBooleanField(label=_("水质达标"), required=False)
    water_piped = forms.BooleanField(label=_("自来水入户"), required=False)
    water_trip_minutes = _num(_("取水往返时间（分钟）"), decimal=False)
    water_horizontal_m = _num(_("取水水平距离（米）"), decimal=False)
    water_vertical_m = _num(_("取水垂直距离（米）"), decimal=False)
    water_shortage_days = _num(_("年缺水天数"), decimal=False)
    arable_land_mu = _num(_("耕地面积（亩）"))
    irrigated_land_mu = _num(_("有效灌溉面积（亩）"))
    forest_land_mu = _num(_("林地面积（亩）"))
    grassland_mu = _num(_("牧草地面积（亩）"))
    water_surface_mu = _num(_("水面面积（亩）"))
    has_electricity = forms.BooleanField(label=_("通生活用电"), required=False)
    fuel = code_field(_("主要燃料"), c.Fuel)
    road_type = code_field(_("入户路类型"), c.RoadType)
    sanitary_toilet = forms.BooleanField(label=_("卫生厕所"), required=False)
    km_to_main_road = _num(_("距村主干路（公里）"))

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields grouped as on the paper form, for the template."""
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def facts(self) -> dict[str, Any]:
        """Keyword arguments of ``set_household_year`` (without ``year``)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "year"}
