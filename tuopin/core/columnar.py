"""Column-wise reads and writes of numpy arrays, for jobs over millions of rows (the assessment).

For millions of rows the tuples of ``core.bulk.insert_rows`` are themselves the cost, so these paths
move numpy columns straight to and from the database, without a Python object per value:

* ``fetch_int_columns`` reads integer expressions as numpy arrays: on PostgreSQL each column comes
  back as one ``array_send(array_agg(...))`` value, on SQLite all of them as one decimal text built
  by ``group_concat(printf(...))`` — one Python object per column or per query, not per value;
* ``insert_arrays`` writes numpy columns: binary COPY built with numpy on PostgreSQL; on SQLite the
  columns are bit-packed into a few integers per row, bound into a temporary table and unpacked by
  one ``INSERT … SELECT``, so the driver binds a handful of parameters per row, not one per column;
* ``read_side_by_side`` runs independent reads on two PostgreSQL connections in one snapshot.

``core.bulk.insert_columns`` is the sibling for Python values by model field (the import). Callers
pass already-validated values; the database's constraints still apply.
"""

# SQL here is assembled from table and column names given by the calling code and from integers
# computed here, never from user input.
# ruff: noqa: S608

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

__all__ = ["fetch_int_columns", "insert_arrays", "read_side_by_side", "Col", "NULL_INT"]

# The value ``fetch_int_columns`` callers use for SQL NULL (COALESCE(expr, NULL_INT)): no count,
# code, date or amount in fen comes near it.
NULL_INT = -(2**62)


# ---------------------------------------------------------------------------------------------
# Reading integer columns


def fetch_int_columns(exprs: Sequence[str], tail: str, params: Sequence[Any] = ()) -> list[np.ndarray]:
    """``SELECT exprs … tail`` as one int64 numpy array per expression.

    ``tail`` is the rest of the statement (``FROM … WHERE …``, placeholders ``%s``); every expression
    must be an integer that is never NULL (wrap nullable ones in ``COALESCE(…, NULL_INT)``) — a NULL
    raises ``ValueError`` on PostgreSQL and would read as 0 on SQLite. Row order is unspecified:
    fetch a key and sort by it when order matters.
    """
    if connection.vendor == "postgresql":
        return _pg_fetch(exprs, tail, params)
    return _sqlite_fetch(exprs, tail, params)


def _pg_fetch(exprs: Sequence[str], tail: str, params: Sequence[Any]) -> list[np.ndarray]:
    import psycopg  # only on PostgreSQL

    select = ", ".join(f"array_send(array_agg(({e})::int8))" for e in exprs)
    connection.ensure_connection()
    # A server-side-binding cursor (Django's are client-side), so the arrays come back binary.
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(f"SELECT {select} {tail}", list(params), binary=True)
        values = cur.fetchone()
    return [_pg_int8_array(v) for v in values]


def _pg_int8_array(data: bytes | None) -> np.ndarray:
    """Decode the binary form of a one-dimensional int8[] (array_send): a 20-byte header, then
    (length, value) pairs."""
    if data is None:  # array_agg over no rows
        return np.zeros(0, dtype=np.int64)
    ndim, has_nulls, _oid = np.frombuffer(data, dtype=">i4", count=3)
    if ndim == 0:
        return np.zeros(0, dtype=np.int64)
    if has_nulls:
        raise ValueError("fetch_int_columns: an expression returned NULL")
    pairs = np.frombuffer(data, dtype=[("len", ">i4"), ("value", ">i8")], offset=20)
    return pairs["value"].astype(np.int64)


def _sqlite_fetch(exprs: Sequence[str], tail: str, params: Sequence[Any]) -> list[np.ndarray]:
    k = len(exprs)
    inner = ", ".join(f"({e}) AS c{i}" for i, e in enumerate(exprs))
    cols = ", ".join(f"c{i}" for i in range(k))
    # One text for the whole result: every value in decimal, comma-separated, parsed by numpy in C.
    # ('%%' is a literal '%' through Django's cursor and its query log.)
    sql = f"SELECT group_concat(printf('{','.join(['%%d'] * k)}', {cols}), ',') FROM (SELECT {inner} {tail})"
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        text = cur.fetchone()[0]
    if not text:
        return [np.zeros(0, dtype=np.int64) for _ in range(k)]
    flat = np.fromstring(text, dtype=np.int64, sep=",")
    if len(flat) % k:
        raise ValueError("fetch_int_columns: the result did not parse as integers")
    flat = flat.reshape(-1, k)
    return [np.ascontiguousarray(flat[:, i]) for i in range(k)]


def read_side_by_side(
    lanes: Sequence[Sequence[Callable[[], Any]]], *, pg_settings: dict[str, str] | None = None
) -> list[list[Any]]:
    """Run read-only jobs, each lane's in order, and return their results lane by lane.

    On PostgreSQL, outside a transaction, each lane runs in a thread on a connection of its own, so
    two cores work at once (one backend process per connection), and the lanes share one snapshot
    (the first lane exports it, the others import it): they read the same state of the database.
    Inside a transaction — whose uncommitted rows other connections cannot see — and on SQLite the
    jobs run one after another on this connection. (SQLite's driver releases the GIL while it
    steps, but two connections stepping allocation-heavy queries side by side were measured no
    faster than one: the library serialises on its allocator.) ``pg_settings`` are planner settings
    for the lanes' transactions (``SET LOCAL``; not applied on this connection).
    """
    if len(lanes) < 2 or connection.in_atomic_block or connection.vendor != "postgresql":
        return [[job() for job in lane] for lane in lanes]
    snapshot: list[str] = []
    exported, imported = threading.Event(), threading.Barrier(len(lanes))

    def run(index: int) -> list[Any]:
        from django.db import connection as own  # this thread's connection

        try:
            with own.cursor() as cur:
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                if index == 0:
                    cur.execute("SELECT pg_export_snapshot()")
                    snapshot.append(cur.fetchone()[0])
                    exported.set()
                else:
                    exported.wait()
                    if not snapshot or not re.fullmatch(r"[0-9A-F-]+", snapshot[0]):
                        raise RuntimeError("read_side_by_side: no snapshot to share")
                    cur.execute(f"SET TRANSACTION SNAPSHOT '{snapshot[0]}'")  # a utility statement: no parameters
                for name, value in (pg_settings or {}).items():
                    cur.execute("SELECT set_config(%s, %s, true)", [name, value])
            imported.wait()  # the exporting transaction stays open until every lane has imported
            results = [job() for job in lanes[index]]
            with own.cursor() as cur:
                cur.execute("COMMIT")
            return results
        except BaseException:
            exported.set()
            imported.abort()
            raise
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        futures = [pool.submit(run, i) for i in range(len(lanes))]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:  # the lane that failed first, not the others it stopped at the barrier
        raise next((e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0])
    return [f.result() for f in futures]


# ---------------------------------------------------------------------------------------------
# Writing numpy columns


@dataclass(frozen=True)
class Col:
    """One column for ``insert_arrays``.

    ``kind`` says how ``values`` are written:

    - ``int``, ``bool``: integer or boolean arrays;
    - ``decimal``: integers scaled by ``10**scale`` (yuan in fen with ``scale=2``); on SQLite written
      as the decimal text, as the ORM writes a ``Decimal``, or with ``sqlite_real`` as the nearest
      double, as a float parameter is written (the two can differ in the last bit);
    - ``label``: integer codes indexing ``labels`` (a short text vocabulary);
    - ``digits``: non-negative integers written as text zero-padded to ``width`` digits;
    - ``hex``: an (n, k) uint8 array written as 2k lowercase hex digits;
    - ``const``: one value (int or str) for every row.

    ``null`` (optional) marks the rows written as NULL. ``values`` may be anything sliceable into
    such an array (``values[lo:hi]``): the rows are taken chunk by chunk, so a column can be
    computed while the previous chunks are written.
    """

    name: str
    kind: str
    values: Any
    null: np.ndarray | None = None
    labels: tuple[str, ...] = ()
    width: int = 0
    scale: int = 0
    sqlite_real: bool = False


def insert_arrays(table: str, columns: Sequence[Col], *, chunk: int = 100_000) -> int:
    """Insert the rows made of ``columns`` (equal lengths) into ``table``; returns how many."""
    n = _length(columns)
    if n == 0:
        return 0
    if connection.vendor == "postgresql":
        _pg_copy(table, columns, n, chunk)
    else:
        _sqlite_packed_insert(table, columns, n, chunk)
    return n


def _length(columns: Sequence[Col]) -> int:
    lengths = {len(c.values) for c in columns if c.kind != "const"}
    if len(lengths) != 1:
        raise ValueError(f"insert_arrays: columns of different lengths {sorted(lengths)}")
    return lengths.pop()


def _hex_digits(values: np.ndarray) -> np.ndarray:
    """(n, k) bytes → (n, 2k) uint8: their lowercase hex digits in ASCII."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    out = np.empty((values.shape[0], values.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = digits[values >> 4]
    out[:, 1::2] = digits[values & 15]
    return out


# PostgreSQL binary COPY ------------------------------------------------------------------------

_PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_PG_INT = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8"}


def _pg_types(table: str) -> dict[str, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        return dict(cur.fetchall())


def _pg_field(col: Col, pg_type: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray | None]:
    """One column of rows lo:hi in binary COPY form: its data as a (rows, width) uint8 block, and
    the length of each row's value (−1 for NULL), or None when every value fills the block."""
    rows = hi - lo
    lengths = None
    if col.kind == "const":
        data = _pg_const(col.values, pg_type, rows)
    elif pg_type in _PG_INT or pg_type == "boolean":
        dtype = ">i1" if pg_type == "boolean" else _PG_INT[pg_type]
        data = np.asarray(col.values[lo:hi]).astype(dtype).view(np.uint8).reshape(rows, -1)
    elif pg_type == "numeric":
        data = _pg_numeric(np.asarray(col.values[lo:hi], dtype=np.int64), col.scale)
    elif col.kind == "label":
        codes = np.asarray(col.values[lo:hi])
        encoded = [s.encode() for s in col.labels]
        width = max(max((len(b) for b in encoded), default=0), 1)
        table = np.frombuffer(np.array(encoded, dtype=f"S{width}").tobytes(), dtype=np.uint8).reshape(-1, width)
        data = table[codes]
        if not _pg_fixed_width(col):
            lengths = np.array([len(b) for b in encoded], dtype=np.int32)[codes]
    elif col.kind == "digits":
        text = np.char.zfill(np.asarray(col.values[lo:hi]).astype(np.int64).astype(f"S{col.width}"), col.width)
        data = np.frombuffer(text.tobytes(), dtype=np.uint8).reshape(rows, col.width)
    elif col.kind == "hex":
        data = _hex_digits(np.asarray(col.values[lo:hi], dtype=np.uint8))
    else:
        raise ValueError(f"insert_arrays: cannot write {col.kind} into {pg_type} ({col.name})")
    if col.null is not None and col.kind != "const":
        null = np.asarray(col.null[lo:hi], dtype=bool)
        full = np.full(rows, data.shape[1], dtype=np.int32) if lengths is None else lengths
        lengths = np.where(null, -1, full)
    return data, lengths


def _pg_const(value: Any, pg_type: str, rows: int) -> Any:
    if pg_type in _PG_INT:
        one = np.array([value], dtype=_PG_INT[pg_type]).view(np.uint8)
    elif isinstance(value, str):
        one = np.frombuffer(value.encode(), dtype=np.uint8)
    else:
        raise ValueError(f"insert_arrays: constant {value!r} for {pg_type}")
    return np.broadcast_to(one, (rows, len(one)))


def _pg_numeric(scaled: np.ndarray, scale: int) -> np.ndarray:
    """numeric in binary form from integers scaled by 10**scale: ndigits, weight, sign, dscale, then
    base-10000 digits. Always five integer digit groups (any int64) and enough fraction groups;
    the server strips the leading and trailing zero groups."""
    frac_groups = -(-scale // 4)
    ndigits = 5 + frac_groups
    rows = len(scaled)
    magnitude = np.abs(scaled)
    whole, frac = np.divmod(magnitude, 10**scale)
    frac = frac * 10 ** (4 * frac_groups - scale)  # left-align the fraction in its groups
    out = np.empty((rows, 4 + ndigits), dtype=">i2")
    out[:, 0] = ndigits
    out[:, 1] = 4  # weight of the first group: 10000**4
    out[:, 2] = np.where(scaled < 0, 0x4000, 0)
    out[:, 3] = scale
    for g in range(5):
        out[:, 4 + g] = (whole // 10 ** (4 * (4 - g))) % 10000
    for g in range(frac_groups):
        out[:, 9 + g] = (frac // 10 ** (4 * (frac_groups - 1 - g))) % 10000
    return out.view(np.uint8).reshape(rows, -1)


def _pg_copy(table: str, columns: Sequence[Col], n: int, chunk: int) -> None:
    """Binary COPY, built chunk by chunk while a writer thread sends the previous chunks (the
    server ingests on its own core meanwhile)."""
    from psycopg.copy import QueuedLibpqWriter

    types = _pg_types(table)
    # Fixed-width fields first (COPY names its columns in any order), so only the tail of each row,
    # where NULLs and texts of varying length are, needs compacting.
    ordered = sorted(columns, key=lambda c: not _pg_fixed_width(c))
    names = ", ".join(c.name for c in ordered)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cur,
        cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", writer=QueuedLibpqWriter(cur)) as copy,
    ):
        copy.write(_PG_HEADER)
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            copy.write(_pg_rows(hi - lo, [_pg_field(c, types[c.name], lo, hi) for c in ordered]))
        copy.write(b"\xff\xff")


def _pg_fixed_width(col: Col) -> bool:
    if col.null is not None:
        return False
    return col.kind != "label" or len({len(s.encode()) for s in col.labels}) <= 1


def _pg_rows(rows: int, fields: list[tuple[np.ndarray, np.ndarray | None]]) -> memoryview:
    """Rows of binary COPY: the field count, then each field's length and data, with the unused
    bytes of variable-width fields (NULLs, shorter texts) squeezed out. Fields given fixed-width
    first keep that squeezing to the tail of the rows."""
    widths = [data.shape[1] for data, _lengths in fields]
    starts = np.cumsum([2] + [4 + w for w in widths]).tolist()
    matrix = np.empty((rows, starts[-1]), dtype=np.uint8)
    matrix[:, :2] = np.array([len(fields)], dtype=">i2").view(np.uint8)
    for (data, lengths), width, at in zip(fields, widths, starts, strict=False):
        if lengths is None:
            matrix[:, at : at + 4] = np.array([width], dtype=">i4").view(np.uint8)
        else:
            matrix[:, at : at + 4] = lengths.astype(">i4").view(np.uint8).reshape(rows, 4)
        matrix[:, at + 4 : at + 4 + width] = data
    variable = [i for i, (_data, lengths) in enumerate(fields) if lengths is not None]
    if not variable:
        return memoryview(matrix).cast("B")
    keep = np.ones((rows, starts[-1]), dtype=bool)
    for i in variable:
        at, width = starts[i], widths[i]
        used = np.maximum(fields[i][1], 0)
        keep[:, at + 4 : at + 4 + width] = np.arange(width)[None, :] < used[:, None]
    return memoryview(matrix[keep])


# SQLite: bit-packed parameters, unpacked by INSERT … SELECT --------------------------------------


def _sqlite_codes(col: Col) -> tuple[np.ndarray, int, int, np.ndarray | None]:
    """Non-negative integer codes for a column, the offset to add back and the code marking NULL."""
    values = np.asarray(col.values)
    if col.kind == "hex":
        raise AssertionError("hex columns are packed as raw words")
    values = values.astype(np.int64)
    null = None if col.null is None else np.asarray(col.null, dtype=bool)
    present = values if null is None else values[~null]
    offset = int(present.min()) if len(present) else 0
    top = int(present.max()) - offset + 1 if len(present) else 0  # one past the largest code
    if null is not None:
        return np.where(null, top, values - offset), offset, top, null
    return values - offset, offset, -1, None


def _sqlite_packed_insert(table: str, columns: Sequence[Col], n: int, chunk: int) -> None:
    words: list[np.ndarray] = []
    exprs: list[str] = []
    free: list[int] = []  # free bits left in each word (63 used, so every word stays non-negative)
    for col in columns:
        if col.kind == "const":
            exprs.append(_sqlite_literal(col.values))
            continue
        if col.kind == "hex":
            # Bytes per row (one blob parameter), turned into hex digits by SQLite's hex().
            raw = np.ascontiguousarray(col.values[0:n], dtype=np.uint8)
            words.append(np.frombuffer(raw.tobytes(), dtype=f"V{raw.shape[1]}"))
            free.append(0)
            exprs.append(f"lower(hex(w{len(words) - 1}))")
            continue
        codes, offset, null_code, _null = _sqlite_codes(col)
        bits = max(int(codes.max()).bit_length() if len(codes) else 1, 1)
        if bits > 63:
            raise ValueError(f"insert_arrays: {col.name} needs {bits} bits")
        slot = next((i for i, f in enumerate(free) if f >= bits), None)
        if slot is None:
            words.append(np.zeros(n, dtype=np.int64))
            free.append(63)
            slot = len(words) - 1
        shift = 63 - free[slot]
        words[slot] |= codes << shift
        free[slot] -= bits
        value = f"((w{slot} >> {shift}) & {(1 << bits) - 1})" if shift or bits < 63 else f"w{slot}"
        if null_code >= 0:
            value = f"NULLIF({value}, {null_code})"
        if offset:
            value = f"({value} + {offset})"
        exprs.append(_sqlite_decode(col, value))
    # The packed rows go into a temporary table with executemany (a few parameters per row); one
    # INSERT … SELECT then unpacks them. (An INSERT … SELECT per row, straight from the parameters,
    # is several times slower: SQLite sets the SELECT up again for every row.)
    temp = "tmp_bulk_columns"
    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection: '?' placeholders, no conversion by Django
    raw.execute(f"DROP TABLE IF EXISTS temp.{temp}")
    raw.execute(f"CREATE TEMP TABLE {temp} ({', '.join(f'w{i}' for i in range(len(words)))})")
    try:
        marks = ", ".join("?" * len(words))
        for lo in range(0, n, chunk):
            rows = zip(*(w[lo : lo + chunk].tolist() for w in words), strict=True)
            raw.executemany(f"INSERT INTO temp.{temp} VALUES ({marks})", rows)
        names = ", ".join(c.name for c in columns)
        raw.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} FROM temp.{temp} ORDER BY rowid")
    finally:
        raw.execute(f"DROP TABLE IF EXISTS temp.{temp}")


def _sqlite_decode(col: Col, value: str) -> str:
    if col.kind in ("int", "bool"):
        return value
    if col.kind == "decimal" and col.scale and col.sqlite_real:
        return f"({value} / {10**col.scale}.0)"
    if col.kind == "decimal" and col.scale:
        # As Django writes a DecimalField to SQLite: the text with ``scale`` places (the column's
        # NUMERIC affinity then stores it as a number, converted exactly as the ORM's would be).
        unit = 10**col.scale
        text = f"printf('%d.%0{col.scale}d', abs({value}) / {unit}, abs({value}) % {unit})"
        null = f"WHEN {value} IS NULL THEN NULL " if col.null is not None else ""
        return f"(CASE {null}WHEN {value} < 0 THEN '-' || {text} ELSE {text} END)"
    if col.kind == "decimal":
        return value
    if col.kind == "label":
        whens = " ".join(f"WHEN {i} THEN {_sqlite_literal(s)}" for i, s in enumerate(col.labels))
        return f"(CASE {value} {whens} END)"
    if col.kind == "digits":  # a plain cast when there is no zero to pad (the usual case)
        null = f"WHEN {value} IS NULL THEN NULL " if col.null is not None else ""
        return (
            f"(CASE {null}WHEN {value} >= {10 ** (col.width - 1)} THEN CAST({value} AS TEXT)"
            f" ELSE printf('%0{col.width}d', {value}) END)"
        )
    raise ValueError(f"insert_arrays: unknown kind {col.kind} ({col.name})")


def _sqlite_literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))
