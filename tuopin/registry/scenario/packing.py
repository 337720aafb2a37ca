"""Bit-packing of yearly facts into a few integers, and the SQL that unpacks them.

Yearly rows are the bulk of the data (≈ 6 per household, ≈ 6 per member). numpy computes every
(household, year) and (member, year) value; each year's values are packed into a few 62-bit
integers (a member-year fits in one). The loader moves one row per household / member, with
those integers for all six years, into a temporary table, and one ``INSERT … SELECT`` per table
unpacks them with shifts and masks inside the database. No Python code runs per yearly row, and
integer arithmetic is far cheaper there than cutting text (``substr``/``CAST`` per field).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import params as p

WORD_BITS = 62


@dataclass(frozen=True)
class Field:
    """One packed column. ``kind``: int, int?, money (cents), money?, code, bool, bool? (``?`` = nullable)."""

    name: str
    kind: str
    bits: int = 0
    codes: tuple[str, ...] = ()


def _f(name: str, kind: str, arg) -> Field:
    if kind == "code":
        codes = tuple(arg)
        return Field(name, kind, max(int(np.ceil(np.log2(len(codes)))), 1), codes)
    return Field(name, kind, {"bool": 1, "bool?": 2}.get(kind, arg))


HOUSEHOLD_FIELDS = tuple(
    _f(*spec)
    for spec in (
        ("size", "int", 4),
        ("wage_income", "money", 27),
        ("business_income", "money", 27),
        ("property_income", "money", 27),
        ("transfer_income", "money", 27),
        ("business_expenses", "money", 27),
        ("net_income", "money", 27),
        ("net_income_per_capita", "money", 27),
        ("rigid_spending", "money", 27),
        ("food_clothing_secure", "bool", None),
        ("housing_area", "money?", 15),
        ("housing_structure", "code", ("", "1", "2", "3", "4", "5", "99")),
        ("housing_built_year", "int?", 11),
        ("housing_safety", "code", ("", "A", "B", "C", "D", "N")),
        ("housed_otherwise", "bool", None),
        ("relocated", "bool", None),
        ("water_source", "code", ("", "1", "2", "3", "4", "5", "6", "99")),
        ("water_litres_per_day", "int?", 9),
        ("water_quality_ok", "bool?", None),
        ("water_piped", "bool", None),
        ("water_trip_minutes", "int?", 7),
        ("water_horizontal_m", "int?", 10),
        ("water_vertical_m", "int?", 6),
        ("water_shortage_days", "int?", 9),
        ("arable_land_mu", "money?", 13),
        ("irrigated_land_mu", "money?", 13),
        ("forest_land_mu", "money?", 13),
        ("grassland_mu", "money?", 13),
        ("water_surface_mu", "money?", 13),
        ("has_electricity", "bool", None),
        ("fuel", "code", ("", "1", "2", "3", "4", "99")),
        ("road_type", "code", ("", "0", "1", "2", "3")),
        ("sanitary_toilet", "bool", None),
        ("km_to_main_road", "money?", 11),
    )
)
MEMBER_FIELDS = tuple(
    _f(*spec)
    for spec in (
        ("education", "code", ("1", "2", "3", "4", "5", "6")),
        ("school_status", "code", tuple(str(i) for i in range(1, 17)) + ("90",)),
        ("health", "code", ("1", "2", "3", "4")),
        ("disability_category", "code", ("", "1", "2", "3", "4", "5", "6", "7")),
        ("disability_grade", "code", ("", "1", "2", "3", "4")),
        ("labour", "code", ("1", "2", "3", "4")),
        ("migrant_work", "code", ("0", "1", "2", "3", "4", "99")),
        ("migrant_months", "int", 4),
        ("dibao", "bool", None),
        ("tekun", "bool", None),
        ("medical_insured", "bool", None),
        ("pension_insured", "bool", None),
    )
)


def _words(fields: tuple[Field, ...]) -> list[list[tuple[Field, int]]]:
    """Greedy assignment of fields to words: [[(field, shift), …], …]."""
    words: list[list[tuple[Field, int]]] = [[]]
    used = 0
    for f in fields:
        if used + f.bits > WORD_BITS:
            words.append([])
            used = 0
        words[-1].append((f, used))
        used += f.bits
    return words


HOUSEHOLD_WORDS = _words(HOUSEHOLD_FIELDS)
MEMBER_WORDS = _words(MEMBER_FIELDS)


def word_columns(words) -> tuple[str, ...]:
    """Temp-table columns: word k of year y is ``w{k}_{y}``."""
    return tuple(f"w{k}_{y}" for y in p.YEARS for k in range(len(words)))


def _encode(f: Field, values: np.ndarray) -> np.ndarray:
    """Non-negative integers of one field (nullable kinds: 0 = NULL, value + 1 otherwise)."""
    if f.kind == "code":
        uniq, inverse = np.unique(np.asarray(values).astype(str), return_inverse=True)
        index = {c: i for i, c in enumerate(f.codes)}
        try:
            mapped = np.array([index[u] for u in uniq.tolist()], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"{f.name}: code {exc} not in the packing table") from None
        return mapped[inverse.reshape(np.shape(values))] if len(uniq) else np.zeros(np.shape(values), np.int64)
    v = np.asarray(values).astype(np.int64)
    if f.kind == "bool?":
        return np.where(v < 0, 0, v + 1)
    if f.kind.endswith("?"):
        v = np.where(v < 0, 0, v + 1)
    if (v < 0).any() or (v >= 1 << f.bits).any():
        raise ValueError(f"{f.name}: value out of range for {f.bits} bits")
    return v


def pack(words, fields: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Packed words, one (rows,) int64 array per temp column in ``word_columns`` order.

    ``fields[name]`` is a (rows, years) array; nullable ints/money use -1 for NULL, nullable
    booleans -1 / 0 / 1.
    """
    per_word = []
    for word in words:
        acc = None
        for f, shift in word:
            part = _encode(f, fields[f.name]) << shift
            acc = part if acc is None else acc | part
        per_word.append(np.broadcast_to(acc, np.shape(acc)))
    out = []
    for j in range(len(p.YEARS)):
        for k in range(len(words)):
            out.append(np.ascontiguousarray(per_word[k][:, j]))
    return out


def select_expressions(words, alias: str) -> list[tuple[str, str]]:
    """(column, SQL expression) pairs unpacking each field from ``{alias}.w{k}`` (SQLite and PostgreSQL)."""
    out = []
    for k, word in enumerate(words):
        for f, shift in word:
            raw = f"(({alias}.w{k} >> {shift}) & {(1 << f.bits) - 1})"
            if f.kind == "code":
                width = max(len(c) for c in f.codes)
                table = "".join(c.ljust(width) for c in f.codes)
                expr = f"rtrim(substr('{table}', CAST({raw} * {width} + 1 AS INTEGER), {width}))"
            elif f.kind == "int":
                expr = raw
            elif f.kind == "int?":
                expr = f"(NULLIF({raw}, 0) - 1)"
            elif f.kind == "money":
                expr = f"({raw} / 100.0)"
            elif f.kind == "money?":
                expr = f"((NULLIF({raw}, 0) - 1) / 100.0)"
            elif f.kind == "bool":
                expr = f"({raw} = 1)"
            else:  # bool?
                expr = f"CASE {raw} WHEN 2 THEN TRUE WHEN 1 THEN FALSE END"
            out.append((f.name, expr))
    return out
