"""Write the scenario into the database: one transaction, bulk statements only, one audit row.

Entity rows (regions, households, members, status changes) go in with ``executemany`` on SQLite
and ``COPY`` on PostgreSQL; the yearly rows are cut out of packed texts by one ``INSERT … SELECT``
per block and table (see ``years``). Generation runs in a second process at larger scales, so
numpy and the encryption of ID numbers overlap with the database writes on a 2-core machine.
"""

# SQL here is assembled only from fixed table and column names and integers, never from input.
# ruff: noqa: S608

from __future__ import annotations

import gc
import multiprocessing as mp
import time
import traceback
from collections.abc import Iterator
from typing import Any, TextIO

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from tuopin.core import audit

from . import params as p
from .build import (
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    PACKED_HOUSEHOLD_COLUMNS,
    PACKED_MEMBER_COLUMNS,
    STATUS_COLUMNS,
    Builder,
    Chunk,
)
from .packing import HOUSEHOLD_WORDS, MEMBER_WORDS, select_expressions, word_columns

REGISTRY_TABLES = (
    "registry_memberyear",
    "registry_householdyear",
    "registry_householdstatuschange",
    "registry_member",
    "registry_household",
)
COLUMNS = {
    "registry_household": HOUSEHOLD_COLUMNS,
    "registry_member": MEMBER_COLUMNS,
    "registry_householdstatuschange": STATUS_COLUMNS,
    "tmp_scenario_hy": PACKED_HOUSEHOLD_COLUMNS,
    "tmp_scenario_my": PACKED_MEMBER_COLUMNS,
}


class ScenarioExists(Exception):
    """The database already holds registry data; seeding again would duplicate it."""


def _years_sql() -> str:
    values = ", ".join(f"({y})" for y in p.YEARS)
    return f"(SELECT column1 AS yr FROM (VALUES {values}) AS v) AS yrs"


def _word_sql(words) -> str:
    cols = []
    for k in range(len(words)):
        whens = " ".join(f"WHEN {y} THEN t.w{k}_{y}" for y in p.YEARS)
        cols.append(f"CASE yrs.yr {whens} END AS w{k}")
    return ", ".join(cols)


def expand_sql() -> tuple[str, str]:
    """The two INSERT … SELECT statements that unpack the yearly words into rows."""
    hy = select_expressions(HOUSEHOLD_WORDS, "s")
    my = select_expressions(MEMBER_WORDS, "s")
    household_years = (
        f'INSERT INTO registry_householdyear (household_id, "year", {", ".join(chr(34) + c + chr(34) for c, _ in hy)}) '
        f"SELECT s.hid, s.yr, {', '.join(e for _, e in hy)} FROM (SELECT t.hid AS hid, yrs.yr AS yr, "
        f"{_word_sql(HOUSEHOLD_WORDS)} FROM tmp_scenario_hy t CROSS JOIN {_years_sql()} "
        "WHERE yrs.yr >= t.first_year) AS s"
    )
    member_years = (
        f'INSERT INTO registry_memberyear (member_id, household_id, "year", {", ".join(chr(34) + c + chr(34) for c, _ in my)}) '
        f"SELECT s.mid, s.hid, s.yr, {', '.join(e for _, e in my)} FROM (SELECT t.mid AS mid, t.hid AS hid, "
        f"yrs.yr AS yr, {_word_sql(MEMBER_WORDS)} FROM tmp_scenario_my t CROSS JOIN {_years_sql()} "
        "WHERE yrs.yr BETWEEN t.first_year AND t.last_year) AS s"
    )
    return household_years, member_years


class Writer:
    """Bulk writes through the driver connection underneath Django's (same transaction)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.cur = self.raw.cursor()

    def execute(self, sql: str, params: Any = ()) -> None:
        """Run one statement (placeholders written as ``%s``)."""
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        self.cur.execute(sql, params)

    def rows(self, table: str, columns: tuple[str, ...], data: list) -> None:
        """Insert column-wise data into ``table``."""
        cols = [c.tolist() if isinstance(c, np.ndarray) else c for c in data]
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            with self.cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in zip(*cols, strict=True):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', zip(*cols, strict=True))

    def upsert_regions(self, regions: list[tuple]) -> None:
        """Create villages/towns; an existing synthetic region takes the scenario's name, a real one is kept."""
        sql = (
            "INSERT INTO geo_region (code, name, level, parent_id, is_synthetic) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE geo_region.is_synthetic"
        )
        if self.vendor == "sqlite":
            self.cur.executemany(sql.replace("%s", "?"), regions)
        else:
            self.cur.executemany(sql, regions)

    def max_id(self, table: str) -> int:
        """Largest id in ``table`` (0 when empty)."""
        self.cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        return int(self.cur.fetchone()[0])


def _produce(args: tuple, blocks: list[int], queue: Any) -> None:
    """Worker process: build blocks in order and hand them to the loader."""
    try:
        builder = Builder(*args)
        for b in blocks:
            queue.put(builder.build(b))
        queue.put(None)
    except BaseException:  # noqa: BLE001 - the loader re-raises it with the worker's traceback
        queue.put(RuntimeError("scenario generator failed:\n" + traceback.format_exc()))


def _chunks(args: tuple, n_blocks: int, parallel: bool) -> Iterator[Chunk]:
    if not parallel or n_blocks < 2:
        builder = Builder(*args)
        for b in range(n_blocks):
            yield builder.build(b)
        return
    ctx = mp.get_context("fork")
    queue = ctx.Queue(maxsize=3)
    proc = ctx.Process(target=_produce, args=(args, list(range(n_blocks)), queue), daemon=True)
    proc.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        proc.join()
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join()


def _other_references() -> list[str]:
    """Tables outside the registry that point at households or members and hold rows."""
    from tuopin.registry.models import Household, Member

    found = []
    for model in (Household, Member):
        for rel in model._meta.related_objects:
            related = rel.related_model
            if related._meta.app_label != "registry" and related._base_manager.exists():
                found.append(related._meta.label)
    return found


def _wipe(writer: Writer) -> None:
    refs = _other_references()
    if refs:
        raise ScenarioExists(f"不能清空登记数据：以下数据仍引用建档立卡户或成员：{', '.join(sorted(set(refs)))}")
    for table in REGISTRY_TABLES:
        writer.execute(f'DELETE FROM "{table}"')


def _populations(codes: list[str], pops: list[np.ndarray]) -> list[tuple]:
    """Village populations plus their sums for towns, counties and the city (every year)."""
    village = np.concatenate(pops, axis=0)
    out: dict[str, np.ndarray] = {}
    for code, row in zip(codes, village, strict=True):
        out[code] = row
        for parent in (code[:9] + "000", code[:6] + "000000", p.CITY_CODE):
            out[parent] = out.get(parent, 0) + row
    return [(code, y, int(v[j])) for code, v in out.items() for j, y in enumerate(p.YEARS)]


def _sqlite_bulk_mode(on: bool) -> None:
    """Faster, non-durable settings for the load (SQLite ignores these PRAGMAs inside a transaction).

    A rollback journal instead of WAL writes the new pages once (WAL would write them twice: to
    the log, then at the checkpoint); it needs exclusive use, so with other connections open the
    database simply stays in WAL mode.
    """
    with connection.cursor() as cur:
        if on:
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-2000000", "temp_store=MEMORY"):
                cur.execute(f"PRAGMA {pragma}")
            cur.execute("PRAGMA journal_mode=DELETE")
        else:
            cur.execute("PRAGMA journal_mode=WAL")
            for pragma in ("foreign_keys=ON", "synchronous=NORMAL", "cache_size=-2000"):
                cur.execute(f"PRAGMA {pragma}")


BULK_TABLES = (
    "registry_household",
    "registry_member",
    "registry_householdyear",
    "registry_memberyear",
    "registry_householdstatuschange",
)


def _drop_secondary_indexes() -> list[str]:
    """Drop the SQLite indexes of the big registry tables; return the statements that recreate them."""
    marks = ", ".join(["%s"] * len(BULK_TABLES))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            list(BULK_TABLES),
        )
        found = cur.fetchall()
        for name, _sql in found:
            cur.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def seed_liaoyuan_2019(
    scale: int = 1,
    seed: int = 2019,
    stdout: TextIO | None = None,
    *,
    reset: bool = False,
    households: int | None = None,
    parallel: bool | None = None,
) -> dict[str, Any]:
    """Generate the Liaoyuan 2019 demo city and return its counts.

    ``scale`` multiplies villages (6,000 households each unit); ``households`` overrides the
    households per unit (tests use a smaller city). Refuses when registry data exists unless
    ``reset`` (which wipes registry rows first, in the same transaction).
    """
    from tuopin.registry.models import Household

    if not 1 <= scale <= p.MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {p.MAX_SCALE}")
    per_block = households or p.HOUSEHOLDS_PER_BLOCK
    started = time.perf_counter()
    existing = Household.objects.count()
    if existing and not reset:
        raise ScenarioExists(
            f"数据库中已有{existing}户建档立卡数据，未重复生成。如需重新生成演示数据，请使用 --reset（将先清空登记数据）。"
        )
    connection.ensure_connection()
    bulk = connection.vendor == "sqlite" and not connection.in_atomic_block
    if parallel is None:
        parallel = scale >= 4
    if bulk:
        _sqlite_bulk_mode(True)
    # Millions of short-lived rows make the cyclic GC rescan the chunk lists over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with transaction.atomic():
            # Into empty tables, building the secondary indexes once at the end (a sort) is faster than
            # updating them row by row; recreating the unique ones re-checks uniqueness, so nothing is lost.
            deferred = _drop_secondary_indexes() if bulk and not existing else []
            counts = _load(scale, seed, per_block, reset and existing > 0, parallel, stdout, started)
            for sql in deferred:
                with connection.cursor() as cur:
                    cur.execute(sql)
    finally:
        if gc_was_enabled:
            gc.enable()
        if bulk:
            _sqlite_bulk_mode(False)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    if stdout is not None:
        stdout.write(
            f"辽源市2019演示数据：{counts['households']}户，{counts['members']}人，"
            f"{counts['villages']}个村，用时{counts['seconds']}秒\n"
        )
    return counts


def _load(scale, seed, per_block, wipe, parallel, stdout, started) -> dict[str, Any]:
    writer = Writer()
    if wipe:
        _wipe(writer)
    temp_pk = " PRIMARY KEY" if writer.vendor == "sqlite" else ""
    hy_words = ", ".join(f"{col} BIGINT" for col in word_columns(HOUSEHOLD_WORDS))
    my_words = ", ".join(f"{col} BIGINT" for col in word_columns(MEMBER_WORDS))
    writer.execute(f"CREATE TEMP TABLE tmp_scenario_hy (hid INTEGER{temp_pk}, first_year INTEGER, {hy_words})")
    writer.execute(
        f"CREATE TEMP TABLE tmp_scenario_my (mid INTEGER{temp_pk}, hid INTEGER, first_year INTEGER, "
        f"last_year INTEGER, {my_words})"
    )
    hy_sql, my_sql = expand_sql()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    args = (seed, per_block, writer.max_id("registry_household") + 1, writer.max_id("registry_member") + 1, now)
    totals: dict[str, int] = {}
    codes, pops = [], []
    for chunk in _chunks(args, scale, parallel):
        writer.upsert_regions(chunk.regions)
        for table in ("registry_household", "registry_member", "registry_householdstatuschange"):
            writer.rows(table, COLUMNS[table], chunk.tables[table])
        writer.rows("tmp_scenario_hy", COLUMNS["tmp_scenario_hy"], chunk.tables["tmp_scenario_hy"])
        writer.rows("tmp_scenario_my", COLUMNS["tmp_scenario_my"], chunk.tables["tmp_scenario_my"])
        writer.execute(hy_sql)
        writer.execute(my_sql)
        writer.execute("DELETE FROM tmp_scenario_hy")
        writer.execute("DELETE FROM tmp_scenario_my")
        codes += chunk.village_codes
        pops.append(chunk.village_population)
        for k, v in chunk.counts.items():
            totals[k] = totals.get(k, 0) + v
        if stdout is not None and scale >= 10 and (chunk.block + 1) % max(scale // 10, 1) == 0:
            stdout.write(f"  {chunk.block + 1}/{scale} 批，{time.perf_counter() - started:.0f}秒\n")
    writer.execute("DROP TABLE tmp_scenario_hy")
    writer.execute("DROP TABLE tmp_scenario_my")

    writer.execute("DELETE FROM geo_regionpopulation WHERE region_id LIKE %s AND year BETWEEN %s AND %s",
                   ("2204%", p.FIRST_YEAR, p.LAST_YEAR))  # fmt: skip
    population = _populations(codes, pops)
    writer.rows(
        "geo_regionpopulation",
        ("region_id", "year", "rural_population"),
        [list(c) for c in zip(*population, strict=True)],
    )
    totals["population_rows"] = len(population)
    totals["rural_population_2019"] = int(next(v for c, y, v in population if c == p.CITY_CODE and y == p.LAST_YEAR))
    if writer.vendor == "postgresql":
        for table in ("registry_household", "registry_member"):
            writer.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
    # Fresh statistics after a bulk load: without them the planner guesses row counts from an empty
    # table and picks sequential scans for every lookup (the DHIS2 lesson, scale.md §3).
    for table in (*BULK_TABLES, "geo_region", "geo_regionpopulation"):
        writer.execute(f'ANALYZE "{table}"')
    totals.update(scale=scale, seed=seed, households_per_unit=per_block, reset=bool(wipe))
    audit.record(
        None,
        "scenario.seed",
        object_type="scenario",
        object_id=p.SCENARIO,
        region_code=p.CITY_CODE,
        summary=f"生成演示数据“辽源市2019”（规模{scale}，种子{seed}）：{totals['households']}户{totals['members']}人",
        changes=totals,
    )
    return totals
