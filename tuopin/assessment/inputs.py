"""Loading the assessment's inputs for a whole region and year at once, as numpy columns.

A handful of range-scanned SQL queries (households, status history, two years of household facts,
the year's member facts) fetch every row the engine needs; nothing is read household by
household. Both SQLite and PostgreSQL return the same shapes (dates are normalised here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection

from tuopin.core.scoping import next_prefix

__all__ = ["Inputs", "load_inputs"]

NaT = np.datetime64("NaT")


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

    @property
    def n(self) -> int:
        return len(self.hh_id)


def _range(prefix: str) -> tuple[str, str]:
    upper = next_prefix(prefix) if prefix else None
    return prefix, upper or "A"  # 'A' sorts after every digit


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _dates(values: list) -> np.ndarray:
    return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")


def _floats(values: list) -> np.ndarray:
    """Numbers (int, float or Decimal) with None as NaN, converted in one numpy pass."""
    column = np.array(values, dtype=object)
    missing = np.equal(column, None)
    if missing.any():
        column[missing] = np.nan
    return column.astype(np.float64)


def load_inputs(year: int, prefix: str) -> Inputs:
    """Every input of every registered household in region ``prefix`` for ``year``.

    The cohort is the households identified in or before the year whose status at the end of the
    year (the last status change dated that year or earlier) is not 'cancelled'.
    """
    lo, hi = _range(prefix)
    hh = _fetch(
        "SELECT id, village_id, identification_year, category FROM registry_household"
        " WHERE village_id >= %s AND village_id < %s AND identification_year <= %s ORDER BY id",
        [lo, hi, year],
    )
    ids = np.array([r[0] for r in hh], dtype=np.int64)
    n = len(ids)
    status = np.full(n, "poor", dtype=object)
    relapsed = np.zeros(n, dtype=bool)
    exited = np.zeros(n, dtype=bool)
    changes = _fetch(
        "SELECT c.household_id, c.to_status, c.year FROM registry_householdstatuschange c"
        " JOIN registry_household h ON h.id = c.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s AND c.year <= %s"
        " ORDER BY c.household_id, c.year, c.date, c.id",
        [lo, hi, year, year],
    )
    if changes:
        c_hh = np.array([r[0] for r in changes], dtype=np.int64)
        c_to = np.array([r[1] for r in changes], dtype=object)
        c_year = np.array([r[2] for r in changes], dtype=np.int64)
        idx = np.searchsorted(ids, c_hh)
        last = np.r_[c_hh[1:] != c_hh[:-1], True]  # the last change of each household
        status[idx[last]] = c_to[last]
        this_year = c_year == year
        relapsed[idx[this_year & (c_to == "relapsed")]] = True
        exited[idx[this_year & (c_to == "exited")]] = True
        exited &= status == "exited"  # exited and still exited at the end of the year
    keep = status != "cancelled"
    ids, status, relapsed, exited = ids[keep], status[keep], relapsed[keep], exited[keep]
    hh = [r for r, k in zip(hh, keep, strict=True) if k]
    n = len(ids)

    fields = (
        "household_id, size, net_income_per_capita, net_income, rigid_spending, food_clothing_secure,"
        " housing_safety, housed_otherwise, water_litres_per_day, water_quality_ok, water_piped,"
        " water_trip_minutes, water_horizontal_m, water_vertical_m, water_shortage_days"
    )
    rows = _fetch(
        f"SELECT y.{fields.replace(', ', ', y.')} FROM registry_householdyear y"  # noqa: S608 - fixed column list
        " JOIN registry_household h ON h.id = y.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s AND y.year = %s",
        [lo, hi, year, year],
    )
    has_year = np.zeros(n, dtype=bool)
    cols: dict[str, np.ndarray] = {
        name: np.full(n, np.nan) for name in ("net_pc", "litres", "quality", "trip", "horiz", "vert", "short", "rigid")
    }
    size = np.zeros(n, dtype=np.int64)
    food = np.zeros(n, dtype=bool)
    safety = np.full(n, "", dtype=object)
    housed = np.zeros(n, dtype=bool)
    piped = np.zeros(n, dtype=bool)
    if rows:
        y_hh = np.array([r[0] for r in rows], dtype=np.int64)
        pos = np.searchsorted(ids, y_hh)
        ok = (pos < n) & (ids[np.minimum(pos, n - 1)] == y_hh)  # drop rows of cancelled households
        pos = pos[ok]
        rows = [r for r, k in zip(rows, ok, strict=True) if k]
        has_year[pos] = True
        size[pos] = [r[1] for r in rows]
        cols["net_pc"][pos] = _floats([r[2] for r in rows])
        cols["rigid"][pos] = _floats([r[4] for r in rows])
        food[pos] = [bool(r[5]) for r in rows]
        safety[pos] = [r[6] or "" for r in rows]
        housed[pos] = [bool(r[7]) for r in rows]
        cols["litres"][pos] = _floats([r[8] for r in rows])
        cols["quality"][pos] = _floats([None if r[9] is None else int(bool(r[9])) for r in rows])
        piped[pos] = [bool(r[10]) for r in rows]
        cols["trip"][pos] = _floats([r[11] for r in rows])
        cols["horiz"][pos] = _floats([r[12] for r in rows])
        cols["vert"][pos] = _floats([r[13] for r in rows])
        cols["short"][pos] = _floats([r[14] for r in rows])

    prev = _fetch(
        "SELECT y.household_id, y.net_income_per_capita, y.net_income FROM registry_householdyear y"
        " JOIN registry_household h ON h.id = y.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s AND y.year = %s",
        [lo, hi, year, year - 1],
    )
    prev_pc, prev_net = np.full(n, np.nan), np.full(n, np.nan)
    if prev:
        p_hh = np.array([r[0] for r in prev], dtype=np.int64)
        pos = np.searchsorted(ids, p_hh)
        ok = (pos < n) & (ids[np.minimum(pos, n - 1)] == p_hh)
        prev_pc[pos[ok]] = _floats([r[1] for r, k in zip(prev, ok, strict=True) if k])
        prev_net[pos[ok]] = _floats([r[2] for r, k in zip(prev, ok, strict=True) if k])

    # Members counted in the year: a row of facts for the year, and not dead or gone by its end.
    year_end = f"{year}-12-31"
    members = _fetch(
        # CAST: the date as text skips the driver's per-row date conversion; numpy parses them at once.
        "SELECT my.household_id, m.id, CAST(m.birth_date AS TEXT), my.school_status, my.medical_insured"
        " FROM registry_memberyear my JOIN registry_member m ON m.id = my.member_id"
        " JOIN registry_household h ON h.id = my.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND h.identification_year <= %s AND my.year = %s"
        " AND (m.deceased_on IS NULL OR m.deceased_on > %s) AND (m.moved_out_on IS NULL OR m.moved_out_on > %s)"
        " ORDER BY my.household_id, m.id",
        [lo, hi, year, year, year_end, year_end],
    )
    m_hh_ids = np.array([r[0] for r in members], dtype=np.int64)
    m_pos = np.searchsorted(ids, m_hh_ids)
    m_ok = (m_pos < n) & (ids[np.minimum(m_pos, max(n - 1, 0))] == m_hh_ids) if n else np.zeros(0, dtype=bool)
    members = [r for r, k in zip(members, m_ok, strict=True) if k]
    m_ids = np.array([r[1] for r in members], dtype=np.int64)
    m_selfpay, housing_done = _programme_columns(lo, hi, year, ids, m_ids)
    return Inputs(
        year=year,
        hh_id=ids,
        village=np.array([r[1] for r in hh], dtype=object),
        ident_year=np.array([r[2] for r in hh], dtype=np.int64),
        category=np.array([r[3] for r in hh], dtype=object),
        status=status,
        relapsed_in_year=relapsed,
        exited_in_year=exited,
        has_year=has_year,
        size=size,
        net_pc=cols["net_pc"],
        prev_net_pc=prev_pc,
        prev_net=prev_net,
        rigid_spending=cols["rigid"],
        food_ok=food,
        housing_safety=safety,
        housed_otherwise=housed,
        water_litres=cols["litres"],
        water_quality=cols["quality"],
        water_piped=piped,
        water_trip=cols["trip"],
        water_horizontal=cols["horiz"],
        water_vertical=cols["vert"],
        water_shortage=cols["short"],
        m_hh=m_pos[m_ok],
        m_id=np.array([r[1] for r in members], dtype=np.int64),
        m_birth=_dates([r[2] for r in members]),
        m_school=np.array([r[3] for r in members], dtype=object),
        m_insured=np.array([bool(r[4]) for r in members], dtype=bool),
        m_selfpay=m_selfpay,
        housing_done=housing_done,
    )


def _programme_columns(
    lo: str, hi: str, year: int, ids: np.ndarray, m_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two range scans over the programme tables: per-member claim sums and completed housing cases."""
    claims = _fetch(
        "SELECT c.member_id, SUM(c.total_cost), SUM(c.self_paid) FROM programmes_medicalclaim c"
        " JOIN registry_household h ON h.id = c.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND c.year = %s GROUP BY c.member_id",
        [lo, hi, year],
    )
    selfpay = np.full(len(m_ids), np.nan)
    if claims and len(m_ids):
        order = np.argsort(m_ids)
        c_id = np.array([r[0] for r in claims], dtype=np.int64)
        total = _floats([r[1] for r in claims])
        paid = _floats([r[2] for r in claims])
        pos = np.searchsorted(m_ids[order], c_id)
        ok = (pos < len(m_ids)) & (m_ids[order][np.minimum(pos, len(m_ids) - 1)] == c_id) & (total > 0)
        selfpay[order[pos[ok]]] = paid[ok] / total[ok]
    done_rows = _fetch(
        "SELECT DISTINCT c.household_id FROM programmes_housingcase c"
        " JOIN registry_household h ON h.id = c.household_id"
        " WHERE h.village_id >= %s AND h.village_id < %s AND c.status IN ('completed', 'moved_in')"
        " AND c.completed_on >= %s AND c.completed_on <= %s",
        [lo, hi, f"{year}-01-01", f"{year}-12-31"],
    )
    done = np.zeros(len(ids), dtype=bool)
    if done_rows and len(ids):
        d_id = np.array([r[0] for r in done_rows], dtype=np.int64)
        pos = np.searchsorted(ids, d_id)
        ok = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == d_id)
        done[pos[ok]] = True
    return selfpay, done
