"""Programme records from a file: medical claims (医疗费用结算) and micro-loans (扶贫小额信贷).

The same stage → validate → preview → commit as the register, one record per row. The checks are the
programme actions' own: ``claim_amounts`` (the layers and self-paid part add up to the total) and the
member's being alive in the claim's year, as ``record_claim``; ``loan_terms`` (amount and term within
the year's standards of the household's village, due date), as ``issue_loan``. Each runs once per
distinct value or combination, and the commit writes the rows those actions would write, in bulk, with
one audit row for the batch (tests compare the rows with the actions').

A claim names its member by 公民身份号码 (the keyed hash, joined against the registry inside the commit's
transaction); a loan names its household by 户编号 or by the head's 公民身份号码. Rows already recorded
(the same member, date and amounts; the same household, bank, date and amount) are skipped, so a file
sent twice, or two exports that overlap, add nothing twice. Bank return files are not here: they are
reconciled against their payment batch by ``payments.actions.reconcile``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.core.bulk import insert_columns
from tuopin.core.crypto import lookup_hashes
from tuopin.core.idnumber import mask_id
from tuopin.payments.standards import standard_value
from tuopin.programmes.actions import common as pv
from tuopin.programmes.actions.care import LAYER_LABELS, claim_amounts
from tuopin.programmes.actions.credit import loan_terms
from tuopin.programmes.models import Institution, Loan, MedicalClaim
from tuopin.registry.models import Household, Member

from .idcolumn import id_column
from .schema import Bound, Column, Problems, bool_column, cached_column

C = Column
ID_SYNONYMS = ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号")
CLAIM_COLUMNS: tuple[Column, ...] = (
    C("id_number", "公民身份号码", (*ID_SYNONYMS, "参保人身份证号", "患者身份证号"), required=True),
    C("name", "姓名", ("患者姓名", "参保人姓名", "就诊人姓名")),
    C("settled_on", "结算日期", ("出院结算日期", "结算时间", "报销日期"), required=True),
    C("institution", "医疗机构", ("就诊医院", "定点医疗机构", "医院名称", "就诊机构", "医院")),
    C("inpatient", "住院", ("是否住院", "就诊类型", "住院或门诊")),
    C("total_cost", "医疗总费用（元）", ("医疗总费用", "总费用", "医疗费用总额"), required=True),
    C("basic_insurance", "基本医保报销", ("基本医保", "基本医疗保险报销", "新农合报销", "统筹支付")),
    C("serious_illness", "大病保险报销", ("大病保险", "大病保险支付")),
    C("medical_assistance", "医疗救助", ("民政医疗救助", "医疗救助支付")),
    C("supplementary", "补充保险", ("补充医疗保险", "商业补充保险")),
    C("fallback", "兜底保障", ("政府兜底", "兜底资金")),
    C("self_paid", "个人自付", ("个人自付费用", "个人负担", "自付金额")),
)
LOAN_COLUMNS: tuple[Column, ...] = (
    C("number", "户编号", ("户号", "贫困户编号", "家庭编号")),
    C("id_number", "户主公民身份号码", ("户主身份证号", "借款人身份证号", "借款人身份证号码", "借款人公民身份号码")),
    C("name", "户主姓名", ("借款人姓名", "借款人")),
    C("bank", "贷款银行", ("放款银行", "承贷银行", "经办银行"), required=True),
    C("amount", "贷款金额（元）", ("贷款金额", "放款金额"), required=True),
    C("issued_on", "发放日期", ("放款日期", "贷款发放日期"), required=True),
    C("term_months", "期限（月）", ("贷款期限", "期限", "贷款期限（月）"), required=True),
    C("rate", "年利率", ("贷款利率", "利率"), required=True),
    C("interest_subsidy", "财政贴息（元）", ("财政贴息", "贴息金额")),
    C("purpose", "用途", ("贷款用途",)),
)
INPATIENT_WORDS = {"住院": True, "门诊": False, "门诊慢病": False, "门诊特殊病": False}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def iso_date(value: str) -> str:
    """2019-5-1, 2019/05/01, 2019.5.1, 2019年5月1日 and 20190501 as 2019-05-01 (anything else unchanged,
    for ``programmes.actions.common.date`` to refuse)."""
    m = _DATE.match(value)
    if m:
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value.split(" ")[0] if len(value) > 10 and value[10] in " T" else value  # an Excel date and time


@dataclass
class RecordPlan:
    """A validated file of programme records: cleaned values per row, the registry rows they name."""

    kind: str  # "claims" | "loans"
    bound: Bound
    problems: Problems
    n: int
    values: dict[str, list[Any]]
    hashes: list[str]
    member: list[int | None] = field(default_factory=list)  # claims: the member's pk
    household: list[int | None] = field(default_factory=list)
    village: list[str] = field(default_factory=list)
    ready: list[dict[str, Any] | None] = field(default_factory=list)  # the row's fields as the action stores them
    existing: set[int] = field(default_factory=set)  # rows already recorded
    bad: set[int] = field(default_factory=set)

    def valid_rows(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.bad and i not in self.existing]


def _cells(bound: Bound, problems: Problems, kind: str) -> RecordPlan:
    """What the rows say by themselves: ID numbers, dates, amounts, yes/no — the actions' validators."""
    cols, n = bound.columns, bound.n
    blank = [""] * n
    today = timezone.localdate()
    flagged = {i for i, k, _m in problems.items if k == "id_number"}
    people = id_column(cols.get("id_number", blank), today, skip=flagged)
    for i, message in people.problems.items():
        if cols.get("id_number", blank)[i] or kind == "claims":
            problems.add(i, "id_number", message)
    valid = [i for i, v in enumerate(people.numbers) if v]
    hashes = [""] * n
    for i, h in zip(valid, lookup_hashes([people.numbers[i] for i in valid]), strict=True):
        hashes[i] = h
    values: dict[str, list[Any]] = {"id_mask": [mask_id(x) if x else "" for x in people.numbers]}
    for key in ("settled_on", "issued_on"):
        if key in cols:
            label = {"settled_on": _("结算日期"), "issued_on": _("发放日期")}[key]
            values[key] = cached_column(
                cols[key], key, lambda v, key=key, label=label: pv.date(iso_date(v), key, label), problems
            )
    if kind == "claims":
        values["inpatient"] = bool_column(
            cols.get("inpatient", blank), "inpatient", _("住院"), problems, default=True, words=INPATIENT_WORDS
        )
        layer_cols = [cols.get(k, blank) for k in ("total_cost", *LAYER_LABELS)]
        combos = list(zip(*layer_cols, strict=True))
        values["amounts"] = _distinct_combo(combos, problems)
    else:
        for key in ("bank", "amount", "term_months", "rate", "interest_subsidy", "purpose"):
            values[key] = cols.get(key, blank)
        if "number" not in cols and "id_number" not in cols:
            problems.fatal.append(_("缺少必需的列：户编号或户主公民身份号码（至少一列）。"))
    return RecordPlan(kind=kind, bound=bound, problems=problems, n=n, values=values, hashes=hashes)


def _distinct_combo(combos: list[tuple[str, ...]], problems: Problems) -> list[Any]:
    """``claim_amounts`` once per distinct (total, layers…) combination; a problem on the cell it names."""
    results: dict[tuple[str, ...], tuple[Any, dict[str, list[str]] | None]] = {}
    keys = ("total_cost", *LAYER_LABELS)
    for combo in set(combos):
        try:
            results[combo] = (claim_amounts(combo[0], dict(zip(keys[1:], combo[1:], strict=True))), None)
        except ValidationError as exc:
            results[combo] = (None, exc.message_dict)
    for i, combo in enumerate(combos):
        for key, messages in (results[combo][1] or {}).items():
            problems.add(i, key, " ".join(messages))
    return [results[combo][0] for combo in combos]


def validate_claims(bound: Bound, problems: Problems, *, actor: Any, progress=None) -> RecordPlan:
    """Cell checks of a claims file (nothing from the registry)."""
    return _cells(bound, problems, "claims")


def validate_loans(bound: Bound, problems: Problems, *, actor: Any, progress=None) -> RecordPlan:
    """Cell checks of a loans file (nothing from the registry)."""
    return _cells(bound, problems, "loans")


def _members_by_hash(hashes: set[str], actor: Any) -> dict[str, Member]:
    """The registry's member for each keyed hash inside the actor's jurisdiction: the current one, else the
    latest registered (a person who moved between households keeps old rows)."""
    out: dict[str, Member] = {}
    rows = Member.objects.visible_to(actor).select_related("household").order_by("is_current", "id")
    for chunk in _chunks(sorted(hashes), 5000):
        for m in rows.filter(id_hash__in=chunk):
            out[m.id_hash] = m  # ordered so the current (or latest) row is the last one kept
    return out


def _chunks(seq: list[str], size: int):
    for k in range(0, len(seq), size):
        yield seq[k : k + size]


def check_claims(plan: RecordPlan, actor: Any) -> None:
    """The claim's member in the registry (inside the jurisdiction, alive in the claim's year), its
    institution, and whether the same claim is already recorded."""
    cols, problems, n = plan.bound.columns, plan.problems, plan.n
    members = _members_by_hash({h for h in plan.hashes if h}, actor)
    names = cols.get("name", [""] * n)
    plan.member, plan.household, plan.village = [None] * n, [None] * n, [""] * n
    plan.ready, plan.existing = [None] * n, set()
    places = cols.get("institution", [""] * n)
    institution_of = _institutions(set(places) - {""})
    for i in range(n):
        h = plan.hashes[i]
        if not h:
            continue
        m = members.get(h)
        if m is None:
            problems.add(i, "id_number", _("成员不存在或不在您的管辖范围内。"))
            continue
        if names[i] and names[i] != m.name:
            problems.add(i, "name", _("姓名与登记的成员“%(n)s”不一致，请核对身份证号。") % {"n": m.name[:20]})
        settled, amounts = plan.values["settled_on"][i], plan.values["amounts"][i]
        if settled is not None:
            try:
                pv.living(m, settled.year, field="id_number")
            except ValidationError as exc:
                problems.add(i, "id_number", " ".join(exc.messages))
        institution = None
        if places[i]:
            institution, message = institution_of(places[i], m.household.village_id)
            if message:
                problems.add(i, "institution", message)
        plan.member[i], plan.household[i], plan.village[i] = m.pk, m.household_id, m.household.village_id
        if settled is not None and amounts is not None:
            total, parts = amounts
            plan.ready[i] = {
                "settled_on": settled,
                "year": settled.year,
                "institution_id": institution,
                "inpatient": plan.values["inpatient"][i],
                "total_cost": total,
                **parts,
            }
    _already_claimed(plan)
    _twice_in_file(
        plan, lambda i: (plan.member[i], *(plan.ready[i][k] for k in ("settled_on", "total_cost", "self_paid")))
    )
    plan.bad = problems.rows()


def _twice_in_file(plan: RecordPlan, key) -> None:
    """The same record on two rows of the file: a problem on the later one (never written twice)."""
    first: dict[tuple, int] = {}
    for i in range(plan.n):
        if plan.ready[i] is None or i in plan.existing:
            continue
        j = first.setdefault(key(i), i)
        if j != i:
            column = "id_number" if plan.kind == "claims" else "amount"
            message = _("同一条记录在文件中出现两次（另见第%(r)d行）。") % {"r": plan.bound.rownums[j]}
            plan.problems.add(i, column, message)


def _institutions(names: set[str]):
    """``find(name, village)`` → (institution pk or None, problem): the institution of that name whose region
    holds the village (the most local one), else the only one of that name anywhere."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    if names:
        for inst in Institution.objects.filter(name__in=names).select_related("region"):
            found[inst.name].append((inst.region.prefix, inst.pk))

    @lru_cache(maxsize=65536)
    def find(name: str, village: str) -> tuple[int | None, str]:
        candidates = found.get(name, [])
        local = sorted((len(p), pk) for p, pk in candidates if village.startswith(p))
        if local:
            return local[-1][1], ""
        if len(candidates) == 1:
            return candidates[0][1], ""
        if not candidates:
            return None, _("医疗机构“%(v)s”不存在，请先在定点医疗机构名录中登记。") % {"v": name[:30]}
        return None, _("医疗机构“%(v)s”有重名，无法确定是哪一家。") % {"v": name[:30]}

    return find


def _already_claimed(plan: RecordPlan) -> None:
    """Rows whose claim is already recorded (same member, date, total and self-paid part) are skipped."""
    rows = [i for i in range(plan.n) if plan.ready[i] is not None]
    if not rows:
        return
    keys = {(plan.member[i], plan.ready[i]["settled_on"]) for i in rows}
    have = set()
    for chunk in _chunks(sorted({k[0] for k in keys}), 5000):
        have |= set(
            MedicalClaim.objects.filter(member_id__in=chunk).values_list(
                "member_id", "settled_on", "total_cost", "self_paid"
            )
        )
    for i in rows:
        r = plan.ready[i]
        if (plan.member[i], r["settled_on"], r["total_cost"], r["self_paid"]) in have:
            plan.existing.add(i)


def check_loans(plan: RecordPlan, actor: Any) -> None:
    """The loan's household in the registry (by 户编号 or the head's ID number, inside the jurisdiction),
    its terms against the standards of its village and year (``loan_terms``), and whether it is already
    recorded."""
    cols, problems, n = plan.bound.columns, plan.problems, plan.n
    numbers = cols.get("number", [""] * n)
    visible = Household.objects.visible_to(actor)
    by_number = {}
    for chunk in _chunks(sorted(set(numbers) - {""}), 5000):
        by_number.update(
            {h.number: h for h in visible.filter(number__in=chunk).only("id", "number", "village_id", "head_name")}
        )
    members = _members_by_hash({h for h in plan.hashes if h}, actor)
    names = cols.get("name", [""] * n)
    standard = lru_cache(maxsize=4096)(standard_value)
    plan.household, plan.village, plan.ready, plan.existing = [None] * n, [""] * n, [None] * n, set()
    terms_cache: dict[tuple, tuple[Any, dict[str, list[str]] | None]] = {}
    for i in range(n):
        house = None
        if numbers[i]:
            house = by_number.get(numbers[i])
            if house is None:
                problems.add(i, "number", _("户不存在或不在您的管辖范围内。"))
                continue
        if plan.hashes[i]:
            m = members.get(plan.hashes[i])
            if m is None or (house is not None and m.household_id != house.pk):
                problems.add(i, "id_number", _("户主公民身份号码与户编号不符，或此人不在您的管辖范围内。"))
                continue
            house = house or m.household
        if house is None:
            if not plan.problems.fatal:
                problems.add(i, "number", _("请填写户编号或户主公民身份号码。"))
            continue
        if names[i] and names[i] != house.head_name:
            problems.add(i, "name", _("户主姓名与登记的“%(n)s”不一致。") % {"n": house.head_name[:20]})
        raw = tuple(plan.values[k][i] for k in ("bank", "amount", "term_months", "rate", "interest_subsidy", "purpose"))
        issued = plan.values["issued_on"][i]
        if issued is None:
            continue
        key = (house.village_id, issued, *raw)
        hit = terms_cache.get(key)
        if hit is None:
            bank, amount, term, rate, subsidy, purpose = raw
            try:
                hit = (
                    loan_terms(
                        house.village_id,
                        bank=bank,
                        amount=amount,
                        issued_on=issued,
                        term_months=term,
                        rate=rate,
                        interest_subsidy=subsidy,
                        purpose=purpose,
                        standard=standard,
                    ),
                    None,
                )
            except ValidationError as exc:
                hit = (None, exc.message_dict)
            terms_cache[key] = hit
        for k, messages in (hit[1] or {}).items():
            problems.add(i, k, " ".join(messages))
        plan.household[i], plan.village[i] = house.pk, house.village_id
        plan.ready[i] = hit[0]
    rows = [i for i in range(n) if plan.ready[i] is not None]
    have = set()
    for chunk in _chunks(sorted({plan.household[i] for i in rows}), 5000):
        have |= set(
            Loan.objects.filter(household_id__in=chunk).values_list("household_id", "bank", "issued_on", "amount")
        )
    for i in rows:
        r = plan.ready[i]
        if (plan.household[i], r["bank"], r["issued_on"], r["amount"]) in have:
            plan.existing.add(i)
    _twice_in_file(plan, lambda i: (plan.household[i], *(plan.ready[i][k] for k in ("bank", "issued_on", "amount"))))
    plan.bad = problems.rows()


def write_records(plan: RecordPlan, *, batch: Any, actor: Any, only_valid: bool, progress=None) -> dict[str, int]:
    """Insert the rows ``record_claim`` / ``issue_loan`` would insert, in bulk; returns the counts."""
    rows = plan.valid_rows() if only_valid else [i for i in range(plan.n) if i not in plan.existing]
    model = MedicalClaim if plan.kind == "claims" else Loan
    fields = sorted({k for i in rows for k in plan.ready[i]})
    columns: dict[str, Any] = {k: [plan.ready[i][k] for i in rows] for k in fields}
    columns["household_id"] = [plan.household[i] for i in rows]
    if plan.kind == "claims":
        columns["member_id"] = [plan.member[i] for i in rows]
    if progress:
        progress(0, 1)
    insert_columns(model, len(rows), columns)
    if progress:
        progress(1, 1)
    return {"records": len(rows), "skipped": plan.n - len(rows)}


def preview(plan: RecordPlan) -> list[dict[str, Any]]:
    """The first rows as they will be recorded — the ID masked."""
    cols = plan.bound.columns
    out = []
    for i in range(min(plan.n, 20)):
        r = plan.ready[i] if plan.ready else None
        row = {"行号": plan.bound.rownums[i], "公民身份号码": plan.values["id_mask"][i] or "（无）"}
        if plan.kind == "claims":
            row.update({"姓名": cols.get("name", [""] * plan.n)[i], "结算日期": str(r["settled_on"]) if r else ""})
            row["医疗总费用"] = str(r["total_cost"]) if r else ""
        else:
            row.update({"户编号": cols.get("number", [""] * plan.n)[i], "贷款金额": str(r["amount"]) if r else ""})
            row["到期日"] = str(r["due_on"]) if r else ""
        row["状态"] = "已登记，跳过" if i in plan.existing else ("有问题" if i in plan.bad else "待导入")
        out.append(row)
    return out


def counts(plan: RecordPlan) -> dict[str, int]:
    """Rows, records (one per row), rows without problems, rows already recorded."""
    return {
        "rows": plan.n,
        "households": plan.n,
        "valid_households": len(plan.valid_rows()),
        "existing_households": len(plan.existing),
    }


CLAIM_EXAMPLE = {
    "id_number": "（18位身份证号，设为文本）",
    "name": "王某某",
    "settled_on": "2019-05-01",
    "institution": "东辽县人民医院",
    "inpatient": "住院",
    "total_cost": "12000",
    "basic_insurance": "7000",
    "serious_illness": "2000",
    "medical_assistance": "1500",
    "supplementary": "300",
    "fallback": "200",
    "self_paid": "1000",
}
LOAN_EXAMPLE = {
    "number": "2204221012010001",
    "id_number": "（户主18位身份证号，可不填）",
    "name": "王某某",
    "bank": "吉林银行",
    "amount": "30000",
    "issued_on": "2019-05-01",
    "term_months": "36",
    "rate": "0.0435",
    "interest_subsidy": "1305",
    "purpose": "养殖",
}
__all__ = [
    "CLAIM_COLUMNS",
    "LOAN_COLUMNS",
    "RecordPlan",
    "validate_claims",
    "validate_loans",
    "check_claims",
    "check_loans",
    "write_records",
    "preview",
    "counts",
    "iso_date",
]
