"""Benchmark: the dashboard, the household list and the home pages at 1M households on PostgreSQL.

    python bench/bench_pages.py --database dashboard_1m --scale 167 --repeat 20 --write
    python bench/bench_pages.py --database dashboard_1m --drop        # drop the database when done

The database (its name must start with ``dashboard_``) is reused when it already holds the seeded
city; otherwise it is created and seeded the way ``tuopin demo`` seeds it — the registry at
``--scale`` (167 ≈ 1,000,000 households), the standards, the 2019 programmes, one assessment of the
whole city per year 2014–2019 and the 2019 procedures — each step timed. Keys and secrets live in
``--home`` (the same directory must be used to reuse a database).

Then, in this process, a logged-in test client requests each page ``--repeat`` times (after one
warm-up request whose time is reported as "first") and the p50/p95 are reported beside a baseline
run in the same process on the same data:

* dashboard — baseline: the obvious way without rollup tables, i.e. the same figures computed on every
  request from the determinations (trend over the years, the region's and its children's figures)
  and from the programme, visit and finding records (``dashboard_figures.live_figures``), without
  rendering a page — so the ratio understates the difference;
* household list — baseline: Django's ``Paginator`` over the full queryset (``COUNT(*)`` of every
  visible household, then ``OFFSET``), the list as it was before this benchmark;
* home pages — no baseline (they read small per-person work queues).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
YEARS = range(2014, 2020)


def psql(db: str, sql: str) -> str:
    out = subprocess.run(["psql", PG_BASE + db, "-Atqc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def seeded(db: str) -> bool:
    if psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
        return False
    try:
        return int(psql(db, "SELECT count(*) FROM assessment_run WHERE status = 'done'") or 0) >= len(YEARS)
    except subprocess.CalledProcessError:
        return False


def seed(db: str, scale: int, env: dict[str, str]) -> list[dict]:
    """Create and seed the database step by step with the ``tuopin`` command; returns the timings."""
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")
    tuopin = [sys.executable, "-m", "tuopin"]
    steps = [
        ["migrate", "-v0"],
        ["seed", "--scenario", "liaoyuan-2019", "--scale", str(scale)],
        ["policy", "load"],
        ["seed-programmes"],
        *[["assess", "--year", str(y)] for y in YEARS],
        ["seed-procedures"],
    ]
    out = []
    for step in steps:
        t0 = time.perf_counter()
        subprocess.run([*tuopin, *step], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        out.append({"step": " ".join(step), "s": round(time.perf_counter() - t0, 1), "load": os.getloadavg()[0]})
        print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def timed(fn, repeat: int) -> dict:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {
        "first_ms": round(first * 1000, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(pct(times, 0.95) * 1000, 1),
    }


# --- baselines -------------------------------------------------------------------------------------


def naive_dashboard(code: str, year: int) -> dict:
    """The dashboard's figures without any rollup or snapshot: from the determinations of each year's
    latest run (trend, region, children) and from the records (programmes, visits, findings)."""
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import Substr

    from tuopin.assessment.models import Determination, Run
    from tuopin.geo.models import Region
    from tuopin.reports.dashboard_figures import child_length, live_figures

    region = Region.objects.get(code=code)
    n = child_length(region)
    runs = {}
    for run in Run.objects.filter(status="done", replay_of__isnull=True).order_by("year", "-id"):
        runs.setdefault(run.year, run.pk)
    per_year = {}
    fails = {
        f"fail_{k}": Count("pk", filter=Q(**{k: 0}))
        for k in ("income", "food", "education", "medical", "housing", "water")
    }
    poor = Q(status__in=("poor", "relapsed"))
    for y, run_id in runs.items():
        per_year[y] = (
            Determination.objects.filter(run_id=run_id)
            .in_region(region.prefix)
            .aggregate(
                households=Count("pk"),
                people=Sum("members"),
                poor=Count("pk", filter=poor),
                poor_people=Sum("members", filter=poor),
                exited=Count("pk", filter=Q(exited_in_year=True)),
                monitored=Count("pk", filter=Q(status="monitored")),
                **fails,
            )
        )
    children = list(
        Determination.objects.filter(run_id=runs[year])
        .in_region(region.prefix)
        .annotate(k=Substr("village_code", 1, n))
        .values("k")
        .annotate(households=Count("pk"), poor_people=Sum("members", filter=poor))
    )
    kids = list(Region.objects.filter(parent=region).values_list("code", flat=True))
    records = live_figures(region, year, kids)
    return {"years": per_year, "children": children, "records": records}


def naive_list(user, params: dict, page: int) -> int:
    """The list's database work as Django's Paginator does it: COUNT(*) of everything, then OFFSET."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    from tuopin.registry.models import Member
    from tuopin.registry.queries import filter_households, visible_households
    from tuopin.web.views.common import PAGE_SIZE, ordering, sort_fields

    qs = filter_households(visible_households(user), params)
    if params.get("q"):  # the search as it was: a name anywhere in the head's or any member's name
        text = params["q"]
        qs = qs.filter(
            Q(head_name__contains=text) | Q(pk__in=Member.objects.filter(name__contains=text).values("household_id"))
        )
    qs = qs.order_by(*ordering(*sort_fields(params.get("sort", "number"))))
    p = Paginator(qs, PAGE_SIZE)
    rows = list(p.get_page(page).object_list)
    return p.count + len(rows)


# --- the run -----------------------------------------------------------------------------------------


def run(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tuopin.accounts.models import User
    from tuopin.core.management.commands.demo import ensure_demo_accounts
    from tuopin.registry.models import Household
    from tuopin.reports.dashboard_figures import ensure_current
    from tuopin.web.views.common import SORTS, encode_cursor

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    ensure_demo_accounts()
    households = Household.objects.count()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["clerk", "reviewer", "approver", "leader", "inspector", "sysadmin", "auditadmin"]
        )
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)

    city = users["leader"].jurisdiction
    connection.cursor().execute("ANALYZE")  # a freshly loaded database: give the planner its statistics
    t0 = time.perf_counter()
    stored = ensure_current(2019, full=True).regions
    refresh_s = time.perf_counter() - t0
    village = users["clerk"].jurisdiction_id
    name = (
        Household.objects.filter(village__code__startswith="2204")
        .order_by("pk")
        .values_list("head_name", flat=True)[5000]
    )
    county = users["approver"].jurisdiction_id
    count = Household.objects.count()
    deep = max(1, count // 50 // 2)  # the middle of the city: page 10,020 of 20,040
    middle = Household.objects.order_by("village_id", "number", "pk")[deep * 50]
    cursor = encode_cursor(middle, SORTS["number"])

    def page(client, url):
        def get():
            response = clients[client].get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    pages = [
        ("dashboard · city", "leader", f"/reports/dashboard/{city.code}/", lambda: naive_dashboard(city.code, 2019)),
        ("dashboard · county", "approver", f"/reports/dashboard/{county}/", lambda: naive_dashboard(county, 2019)),
        (
            "dashboard · town",
            "reviewer",
            f"/reports/dashboard/{users['reviewer'].jurisdiction_id}/",
            lambda: naive_dashboard(users["reviewer"].jurisdiction_id, 2019),
        ),
        ("dashboard · village", "clerk", f"/reports/dashboard/{village}/", lambda: naive_dashboard(village, 2019)),
        ("list · first page", "leader", "/households/", lambda: naive_list(users["leader"], {}, 1)),
        ("list · county approver", "approver", "/households/", lambda: naive_list(users["approver"], {}, 1)),
        ("list · township reviewer", "reviewer", "/households/", lambda: naive_list(users["reviewer"], {}, 1)),
        (
            "list · filtered (county, poor)",
            "leader",
            f"/households/?region={county}&status=poor",
            lambda: naive_list(users["leader"], {"region": county, "status": "poor"}, 1),
        ),
        (
            "list · sorted (household size ↓)",
            "leader",
            "/households/?sort=-size",
            lambda: naive_list(users["leader"], {"sort": "-size"}, 1),
        ),
        (
            "list · search by name",
            "leader",
            f"/households/?q={name}",
            lambda: naive_list(users["leader"], {"q": name}, 1),
        ),
        (
            f"list · deep page (row {deep * 50:,})",
            "leader",
            f"/households/?after={cursor}",
            lambda: naive_list(users["leader"], {}, deep + 1),
        ),
        *[
            (f"home · {n}", n, "/reports/home/", None)
            for n in ("clerk", "reviewer", "approver", "leader", "inspector", "sysadmin", "auditadmin")
        ],
    ]
    if args.only:
        pages = [p for p in pages if any(o in p[0] for o in args.only.split(","))]
    results = []
    for label, client, url, baseline in pages:
        with CaptureQueriesContext(connection) as q:
            page(client, url)()
        row = {"page": label, "url": url, "queries": len(q.captured_queries), **timed(page(client, url), args.repeat)}
        if baseline is not None:
            base = timed(baseline, args.baseline_repeat)
            row.update({"baseline_p50_ms": base["p50_ms"], "baseline_p95_ms": base["p95_ms"]})
        row["load"] = round(os.getloadavg()[0], 2)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        results.append(row)
    # The first view after a change: a clerk records something in the village, then the page is asked
    # for — the rollup redoes that village's row, then sums (the change lies inside every region shown).
    from tuopin.programmes.actions import record_water_problem

    clerk = users["clerk"]
    changed = list(Household.objects.filter(village_id=clerk.jurisdiction_id).order_by("pk")[:1])
    recompute = []
    for label, client, url, _b in pages[:4]:

        def after_change(client=client, url=url):
            record_water_problem(actor=clerk, household=changed[0], year=2019, kind="quality")
            page(client, url)()

        recompute.append({"page": label, **timed(after_change, max(5, args.repeat // 2))})
        print(json.dumps(recompute[-1], ensure_ascii=False), flush=True)
    return {
        "households": households,
        "refresh_s": round(refresh_s, 1),
        "refresh_snapshots": stored,
        "pages": results,
        "recompute": recompute,
        "repeat": args.repeat,
    }


def write_markdown(result: dict, seeding: list[dict], args) -> None:
    cpu = os.cpu_count()
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    loads = [p["load"] for p in result["pages"]]
    lines = [
        "",
        f"## Pages at 1M households — PostgreSQL ({time.strftime('%Y-%m-%d')}, {cpu} cores, {mem_gb} GiB, "
        f"Python {platform.python_version()})",
        "",
        f"`python bench/bench_pages.py --database {args.database} --repeat {args.repeat} --write` — "
        f"{result['households']:,} households; each page requested by a logged-in test client "
        f"(whole Django stack: middleware, session, view, template), 1 warm-up + {args.repeat} timed requests; "
        f"baseline {args.baseline_repeat} runs in the same process. Load average during the run "
        f"{min(loads):.1f}–{max(loads):.1f}.",
        "",
        "| page | queries | first | p50 | p95 | baseline p50 | baseline p95 | p95 ≤ 300 ms |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for p in result["pages"]:
        base50 = f"{p['baseline_p50_ms']:,.0f} ms" if "baseline_p50_ms" in p else "–"
        base95 = f"{p['baseline_p95_ms']:,.0f} ms" if "baseline_p95_ms" in p else "–"
        ok = "✓" if p["p95_ms"] <= 300 else "✗"
        lines.append(
            f"| {p['page']} | {p['queries']} | {p['first_ms']:,.0f} ms | {p['p50_ms']:,.0f} ms | {p['p95_ms']:,.0f} ms |"
            f" {base50} | {base95} | {ok} |"
        )
    lines += [
        "",
        f"Rollup table: computing `reports.RegionFigures` for the whole city from scratch "
        f"({result['refresh_snapshots']:,} rows, one per region code with records) took {result['refresh_s']} s "
        "(once per year, or `tuopin dashboard refresh`). The first view after a change — a clerk records a "
        "water problem in the benchmark village, then the page is requested; the village's row is redone "
        "before the sum (timed together, action included):",
        "",
        "| page | p50 | p95 |",
        "|---|---:|---:|",
        *[
            f"| {r['page']} after a change | {r['p50_ms']:,.0f} ms | {r['p95_ms']:,.0f} ms |"
            for r in result["recompute"]
        ],
    ]
    if seeding:
        lines += [
            "",
            "Seeding this database (`tuopin …`, one run each):",
            "",
            "| step | time | load |",
            "|---|---:|---:|",
        ]
        lines += [f"| `{s['step']}` | {s['s']:,} s | {s['load']:.1f} |" for s in seeding]
    with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="dashboard_1m")
    parser.add_argument("--scale", type=int, default=167)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--home", default="/tmp/dashboard_bench_home", help="TUOPIN_HOME_DIR: keys of the database")
    parser.add_argument("--only", help="comma-separated parts of page labels to run")
    parser.add_argument("--write", action="store_true", help="append the results to docs/benchmarks.md")
    parser.add_argument("--drop", action="store_true", help="drop the database and exit")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.database.startswith("dashboard_"):
        parser.error("--database must start with dashboard_ (a benchmark database of this helper)")
    if args.drop:
        psql("postgres", f"DROP DATABASE IF EXISTS {args.database}")
        return
    env = {**os.environ, "DATABASE_URL": PG_BASE + args.database, "TUOPIN_HOME_DIR": args.home, "TUOPIN_DEMO": "1"}
    if args.child:
        print("RESULT " + json.dumps(run(args), ensure_ascii=False), flush=True)
        return
    seeding = [] if seeded(args.database) else seed(args.database, args.scale, env)
    child = subprocess.run(
        [sys.executable, __file__, "--child", *sys.argv[1:]],
        env=env,
        cwd=ROOT,
        capture_output=False,
        text=True,
        stdout=subprocess.PIPE,
    )
    if child.returncode != 0:
        raise SystemExit(child.returncode)
    lines = child.stdout.splitlines()
    for line in lines:
        if not line.startswith("RESULT "):
            print(line)
    result = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    if args.write:
        write_markdown(result, seeding, args)


if __name__ == "__main__":
    main()
