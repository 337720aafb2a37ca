"""Benchmark ``tuopin seed`` at growing scales, with the naive per-row ORM path as the baseline.

    /work/venv/bin/python bench/bench_seed.py                       # scales 1, 17, 167 on SQLite
    /work/venv/bin/python bench/bench_seed.py --scales 1 17 --repeat 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres /work/venv/bin/python bench/bench_seed.py --pg
    ... --write                                                      # replace the "Seed" section of docs/benchmarks.md

Every run gets a fresh SQLite file (or a fresh PostgreSQL database) and runs ``tuopin migrate``
then ``tuopin seed`` in a subprocess, so each timing is a cold, complete command. The baseline
loads the same rows of a small city again one ``Model.objects.create`` at a time (one
transaction), the way a team would write it without a bulk path; the ratio compares rows/s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TABLES = ("registry_household", "registry_member", "registry_householdstatuschange", "registry_householdyear",
          "registry_memberyear", "geo_regionpopulation")  # fmt: skip

BASELINE = r"""
import json, time, django
django.setup()
from django.db import transaction
from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear
from tuopin.registry.scenario import seed_liaoyuan_2019
seed_liaoyuan_2019(households=HOUSEHOLDS)
models = (Household, Member, HouseholdStatusChange, HouseholdYear, MemberYear)
dump = {m: list(m.objects.values()) for m in models}
with transaction.atomic():
    for m in reversed(models):
        m.objects.all().delete()
rows = sum(len(v) for v in dump.values())
t = time.perf_counter()
with transaction.atomic():
    for m in models:
        for r in dump[m]:
            m.objects.create(**r)
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t}))
"""


def _run(cmd: list[str], env: dict[str, str]) -> str:
    """Run a step; on failure show its stderr (the traceback) instead of only the exit status."""
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(cmd[:4])} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def _env(home: str, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "TUOPIN_HOME_DIR": home, "DJANGO_SETTINGS_MODULE": "tuopin.settings"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _fresh_pg(base_url: str) -> str:
    import psycopg

    name = "tuopin_bench_seed"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return base_url.rsplit("/", 1)[0] + "/" + name


def _count_rows(env: dict[str, str]) -> int:
    code = (
        "import django, json; django.setup(); from django.db import connection; c = connection.cursor(); "
        f"print(json.dumps(sum(c.execute('SELECT COUNT(*) FROM ' + t).fetchone()[0] for t in {TABLES!r})))"
    )
    return int(_run([PY, "-c", code], env))


def run_seed(scale: int, pg_url: str | None) -> dict:
    """One cold run: migrate a fresh database, then time ``tuopin seed --scale``."""
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as home:
        url = _fresh_pg(pg_url) if pg_url else None
        env = _env(home, url)
        _run([PY, "-m", "tuopin.cli", "migrate", "-v0"], env)
        t = time.perf_counter()
        out = _run([PY, "-m", "tuopin.cli", "seed", "--scale", str(scale)], env)
        wall = time.perf_counter() - t
        households = int(re.search(r"(\d+)户", out).group(1))
        rows = _count_rows(env)
    return {"scale": scale, "wall": wall, "households": households, "rows": rows}


def run_baseline(households: int, pg_url: str | None) -> dict:
    """Per-row ``objects.create`` of a small city's rows (the naive path)."""
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as home:
        env = _env(home, _fresh_pg(pg_url) if pg_url else None)
        _run([PY, "-m", "tuopin.cli", "migrate", "-v0"], env)
        out = _run([PY, "-c", BASELINE.replace("HOUSEHOLDS", str(households))], env)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 17, 167])
    parser.add_argument("--repeat", type=int, default=3, help="runs per scale below 100 (one above)")
    parser.add_argument("--baseline-households", type=int, default=300)
    parser.add_argument("--pg", action="store_true", help="also run on PostgreSQL (DATABASE_URL)")
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args()
    backends = [("SQLite", None)]
    if args.pg:
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))

    lines = []
    for label, url in backends:
        base = run_baseline(args.baseline_households, url)
        base_rate = base["rows"] / base["seconds"]
        print(f"{label} baseline: {base['rows']} rows in {base['seconds']:.2f}s = {base_rate:,.0f} rows/s", flush=True)
        for scale in args.scales:
            runs = [run_seed(scale, url) for _ in range(args.repeat if scale < 100 else 1)]
            wall = statistics.median(r["wall"] for r in runs)
            r = runs[0]
            rate = r["rows"] / wall
            line = (
                f"| {label} | {scale} | {r['households']:,} | {r['rows']:,} | {wall:.1f} s | "
                f"{r['households'] / wall:,.0f} | {rate:,.0f} | {rate / base_rate:.0f}× |"
            )
            print(line, flush=True)
            lines.append(line)
        lines.append(
            f"| {label} baseline (per-row `objects.create`, {args.baseline_households} households) | – | "
            f"{args.baseline_households} | {base['rows']:,} | {base['seconds']:.1f} s | "
            f"{args.baseline_households / base['seconds']:,.0f} | {base_rate:,.0f} | 1× |"
        )
    if args.write:
        write_section(lines, args)


def write_section(lines: list[str], args) -> None:
    """Replace (or append) the "## Seed" section of docs/benchmarks.md."""
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    section = "\n".join(
        [
            "## Seed",
            "",
            "`tuopin seed --scenario liaoyuan-2019 --scale N` (6,000 households per unit), cold run on a fresh",
            "database including process start; machine: 2 cores, 24 GB RAM, SSD (shared with other work, so",
            "timings are noisy). Rows = households + members + status changes + household-years +",
            "member-years + population rows. Median of 3 runs below scale 100, one run above.",
            "",
            "| database | scale | households | rows | wall | households/s | rows/s | vs per-row ORM |",
            "|---|---|---|---|---|---|---|---|",
            *lines,
            "",
            f"Rerun: `{' '.join(['/work/venv/bin/python', 'bench/bench_seed.py', *sys.argv[1:]])}`",
            "",
        ]
    )
    pattern = re.compile(r"^## Seed\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
