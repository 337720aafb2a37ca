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
            # One row back, not n: the values as one text (other sessions may take values in between).
            cur.execute(
                "SELECT string_agg(nextval(pg_get_serial_sequence(%s, 'id'))::text, ',') FROM generate_series(1, %s)",
                [table, n],
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
    """Insert the plan's new households and missing years; returns the counts. Caller holds the transaction."""
    today = timezone.localdate()
    ok = plan.valid_households() if only_valid else list(plan.households)
    # Rows go in in the order of the indexes they touch most: households by number, members by keyed
    # hash (three indexes on a random 64-character key, the costliest part of the write: in order, each
    # index page is visited once, not once per row), their years by member. Ids follow the same order.
    new = sorted(h for h in ok if h not in plan.existing)
    add_year = [h for h in ok if h in plan.existing and h not in plan.existing_years]
    pos = {h: k for k, h in enumerate(plan.households)}
    hh_ids = dict(zip(new, reserve_ids(Household, len(new)), strict=True))
    member_rows = sorted((i for h in new for i in plan.hh_rows[h]), key=plan.hashes.__getitem__)
    m_ids = dict(zip(member_rows, reserve_ids(Member, len(member_rows)), strict=True))
    for h in add_year:  # members of an already registered household keep their ids
        registered = plan.existing[h][1]
        for i in plan.hh_rows[h]:
            m_ids[i] = registered[plan.hashes[i]]
    counts = {
        "households": len(new),
        "members": len(member_rows),
        "years": len(new) + len(add_year),
        "skipped_households": len(plan.households) - len(new),
    }
    if progress:
        progress(0, 4)

    def pick(key: str, households: list[str]) -> list[Any]:
        values = plan.hh[key]
        return [values[pos[h]] for h in households]

    # --- households and their first status row (create_household) ---------------------------------
    ident = pick("identification_year", new)
    causes = pick("causes", new)
    phone_enc, phone_mask = _protected(pick("phone", new), mask_phone)
    account_enc, account_mask, account_hash = _protected(pick("bank_account", new), mask_account, "account")
    ids = [hh_ids[h] for h in new]
    insert_columns(
        Household,
        len(new),
        {
            "id": ids,
            "number": new,
            "village_id": pick("village", new),
            "group": pick("group", new),
            "head_name": pick("head", new),
            "member_count": [len(plan.hh_rows[h]) for h in new],
            "bank_name": pick("bank_name", new),
            "phone_enc": phone_enc,
            "phone_mask": phone_mask,
            "bank_account_enc": account_enc,
            "bank_account_hash": account_hash,
            "bank_account_mask": account_mask,
            "identification_year": ident,
            "identification_standard": pick("identification_standard", new),
            "category": pick("category", new),
            "main_cause": [x[0] for x in causes],
            "other_cause_1": [x[1] for x in causes],
            "other_cause_2": [x[2] for x in causes],
            "status": Same(c.HouseholdStatus.POOR),
            "status_year": ident,
        },
    )
    insert_columns(
        HouseholdStatusChange,
        len(new),
        {
            "household_id": ids,
            "year": ident,
            "date": Same(today),
            "from_status": Same(""),
            "to_status": Same(c.HouseholdStatus.POOR),
            "reason": Same(_("识别为建档立卡户")),
            "actor_name": Same(actor.username),
        },
    )
    if progress:
        progress(1, 4)
    _pause_for_test()
    # --- members (identity) -------------------------------------------------------------------------
    numbers = [plan.ids[i] for i in member_rows]
    names, mv = plan.bound.columns["name"], plan.member_values
    insert_columns(
        Member,
        len(member_rows),
        {
            "id": [m_ids[i] for i in member_rows],
            "household_id": [hh_ids[plan.number[i]] for i in member_rows],
            "name": [names[i] for i in member_rows],
            "id_enc": encrypt_many(numbers),
            "id_hash": [plan.hashes[i] for i in member_rows],
            "id_mask": list(map(mask_id, numbers)),
            "gender": [plan.genders[i] for i in member_rows],
            "birth_date": [plan.births[i] for i in member_rows],
            "relation": [mv["relation"][i] for i in member_rows],
            "ethnicity": [mv["ethnicity"][i] for i in member_rows],
        },
    )
    if progress:
        progress(2, 4)
    # --- member years: the file's facts, the action's defaults where not given -----------------------
    yearly = new + add_year
    year_of = dict(zip(yearly, pick("year", yearly), strict=True))
    hid = {**{h: plan.existing[h][0] for h in add_year}, **hh_ids}
    rows = sorted((i for h in yearly for i in plan.hh_rows[h]), key=m_ids.__getitem__)
    years = [year_of[plan.number[i]] for i in rows]
    ages = [y - plan.births[i].year for i, y in zip(rows, years, strict=True)]
    facts: dict[str, Any] = {}
    for key in MEMBER_YEAR_FIELDS:
        given = mv.get(key)
        if key == "education":  # _default_member_year: by age when the file does not say
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
    insert_columns(
        MemberYear,
        len(rows),
        {
            "member_id": [m_ids[i] for i in rows],
            "household_id": [hid[plan.number[i]] for i in rows],
            "year": years,
            **facts,
        },
    )
    if progress:
        progress(3, 4)
    # --- household years: income, net income per capita and the year's facts ------------------------
    income = {key: pick(key, yearly) for key in INCOME_KEYS}
    net = [(w + b + p + t - e).quantize(w) for w, b, p, t, e in zip(*(income[k] for k in INCOME_KEYS), strict=True)]
    sizes = [len(plan.hh_rows[h]) for h in yearly]
    year_facts = {}
    for key in plan.facts:
        default = HouseholdYear._meta.get_field(key).get_default()
        year_facts[key] = [default if v is None else v for v in pick(key, yearly)]
    insert_columns(
        HouseholdYear,
        len(yearly),
        {
            "household_id": [hid[h] for h in yearly],
            "year": [year_of[h] for h in yearly],
            "size": sizes,
            **income,
            "net_income": net,
            "net_income_per_capita": [per_capita(x, s) for x, s in zip(net, sizes, strict=True)],
            **year_facts,
        },
    )
    insert_columns(
        ImportedHousehold,
        len(yearly),
        {
            "batch_id": Same(batch.pk),
            "household_id": [hid[h] for h in yearly],
            "created": [True] * len(new) + [False] * len(add_year),
            "year": [year_of[h] for h in yearly],
        },
    )
    if progress:
        progress(4, 4)
    return counts
