"""Yearly facts (HouseholdYear, MemberYear) of one block, as (rows, years) numpy arrays.

Households are on file from their identification year; members from then (or birth) until the
year before their death. ``packing`` turns these arrays into the words the loader writes.
"""

from __future__ import annotations

import numpy as np

from . import params as p
from .people import HEAD, Households, Members

NY = len(p.YEARS)
YEARS = np.array(p.YEARS)
LINE = np.array([p.POVERTY_LINE[y] for y in p.YEARS], dtype=float)


def household_size(hh: Households, mb: Members) -> np.ndarray:
    """Members alive in each year: (households, years)."""
    alive = _alive(mb)
    return np.stack([np.bincount(mb.household, weights=alive[:, j], minlength=hh.n) for j in range(NY)], axis=1).astype(
        np.int64
    )


def _alive(mb: Members) -> np.ndarray:
    y = YEARS[None, :]
    return (mb.birth_year[:, None] <= y) & ((mb.death_year[:, None] == 0) | (y < mb.death_year[:, None]))


def status_by_year(hh: Households) -> np.ndarray:
    """0 poor, 1 exited, 2 monitored — which side of the line each (household, year) falls on."""
    y = YEARS[None, :]
    exited = (hh.exit_year[:, None] > 0) & (y >= hh.exit_year[:, None])
    relapsed = (hh.relapse_year[:, None] > 0) & (y >= hh.relapse_year[:, None])
    reexited = (hh.reexit_year[:, None] > 0) & (y >= hh.reexit_year[:, None])
    state = np.where(exited & (~relapsed | reexited), 1, 0)
    return np.where(hh.monitored[:, None] & (y == p.LAST_YEAR), 2, state)


def household_years(rng: np.random.Generator, hh: Households, mb: Members, size: np.ndarray) -> dict:
    """All HouseholdYear columns as (households, years) arrays."""
    n = hh.n
    shape = (n, NY)
    state = status_by_year(hh)
    first_exit = np.where(hh.exit_year > 0, hh.exit_year, p.LAST_YEAR)
    mult = rng.uniform(1.12, 1.8, n)[:, None] * (1 + rng.uniform(0.03, 0.12, n)[:, None]) ** np.maximum(
        YEARS[None, :] - first_exit[:, None], 0
    )
    factor = np.where(
        state == 0, rng.uniform(0.45, 0.93, shape), np.where(state == 2, rng.uniform(1.03, 1.2, shape), mult)
    )
    net_target = LINE[None, :] * factor * size  # yuan

    working = np.zeros(n, dtype=bool)
    working[mb.household[(mb.age2019 >= 20) & (mb.age2019 <= 60) & (mb.health != "4")]] = True
    support = hh.category != p.CATEGORY_GENERAL
    w = np.stack(
        [
            rng.uniform(0.0, 1.0, n) * working,  # wage
            rng.uniform(0.3, 1.2, n),  # business (farming)
            rng.uniform(0.0, 0.15, n),  # property (land rent, dividends)
            rng.uniform(0.2, 1.0, n) + 0.8 * support,  # transfer (低保, pensions, subsidies)
        ],
        axis=1,
    )
    w /= w.sum(axis=1, keepdims=True)
    jitter = rng.uniform(0.9, 1.1, (n, NY, 4))
    share = w[:, None, :] * jitter
    share /= share.sum(axis=2, keepdims=True)
    expense_ratio = rng.uniform(0.25, 0.5, n)[:, None]
    total = net_target / (1 - share[..., 1] * expense_ratio)
    parts = np.rint(total[..., None] * share).astype(np.int64)  # whole yuan
    expenses = np.rint(parts[..., 1] * expense_ratio).astype(np.int64)
    net = parts.sum(axis=2) - expenses
    net_cents = net * 100
    # ROUND_HALF_UP of net / size to cents, in integers (net is never negative here).
    per_capita = (2 * net_cents + size) // (2 * size)

    f: dict[str, np.ndarray] = {
        "size": size,
        "wage_income": parts[..., 0] * 100,
        "business_income": parts[..., 1] * 100,
        "property_income": parts[..., 2] * 100,
        "transfer_income": parts[..., 3] * 100,
        "business_expenses": expenses * 100,
        "net_income": net_cents,
        "net_income_per_capita": per_capita,
        "rigid_spending": _rigid_spending(rng, hh, mb, net_cents, shape),
        "food_clothing_secure": np.ones(shape, dtype=bool),
        "has_electricity": np.ones(shape, dtype=bool),
    }
    f.update(_housing(rng, hh, shape))
    f.update(_water(rng, hh, shape))
    f.update(_land_and_living(rng, hh, shape))
    return f


def _rigid_spending(rng, hh: Households, mb: Members, net_cents: np.ndarray, shape) -> np.ndarray:
    """刚性支出 (medical, disaster, accident) in cents: large for ill households, and in the monitored
    households' 2019 above their 2018 income — the spending trigger of 防返贫监测."""
    ill = np.zeros(hh.n, dtype=bool)
    ill[mb.household[np.isin(mb.health, ["2", "3"])]] = True
    base = np.where(
        ill[:, None],
        rng.integers(300, 6000, shape),
        np.where(rng.random(shape) < 0.1, rng.integers(100, 1500, shape), 0),
    )
    cents = base * 100
    last = NY - 1
    cents[hh.monitored, last] = (
        (net_cents[hh.monitored, last - 1] * rng.uniform(1.05, 1.5, hh.monitored.sum())).astype(np.int64) // 100 * 100
    )
    return cents


def _upgrade_year(rng, n: int, before: float, during: float) -> np.ndarray:
    """Year a household gets something: ≤2014 with ``before``, 2015–2019 with ``during``, else never."""
    r = rng.random(n)
    return np.where(r < before, p.FIRST_YEAR, np.where(r < before + during, rng.integers(2015, 2020, n), 9999))


def _housing(rng, hh: Households, shape) -> dict:
    n = hh.n
    y = YEARS[None, :]
    structure = np.array(["3", "2", "4", "5", "1"])[rng.choice(5, n, p=[0.45, 0.30, 0.15, 0.07, 0.03])]
    grade = np.array(["A", "B", "C", "D", "N"])[rng.choice(5, n, p=[0.45, 0.40, 0.09, 0.05, 0.01])]
    structure = np.where(grade == "N", "", structure)
    area = rng.integers(3500, 9000, n)
    built = rng.integers(1968, 2012, n)
    bad = np.isin(grade, ["C", "D", "N"])
    # Dangerous houses are renovated or rebuilt (彩钢房重建 → brick) after identification.
    fix = np.maximum(hh.ident_year + rng.integers(0, 3, n), 2016)
    fix = np.where(bad, np.minimum(fix, p.LAST_YEAR), 9999)
    fixed = y >= fix[:, None]
    new_house = fixed & (grade[:, None] == "N") | fixed & (structure[:, None] == "5")
    rebuilt = new_house | fixed & (grade[:, None] == "D")
    g = np.where(fixed, "A", grade[:, None])
    s = np.where(rebuilt, "2", structure[:, None])
    none = g == "N"
    relocated_from = np.where(rng.random(n) < 0.004, np.maximum(hh.ident_year, 2016), 9999)
    return {
        "housing_safety": np.broadcast_to(g, shape),
        "housing_structure": np.broadcast_to(s, shape),
        "housing_area": np.where(none, 0, np.where(rebuilt, rng.integers(4000, 6000, n)[:, None], area[:, None])),
        "housing_built_year": np.where(none, -1, np.where(rebuilt, fix[:, None], built[:, None])),
        "housed_otherwise": none,
        "relocated": y >= relocated_from[:, None],
    }


def _water(rng, hh: Households, shape) -> dict:
    n = hh.n
    y = YEARS[None, :]
    piped_from = _upgrade_year(rng, n, 0.62, 0.33)
    piped = y >= piped_from[:, None]
    fail_until = np.where(rng.random(n) < 0.08, rng.integers(2015, 2019, n), 0)
    failing = y < fail_until[:, None]
    kind = rng.integers(0, 4, n)[:, None]  # which indicator fails
    litres = np.where(piped, rng.integers(60, 140, n)[:, None], rng.integers(40, 100, n)[:, None])
    litres = np.where(failing & (kind == 0), rng.integers(15, 35, n)[:, None], litres)
    trip = np.where(
        piped, -1, np.where(failing & (kind == 2), rng.integers(25, 45, n)[:, None], rng.integers(3, 15, n)[:, None])
    )
    shortage = np.where(failing & (kind == 3), rng.integers(30, 90, n)[:, None], rng.integers(0, 8, n)[:, None])
    return {
        "water_source": np.where(piped, "1", "2"),
        "water_litres_per_day": litres,
        "water_quality_ok": ~(failing & (kind == 1)),
        "water_piped": piped,
        "water_trip_minutes": trip,
        "water_horizontal_m": np.where(piped, -1, rng.integers(20, 400, n)[:, None]),
        "water_vertical_m": np.where(piped, -1, rng.integers(0, 25, n)[:, None]),
        "water_shortage_days": np.broadcast_to(shortage, shape),
    }


def _land_and_living(rng, hh: Households, shape) -> dict:
    n = hh.n
    y = YEARS[None, :]
    arable = np.where(rng.random(n) < 0.92, rng.integers(100, 1500, n), 0)
    road_from = _upgrade_year(rng, n, 0.5, 0.4)
    toilet_from = _upgrade_year(rng, n, 0.15, 0.5)
    fuel = np.array(["1", "3", "4", "99"])[rng.choice(4, n, p=[0.55, 0.35, 0.08, 0.02])]
    old_road = np.where(rng.random(n) < 0.75, "1", "0")
    col = lambda v: np.broadcast_to(v[:, None], shape)  # noqa: E731 - one-line broadcast helper
    return {
        "arable_land_mu": col(arable),
        "irrigated_land_mu": col((arable * rng.uniform(0, 0.4, n)).astype(np.int64)),
        "forest_land_mu": col(np.where(rng.random(n) < 0.2, rng.integers(50, 1000, n), 0)),
        "grassland_mu": np.zeros(shape, dtype=np.int64),
        "water_surface_mu": np.zeros(shape, dtype=np.int64),
        "fuel": col(fuel),
        "road_type": np.where(y >= road_from[:, None], "2", old_road[:, None]),
        "sanitary_toilet": y >= toilet_from[:, None],
        "km_to_main_road": col(rng.integers(5, 300, n)),
    }


def member_years(rng: np.random.Generator, hh: Households, mb: Members) -> tuple[dict, np.ndarray, np.ndarray]:
    """MemberYear columns as (members, years) arrays, and each member's first and last year on file."""
    n = mb.n
    shape = (n, NY)
    age = YEARS[None, :] - mb.birth_year[:, None]
    ident = hh.ident_year[mb.household]
    first = np.maximum(ident, mb.birth_year)
    last = np.where(mb.death_year > 0, mb.death_year - 1, p.LAST_YEAR)

    # Adults' schooling by cohort (2019 age): older people had less schooling.
    a19 = mb.age2019
    edu_old = np.array(["1", "2", "3", "4"])[rng.choice(4, n, p=[0.25, 0.5, 0.22, 0.03])]
    edu_mid = np.array(["2", "3", "4", "5"])[rng.choice(4, n, p=[0.30, 0.55, 0.12, 0.03])]
    edu_young = np.array(["3", "4", "5"])[rng.choice(3, n, p=[0.5, 0.3, 0.2])]
    adult_edu = np.where(a19 >= 60, edu_old, np.where(a19 >= 35, edu_mid, edu_young))
    education = np.where(age < 6, "6", np.where(age < 12, "2", np.where(age < 18, "3", adult_edu[:, None])))

    severe = np.isin(mb.dis_cat, ["5", "7"]) & np.isin(mb.dis_grade, ["1", "2"])
    track = rng.choice(3, n, p=[0.55, 0.35, 0.10])  # 高中 / 中职 / left school at 15
    college = rng.random(n) < 0.3
    preschool = rng.random(n) < 0.6
    grade15 = age - 15
    senior = np.array(["7", "8", "9"])[np.clip(grade15, 0, 2)]
    vocational = np.array(["10", "11", "12"])[np.clip(grade15, 0, 2)]
    higher = np.array(["13", "14", "15"])[np.clip(age - 18, 0, 2)]
    school = np.full(shape, "1", dtype="U2")
    school = np.where((age >= 3) & (age <= 5) & preschool[:, None], "2", school)
    school = np.where((age >= 6) & (age <= 11), "3", school)
    school = np.where(age == 12, "4", np.where(age == 13, "5", np.where(age == 14, "6", school)))
    school = np.where((age >= 15) & (age <= 17) & (track[:, None] == 0), senior, school)
    school = np.where((age >= 15) & (age <= 17) & (track[:, None] == 1), vocational, school)
    school = np.where((age >= 18) & (age <= 20) & (track[:, None] < 2) & college[:, None], higher, school)
    school = np.where((age >= 6) & (age <= 15) & severe[:, None], "90", school)

    base_labour = np.where(
        (mb.health == "3") | ((mb.health == "4") & np.isin(mb.dis_grade, ["1", "2"])),
        "3",
        np.where(rng.random(n) < 0.12, "2", "1"),
    )
    labour = np.where((age < 16) | (age >= 65), "4", base_labour[:, None])
    labour = np.where((school != "1") & (age >= 16), "4", labour)
    can_migrate = (age >= 18) & (age <= 55) & np.isin(labour, ["1", "2"])
    goes = can_migrate & (rng.random(shape) < 0.45)
    where = np.array(["1", "2", "3", "4"])[rng.choice(4, shape, p=[0.2, 0.3, 0.3, 0.2])]
    migrant = np.where(goes, where, "0")
    months = np.where(goes, rng.integers(3, 12, shape), 0)

    category = hh.category[mb.household]
    dibao = np.broadcast_to((category == p.CATEGORY_DIBAO)[:, None], shape)
    tekun = np.broadcast_to(((category == p.CATEGORY_TEKUN) & (mb.role == HEAD))[:, None], shape)
    medical = rng.random(shape) < np.where(YEARS[None, :] == p.FIRST_YEAR, 0.97, 0.995)
    pension_member = (rng.random(n) < 0.92)[:, None]
    pension = (age >= 16) & (school == "1") & pension_member
    return (
        {
            "education": education,
            "school_status": school,
            "health": np.broadcast_to(mb.health[:, None], shape),
            "disability_category": np.broadcast_to(mb.dis_cat[:, None], shape),
            "disability_grade": np.broadcast_to(mb.dis_grade[:, None], shape),
            "labour": labour,
            "migrant_work": migrant,
            "migrant_months": months,
            "dibao": dibao,
            "tekun": tekun,
            "medical_insured": medical,
            "pension_insured": pension,
        },
        first,
        last,
    )
