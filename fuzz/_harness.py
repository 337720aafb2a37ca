"""Shared set-up of the fuzz targets (R3): Django on a throwaway SQLite database, the seed corpus, the
libFuzzer arguments, and the rule for what counts as a crash.

A target may refuse its input only with Django's ``ValidationError`` (``FileRefused`` is one): that is the
Chinese message an official sees. Any other exception, a hang (``-timeout``) or a memory blow-up
(``-rss_limit_mb``) is a crash, and libFuzzer keeps the input that caused it (``crash-*``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("TUOPIN_FUZZ_DIR") or (ROOT / "var" / "fuzz"))


def setup_django(*, database: bool = True) -> None:
    """Django with test-only secrets on a fresh SQLite file; tables made from the models (no migrations)."""
    home = Path(tempfile.mkdtemp(prefix="tuopin-fuzz-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tuopin.settings",
            "TUOPIN_TESTING": "1",
            "TUOPIN_HOME_DIR": str(home),
            "DATABASE_URL": f"sqlite:///{home / 'fuzz.sqlite3'}",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    if not database:
        return
    settings.MEDIA_ROOT = home / "media"
    from django.apps import apps
    from django.core.management import call_command

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)


# Crashes already found and reported (in files this harness may not change), by (file, function) of the
# deepest tuopin frame: counted in the stats instead of stopping the run, so the search goes on past them.
KNOWN: dict[tuple[str, str], str] = {}  # the four crashes R3 found in exchange.files are fixed


def known_crash(exc: BaseException) -> str | None:
    """``"Exception:file:function"`` when ``exc`` is a KNOWN crash, else None (a new one)."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/tuopin/" in f.filename]
    if not frames or (Path(frames[-1].filename).name, frames[-1].name) not in KNOWN:
        return None
    return f"{type(exc).__name__}:{Path(frames[-1].filename).name}:{frames[-1].name}"


def corpus_dir(name: str, seeds: dict[str, bytes]) -> Path:
    """The target's corpus directory, with its seeds written in (kept across runs, grown by libFuzzer)."""
    path = WORK / f"corpus-{name}"
    path.mkdir(parents=True, exist_ok=True)
    for filename, data in seeds.items():
        (path / filename).write_bytes(data)
    return path


def libfuzzer_args(argv: list[str], corpus: Path) -> list[str]:
    """argv with our corpus directory and sane defaults unless the caller gave their own."""
    args = list(argv)
    if not any(not a.startswith("-") for a in args[1:]):
        args.append(str(corpus))
    if not any(a.startswith("-timeout=") for a in args):
        args.append("-timeout=20")  # one input taking longer than this is a hang
    if not any(a.startswith("-artifact_prefix=") for a in args):
        (WORK / "crashes").mkdir(parents=True, exist_ok=True)
        args.append(f"-artifact_prefix={WORK / 'crashes'}/")
    return args


def write_stats(name: str, stats: dict) -> None:
    """How deep the inputs got (refused, rows validated), beside libFuzzer's own figures."""
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"stats-{name}.json").write_text(json.dumps(stats), encoding="utf-8")
