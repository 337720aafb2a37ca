"""Turn one generated block into table rows (column lists) ready for the loader.

This is the only place that touches personal numbers: ID numbers, bank accounts and phones are
built here and leave it encrypted (``crypto.encrypt``), keyed-hashed (``crypto.lookup_hash``) and
masked, exactly as ``registry.actions`` stores them; the plaintext never reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tuopin.core.crypto import encrypt, lookup_hash
from tuopin.core.idnumber import mask_id
from tuopin.core.masking import mask_account, mask_phone

from . import ids
from . import params as p
from .geography import COUNTY_ORDER, Geography
from .packing import HOUSEHOLD_WORDS, MEMBER_WORDS, pack, word_columns
from .people import generate_households, generate_members
from .years import household_size, household_years, member_years

HOUSEHOLD_COLUMNS = (
    "id", "number", "village_id", "group", "address", "head_name", "member_count", "phone_enc", "phone_mask",
    "bank_name", "bank_account_enc", "bank_account_hash", "bank_account_mask", "identification_year",
    "identification_standard", "category", "main_cause", "other_cause_1", "other_cause_2", "status", "status_year",
    "version", "created_at", "updated_at",
)  # fmt: skip
MEMBER_COLUMNS = (
    "id", "household_id", "name", "id_enc", "id_hash", "id_mask", "gender", "birth_date", "relation", "ethnicity",
    "is_current", "deceased_on", "moved_out_on",
)  # fmt: skip
STATUS_COLUMNS = ("household_id", "year", "date", "from_status", "to_status", "reason", "actor_name")
PACKED_HOUSEHOLD_COLUMNS = ("hid", "first_year", *word_columns(HOUSEHOLD_WORDS))
PACKED_MEMBER_COLUMNS = ("mid", "hid", "first_year", "last_year", *word_columns(MEMBER_WORDS))

REASONS = {
    "identify": "识别为建档立卡贫困户",
    "exit": "达到脱贫标准，经民主评议、两公示一公告退出",
    "relapse": "因病因灾返贫，经评议重新纳入",
    "reexit": "再次达到脱贫标准退出",
    "monitor": "纳入防返贫监测（脱贫不稳定户）",
}


@dataclass
class Chunk:
    """Rows of one block: table name → list of columns (each a list or a numpy array)."""

    block: int
    tables: dict[str, list] = field(default_factory=dict)
    regions: list[tuple] = field(default_factory=list)  # (code, name, level, parent, is_synthetic)
    village_codes: list[str] = field(default_factory=list)
    village_population: np.ndarray | None = None
    counts: dict[str, int] = field(default_factory=dict)


class Builder:
    """Generates blocks in order; holds the run-wide state (ID order codes, next row ids)."""

    def __init__(self, seed: int, households_per_block: int, household_id0: int, member_id0: int, now) -> None:
        self.seed = seed
        self.geo = Geography(seed, households_per_block)
        self.orders = ids.OrderCounter(len(COUNTY_ORDER))
        self.next_household = household_id0
        self.next_member = member_id0
        self.serial = 0  # bank account serial, run-wide
        self.now = now

    def build(self, b: int) -> Chunk:
        """All rows of block ``b`` (blocks must be built in order 0, 1, 2 …)."""
        rng = np.random.default_rng([self.seed, 2, b])
        geo = self.geo.block(b)
        hh = generate_households(rng, geo)
        mb = generate_members(rng, hh)
        size = household_size(hh, mb)
        hid = np.arange(self.next_household, self.next_household + hh.n)
        mid = np.arange(self.next_member, self.next_member + mb.n)
        self.next_household += hh.n
        self.next_member += mb.n

        chunk = Chunk(block=b)
        chunk.regions = [(code, name, 4, parent, True) for code, name, parent in geo.new_towns]
        chunk.regions += [(c, n, 5, t, True) for c, n, t in zip(geo.codes, geo.names, geo.town_codes, strict=True)]
        chunk.village_codes = geo.codes
        chunk.village_population = geo.population

        current = mb.death_year == 0
        member_count = np.bincount(mb.household, weights=current, minlength=hh.n).astype(np.int64)
        chunk.tables["registry_member"] = self._members(rng, geo, hh, mb, hid, mid)
        head_idx = np.flatnonzero(mb.role == 0)
        head_name = np.array(mb.name, dtype=object)[head_idx].tolist()
        chunk.tables["registry_household"] = self._households(rng, geo, hh, hid, head_name, member_count)
        chunk.tables["registry_householdstatuschange"] = self._status_changes(rng, hh, hid)

        hy = household_years(rng, hh, mb, size)
        chunk.tables["tmp_scenario_hy"] = [hid, hh.ident_year, *pack(HOUSEHOLD_WORDS, hy)]
        my, first, last = member_years(rng, hh, mb)
        keep = first <= last
        packed = pack(MEMBER_WORDS, {k: v[keep] for k, v in my.items()})
        chunk.tables["tmp_scenario_my"] = [mid[keep], hid[mb.household[keep]], first[keep], last[keep], *packed]
        chunk.counts = {
            "households": hh.n,
            "members": mb.n,
            "current_members": int(current.sum()),
            "household_years": int((p.LAST_YEAR - hh.ident_year + 1).sum()),
            "member_years": int(np.maximum(last - first + 1, 0).sum()),
            "status_changes": len(chunk.tables["registry_householdstatuschange"][0]),
            "villages": len(geo.codes),
            "towns_added": len(geo.new_towns),
        }
        return chunk

    def _members(self, rng, geo, hh, mb, hid, mid) -> list:
        county = geo.county_idx[hh.village[mb.household]]
        address = np.array([int(c) for c in COUNTY_ORDER])[county]
        order = self.orders.assign(county, mb.birth_day, mb.male)
        birth = ids.EPOCH + mb.birth_day.astype("timedelta64[D]")
        birth_iso = np.datetime_as_string(birth, unit="D")
        ymd = np.char.replace(birth_iso, "-", "").astype(np.int64)
        numbers = ids.id_numbers(address, ymd, order)
        death = mb.death_year > 0
        month = rng.integers(1, 13, mb.n)
        day = rng.integers(1, 29, mb.n)
        deceased = [
            f"{y}-{m:02d}-{d:02d}" if y else None
            for y, m, d in zip(mb.death_year.tolist(), month.tolist(), day.tolist(), strict=True)
        ]
        return [
            mid,
            hid[mb.household],
            mb.name,
            [encrypt(x) for x in numbers],
            [lookup_hash(x) for x in numbers],
            [mask_id(x) for x in numbers],
            np.where(mb.male, "1", "2").tolist(),
            birth_iso.tolist(),
            mb.relation.tolist(),
            mb.ethnicity.tolist(),
            (~death).tolist(),
            deceased,
            [None] * mb.n,
        ]

    def _households(self, rng, geo, hh, hid, head_name, member_count) -> list:
        n = hh.n
        codes = np.array(geo.codes)[hh.village]
        start = np.r_[0, np.cumsum(geo.households)[:-1]]
        seq = np.arange(n) - np.repeat(start, geo.households) + 1
        number = [f"{c}{s:04d}" for c, s in zip(codes.tolist(), seq.tolist(), strict=True)]
        group = [f"{g}组" for g in hh.group.tolist()]
        place = [
            f"{geo.county_names[v]}{geo.town_names[v]}{geo.names[v]}" for v in hh.village.tolist()
        ]  # county + town + village
        address = [a + g for a, g in zip(place, group, strict=True)]

        has_phone = rng.random(n) < 0.88
        phone_list = ids.phones(rng, n)
        phone_enc = [encrypt(x) if h else "" for x, h in zip(phone_list, has_phone.tolist(), strict=True)]
        phone_mask = [mask_phone(x) if h else "" for x, h in zip(phone_list, has_phone.tolist(), strict=True)]

        has_bank = rng.random(n) < 0.95
        bank = rng.choice(len(p.BANKS), n, p=[b[2] for b in p.BANKS])
        prefix = np.array([int(b[1]) for b in p.BANKS])[bank]
        # A prime stride coprime with 10^12 spreads serials and keeps them unique run-wide.
        serial = (self.serial + np.arange(n)) * 104729 % 10**12
        self.serial += n
        accounts = ids.luhn_accounts(prefix, serial)
        bank_name = [p.BANKS[b][0] if h else "" for b, h in zip(bank.tolist(), has_bank.tolist(), strict=True)]
        acc_enc, acc_hash, acc_mask = [], [], []
        for a, h in zip(accounts, has_bank.tolist(), strict=True):
            acc_enc.append(encrypt(a) if h else "")
            acc_hash.append(lookup_hash(a, purpose="account") if h else "")
            acc_mask.append(mask_account(a) if h else "")

        status, status_year = final_status(hh)
        return [
            hid, number, codes.tolist(), group, address, head_name, member_count, phone_enc, phone_mask, bank_name,
            acc_enc, acc_hash, acc_mask, hh.ident_year, hh.standard.tolist(), hh.category.tolist(),
            hh.main_cause.tolist(), hh.other1.tolist(), hh.other2.tolist(), status.tolist(), status_year,
            [1] * n, [self.now] * n, [self.now] * n,
        ]  # fmt: skip

    def _status_changes(self, rng, hh, hid) -> list:
        events = []  # (household index, year, month, from, to, reason)
        idx = np.arange(hh.n)

        def add(mask, year, months, frm, to, reason):
            sel = idx[mask]
            mon = rng.integers(months[0], months[1] + 1, len(sel))
            events.append((sel, year[mask], mon, frm, to, REASONS[reason]))

        add(np.ones(hh.n, bool), hh.ident_year, (4, 10), "", "poor", "identify")
        add(hh.exit_year > 0, hh.exit_year, (11, 12), "poor", "exited", "exit")
        add(hh.relapse_year > 0, hh.relapse_year, (3, 8), "exited", "relapsed", "relapse")
        add(hh.reexit_year > 0, hh.reexit_year, (11, 12), "relapsed", "exited", "reexit")
        add(hh.monitored, np.full(hh.n, p.LAST_YEAR), (3, 9), "exited", "monitored", "monitor")
        h = np.concatenate([e[0] for e in events])
        year = np.concatenate([e[1] for e in events])
        month = np.concatenate([e[2] for e in events])
        day = rng.integers(1, 29, len(h))
        order = np.lexsort((year * 100 + month, h))
        frm = np.concatenate([[e[3]] * len(e[0]) for e in events])[order]
        to = np.concatenate([[e[4]] * len(e[0]) for e in events])[order]
        reason = np.concatenate([[e[5]] * len(e[0]) for e in events])[order]
        h, year, month, day = h[order], year[order], month[order], day[order]
        dates = [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(year.tolist(), month.tolist(), day.tolist(), strict=True)]
        return [hid[h], year, dates, frm.tolist(), to.tolist(), reason.tolist(), ["system"] * len(h)]


def final_status(hh) -> tuple[np.ndarray, np.ndarray]:
    """Household.status / status_year: the last step of each household's history."""
    status = np.full(hh.n, "poor", dtype="U9")
    year = hh.ident_year.copy()
    for mask, value, when in (
        (hh.exit_year > 0, "exited", hh.exit_year),
        (hh.relapse_year > 0, "relapsed", hh.relapse_year),
        (hh.reexit_year > 0, "exited", hh.reexit_year),
        (hh.monitored, "monitored", np.full(hh.n, p.LAST_YEAR)),
    ):
        status = np.where(mask, value, status)
        year = np.where(mask, when, year)
    return status, year
