"""Backup and restore for SQLite and PostgreSQL, with a manifest that a restore drill checks.

A backup is a directory holding the database copy (SQLite's online backup API, or ``pg_dump -Fc``)
and ``manifest.json``: for every tuopin table, its row count and a SHA-256 over its rows in primary-key
order. ``restore`` puts the copy back and recomputes the manifest; the drill (`tuopin restore
--verify`) compares them and checks the audit chain, so a restore that lost or changed a row fails
loudly (等保 数据备份恢复; security.md R13).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.utils import timezone

__all__ = ["table_digests", "backup", "restore", "compare"]


def _tables() -> list[tuple[str, str]]:
    """(table, primary-key column) of every concrete model, tuopin's and Django's alike."""
    seen, out = set(), []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.managed and not model._meta.proxy and table not in seen:
            seen.add(table)
            out.append((table, model._meta.pk.column))
    existing = set(connection.introspection.table_names())
    return sorted(t for t in out if t[0] in existing)


def table_digests() -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table's rows (primary-key order), read in chunks."""
    result = {}
    with connection.cursor() as cur:
        for table, pk in _tables():
            qt, qpk = connection.ops.quote_name(table), connection.ops.quote_name(pk)
            cur.execute(f"SELECT * FROM {qt} ORDER BY {qpk}")  # noqa: S608 - names from the model registry
            digest, count = hashlib.sha256(), 0
            while rows := cur.fetchmany(5000):
                for row in rows:
                    digest.update(repr(tuple(_canonical(v) for v in row)).encode("utf-8"))
                count += len(rows)
            result[table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def _canonical(value: Any) -> Any:
    """Same value whichever driver returned it (memoryview vs bytes; aware datetimes in UTC)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.astimezone(dt.UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if value is not None else None


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return env


def _pg_args(settings: dict[str, Any]) -> list[str]:
    args = ["-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["-U", settings["USER"]]
    return args


def _tool(name: str) -> str:
    """Full path of a PostgreSQL client program (pg_dump/pg_restore), which must match the server."""
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} 未安装：请安装与服务器版本一致的 PostgreSQL 客户端（postgresql-client）。")
    return path


def backup(directory: Path) -> Path:
    """Write a backup of the default database into a new directory below ``directory``."""
    target = Path(directory) / timezone.localtime().strftime("tuopin-%Y%m%d-%H%M%S-%f")
    target.mkdir(parents=True, mode=0o700)
    manifest = {"vendor": connection.vendor, "created": timezone.now().isoformat(), "tables": table_digests()}
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target / "db.sqlite3")
        with dest:
            connection.connection.backup(dest)
        dest.close()
    elif connection.vendor == "postgresql":
        settings = connection.settings_dict
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _tool("pg_dump"),
                "-Fc",
                "--no-owner",
                "-f",
                str(target / "db.dump"),
                *_pg_args(settings),
                settings["NAME"],
            ],
            check=True,
            env=_pg_env(settings),
            capture_output=True,
        )
    else:
        raise RuntimeError(f"backup does not support {connection.vendor}")
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def restore(source: Path) -> dict[str, Any]:
    """Replace the default database's content with the backup in ``source``; returns its manifest.

    The application must not be serving requests meanwhile (stop the server first).
    """
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if manifest["vendor"] != connection.vendor:
        raise RuntimeError(f"backup is from {manifest['vendor']}, the database is {connection.vendor}")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        src = sqlite3.connect(source / "db.sqlite3")
        with src:
            src.backup(connection.connection)
        src.close()
    else:
        settings = connection.settings_dict
        connections.close_all()
        subprocess.run(  # noqa: S603
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                settings["NAME"],
                *_pg_args(settings),
                str(source / "db.dump"),
            ],
            check=True,
            env=_pg_env(settings),
            capture_output=True,
        )
    return manifest


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """Tables whose row count or content hash differ between two manifests."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        a, b = expected.get(table), actual.get(table)
        if a != b:
            problems.append(f"{table}: 备份 {a} ≠ 恢复后 {b}")
    return problems
