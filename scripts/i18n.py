"""The English catalogs: one per app (``tuopin/<app>/locale/en/``) and one for the project's own templates
(``tuopin/locale/en/``, LOCALE_PATHS, which wins where both translate a text).

    .venv/bin/python scripts/i18n.py update     # re-extract every catalog (keeps translations), compile
    .venv/bin/python scripts/i18n.py update cases exchange   # only those apps' catalogs
    .venv/bin/python scripts/i18n.py compile    # .po -> .mo only
    .venv/bin/python scripts/i18n.py status     # untranslated / fuzzy entries per catalog

``update`` needs GNU gettext (``apt install gettext``); the compiled ``.mo`` files are committed, so an
installation never does. Why per app: each app's texts live beside its code (Django's own layout), the
catalogs stay small enough to review, and two people translating two apps never touch the same file.
Django's ``makemessages`` puts every file under the first LOCALE_PATHS entry that contains it, and
``tuopin/locale`` contains all of ``tuopin/``; so each app is extracted from its own directory with
LOCALE_PATHS emptied, and the project catalog from ``tuopin/`` with the apps ignored.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tuopin"
LANGUAGE = "en"


def app_dirs() -> list[Path]:
    """The apps that hold texts (a directory of tuopin/ with an apps.py)."""
    return sorted(p.parent for p in PACKAGE.glob("*/apps.py"))


def catalogs() -> list[Path]:
    """Every English .po file of the project (the project catalog first)."""
    found = [PACKAGE / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"]
    found += [d / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po" for d in app_dirs()]
    return [p for p in found if p.exists()]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    import django

    django.setup()


def update(only: list[str]) -> None:
    from django.core.management import call_command
    from django.test.utils import override_settings

    common = {"locale": [LANGUAGE], "no_location": True, "no_obsolete": True, "verbosity": 0}
    here = Path.cwd()
    try:
        with override_settings(LOCALE_PATHS=[]):
            for app in app_dirs():
                if only and app.name not in only:
                    continue
                (app / "locale").mkdir(exist_ok=True)
                os.chdir(app)
                call_command("makemessages", ignore_patterns=["tests/*", "migrations/*"], **common)
            if not only or "project" in only:
                os.chdir(PACKAGE)
                ignore = [f"{a.name}/*" for a in app_dirs()] + ["static/*"]
                call_command("makemessages", ignore_patterns=ignore, **common)
    finally:
        os.chdir(here)
    import polib

    for po in catalogs():  # an app without a single text gets no catalog
        if not _entries(po):
            po.unlink()
            continue
        catalog = polib.pofile(str(po))
        catalog.metadata_is_fuzzy = False
        catalog.metadata["Language"] = LANGUAGE
        catalog.save()
    compile_all()


def _entries(po: Path) -> list:
    import polib

    return [e for e in polib.pofile(str(po)) if not e.obsolete]


def compile_all() -> None:
    import polib

    for po in catalogs():
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))


def status() -> int:
    bad = 0
    for po in catalogs():
        entries = _entries(po)
        todo = [e for e in entries if not e.translated()]
        fuzzy = [e for e in entries if e.fuzzy]
        bad += len(todo) + len(fuzzy)
        print(f"{po.relative_to(ROOT)}: {len(entries)} entries, {len(todo)} untranslated, {len(fuzzy)} fuzzy")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=("update", "compile", "status"))
    ap.add_argument("apps", nargs="*", help="app names (directories of tuopin/), 'project' for tuopin/locale")
    args = ap.parse_args()
    _setup()
    if args.command == "update":
        update(args.apps)
        return status()
    if args.command == "compile":
        compile_all()
        return 0
    return status()


if __name__ == "__main__":
    raise SystemExit(main())
