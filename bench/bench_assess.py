"""Benchmark: assess and roll up a whole city at growing sizes, against the naive per-household way.

    python bench/bench_assess.py --sizes 10000,100000,1000000 --db sqlite
    python bench/bench_assess.py --sizes 10000,100000 --db postgres   # needs PostgreSQL on 127.0.0.1

PostgreSQL databases are named ``<--pg-prefix>_<size>`` (created and dropped by the benchmark).

Each size runs in a fresh database (a temporary SQLite file, or a fresh PostgreSQL database): the
Liaoyuan scenario is seeded at that size, the standards file loaded, then

* the engine: ``execute_run`` for the whole city (load, evaluate, write every determination and
  every rollup), repeated ``--repeat`` times, median reported;
* the baseline: ``bench/naive_assess.py`` on a random sample of households in the same database,
  one household at a time through the ORM; its per-household time × households = the naive
  estimate; the two must agree on every sampled household.

Results are printed as JSON lines and, with ``--write``, appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432/"


def run_one(size: int, repeat: int, sample: int) -> dict:
    """Runs inside a child process whose environment points at a fresh database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    django.setup()
    import random

    from django.core.management import call_command
    from django.db import connection

    from tuopin.assessment.actions import execute_run, start_run
    from tuopin.assessment.models import Determination
    from tuopin.registry.models import Household

    sys.path.insert(0, str(ROOT / "bench"))
    from naive_assess import evaluate_household

    call_command("migrate", verbosity=0)
    per_scale = 6000
    scale = max(1, round(size / per_scale))
    t0 = time.perf_counter()
    quiet = io.StringIO()
    call_command("seed", scale=scale, households=round(size / scale), verbosity=0, stdout=quiet)
    seed_s = time.perf_counter() - t0
    call_command("policy", "load", stdout=quiet)
    households = Household.objects.count()
    times, run = [], None
    load_before = os.getloadavg()
    stages = []
    for _ in range(repeat):
        run = start_run(actor=None, year=2019, region="220400000000", enqueue=False)
        t0 = time.perf_counter()
        run = execute_run(run.pk)
        times.append(time.perf_counter() - t0)
        stages.append(run.counts["seconds"])
    load_after = os.getloadavg()
    ids = list(Determination.objects.filter(run=run).values_list("household_id", flat=True))
    rng = random.Random(2019)
    picked = rng.sample(ids, min(sample, len(ids)))
    t0 = time.perf_counter()
    naive = {hid: evaluate_household(hid, 2019, run.ruleset.content) for hid in picked}
    naive_s = time.perf_counter() - t0
    engine = {
        r[0]: {"income": r[1], "education": r[2], "medical": r[3], "housing": r[4], "water": r[5]}
        for r in Determination.objects.filter(run=run, household_id__in=picked).values_list(
            "household_id", "income", "education", "medical", "housing", "water"
        )
    }
    disagree = sum(1 for hid in picked if {k: v for k, v in naive[hid].items() if k != "status"} != engine[hid])
    engine_s = statistics.median(times)
    naive_per_hh = naive_s / len(picked)
    return {
        "db": connection.vendor,
        "households": households,
        "determinations": len(ids),
        "seed_s": round(seed_s, 1),
        "engine_s": round(engine_s, 2),
        "engine_runs": [round(t, 2) for t in times],
        "stages": {k: round(statistics.median(st[k] for st in stages), 3) for k in stages[0]},  # medians
        "households_per_s": round(households / engine_s),
        "naive_sample": len(picked),
        "naive_ms_per_household": round(naive_per_hh * 1000, 2),
        "naive_estimate_s": round(naive_per_hh * households, 1),
        "ratio": round(naive_per_hh * households / engine_s, 1),
        "disagreements": disagree,
        # 1-minute load average before and after the engine runs (2 cores: above 2 means contention).
        "load_avg": [round(load_before[0], 1), round(load_after[0], 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--write", action="store_true", help="append a results table to docs/benchmarks.md")
    parser.add_argument("--pg-prefix", default="engine_bench", help="name prefix of the PostgreSQL databases")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.repeat, args.sample)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        env = dict(os.environ)
        with tempfile.TemporaryDirectory(prefix="tuopin-bench-") as home:
            env["TUOPIN_HOME_DIR"] = home
            dbname = None
            if args.db == "postgres":
                dbname = f"{args.pg_prefix}_{size}"
                subprocess.run(["psql", PG_BASE + "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"], check=True)
                subprocess.run(["psql", PG_BASE + "postgres", "-qc", f"CREATE DATABASE {dbname}"], check=True)
                env["DATABASE_URL"] = PG_BASE + dbname
            else:
                env.pop("DATABASE_URL", None)
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(size),
                    "--repeat",
                    str(args.repeat),
                    "--sample",
                    str(args.sample),
                ],
                env=env,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if dbname:
                subprocess.run(["psql", PG_BASE + "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"], check=False)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(out.returncode)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    if args.write:
        write_markdown(results)


def write_markdown(results: list[dict]) -> None:
    cpu = os.cpu_count()
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    lines = [
        "",
        f"### Assessment — {results[0]['db']} ({time.strftime('%Y-%m-%d')}, {cpu} cores, {mem_gb} GiB, "
        f"Python {platform.python_version()})",
        "",
        "`python bench/bench_assess.py --sizes "
        + ",".join(str(r["households"]) for r in results)
        + f" --db {results[0]['db'].replace('postgresql', 'postgres')} --write`",
        "",
        "| households | engine: assess + roll up (median) | runs | load / evaluate / store | households/s |"
        " naive per household | naive estimate | ratio | disagreements on sample | load avg (1 min) |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        s = r["stages"]
        lines.append(
            f"| {r['households']:,} | {r['engine_s']} s | {', '.join(str(t) for t in r['engine_runs'])} |"
            f" {s['load']} / {s['evaluate']} / {s['store']} s |"
            f" {r['households_per_s']:,} | {r['naive_ms_per_household']} ms | {r['naive_estimate_s']:,} s |"
            f" {r['ratio']}× | {r['disagreements']} of {r['naive_sample']} |"
            f" {r['load_avg'][0]} → {r['load_avg'][1]} |"
        )
    with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
