"""The 贫困户登记表 row-schema: one row per member, household columns repeated (as the national export).

Validation is column-wise and set-based, and applies exactly the rules of ``registry.actions``
(``create_household`` with its members, then ``set_household_year``):

* ID numbers: a fast path accepts only numbers that ``parse_id_number`` accepts, with the same parsed
  result (a property test holds them together); any other value goes through ``parse_id_number``
  itself, so the messages are the action's own. Gender and birth date are cross-checked with the ID.
* Codes: ``check_choice`` semantics — a value must be a national code; labels and listed synonyms
  are accepted as spellings of a code. ``check_causes`` for the causes; ``to_money`` for incomes;
  务工时间 0–12; years 2013–next year (``_check_year``); one head per household; the person not
  current in another household (the partial unique index stays the final guard, as for the action).
* Jurisdiction: the village must be a village inside the importer's jurisdiction.

The commit writes the same rows the actions would (household, its first status-history row, members,
member years, household year with net income and its per-capita value) with bulk inserts inside one
transaction, and one audit row for the batch instead of one per household (design decision recorded in
docs/decisions.md). Households already registered with exactly the same members are not touched (the
same file twice adds nothing); for them only a missing year is added.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import _known_division, parse_id_number
from tuopin.core.scoping import user_prefix
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry import choices as c
from tuopin.registry.validation import check_causes, to_money

from .schema import (
    Bound,
    Column,
    Problems,
    bool_column,
    cached_column,
    choice_lookup,
    code_column,
    int_range,
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
)
LABELS = {col.key: col.label for col in COLUMNS}
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
RELATION_SYNONYMS.update({str(label)[1:]: code for code, label in c.Relation.choices if str(label).startswith("之")})
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


@lru_cache(maxsize=4096)
def _birth(ymd: str, today: dt.date) -> dt.date | None:
    try:
        birth = dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        return None
    return birth if birth <= today and birth.year >= 1890 else None


@lru_cache(maxsize=8192)
def _division(code: str) -> bool:
    return _known_division(code)


def fast_id(value: str, today: dt.date) -> tuple[str, dt.date, str] | None:
    """(number, birth date, gender) when ``value`` is a plain valid 18-character number, else None.

    Accepts a subset of what ``parse_id_number`` accepts, with the same result; None sends the value
    to ``parse_id_number`` itself (legacy 15-digit numbers, separators, lower-case x, every error).
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
    """A validated file: per row values and per household groupings, ready to commit."""

    bound: Bound
    problems: Problems
    n: int
    number: list[str]
    hh_rows: dict[str, list[int]]  # household number → its row indices, file order
    hh_values: dict[str, dict[str, Any]]  # household number → cleaned household fields
    ids: list[str | None]
    births: list[dt.date | None]
    genders: list[str]
    hashes: list[str]
    member_values: dict[str, list[Any]]
    existing: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)  # number → (pk, hash → member pk)
    existing_years: set[str] = field(default_factory=set)  # numbers whose year is already recorded
    bad_households: set[str] = field(default_factory=set)
    orphan_rows: set[int] = field(default_factory=set)

    def valid_households(self) -> list[str]:
        return [h for h in self.hh_rows if h not in self.bad_households]


def _year(label: str, *, blank_ok: bool):
    return int_range(label, 2013, timezone.localdate().year + 1, blank=0 if blank_ok else None)


def validate(bound: Bound, problems: Problems, *, actor: Any, progress=None) -> Plan:
    """Check every cell and every cross-row rule; returns a :class:`Plan` (problems recorded inside)."""
    cols, n = bound.columns, bound.n
    blank = [""] * n

    def col(key: str) -> list[str]:
        return cols.get(key, blank)

    today = timezone.localdate()
    number = col("number")
    for i, v in enumerate(number):
        if not v:
            problems.add(i, "number", _("缺少户编号：成员行必须属于一户。"))
        elif len(v) > 20:
            problems.add(i, "number", _("户编号不能超过20个字符。"))
    # --- identity: ID number, gender and birth date cross-checked, name required -------------------
    ids: list[str | None] = [None] * n
    births: list[dt.date | None] = [None] * n
    genders = [""] * n
    hashes = [""] * n
    gender_lookup = choice_lookup(c.Gender, GENDER_SYNONYMS)
    raw_ids, raw_gender, raw_birth, names = col("id_number"), col("gender"), col("birth_date"), col("name")
    flagged = {i for i, k, _m in problems.items if k == "id_number"}  # e.g. an ID Excel stored as a number
    for i in range(n):
        if i in flagged:
            continue
        parsed = fast_id(raw_ids[i], today)
        if parsed is None:
            try:
                p = parse_id_number(raw_ids[i])
            except ValidationError as exc:
                problems.add(i, "id_number", " ".join(exc.messages))
                continue
            parsed = (p.number, p.birth_date, p.gender)
        number_i, birth, gender = parsed
        ids[i], births[i], genders[i] = number_i, birth, gender
        hashes[i] = lookup_hash(number_i)
        g = raw_gender[i]
        if g and gender_lookup.get(g, g) != gender:
            problems.add(i, "gender", _("性别与公民身份号码不符（号码显示为%(g)s）。") % {"g": c.Gender(gender).label})
        b = raw_birth[i]
        if b and b.replace("/", "-").replace(".", "-") != birth.isoformat() and b != birth.strftime("%Y%m%d"):
            problems.add(
                i, "birth_date", _("出生日期与公民身份号码不符（号码显示为%(d)s）。") % {"d": birth.isoformat()}
            )
        if not names[i]:
            problems.add(i, "name", _("请填写姓名。"))
        elif len(names[i]) > 64:
            problems.add(i, "name", _("姓名不能超过64个字符。"))
        if progress and i % 50000 == 0:
            progress(i, n)
    # the same person twice in the file
    first_row: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h:
            j = first_row.setdefault(h, i)
            if j != i:
                problems.add(i, "id_number", _("同一人在文件中出现两次（另见第%(r)d行）。") % {"r": bound.rownums[j]})
    # --- member codes and yearly facts --------------------------------------------------------------
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
    # --- households: fields consistent across the household's rows ---------------------------------
    hh_rows: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(number):
        if h:
            hh_rows[h].append(i)
    present = [k for k in HOUSEHOLD_KEYS if k in cols]
    hh_raw: dict[str, dict[str, str]] = {}
    for h, rows in hh_rows.items():
        raw: dict[str, str] = {}
        for k in present:
            values = cols[k]
            for i in rows:
                v = values[i]
                if not v:
                    continue  # a blank on a later member row means "as above" (merged cells, national export)
                if k not in raw:
                    raw[k] = v
                    raw[k + "@"] = str(i)
                elif raw[k] != v:
                    problems.add(
                        i,
                        k,
                        _("同一户的“%(label)s”前后不一致（第%(r)d行为“%(v)s”）。")
                        % {"label": LABELS[k], "r": bound.rownums[int(raw[k + "@"])], "v": raw[k][:20]},
                    )
        hh_raw[h] = raw
    hh_values = _households(hh_raw, hh_rows, mv["relation"], names, problems, actor=actor)
    plan = Plan(
        bound=bound,
        problems=problems,
        n=n,
        number=number,
        hh_rows=dict(hh_rows),
        hh_values=hh_values,
        ids=ids,
        births=births,
        genders=genders,
        hashes=hashes,
        member_values=mv,
    )
    _against_registry(plan, actor)
    plan.bad_households = {number[i] for i in problems.rows() if number[i]}
    plan.orphan_rows = {i for i in range(n) if not number[i]}
    return plan


def _first_row(raw: dict[str, str], key: str, rows: list[int]) -> int:
    return int(raw.get(key + "@", rows[0]))


def _households(hh_raw, hh_rows, relations, names, problems: Problems, *, actor: Any) -> dict[str, dict[str, Any]]:
    """Household-level checks: village and jurisdiction, codes, causes, years, incomes, exactly one head."""
    villages = _resolve_villages(hh_raw, hh_rows, problems, actor=actor)
    std = choice_lookup(c.IdentificationStandard, STANDARD_SYNONYMS)
    cat = choice_lookup(c.HouseholdCategory, CATEGORY_SYNONYMS)
    causes = choice_lookup(c.PovertyCause)
    ident_year = _year(LABELS["identification_year"], blank_ok=False)
    data_year = _year(LABELS["year"], blank_ok=True)
    money_cache: dict[tuple[str, str], Any] = {}
    cause_cache: dict[tuple[str, tuple[str, ...]], Any] = {}
    out: dict[str, dict[str, Any]] = {}
    for h, raw in hh_raw.items():
        rows = hh_rows[h]
        v: dict[str, Any] = {
            "village": villages.get(h),
            "group": raw.get("group", "")[:32],
            "bank_name": raw.get("bank_name", "")[:64],
        }

        def err(key: str, message: str, raw=raw, rows=rows) -> None:
            problems.add(_first_row(raw, key, rows), key, message)

        heads = [i for i in rows if relations[i] == c.Relation.HEAD]
        if len(heads) != 1:
            problems.add(rows[0], "relation", _("每户必须有且只有一名户主（本户%(n)d名）。") % {"n": len(heads)})
        elif raw.get("head_name") and raw["head_name"] != names[heads[0]]:
            # The register derives 户主姓名 from the head's row; a different name means a wrong row or head.
            err(
                "head_name",
                _("户主姓名“%(a)s”与关系为户主的成员“%(b)s”不一致。")
                % {"a": raw["head_name"][:20], "b": names[heads[0]][:20]},
            )
        for key, lookup, default in (("identification_standard", std, "1"), ("category", cat, "1")):
            value = raw.get(key, "")
            v[key] = lookup.get(value) if value else default
            if v[key] is None:
                err(
                    key,
                    _("%(label)s“%(v)s”不在国家代码表中（可填代码或名称）。") % {"label": LABELS[key], "v": value[:20]},
                )
        main = raw.get("main_cause", "")
        others = [x for x in raw.get("other_causes", "").translate(CAUSE_SPLIT).split("、") if x]
        cause_key = (main, tuple(others))
        hit = cause_cache.get(cause_key)
        if hit is None:  # check_causes once per distinct combination: a file has a few dozen
            try:
                hit = (check_causes(causes.get(main, main) if main else "", [causes.get(x, x) for x in others]), None)
            except ValidationError as exc:
                hit = (None, exc.message_dict)
            cause_cache[cause_key] = hit
        v["causes"] = hit[0]
        for key, messages in (hit[1] or {}).items():
            err("main_cause" if key == "main_cause" else "other_causes", " ".join(messages))
        for key, conv in (("identification_year", ident_year), ("year", data_year)):
            try:
                v[key] = conv(raw.get(key, ""))
            except ValidationError as exc:
                err(key, " ".join(exc.messages))
        v["year"] = v.get("year") or v.get("identification_year")  # create_household: year or ident_year
        for key in INCOME_KEYS:
            value = raw.get(key, "")
            hit = money_cache.get((key, value))
            if hit is None:
                try:
                    hit = (to_money(key, value, LABELS[key]), None)
                except ValidationError as exc:
                    hit = (None, " ".join(exc.messages))
                money_cache[(key, value)] = hit
            if hit[1]:
                err(key, hit[1])
            v[key] = hit[0]
        for key, lo, hi in (("phone", 7, 12), ("bank_account", 12, 19)):
            digits = "".join(ch for ch in raw.get(key, "") if ch.isdigit())
            if digits and not lo <= len(digits) <= hi:
                err(key, _("%(label)s应为%(lo)d至%(hi)d位数字。") % {"label": LABELS[key], "lo": lo, "hi": hi})
            v[key] = digits
        out[h] = v
    return out


def _resolve_villages(hh_raw, hh_rows, problems: Problems, *, actor: Any) -> dict[str, str]:
    """Household number → village code, from 行政村代码 or from the names 县/乡镇/行政村; outside the
    importer's jurisdiction (or not a village) is an error on that row."""
    prefix = user_prefix(actor) or "\uffff"
    codes = {raw["village_code"] for raw in hh_raw.values() if raw.get("village_code")}
    names = {raw["village"] for raw in hh_raw.values() if raw.get("village") and not raw.get("village_code")}
    known = {r.code: r for r in Region.objects.filter(code__in=codes)} if codes else {}
    by_name: dict[str, list[Region]] = defaultdict(list)
    if names:
        for r in Region.objects.filter(name__in=names, level=Level.VILLAGE).select_related("parent__parent"):
            by_name[r.name].append(r)
    out: dict[str, str] = {}
    for h, raw in hh_raw.items():
        rows = hh_rows[h]
        code = raw.get("village_code", "")
        if code:
            key = "village_code"
            region = known.get(code.ljust(12, "0") if code.isdigit() else code)
            if region is None:
                problems.add(_first_row(raw, key, rows), key, _("行政村代码“%(c)s”不存在。") % {"c": code[:20]})
                continue
            if region.level != Level.VILLAGE:
                problems.add(
                    _first_row(raw, key, rows), key, _("“%(n)s”不是行政村，户籍必须落在村一级。") % {"n": region.name}
                )
                continue
        elif raw.get("village"):
            key = "village"
            candidates = [
                r
                for r in by_name.get(raw["village"], [])
                if (not raw.get("town") or (r.parent and r.parent.name == raw["town"]))
                and (not raw.get("county") or (r.parent and r.parent.parent and r.parent.parent.name == raw["county"]))
            ]
            if not candidates:
                problems.add(
                    _first_row(raw, key, rows),
                    key,
                    _("找不到行政村“%(v)s”（请核对县、乡镇、村名称，或填写行政村代码）。") % {"v": raw["village"][:20]},
                )
                continue
            if len(candidates) > 1:
                problems.add(
                    _first_row(raw, key, rows),
                    key,
                    _("行政村“%(v)s”有重名，请填写乡镇和县，或填写行政村代码。") % {"v": raw["village"][:20]},
                )
                continue
            region = candidates[0]
        else:
            problems.add(rows[0], "village", _("请填写行政村（名称或代码）。"))
            continue
        if not region.code.startswith(prefix):
            problems.add(
                _first_row(raw, key, rows), key, _("行政村“%(n)s”不在您的管辖范围内，不能导入。") % {"n": region.name}
            )
            continue
        out[h] = region.code
    return out


def _against_registry(plan: Plan, actor: Any) -> None:
    """Set-based checks against the registry: household numbers already used, people already current.

    The file's keyed hashes and numbers go into temporary tables and are joined, so a million rows cost
    two joins, not a million lookups.
    """
    n, hashes, number, problems = plan.n, plan.hashes, plan.number, plan.problems
    prefix = user_prefix(actor) or "\uffff"
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS exchange_tmp_keys")
        cur.execute("CREATE TEMPORARY TABLE exchange_tmp_keys (k varchar(64) NOT NULL, pos integer NOT NULL)")
        rows = [(h, i) for i, h in enumerate(hashes) if h]
        rows += [(h, -1) for h in plan.hh_rows]
        _bulk_tmp(cur, rows)
        cur.execute(
            "SELECT t.pos, m.id, h.id, h.number, h.village_id FROM exchange_tmp_keys t "
            "JOIN registry_member m ON m.id_hash = t.k AND m.is_current "
            "JOIN registry_household h ON h.id = m.household_id WHERE t.pos >= 0"
        )
        current = {pos: (mid, hid, hno, village) for pos, mid, hid, hno, village in cur.fetchall()}
        cur.execute(
            "SELECT h.number, h.id FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k WHERE t.pos = -1"
        )
        taken = dict(cur.fetchall())
        year_of = {h: v.get("year") for h, v in plan.hh_values.items()}
        if taken:
            cur.execute(
                "SELECT h.number, y.year FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k "
                "JOIN registry_householdyear y ON y.household_id = h.id WHERE t.pos = -1"
            )
            plan.existing_years = {no for no, y in cur.fetchall() if y == year_of.get(no)}
            cur.execute(
                "SELECT h.number, m.id_hash, m.id FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k "
                "JOIN registry_member m ON m.household_id = h.id AND m.is_current WHERE t.pos = -1"
            )
            registered: dict[str, dict[str, int]] = defaultdict(dict)
            for no, h, mid in cur.fetchall():
                registered[no][h] = mid
        cur.execute("DROP TABLE exchange_tmp_keys")
    for i in range(n):
        hit = current.get(i)
        if hit is None:
            continue
        _mid, _hid, hno, village = hit
        if hno == number[i]:
            continue  # the same person in the same household: a re-import, checked below
        if village.startswith(prefix):
            message = _("此人已在户%(no)s中登记，一人只能在一户中在册。") % {"no": hno}
        else:  # the action's wording: never say where someone is registered outside the clerk's jurisdiction
            message = _("此人已在其他地区的建档立卡户中登记，一人只能在一户中在册；如需迁入请联系上级审核。")
        problems.add(i, "id_number", message)
    for no, pk in taken.items():
        rows = plan.hh_rows[no]
        in_file = {hashes[i] for i in rows if hashes[i]}
        if set(registered.get(no, {})) == in_file and in_file:
            plan.existing[no] = (pk, registered[no])
        else:
            problems.add(
                rows[0],
                "number",
                _("户编号%(no)s已存在，且成员与已登记的不一致；导入只新增户和年度数据，修改成员请在户详情页办理。")
                % {"no": no},
            )


def _bulk_tmp(cur, rows: list[tuple[str, int]]) -> None:
    if connection.vendor == "postgresql":
        with cur.cursor.copy("COPY exchange_tmp_keys (k, pos) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany("INSERT INTO exchange_tmp_keys (k, pos) VALUES (%s, %s)", rows)
    cur.execute("CREATE INDEX exchange_tmp_keys_k ON exchange_tmp_keys (k)")


def per_capita(net: Decimal, size: int) -> Decimal:
    """A20 = A19 ÷ household size, rounded half up as ``set_household_year`` does."""
    return (net / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if size else Decimal("0.00")
