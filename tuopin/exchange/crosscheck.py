"""Department cross-checks (数据比对) and internal checks: every match becomes a hit to verify, never a change.

A department's list is read like an import (same hostile-file checks), each row reduced to the keyed
hash of its ID number (the plaintext is never stored), a mask, name and dates, bulk-inserted, and
joined to the current members inside the operator's jurisdiction in SQL — one set-based join, so a
million rows against a million people is a hash join in the database. Rows without a usable ID are
matched by birth date (the block) and then by name in Python, pinyin-aware (同音字: 张玮/张伟), with a
confidence. Internal checks run over the registry alone: accounts shared across households, one
person in several households, same name and birth date current in two households, deceased yet current.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.bulk import insert_rows
from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import mask_id, parse_id_number
from tuopin.core.scoping import next_prefix, user_prefix

from .files import Limits, check_upload, read_table
from .households import fast_id
from .models import CrossCheckHit, CrossCheckRun, Department, DepartmentRow, HitRule
from .schema import Column, Problems, bind_header

DEPT_COLUMNS = (
    Column(
        "name", "姓名", ("人员姓名", "死者姓名", "车主姓名", "车主", "法定代表人", "产权人", "学生姓名", "参保人姓名")
    ),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号")),
    Column("birth_date", "出生日期", ("出生年月日",)),
    Column("event_date", "日期", ("死亡日期", "火化日期", "登记日期", "购买日期", "成立日期", "入职日期", "发生日期")),
    Column("detail", "说明", ("号牌号码", "车牌号", "企业名称", "单位名称", "房屋坐落", "学校名称", "备注", "事项")),
)
NAME_THRESHOLD = Decimal("0.60")


def _require(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(Capability.CROSS_CHECK):
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    prefix = user_prefix(actor)
    if not prefix:
        raise PermissionDenied(_("您没有管辖范围。"))
    return prefix


def _scope_sql(prefix: str, column: str) -> tuple[str, list[str]]:
    upper = next_prefix(prefix)
    if upper is None:
        return f"{column} >= %s", [prefix]
    return f"{column} >= %s AND {column} < %s", [prefix, upper]


def _date(value: str) -> dt.date | None:
    value = value.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").replace("日", "")
    if len(value) == 8 and value.isdigit():
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=200_000)
def pinyin_of(name: str) -> tuple[str, ...]:
    """Toneless pinyin per character, so homophones (张伟/张玮) meet."""
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(name))


def name_confidence(a: str, b: str) -> Decimal:
    """1.00 same name; 0.80 same pinyin (同音字); 0.60 same length with one character whose pinyin is
    one letter away (张伟/张为 typed from a similar syllable); else 0 — never a loose string ratio."""
    a, b = a.strip(), b.strip()
    if not a or not b or len(a) != len(b):
        return Decimal("0")
    if a == b:
        return Decimal("1.00")
    pa, pb = pinyin_of(a), pinyin_of(b)
    if pa == pb:
        return Decimal("0.80")
    differing = [(x, y) for x, y in zip(pa, pb, strict=False) if x != y]
    if len(pa) == len(pb) and len(differing) == 1 and a[0] == b[0]:
        x, y = differing[0]
        if x.isalpha() and y.isalpha() and difflib.SequenceMatcher(None, x, y).ratio() >= 0.8:
            return Decimal("0.60")
    return Decimal("0")


def run_department(*, actor: Any, path: Path, filename: str, department: str) -> CrossCheckRun:
    """Match a department's list against the current members inside the actor's jurisdiction."""
    prefix = _require(actor)
    if department not in Department.values:
        raise ValidationError({"department": _("未知的部门数据类型。")})
    started = time.perf_counter()
    kind = check_upload(path, filename, Limits.from_settings())
    table = read_table(path, kind)
    problems = Problems()
    bound = bind_header(table, DEPT_COLUMNS, problems, scan=10)
    if bound is None or ("id_number" not in bound.positions and not {"name", "birth_date"} <= set(bound.positions)):
        raise ValidationError(_("部门数据须有“公民身份号码”列，或同时有“姓名”和“出生日期”列。"))
    import hashlib

    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()  # provenance of the list, as for imports
    today = timezone.localdate()
    cols, blank = bound.columns, [""] * bound.n
    ids, names, births, events, details = (
        cols.get(k, blank) for k in ("id_number", "name", "birth_date", "event_date", "detail")
    )
    with transaction.atomic():
        run = CrossCheckRun.objects.create(
            kind="department",
            department=department,
            filename=Path(filename).name[:255],
            file_hash=file_hash,
            operator=actor,
            region_code=actor.jurisdiction_id,
        )

        def rows():
            for i in range(bound.n):
                raw, h, m, birth = ids[i], "", "", _date(births[i]) if births[i] else None
                parsed = fast_id(raw, today) if raw else None
                if parsed is None and raw:
                    try:
                        p = parse_id_number(raw)
                        parsed = (p.number, p.birth_date, p.gender)
                    except ValidationError:
                        parsed = None  # an unusable number: fall back to name and birth date
                if parsed is not None:
                    h, m, birth = lookup_hash(parsed[0]), mask_id(parsed[0]), parsed[1]
                yield (
                    run.pk,
                    bound.rownums[i],
                    h,
                    m,
                    names[i][:64],
                    birth,
                    _date(events[i]) if events[i] else None,
                    details[i][:200],
                )

        q = connection.ops.quote_name
        n = insert_rows(
            q(DepartmentRow._meta.db_table),
            [q(c) for c in ("run_id", "rownum", "id_hash", "id_mask", "name", "birth_date", "event_date", "detail")],
            rows(),
        )
        label = str(Department(department).label).split("：")[0]
        scope, params = _scope_sql(prefix, "h.village_id")
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO exchange_crosscheckhit (run_id, rule, household_id, member_id, region_code, method, confidence,"  # noqa: S608 - scope is built from digits by _scope_sql
                " source_rownum, detail, disposition, reason) "
                "SELECT d.run_id, %s, m.household_id, m.id, h.village_id, 'id', 1.00, d.rownum, "
                " substr(%s || d.detail, 1, 300), 'open', '' "
                "FROM exchange_departmentrow d JOIN registry_member m ON m.id_hash = d.id_hash AND m.is_current "
                f"JOIN registry_household h ON h.id = m.household_id WHERE d.run_id = %s AND d.id_hash <> '' AND {scope}",  # noqa: S608
                [HitRule.DEPARTMENT, f"{label}：", run.pk, *params],
            )
            by_id = cur.rowcount
            cur.execute(
                "SELECT d.rownum, d.name, d.detail, m.id, m.name, m.household_id, h.village_id "  # noqa: S608
                "FROM exchange_departmentrow d JOIN registry_member m ON m.birth_date = d.birth_date AND m.is_current "
                f"JOIN registry_household h ON h.id = m.household_id WHERE d.run_id = %s AND d.id_hash = '' AND {scope}",  # noqa: S608
                [run.pk, *params],
            )
            candidates = cur.fetchall()
        by_name = []
        for rownum, dname, detail, mid, mname, hid, village in candidates:
            conf = name_confidence(dname, mname)
            if conf >= NAME_THRESHOLD:
                by_name.append(
                    CrossCheckHit(
                        run=run,
                        rule=HitRule.DEPARTMENT,
                        household_id=hid,
                        member_id=mid,
                        region_code=village,
                        method="name_birth",
                        confidence=conf,
                        source_rownum=rownum,
                        detail=(f"{label}：{detail}（按姓名“{dname}”和出生日期匹配，无身份证号）")[:300],
                    )
                )
        CrossCheckHit.objects.bulk_create(by_name, batch_size=5000)
        run.rows, run.matched_by_id, run.matched_by_name = n, by_id, len(by_name)
        run.hits, run.status, run.seconds = by_id + len(by_name), "done", round(time.perf_counter() - started, 3)
        run.save()
        audit.record(
            actor,
            "crosscheck.run",
            obj=run,
            summary=f"{label}比对：{n}行，疑点{run.hits}个",
            changes={
                "file_hash": file_hash,
                "rows": n,
                "by_id": by_id,
                "by_name": len(by_name),
                "department": department,
            },
        )
    return run


INTERNAL_SQL = {
    HitRule.SHARED_ACCOUNT: (
        "SELECT h.id, CAST(NULL AS bigint), h.village_id, 'internal', 1.00, %s FROM registry_household h WHERE {scope} AND h.bank_account_hash IN ("
        " SELECT h2.bank_account_hash FROM registry_household h2 WHERE h2.bank_account_hash <> '' AND {scope2}"
        " GROUP BY h2.bank_account_hash HAVING COUNT(*) > 1)",
        "同一银行账号被多户使用",
    ),
    HitRule.DUPLICATE_PERSON: (
        "SELECT m.household_id, m.id, h.village_id, 'internal', 1.00, %s FROM registry_member m "
        "JOIN registry_household h ON h.id = m.household_id WHERE {scope} AND m.id_hash IN ("
        " SELECT m2.id_hash FROM registry_member m2 JOIN registry_household h2 ON h2.id = m2.household_id WHERE {scope2}"
        " GROUP BY m2.id_hash HAVING COUNT(DISTINCT m2.household_id) > 1 AND SUM(CASE WHEN m2.is_current THEN 1 ELSE 0 END) > 0)",
        "同一身份证号在多户中登记",
    ),
    HitRule.SAME_NAME_BIRTH: (
        "SELECT m.household_id, m.id, h.village_id, 'internal', 0.60, %s FROM registry_member m "
        "JOIN registry_household h ON h.id = m.household_id JOIN ("
        " SELECT m2.name AS n, m2.birth_date AS b FROM registry_member m2 JOIN registry_household h2 ON h2.id = m2.household_id"
        " WHERE m2.is_current AND {scope2} GROUP BY m2.name, m2.birth_date HAVING COUNT(DISTINCT m2.household_id) > 1"
        ") d ON d.n = m.name AND d.b = m.birth_date WHERE m.is_current AND {scope}",
        "姓名和出生日期相同的人在多户在册（身份证号不同，可能重复登记）",
    ),
    HitRule.DECEASED_CURRENT: (
        "SELECT m.household_id, m.id, h.village_id, 'internal', 1.00, %s FROM registry_member m "
        "JOIN registry_household h ON h.id = m.household_id WHERE {scope} AND m.is_current AND m.deceased_on IS NOT NULL",
        "已登记死亡日期但仍在册",
    ),
}


def run_internal(*, actor: Any) -> CrossCheckRun:
    """The registry's own checks inside the actor's jurisdiction (payments join here once they exist)."""
    prefix = _require(actor)
    started = time.perf_counter()
    scope, params = _scope_sql(prefix, "h.village_id")
    scope2, params2 = _scope_sql(prefix, "h2.village_id")
    counts: dict[str, int] = {}
    with transaction.atomic():
        run = CrossCheckRun.objects.create(kind="internal", operator=actor, region_code=actor.jurisdiction_id)
        with connection.cursor() as cur:
            for rule, (select, detail) in INTERNAL_SQL.items():
                sql = select.format(scope=scope, scope2=scope2)
                args = [detail]
                for name in re.findall(r"\{(scope2?)\}", select):  # placeholders in the order they appear
                    args += params if name == "scope" else params2
                cur.execute(
                    "INSERT INTO exchange_crosscheckhit (household_id, member_id, region_code, method, confidence, detail,"  # noqa: S608
                    f" run_id, rule, disposition, reason) SELECT s.*, %s, %s, 'open', '' FROM ({sql}) s",  # noqa: S608
                    [run.pk, rule, *args],  # the outer SELECT's two placeholders precede the subquery's
                )
                counts[rule] = cur.rowcount
        run.hits, run.status, run.seconds = sum(counts.values()), "done", round(time.perf_counter() - started, 3)
        run.save()
        audit.record(actor, "crosscheck.internal", obj=run, summary=f"内部比对：疑点{run.hits}个", changes=counts)
    return run
