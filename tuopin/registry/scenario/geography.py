"""The synthetic villages (and, at large scales, synthetic towns) of the scenario, with their
rural registered population by year.

The city at scale 1 is *block 0*; ``--scale N`` adds blocks 1 … N-1, each a further set of
villages with the same number of villages per rural town, so villages multiply while a
village's size (and so the poverty incidence) stays plausible. Village codes are the town's 9
digits + 200–399 (村委会). Once a real town's 200 codes are used up, further blocks go to
synthetic towns with codes 400–999 inside the county, flagged ``is_synthetic`` like the villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tuopin.geo import data as geo_data

from . import params as p


@dataclass(frozen=True)
class Town:
    """A rural town (镇/乡) of the reference data."""

    code9: str
    name: str
    county: str
    index_in_county: int
    n_villages: int


@dataclass
class BlockGeography:
    """Villages of one block: codes, names, parents, populations by year, households allotted."""

    codes: list[str]
    names: list[str]
    town_codes: list[str]  # 12-digit parent codes
    town_names: list[str]
    county_names: list[str]
    county_idx: np.ndarray  # index into COUNTY_ORDER
    population: np.ndarray  # (villages, years)
    households: np.ndarray  # registered households per village
    new_towns: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, parent) to create


COUNTY_ORDER = tuple(geo_data.COUNTIES)


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def _syllable_names(rng: np.random.Generator, first: str, second: str, suffix: str, exclude: set[str]) -> list[str]:
    names = [a + b + suffix for a in first for b in second if a != b and a + b + suffix not in exclude]
    names = list(dict.fromkeys(names))
    return [names[i] for i in rng.permutation(len(names))]


class Geography:
    """The scenario's rural towns and the villages of every block, determined by the seed."""

    def __init__(self, seed: int, households_per_block: int = p.HOUSEHOLDS_PER_BLOCK) -> None:
        self.seed = seed
        self.households_per_block = households_per_block
        rng = _rng(seed, 0, 1)
        towns = []
        for county, (_cname, town_list) in geo_data.COUNTIES.items():
            rural = [(suffix, name) for suffix, name in town_list if geo_data.is_rural_town(name)]
            for i, (suffix, name) in enumerate(rural):
                n = int(rng.integers(p.MIN_VILLAGES, p.MAX_VILLAGES + 1))
                towns.append(Town(county + suffix, name, county, i, n))
        self.towns = towns
        self._village_names: dict[str, list[str]] = {}
        self._town_names: dict[str, str] = {}

    def village_names(self, code9: str) -> list[str]:
        """The village-name order of a town (distinct names, the fixed ones kept out of the pool)."""
        if code9 not in self._village_names:
            fixed = set(p.FIXED_VILLAGES.get(code9, {}).values())
            self._village_names[code9] = _syllable_names(
                _rng(self.seed, 0, 2, int(code9)), p.VILLAGE_FIRST, p.VILLAGE_SECOND, "村", fixed
            )
        return self._village_names[code9]

    def town_for_block(self, town: Town, block: int) -> tuple[str, str, int, bool]:
        """(9-digit town code, town name, slot of this block inside it, is_new_synthetic_town)."""
        if block < p.BLOCKS_IN_REAL_TOWNS:
            return town.code9, town.name, block, False
        extra = block - p.BLOCKS_IN_REAL_TOWNS
        s, slot = divmod(extra, p.BLOCKS_PER_SYNTHETIC_TOWN)
        code9 = f"{town.county}{400 + s * 20 + town.index_in_county:03d}"
        if code9 not in self._town_names:
            names = _syllable_names(_rng(self.seed, 0, 3, int(code9)), p.TOWN_FIRST, p.TOWN_SECOND, "", set())
            self._town_names[code9] = names[0] + ("乡" if town.name.endswith("乡") else "镇")
        return code9, self._town_names[code9], slot, slot == 0

    def block(self, b: int) -> BlockGeography:
        """The villages of block ``b`` with their populations and allotted households."""
        rng = _rng(self.seed, 1, b)
        codes, names, tcodes, tnames, cnames, cidx, new_towns = [], [], [], [], [], [], []
        for town in self.towns:
            code9, tname, slot, is_new = self.town_for_block(town, b)
            if is_new:
                new_towns.append((code9 + "000", tname, town.county + "000000"))
            fixed = p.FIXED_VILLAGES.get(code9, {})
            pool = self.village_names(code9)
            for i in range(town.n_villages):
                k = slot * town.n_villages + i
                suffix = f"{200 + k:03d}"
                codes.append(code9 + suffix)
                names.append(fixed.get(suffix) or pool[k % len(pool)])
                tcodes.append(code9 + "000")
                tnames.append(tname)
                cnames.append(geo_data.COUNTIES[town.county][0])
                cidx.append(COUNTY_ORDER.index(town.county))
        n = len(codes)
        cidx_arr = np.array(cidx)
        pop2014 = rng.integers(800, 2501, n)
        decline = rng.uniform(0.985, 0.997, n)
        steps = np.arange(len(p.YEARS))
        population = np.rint(pop2014[:, None] * decline[:, None] ** steps[None, :]).astype(np.int64)
        weight = pop2014 * np.array([p.COUNTY_WEIGHT[COUNTY_ORDER[c]] for c in cidx]) * rng.lognormal(0, 0.35, n)
        households = _largest_remainder(weight, self.households_per_block)
        return BlockGeography(codes, names, tcodes, tnames, cnames, cidx_arr, population, households, new_towns)


def _largest_remainder(weight: np.ndarray, total: int) -> np.ndarray:
    """Integer shares of ``total`` proportional to ``weight`` (exact sum, deterministic)."""
    quota = weight / weight.sum() * total
    base = np.floor(quota).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        base[np.argsort(-(quota - base), kind="stable")[:rest]] += 1
    return base
