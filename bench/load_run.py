"""R14 — a bounded load run: 50 officials for 2 minutes against gunicorn on 127.0.0.1, registry at 1M households.

    # once (≈ 10–35 min): a PostgreSQL database whose name starts with security_, seeded at scale 167
    createdb -h 127.0.0.1 -U postgres security_load_1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/security_load_1m TUOPIN_HOME_DIR=/tmp/security/home \\
        .venv/bin/tuopin migrate && ... .venv/bin/tuopin seed --scale 167
    # the run
    .venv/bin/python bench/load_run.py --db security_load_1m --home /tmp/security/home \\
        --users 50 --seconds 120 --workers 5 --port 8105

``--home`` must be the TUOPIN_HOME_DIR the database was seeded with (its field keys). The script

1. creates the load accounts in the database (idempotent): village clerks, township reviewers and county
   approvers spread over every county, and city/county leaders; approvers get a TOTP device (the second
   factor stays on, as in production), and writes each account's sample of visible households, search
   terms and export regions to var/load/users.json;
2. starts gunicorn (sync workers) on 127.0.0.1 only, with production-like settings (DEBUG off);
3. runs locust headless (bench/locustfile.py: search, view, edit, export) for the given time, sampling the
   server's resident memory (master + workers) every 2 s and the load average;
4. stops the server and prints, per request type, count, p50/p95/p99 (ms) and error rate, the RSS at the
   start and end of the run and its growth, and the load averages; the JSON goes to var/load/R14.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "load"
PASSWORD = "Load-Run-2019!"  # synthetic accounts in a throwaway database
MIX = {"clerk": 0.6, "reviewer": 0.2, "approver": 0.1, "leader": 0.1}


def prepare(n_users: int, seed: int) -> tuple[list[dict], int]:
    """Create (or reuse) the load accounts and sample what each one works on."""
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tuopin.accounts.models import User
    from tuopin.geo.models import Region
    from tuopin.registry.models import Household

    total = Household.objects.count()
    rng = random.Random(seed)
    counties = list(Region.objects.filter(level=3, code__startswith="2204").order_by("code"))
    counts = {role: max(1, round(n_users * share)) for role, share in MIX.items()}
    counts["clerk"] = n_users - sum(v for k, v in counts.items() if k != "clerk")
    seats: list[tuple[str, Region]] = []
    # Seats from random households, so every clerk's village and reviewer's township has households to work on.
    top = Household.objects.order_by("-pk").values_list("pk", flat=True).first()
    for role in ("clerk", "reviewer"):
        for i in range(counts[role]):
            prefix = counties[i % len(counties)].code[:6]
            home = None
            while home is None:
                home = (
                    Household.objects.filter(pk__gte=rng.randint(1, top), village__code__startswith=prefix)
                    .order_by("pk")
                    .first()
                )
            village = home.village
            seats.append((role, village if role == "clerk" else village.parent))
    seats += [("approver", counties[i % len(counties)]) for i in range(counts["approver"])]
    city = Region.objects.get(code="220400000000")
    seats += [("leader", city if i == 0 else counties[i % len(counties)]) for i in range(counts["leader"])]

    accounts = []
    for i, (role, region) in enumerate(seats):
        user, _created = User.objects.get_or_create(
            username=f"load_{role}_{i:02d}", defaults={"role": role, "jurisdiction": region, "full_name": f"压测{i}"}
        )
        user.role, user.jurisdiction, user.is_active = role, region, True
        user.set_password(PASSWORD)
        user.save()
        key = ""
        if role == "approver":
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="load", defaults={"confirmed": True})
            key = device.key
        visible = Household.objects.visible_to(user)
        if region.level >= 4:
            pks = list(visible.values_list("pk", flat=True)[:2000])
        else:  # a county or the city: sample by id rather than ORDER BY random() over a million rows
            lo, hi = (
                visible.order_by("pk").values_list("pk", flat=True).first(),
                visible.order_by("-pk").values_list("pk", flat=True).first(),
            )
            pks = list(visible.filter(pk__in=[rng.randint(lo, hi) for _ in range(3000)]).values_list("pk", flat=True))
        sample = rng.sample(pks, min(200, len(pks)))
        names = list(Household.objects.filter(pk__in=sample[:40]).values_list("head_name", "number"))
        terms = [n[:1] for n, _ in names if n] + [n for n, _ in names[:10] if n] + [num[:14] for _, num in names[:10]]
        villages = list(Household.objects.filter(pk__in=sample[:20]).values_list("village_id", flat=True))
        export_regions = sorted(set(villages))[:5] if region.level < 5 else [region.code]
        if role == "reviewer":
            export_regions.append(region.code)  # a township exports its own list
        accounts.append(
            {
                "username": user.username,
                "password": PASSWORD,
                "role": role,
                "region": region.code,
                "totp_key": key,
                "can_edit": role in ("clerk", "reviewer", "approver"),
                "households": sample,
                "terms": terms or ["户"],
                "export_regions": export_regions,
            }
        )
    print(f"households in the registry: {total:,}; accounts: {dict(counts)}", flush=True)
    return accounts, total


def _rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0


def _wait(url: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - our own server on 127.0.0.1
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer {url}")


def _summary(times: list[tuple[float, bool]], seconds: float) -> dict:
    ms = sorted(t for t, _failed in times)
    fails = sum(1 for _t, failed in times if failed)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 1) if ms else 0.0

    return {
        "requests": len(ms),
        "failures": fails,
        "error_rate": round(fails / len(ms), 4) if ms else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "rps": round(len(ms) / seconds, 2) if seconds else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="PostgreSQL database on 127.0.0.1 (name starts with security_)")
    ap.add_argument("--home", required=True, help="TUOPIN_HOME_DIR the database was seeded with")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--workers", type=int, default=5)
    ap.add_argument("--port", type=int, default=8105)
    ap.add_argument("--seed", type=int, default=2019)
    args = ap.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tuopin.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "TUOPIN_HOME_DIR": args.home,
        "TUOPIN_DEBUG": "0",
        "TUOPIN_ALLOWED_HOSTS": "127.0.0.1",
    }
    os.environ.update(env)
    OUT.mkdir(parents=True, exist_ok=True)
    accounts, households = prepare(args.users, args.seed)
    users_file = OUT / "users.json"
    users_file.write_text(json.dumps(accounts, ensure_ascii=False), encoding="utf-8")

    bind = f"127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "tuopin.wsgi:application", "-b", bind]
        + ["-w", str(args.workers), "--timeout", "120", "--log-level", "warning"],
        env=env,
        cwd=ROOT,
    )
    samples: list[tuple[float, int, float]] = []
    stop = threading.Event()
    try:
        _wait(f"http://{bind}/healthz", 60)
        load_before = os.getloadavg()

        def sample() -> None:
            while not stop.is_set():
                samples.append((time.time(), _rss(server.pid), os.getloadavg()[0]))
                stop.wait(2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        prefix, times_file = OUT / "R14", OUT / "R14-times.json"
        started = time.time()
        subprocess.run(  # noqa: S603
            [str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench" / "locustfile.py")]
            + ["--headless", "-u", str(args.users), "-r", str(max(1, args.users // 10)), "-t", f"{args.seconds}s"]
            + ["--host", f"http://{bind}", "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"],
            env={**env, "TUOPIN_LOAD_USERS": str(users_file), "TUOPIN_LOAD_TIMES": str(times_file)},
            check=False,
        )
        elapsed = time.time() - started
        stop.set()
        sampler.join()
        load_after = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    times = json.loads(times_file.read_text(encoding="utf-8"))
    stats = {name: _summary(t, elapsed) for name, t in sorted(times.items())}
    # The work itself, without the one-off sign-in (PBKDF2 + TOTP) of every official at the start.
    stats["all but login"] = _summary([x for name, t in times.items() if name != "login" for x in t], elapsed)
    rss = [s[1] for s in samples if s[1]]
    result = {
        "family": "R14 bounded load run",
        "households": households,
        "users": args.users,
        "seconds": round(elapsed),
        "workers": args.workers,
        "requests": stats,
        "rss_mb": {
            "start": round(rss[0] / 2**20),
            "end": round(rss[-1] / 2**20),
            "max": round(max(rss) / 2**20),
            "growth": round((rss[-1] - rss[0]) / 2**20),
        },
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "during_max_1min": round(max(s[2] for s in samples), 2),
            "after": [round(x, 2) for x in load_after],
        },
        "machine": "2 cores, 24 GiB (shared)",
    }
    (OUT / "R14.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print("\n| request | count | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|")
    for name, r in stats.items():
        print(
            f"| {name} | {r['requests']:,} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['error_rate']:.2%} |"
        )


if __name__ == "__main__":
    main()
