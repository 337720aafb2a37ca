"""The assessment engine: every indicator of every household of a cohort, computed on columns.

``evaluate(inputs, ruleset_content)`` is a pure function of the loaded inputs and a rule set's
frozen content, which is what makes replay and rule-set comparison exact. Standards are
resolved once per village (a few thousand), then broadcast to households; indicators are numpy
expressions over whole columns. The indicator rules (domain.md §4–§5):

- income: net income per capita ≥ poverty line (and 两线合一 is reported: 低保 standard ≥ line);
- food: 吃穿不愁 recorded;
- education: every member of compulsory-school age at the cut-off date (age from the birth date
  in the ID) is in school or exempted;
- medical: every member insured (the out-of-pocket cap joins when claims are recorded);
- housing: grade in the safe grades, or a 无房户 housed otherwise (when the standard allows);
- water: quantity, quality, convenience (piped, or trip / horizontal / vertical distance within
  limits) and guarantee (shortage days) all pass;
- exit: all pass, the household poor at year end, not identified or relapsed this year, and income
  above the line by the stable-income margin (一出三不出);
- monitoring: income below the monitoring line, rigid spending above the ratio × last year's net
  income, or a per-capita income drop beyond the drop ratio.
Any input missing makes that indicator "cannot assess" — never a silent pass.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from tuopin.policy.resolve import Resolver

from .choices import CannotReason, ExitBlock, Monitor, Result
from .inputs import Inputs, text_bytes, text_in, village_groups

__all__ = ["Outcome", "evaluate", "prefix_groups", "standards_for_villages", "SCHOOL_OK_CODES"]

FAIL, PASS, CANNOT = int(Result.FAIL), int(Result.PASS), int(Result.CANNOT)
# 在校生状况 codes that satisfy compulsory education: any enrolment (3–16) or an exemption (90).
SCHOOL_OK_CODES = np.array([str(c) for c in range(3, 17)] + ["90"], dtype=object)
POOR = np.array(["poor", "relapsed"], dtype=object)

STANDARD_NAMES = (
    "poverty_line",
    "dibao_standard",
    "monitoring_line",
    "stable_income_margin",
    "school_age_min",
    "school_age_max",
    "school_cutoff",
    "water_litres_min",
    "water_trip_minutes_max",
    "water_horizontal_m_max",
    "water_vertical_m_max",
    "water_shortage_days_max",
    "housing_safe_grades",
    "homeless_housed_is_safe",
    "income_drop_ratio",
    "rigid_spending_ratio",
    "medical_selfpay_cap",
)


@dataclass
class Outcome:
    """Result columns aligned with ``Inputs.hh_id``."""

    income: np.ndarray
    food: np.ndarray
    education: np.ndarray
    medical: np.ndarray
    housing: np.ndarray
    water: np.ndarray
    meets_standard: np.ndarray
    exit_eligible: np.ndarray
    exit_block: np.ndarray
    monitor_flags: np.ndarray
    cannot_reason: np.ndarray
    members: np.ndarray
    poverty_line: np.ndarray
    children_school_age: np.ndarray
    children_out_of_school: np.ndarray
    members_unknown_school: np.ndarray
    members_uninsured: np.ndarray
    members_over_selfpay_cap: np.ndarray
    water_quantity_ok: np.ndarray  # float 1/0/NaN
    water_quality_ok: np.ndarray
    water_convenience_ok: np.ndarray
    water_guarantee_ok: np.ndarray
    hasher: _Hasher = field(repr=False, compare=False)

    @cached_property
    def digests(self) -> np.ndarray:
        """(n, 16) uint8: each household's input digest, computed on first use (a comparison of
        rule sets never needs it). ``hasher[lo:hi]`` computes a range of them."""
        return self.hasher.digests(0, self.hasher.n)


def standards_for_villages(
    villages: np.ndarray, year: int, content: dict[str, Any], *, groups: tuple[np.ndarray, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Each standard's value for each household, resolved once per group of villages.

    A village's values depend only on which standard rows' region prefixes it starts with, so
    villages are grouped by the longest such prefix (a handful of groups for tens of thousands of
    villages) and the resolver runs once per group. ``groups`` = (distinct village codes as
    integers, each household's index into them) when the caller has them (``Inputs``).
    """
    resolver = Resolver(content["standards"])
    if groups is not None:
        codes, inverse = groups
        texts = [f"{int(c):012d}" for c in codes]
    else:
        texts_arr, inverse = np.unique(villages.astype(str), return_inverse=True) if len(villages) else ([], [])
        texts = [str(t) for t in texts_arr]
    inverse = np.asarray(inverse, dtype=np.int64)
    village_group, first = prefix_groups(texts, content["standards"])
    per_group = [{name: resolver.value(name, texts[i], year) for name in STANDARD_NAMES} for i in first]
    out: dict[str, np.ndarray] = {}
    household_group = village_group[inverse] if len(villages) else np.zeros(0, dtype=np.int64)
    for name in STANDARD_NAMES:
        values = [v[name] for v in per_group]
        if name in ("school_cutoff", "housing_safe_grades"):
            column = np.array(values, dtype=object)
        elif name == "homeless_housed_is_safe":
            column = np.array([bool(v) for v in values], dtype=bool)
        else:
            column = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        out[name] = column[household_group]
    out["_group_index"] = household_group
    out["_group_grades"] = [v["housing_safe_grades"] for v in per_group]  # type: ignore[assignment]
    out["_group_values"] = per_group  # type: ignore[assignment]
    return out


def prefix_groups(codes: list[str], standards: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Group region codes that resolve every standard alike: by the longest region prefix of the
    standard rows each starts with. Returns each code's group and one code index per group."""
    prefixes = {str(r["region_prefix"]) for r in standards}
    key = np.zeros(len(codes), dtype=np.int64)
    for i, code in enumerate(codes):
        key[i] = next((length for length in range(len(code), -1, -1) if code[:length] in prefixes), -1)
    if not len(codes):
        return key, key
    _uniq, first, group = np.unique(key, return_index=True, return_inverse=True)
    return group, first


def _ages_at(birth: np.ndarray, year: int, cutoff: np.ndarray) -> np.ndarray:
    """Completed years of age on each member's cut-off date (``MM-DD`` of ``year``)."""
    by, bm, bd = _civil(birth.astype(np.int64))
    # The cut-off is one of a handful of "MM-DD" values: parse each once, then broadcast.
    values, inverse = np.unique(cutoff.astype(str), return_inverse=True) if len(cutoff) else ([], [])
    parsed = [(int(v[:2]), int(v[3:])) if v not in ("", "None") else (8, 31) for v in values]
    cm = np.array([m for m, _d in parsed], dtype=np.int64)[inverse] if len(cutoff) else np.zeros(0, np.int64)
    cd = np.array([d for _m, d in parsed], dtype=np.int64)[inverse] if len(cutoff) else np.zeros(0, np.int64)
    before_birthday = (cm < bm) | ((cm == bm) & (cd < bd))
    ages = year - by - before_birthday.astype(np.int64)
    ages[np.isnat(birth)] = -1  # no birth date: of no school age
    return ages


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01 in the proleptic Gregorian calendar, as numpy's
    datetime64 counts them, in integer arithmetic (H. Hinnant's ``civil_from_days``), which is
    several times faster than converting datetime64 units."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097  # day of the 400-year era, 0 … 146096
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365  # year of the era, 0 … 399
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year from 1 March, 0 … 365
    mp = (5 * doy + 2) // 153  # month from March, 0 … 11
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _all_pass(*conds: np.ndarray) -> np.ndarray:
    """Combine sub-checks given as floats (1 pass, 0 fail, NaN unknown) into a Result column."""
    stack = np.vstack(conds)
    result = np.full(stack.shape[1], PASS, dtype=np.int8)
    result[np.isnan(stack).any(axis=0)] = CANNOT
    result[(stack == 0).any(axis=0)] = FAIL  # a known failure outranks an unknown
    return result


class _Hasher:
    """BLAKE2b-128 digests of households' inputs, for any range of households.

    A household's message is its fixed-width record, then its members' records, then the digest of
    its standards' values. Households with the same number of members have messages of the same
    length, so each such group is laid out as one matrix (one message per row) by numpy and the
    loop only hashes rows: digesting is inherently per record, nothing else here is. Ranges let the
    store hash one chunk while the database writes the previous one.
    """

    def __init__(self, inp: Inputs, std: dict[str, np.ndarray]):
        self.inp, self.n = inp, inp.n
        self.programme = _programme_digest(inp, inp.n)
        self.counts = np.bincount(inp.m_hh, minlength=inp.n) if inp.n else np.zeros(0, dtype=np.int64)
        self.starts = np.cumsum(self.counts) - self.counts  # members are sorted by household
        digests = [
            hashlib.blake2b(repr(sorted(v.items())).encode(), digest_size=16).digest() for v in std["_group_values"]
        ]
        self.group_digests = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 16)
        self.group_index = std["_group_index"]

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: slice) -> np.ndarray:
        lo, hi, _step = rows.indices(self.n)
        return self.digests(lo, max(lo, hi))

    def _records(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        inp, k = self.inp, hi - lo
        hh = np.zeros(
            k,
            dtype=[
                ("id", "<i8"),
                ("status", "S12"),
                ("cat", "S2"),
                ("ident", "<i2"),
                ("size", "<i2"),
                ("rel", "?"),
                ("has", "?"),
                ("f", "<f8", (12,)),
                ("food", "?"),
                ("safety", "S1"),
                ("housed", "?"),
                ("piped", "?"),
            ],
        )
        part = slice(lo, hi)
        hh["id"], hh["status"], hh["cat"] = (
            inp.hh_id[part],
            text_bytes(inp, "status", 12, part),
            text_bytes(inp, "category", 2, part),
        )
        hh["ident"], hh["size"] = inp.ident_year[part], inp.size[part]
        hh["rel"], hh["has"] = inp.relapsed_in_year[part], inp.has_year[part]
        floats = (
            inp.net_pc,
            inp.prev_net_pc,
            inp.prev_net,
            inp.rigid_spending,
            inp.water_litres,
            inp.water_quality,
            inp.water_trip,
            inp.water_horizontal,
            inp.water_vertical,
            inp.water_shortage,
            inp.exited_in_year.astype(float),
            self.programme,
        )
        for j, column in enumerate(floats):
            hh["f"][:, j] = column[part]
        hh["food"], hh["safety"] = inp.food_ok[part], text_bytes(inp, "housing_safety", 1, part)
        hh["housed"], hh["piped"] = inp.housed_otherwise[part], inp.water_piped[part]
        m_lo = int(self.starts[lo]) if lo < self.n else len(inp.m_id)
        m_hi = int(self.starts[hi - 1] + self.counts[hi - 1]) if hi > lo else m_lo
        members = slice(m_lo, m_hi)
        mem = np.zeros(m_hi - m_lo, dtype=[("id", "<i8"), ("birth", "<i8"), ("school", "S2"), ("ins", "?")])
        mem["id"], mem["birth"] = inp.m_id[members], inp.m_birth[members].astype(np.int64)
        mem["school"], mem["ins"] = text_bytes(inp, "m_school", 2, members), inp.m_insured[members]
        return hh.view(np.uint8).reshape(k, hh.dtype.itemsize), mem.view(np.uint8).reshape(len(mem), mem.dtype.itemsize)

    def digests(self, lo: int, hi: int) -> np.ndarray:
        """(hi − lo, 16) uint8: the digests of households lo … hi − 1."""
        hh_bytes, mem_bytes = self._records(lo, hi)
        hs, ms = hh_bytes.shape[1], mem_bytes.shape[1]
        counts = self.counts[lo:hi]
        starts = self.starts[lo:hi] - (self.starts[lo] if hi > lo else 0)
        out = np.empty((hi - lo, 16), dtype=np.uint8)
        blake2b = hashlib.blake2b
        for count in np.unique(counts).tolist():
            rows = np.flatnonzero(counts == count)
            width = hs + count * ms + 16
            block = np.empty((len(rows), width), dtype=np.uint8)
            block[:, :hs] = hh_bytes[rows]
            if count:
                members = mem_bytes[starts[rows][:, None] + np.arange(count)]
                block[:, hs : hs + count * ms] = members.reshape(len(rows), -1)
            block[:, hs + count * ms :] = self.group_digests[self.group_index[lo:hi][rows]]
            view = memoryview(block).cast("B")
            digests = b"".join(
                [blake2b(view[k : k + width], digest_size=16).digest() for k in range(0, block.size, width)]
            )
            out[rows] = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 16)
        return out


def _programme_digest(inp: Inputs, n: int) -> np.ndarray:
    """One float per household carrying the programme inputs into the input hash: the highest member
    out-of-pocket ratio (−1 without claims) plus 10 when a housing case was completed in the year."""
    if inp.m_selfpay is None or inp.housing_done is None:
        return np.zeros(n)
    worst = np.full(n, -1.0)
    has = ~np.isnan(inp.m_selfpay)
    np.maximum.at(worst, inp.m_hh[has], inp.m_selfpay[has])
    return worst + 10.0 * inp.housing_done


def evaluate(inp: Inputs, content: dict[str, Any]) -> Outcome:
    """Evaluate every household of ``inp`` under a rule set's frozen ``content``."""
    n, year = inp.n, inp.year
    std = standards_for_villages(inp.village, year, content, groups=village_groups(inp))
    members = np.bincount(inp.m_hh, minlength=n).astype(np.int64)

    cannot = np.zeros(n, dtype=np.int8)
    line = std["poverty_line"]
    cannot[np.isnan(line)] = CannotReason.NO_STANDARD
    cannot[members == 0] = CannotReason.NO_MEMBERS
    cannot[~inp.has_year] = CannotReason.NO_YEAR_DATA
    missing = cannot != 0

    # Income.
    income = np.where(inp.net_pc >= line, PASS, FAIL).astype(np.int8)
    income[np.isnan(inp.net_pc) | np.isnan(line)] = CANNOT

    food = np.where(inp.food_ok, PASS, FAIL).astype(np.int8)

    # Compulsory education, member by member, then counted per household.
    m_cutoff = std["school_cutoff"][inp.m_hh] if len(inp.m_hh) else np.array([], dtype=object)
    ages = _ages_at(inp.m_birth, year, m_cutoff) if len(inp.m_hh) else np.zeros(0, dtype=np.int64)
    lo, hi = std["school_age_min"][inp.m_hh], std["school_age_max"][inp.m_hh]
    school_age = (ages >= lo) & (ages <= hi)
    unknown_school = school_age & text_in(inp, "m_school", ["", None])
    out_of_school = school_age & ~unknown_school & ~text_in(inp, "m_school", SCHOOL_OK_CODES)
    n_school_age = np.bincount(inp.m_hh, weights=school_age, minlength=n).astype(np.int64)
    n_out = np.bincount(inp.m_hh, weights=out_of_school, minlength=n).astype(np.int64)
    n_unknown = np.bincount(inp.m_hh, weights=unknown_school, minlength=n).astype(np.int64)
    education = np.where(n_out > 0, FAIL, np.where(n_unknown > 0, CANNOT, PASS)).astype(np.int8)
    education[np.isnan(std["school_age_min"]) | np.isnan(std["school_age_max"])] = CANNOT

    n_uninsured = np.bincount(inp.m_hh, weights=~inp.m_insured, minlength=n).astype(np.int64)
    # A member whose year's claims left an out-of-pocket share above the cap breaks 基本医疗 too.
    selfpay = inp.m_selfpay if inp.m_selfpay is not None else np.full(len(inp.m_hh), np.nan)
    m_cap = std["medical_selfpay_cap"][inp.m_hh] if len(inp.m_hh) else np.zeros(0)
    over_cap = ~np.isnan(selfpay) & ~np.isnan(m_cap) & (selfpay > m_cap + 1e-9)
    n_over_cap = np.bincount(inp.m_hh, weights=over_cap, minlength=n).astype(np.int64)
    medical = np.where((n_uninsured > 0) | (n_over_cap > 0), FAIL, PASS).astype(np.int8)

    # Housing.
    grade_safe = np.zeros(n, dtype=bool)
    for grades in {g for g in std["_group_grades"] if g}:  # one pass per distinct rule, not per household
        here = std["housing_safe_grades"] == grades
        grade_safe[here] = text_in(inp, "housing_safety", grades.split(","), here)
    homeless_ok = (inp.housing_safety == "N") & inp.housed_otherwise & std["homeless_housed_is_safe"]
    housing = np.where(grade_safe | homeless_ok, PASS, FAIL).astype(np.int8)
    housing[
        text_in(inp, "housing_safety", [""]) | np.isin(std["housing_safe_grades"], np.array([None], dtype=object))
    ] = CANNOT
    if inp.housing_done is not None:  # a housing case completed in the year makes the house safe for it
        housing[inp.housing_done] = PASS

    # Water: four sub-indicators as floats 1/0/NaN.
    def check(values: np.ndarray, limit: np.ndarray, *, at_least: bool) -> np.ndarray:
        ok = (values >= limit) if at_least else (values <= limit)
        return np.where(np.isnan(values) | np.isnan(limit), np.nan, ok.astype(float))

    quantity = check(inp.water_litres, std["water_litres_min"], at_least=True)
    quality = inp.water_quality.copy()
    trip = check(inp.water_trip, std["water_trip_minutes_max"], at_least=False)
    horiz = check(inp.water_horizontal, std["water_horizontal_m_max"], at_least=False)
    vert = check(inp.water_vertical, std["water_vertical_m_max"], at_least=False)
    distance = np.vstack([trip, horiz, vert])
    any_ok = np.nan_to_num(distance, nan=0).max(axis=0) == 1
    all_unknown = np.isnan(distance).all(axis=0)
    convenience = np.where(inp.water_piped | any_ok, 1.0, np.where(all_unknown, np.nan, 0.0))
    guarantee = check(inp.water_shortage, std["water_shortage_days_max"], at_least=False)
    water = _all_pass(quantity, quality, convenience, guarantee)

    indicators = [income, food, education, medical, housing, water]
    for column in indicators:
        column[missing] = CANNOT
    stacked = np.vstack(indicators)
    meets = (stacked == PASS).all(axis=0)

    # Exit is judged for households poor during the year: still poor at its end, or exited in it (then
    # the determination says whether that exit met the standard — a wrong exit, 错退, when it did not).
    is_poor = text_in(inp, "status", POOR) | inp.exited_in_year
    margin = np.nan_to_num(std["stable_income_margin"], nan=0.0)
    stable = inp.net_pc >= line * (1 + margin)
    block = np.full(n, ExitBlock.NONE, dtype=np.int8)
    block[~stable] = ExitBlock.UNSTABLE_INCOME
    block[inp.relapsed_in_year] = ExitBlock.RELAPSED_THIS_YEAR
    block[inp.ident_year == year] = ExitBlock.NEW_THIS_YEAR
    block[~meets] = ExitBlock.INDICATOR
    block[~is_poor] = ExitBlock.NOT_POOR
    eligible = block == ExitBlock.NONE

    flags = np.zeros(n, dtype=np.int64)
    mline = std["monitoring_line"]
    flags |= np.where(inp.net_pc < mline, int(Monitor.BELOW_MONITORING_LINE), 0)
    rigid_limit = std["rigid_spending_ratio"] * inp.prev_net
    flags |= np.where((inp.prev_net > 0) & (inp.rigid_spending > rigid_limit), int(Monitor.RIGID_SPENDING), 0)
    drop = (inp.prev_net_pc - inp.net_pc) / np.where(inp.prev_net_pc > 0, inp.prev_net_pc, np.nan)
    flags |= np.where(drop > std["income_drop_ratio"], int(Monitor.INCOME_DROP), 0)
    flags[missing] = 0

    return Outcome(
        income=income,
        food=food,
        education=education,
        medical=medical,
        housing=housing,
        water=water,
        meets_standard=meets,
        exit_eligible=eligible,
        exit_block=block,
        monitor_flags=flags,
        cannot_reason=cannot,
        members=members,
        poverty_line=line,
        children_school_age=n_school_age,
        children_out_of_school=n_out,
        members_unknown_school=n_unknown,
        members_over_selfpay_cap=n_over_cap,
        members_uninsured=n_uninsured,
        water_quantity_ok=quantity,
        water_quality_ok=quality,
        water_convenience_ok=convenience,
        water_guarantee_ok=guarantee,
        hasher=_Hasher(inp, std),
    )
