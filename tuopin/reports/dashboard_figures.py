"""The figures of the region dashboard that no assessment run determines, summed from records.

Programme spend and reach by kind, visit coverage and findings are counted with one grouped SQL
aggregate per figure over the region's code range, grouped by the code prefix of the level below
(``Substr(path, 1, n)``), so a region and all its children cost the same handful of queries whatever
their number. Every figure is additive over disjoint regions (a household lies in one village), so
a region's figures are the sum of its children's plus whatever is recorded at the region itself (a
county's project, a finding against a township).

The result is kept as a :class:`~tuopin.reports.models.DashboardSnapshot` stamped with the audit
sequence number read *before* computing. Every change writes an audit row in its transaction, so a
snapshot is current while no audit row after that number touches the region (or a region above it:
a bulk job over the county is one audit row at the county); it is also dropped at the end of its day,
because whether a finding is overdue depends on the date.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuopin.assistance.models import Pairing
from tuopin.assistance.queries import _visited_by_own_cadre  # the coverage page's own definition of "visited"
from tuopin.core.models import AuditEvent, AuditHead
from tuopin.core.scoping import prefix_range_q
from tuopin.geo.choices import PREFIX_LENGTH, Level
from tuopin.geo.models import Region
from tuopin.programmes import choices as pc
from tuopin.programmes import models as pm
from tuopin.registry.choices import POOR_STATUSES
from tuopin.registry.models import Household
from tuopin.supervision.choices import FindingStatus
from tuopin.supervision.models import Finding
from tuopin.supervision.queries import overdue_q

from .models import DashboardSnapshot

__all__ = ["PROGRAMMES", "record_figures", "compute", "child_length", "refresh"]

ZERO = Decimal("0")
# Audit rows that change no record a figure is computed from: logins and account administration.
NOT_DATA = Q(action__startswith="auth.") | Q(action__startswith="account.") | Q(object_type="accounts.user")


@dataclass(frozen=True)
class Programme:
    """One programme kind's spend and reach in a year: which records, where they lie, what they pay.

    ``slug`` is the programme page the records are listed on; ``amount`` None means the kind pays no
    money (a water problem solved); ``households`` None means it reaches no household directly (a
    school rebuilt). ``reach`` gives the reach from other records than the spend (a project's funds
    are the project's; the households are its beneficiaries').
    """

    key: str
    slug: str
    label: Any
    records: Callable[[int], QuerySet]
    path: str
    amount: Any = None
    households: bool = True
    reach: Callable[[int], QuerySet] | None = None


def _funded_projects(year: int) -> QuerySet:
    return pm.ProjectFund.objects.filter(year=year, source__in=pc.POVERTY_FUND_SOURCES).values("project_id")


def _beneficiaries(year: int) -> QuerySet:
    """Beneficiary households of the projects funded in the year (as the annual report counts them)."""
    return pm.Beneficiary.objects.filter(project_id__in=_funded_projects(year), since_year__lte=year).filter(
        Q(until_year__isnull=True) | Q(until_year__gte=year)
    )


def _in_year(model: type, field: str = "year") -> Callable[[int], QuerySet]:
    if field == "year":
        return lambda year: model.objects.filter(year=year)
    return lambda year: model.objects.filter(**{f"{field}__range": (dt.date(year, 1, 1), dt.date(year, 12, 31))})


HOUSEHOLD = "household__village_id"
PROGRAMMES: tuple[Programme, ...] = (
    Programme(
        "projects",
        "projects",
        _("产业项目（财政扶贫资金投入 / 受益户）"),
        lambda year: pm.ProjectFund.objects.filter(year=year, source__in=pc.POVERTY_FUND_SOURCES),
        "project__region_id",
        amount="amount",
        households=False,
        reach=_beneficiaries,
    ),
    Programme("dividends", "projects", _("产业分红"), _in_year(pm.Dividend), HOUSEHOLD, amount="amount"),
    Programme(
        "employment", "employment", _("就业帮扶（工资收入）"), _in_year(pm.Employment), HOUSEHOLD, amount="wages"
    ),
    Programme("education", "education", _("教育资助"), _in_year(pm.EducationSubsidy), HOUSEHOLD, amount="amount"),
    Programme(
        "schools", "schools", _("学校建设"), _in_year(pm.SchoolProject), "region_id", amount="funds", households=False
    ),
    Programme(
        "claims",
        "claims",
        _("医疗保障（报销和救助，不含个人自付）"),
        _in_year(pm.MedicalClaim),
        HOUSEHOLD,
        amount=F("total_cost") - F("self_paid"),
    ),
    Programme("housing", "housing", _("住房安全（补助资金）"), _in_year(pm.HousingCase), HOUSEHOLD, amount="subsidy"),
    Programme("water", "water", _("饮水安全（问题户）"), _in_year(pm.WaterProblem), HOUSEHOLD),
    Programme(
        "safety_net",
        "safety-net",
        _("兜底保障（低保、特困、养老金）"),
        _in_year(pm.SafetyNetBenefit),
        HOUSEHOLD,
        amount="amount",
    ),
    Programme(
        "loans", "loans", _("扶贫小额信贷（当年发放）"), _in_year(pm.Loan, "issued_on"), HOUSEHOLD, amount="amount"
    ),
)


def child_length(region: Region) -> int:
    """Significant digits of the level below ``region`` (a village groups by its own code)."""
    level = Level(region.level)
    return PREFIX_LENGTH[Level(level + 1)] if level < Level.VILLAGE else PREFIX_LENGTH[level]


def _grouped(qs: QuerySet, path: str, prefix: str, n: int, **aggregates: Any) -> dict[str, dict[str, Any]]:
    """``{code prefix of length n: {name: value}}`` over the rows of ``qs`` inside ``prefix``."""
    rows = (
        qs.filter(prefix_range_q(path, prefix))
        .annotate(_key=Substr(path, 1, n))
        .values("_key")
        .annotate(**aggregates)
        .order_by()
    )
    return {r.pop("_key"): r for r in rows}


def empty() -> dict[str, Any]:
    """The figures of a region with no records (every count 0, every amount 0)."""
    programmes = {}
    for p in PROGRAMMES:
        programmes[p.key] = {
            "records": 0,
            "households": 0 if (p.households or p.reach) else None,
            "amount": "0.00" if p.amount is not None else None,
        }
    return {
        "programmes": programmes,
        "coverage": {"poor": 0, "paired": 0, "visited": 0},
        "findings": {"open": 0, "overdue": 0},
    }


def compute(prefix: str, n: int, year: int, today: dt.date) -> dict[str, dict[str, Any]]:
    """Figures of every code prefix of length ``n`` inside ``prefix`` that has any record."""
    out: dict[str, dict[str, Any]] = {}

    def slot(key: str) -> dict[str, Any]:
        return out.setdefault(key, empty())

    for p in PROGRAMMES:
        aggregates: dict[str, Any] = {"records": Count("pk")}
        if p.households:
            aggregates["households"] = Count("household_id", distinct=True)
        if p.amount is not None:
            aggregates["amount"] = Sum(p.amount)
        for key, row in _grouped(p.records(year), p.path, prefix, n, **aggregates).items():
            fig = slot(key)["programmes"][p.key]
            fig["records"] = row["records"]
            if p.households:
                fig["households"] = row["households"]
            if p.amount is not None:
                fig["amount"] = str((row["amount"] or ZERO).quantize(Decimal("0.01")))
        if p.reach is not None:
            reach = _grouped(p.reach(year), HOUSEHOLD, prefix, n, households=Count("household_id", distinct=True))
            for key, row in reach.items():
                slot(key)["programmes"][p.key]["households"] = row["households"]

    poor = Household.objects.filter(status__in=POOR_STATUSES)
    paired = Exists(Pairing.objects.filter(household=OuterRef("pk")))
    # Three grouped counts rather than one with filtered aggregates over EXISTS: Django wraps those in a
    # subquery whose outer references SQLite resolves wrongly (see assistance.queries).
    for name, qs in (
        ("poor", poor),
        ("paired", poor.filter(paired)),
        ("visited", poor.filter(_visited_by_own_cadre(year))),
    ):
        for key, row in _grouped(qs, "village_id", prefix, n, count=Count("pk")).items():
            slot(key)["coverage"][name] = row["count"]

    findings = _grouped(
        Finding.objects.all(),
        "region_id",
        prefix,
        n,
        open=Count("pk", filter=~Q(status=FindingStatus.CLOSED)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    for key, row in findings.items():
        slot(key)["findings"] = {"open": row["open"], "overdue": row["overdue"]}
    return out


def add(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Add ``other``'s figures to ``into`` (in place) and return it."""
    for key, fig in other["programmes"].items():
        mine = into["programmes"][key]
        mine["records"] += fig["records"]
        if mine["households"] is not None:
            mine["households"] += fig["households"] or 0
        if mine["amount"] is not None:
            mine["amount"] = str(Decimal(mine["amount"]) + Decimal(fig["amount"] or "0"))
    for part in ("coverage", "findings"):
        for key, value in other[part].items():
            into[part][key] += value
    return into


def assemble(region: Region, grouped: dict[str, dict[str, Any]], children: Iterable[str]) -> dict[str, Any]:
    """A region's snapshot data from figures grouped by code prefix (of any length ≥ its children's):
    its total, each child's, and what lies at the region itself rather than in a child."""
    n = child_length(region)
    kids = {code: empty() for code in children}
    own = empty()
    total = empty()
    for key, fig in grouped.items():
        if not key.startswith(region.prefix):
            continue
        add(total, fig)
        child = key[:n].ljust(12, "0")
        if region.level < Level.VILLAGE and child in kids:
            add(kids[child], fig)
        elif region.level < Level.VILLAGE:
            add(own, fig)
    has_own = region.level < Level.VILLAGE and own != empty()
    return {"total": total, "children": kids, "own": own if has_own else None}


def _audit_seq() -> int:
    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return int(head or 0)


def _changed_since(region: Region, seq: int) -> bool:
    """Whether any audit row after ``seq`` may have changed a record inside ``region``."""
    above = [region.code[:k].ljust(12, "0") for k in sorted(set(PREFIX_LENGTH.values())) if k < len(region.prefix)]
    where = prefix_range_q("region_code", region.prefix) | Q(region_code__in=[*above, ""])
    return AuditEvent.objects.filter(seq__gt=seq).filter(where).exclude(NOT_DATA).exists()


def _store(region: Region, year: int, seq: int, data: dict[str, Any], started: float) -> DashboardSnapshot:
    values = {
        "audit_seq": seq,
        "computed_on": timezone.localdate(),
        "computed_at": timezone.now(),
        "seconds": round(time.perf_counter() - started, 3),
        "data": data,
    }
    try:
        with transaction.atomic():
            snap, _created = DashboardSnapshot.objects.update_or_create(region=region, year=year, defaults=values)
    except IntegrityError:  # another request stored the same snapshot meanwhile: theirs is as good
        snap = DashboardSnapshot(region=region, year=year, **values)
    return snap


def record_figures(region: Region, year: int, children: Iterable[str]) -> DashboardSnapshot:
    """The region's record-derived figures for ``year``: the stored snapshot while it is current,
    else computed now (set-based, the region and its children together) and stored."""
    today = timezone.localdate()
    snap = DashboardSnapshot.objects.filter(region=region, year=year).first()
    if snap is not None and snap.computed_on == today and not _changed_since(region, snap.audit_seq):
        snap.computed_now = False
        return snap
    started = time.perf_counter()
    seq = _audit_seq()  # before reading any record: a change committed later has a larger number
    grouped = compute(region.prefix, child_length(region), year, today)
    snap = _store(region, year, seq, assemble(region, grouped, children), started)
    snap.computed_now = True
    return snap


def refresh(top: Region, year: int, *, down_to: Level = Level.TOWNSHIP) -> int:
    """Compute and store the snapshots of ``top`` and every region under it down to ``down_to`` in
    one set-based pass (grouped by village, summed up in Python); returns how many were stored.

    For a nightly job or after a bulk load, so that the first dashboard view of the day is fast."""
    started = time.perf_counter()
    seq = _audit_seq()
    grouped = compute(top.prefix, PREFIX_LENGTH[Level.VILLAGE], year, timezone.localdate())
    regions = list(
        Region.objects.filter(prefix_range_q("code", top.prefix), level__lte=down_to).only("code", "level", "parent_id")
    )
    children: dict[str, list[str]] = {}
    for r in Region.objects.filter(
        prefix_range_q("code", top.prefix), level__lte=min(down_to + 1, Level.VILLAGE)
    ).values_list("code", "parent_id"):
        children.setdefault(r[1], []).append(r[0])
    # Bucket the village figures under each region once, rather than scanning them per region.
    by_region: dict[str, dict[str, dict[str, Any]]] = {}
    for key, fig in grouped.items():
        for level in range(top.level, down_to + 1):
            code = key[: PREFIX_LENGTH[Level(level)]].ljust(12, "0")
            by_region.setdefault(code, {})[key] = fig
    stored = 0
    for region in regions:
        if region.level < top.level:
            continue
        data = assemble(region, by_region.get(region.code, {}), children.get(region.code, []))
        _store(region, year, seq, data, started)
        stored += 1
    return stored
