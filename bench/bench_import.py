"""Benchmark: import of the 贫困户登记表 (member rows) from CSV and xlsx, against django-import-export.

    python bench/bench_import.py --db postgres --csv 100000,1000000 --xlsx 100000 --baseline 5000
    python bench/bench_import.py --db sqlite   --csv 100000,1000000 --xlsx 100000 --baseline 5000

Each size runs in a fresh database (a temporary SQLite file or a fresh PostgreSQL database) in a child
process: migrate, load the reference regions, add 200 synthetic villages and a county approver, write
the file (households of 3, valid synthetic ID numbers), then time ``commit_batch`` — which parses,
validates every cell and cross-row rule, encrypts and bulk-writes in one transaction — as "validated
rows per second". The baseline imports the first ``--baseline`` rows of the same file with
django-import-export (a HouseholdResource, then a MemberResource doing the same ID encryption), in
the same process and database, and the ratio is per row. Results are JSON lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
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


def child(kind: str, n: int, base_n: int) -> dict:
    user = setup()
    from django.db import connection

    from tuopin.exchange import actions

    tmp = Path(tempfile.mkdtemp())
    path = tmp / f"bench.{kind}"
    t0 = time.perf_counter()
    (write_csv if kind == "csv" else write_xlsx)(path, n)
    gen = time.perf_counter() - t0
    batch = actions.stage_import(actor=user, source=path, filename=path.name)
    batch = actions.validate_batch(batch, actor=user)
    validated_s = batch.seconds
    assert batch.error_count == 0, list(batch.issues.all()[:5])
    t0 = time.perf_counter()
    batch = actions.commit_batch(batch, actor=user)
    commit = time.perf_counter() - t0
    out = {
        "db": connection.vendor,
        "format": kind,
        "rows": n,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "generate_s": round(gen, 1),
        "preview_validate_s": round(validated_s, 2),
        "commit_s": round(commit, 2),
        "rows_per_s": round(n / commit),
    }
    import resource

    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if base_n:
        base_path = tmp / "base.csv"
        write_csv(base_path, base_n, address="220421", prefix="C")  # other people: the registry holds the first file
        secs = baseline(base_path, base_n, user)
        out.update(
            {
                "baseline_rows": base_n,
                "baseline_s": round(secs, 2),
                "baseline_rows_per_s": round(base_n / secs),
                "ratio_per_row": round((secs / base_n) / (commit / n), 1),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--csv", default="100000")
    ap.add_argument("--xlsx", default="")
    ap.add_argument("--baseline", type=int, default=5000)
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        kind, n, base_n = args.child
        print(json.dumps(child(kind, int(n), int(base_n)), ensure_ascii=False), flush=True)
        return
    jobs = [("csv", int(n)) for n in args.csv.split(",") if n] + [("xlsx", int(n)) for n in args.xlsx.split(",") if n]
    for kind, n in jobs:
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
        subprocess.run([sys.executable, __file__, "--child", kind, str(n), str(base_n)], env=env, check=True, cwd=ROOT)
        if name:
            with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
