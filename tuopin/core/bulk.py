"""Bulk writes for set-based jobs: COPY on PostgreSQL, one ``executemany`` on SQLite.

Used where a job writes tens of thousands to millions of rows (determinations, rollups): building
a Django model instance per row is the slow part of ``bulk_create`` at that size (scale.md §4.1).
Callers pass already-validated values; the database's constraints still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

__all__ = ["insert_rows"]


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, chunk: int = 50_000) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns how many were written."""
    cols = ", ".join(columns)
    count = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608 - internal table/column names
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            count += len(batch)
    return count
