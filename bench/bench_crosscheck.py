"""Benchmark: a department list of N rows matched by ID number against a registry of N people.

    python bench/bench_crosscheck.py --db postgres --rows 1000000 --repeat 3
    python bench/bench_crosscheck.py --db sqlite   --rows 1000000 --repeat 3

A fresh database (PostgreSQL: ``crosscheck_bench_<N>``, dropped at the end unless ``--keep``) gets a
registry of N member rows loaded through the import (bench_import's file: households of 3, valid
synthetic ID numbers) and analysed (planner statistics, as autovacuum keeps them on a live registry),
and a department CSV of N rows is written: half of them registered people, half not (another address
code, a wrong check digit); 1% of the registered half without an ID number, to be matched by
pinyin-aware name and birth date. Each repetition is a fresh child process calling
``crosscheck.run_department`` once (read, hash in two processes, stage, join in SQL, write the hits);
the figure is the wall time of that call, with its phases, the CPU time of this process (and its
hashing worker) and of the PostgreSQL server process serving it (what a busy shared machine does not inflate), and the child's
peak RSS (the hashing worker's included). ``--baseline`` also runs the previous implementation
(``naive_crosscheck``) once in the same database, for the ratio. Results are JSON lines, then a
summary line with medians.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
PG = "host=127.0.0.1 user=postgres dbname=postgres"


def _setup():
    import bench_import as b

    user = b.setup()
    return b, user


def load(n: int, work: Path) -> dict:
    """Fill the registry with n people through the import (skipped when already there) and write the
    department list."""
    b, user = _setup()
    from tuopin.exchange import actions
    from tuopin.registry.models import Member

    reg, dept = work / "registry.csv", work / "dept.csv"
    out: dict = {"phase": "load"}
    if not reg.exists():
        b.write_csv(reg, n)
    if Member.objects.count() < n:
        t0 = time.perf_counter()
        batch = actions.validate_batch(actions.stage_import(actor=user, source=reg, filename=reg.name), actor=user)
        actions.commit_batch(batch, actor=user)
        out["registry_load_s"] = round(time.perf_counter() - t0, 1)
    from django.db import connection

    with connection.cursor() as cur:  # planner statistics, as autovacuum would have them on a live registry
        cur.execute("ANALYZE")
    if not dept.exists():
        with reg.open(encoding="utf-8") as fh, dept.open("w", encoding="utf-8", newline="") as dst:
            r = csv.reader(fh)
            head = next(r)
            i_name, i_id = head.index("姓名"), head.index("公民身份号码")
            w = csv.writer(dst)
            w.writerow(["姓名", "公民身份号码", "出生日期", "死亡日期", "说明"])
            for k, row in enumerate(r):
                if k % 2:  # someone not in the registry: another address code
                    w.writerow([row[i_name], "220421" + row[i_id][6:17] + "0", "", "2019-01-01", "火化"])
                elif k % 100 == 0:
                    idn = row[i_id]
                    w.writerow([row[i_name], "", f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}", "2019-01-01", "火化"])
                else:
                    w.writerow([row[i_name], row[i_id], "", "2019-01-01", "火化"])
    out["registry_people"] = Member.objects.count()
    out["dept_mb"] = round(dept.stat().st_size / 2**20, 1)
    return out


def run(work: Path, baseline: bool) -> dict:
    """One cross-check (or one baseline run) in this process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from tuopin.accounts.models import User
    from tuopin.exchange import crosscheck
    from tuopin.exchange.models import CrossCheckRun

    settings.TUOPIN_IMPORT_LIMITS = {"max_bytes": 1 << 30}
    user = User.objects.filter(username__startswith="bench").order_by("pk").first()
    CrossCheckRun.objects.filter(kind="department").delete()  # each repetition starts from an empty hit table
    dept = work / "dept.csv"
    fn = crosscheck.run_department
    if baseline:
        import naive_crosscheck

        fn = naive_crosscheck.run_department
    backend = None
    if connection.vendor == "postgresql":  # the server process doing this connection's SQL (same machine)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
    db_cpu, own_cpu = _cpu_of(backend), _rusage_cpu()
    t0 = time.perf_counter()
    result = fn(actor=user, path=dept, filename=dept.name, department="deaths")
    secs = time.perf_counter() - t0
    db_cpu, own_cpu = _cpu_of(backend) - db_cpu, _rusage_cpu() - own_cpu
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    return {
        "phase": "baseline" if baseline else "crosscheck",
        "db": connection.vendor,
        "department_rows": result.rows,
        "crosscheck_s": round(secs, 2),
        "hits_by_id": result.matched_by_id,
        "hits_by_name": result.matched_by_name,
        "phases_s": getattr(result, "phases", {}),
        "phases_cpu_s": getattr(result, "phases_cpu", {}),
        "cpu_s": round(own_cpu, 2),
        "db_server_cpu_s": round(db_cpu, 2),
        "peak_rss_mb": round(rss / 1024),
        "load": os.getloadavg()[0],
    }


def _cpu_of(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 without a pid."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rusage_cpu() -> float:
    """CPU seconds of this process and of its finished children (the hashing worker)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _child(env: dict, *args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True)
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", action="store_true", help="also run the previous implementation once")
    ap.add_argument("--keep", action="store_true", help="keep the database and files (reused by the next run)")
    ap.add_argument("--work", help="folder for the files (and the SQLite database); default: a temporary one")
    ap.add_argument("--child", choices=["load", "run", "baseline"])
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="crosscheck_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        out = load(args.rows, work) if args.child == "load" else run(work, args.child == "baseline")
        print(json.dumps(out, ensure_ascii=False), flush=True)
        return
    env = dict(os.environ, TUOPIN_HOME_DIR=str(work))
    name = None
    if args.db == "postgres":
        import psycopg

        name = f"crosscheck_bench_{args.rows}"
        with psycopg.connect(PG, autocommit=True) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + name
    else:
        env["DATABASE_URL"] = f"sqlite:///{work}/bench.sqlite3"
    common = ["--rows", str(args.rows), "--work", str(work)]
    try:
        loaded = _child(env, "--child", "load", *common)
        runs = [_child(env, "--child", "run", *common) for _ in range(args.repeat)]
        base = _child(env, "--child", "baseline", *common) if args.baseline else None
        if not runs:
            return
        med = statistics.median(r["crosscheck_s"] for r in runs)
        summary = {
            "summary": args.db,
            "registry_people": loaded["registry_people"],
            "department_rows": runs[0]["department_rows"],
            "median_s": med,
            "runs_s": [r["crosscheck_s"] for r in runs],
            "median_phases_s": {
                k: statistics.median(r["phases_s"].get(k, 0) for r in runs) for k in runs[0]["phases_s"]
            },
            "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "median_db_server_cpu_s": statistics.median(r["db_server_cpu_s"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "hits": [runs[0]["hits_by_id"], runs[0]["hits_by_name"]],
            "load_avg": [r["load"] for r in runs],
        }
        if base:
            summary["baseline_s"], summary["ratio"] = base["crosscheck_s"], round(base["crosscheck_s"] / med, 1)
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    finally:
        if name and not args.keep:
            with psycopg.connect(PG, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
