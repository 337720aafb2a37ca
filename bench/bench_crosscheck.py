"""Benchmark: a department list of N rows matched by ID number against a registry of N people.

    python bench/bench_crosscheck.py --db postgres --rows 1000000

In a fresh database: the registry is loaded with N member rows through the import (bench_import's
file), then a department CSV of N rows (half of them registered people, half not; 1% without an ID
number, matched by name and birth date) is run through ``crosscheck.run_department``: read, hash,
bulk-insert, one SQL join by keyed hash. The figure is the wall time of that call.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))


def child(n: int) -> dict:
    import bench_import as b

    user = b.setup()
    from django.db import connection

    from tuopin.exchange import actions, crosscheck

    tmp = Path(tempfile.mkdtemp())
    reg = tmp / "registry.csv"
    b.write_csv(reg, n)
    t0 = time.perf_counter()
    batch = actions.validate_batch(actions.stage_import(actor=user, source=reg, filename=reg.name), actor=user)
    actions.commit_batch(batch, actor=user)
    load = time.perf_counter() - t0
    dept = tmp / "dept.csv"
    with reg.open(encoding="utf-8") as fh, dept.open("w", encoding="utf-8", newline="") as out:
        r = csv.reader(fh)
        head = next(r)
        i_name, i_id = head.index("姓名"), head.index("公民身份号码")
        w = csv.writer(out)
        w.writerow(["姓名", "公民身份号码", "出生日期", "死亡日期", "说明"])
        for k, row in enumerate(r):
            if k % 2:  # someone not in the registry: another address code
                w.writerow([row[i_name], "220421" + row[i_id][6:17] + "0", "", "2019-01-01", "火化"])
            elif k % 100 == 0:
                idn = row[i_id]
                w.writerow([row[i_name], "", f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}", "2019-01-01", "火化"])
            else:
                w.writerow([row[i_name], row[i_id], "", "2019-01-01", "火化"])
    t0 = time.perf_counter()
    run = crosscheck.run_department(actor=user, path=dept, filename=dept.name, department="deaths")
    secs = time.perf_counter() - t0
    return {
        "db": connection.vendor,
        "registry_people": n,
        "department_rows": run.rows,
        "registry_load_s": round(load, 1),
        "crosscheck_s": round(secs, 2),
        "hits_by_id": run.matched_by_id,
        "hits_by_name": run.matched_by_name,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--child", type=int)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child), ensure_ascii=False), flush=True)
        return
    env = dict(os.environ, TUOPIN_HOME_DIR=tempfile.mkdtemp())
    name = None
    if args.db == "postgres":
        import psycopg

        name = f"tuopin_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + name
    else:
        env["DATABASE_URL"] = f"sqlite:///{env['TUOPIN_HOME_DIR']}/bench.sqlite3"
    try:
        subprocess.run([sys.executable, __file__, "--child", str(args.rows)], env=env, check=True)
    finally:
        if name:
            with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
