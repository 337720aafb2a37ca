"""Bulk writes for set-based jobs: COPY on PostgreSQL, one ``executemany`` on SQLite.

Used where a job writes tens of thousands to millions of rows (determinations, rollups): building
a Django model instance per row is the slow part of ``bulk_create`` at that size (scale.md §4.1).
Callers pass already-validated values; the database's constraints still apply.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

__all__ = ["insert_rows", "insert_columns", "copy_escape", "Same", "paused_gc", "bulk_session"]


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


class Same:
    """A column that holds one value on every row (a batch id, a year, a default)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


NULL = "\\N"
_BOOL = {True: "t", False: "f", None: NULL}
_TEXT_KINDS = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


def copy_escape(value: str) -> str:
    """A text value as PostgreSQL's COPY text format writes it (backslash, tab, newline, carriage return)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text(kind: str, values: Sequence[Any]) -> Sequence[str]:
    """A column in COPY text format: one C-level pass for the common cases, a cache for repeated values."""
    if kind == "BooleanField":
        return list(map(_BOOL.__getitem__, values))
    has_null = None in values
    if kind in _TEXT_KINDS:
        texts = [v for v in values if v is not None] if has_null else values
        joined = "".join(texts)
        if any(ch in joined for ch in "\\\t\n\r"):
            values = [None if v is None else copy_escape(v) for v in values]
        return [NULL if v is None else v for v in values] if has_null else values
    if not has_null and kind in (
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "AutoField",
        "BigAutoField",
    ):
        return list(map(str, values))
    cache: dict[Any, str] = {}
    out = []
    for v in values:
        text = cache.get(v)
        if text is None:
            text = cache[v] = NULL if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))
        out.append(text)
    return out


def _kind(field: Any) -> str:
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if kind == "JSONField":
        raise NotImplementedError("insert_columns does not write JSON columns")
    return kind


def _sqlite(field: Any, values: Sequence[Any]) -> Sequence[Any]:
    """Dates and decimals as the text sqlite3's registered adapters would make of them, once per distinct
    value instead of one Python adapter call per cell."""
    if _kind(field) not in ("DateField", "DecimalField"):
        return values
    text = {v: None if v is None else str(v) for v in set(values)}
    return list(map(text.__getitem__, values))


def insert_columns(model: type[Model], n: int, columns: dict[str, Sequence[Any] | Same], *, chunk: int = 20_000) -> int:
    """Insert ``n`` rows of ``model`` given column by column (attribute name → ``n`` values, or :class:`Same`).

    A field not given gets what ``Model.objects.create`` would give it: ``auto_now``/``auto_now_add`` the
    current time, else its default, else NULL or an empty string; a primary key not given is assigned by
    the database. On PostgreSQL the columns become COPY text in bulk (a few C-level joins per chunk, no
    per-row Python call), streamed in chunks so the server inserts one chunk while the next is built; on
    SQLite one ``executemany``. The database's constraints apply as for any insert.
    """
    if n == 0:
        return 0
    now = timezone.now()
    fields, data = [], []
    for f in model._meta.concrete_fields:
        if f.attname in columns:
            value = columns[f.attname]
        elif f.primary_key:
            continue
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = Same(now)
        elif f.has_default():
            value = Same(f.get_default())
        elif f.has_db_default():
            value = Same(f.db_default.value)
        elif f.null:
            value = Same(None)
        elif f.empty_strings_allowed:
            value = Same("")  # a blank=True text field the form leaves empty
        else:
            raise RuntimeError(f"{model.__name__}.{f.name} has no default and is not given")
        if not isinstance(value, Same) and len(value) != n:
            raise ValueError(f"{model.__name__}.{f.attname}: {len(value)} values for {n} rows")
        fields.append(f)
        data.append(value)
    q = connection.ops.quote_name  # quoted: the register has a column named "group", a reserved word in SQL
    table, cols = q(model._meta.db_table), ", ".join(q(f.column) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            text = [
                Same(_copy_text(_kind(f), [d.value])[0]) if isinstance(d, Same) else _copy_text(_kind(f), d)
                for f, d in zip(fields, data, strict=True)
            ]
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608 - model names
                for start in range(0, n, chunk):
                    m = min(chunk, n - start)
                    part = [itertools.repeat(d.value, m) if isinstance(d, Same) else d[start : start + m] for d in text]
                    copy.write("\n".join(map("\t".join, zip(*part, strict=True))) + "\n")
            return n
        prepared = [
            itertools.repeat(f.get_db_prep_save(d.value, connection), n) if isinstance(d, Same) else _sqlite(f, d)
            for f, d in zip(fields, data, strict=True)
        ]
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        cur.executemany(sql, zip(*prepared, strict=True))
    return n


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a bulk job builds millions of objects that live until it ends.

    Every few hundred new containers (a row's list, a tuple) CPython scans the young objects, and now
    and then all of them: with a file's millions of cells alive that costs a third of the job and frees
    nothing (the job makes no reference cycles). Reference counting still frees everything as usual.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def bulk_session(cache_mb: int = 256) -> Iterator[None]:
    """Connection settings for a bulk write in the caller's transaction (no durability given up).

    SQLite: a page cache big enough for the indexes being filled (the default 2 MB makes every index
    insert of a large table a page read). Restored afterwards. PostgreSQL needs nothing here.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")
