"""Set-based write of a validated household file: column-wise bulk inserts in the caller's transaction.

The rows written are those ``create_household`` (+ ``set_household_year``) would write for each
household: the household, its first status-history row, its members, their year rows and the
household's year row with net income, its per-capita value and the year's housing, water, land and
living facts. Primary keys are reserved up front (sequence values on PostgreSQL; above the current
maximum on SQLite, whose IMMEDIATE transaction holds the write lock) so members and years reference
their household without reading back. Every table is built as columns (lists), never as one Python
object per row: ID numbers are encrypted and hashed as a column (``encrypt_many``), and the columns go
to the database through :func:`tuopin.core.bulk.insert_columns` (COPY text on PostgreSQL).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.core.bulk import Same, insert_columns
from tuopin.core.crypto import encrypt_many, lookup_hashes
from tuopin.core.idnumber import mask_id
from tuopin.core.masking import mask_account, mask_phone
from tuopin.registry import choices as c
from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear
from tuopin.registry.validation import MEMBER_YEAR_FIELDS

from .households import INCOME_KEYS, Plan, per_capita
from .models import ImportedHousehold

PAUSE_ENV = "TUOPIN_TEST_PAUSE_COMMIT"  # crash-consistency test hook: a file path to touch, then wait


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """``n`` primary keys for rows the caller is about to insert with explicit ids."""
    table = model._meta.db_table
    if n == 0:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The sequence's name first: inside the series, pg_get_serial_sequence would be looked up in
            # the catalog once per value (0.45 s for 133k ids, against 0.06 s for nextval itself).
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            # One row back, not n: the values as one text (other sessions may take values in between).
            cur.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)", [sequence, n]
            )
            return list(map(int, cur.fetchone()[0].split(",")))
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def _pause_for_test() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text("paused", encoding="utf-8")
        time.sleep(120)


def _protected(values: list[str], mask: Callable[[str], str], purpose: str | None = None) -> tuple[list, ...]:
    """(ciphertext, mask[, keyed hash]) columns of a contact column; blank stays blank."""
    given = [k for k, v in enumerate(values) if v]
    enc, masks, hashes = [""] * len(values), [""] * len(values), [""] * len(values)
    plain = [values[k] for k in given]
    for k, token, m in zip(given, encrypt_many(plain), map(mask, plain), strict=True):
        enc[k], masks[k] = token, m
    if purpose is None:
        return enc, masks
    for k, h in zip(given, lookup_hashes(plain, purpose=purpose), strict=True):
        hashes[k] = h
    return enc, masks, hashes


def write_plan(plan: Plan, *, batch: Any, actor: Any, only_valid: bool, progress=None) -> dict[str, int]:
    """Insert the plan's new households and missing years; returns the counts. Caller holds the transaction.

    The tables' columns are built (encryption, masks, defaults) in a second thread while this one
    streams the previous table to the database: the database works on one core, the building on the
    other. The builder touches no connection; ids are reserved here first.
    """
    ok = plan.valid_households() if only_valid else list(plan.households)
    # Rows go in in the order of the indexes they touch most: households by number, members by keyed
    # hash (three indexes on a random 64-character key, the costliest part of the write: in order, each
    # index page is visited once, not once per row), their years by member. Ids follow the same order.
    new = sorted(h for h in ok if h not in plan.existing)
    add_year = [h for h in ok if h in plan.existing and h not in plan.existing_years]
    member_rows = sorted((i for h in new for i in plan.hh_rows[h]), key=plan.hashes.__getitem__)
    w = _Tables(
        plan, new, add_year, member_rows, reserve_ids(Household, len(new)), reserve_ids(Member, len(member_rows))
    )
    fixed = {"today": timezone.localdate(), "reason": _("识别为建档立卡户"), "actor": actor.username, "batch": batch.pk}
    steps = (w.households, w.statuses, w.members, w.member_years, w.household_years, w.provenance)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-build") as pool:
        future = pool.submit(steps[0], fixed)
        for k in range(len(steps)):
            model, n, columns = future.result()
            if k + 1 < len(steps):  # one table ahead, no more: memory stays at two tables' columns
                future = pool.submit(steps[k + 1], fixed)
            insert_columns(model, n, columns)
            del columns
            if progress:
                progress(k + 1, len(steps))
            if model is HouseholdStatusChange:
                _pause_for_test()
    return {
        "households": len(new),
        "members": len(member_rows),
        "years": len(new) + len(add_year),
        "skipped_households": len(plan.households) - len(new),
    }


class _Tables:
    """The columns of each table the import writes, as ``create_household`` + ``set_household_year`` would
    fill them; one method per table, each ``(fixed) → (model, rows, columns)``."""

    def __init__(self, plan: Plan, new, add_year, member_rows, household_ids, member_ids):
        self.plan, self.new, self.add_year, self.member_rows = plan, new, add_year, member_rows
        self.pos = {h: k for k, h in enumerate(plan.households)}
        self.hh_ids = dict(zip(new, household_ids, strict=True))
        self.m_ids = dict(zip(member_rows, member_ids, strict=True))
        for h in add_year:  # members of an already registered household keep their ids
            registered = plan.existing[h][1]
            for i in plan.hh_rows[h]:
                self.m_ids[i] = registered[plan.hashes[i]]
        self.yearly = new + add_year
        self.hid = {**{h: plan.existing[h][0] for h in add_year}, **self.hh_ids}
        self.year_of = dict(zip(self.yearly, self.pick("year", self.yearly), strict=True))

    def pick(self, key: str, households: list[str]) -> list[Any]:
        values, pos = self.plan.hh[key], self.pos
        return [values[pos[h]] for h in households]

    def households(self, fixed):
        new, plan = self.new, self.plan
        ident, causes = self.pick("identification_year", new), self.pick("causes", new)
        phone_enc, phone_mask = _protected(self.pick("phone", new), mask_phone)
        account_enc, account_mask, account_hash = _protected(self.pick("bank_account", new), mask_account, "account")
        return (
            Household,
            len(new),
            {
                "id": [self.hh_ids[h] for h in new],
                "number": new,
                "village_id": self.pick("village", new),
                "group": self.pick("group", new),
                "head_name": self.pick("head", new),
                "member_count": [len(plan.hh_rows[h]) for h in new],
                "bank_name": self.pick("bank_name", new),
                "phone_enc": phone_enc,
                "phone_mask": phone_mask,
                "bank_account_enc": account_enc,
                "bank_account_hash": account_hash,
                "bank_account_mask": account_mask,
                "identification_year": ident,
                "identification_standard": self.pick("identification_standard", new),
                "category": self.pick("category", new),
                "main_cause": [x[0] for x in causes],
                "other_cause_1": [x[1] for x in causes],
                "other_cause_2": [x[2] for x in causes],
                "status": Same(c.HouseholdStatus.POOR),
                "status_year": ident,
            },
        )

    def statuses(self, fixed):
        new = self.new
        return (
            HouseholdStatusChange,
            len(new),
            {
                "household_id": [self.hh_ids[h] for h in new],
                "year": self.pick("identification_year", new),
                "date": Same(fixed["today"]),
                "from_status": Same(""),
                "to_status": Same(c.HouseholdStatus.POOR),
                "reason": Same(fixed["reason"]),
                "actor_name": Same(fixed["actor"]),
            },
        )

    def members(self, fixed):
        plan, rows = self.plan, self.member_rows
        numbers = [plan.ids[i] for i in rows]
        names, mv = plan.bound.columns["name"], plan.member_values
        return (
            Member,
            len(rows),
            {
                "id": [self.m_ids[i] for i in rows],
                "household_id": [self.hh_ids[plan.number[i]] for i in rows],
                "name": [names[i] for i in rows],
                "id_enc": encrypt_many(numbers),
                "id_hash": [plan.hashes[i] for i in rows],
                "id_mask": list(map(mask_id, numbers)),
                "gender": [plan.genders[i] for i in rows],
                "birth_date": [plan.births[i] for i in rows],
                "relation": [mv["relation"][i] for i in rows],
                "ethnicity": [mv["ethnicity"][i] for i in rows],
            },
        )

    def member_years(self, fixed):
        """The file's facts; the action's defaults where not given (education and labour by age)."""
        plan, mv = self.plan, self.plan.member_values
        rows = sorted((i for h in self.yearly for i in plan.hh_rows[h]), key=self.m_ids.__getitem__)
        years = [self.year_of[plan.number[i]] for i in rows]
        ages = [y - plan.births[i].year for i, y in zip(rows, years, strict=True)]
        facts: dict[str, Any] = {}
        for key in MEMBER_YEAR_FIELDS:
            given = mv.get(key)
            if key == "education":  # _default_member_year
                default = [c.Education.PRESCHOOL if a < 6 else c.Education.PRIMARY for a in ages]
            elif key == "labour":
                default = [c.LabourSkill.NONE if a < 16 or a >= 65 else c.LabourSkill.ORDINARY for a in ages]
            elif given is None:
                continue  # the model default, as the action leaves it
            else:
                default = Same(MemberYear._meta.get_field(key).get_default())
            if given is None:
                facts[key] = default
            elif isinstance(default, Same):
                facts[key] = [given[i] if given[i] != "" else default.value for i in rows]
            else:
                facts[key] = [given[i] if given[i] != "" else d for i, d in zip(rows, default, strict=True)]
        return (
            MemberYear,
            len(rows),
            {
                "member_id": [self.m_ids[i] for i in rows],
                "household_id": [self.hid[plan.number[i]] for i in rows],
                "year": years,
                **facts,
            },
        )

    def household_years(self, fixed):
        """Income, net income and its per-capita value (A19, A20) and the year's facts."""
        plan, yearly = self.plan, self.yearly
        income = {key: self.pick(key, yearly) for key in INCOME_KEYS}
        net = [(w + b + p + t - e).quantize(w) for w, b, p, t, e in zip(*(income[k] for k in INCOME_KEYS), strict=True)]
        sizes = [len(plan.hh_rows[h]) for h in yearly]
        year_facts = {}
        for key in plan.facts:
            default = HouseholdYear._meta.get_field(key).get_default()
            year_facts[key] = [default if v is None else v for v in self.pick(key, yearly)]
        return (
            HouseholdYear,
            len(yearly),
            {
                "household_id": [self.hid[h] for h in yearly],
                "year": [self.year_of[h] for h in yearly],
                "size": sizes,
                **income,
                "net_income": net,
                "net_income_per_capita": [per_capita(x, s) for x, s in zip(net, sizes, strict=True)],
                **year_facts,
            },
        )

    def provenance(self, fixed):
        yearly = self.yearly
        return (
            ImportedHousehold,
            len(yearly),
            {
                "batch_id": Same(fixed["batch"]),
                "household_id": [self.hid[h] for h in yearly],
                "created": [True] * len(self.new) + [False] * len(self.add_year),
                "year": [self.year_of[h] for h in yearly],
            },
        )
