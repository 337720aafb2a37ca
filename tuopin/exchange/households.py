"""The 贫困户登记表 row-schema: one row per member, household columns repeated (as the national export).

Validation is column-wise and set-based, and applies exactly the rules of ``registry.actions``
(``create_household`` with its members, then ``set_household_year``):

* ID numbers: checked as a column (:mod:`.idcolumn`): a numpy fast path that accepts only what
  ``parse_id_number`` accepts, with the same result, and ``parse_id_number`` itself for every other
  value, so the messages are the action's own. Gender and birth date are cross-checked with the ID.
* Codes: ``check_choice`` semantics — a value must be a national code; labels and listed synonyms
  are accepted as spellings of a code. ``check_causes`` for the causes; ``to_money`` for incomes;
  务工时间 0–12; years 2013–next year (``_check_year``); one head per household; the person not
  current in another household (the partial unique index stays the final guard, as for the action).
* The year's housing, water, land and living facts: ``household_year_value`` and
  ``check_household_year`` — the validators ``set_household_year`` itself calls.
* Jurisdiction: the village must be a village inside the importer's jurisdiction.

Every check runs once per distinct value of a column (a code column of a million rows has a handful);
only the ID numbers and names are per row. :func:`validate_cells` needs nothing from the registry but
the regions, so its result can be kept from the preview to the commit (:mod:`.plancache`);
:func:`.lookups.check_registry` joins the file against the registry and always runs again inside the commit.
The commit (:mod:`.commit`) writes the same rows the actions would.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from tuopin.core.crypto import lookup_hashes
from tuopin.core.idnumber import _known_division
from tuopin.registry import choices as c
from tuopin.registry.validation import (
    HOUSEHOLD_YEAR_CHOICES,
    HOUSEHOLD_YEAR_FIELDS,
    INCOME_FIELDS,
    check_causes,
    check_household_year,
    household_year_value,
    to_money,
)

from .idcolumn import id_column
from .lookups import resolve_villages
from .schema import (
    Bound,
    Column,
    Problems,
    bool_column,
    cached_column,
    choice_lookup,
    code_column,
    int_range,
    national_names,
)

C = Column
COLUMNS: tuple[Column, ...] = (
    C("province", "省", ("省份", "省（区、市）")),
    C("city", "市", ("市（州）", "地市", "市州")),
    C("county", "县", ("县（市、区）", "县区", "县市区", "区县")),
    C("town", "乡镇", ("乡（镇）", "乡镇（街道）", "乡镇街道", "乡")),
    C("village", "行政村", ("村", "村名", "行政村名称")),
    C("village_code", "行政村代码", ("村代码", "区划代码", "行政区划代码", "村级代码")),
    C("group", "村民小组", ("组", "小组", "村民组", "自然村")),
    C("number", "户编号", ("户号", "户码", "家庭编号", "贫困户编号"), required=True),
    C("head_name", "户主姓名", ("户主",)),
    C("phone", "联系电话", ("电话", "手机号码", "联系方式")),
    C("bank_name", "开户银行", ("开户行",)),
    C("bank_account", "银行账号", ("银行卡号", "账号", "一卡通账号")),
    C("identification_standard", "识别标准", ()),
    C("category", "贫困户属性", ("户属性", "贫困户类型", "贫困户类别")),
    C("main_cause", "主要致贫原因", ("致贫原因",)),
    C("other_causes", "其他致贫原因", ("次要致贫原因",)),
    C("identification_year", "识别年度", ("识别年份", "建档立卡年度", "纳入年度")),
    C("year", "数据年度", ("年度", "信息年度", "统计年度")),
    C("name", "姓名", ("成员姓名", "人员姓名"), required=True),
    C("gender", "性别", ()),
    C("birth_date", "出生日期", ("出生年月日",)),
    C("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号"), required=True),
    C("relation", "与户主关系", ("与户主的关系", "家庭关系", "关系"), required=True),
    C("ethnicity", "民族", ()),
    C("education", "文化程度", ("学历",)),
    C("school_status", "在校生状况", ("在校生情况", "在校学生")),
    C("health", "健康状况", ()),
    C("disability_category", "残疾类别", ()),
    C("disability_grade", "残疾等级", ()),
    C("labour", "劳动能力", ("劳动技能",)),
    C("migrant_work", "务工状况", ("务工情况",)),
    C("migrant_months", "务工时间", ("务工时间（月）", "务工月数")),
    C("dibao", "低保", ("低保人口", "是否低保", "享受低保")),
    C("tekun", "特困供养", ("特困供养人员", "五保", "是否特困")),
    C(
        "medical_insured",
        "参加医保",
        ("参加城乡居民基本医疗保险", "参加新农合", "新农合", "参加大病保险", "是否参加医保"),
    ),
    C("pension_insured", "参加养老保险", ("参加城乡居民基本养老保险", "养老保险", "是否参加养老保险")),
    C("wage_income", "工资性收入", ()),
    C("business_income", "家庭经营性收入", ("生产经营性收入", "经营性收入")),
    C("property_income", "财产性收入", ()),
    C("transfer_income", "转移性收入", ()),
    C("business_expenses", "生产经营费用支出", ("生产经营支出", "经营费用支出")),
    C("rigid_spending", "刚性支出（因病、因灾、因意外）", ("刚性支出", "刚性支出合计")),
    C("food_clothing_secure", "吃穿不愁", ("是否吃穿不愁",)),
    # A21–A24 and the living conditions of the form; labels as the form prints them, with units.
    C("housing_area", "住房面积（平方米）", ("住房面积", "房屋面积")),
    C("housing_structure", "住房结构", ("住房主要结构", "房屋结构")),
    C("housing_built_year", "建房年份", ("建房时间", "建房年度", "房屋建造年份")),
    C("housing_safety", "住房安全等级", ("危房等级", "住房安全鉴定等级", "房屋安全等级", "危房鉴定等级")),
    C("housed_otherwise", "无房但已妥善安置", ("无房户已妥善安置", "已妥善安置")),
    C("relocated", "易地扶贫搬迁", ("是否易地扶贫搬迁户", "易地搬迁", "易地扶贫搬迁户")),
    C("water_source", "饮水来源", ("饮水情况", "饮水水源", "水源类型")),
    C("water_litres_per_day", "人均日供水量（升）", ("人均日供水量", "日供水量", "供水量", "人均日用水量")),
    C("water_quality_ok", "水质达标", ("水质", "饮水水质", "水质是否达标", "饮水安全水质达标")),
    C("water_piped", "自来水入户", ("是否通自来水", "通自来水", "自来水")),
    C("water_trip_minutes", "取水往返时间（分钟）", ("取水往返时间", "取水时间")),
    C("water_horizontal_m", "取水水平距离（米）", ("取水水平距离", "水平距离")),
    C("water_vertical_m", "取水垂直距离（米）", ("取水垂直距离", "垂直距离")),
    C("water_shortage_days", "年缺水天数", ("缺水天数", "全年缺水天数")),
    C("arable_land_mu", "耕地面积（亩）", ("耕地面积", "耕地")),
    C("irrigated_land_mu", "有效灌溉面积（亩）", ("有效灌溉面积", "灌溉面积")),
    C("forest_land_mu", "林地面积（亩）", ("林地面积", "林地")),
    C("grassland_mu", "牧草地面积（亩）", ("牧草地面积", "草地面积")),
    C("water_surface_mu", "水面面积（亩）", ("水面面积",)),
    C("has_electricity", "通生活用电", ("是否通生活用电", "生活用电", "通电")),
    C("fuel", "主要燃料", ("主要燃料类型", "燃料类型")),
    C("road_type", "入户路类型", ("入户路", "入户道路类型", "入户路面类型")),
    C("sanitary_toilet", "卫生厕所", ("是否有卫生厕所", "有无卫生厕所")),
    C("km_to_main_road", "距村主干路（公里）", ("距村主干路", "与村主干路距离", "距村主干路距离")),
)
LABELS = {col.key: col.label for col in COLUMNS}
# The yearly household facts beyond the income (set_household_year), validated by its own validator.
FACT_KEYS = tuple(k for k in HOUSEHOLD_YEAR_FIELDS if k not in INCOME_FIELDS[:5])
HOUSEHOLD_KEYS = (
    "province",
    "city",
    "county",
    "town",
    "village",
    "village_code",
    "group",
    "head_name",
    "phone",
    "bank_name",
    "bank_account",
    "identification_standard",
    "category",
    "main_cause",
    "other_causes",
    "identification_year",
    "year",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "business_expenses",
    *FACT_KEYS,
)
INCOME_KEYS = ("wage_income", "business_income", "property_income", "transfer_income", "business_expenses")
MEMBER_CODE_FIELDS = {
    "education": (c.Education, {"文盲": "1", "半文盲": "1", "大专": "5", "本科": "5", "学龄前": "6"}),
    "school_status": (c.SchoolStatus, {"否": "1", "非在校": "1", "不在校": "1"}),
    "health": (c.Health, {"慢性病": "2", "长期慢性病": "2", "大病": "3", "患大病": "3"}),
    "labour": (c.LabourSkill, {"普通劳动": "1", "技能劳动": "2", "丧失劳动能力": "3", "无劳动能力": "4"}),
    "migrant_work": (c.MigrantWork, {"无": "0", "否": "0", "乡镇内务工": "1", "乡镇外县内务工": "2"}),
    "disability_category": (c.DisabilityCategory, {}),
    "disability_grade": (c.DisabilityGrade, {}),
}
RELATION_SYNONYMS = {
    "本人": "01",
    "妻": "02",
    "妻子": "02",
    "丈夫": "02",
    "夫": "02",
    "子": "03",
    "儿子": "03",
    "长子": "03",
    "次子": "03",
    "女": "04",
    "女儿": "04",
    "长女": "04",
    "次女": "04",
    "儿媳": "05",
    "女婿": "06",
    "孙子": "07",
    "孙女": "08",
    "外孙子": "09",
    "外孙": "09",
    "外孙女": "10",
    "父亲": "11",
    "母亲": "12",
    "祖父": "17",
    "祖母": "18",
}
RELATION_SYNONYMS.update({name[1:]: code for code, name in national_names(c.Relation) if name.startswith("之")})
CATEGORY_SYNONYMS = {
    "一般户": "1",
    "五保户": "3",
    "特困供养户": "3",
    "特困户": "3",
    "特困供养贫困户": "3",
    "低保贫困": "4",
}
STANDARD_SYNONYMS = {"国家": "1", "国标": "1", "省定": "2", "省标": "2", "市定": "3", "市标": "3"}
GENDER_SYNONYMS = {"男性": "1", "女性": "2"}
CAUSE_SPLIT = str.maketrans(dict.fromkeys(",，;；/／ ", "、"))


# The template's example row (a synthetic household).
TEMPLATE_EXAMPLE = {
    "province": "吉林省",
    "city": "辽源市",
    "county": "东辽县",
    "town": "渭津镇",
    "village": "大榆村",
    "village_code": "220422101201",
    "group": "三组",
    "number": "2204221012010001",
    "head_name": "王某某",
    "identification_standard": "国家标准",
    "category": "一般贫困户",
    "main_cause": "因病",
    "other_causes": "缺技术、缺资金",
    "identification_year": "2016",
    "year": "2019",
    "name": "王某某",
    "gender": "男",
    "id_number": "（18位身份证号，设为文本）",
    "relation": "户主",
    "ethnicity": "汉族",
    "education": "小学",
    "school_status": "非在校生",
    "health": "长期慢性病",
    "labour": "普通劳动力",
    "migrant_work": "未务工",
    "migrant_months": "0",
    "dibao": "否",
    "tekun": "否",
    "medical_insured": "是",
    "pension_insured": "是",
    "wage_income": "12000",
    "business_income": "3000",
    "property_income": "0",
    "transfer_income": "2400.50",
    "business_expenses": "800",
    "rigid_spending": "3000",
    "food_clothing_secure": "是",
    "housing_area": "72.5",
    "housing_structure": "砖混",
    "housing_built_year": "2008",
    "housing_safety": "B级",
    "housed_otherwise": "否",
    "relocated": "否",
    "water_source": "净化自来水",
    "water_litres_per_day": "60",
    "water_quality_ok": "是",
    "water_piped": "是",
    "water_trip_minutes": "0",
    "water_horizontal_m": "0",
    "water_vertical_m": "0",
    "water_shortage_days": "0",
    "arable_land_mu": "8.5",
    "irrigated_land_mu": "3",
    "forest_land_mu": "0",
    "grassland_mu": "0",
    "water_surface_mu": "0",
    "has_electricity": "是",
    "fuel": "柴草",
    "road_type": "水泥路",
    "sanitary_toilet": "否",
    "km_to_main_road": "0.5",
}

# Spellings of the yearly facts' codes a clerk writes besides the code and the label.
FACT_SPELLINGS: dict[str, dict[str, str]] = {
    "housing_structure": {"钢混": "1", "框架": "1", "砖木": "3", "砖瓦": "3", "土坯": "4", "竹草": "4", "彩钢房": "5"},
    "housing_safety": {
        **{f"{g}级": g for g in "ABCD"},
        **{g.lower(): g for g in "ABCD"},
        **{f"{g.lower()}级": g for g in "ABCD"},
        "安全": "A",
        "基本安全": "B",
        "局部危房": "C",
        "整幢危房": "D",
        "无房户": "N",
        "无": "N",
    },
    "water_source": {"自来水": "1", "井水": "2", "泉水": "2", "河水": "4", "雨水": "5", "窖水": "5", "桶装": "6"},
    "fuel": {"柴": "1", "柴火": "1", "煤": "3", "电": "4", "液化气": "4", "天然气": "4", "沼气": "4"},
    "road_type": {"土路": "0", "砂石": "1", "水泥": "2", "硬化路": "2", "沥青": "3"},
}


@lru_cache(maxsize=8192)
def _division(code: str) -> bool:
    return _known_division(code)


@lru_cache(maxsize=4096)
def _birth(ymd: str, today: dt.date) -> dt.date | None:
    try:
        birth = dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        return None
    return birth if birth <= today and birth.year >= 1890 else None


def fast_id(value: str, today: dt.date) -> tuple[str, dt.date, str] | None:
    """(number, birth date, gender) when ``value`` is a plain valid 18-character number, else None.

    Accepts a subset of what ``parse_id_number`` accepts, with the same result; None sends the value
    to ``parse_id_number`` itself (legacy 15-digit numbers, separators, lower-case x, every error).
    One value at a time, for lists matched row by row (cross-checks); a file's column goes through
    :func:`.idcolumn.id_column`.
    """
    if len(value) != 18 or not value[:17].isdigit():
        return None
    last = value[17]
    if not (last.isdigit() or last == "X") or ric.calc_check_digit(value) != last:
        return None
    birth = _birth(value[6:14], today)
    if birth is None or not _division(value[:6]):
        return None
    return value, birth, "1" if int(value[16]) % 2 else "2"


@dataclass
class Plan:
    """A validated file: member values per row, household values per household, ready to commit.

    Households are columns too: ``households`` lists the numbers in file order and ``hh[key][k]`` is
    the cleaned value of ``key`` for ``households[k]``.
    """

    bound: Bound
    problems: Problems
    n: int
    number: list[str]
    hh_rows: dict[str, list[int]]  # household number → its row indices, file order
    households: list[str]
    hh: dict[str, list[Any]]
    ids: list[str | None]
    births: list[dt.date | None]
    genders: list[str]
    hashes: list[str]
    member_values: dict[str, list[Any]]
    facts: tuple[str, ...] = ()  # the yearly facts the file gives (columns present)
    existing: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)  # number → (pk, hash → member pk)
    existing_years: set[str] = field(default_factory=set)  # numbers whose year is already recorded
    bad_households: set[str] = field(default_factory=set)

    def valid_households(self) -> list[str]:
        return [h for h in self.households if h not in self.bad_households]


def _year(label: str, *, blank_ok: bool):
    return int_range(label, 2013, timezone.localdate().year + 1, blank=0 if blank_ok else None)


def validate_cells(bound: Bound, problems: Problems, *, actor: Any, progress=None) -> Plan:
    """Every cell and every rule across rows of the file; nothing read from the registry but the regions."""
    cols, n = bound.columns, bound.n
    blank = [""] * n

    def col(key: str) -> list[str]:
        return cols.get(key, blank)

    today = timezone.localdate()
    number = col("number")
    _filled(number, "number", 20, _("缺少户编号：成员行必须属于一户。"), _("户编号不能超过20个字符。"), problems)
    if progress:
        progress(0, 4)
    ids, births, genders, hashes = _identity(bound, problems, today)
    if progress:
        progress(1, 4)
    mv = _member_codes(cols, col, problems, blank)
    # --- households: fields consistent across the household's rows ---------------------------------
    grouping = _Grouping.of(number)
    hh_rows, households = grouping.hh_rows, grouping.households
    raw = {k: _household_column(cols[k], k, grouping, problems, bound.rownums) for k in HOUSEHOLD_KEYS if k in cols}
    if progress:
        progress(2, 4)
    where = _Where(cols, hh_rows, households)
    hh = _households(raw, grouping, mv["relation"], col("name"), problems, where)
    hh["village"] = resolve_villages(raw, households, hh_rows, problems, where, actor=actor)
    facts = tuple(k for k in FACT_KEYS if k in raw)
    hh.update(_facts(raw, facts, households, problems, where))
    if progress:
        progress(3, 4)
    return Plan(
        bound=bound,
        problems=problems,
        n=n,
        number=number,
        hh_rows=hh_rows,
        households=households,
        hh=hh,
        ids=ids,
        births=births,
        genders=genders,
        hashes=hashes,
        member_values=mv,
        facts=facts,
    )


def _identity(bound: Bound, problems: Problems, today: dt.date):
    """ID number, gender and birth date cross-checked, name required, the same person not twice."""
    cols, n = bound.columns, bound.n
    blank = [""] * n
    flagged = {i for i, k, _m in problems.items if k == "id_number"}  # e.g. an ID Excel stored as a number
    people = id_column(cols.get("id_number", blank), today, skip=flagged)
    for i, message in people.problems.items():
        problems.add(i, "id_number", message)
    ids, births, genders = people.numbers, people.births, people.genders
    # Cross-checks over the distinct (given, from the ID) pairs; the rows of a contradicting pair after.
    if "gender" in cols:
        lookup = choice_lookup(c.Gender, GENDER_SYNONYMS)
        pairs = set(zip(cols["gender"], genders, strict=True))
        wrong = {(g, gender) for g, gender in pairs if g and gender and lookup.get(g, g) != gender}
        for i, pair in enumerate(zip(cols["gender"], genders, strict=True)) if wrong else ():
            if pair in wrong:
                message = _("性别与公民身份号码不符（号码显示为%(g)s）。") % {"g": c.Gender(pair[1]).label}
                problems.add(i, "gender", message)
    if "birth_date" in cols:
        pairs = set(zip(cols["birth_date"], births, strict=True))
        wrong = {(b, birth) for b, birth in pairs if b and birth and not _same_date(b, birth)}
        for i, pair in enumerate(zip(cols["birth_date"], births, strict=True)) if wrong else ():
            if pair in wrong:
                message = _("出生日期与公民身份号码不符（号码显示为%(d)s）。") % {"d": pair[1].isoformat()}
                problems.add(i, "birth_date", message)
    _filled(cols.get("name", blank), "name", 64, _("请填写姓名。"), _("姓名不能超过64个字符。"), problems)
    valid = [i for i, v in enumerate(ids) if v]
    hashes = [""] * n
    for i, h in zip(valid, lookup_hashes([ids[i] for i in valid]), strict=True):
        hashes[i] = h
    if len(set(hashes)) - ("" in hashes) < len(valid):  # someone twice: find the later rows
        first_row: dict[str, int] = {}
        for i in valid:
            j = first_row.setdefault(hashes[i], i)
            if j != i:
                problems.add(i, "id_number", _("同一人在文件中出现两次（另见第%(r)d行）。") % {"r": bound.rownums[j]})
    return ids, births, genders, hashes


def _filled(values: list[str], key: str, limit: int, blank: str, long: str, problems: Problems) -> None:
    """Every cell given and at most ``limit`` characters; rows are visited only when one is not."""
    if "" in values or max(map(len, values), default=0) > limit:
        for i, v in enumerate(values):
            if not v:
                problems.add(i, key, blank)
            elif len(v) > limit:
                problems.add(i, key, long)


def _same_date(text: str, date: dt.date) -> bool:
    """出生日期 as written (2019-05-01, 2019/05/01, 2019.05.01, 20190501) against the ID's birth date."""
    return text.replace("/", "-").replace(".", "-") == date.isoformat() or text == date.strftime("%Y%m%d")


def _member_codes(cols, col, problems: Problems, blank: list[str]) -> dict[str, list[Any]]:
    """Member codes and yearly facts, each validated once per distinct value."""
    mv: dict[str, list[Any]] = {}
    mv["relation"] = code_column(
        col("relation"), "relation", LABELS["relation"], choice_lookup(c.Relation, RELATION_SYNONYMS), problems
    )
    mv["ethnicity"] = code_column(
        col("ethnicity"),
        "ethnicity",
        LABELS["ethnicity"],
        choice_lookup(c.Ethnicity, {"汉": "01"}),
        problems,
        blank=c.Ethnicity.HAN,
    )
    for key, (choices, extra) in MEMBER_CODE_FIELDS.items():
        if key in cols:
            mv[key] = code_column(cols[key], key, LABELS[key], choice_lookup(choices, extra), problems, blank="")
    if "migrant_months" in cols:
        mv["migrant_months"] = cached_column(
            cols["migrant_months"], "migrant_months", int_range(LABELS["migrant_months"], 0, 12, blank=0), problems
        )
    for key, default in (("dibao", False), ("tekun", False), ("medical_insured", True), ("pension_insured", False)):
        if key in cols:
            mv[key] = bool_column(cols[key], key, LABELS[key], problems, default=default)
    if "disability_category" in mv:
        grade = mv.get("disability_grade", blank)
        for i, cat in enumerate(mv["disability_category"]):
            if cat and not grade[i]:
                problems.add(i, "disability_grade", _("已填写残疾类别，请同时填写残疾等级。"))
    return mv


def _household_column(values, key, grouping: _Grouping, problems: Problems, rownums) -> list[str]:
    """The household's value of a repeated column: its first non-blank cell (a blank on a later member
    row means "as above", as merged cells and the national export write it); a different non-blank
    value on a later row is a problem on that cell. When every row equals its household's first row
    (a machine export repeats every value), one C-level comparison settles the column; otherwise only
    the households with two different values are visited row by row."""
    g = grouping
    if list(map(values.__getitem__, g.lead)) == values:
        return list(map(values.__getitem__, g.first_rows))
    pairs = {p for p in set(zip(g.owner, values, strict=True)) if p[0] >= 0 and p[1]}
    first = dict(pairs)
    if len(first) != len(pairs):
        twice = [k for k, n in Counter(k for k, _v in pairs).items() if n > 1]
        for k in twice:
            rows = [i for i in g.hh_rows[g.households[k]] if values[i]]
            j = rows[0]
            first[k] = values[j]
            for i in rows[1:]:
                if values[i] != values[j]:
                    problems.add(
                        i,
                        key,
                        _("同一户的“%(label)s”前后不一致（第%(r)d行为“%(v)s”）。")
                        % {"label": LABELS[key], "r": rownums[j], "v": values[j][:20]},
                    )
    return [first.get(k, "") for k in range(len(g.households))]


@dataclass
class _Grouping:
    """Rows by household: ``owner[i]`` the household index of row ``i`` (-1 without a number), ``lead[i]``
    the first row of its household (``i`` itself without one), ``first_rows[k]`` household ``k``'s first row."""

    hh_rows: dict[str, list[int]]
    households: list[str]
    owner: list[int]
    lead: list[int]
    first_rows: list[int]

    @classmethod
    def of(cls, number: list[str]) -> _Grouping:
        hh_rows: dict[str, list[int]] = defaultdict(list)
        for i, h in enumerate(number):
            if h:
                hh_rows[h].append(i)
        households = list(hh_rows)
        index = {h: k for k, h in enumerate(households)}
        first_rows = [hh_rows[h][0] for h in households]
        owner = [index.get(h, -1) for h in number]
        lead = [first_rows[k] if k >= 0 else i for i, k in enumerate(owner)]
        return cls(dict(hh_rows), households, owner, lead, first_rows)


class _Where:
    """Where to report a household's problem with a column: its first non-blank cell in that column,
    else the household's first row."""

    def __init__(self, cols, hh_rows, households):
        self.cols, self.hh_rows, self.households = cols, hh_rows, households

    def __call__(self, k: int, key: str) -> int:
        rows = self.hh_rows[self.households[k]]
        values = self.cols.get(key)
        if values is not None:
            for i in rows:
                if values[i]:
                    return i
        return rows[0]


def _by_distinct(values: list[str], convert) -> tuple[list[Any], list[tuple[int, str]]]:
    """``convert`` (raising ``ValidationError``) once per distinct value: the converted column and the
    (index, message) of every value refused."""
    problems = Problems()
    out = cached_column(values, "", convert, problems)
    return out, [(k, message) for k, _key, message in problems.items]


def _households(raw, grouping: _Grouping, relations, names, problems: Problems, where) -> dict[str, list[Any]]:
    """Household-level checks: codes, causes, years, incomes, contacts, exactly one head."""
    households, hh_rows = grouping.households, grouping.hh_rows
    m = len(households)

    def get(key: str) -> list[str]:
        return raw.get(key) or [""] * m

    def err(k: int, key: str, message: str) -> None:
        problems.add(where(k, key), key, message)

    hh: dict[str, list[Any]] = {
        "group": [v[:32] for v in get("group")],
        "bank_name": [v[:64] for v in get("bank_name")],
    }
    heads: dict[int, list[int]] = defaultdict(list)
    for i in [i for i, r in enumerate(relations) if r == c.Relation.HEAD]:
        if grouping.owner[i] >= 0:
            heads[grouping.owner[i]].append(i)
    head_names = get("head_name")
    hh["head"] = [""] * m
    for k, h in enumerate(households):
        found = heads.get(k, [])
        if len(found) != 1:
            problems.add(hh_rows[h][0], "relation", _("每户必须有且只有一名户主（本户%(n)d名）。") % {"n": len(found)})
            continue
        hh["head"][k] = names[found[0]]
        if head_names[k] and head_names[k] != names[found[0]]:
            # The register derives 户主姓名 from the head's row; a different name means a wrong row or head.
            err(
                k,
                "head_name",
                _("户主姓名“%(a)s”与关系为户主的成员“%(b)s”不一致。")
                % {"a": head_names[k][:20], "b": names[found[0]][:20]},
            )
    for key, lookup, default in (
        ("identification_standard", choice_lookup(c.IdentificationStandard, STANDARD_SYNONYMS), "1"),
        ("category", choice_lookup(c.HouseholdCategory, CATEGORY_SYNONYMS), "1"),
    ):

        def code(v: str, key=key, lookup=lookup, default=default) -> str:
            if not v:
                return default
            if v not in lookup:
                raise ValidationError(
                    _("%(label)s“%(v)s”不在国家代码表中（可填代码或名称）。") % {"label": LABELS[key], "v": v[:20]}
                )
            return lookup[v]

        hh[key], refused = _by_distinct(get(key), code)
        for k, message in refused:
            err(k, key, message)
    causes = choice_lookup(c.PovertyCause)

    def cause_check(pair: tuple[str, str]):  # check_causes once per distinct combination: a file has a few dozen
        main, other = pair
        others = [x for x in other.translate(CAUSE_SPLIT).split("、") if x]
        try:
            return check_causes(causes.get(main, main) if main else "", [causes.get(x, x) for x in others]), None
        except ValidationError as exc:
            return None, exc.message_dict

    cache: dict[tuple[str, str], Any] = {}
    hh["causes"] = [None] * m
    for k, pair in enumerate(zip(get("main_cause"), get("other_causes"), strict=True)):
        hit = cache.get(pair) or cache.setdefault(pair, cause_check(pair))
        hh["causes"][k] = hit[0]
        for key, messages in (hit[1] or {}).items():
            err(k, "main_cause" if key == "main_cause" else "other_causes", " ".join(messages))
    for key, convert in (
        ("identification_year", _year(LABELS["identification_year"], blank_ok=False)),
        ("year", _year(LABELS["year"], blank_ok=True)),
        *((key, (lambda v, key=key: to_money(key, v, LABELS[key]))) for key in INCOME_KEYS),
    ):
        hh[key], refused = _by_distinct(get(key), convert)
        for k, message in refused:
            err(k, key, message)
    # create_household: the year of the data is the identification year when not given
    hh["year"] = [y or iy for y, iy in zip(hh["year"], hh["identification_year"], strict=True)]
    for key, lo, hi in (("phone", 7, 12), ("bank_account", 12, 19)):
        out = hh[key] = [""] * m
        for k, value in enumerate(get(key)):
            if not value:
                continue
            digits = "".join(ch for ch in value if ch.isdigit())
            if digits and not lo <= len(digits) <= hi:
                err(k, key, _("%(label)s应为%(lo)d至%(hi)d位数字。") % {"label": LABELS[key], "lo": lo, "hi": hi})
            out[k] = digits
    return hh


def _facts(raw, facts, households, problems: Problems, where) -> dict[str, list[Any]]:
    """The year's housing, water, land and living facts through ``set_household_year``'s own validators.

    A blank cell is "not given" (the field's default, as when the action is called without it); a code
    may be written as its code, its label or a listed spelling; every other value goes to
    ``household_year_value`` once per distinct value, and each household's facts to
    ``check_household_year``.
    """
    out: dict[str, list[Any]] = {}
    for key in facts:
        if key in HOUSEHOLD_YEAR_CHOICES:
            spell = choice_lookup(HOUSEHOLD_YEAR_CHOICES[key], FACT_SPELLINGS.get(key))

            def convert(v, key=key, spell=spell):
                code = spell.get(v)
                if code is None:
                    raise ValidationError(
                        _("%(label)s“%(v)s”不在国家代码表中（可填代码或名称）。") % {"label": LABELS[key], "v": v[:20]}
                    )
                return household_year_value(key, code)
        else:

            def convert(v, key=key):
                return household_year_value(key, v)

        given = raw[key]
        out[key], refused = _by_distinct(given, lambda v, convert=convert: None if v == "" else convert(v))
        for k, message in refused:
            problems.add(where(k, key), key, message)
    if "housing_safety" in out or "housing_area" in out:
        for k in range(len(households)):
            given = {key: out[key][k] for key in ("housing_safety", "housing_area") if key in out}
            try:
                check_household_year(given)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    problems.add(where(k, key), key, " ".join(messages))
    return out


def per_capita(net: Decimal, size: int) -> Decimal:
    """A20 = A19 ÷ household size, rounded half up as ``set_household_year`` does."""
    return (net / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if size else Decimal("0.00")
