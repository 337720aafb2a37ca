"""R3 in CI: a few seconds of each atheris fuzz target (the long run is documented in docs/security-tests.md).

Each driver runs as its own process (libFuzzer owns the process and exits when done) with a fresh corpus
seeded from the real import template and files in the national layout. A crash makes the driver exit
non-zero with the input saved; crashes already reported are counted in the driver's stats instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "security"
SECONDS = os.environ.get("TUOPIN_FUZZ_SECONDS", "4")


def _run(target: str, tmp_path: Path) -> dict:
    env = {**os.environ, "TUOPIN_FUZZ_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the drivers make their own SQLite database
    out = subprocess.run(  # noqa: S603 - our own driver
        [sys.executable, str(ROOT / "fuzz" / f"fuzz_{target}.py"), f"-max_total_time={SECONDS}", "-rss_limit_mb=1024"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    done = re.search(r"#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+).*?exec/s: (\d+)", log)
    assert done, log[-2000:]
    runs, cov, ft, rate = map(int, done.groups())
    stats_file = tmp_path / f"stats-{target}.json"
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return {"runs": runs, "coverage_edges": cov, "features": ft, "execs_per_s": rate, "crashes": 0, **stats}


@pytest.mark.parametrize("target", ["idnumber", "import"])
def test_fuzz_target_runs_without_new_crashes(target, tmp_path):
    figure = _run(target, tmp_path)
    assert figure["runs"] > 50
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"R3-{target}.json").write_text(json.dumps(figure, ensure_ascii=False), encoding="utf-8")
    print(f"\nR3 {target}: {figure}")
