"""R12: an import killed (SIGKILL) during its commit leaves the registry unchanged; re-running it works."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.exchange.conftest import family, write_csv

HELPER = str(Path(__file__).with_name("kill_helper.py"))


@pytest.fixture
def scratch_db(tmp_path, db):
    """A database of its own for the subprocesses (SQLite file, or a fresh PostgreSQL database)."""
    env = {**os.environ, "TUOPIN_HOME_DIR": str(tmp_path / "home"), "TESTING": "0"}
    env.pop("PYTEST_CURRENT_TEST", None)
    if connection.vendor == "postgresql":
        import psycopg

        s = connection.settings_dict
        name = f"tuopin_kill_{uuid.uuid4().hex[:8]}"
        dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER']} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
        yield env
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        yield env


def run(env, *args, timeout=300):
    out = subprocess.run(  # noqa: S603 - our own helper script
        [sys.executable, HELPER, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_import_killed_during_commit_leaves_nothing(scratch_db, tmp_path):
    env = scratch_db
    run(env, "setup")
    rows = [r for k in range(200) for r in family(f"220422101201{k:04d}")]
    path = write_csv(tmp_path / "big.csv", rows)
    marker = tmp_path / "paused"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, HELPER, "import", str(path)],
        env={**env, "TUOPIN_TEST_PAUSE_COMMIT": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        assert time.time() < deadline
        time.sleep(0.1)
    # The households are written (inside the open transaction) and members are next: kill it now.
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    batch_id = proc.stdout.read().split()[0]
    counts = json.loads(run(env, "counts"))
    assert counts["households"] == counts["members"] == counts["member_years"] == counts["household_years"] == 0
    assert counts["statuses"] == ["committing"]
    run(env, "commit", batch_id)  # the same batch runs again to completion
    counts = json.loads(run(env, "counts"))
    assert (counts["households"], counts["members"], counts["statuses"]) == (200, 600, ["committed"])
