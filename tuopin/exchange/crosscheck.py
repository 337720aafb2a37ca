"""Department cross-checks (数据比对) and internal checks: every match becomes a hit to verify, never a change.

A department's list is read like an import (same hostile-file checks), each row reduced to the keyed
hash of its ID number (the plaintext is never stored; two processes for a large list), staged in a
temporary table and joined to the current members inside the operator's jurisdiction in SQL — one
set-based join, so a million rows against a million people is a hash join in the database. Rows
without a usable ID are matched by name and birth date: the same name in SQL, then homophones (同音字:
张玮/张伟) among the people born that day, with a confidence. Internal checks run over the registry alone: accounts shared across households, one
person in several households, same name and birth date current in two households, deceased yet current.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shutil
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.bulk import bulk_session, paused_gc
from tuopin.core.crypto import lookup_key
from tuopin.core.scoping import next_prefix, user_prefix

from . import fraud
from .actions import _hash_file, staging_dir
from .digest import digest_ids
from .files import Limits, check_upload, read_table
from .models import CrossCheckHit, CrossCheckRun, Department, HitRule
from .schema import Column, Problems, bind_header

DEPT_COLUMNS = (
    Column(
        "name", "姓名", ("人员姓名", "死者姓名", "车主姓名", "车主", "法定代表人", "产权人", "学生姓名", "参保人姓名")
    ),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号")),
    Column("birth_date", "出生日期", ("出生年月日",)),
    Column("event_date", "日期", ("死亡日期", "火化日期", "登记日期", "购买日期", "成立日期", "入职日期", "发生日期")),
    Column("detail", "说明", ("号牌号码", "车牌号", "企业名称", "单位名称", "房屋坐落", "学校名称", "备注", "事项")),
    Column("address", "住址", ("家庭住址", "现住址", "居住地址", "户籍地址")),
)
# Lists whose people's relatives must not be enrolled (优亲厚友): households at the same address are hits too.
ADDRESS_DEPARTMENTS = (Department.CADRES, Department.PAYROLL)
MIN_ADDRESS = 6  # characters: "一组" or "本村" would match half the village
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


class _Clock:
    """Wall time of each phase of a run (kept on the run object for the benchmark, not stored)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # this process's CPU time: what a busy machine does not inflate
        self._t, self._c = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps[name], self.cpu[name] = round(now - self._t, 3), round(cpu - self._c, 3)
        self._t, self._c = now, cpu


STAGE = "exchange_cc_stage"  # a temporary table: the list lives only for the length of the run
STAGE_COLUMNS = ("rownum", "id_hash", "id_mask", "name", "birth_date", "event_date", "detail", "address")


def _stage(cur: Any, rows: list[tuple]) -> None:
    """Create the temporary table of the department's rows and fill it: COPY of pre-formatted text on
    PostgreSQL (one write per 50k rows, not one adaptation per value), ``executemany`` on SQLite."""
    temp = "ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL work_mem = '256MB'")  # the join's hash table of a million keys, in one batch
        # A run is re-runnable from its file: a crash in the instant after commit loses the run and its
        # audit row together (never one without the other), and the commit does not wait for the flush.
        cur.execute("SET LOCAL synchronous_commit = off")
    cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cur.execute(
        f"CREATE TEMPORARY TABLE {STAGE} (rownum integer, id_hash varchar(64), id_mask varchar(18), name varchar(64),"
        f" birth_date date, event_date date, detail varchar(200), address varchar(200)) {temp}"
    )
    if connection.vendor != "postgresql":
        cur.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)  # noqa: S608 - constant name
        return
    with cur.cursor.copy(f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
        for at in range(0, len(rows), 50_000):
            copy.write("".join([_copy_line(r) for r in rows[at : at + 50_000]]))
    cur.execute(f"ANALYZE {STAGE}")  # temporary tables get no autovacuum statistics; the join plan needs them


def _copy_line(r: tuple) -> str:
    """One staged row as a line of COPY text: NULL as \\N, text escaped, dates in ISO form."""
    birth = "\\N" if r[4] is None else r[4].isoformat()
    event = "\\N" if r[5] is None else r[5].isoformat()
    return f"{r[0]}\t{r[1]}\t{r[2]}\t{_escape(r[3])}\t{birth}\t{event}\t{_escape(r[6])}\t{_escape(r[7])}\n"


@lru_cache(maxsize=65536)
def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


NAMES = "exchange_cc_names"  # the rows without a usable number, while they are matched by name


def _name_hits(cur: Any, run: CrossCheckRun, scope: str, params: list[str], label: str) -> int:
    """Rows without a usable ID number, matched by name and birth date: the same name and birth date in
    SQL (1.00), each row probing the registry's name index; then, for the rows left, the people born
    that day whose name has the same length, scored in Python by pinyin (同音字). Those rows wait in a
    small indexed table of their own, so the registry is walked once from the jurisdiction's households.
    ``CROSS JOIN`` fixes both orders on SQLite, whose planner knows nothing of a fresh temporary table;
    PostgreSQL plans them as it likes."""
    temp = "ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    cur.execute(f"DROP TABLE IF EXISTS {NAMES}")
    cur.execute(
        f"CREATE TEMPORARY TABLE {NAMES} {temp} AS SELECT rownum, name, birth_date, detail FROM {STAGE}"  # noqa: S608
        " WHERE id_hash = '' AND birth_date IS NOT NULL"
    )
    cur.execute(f"CREATE INDEX {NAMES}_birth ON {NAMES} (birth_date, name)")
    cur.execute(f"ANALYZE {NAMES}")
    walk = (
        f"FROM registry_household h CROSS JOIN registry_member m CROSS JOIN {NAMES} d "
        f"WHERE {scope} AND m.household_id = h.id AND m.is_current AND d.birth_date = m.birth_date"
    )
    note = "（按姓名“' || d.name || '”和出生日期匹配，无身份证号）"
    # The same name: each row looks its namesakes up in the registry's name index (a few thousand
    # probes, not a walk of the registry).
    cur.execute(
        "INSERT INTO exchange_crosscheckhit (run_id, rule, household_id, member_id, region_code, method, confidence,"  # noqa: S608
        " source_rownum, detail, disposition, reason) "
        f"SELECT %s, %s, m.household_id, m.id, h.village_id, 'name_birth', 1.00, d.rownum,"
        f" substr(%s || d.detail || '{note}', 1, 300), 'open', '' "
        f"FROM {NAMES} d CROSS JOIN registry_member m CROSS JOIN registry_household h "
        f"WHERE m.name = d.name AND m.birth_date = d.birth_date AND m.is_current AND h.id = m.household_id"
        f" AND {scope}",
        [run.pk, HitRule.DEPARTMENT, f"{label}：", *params],
    )
    exact = cur.rowcount
    cur.execute(
        f"DELETE FROM {NAMES} WHERE rownum IN (SELECT x.source_rownum FROM exchange_crosscheckhit x"  # noqa: S608
        " WHERE x.run_id = %s)",
        [run.pk],
    )
    cur.execute(
        f"SELECT d.rownum, d.name, d.detail, m.id, m.name, m.household_id, h.village_id {walk}"  # noqa: S608
        " AND length(m.name) = length(d.name) AND m.name <> d.name",
        params,
    )
    fuzzy = []
    for rownum, dname, detail, mid, mname, hid, village in cur.fetchall():
        conf = name_confidence(dname, mname)
        if conf >= NAME_THRESHOLD:
            fuzzy.append(
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
    CrossCheckHit.objects.bulk_create(fuzzy, batch_size=5000)
    cur.execute(f"DROP TABLE IF EXISTS {NAMES}")
    return exact + len(fuzzy)


def _address_hits(cur: Any, run: CrossCheckRun, scope: str, params: list[str], label: str) -> int:
    """Households at the address of someone on the list (a cadre, a public employee) that no ID hit of
    this run already named: a relative enrolled, perhaps (优亲厚友). Addresses compared without spaces."""
    cur.execute(
        "INSERT INTO exchange_crosscheckhit (run_id, rule, household_id, member_id, region_code, method, confidence,"  # noqa: S608
        " source_rownum, detail, disposition, reason) "
        "SELECT %s, %s, h.id, NULL, h.village_id, 'address', 0.80, d.rownum,"
        " substr(%s || '与名单中的' || d.name || '同住址（' || d.address || '）', 1, 300), 'open', '' "
        f"FROM {STAGE} d JOIN registry_household h ON replace(replace(h.address, ' ', ''), '　', '') = d.address "
        f"WHERE length(d.address) >= %s AND {scope} AND NOT EXISTS (SELECT 1 FROM exchange_crosscheckhit x"
        " WHERE x.run_id = %s AND x.household_id = h.id)",
        [run.pk, HitRule.DEPARTMENT, f"{label}：", MIN_ADDRESS, *params, run.pk],
    )
    return cur.rowcount


def run_department(
    *, actor: Any, path: Path, filename: str, department: str, run: CrossCheckRun | None = None
) -> CrossCheckRun:
    """Match a department's list against the current members inside the actor's jurisdiction.

    The ID column is reduced to keyed hashes (two processes for a large list), the rows are staged in a
    temporary table and joined to ``registry_member.id_hash`` in one ``INSERT … SELECT``; rows without
    a usable number are matched by name and birth date. Only the rows that produced a hit are kept
    (``DepartmentRow``, the evidence for whoever verifies): the rest of the list is other people's data
    that tuopin has no reason to hold. ``run`` is a queued run to fill in (the API's background job).
    No cyclic garbage collection runs meanwhile: the list's million cells live until the end.
    """
    with paused_gc():
        return _run_department(actor=actor, path=path, filename=filename, department=department, run=run)


def _run_department(
    *, actor: Any, path: Path, filename: str, department: str, run: CrossCheckRun | None
) -> CrossCheckRun:
    """The body of :func:`run_department`."""
    prefix = _require(actor)
    if department not in Department.values:
        raise ValidationError({"department": _("未知的部门数据类型。")})
    clock = _Clock()
    started = time.perf_counter()
    if run is not None:  # visible to whoever polls while the matching transaction is still open
        CrossCheckRun.objects.filter(pk=run.pk).update(status="running")
    kind = check_upload(path, filename, Limits.from_settings())
    table = read_table(path, kind)
    bound = bind_header(table, DEPT_COLUMNS, Problems(), scan=10)
    if bound is None or ("id_number" not in bound.positions and not {"name", "birth_date"} <= set(bound.positions)):
        # The column names are the departments' Chinese headers (data formats), whatever the interface language.
        raise ValidationError(
            _("部门数据须有“%(id)s”列，或同时有“%(name)s”和“%(birth)s”列。")
            % {"id": "公民身份号码", "name": "姓名", "birth": "出生日期"}
        )
    file_hash = _hash_file(path)  # provenance of the list, as for imports
    clock.lap("read")
    cols, blank = bound.columns, [""] * bound.n
    ids, names, births, events, details, addresses = (
        cols.get(k, blank) for k in ("id_number", "name", "birth_date", "event_date", "detail", "address")
    )
    by_address = department in ADDRESS_DEPARTMENTS
    hashes, masks, id_births = digest_ids(ids, lookup_key(), timezone.localdate())
    clock.lap("hash")
    dates: dict[str, dt.date | None] = {"": None}
    staged = []
    for i in range(bound.n):
        h = hashes[i]
        if h:
            birth, mask = id_births[i], masks[i]
        else:
            raw = births[i]
            birth = dates[raw] if raw in dates else dates.setdefault(raw, _date(raw))
            mask = ""
        address = "".join(addresses[i].split())[:200] if by_address else ""
        if not h and birth is None and len(address) < MIN_ADDRESS:
            continue  # no usable number, birth date or address: nothing to match on
        raw = events[i]
        event = dates[raw] if raw in dates else dates.setdefault(raw, _date(raw))
        staged.append((bound.rownums[i], h, mask, names[i][:64], birth, event, details[i][:200], address))
    del hashes, masks, id_births
    clock.lap("rows")
    with translation.override("zh-hans"):  # part of the hits' details, stored in Chinese
        label = str(Department(department).label).split("：")[0]
    scope, params = _scope_sql(prefix, "h.village_id")
    with transaction.atomic(), bulk_session():  # SQLite: a page cache for the hit table's four indexes
        if run is None:
            run = CrossCheckRun(kind="department", operator=actor, region_code=actor.jurisdiction_id)
        run.department, run.filename, run.file_hash = department, Path(filename).name[:255], file_hash
        run.status = "running"
        run.save()
        with connection.cursor() as cur:
            _stage(cur, staged)
            del staged
            clock.lap("stage")
            cur.execute(
                "INSERT INTO exchange_crosscheckhit (run_id, rule, household_id, member_id, region_code, method,"  # noqa: S608 - scope is built from digits by _scope_sql
                " confidence, source_rownum, detail, disposition, reason) "
                "SELECT %s, %s, m.household_id, m.id, h.village_id, 'id', 1.00, d.rownum, substr(%s || d.detail"
                " || COALESCE('（' || CAST(d.event_date AS varchar(10)) || '）', ''), 1, 300), 'open', '' "
                f"FROM {STAGE} d JOIN registry_member m ON m.id_hash = d.id_hash AND m.is_current "
                f"JOIN registry_household h ON h.id = m.household_id WHERE d.id_hash <> '' AND {scope}",
                [run.pk, HitRule.DEPARTMENT, f"{label}：", *params],
            )
            by_id = cur.rowcount
            clock.lap("join")
            by_name = _name_hits(cur, run, scope, params, label)
            by_home = _address_hits(cur, run, scope, params, label) if by_address else 0
            clock.lap("names")
            cur.execute(
                f"INSERT INTO exchange_departmentrow (run_id, {', '.join(STAGE_COLUMNS)})"  # noqa: S608
                f" SELECT %s, {', '.join('d.' + c for c in STAGE_COLUMNS)} FROM {STAGE} d WHERE d.rownum IN"
                " (SELECT x.source_rownum FROM exchange_crosscheckhit x WHERE x.run_id = %s)",
                [run.pk, run.pk],
            )
            cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
            clock.lap("evidence")
        run.rows, run.matched_by_id, run.matched_by_name = bound.n, by_id, by_name
        run.hits, run.status, run.seconds = by_id + by_name + by_home, "done", round(time.perf_counter() - started, 3)
        run.save()
        audit.record(
            actor,
            "crosscheck.run",
            obj=run,
            summary=f"{label}比对：{bound.n}行，疑点{run.hits}个",
            changes={
                "file_hash": file_hash,
                "rows": bound.n,
                "by_id": by_id,
                "by_name": by_name,
                "by_address": by_home,
                "department": department,
            },
        )
    clock.lap("commit")
    run.phases, run.phases_cpu = clock.laps, clock.cpu
    return run


def staged_list(run: CrossCheckRun) -> Path:
    """Where a queued run's department list waits for its background job (a server-made name)."""
    return staging_dir() / f"crosscheck-{run.pk}"


def queue_department(*, actor: Any, source: Path, filename: str, department: str) -> CrossCheckRun:
    """Check a department's list at upload (hostile or disguised files are refused at once) and record
    a queued run; :func:`execute_queued` matches it in the background."""
    _require(actor)
    if department not in Department.values:
        raise ValidationError({"department": _("未知的部门数据类型。")})
    check_upload(source, filename, Limits.from_settings())
    with transaction.atomic():
        run = CrossCheckRun.objects.create(
            kind="department",
            department=department,
            filename=Path(filename).name[:255],
            file_hash=_hash_file(source),
            operator=actor,
            region_code=actor.jurisdiction_id,
            status="queued",
        )
        shutil.copyfile(source, staged_list(run))
        audit.record(
            actor,
            "crosscheck.queue",
            obj=run,
            summary=f"上传部门数据 {run.filename}，等待比对",
            changes={"file_hash": run.file_hash, "department": department},
        )
    return run


def execute_queued(run: CrossCheckRun, *, actor: Any) -> CrossCheckRun:
    """Match a queued run's list; a refusal (bad columns, a file that fails its checks) is recorded on
    the run as "failed" with the reason, for whoever polls it. The staged list is removed either way."""
    path = staged_list(run)
    try:
        return run_department(actor=actor, path=path, filename=run.filename, department=run.department, run=run)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        CrossCheckRun.objects.filter(pk=run.pk).update(status="failed", message=message[:500])
        run.refresh_from_db()
        return run
    finally:
        path.unlink(missing_ok=True)


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


INSERT_HITS = (
    "INSERT INTO exchange_crosscheckhit (household_id, member_id, region_code, method, confidence, detail,"
    " run_id, rule, disposition, reason) SELECT s.*, %s, %s, 'open', '' FROM ({sql}) s"
)


def run_internal(*, actor: Any) -> CrossCheckRun:
    """The registry's own checks inside the actor's jurisdiction, and the fraud patterns over payments,
    procedures and the audit trail (``fraud.RULES``): each an ``INSERT … SELECT`` of flags to verify."""
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
                # the outer SELECT's two placeholders precede the subquery's
                cur.execute(INSERT_HITS.format(sql=sql), [run.pk, rule, *args])
                counts[rule] = cur.rowcount
            for rule, builders in fraud.RULES.items():
                counts[rule] = 0
                for build in builders:
                    rows = build(prefix)
                    if isinstance(rows, list):  # computed per assessment run, not per household
                        counts[rule] += len(CrossCheckHit.objects.bulk_create(fraud.hit_objects(run, rule, rows)))
                        continue
                    sql, args = rows.query.sql_with_params()
                    cur.execute(INSERT_HITS.format(sql=sql), [run.pk, rule, *args])
                    counts[rule] += cur.rowcount
        run.hits, run.status, run.seconds = sum(counts.values()), "done", round(time.perf_counter() - started, 3)
        run.save()
        audit.record(actor, "crosscheck.internal", obj=run, summary=f"内部比对：疑点{run.hits}个", changes=counts)
    return run
