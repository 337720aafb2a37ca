"""Programme money entering a household's income for a year (A17 components), set-based.

Dividends are property income, wages wage income, 低保/特困/pensions transfer income. Programme
actions add their amounts to the household's ``HouseholdYear`` here rather than through
``registry.actions.set_household_year``: that action writes its own audit row (an action must write
exactly one) and works on one household, while a dividend batch touches hundreds. The path:

1. insert the missing ``HouseholdYear`` rows (size = current member count, as the action does);
2. read the affected rows once, add each household's delta to the named component, recompute net
   income and its per-capita value with the registry's own formula (``_net_per_capita``), and
3. write them back with one bulk update.

The effect equals calling ``set_household_year(…, <field>=old + delta)`` for each household
(tests/programmes/test_income.py checks this). Amounts are added once, when the record is created;
a recomputation is refused by the record's unique constraint, so income is never counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tuopin.registry.actions import _net_per_capita  # the one formula for A19/A20
from tuopin.registry.models import Household, HouseholdYear

__all__ = ["add_income", "INCOME_FIELDS"]

INCOME_FIELDS = ("wage_income", "property_income", "transfer_income", "business_income")
CHUNK = 2000


def add_income(field: str, year: int, deltas: Mapping[int, Decimal]) -> int:
    """Add ``deltas`` (household id → yuan) to ``field`` of each household's ``year`` row; returns rows."""
    if field not in INCOME_FIELDS:
        raise ValueError(field)
    deltas = {hid: Decimal(v) for hid, v in deltas.items() if v}
    if not deltas:
        return 0
    ids = sorted(deltas)
    updated = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        have = set(
            HouseholdYear.objects.filter(year=year, household_id__in=part).values_list("household_id", flat=True)
        )
        missing = [hid for hid in part if hid not in have]
        if missing:
            sizes = dict(Household.objects.filter(pk__in=missing).values_list("pk", "member_count"))
            HouseholdYear.objects.bulk_create(
                [HouseholdYear(household_id=hid, year=year, size=sizes.get(hid, 0)) for hid in missing]
            )
        rows = list(
            HouseholdYear.objects.filter(year=year, household_id__in=part).only(
                "id",
                "household_id",
                "size",
                *INCOME_FIELDS,
                "business_expenses",
                "net_income",
                "net_income_per_capita",
            )
        )
        for row in rows:
            setattr(row, field, (getattr(row, field) + deltas[row.household_id]).quantize(Decimal("0.01")))
            _net_per_capita(row)
        HouseholdYear.objects.bulk_update(rows, [field, "net_income", "net_income_per_capita"], batch_size=500)
        updated += len(rows)
    return updated
