"""Region rollups of a run: village totals from the determinations, every level above as sums.

Computed from the very columns the determinations are written from, in the same transaction, so
a rollup is the sum of its households' determinations by construction — and a test checks it
against SQL over the stored rows anyway.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from tuopin.geo.choices import PREFIX_LENGTH, Level
from tuopin.geo.models import Region, RegionPopulation
from tuopin.policy.resolve import Resolver

from .choices import Result
from .engine import POOR, Outcome
from .inputs import Inputs
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


def _household_columns(inp: Inputs, out: Outcome) -> dict[str, np.ndarray]:
    poor = np.isin(inp.status, POOR)
    fail = int(Result.FAIL)
    return {
        "households": np.ones(inp.n, dtype=np.int64),
        "people": out.members,
        "poor_households": poor.astype(np.int64),
        "poor_people": np.where(poor, out.members, 0),
        "exited_households": inp.exited_in_year.astype(np.int64),
        "exited_people": np.where(inp.exited_in_year, out.members, 0),
        "monitored_households": (inp.status == "monitored").astype(np.int64),
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


def build_rollups(run: Any, inp: Inputs, out: Outcome) -> int:
    """Write one ``RegionRollup`` per region from the run's region down to every village with
    households; returns how many were written."""
    columns = _household_columns(inp, out)
    villages, inverse = np.unique(inp.village.astype(str), return_inverse=True) if inp.n else ([], [])
    totals: dict[str, dict[str, int]] = {}
    for name, col in columns.items():
        sums = np.bincount(inverse, weights=col, minlength=len(villages)) if inp.n else []
        for code, value in zip(villages, sums, strict=True):
            totals.setdefault(code, {})[name] = int(value)
    top = run.region
    regions = {r.code: r for r in Region.objects.filter(code__in=_all_ancestors(villages, top))}
    regions[top.code] = top
    # Sum villages up into every ancestor down from the run's region.
    for code in list(totals):
        for ancestor in _ancestors(code, top):
            bucket = totals.setdefault(ancestor, dict.fromkeys(SUM_FIELDS, 0))
            for name in SUM_FIELDS:
                bucket[name] += totals[code][name]
    totals.setdefault(top.code, dict.fromkeys(SUM_FIELDS, 0))
    population = dict(
        RegionPopulation.objects.filter(region_id__in=totals.keys(), year=run.year).values_list(
            "region_id", "rural_population"
        )
    )
    resolver = Resolver(run.ruleset.content["standards"])
    rows = []
    for code, sums in totals.items():
        region = regions.get(code)
        if region is None:
            continue
        rural = population.get(code)
        incidence = (
            (Decimal(sums["poor_people"]) / Decimal(rural)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
            if rural
            else None
        )
        threshold_name = {Level.VILLAGE: "village_exit_incidence_max", Level.COUNTY: "county_exit_incidence_max"}.get(
            Level(region.level)
        )
        threshold = resolver.value(threshold_name, code, run.year) if threshold_name else None
        meets = None if threshold is None or incidence is None else incidence < threshold
        rows.append(
            RegionRollup(
                run=run,
                region_id=code,
                level=region.level,
                rural_population=rural,
                incidence=incidence,
                exit_threshold=threshold,
                meets_exit_threshold=meets,
                **sums,
            )
        )
    RegionRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _ancestors(code: str, top: Region) -> list[str]:
    """Codes of the regions strictly above a village, down from (and including) the run's region."""
    out = []
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if level < top.level:
            continue
        out.append(code[: PREFIX_LENGTH[level]].ljust(12, "0"))
    return [c for c in out if c != code]


def _all_ancestors(villages: Any, top: Region) -> set[str]:
    codes = {str(v) for v in villages}
    for v in list(codes):
        codes.update(_ancestors(v, top))
    return codes
