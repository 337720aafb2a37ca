"""Region rollups of a run: village totals from the determinations, every level above as sums.

Computed from the very columns the determinations are written from, in the same transaction, so
a rollup is the sum of its households' determinations by construction — and a test checks it
against SQL over the stored rows anyway. Sums are numpy over village indexes (villages, then each
level above as sums of villages); the rows go in with one bulk write.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np

from tuopin.core.columnar import Col, insert_arrays
from tuopin.core.scoping import prefix_range_q
from tuopin.geo.choices import PREFIX_LENGTH, Level
from tuopin.geo.models import Region, RegionPopulation
from tuopin.policy.resolve import Resolver

from .choices import Result
from .engine import POOR, Outcome, prefix_groups
from .inputs import Inputs, text_in, village_groups
from .models import RegionRollup

__all__ = ["build_rollups", "SUM_FIELDS"]

SUM_FIELDS = (
    "households",
    "people",
    "poor_households",
    "poor_people",
    "exited_households",
    "exited_people",
    "monitored_households",
    "flagged_households",
    "exit_eligible_households",
    "wrong_exits",
    "cannot_assess_households",
    "fail_income",
    "fail_food",
    "fail_education",
    "fail_medical",
    "fail_housing",
    "fail_water",
)
THRESHOLDS = {Level.VILLAGE: "village_exit_incidence_max", Level.COUNTY: "county_exit_incidence_max"}


def _household_columns(inp: Inputs, out: Outcome) -> dict[str, np.ndarray]:
    poor = text_in(inp, "status", POOR)
    fail = int(Result.FAIL)
    return {
        "households": np.ones(inp.n, dtype=np.int64),
        "people": out.members,
        "poor_households": poor.astype(np.int64),
        "poor_people": np.where(poor, out.members, 0),
        "exited_households": inp.exited_in_year.astype(np.int64),
        "exited_people": np.where(inp.exited_in_year, out.members, 0),
        "monitored_households": text_in(inp, "status", ["monitored"]).astype(np.int64),
        "flagged_households": (out.monitor_flags != 0).astype(np.int64),
        "exit_eligible_households": out.exit_eligible.astype(np.int64),
        "wrong_exits": (inp.exited_in_year & ~out.meets_standard).astype(np.int64),
        "cannot_assess_households": (out.cannot_reason != 0).astype(np.int64),
        "fail_income": (out.income == fail).astype(np.int64),
        "fail_food": (out.food == fail).astype(np.int64),
        "fail_education": (out.education == fail).astype(np.int64),
        "fail_medical": (out.medical == fail).astype(np.int64),
        "fail_housing": (out.housing == fail).astype(np.int64),
        "fail_water": (out.water == fail).astype(np.int64),
    }


def _region_sums(run: Any, inp: Inputs, out: Outcome) -> tuple[np.ndarray, np.ndarray]:
    """(region codes as integers, sums matrix in SUM_FIELDS order) for every village with
    households and every region above it down from the run's region."""
    village_codes, village_index = village_groups(inp)
    columns = _household_columns(inp, out)
    per_village = (
        np.stack(
            [np.bincount(village_index, weights=columns[name], minlength=len(village_codes)) for name in SUM_FIELDS],
            axis=1,
        ).astype(np.int64)
        if inp.n
        else np.zeros((0, len(SUM_FIELDS)), dtype=np.int64)
    )
    codes, sums = [village_codes], [per_village]
    top_level = Level(run.region.level)
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if level < top_level:
            continue
        unit = 10 ** (12 - PREFIX_LENGTH[level])
        ancestor = village_codes // unit * unit
        keep = ancestor != village_codes  # a code is not its own ancestor
        uniq, where = np.unique(ancestor[keep], return_inverse=True)
        total = np.zeros((len(uniq), len(SUM_FIELDS)), dtype=np.int64)
        np.add.at(total, where, per_village[keep])
        codes.append(uniq)
        sums.append(total)
    top = np.array([int(run.region.code)], dtype=np.int64)
    codes.append(top)
    sums.append(np.zeros((1, len(SUM_FIELDS)), dtype=np.int64))
    all_codes = np.concatenate(codes)
    all_sums = np.concatenate(sums)
    # The run's region appears once: as an ancestor when it has villages, otherwise with zeros.
    uniq, first = np.unique(all_codes, return_index=True)
    return uniq, all_sums[first]


def build_rollups(run: Any, inp: Inputs, out: Outcome) -> int:
    """Write one ``RegionRollup`` per region from the run's region down to every village with
    households; returns how many were written."""
    codes, sums = _region_sums(run, inp, out)
    texts = np.array([f"{int(c):012d}" for c in codes], dtype=object)
    # Every region of the run's area in one range scan; codes without a Region row are skipped.
    area = run.region.prefix
    known = dict(Region.objects.filter(prefix_range_q("code", area)).values_list("code", "level"))
    known[run.region.code] = run.region.level
    present = np.array([t in known for t in texts], dtype=bool)
    codes, sums, texts = codes[present], sums[present], texts[present]
    levels = np.array([known[t] for t in texts], dtype=np.int64)
    population = dict(
        RegionPopulation.objects.filter(prefix_range_q("region_id", area), year=run.year).values_list(
            "region_id", "rural_population"
        )
    )
    rural = np.array([population.get(t) or 0 for t in texts], dtype=np.int64)
    has_rural = np.array([population.get(t) is not None for t in texts], dtype=bool)
    poor_people = sums[:, SUM_FIELDS.index("poor_people")]
    # Incidence to six places, half up, in integers: round(poor × 10⁶ / rural).
    incidence = np.where(rural > 0, (2 * poor_people * 10**6 + rural) // np.maximum(2 * rural, 1), 0)
    threshold, meets = _exit_checks(run, texts, levels, incidence, rural > 0)
    n = len(codes)
    columns = [
        Col("run_id", "const", run.pk),
        Col("region_id", "digits", codes, width=12),
        Col("level", "int", levels),
        *(Col(name, "int", sums[:, i]) for i, name in enumerate(SUM_FIELDS)),
        Col("rural_population", "int", rural, null=~has_rural),
        Col("incidence", "decimal", incidence, null=~(rural > 0), scale=6),
        Col(
            "exit_threshold",
            "decimal",
            np.nan_to_num(threshold, nan=0).astype(np.int64),
            null=np.isnan(threshold),
            scale=4,
        ),
        Col("meets_exit_threshold", "bool", meets == 1, null=meets < 0),
    ]
    insert_arrays(RegionRollup._meta.db_table, columns)
    return n


def _exit_checks(
    run: Any, texts: np.ndarray, levels: np.ndarray, incidence: np.ndarray, has_incidence: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exit threshold (×10⁴, NaN when none) of each village and county, and whether its incidence
    is below it (1 / 0, −1 when either is unknown). Resolved once per group of regions that share
    the standard rows' prefixes."""
    content = run.ruleset.content["standards"]
    resolver = Resolver(content)
    threshold = np.full(len(texts), np.nan)
    meets = np.full(len(texts), -1, dtype=np.int64)
    for level, name in THRESHOLDS.items():
        rows = np.flatnonzero(levels == int(level))
        if not len(rows):
            continue
        group, first = prefix_groups([texts[i] for i in rows], content)
        values = [resolver.value(name, texts[rows[i]], run.year) for i in first]
        for g, value in enumerate(values):
            if value is None:
                continue
            members = rows[group == g]
            threshold[members] = float(int(Decimal(value).quantize(Decimal("0.0001"), ROUND_HALF_EVEN).scaleb(4)))
            # For an integer i: i < x ⇔ i < ⌈x⌉; incidence is ×10⁶, so compare with ⌈value × 10⁶⌉.
            limit = math.ceil(Decimal(value).scaleb(6))
            meets[members] = np.where(has_incidence[members], (incidence[members] < limit).astype(np.int64), -1)
    return threshold, meets
