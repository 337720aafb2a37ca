"""Benchmark: import of the 贫困户登记表 (member rows) from CSV and xlsx, against django-import-export.

    python bench/bench_import.py --db postgres --csv 100000,1000000 --xlsx 100000 --baseline 2000 --repeat 3
    python bench/bench_import.py --db sqlite   --csv 100000,1000000 --xlsx 100000 --baseline 2000 --repeat 3

Each run is a fresh database (a temporary SQLite file, or a PostgreSQL database named ``importspeed_*``,
dropped afterwards) in a child process: migrate, load the reference regions, add 200 synthetic villages
and a county approver, write the file (households of 3, valid synthetic ID numbers, the yearly housing,
water and land facts), then time the import as a clerk does it: ``stage_import``, ``validate_batch``
(the preview: every cell, every cross-row rule, the registry joins) and ``commit_batch`` (one
transaction: the registry joins again, encryption of every ID number and keyed hash, the bulk writes,
the audit row). ``--cold`` removes the preview's validated cells before the commit, so the commit
validates every cell again (as when the regions changed since the preview).

Figures per run (JSON lines): wall seconds and rows/s of the preview, of the commit and of the whole
job (stage + preview + commit: the file to committed rows), the commit's phases (from the progress
reports), CPU seconds of this process and of the PostgreSQL backend (load-independent: the machine is
shared), peak RSS. The baseline imports the first ``--baseline`` rows of another file with
django-import-export (a HouseholdResource, then a MemberResource doing the same ID parsing and
encryption per row) in the same process and database, and the ratio is per row. With ``--repeat`` the
last line per size is the median of the runs.

``--floor`` then measures what the schema itself costs (:func:`floor`): the rows the import wrote,
read back in the database's own format, written again into the emptied tables in one transaction with
no Python per row — on PostgreSQL once as is and once without the foreign-key triggers. The import
can approach that figure, never pass it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
HEADER = [
    "行政村代码",
    "村民小组",
    "户编号",
    "户主姓名",
    "识别标准",
    "贫困户属性",
    "主要致贫原因",
    "其他致贫原因",
    "识别年度",
    "数据年度",
    "姓名",
    "性别",
    "公民身份号码",
    "与户主关系",
    "民族",
    "文化程度",
    "健康状况",
    "劳动能力",
    "务工状况",
    "务工时间",
    "低保",
    "参加医保",
    "参加养老保险",
    "工资性收入",
    "转移性收入",
    "生产经营费用支出",
    "住房面积",
    "住房结构",
    "住房安全等级",
    "饮水来源",
    "人均日供水量（升）",
    "水质达标",
    "自来水入户",
    "取水往返时间（分钟）",
    "年缺水天数",
    "耕地面积（亩）",
    "通生活用电",
    "入户路类型",
]


def village_codes() -> list[str]:
    return [f"220422101{k:03d}" for k in range(300, 500)]


def rows(n: int, address: str = "220422", prefix: str = "B"):
    """n member rows: households of 3 (head, spouse, child) with unique valid ID numbers."""
    from stdnum.cn import ric

    villages = village_codes()
    import datetime as dt

    base = dt.date(1940, 1, 1)
    for i in range(n):
        h, k = divmod(i, 3)
        day = base + dt.timedelta(days=(i // 500) % 25000)
        order = (i % 500) * 2 + (1 if k != 1 else 0)
        body = f"{address}{day:%Y%m%d}{order:03d}"
        number = body + ric.calc_check_digit(body + "0")
        name = f"成员{h}-{k}"
        yield [
            villages[h % len(villages)],
            "一组",
            f"{prefix}{h:09d}",
            f"成员{h}-0",
            "国家标准",
            "一般贫困户",
            "因病",
            "缺技术",
            "2016",
            "2019",
            name,
            "男" if k != 1 else "女",
            number,
            ["户主", "配偶", "之子"][k],
            "汉族",
            "初中",
            "健康",
            "普通劳动力",
            "省外务工",
            "6",
            "否",
            "是",
            "是",
            "12000",
            "1500.5",
            "800",
            "72.5",
            "砖混",
            "B级",
            "净化自来水",
            str(40 + h % 60),
            "是",
            "是" if h % 4 else "否",
            str(h % 25),
            str(h % 10),
            f"{h % 9}.5",
            "是",
            "水泥路",
        ]


def write_csv(path: Path, n: int, **kw) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows(n, **kw))


def write_xlsx(path: Path, n: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(n), start=1):
        for j, v in enumerate(row):
            sheet.write_string(r, j, v)
    book.close()


def setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.TUOPIN_IMPORT_LIMITS = {"max_bytes": 1 << 30}  # a 1M-row file is ~216 MB, above the 200 MB default

    call_command("migrate", verbosity=0)
    from tuopin.accounts.models import User
    from tuopin.geo.actions import create_region, load_reference_regions
    from tuopin.geo.models import Region

    load_reference_regions()
    town = Region.objects.get(code="220422101000")
    existing = set(Region.objects.filter(code__in=village_codes()).values_list("code", flat=True))
    for code in sorted(set(village_codes()) - existing):
        create_region(actor=None, parent=town, code=code, name=f"测试村{code[-3:]}", is_synthetic=True)
    return User.objects.create(
        username=f"bench{uuid.uuid4().hex[:6]}", role="approver", jurisdiction_id="220422000000", full_name="bench"
    )


def baseline(path: Path, n: int, user) -> float:
    """django-import-export on the first n rows: households, then members (same encryption per row)."""
    import tablib
    from import_export import fields, resources, widgets

    from tuopin.core.crypto import encrypt, lookup_hash
    from tuopin.core.idnumber import mask_id, parse_id_number
    from tuopin.registry.models import Household, Member

    with path.open(encoding="utf-8") as fh:
        data = list(csv.reader(fh))[: n + 1]
    head = data[0]
    idx = {k: head.index(k) for k in head}
    hh = tablib.Dataset(headers=["number", "village", "head_name", "identification_year", "status_year", "main_cause"])
    seen = set()
    for r in data[1:]:
        if r[idx["户编号"]] not in seen:
            seen.add(r[idx["户编号"]])
            hh.append(["X" + r[idx["户编号"]], r[idx["行政村代码"]], r[idx["户主姓名"]], 2016, 2016, "1"])
    mem = tablib.Dataset(headers=["household", "name", "id_number", "relation"])
    rel = {"户主": "01", "配偶": "02", "之子": "03"}
    for r in data[1:]:
        mem.append(["X" + r[idx["户编号"]], r[idx["姓名"]], r[idx["公民身份号码"]], rel[r[idx["与户主关系"]]]])

    class HouseholdResource(resources.ModelResource):
        village = fields.Field(attribute="village_id", column_name="village")

        class Meta:
            model = Household
            fields = ("number", "village", "head_name", "identification_year", "status_year", "main_cause")
            import_id_fields = ("number",)

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household", column_name="household", widget=widgets.ForeignKeyWidget(Household, field="number")
        )

        class Meta:
            model = Member
            fields = ("household", "name", "relation")
            import_id_fields = ()

        def before_save_instance(self, instance, row, **kwargs):
            p = parse_id_number(row["id_number"])
            instance.id_enc, instance.id_hash, instance.id_mask = (
                encrypt(p.number),
                lookup_hash(p.number),
                mask_id(p.number),
            )
            instance.gender, instance.birth_date = p.gender, p.birth_date

    started = time.perf_counter()
    r1 = HouseholdResource().import_data(hh, dry_run=False, use_transactions=True)
    r2 = MemberResource().import_data(mem, dry_run=False, use_transactions=True)
    elapsed = time.perf_counter() - started
    assert not r1.has_errors() and not r2.has_errors(), (r1.row_errors()[:1], r2.row_errors()[:1])
    return elapsed


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (same machine), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Phases:
    """Wall time between the progress reports of the import (phase names as the batch page shows them)."""

    def __init__(self):
        self.marks: list[tuple[str, float]] = []

    def __call__(self, batch, phase, done, total):
        if not self.marks or self.marks[-1][0] != phase:
            self.marks.append((phase, time.perf_counter()))

    def since(self, start: float, end: float) -> dict[str, float]:
        out: dict[str, float] = {}
        marks = [(p, t) for p, t in self.marks if start <= t <= end] + [("", end)]
        for (phase, t0), (_next, t1) in zip(marks, marks[1:], strict=False):
            out[phase] = round(out.get(phase, 0) + t1 - t0, 3)
        return out


def child(kind: str, n: int, base_n: int, cold: bool, with_floor: bool) -> dict:
    user = setup()
    from django.db import connection

    from tuopin.exchange import actions

    phases = Phases()
    real = actions.set_progress

    def spy(batch, phase, done, total):
        phases(batch, phase, done, total)
        real(batch, phase, done, total)

    actions.set_progress = spy
    tmp = Path(tempfile.mkdtemp())
    path = tmp / f"bench.{kind}"
    t0 = time.perf_counter()
    (write_csv if kind == "csv" else write_xlsx)(path, n)
    gen = time.perf_counter() - t0
    w0, c0, b0 = time.perf_counter(), _cpu(), _backend_cpu()
    batch = actions.stage_import(actor=user, source=path, filename=path.name)
    w1 = time.perf_counter()
    batch = actions.validate_batch(batch, actor=user)
    w2, c2, b2 = time.perf_counter(), _cpu(), _backend_cpu()
    assert batch.error_count == 0, list(batch.issues.all()[:5])
    if cold:
        from tuopin.exchange import plancache

        plancache.discard(actions.staged_path(batch))
    batch = actions.commit_batch(batch, actor=user)
    w3, c3, b3 = time.perf_counter(), _cpu(), _backend_cpu()
    assert batch.created_members == n
    out = {
        "db": connection.vendor,
        "format": kind,
        "rows": n,
        "cold": cold,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "generate_s": round(gen, 1),
        "stage_s": round(w1 - w0, 2),
        "preview_s": round(w2 - w1, 2),
        "commit_s": round(w3 - w2, 2),
        "whole_s": round(w3 - w0, 2),
        "preview_rows_per_s": round(n / (w2 - w1)),
        "commit_rows_per_s": round(n / (w3 - w2)),
        "whole_rows_per_s": round(n / (w3 - w0)),
        "preview_phases": phases.since(w1, w2),
        "commit_phases": phases.since(w2, w3),
        "cpu_preview_s": round(c2 - c0, 2),
        "cpu_commit_s": round(c3 - c2, 2),
        "load": os.getloadavg()[0],
    }
    if b0 is not None:
        out["backend_cpu_preview_s"] = round(b2 - b0, 2)
        out["backend_cpu_commit_s"] = round(b3 - b2, 2)
    import resource

    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if with_floor:  # before the baseline, whose rows would be replayed too
        out["floor"] = floor()
        out["floor_rows_per_s"] = round(n / out["floor"]["total_s"])
        if connection.vendor == "postgresql":
            out["floor_without_fk_checks"] = floor(without_fk_checks=True)
            out["floor_without_fk_checks_rows_per_s"] = round(n / out["floor_without_fk_checks"]["total_s"])
    if base_n:
        base_path = tmp / "base.csv"
        write_csv(base_path, base_n, address="220421", prefix="C")  # other people: the registry holds the first file
        secs = baseline(base_path, base_n, user)
        out.update(
            {
                "baseline_rows": base_n,
                "baseline_s": round(secs, 2),
                "baseline_rows_per_s": round(base_n / secs),
                "ratio_per_row": round((secs / base_n) / ((w3 - w2) / n), 1),
                "ratio_whole_per_row": round((secs / base_n) / ((w3 - w0) / n), 1),
            }
        )
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def floor(*, without_fk_checks: bool = False) -> dict:
    """The schema's own cost for the rows the import just wrote: the same rows, already in the database's
    format, written again into emptied tables in one transaction with no Python work per row at all
    (PostgreSQL: COPY of the text ``COPY … TO`` produced; SQLite: one ``executemany`` per table of the
    rows as read back). No importer can write these rows faster on this schema and machine.
    ``without_fk_checks`` (PostgreSQL, superuser) replays with ``session_replication_role = replica``,
    which skips the foreign-key triggers: how much of the floor is those checks."""
    from django.db import connection, transaction

    from tuopin.exchange.models import ImportedHousehold
    from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear

    # The tables the import writes, in its order (commit.write_plan): parents before children.
    models = (Household, HouseholdStatusChange, Member, MemberYear, HouseholdYear, ImportedHousehold)
    tables = [m._meta.db_table for m in models]
    out: dict[str, float] = {}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            dumps = {}
            for table in tables:
                buf = bytearray()
                with raw.copy(f"COPY {table} TO STDOUT") as copy:  # noqa: S608 - constant names
                    for data in copy:
                        buf += data
                dumps[table] = bytes(buf)
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cur.execute("CHECKPOINT")
            b0, t0 = _backend_cpu(), time.perf_counter()
            with transaction.atomic():
                if without_fk_checks:
                    cur.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    t = time.perf_counter()
                    with raw.copy(f"COPY {table} FROM STDIN") as copy:  # noqa: S608
                        copy.write(dumps[table])
                    out[table] = round(time.perf_counter() - t, 3)
                t = time.perf_counter()
            out["commit"] = round(time.perf_counter() - t, 3)
            out["backend_cpu_s"] = round(_backend_cpu() - b0, 2)
        else:
            rows, cols = {}, {}
            for table in tables:
                cur.execute(f"SELECT * FROM {table}")  # noqa: S608
                cols[table] = [d[0] for d in cur.description]
                rows[table] = cur.fetchall()
            for table in reversed(tables):
                cur.execute(f"DELETE FROM {table}")  # noqa: S608
            t0 = time.perf_counter()
            with transaction.atomic():
                cur.execute("PRAGMA cache_size = -262144")  # as the import's bulk_session
                for table in tables:
                    t = time.perf_counter()
                    marks = ", ".join("?" * len(cols[table]))
                    cur.cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])  # noqa: S608
                    out[table] = round(time.perf_counter() - t, 3)
                t = time.perf_counter()
            out["commit"] = round(time.perf_counter() - t, 3)
    out["total_s"] = round(time.perf_counter() - t0, 3)
    return out


def median_of(runs: list[dict]) -> dict:
    """The median of every number over the runs (the first run's other values)."""
    import statistics

    out = dict(runs[0], runs=len(runs), median=True)
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = round(statistics.median(r[key] for r in runs), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--csv", default="100000")
    ap.add_argument("--xlsx", default="")
    ap.add_argument("--baseline", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--cold", action="store_true", help="drop the preview's validated cells before the commit")
    ap.add_argument("--floor", action="store_true", help="then write the same rows again with no Python per row")
    ap.add_argument("--child", nargs=5)
    args = ap.parse_args()
    if args.child:
        kind, n, base_n, cold, with_floor = args.child
        out = child(kind, int(n), int(base_n), cold == "1", with_floor == "1")
        print(json.dumps(out, ensure_ascii=False), flush=True)
        return
    jobs = [("csv", int(n)) for n in args.csv.split(",") if n] + [("xlsx", int(n)) for n in args.xlsx.split(",") if n]
    for kind, n in jobs:
        runs = []
        for _k in range(args.repeat):
            env = dict(os.environ, TUOPIN_HOME_DIR=tempfile.mkdtemp())
            name = None
            if args.db == "postgres":
                import psycopg

                name = f"importspeed_{uuid.uuid4().hex[:8]}"
                with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
                    c.execute(f'CREATE DATABASE "{name}"')
                env["DATABASE_URL"] = PG_BASE + name
            else:
                env["DATABASE_URL"] = f"sqlite:///{env['TUOPIN_HOME_DIR']}/bench.sqlite3"
            base_n = args.baseline if kind == "csv" else 0
            try:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        kind,
                        str(n),
                        str(base_n),
                        *("1" if x else "0" for x in (args.cold, args.floor)),
                    ],
                    env=env,
                    check=True,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
            finally:
                if name:
                    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
                        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                shutil.rmtree(env["TUOPIN_HOME_DIR"], ignore_errors=True)
            line = out.stdout.strip().splitlines()[-1]
            print(line, flush=True)
            runs.append(json.loads(line))
        if len(runs) > 1:
            print(json.dumps(median_of(runs), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
