"""Set-based write of a validated household file: bulk inserts in the caller's transaction.

The rows written are those ``create_household`` (+ ``set_household_year``) would write for each
household: the household, its first status-history row, its members, their year rows and the
household's year row with net income and its per-capita value. Primary keys are reserved up front
(sequence values on PostgreSQL; above the current maximum on SQLite, whose IMMEDIATE transaction
holds the write lock) so members and years can reference their household without reading back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.core.bulk import insert_rows
from tuopin.core.crypto import encrypt, lookup_hash
from tuopin.core.idnumber import mask_id
from tuopin.core.masking import mask_account, mask_phone
from tuopin.registry import choices as c
from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear

from .households import INCOME_KEYS, Plan, per_capita
from .models import ImportedHousehold

PAUSE_ENV = "TUOPIN_TEST_PAUSE_COMMIT"  # crash-consistency test hook: a file path to touch, then wait


def _reserve_ids(model: type[Model], n: int) -> list[int]:
    table = model._meta.db_table
    if n == 0:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


class _Writer:
    """Rows for one model: the caller gives some columns, every other column gets the field default."""

    def __init__(self, model: type[Model], given: tuple[str, ...]):
        now = timezone.now()
        self.table = model._meta.db_table
        tail: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.attname in given or (f.primary_key and "id" not in given):
                continue  # an id not given is assigned by the database
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                tail[f.column] = now
            elif f.has_default():
                tail[f.column] = f.get_default()
            elif f.has_db_default():
                tail[f.column] = f.db_default.value
            elif f.null:
                tail[f.column] = None
            elif f.empty_strings_allowed and not f.primary_key:
                tail[f.column] = ""  # a blank=True text field the form leaves empty
            else:
                raise RuntimeError(f"{model.__name__}.{f.name} has no default and is not given")
        self.columns = tuple(model._meta.get_field(a).column if a != "id" else "id" for a in given) + tuple(tail)
        self.tail = tuple(tail.values())

    def write(self, rows: Iterator[tuple[Any, ...]]) -> int:
        tail, q = self.tail, connection.ops.quote_name
        # Quoted: the register has a column named "group", a reserved word in SQL.
        return insert_rows(q(self.table), [q(col) for col in self.columns], (r + tail for r in rows))


def _pause_for_test() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text("paused", encoding="utf-8")
        time.sleep(120)


def write_plan(plan: Plan, *, batch: Any, actor: Any, only_valid: bool, progress=None) -> dict[str, int]:
    """Insert the plan's new households and missing years; returns the counts. Caller holds the transaction."""
    today = timezone.localdate()
    ok = plan.valid_households() if only_valid else list(plan.hh_rows)
    new = [h for h in ok if h not in plan.existing]
    add_year = [h for h in ok if h in plan.existing and h not in plan.existing_years]
    hh_ids = dict(zip(new, _reserve_ids(Household, len(new)), strict=True))
    member_rows = [i for h in new for i in plan.hh_rows[h]]
    m_ids = dict(zip(member_rows, _reserve_ids(Member, len(member_rows)), strict=True))
    for h in add_year:  # members of an already registered household keep their ids
        registered = plan.existing[h][1]
        for i in plan.hh_rows[h]:
            m_ids[i] = registered[plan.hashes[i]]
    names, rel = plan.bound.columns["name"], plan.member_values["relation"]
    counts = {"households": len(new), "members": len(member_rows), "years": len(new) + len(add_year)}
    if progress:
        progress(0, 4)

    def households() -> Iterator[tuple]:
        for h in new:
            v, rows = plan.hh_values[h], plan.hh_rows[h]
            head = next(names[i] for i in rows if rel[i] == c.Relation.HEAD)
            main, o1, o2 = v["causes"]
            phone, account = v["phone"], v["bank_account"]
            yield (
                hh_ids[h],
                h,
                v["village"],
                v["group"],
                head,
                len(rows),
                v["bank_name"],
                encrypt(phone) if phone else "",
                mask_phone(phone) if phone else "",
                encrypt(account) if account else "",
                lookup_hash(account, purpose="account") if account else "",
                mask_account(account) if account else "",
                v["identification_year"],
                v["identification_standard"],
                v["category"],
                main,
                o1,
                o2,
                c.HouseholdStatus.POOR,
                v["identification_year"],
            )

    Household_w = _Writer(
        Household,
        (
            "id",
            "number",
            "village_id",
            "group",
            "head_name",
            "member_count",
            "bank_name",
            "phone_enc",
            "phone_mask",
            "bank_account_enc",
            "bank_account_hash",
            "bank_account_mask",
            "identification_year",
            "identification_standard",
            "category",
            "main_cause",
            "other_cause_1",
            "other_cause_2",
            "status",
            "status_year",
        ),
    )
    Household_w.write(households())
    _Writer(
        HouseholdStatusChange, ("household_id", "year", "date", "from_status", "to_status", "reason", "actor_name")
    ).write(
        (
            hh_ids[h],
            plan.hh_values[h]["identification_year"],
            today,
            "",
            c.HouseholdStatus.POOR,
            _("识别为建档立卡户"),
            actor.username,
        )
        for h in new
    )
    if progress:
        progress(1, 4)
    _pause_for_test()

    def members() -> Iterator[tuple]:
        eth = plan.member_values["ethnicity"]
        for i in member_rows:
            number = plan.ids[i]
            yield (
                m_ids[i],
                hh_ids[plan.number[i]],
                names[i].strip(),
                encrypt(number),
                plan.hashes[i],
                mask_id(number),
                plan.genders[i],
                plan.births[i],
                rel[i],
                eth[i],
            )

    _Writer(
        Member,
        ("id", "household_id", "name", "id_enc", "id_hash", "id_mask", "gender", "birth_date", "relation", "ethnicity"),
    ).write(members())
    if progress:
        progress(2, 4)
    facts = (
        "education",
        "school_status",
        "health",
        "disability_category",
        "disability_grade",
        "labour",
        "migrant_work",
        "migrant_months",
        "dibao",
        "tekun",
        "medical_insured",
        "pension_insured",
    )
    mv = plan.member_values
    defaults = {f: MemberYear._meta.get_field(f).get_default() for f in facts}

    def member_years() -> Iterator[tuple]:
        for h in new + add_year:
            year = plan.hh_values[h]["year"]
            hid = hh_ids.get(h) or plan.existing[h][0]
            for i in plan.hh_rows[h]:
                age = year - plan.births[i].year
                row = dict(defaults)
                # _default_member_year: the action's defaults for a member whose facts were not given
                row["education"] = c.Education.PRESCHOOL if age < 6 else c.Education.PRIMARY
                row["labour"] = c.LabourSkill.NONE if age < 16 or age >= 65 else c.LabourSkill.ORDINARY
                for k in facts:
                    if k in mv and mv[k][i] != "":
                        row[k] = mv[k][i]
                yield (m_ids[i], hid, year, *(row[k] for k in facts))

    _Writer(MemberYear, ("member_id", "household_id", "year", *facts)).write(member_years())
    if progress:
        progress(3, 4)

    def household_years() -> Iterator[tuple]:
        for h in new + add_year:
            v = plan.hh_values[h]
            size = len(plan.hh_rows[h])
            inc = [v[k] for k in INCOME_KEYS]
            net = (inc[0] + inc[1] + inc[2] + inc[3] - inc[4]).quantize(inc[0])
            yield (hh_ids.get(h) or plan.existing[h][0], v["year"], size, *inc, net, per_capita(net, size))

    _Writer(HouseholdYear, ("household_id", "year", "size", *INCOME_KEYS, "net_income", "net_income_per_capita")).write(
        household_years()
    )
    _Writer(ImportedHousehold, ("batch_id", "household_id", "created", "year")).write(
        [(batch.pk, hh_ids[h], True, plan.hh_values[h]["year"]) for h in new]
        + [(batch.pk, plan.existing[h][0], False, plan.hh_values[h]["year"]) for h in add_year]
    )
    if progress:
        progress(4, 4)
    return counts
