"""What the household import reads from the database: the villages of the file, and the registry.

:func:`resolve_villages` maps each household's 行政村代码 (or its 县/乡镇/行政村 names) to a village inside
the importer's jurisdiction — once per distinct spelling, not per household. :func:`check_registry`
joins the file's keyed hashes and household numbers against the registry in temporary tables (two
joins for a million rows, not a million lookups); it runs in the preview and again inside the commit's
transaction, so the commit sees the registry as it is at commit.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import gettext as _

from tuopin.core.bulk import copy_escape
from tuopin.core.scoping import user_prefix
from tuopin.geo.choices import Level
from tuopin.geo.models import Region

from .schema import Problems

if TYPE_CHECKING:
    from .households import Plan

__all__ = ["resolve_villages", "check_registry"]


def resolve_villages(raw, households, hh_rows, problems: Problems, where, *, actor: Any) -> list[str | None]:
    """Village code per household (``None`` with a problem when unknown, ambiguous, not a village or
    outside the importer's jurisdiction)."""
    m = len(households)

    def get(key: str) -> list[str]:
        return raw.get(key) or [""] * m

    prefix = user_prefix(actor) or "\uffff"
    code_col, village_col, town_col, county_col = get("village_code"), get("village"), get("town"), get("county")
    keys = list(zip(code_col, village_col, town_col, county_col, strict=True))
    codes = {k[0].ljust(12, "0") if k[0].isdigit() else k[0] for k in keys if k[0]}
    names = {k[1] for k in keys if k[1] and not k[0]}
    known = {r.code: r for r in Region.objects.filter(code__in=codes)} if codes else {}
    by_name: dict[str, list[Region]] = defaultdict(list)
    if names:
        for r in Region.objects.filter(name__in=names, level=Level.VILLAGE).select_related("parent__parent"):
            by_name[r.name].append(r)

    def resolve(key: tuple[str, str, str, str]) -> tuple[str | None, str, str]:
        """(village code, column of the problem, problem) for one spelling of a village."""
        code, village, town, county = key
        if code:
            column = "village_code"
            region = known.get(code.ljust(12, "0") if code.isdigit() else code)
            if region is None:
                return None, column, _("行政村代码“%(c)s”不存在。") % {"c": code[:20]}
            if region.level != Level.VILLAGE:
                return None, column, _("“%(n)s”不是行政村，户籍必须落在村一级。") % {"n": region.name}
        elif village:
            column = "village"
            candidates = [
                r
                for r in by_name.get(village, [])
                if (not town or (r.parent and r.parent.name == town))
                and (not county or (r.parent and r.parent.parent and r.parent.parent.name == county))
            ]
            if not candidates:
                message = _("找不到行政村“%(v)s”（请核对县、乡镇、村名称，或填写行政村代码）。") % {"v": village[:20]}
                return None, column, message
            if len(candidates) > 1:
                return None, column, _("行政村“%(v)s”有重名，请填写乡镇和县，或填写行政村代码。") % {"v": village[:20]}
            region = candidates[0]
        else:
            return None, "", _("请填写行政村（名称或代码）。")
        if not region.code.startswith(prefix):
            return None, column, _("行政村“%(n)s”不在您的管辖范围内，不能导入。") % {"n": region.name}
        return region.code, column, ""

    cache: dict[tuple[str, str, str, str], tuple[str | None, str, str]] = {}
    out: list[str | None] = [None] * m
    for k, key in enumerate(keys):
        hit = cache.get(key) or cache.setdefault(key, resolve(key))
        out[k], column, message = hit
        if message:
            if column:
                problems.add(where(k, column), column, message)
            else:
                problems.add(hh_rows[households[k]][0], "village", message)
    return out


def check_registry(plan: Plan, actor: Any) -> None:
    """Set-based checks against the registry: household numbers already used, people already current;
    then which households carry a problem (those are left out by "valid rows only")."""
    hashes, number, problems = plan.hashes, plan.number, plan.problems
    prefix = user_prefix(actor) or "\uffff"
    registered: dict[str, dict[str, int]] = defaultdict(dict)
    plan.existing, plan.existing_years = {}, set()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS exchange_tmp_keys")
        cur.execute("CREATE TEMPORARY TABLE exchange_tmp_keys (k varchar(64) NOT NULL, pos integer NOT NULL)")
        people = [i for i, h in enumerate(hashes) if h]
        _bulk_tmp(cur, [hashes[i] for i in people] + plan.households, people + [-1] * len(plan.households))
        cur.execute(
            "SELECT t.pos, h.number, h.village_id FROM exchange_tmp_keys t "
            "JOIN registry_member m ON m.id_hash = t.k AND m.is_current "
            "JOIN registry_household h ON h.id = m.household_id WHERE t.pos >= 0"
        )
        current = {pos: (hno, village) for pos, hno, village in cur.fetchall()}
        cur.execute(
            "SELECT h.number, h.id FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k WHERE t.pos = -1"
        )
        taken = dict(cur.fetchall())
        if taken:
            year_of = dict(zip(plan.households, plan.hh["year"], strict=True))
            cur.execute(
                "SELECT h.number, y.year FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k "
                "JOIN registry_householdyear y ON y.household_id = h.id WHERE t.pos = -1"
            )
            plan.existing_years = {no for no, y in cur.fetchall() if y == year_of.get(no)}
            cur.execute(
                "SELECT h.number, m.id_hash, m.id FROM exchange_tmp_keys t JOIN registry_household h ON h.number = t.k "
                "JOIN registry_member m ON m.household_id = h.id AND m.is_current WHERE t.pos = -1"
            )
            for no, h, mid in cur.fetchall():
                registered[no][h] = mid
        cur.execute("DROP TABLE exchange_tmp_keys")
    for i, (hno, village) in current.items():
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
    plan.bad_households = {number[i] for i in problems.rows() if number[i]}


def _bulk_tmp(cur, keys: list[str], positions: list[int]) -> None:
    if connection.vendor == "postgresql":
        keys = [copy_escape(k) for k in keys] if any(ch in "".join(keys) for ch in "\\\t\n\r") else keys
        with cur.cursor.copy("COPY exchange_tmp_keys (k, pos) FROM STDIN") as copy:
            copy.write("".join(map("{}\t{}\n".format, keys, positions)))
        cur.execute("ANALYZE exchange_tmp_keys")  # the planner's choice of join depends on the file's size
    else:
        cur.executemany("INSERT INTO exchange_tmp_keys (k, pos) VALUES (%s, %s)", zip(keys, positions, strict=True))
