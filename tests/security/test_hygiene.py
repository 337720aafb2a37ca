"""R16 — residual information: imports and exports leave no temporary files, logout removes the session
row, ``tuopin hygiene`` finds planted leftovers; and bandit finds nothing beyond the reviewed baseline."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.exchange.conftest import family, write_csv, write_xlsx
from tuopin.core import hygiene
from tuopin.exchange.models import ImportBatch
from tuopin.registry.models import Household

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch, settings):
    """A temporary directory and a media root of this test's own, so leftovers are ours to count."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp)
    return tmp


def test_import_and_exports_leave_no_files_behind(
    private_tmp, tmp_path, clerk_a, client_for, django_capture_on_commit_callbacks
):
    c = client_for(clerk_a)
    for name, writer, number in (("a.xlsx", write_xlsx, "2204221012019501"), ("b.csv", write_csv, "2204221012019502")):
        path = writer(tmp_path / name, family(number))
        with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
            response = c.post("/exchange/", {"file": fh})
        with django_capture_on_commit_callbacks(execute=True):
            c.post(response["Location"], {"mode": "all"})
        assert Household.objects.filter(number=number).exists()
    refused = tmp_path / "evil.xlsx"
    refused.write_bytes(b"MZ\x90\x00 not a workbook")
    with refused.open("rb") as fh:
        c.post("/exchange/", {"file": fh})
    assert ImportBatch.objects.filter(status="refused").exists()
    for url in (
        "/households/export.csv",
        "/households/export.xlsx",
        "/exchange/export/members.csv",
        "/exchange/export/members.xlsx",
    ):
        response = c.get(url)
        assert response.status_code == 200, url
        # Read to the end, as a server sends it: the test client then closes the response (and a
        # FileResponse its temporary file) as the WSGI server would.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, url
    assert sorted(p.name for p in private_tmp.iterdir()) == []  # uploads, staged copies, xlsxwriter's files: gone
    found = hygiene.scan()
    assert found.ok, found.leftovers
    staged = Path(tmp_path / "media" / "exchange")
    assert not [p for p in staged.iterdir() if p.suffix != ".progress"]  # committed and refused files removed


def test_hygiene_reports_planted_leftovers(
    private_tmp, tmp_path, clerk_a, client_for, django_capture_on_commit_callbacks, settings
):
    c = client_for(clerk_a)
    path = write_csv(tmp_path / "c.csv", family("2204221012019503"))
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        c.post("/exchange/", {"file": fh})
    batch = ImportBatch.objects.get(filename="c.csv")
    staged = Path(settings.MEDIA_ROOT) / "exchange"
    assert (staged / batch.stored_name).exists()  # validated, waiting for the clerk: legitimately kept
    assert hygiene.scan().ok
    # … but reported once it has waited past the retention period
    later = timezone.now() + dt.timedelta(days=settings.STAGED_RETENTION_DAYS + 1)
    assert any(str(batch.pk) in w for w in hygiene.scan(now=later).warnings)
    # planted: an orphan staged file, a finished batch's file, a stray upload from a request that died
    (staged / "orphan.csv").write_text("x")
    ImportBatch.objects.filter(pk=batch.pk).update(status="committed")
    stray = private_tmp / "tmpabc.upload"
    stray.write_text("x")
    old = timezone.now().timestamp() - 2 * hygiene.STRAY_UPLOAD_SECONDS
    os.utime(stray, (old, old))
    found = hygiene.scan()
    assert len(found.leftovers) == 3, found.leftovers
    with pytest.raises(CommandError, match="发现 3 处遗留文件"):
        call_command("hygiene")


def test_logout_removes_the_session_and_hygiene_purges_expired_ones(actors):
    c = Client()
    assert c.post("/accounts/login/", {"username": "clerk_a", "password": PASSWORD}).status_code == 302
    key = c.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    c.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()  # deleted server-side, not only forgotten
    other = Client()
    other.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    found = hygiene.scan(purge_sessions=True)
    assert found.expired_sessions == found.purged_sessions >= 1
    assert not Session.objects.exists()


def test_bandit_finds_nothing_beyond_the_reviewed_baseline():
    pytest.importorskip("bandit")
    bandit = Path(sys.executable).with_name("bandit")
    out = subprocess.run(  # noqa: S603 - the project's own lint
        [str(bandit), "-r", "tuopin", "-x", "tuopin/*/migrations", "-q", "-b", "scripts/bandit-baseline.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
