"""Loading the assessment's inputs for a whole region and year at once, as numpy columns.

A handful of range scans (households, status history, two years of household facts, the year's
member facts, members, programme records) fetch every row the engine needs; nothing is read
household by household. Every column travels as integers (amounts in fen, dates as days since
1970, short texts as codes of their choices) through ``core.columnar.fetch_int_columns``, so a million
households cost a few Python objects, not tens of millions, and both databases return the same shapes.

When the region holds every household of the table (a whole-city run), the queries skip the join
to the household table and the cohort is picked out in numpy; for a smaller region each query
joins the households of the region. On PostgreSQL, outside a transaction, the queries run on two
connections side by side (``core.columnar.read_side_by_side``).
"""

# SQL here is assembled from fixed table, column and choice names and integers, never from input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from tuopin.core.columnar import NULL_INT, fetch_int_columns, read_side_by_side
from tuopin.core.scoping import next_prefix
from tuopin.registry import choices as rc

__all__ = ["Coded", "Inputs", "load_inputs", "text_bytes", "text_in", "village_groups"]

NaT = np.datetime64("NaT")

# The texts the engine reads, as codes of their choices ('' = blank). A value outside them (only
# possible by writing around the model) is read as text by a second, rare query.
STATUS_LABELS = tuple(rc.HouseholdStatus.values)
CATEGORY_LABELS = ("", *rc.HouseholdCategory.values)
HOUSING_LABELS = ("", *rc.HousingSafety.values)
SCHOOL_LABELS = ("", *rc.SchoolStatus.values)
EPOCH_JDN = 2440587  # CAST(julianday('1970-01-01') AS INTEGER) on SQLite


@dataclass
class Coded:
    """A text column as integer codes into its labels (``labels[codes]`` are the texts): what the
    loader read, kept so that comparisons and the hash need not touch a Python string per row."""

    codes: np.ndarray
    labels: tuple[str, ...]

    def texts(self) -> np.ndarray:
        return np.array(self.labels, dtype=object)[self.codes]


@dataclass
class Inputs:
    """Column arrays for one cohort. Household arrays have length n (sorted by id); member arrays
    length m (sorted by household, then member) with ``m_hh`` the household's index."""

    year: int
    hh_id: np.ndarray
    village: np.ndarray  # str codes
    ident_year: np.ndarray
    category: np.ndarray
    status: np.ndarray  # status at the end of the year (str)
    relapsed_in_year: np.ndarray  # bool
    exited_in_year: np.ndarray  # bool
    has_year: np.ndarray  # bool: a HouseholdYear row exists for the year
    size: np.ndarray
    net_pc: np.ndarray  # float, NaN when no row
    prev_net_pc: np.ndarray  # float, NaN when no row for the previous year
    prev_net: np.ndarray
    rigid_spending: np.ndarray
    food_ok: np.ndarray  # bool
    housing_safety: np.ndarray  # str ('' when unknown)
    housed_otherwise: np.ndarray
    water_litres: np.ndarray  # float, NaN when unknown
    water_quality: np.ndarray  # float 1/0, NaN when unknown
    water_piped: np.ndarray
    water_trip: np.ndarray
    water_horizontal: np.ndarray
    water_vertical: np.ndarray
    water_shortage: np.ndarray
    m_hh: np.ndarray
    m_id: np.ndarray
    m_birth: np.ndarray  # datetime64[D]
    m_school: np.ndarray  # str code
    m_insured: np.ndarray  # bool
    # Programme records (issue 4): each member's out-of-pocket ratio over the year's medical claims
    # (NaN without claims) and whether a housing case was completed for the household in the year.
    m_selfpay: np.ndarray | None = None
    housing_done: np.ndarray | None = None
    # Village codes as integers with ``village`` = ``village_codes[village_index]`` (for grouping).
    village_index: np.ndarray | None = None
    village_codes: np.ndarray | None = None
    # The text columns (status, category, housing_safety, m_school) as codes, when loaded so.
    coded: dict[str, Coded] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.hh_id)


def village_groups(inp: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """(distinct village codes as integers, each household's index into them)."""
    if inp.village_codes is not None and inp.village_index is not None:
        return inp.village_codes, inp.village_index
    if not inp.n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, index = np.unique(inp.village.astype(str).astype(np.int64), return_inverse=True)
    return codes, index


def _range(prefix: str) -> tuple[str, str]:
    upper = next_prefix(prefix) if prefix else None
    return prefix, upper or "A"  # 'A' sorts after every digit


# Integer expressions per database -----------------------------------------------------------------


def _pg() -> bool:
    return connection.vendor == "postgresql"


# NULL travels as -1 where no value can be negative (counts: the columns' CHECK >= 0), a short
# number to write and parse; amounts and dates, which can be negative, use NULL_INT.
NULL_SMALL = -1


def _int(col: str) -> str:
    """A non-negative integer, NULL as -1."""
    return f"COALESCE({col}, {NULL_SMALL})"


def _bit(col: str) -> str:
    """A boolean that cannot be NULL as 0/1 (any non-zero as 1)."""
    return f"({col})::int" if _pg() else f"({col} <> 0)"


def _fen(col: str) -> str:
    """An amount in yuan (two decimal places) as integer fen."""
    if _pg():
        return f"COALESCE(({col} * 100)::int8, {NULL_INT})"
    return f"COALESCE(CAST(round({col} * 100) AS INTEGER), {NULL_INT})"


def _days(col: str) -> str:
    """A date as days since 1970-01-01."""
    if _pg():
        return f"COALESCE({col} - DATE '1970-01-01', {NULL_INT})"
    return f"COALESCE(CAST(julianday({col}) AS INTEGER) - {EPOCH_JDN}, {NULL_INT})"


def _code(col: str) -> str:
    """A 12-digit region code as an integer."""
    return f"({col})::int8" if _pg() else f"CAST({col} AS INTEGER)"


def _label(col: str, labels: tuple[str, ...]) -> str:
    """A short text as the index of its choice, -1 when it is none of them."""
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(labels))
    return f"(CASE {col} {whens} ELSE -1 END)"


def _floats(values: np.ndarray, scale: float = 1.0, null: int = NULL_INT) -> np.ndarray:
    """Integers with ``null`` as NaN, as floats (divided by ``scale``)."""
    out = values / scale if scale != 1.0 else values.astype(np.float64)
    out[values == null] = np.nan
    return out


def _coded(codes: np.ndarray, labels: tuple[str, ...], keys: np.ndarray, unknown: Callable[[], list]) -> Coded:
    """Codes of ``labels``; rows coded -1 take their text from ``unknown()``, a list of (key, text)
    for every out-of-choice value matched on ``keys``, appended to the labels."""
    odd = codes < 0
    if odd.any():
        found = dict(unknown())
        texts = [found[k] for k in keys[odd].tolist()]
        labels = labels + tuple(sorted(set(texts) - set(labels)))
        codes = codes.copy()
        codes[odd] = [labels.index(t) for t in texts]
    return Coded(codes, labels)


def text_in(inp: Inputs, name: str, choices: Any, rows: Any = slice(None)) -> np.ndarray:
    """Which rows of text column ``name`` are among ``choices`` (via its codes when loaded so)."""
    choices = np.array(list(choices), dtype=object)
    coded = inp.coded.get(name)
    if coded is None:
        return np.isin(getattr(inp, name)[rows], choices)
    return np.isin(np.array(coded.labels, dtype=object), choices)[coded.codes[rows]]


def text_bytes(inp: Inputs, name: str, width: int, rows: Any = slice(None)) -> np.ndarray:
    """Text column ``name`` as ``S{width}`` bytes (``astype`` of the texts, via the codes)."""
    coded = inp.coded.get(name)
    if coded is None:
        return getattr(inp, name)[rows].astype(f"S{width}")
    return np.array(coded.labels, dtype=object).astype(f"S{width}")[coded.codes[rows]]


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _positions(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key sits in the sorted ``ids``, and which keys are there at all."""
    if not len(ids):
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    if ids[0] >= 0 and ids[-1] < 4 * len(ids) + 1024:  # dense ids (the usual case): a lookup table
        table = np.full(int(ids[-1]) + 2, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        pos = table[np.clip(keys, 0, len(table) - 1)]
        ok = (pos >= 0) & (keys >= 0) & (keys <= ids[-1])
        return np.maximum(pos, 0), ok
    pos = np.searchsorted(ids, keys)
    ok = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == keys)
    return pos, ok


def _ascending(*keys: np.ndarray) -> bool:
    """Whether rows are already in order of ``keys`` (the first most significant), ties allowed."""
    if len(keys[0]) < 2:
        return True
    later = np.zeros(len(keys[0]) - 1, dtype=bool)  # row i+1 already after row i on a more significant key
    for key in keys:
        step = np.diff(key)
        if ((step < 0) & ~later).any():
            return False
        later |= step > 0
    return True


# The queries ---------------------------------------------------------------------------------------


class _Cohort:
    """The SQL pieces selecting the rows of a region's households (or of the whole table)."""

    def __init__(self, year: int, prefix: str):
        self.year = year
        self.lo, self.hi = _range(prefix)
        with connection.cursor() as cur:
            # Two subqueries, so each is answered from the end of the village index.
            cur.execute(
                "SELECT (SELECT MIN(village_id) FROM registry_household), (SELECT MAX(village_id) FROM registry_household)"
            )
            first, last = cur.fetchone()
        self.whole = first is None or (first >= self.lo and last < self.hi)

    def table(self, name: str, alias: str) -> str:
        """``name alias`` in FROM. A whole-table run wants a large part of each table (a year of
        several): SQLite reads it faster in one pass than row by row through an index."""
        return f"{name} {alias} NOT INDEXED" if self.whole and not _pg() else f"{name} {alias}"

    def where(self, alias: str, household_col: str) -> tuple[str, str, list]:
        """(join, condition, params) restricting ``alias`` rows to the region's households."""
        if self.whole:
            return "", "", []
        return (
            f" JOIN registry_household h ON h.id = {alias}.{household_col}",
            " AND h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s",
            [self.lo, self.hi, self.year],
        )

    # Small values share one integer (fewer numbers to write and parse): a code c in -1 … k is
    # stored as c + 1 in the low bits, so every packing below is exact for any value.

    def households(self) -> list[np.ndarray]:
        """(id, village code, identification year × 8 + category code + 1)."""
        return fetch_int_columns(
            ["h.id", _code("h.village_id"), f"h.identification_year * 8 + {_label('h.category', CATEGORY_LABELS)} + 1"],
            f"FROM {self.table('registry_household', 'h')}"
            " WHERE h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s",
            [self.lo, self.hi, self.year],
        )

    def status_changes(self) -> list[np.ndarray]:
        """(household, year × 8 + status code + 1, date, id) of every change up to the year."""
        join, cond, params = self.where("c", "household_id")
        return fetch_int_columns(
            ["c.household_id", f"c.year * 8 + {_label('c.to_status', STATUS_LABELS)} + 1", _days("c.date"), "c.id"],
            f"FROM {self.table('registry_householdstatuschange', 'c')}{join} WHERE c.year <= %s{cond}",
            [self.year, *params],
        )

    def household_years(self) -> list[np.ndarray]:
        """The year's facts: (household, size, net per capita, rigid spending, flags, five water
        numbers); flags = food | housed << 1 | piped << 2 | quality (0/1/2 unknown) << 3 |
        (housing code + 1) << 5."""
        join, cond, params = self.where("y", "household_id")
        flags = (
            f"{_bit('y.food_clothing_secure')} + 2 * {_bit('y.housed_otherwise')} + 4 * {_bit('y.water_piped')}"
            f" + 8 * COALESCE({_bit('y.water_quality_ok')}, 2) + 32 * ({_label('y.housing_safety', HOUSING_LABELS)} + 1)"
        )
        return fetch_int_columns(
            [
                "y.household_id",
                "y.size",
                _fen("y.net_income_per_capita"),
                _fen("y.rigid_spending"),
                flags,
                _int("y.water_litres_per_day"),
                _int("y.water_trip_minutes"),
                _int("y.water_horizontal_m"),
                _int("y.water_vertical_m"),
                _int("y.water_shortage_days"),
            ],
            f"FROM {self.table('registry_householdyear', 'y')}{join} WHERE y.year = %s{cond}",
            [self.year, *params],
        )

    def previous_years(self) -> list[np.ndarray]:
        """(household, net per capita, net income) of the year before."""
        join, cond, params = self.where("y", "household_id")
        return fetch_int_columns(
            ["y.household_id", _fen("y.net_income_per_capita"), _fen("y.net_income")],
            f"FROM {self.table('registry_householdyear', 'y')}{join} WHERE y.year = %s{cond}",
            [self.year - 1, *params],
        )

    def _alive(self, alias: str) -> tuple[str, list]:
        """Members not dead or gone by the end of the year."""
        end = f"{self.year}-12-31"
        cast = "%s::date" if _pg() else "%s"
        return (
            f"({alias}.deceased_on IS NULL OR {alias}.deceased_on > {cast})"
            f" AND ({alias}.moved_out_on IS NULL OR {alias}.moved_out_on > {cast})",
            [end, end],
        )

    def member_years(self) -> list[np.ndarray]:
        """(household, member, (school code + 1) × 2 + insured[, birth]) of the year's member facts.
        A whole table reads members separately (``members``); a region joins them here."""
        school = _label("my.school_status", SCHOOL_LABELS)
        exprs = ["my.household_id", "my.member_id", f"({school} + 1) * 2 + {_bit('my.medical_insured')}"]
        if self.whole:
            return fetch_int_columns(
                exprs, f"FROM {self.table('registry_memberyear', 'my')} WHERE my.year = %s", [self.year]
            )
        join, cond, params = self.where("my", "household_id")
        alive, alive_params = self._alive("m")
        return fetch_int_columns(
            [*exprs, _days("m.birth_date")],
            f"FROM registry_memberyear my JOIN registry_member m ON m.id = my.member_id{join}"
            f" WHERE my.year = %s AND {alive}{cond}",
            [self.year, *alive_params, *params],
        )

    def members(self) -> list[np.ndarray]:
        """(id, birth) of every member counted at the end of the year (whole-table runs only)."""
        alive, params = self._alive("m")
        return fetch_int_columns(
            ["m.id", _days("m.birth_date")], f"FROM {self.table('registry_member', 'm')} WHERE {alive}", params
        )

    def claims(self) -> list[tuple]:
        """Per member: the year's medical claim totals and self-paid sums (few rows: as tuples)."""
        join, cond, params = self.where("c", "household_id")
        return _rows(
            f"SELECT c.member_id, SUM(c.total_cost), SUM(c.self_paid) FROM programmes_medicalclaim c{join}"
            f" WHERE c.year = %s{cond} GROUP BY c.member_id",
            [self.year, *params],
        )

    def housing_cases(self) -> list[tuple]:
        join, cond, params = self.where("c", "household_id")
        return _rows(
            f"SELECT DISTINCT c.household_id FROM programmes_housingcase c{join}"
            " WHERE c.status IN ('completed', 'moved_in') AND c.completed_on >= %s AND c.completed_on <= %s" + cond,
            [f"{self.year}-01-01", f"{self.year}-12-31", *params],
        )

    def unknown(self, table: str, keys: str, col: str, labels: tuple[str, ...], where: str, params: list):
        """A loader for the rare values of ``col`` outside its choices: [(key, text)]."""
        marks = ", ".join(["%s"] * len(labels))

        def load() -> list:
            return _rows(
                f"SELECT {keys}, {col} FROM {table} WHERE {where} AND {col} NOT IN ({marks})", [*params, *labels]
            )

        return load


def load_inputs(year: int, prefix: str) -> Inputs:
    """Every input of every registered household in region ``prefix`` for ``year``.

    The cohort is the households identified in or before the year whose status at the end of the
    year (the last status change dated that year or earlier) is not 'cancelled'.
    """
    q = _Cohort(year, prefix)
    lanes = [  # about equal work on each connection
        [q.member_years, *([q.members] if q.whole else []), q.previous_years, q.claims, q.housing_cases],
        [q.households, q.status_changes, q.household_years],
    ]
    # Reading most of each table, a sequential scan beats the bitmap scan of its year index.
    settings = {"enable_bitmapscan": "off"} if q.whole else None
    (my, *rest_a), (hh, changes, hy) = read_side_by_side(lanes, pg_settings=settings)
    members = rest_a[0] if q.whole else None
    prev_rows, claims, cases = rest_a[-3:]

    # Households, sorted by id.
    ids, village_int, packed = hh if _ascending(hh[0]) else (col[np.argsort(hh[0], kind="stable")] for col in hh)
    ident, category_code = packed >> 3, (packed & 7) - 1
    n = len(ids)
    status_code = np.full(n, STATUS_LABELS.index("poor"), dtype=np.int64)  # until a change says otherwise
    relapsed = np.zeros(n, dtype=bool)
    exited = np.zeros(n, dtype=bool)
    c_hh, c_packed, c_date, c_id = changes
    c_year, c_to = c_packed >> 3, (c_packed & 7) - 1
    pos, ok = _positions(ids, c_hh)
    labels = STATUS_LABELS
    if ok.any():
        sel = np.flatnonzero(ok)
        keys = (c_id[sel], c_date[sel], c_year[sel], c_hh[sel])
        if not _ascending(*reversed(keys)):  # the status history in order, sorted only if need be
            sel = sel[np.lexsort(keys)]
        c_pos, c_to, c_year, c_id = pos[sel], c_to[sel], c_year[sel], c_id[sel]
        unknown = q.unknown("registry_householdstatuschange", "id", "to_status", STATUS_LABELS, "year <= %s", [year])
        to = _coded(c_to, STATUS_LABELS, c_id, unknown)
        c_to, labels = to.codes, to.labels
        last = np.r_[c_pos[1:] != c_pos[:-1], True]  # the last change of each household
        status_code[c_pos[last]] = c_to[last]
        this_year = c_year == year
        relapsed[c_pos[this_year & (c_to == labels.index("relapsed"))]] = True
        exited[c_pos[this_year & (c_to == labels.index("exited"))]] = True
    exited &= status_code == labels.index("exited")  # exited and still exited at the end of the year
    keep = status_code != labels.index("cancelled")
    ids, village_int, ident, category_code = ids[keep], village_int[keep], ident[keep], category_code[keep]
    status = Coded(status_code[keep], labels)
    relapsed, exited = relapsed[keep], exited[keep]
    n = len(ids)
    village_codes, village_index = np.unique(village_int, return_inverse=True)
    village_text = np.array([f"{int(v):012d}" for v in village_codes], dtype=object)
    category = _coded(
        category_code,
        CATEGORY_LABELS,
        ids,
        q.unknown("registry_household", "id", "category", CATEGORY_LABELS, "identification_year <= %s", [year]),
    )

    # Household facts of the year, then of the year before.
    y_hh, y_size, y_pc, y_rigid, y_flags, y_litres, y_trip, y_horiz, y_vert, y_short = hy
    pos, cur = _positions(ids, y_hh)
    p = pos[cur]
    has_year = np.zeros(n, dtype=bool)
    has_year[p] = True

    def column(values: np.ndarray, scale: float = 1.0, null: int = NULL_SMALL) -> np.ndarray:
        out = np.full(n, np.nan)
        out[p] = _floats(values[cur], scale, null)
        return out

    def flag(bit: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[p] = (y_flags[cur] >> bit) & 1 == 1
        return out

    size = np.zeros(n, dtype=np.int64)
    size[p] = y_size[cur]
    read = _coded(
        ((y_flags[cur] >> 5) & 7) - 1,
        HOUSING_LABELS,
        y_hh[cur],
        q.unknown("registry_householdyear", "household_id", "housing_safety", HOUSING_LABELS, "year = %s", [year]),
    )
    safety = Coded(np.zeros(n, dtype=np.int64), read.labels)  # '' without a row for the year
    safety.codes[p] = read.codes
    quality_code = (y_flags[cur] >> 3) & 3  # 2: unknown
    quality = np.full(n, np.nan)
    quality[p] = np.where(quality_code == 2, np.nan, quality_code.astype(float))
    p_hh, p_pc, p_net = prev_rows
    prev_pos, prev_ok = _positions(ids, p_hh)
    prev_pc, prev_net = np.full(n, np.nan), np.full(n, np.nan)
    prev_pc[prev_pos[prev_ok]] = _floats(p_pc[prev_ok], 100.0)
    prev_net[prev_pos[prev_ok]] = _floats(p_net[prev_ok], 100.0)

    # Members counted in the year: a row of facts for the year, and not dead or gone by its end.
    if q.whole:
        m_hh_ids, m_ids, m_packed = my
        alive_ids, alive_birth = members
        if not _ascending(alive_ids):
            a_order = np.argsort(alive_ids, kind="stable")
            alive_ids, alive_birth = alive_ids[a_order], alive_birth[a_order]
        a_pos, counted = _positions(alive_ids, m_ids)
        m_birth_days = np.where(counted, alive_birth[np.minimum(a_pos, max(len(alive_ids) - 1, 0))], 0)
    else:
        m_hh_ids, m_ids, m_packed, m_birth_days = my
        counted = np.ones(len(m_ids), dtype=bool)
    m_pos, m_ok = _positions(ids, m_hh_ids)
    sel = np.flatnonzero(m_ok & counted)
    if not _ascending(m_hh_ids[sel], m_ids[sel]):
        sel = sel[np.lexsort((m_ids[sel], m_hh_ids[sel]))]
    m_ids, m_birth_days, m_packed = m_ids[sel], m_birth_days[sel], m_packed[sel]
    m_school = _coded(
        (m_packed >> 1) - 1,
        SCHOOL_LABELS,
        m_ids,
        q.unknown("registry_memberyear", "member_id", "school_status", SCHOOL_LABELS, "year = %s", [year]),
    )
    m_birth = np.where(m_birth_days == NULL_INT, NaT, m_birth_days.astype("datetime64[D]"))
    m_selfpay, housing_done = _programme_columns(claims, cases, ids, m_ids)
    return Inputs(
        year=year,
        hh_id=ids,
        village=village_text[village_index],
        ident_year=ident,
        category=category.texts(),
        status=status.texts(),
        relapsed_in_year=relapsed,
        exited_in_year=exited,
        has_year=has_year,
        size=size,
        net_pc=column(y_pc, scale=100.0, null=NULL_INT),
        prev_net_pc=prev_pc,
        prev_net=prev_net,
        rigid_spending=column(y_rigid, scale=100.0, null=NULL_INT),
        food_ok=flag(0),
        housing_safety=safety.texts(),
        housed_otherwise=flag(1),
        water_litres=column(y_litres),
        water_quality=quality,
        water_piped=flag(2),
        water_trip=column(y_trip),
        water_horizontal=column(y_horiz),
        water_vertical=column(y_vert),
        water_shortage=column(y_short),
        m_hh=m_pos[sel],
        m_id=m_ids,
        m_birth=m_birth,
        m_school=m_school.texts(),
        m_insured=(m_packed & 1) == 1,
        m_selfpay=m_selfpay,
        housing_done=housing_done,
        village_index=village_index,
        village_codes=village_codes,
        coded={"status": status, "category": category, "housing_safety": safety, "m_school": m_school},
    )


def _amounts(values: list) -> np.ndarray:
    """Sums (int, float or Decimal; None as NaN) as floats, converted in one numpy pass."""
    column = np.array(values, dtype=object)
    missing = np.equal(column, None)
    if missing.any():
        column[missing] = np.nan
    return column.astype(np.float64)


def _programme_columns(
    claims: list[tuple], cases: list[tuple], ids: np.ndarray, m_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-member out-of-pocket ratios from the claim sums, and the households with a completed case."""
    selfpay = np.full(len(m_ids), np.nan)
    if claims and len(m_ids):
        order = np.argsort(m_ids)
        c_id = np.array([r[0] for r in claims], dtype=np.int64)
        total = _amounts([r[1] for r in claims])
        paid = _amounts([r[2] for r in claims])
        pos, ok = _positions(m_ids[order], c_id)
        ok &= total > 0
        selfpay[order[pos[ok]]] = paid[ok] / total[ok]
    done = np.zeros(len(ids), dtype=bool)
    if cases and len(ids):
        pos, ok = _positions(ids, np.array([r[0] for r in cases], dtype=np.int64))
        done[pos[ok]] = True
    return selfpay, done
