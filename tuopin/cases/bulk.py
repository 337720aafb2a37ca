"""Actions over many cases at once: posting a notice, and the bulk exit of a region's eligible households.

Each is one action (one transaction, one audit row) over a selection. They are idempotent: a case
already past the step is skipped, so running the same bulk action twice changes nothing the second
time. Case rows, steps and notice lines are written set-based (one UPDATE, one INSERT each); only
the final status change goes household by household, through the registry's own action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.assessment.models import Determination
from tuopin.core import audit
from tuopin.core.idnumber import mask_id_public
from tuopin.core.masking import mask_name
from tuopin.core.scoping import check_in_jurisdiction, prefix_range_q
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry.choices import PovertyCause
from tuopin.registry.models import Household, Member

from . import events
from .actions import _finish, next_state
from .choices import (
    FINAL_STATES,
    NOTICE_FOR_STATE,
    NOTICE_STATES,
    START_STATUSES,
    TRANSITIONS,
    CaseKind,
    CaseState,
    Decision,
    NoticeKind,
    StepKind,
)
from .models import Case, Notice, NoticeEntry
from .rules import business_date, fmt, require, standard

__all__ = [
    "BulkResult",
    "post_notice",
    "bulk_propose_exit",
    "bulk_verify",
    "bulk_approve",
    "bulk_complete",
    "eligible_for_exit",
]

NOTICE_CAPABILITY = {
    NoticeKind.FIRST: Capability.HANDLE_CASE,
    NoticeKind.SECOND: Capability.REVIEW_CASE,
    NoticeKind.EXIT: Capability.HANDLE_CASE,
    NoticeKind.ANNOUNCEMENT: Capability.HANDLE_CASE,
}
# The titles of the official notices posted in the village: Chinese whatever the interface language.
NOTICE_TITLES = {
    (CaseKind.IDENTIFICATION, NoticeKind.FIRST): "%(y)d年度贫困户识别第一次公示",
    (CaseKind.IDENTIFICATION, NoticeKind.SECOND): "%(y)d年度贫困户识别第二次公示",
    (CaseKind.IDENTIFICATION, NoticeKind.ANNOUNCEMENT): "%(y)d年度新识别贫困户公告",
    (CaseKind.EXIT, NoticeKind.EXIT): "%(y)d年度贫困户拟退出公示",
    (CaseKind.EXIT, NoticeKind.ANNOUNCEMENT): "%(y)d年度贫困户退出公告",
}


@dataclass
class BulkResult:
    """What a bulk action did: the cases advanced, and the ones skipped with why."""

    done: list[int] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    notice: Notice | None = None

    @property
    def count(self) -> int:
        return len(self.done)


def _region(value: Any) -> Region:
    code = value.code if isinstance(value, Region) else str(value or "").ljust(12, "0")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("地区代码不存在。")})
    return region


def _lock_cases(cases: Iterable[Case] | Any, actor: Any) -> list[Case]:
    ids = [c.pk for c in cases] if not hasattr(cases, "values_list") else list(cases.values_list("pk", flat=True))
    rows = list(
        Case.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("notice")
        .order_by("pk")
    )
    if len(rows) != len(set(ids)):
        raise ValidationError({"cases": _("所选案件中有不存在或不在您管辖范围内的案件。")})
    return rows


def _advance(rows: list[Case], to_state: str, date: dt.date, **extra: Any) -> None:
    """One UPDATE moving every case in ``rows`` to ``to_state``."""
    values: dict[str, Any] = {"state": to_state, "last_step_on": date, "version": F("version") + 1, **extra}
    if to_state in FINAL_STATES:
        values["closed_on"] = date
    Case.objects.filter(pk__in=[c.pk for c in rows]).update(**values)


@transaction.atomic
def post_notice(
    cases: Iterable[Case],
    *,
    actor: Any,
    region: Region | str,
    start_date: Any,
    end_date: Any,
    contact: str,
    address: str,
    title: str = "",
    issuer: str = "",
) -> Notice:
    """Post a 公示 or 公告 in a village or town listing ``cases`` (all of one procedure and state).

    A 公示 must last at least the ``notice_days_min`` standard (start and end days included).
    """
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    if region.level not in (Level.VILLAGE, Level.TOWNSHIP):
        raise ValidationError({"region": _("公示须在村或乡镇张贴。")})
    rows = _lock_cases(cases, actor)
    if not rows:
        raise ValidationError({"cases": _("请选择要公示的案件。")})
    keys = {(c.kind, c.state) for c in rows}
    if len(keys) != 1 or next(iter(keys)) not in NOTICE_FOR_STATE:
        raise ValidationError({"cases": _("所选案件须为同一程序、同一进度，且处于可公示的环节。")}, code="bad_step")
    kind, state = next(iter(keys))
    notice_kind = NOTICE_FOR_STATE[(kind, state)]
    require(actor, NOTICE_CAPABILITY[notice_kind])
    outside = [c.pk for c in rows if not c.village_id.startswith(region.prefix)]
    if outside:
        raise ValidationError({"cases": _("有%(n)d件案件不在“%(r)s”范围内。") % {"n": len(outside), "r": region.name}})
    start = business_date(start_date, field="start_date")
    if end_date in (None, ""):
        raise ValidationError({"end_date": _("请填写公示结束日期。")})
    end = dt.date.fromisoformat(end_date) if isinstance(end_date, str) else end_date
    if end < start:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    year = rows[0].year
    if notice_kind != NoticeKind.ANNOUNCEMENT:
        minimum = int(standard("notice_days_min", region.code, year))
        days = (end - start).days + 1
        if days < minimum:
            raise ValidationError(
                {
                    "end_date": _("公示期不得少于%(n)d天（现为%(d)d天），结束日期最早为%(e)s。")
                    % {"n": minimum, "d": days, "e": fmt(start + dt.timedelta(days=minimum - 1))}
                },
                code="notice_too_short",
            )
    late = max(c.last_step_on for c in rows)
    if start < late:
        raise ValidationError({"start_date": _("公示开始日期不能早于上一环节（%(d)s）。") % {"d": fmt(late)}})
    if not str(contact).strip() or not str(address).strip():
        raise ValidationError({"contact": _("请填写异议受理联系人、电话和地点。")})
    to_state = next_state(rows[0], StepKind.POST_NOTICE)
    notice = Notice.objects.create(
        kind=notice_kind,
        procedure=kind,
        region=region,
        year=year,
        title=(title or NOTICE_TITLES[(kind, notice_kind)] % {"y": year})[:120],
        issuer=(issuer or region.name)[:120],
        start_date=start,
        end_date=end,
        contact=str(contact).strip()[:120],
        address=str(address).strip()[:200],
        created_by=actor,
    )
    NoticeEntry.objects.bulk_create(_entries(notice, rows))
    events.notice_posted(rows, notice, actor=actor, from_state=state, to_state=to_state)
    _advance(rows, to_state, start, notice=notice)
    audit.record(
        actor,
        "notice.post",
        obj=notice,
        summary=f"{notice.title}：{len(rows)}户，{start}至{end}",
        changes={"cases": [c.pk for c in rows], "start": start, "end": end},
    )
    return notice


def _entries(notice: Notice, rows: list[Case]) -> list[NoticeEntry]:
    """Notice lines with the public masks (张*, 2****************4), computed once and kept as posted."""
    hh_ids = [c.household_id for c in rows if c.household_id]
    heads = dict(
        Member.objects.filter(household_id__in=hh_ids, relation="01", is_current=True).values_list(
            "household_id", "id_mask"
        )
    )
    households = {h.pk: h for h in Household.objects.filter(pk__in=hh_ids).select_related("village")}
    villages = dict(Region.objects.filter(code__in={c.village_id for c in rows}).values_list("code", "name"))
    out = []
    for c in rows:
        if c.household_id:
            h = households[c.household_id]
            name, id_mask, size, group, cause = h.head_name, heads.get(h.pk, ""), h.member_count, h.group, h.main_cause
        else:
            s = c.applicant_summary
            name, id_mask, size, group, cause = (
                s.get("head_name", ""),
                s.get("head_id_mask", ""),
                s.get("size", 0),
                s.get("group", ""),
                s.get("main_cause", ""),
            )
        label = PovertyCause(cause).label if cause in PovertyCause.values else ""
        out.append(
            NoticeEntry(
                notice=notice,
                case=c,
                village_name=villages.get(c.village_id, ""),
                group=group,
                name_public=mask_name(name),
                id_public=mask_id_public(id_mask) if id_mask else "",
                size=size,
                cause=str(label)[:32],
            )
        )
    return out


# ---------------------------------------------------------------- bulk exit


def eligible_for_exit(actor: Any, region: Region, year: int):
    """Households in ``region`` visible to ``actor``, poor or relapsed, exit-eligible in the latest done
    run for ``year``, and without an open exit case: the selection of the bulk proposal (one query)."""
    latest = Determination.objects.filter(household=OuterRef("pk"), year=year, run__status="done").order_by("-run_id")
    open_exit = Case.objects.filter(household=OuterRef("pk"), kind=CaseKind.EXIT).exclude(state__in=FINAL_STATES)
    return (
        Household.objects.visible_to(actor)
        .filter(prefix_range_q("village_id", region.prefix), status__in=START_STATUSES[CaseKind.EXIT])
        .annotate(eligible=Subquery(latest.values("exit_eligible")[:1]))
        .filter(eligible=True)
        .exclude(Exists(open_exit))
    )


@transaction.atomic
def bulk_propose_exit(region: Region | str, *, actor: Any, year: int, date: Any = None, note: str = "") -> BulkResult:
    """Propose the exit of every eligible household of a region (town or village) in one action.

    Idempotent: households that already have an open exit case are not selected, so a second run
    creates nothing.
    """
    require(actor, Capability.HANDLE_CASE)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    date = business_date(date)
    households = list(
        eligible_for_exit(actor, region, int(year)).select_for_update(of=("self",)).values_list("pk", "village_id")
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                kind=CaseKind.EXIT,
                state=CaseState.PROPOSED,
                year=int(year),
                village_id=v,
                household_id=pk,
                reason=note[:300],
                opened_on=date,
                last_step_on=date,
                created_by=actor,
            )
            for pk, v in households
        ],
        batch_size=1000,
    )
    if cases and cases[0].pk is None:  # backends that do not return keys from bulk_create
        cases = list(
            Case.objects.filter(
                household_id__in=[h[0] for h in households],
                kind=CaseKind.EXIT,
                state=CaseState.PROPOSED,
                created_by=actor,
                opened_on=date,
            )
        )
    events.bulk_steps(
        cases, StepKind.PROPOSE, actor=actor, date=date, from_state="", to_state=CaseState.PROPOSED, note=note
    )
    result = BulkResult(done=[c.pk for c in cases])
    audit.record(
        actor,
        "case.bulk_propose_exit",
        object_type="geo.region",
        object_id=region.code,
        region_code=region.code,
        summary=f"批量提出退出：{region.name} {year}年度 {len(cases)}户",
        changes={"year": int(year), "cases": result.done},
    )
    return result


def _bulk(rows: list[Case], step: str, *, skip_reasons: dict[str, Any]) -> tuple[list[Case], dict[str, int]]:
    """Split ``rows`` into those the step applies to and counted reasons for the others."""
    ok, skipped = [], {}
    for c in rows:
        reason = None
        if step not in TRANSITIONS[c.kind].get(c.state, {}):
            reason = _("进度不符（已办理或尚未到此环节）")
        else:
            for label, test in skip_reasons.items():
                if test(c):
                    reason = label
                    break
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
        else:
            ok.append(c)
    return ok, skipped


@transaction.atomic
def bulk_verify(
    cases: Iterable[Case], *, actor: Any, verifiers: list[str], household_agrees: bool, date: Any = None, note: str = ""
) -> BulkResult:
    """入户核实 of many proposed exits by one team, each household having agreed (recorded per case)."""
    require(actor, Capability.REVIEW_CASE)
    date = business_date(date)
    rows = _lock_cases(cases, actor)
    names = sorted({str(v).strip() for v in verifiers if str(v).strip()})
    if rows:
        minimum = int(standard("township_verifiers_min", rows[0].village_id, rows[0].year))
        if len(names) < minimum:
            raise ValidationError(
                {"verifiers": _("入户核实须由不少于%(n)d人进行（已填%(k)d人）。") % {"n": minimum, "k": len(names)}},
                code="too_few_verifiers",
            )
    if not household_agrees:
        raise ValidationError({"household_agrees": _("批量核实仅适用于拟退出户均已认可的情形。")})
    ok, skipped = _bulk(rows, StepKind.VERIFY, skip_reasons={_("日期早于上一环节"): lambda c: date < c.last_step_on})
    for state in {c.state for c in ok}:
        group = [c for c in ok if c.state == state]
        events.bulk_steps(
            group,
            StepKind.VERIFY,
            actor=actor,
            date=date,
            from_state=state,
            to_state=CaseState.VERIFIED,
            decision=Decision.APPROVE,
            note=note,
            data={"verifiers": names, "household_agrees": True},
        )
    _advance(ok, CaseState.VERIFIED, date)
    result = BulkResult(done=[c.pk for c in ok], skipped=skipped)
    _bulk_audit(actor, "bulk_verify", ok, result, f"批量入户核实（{len(names)}人）")
    return result


@transaction.atomic
def bulk_approve(cases: Iterable[Case], *, actor: Any, date: Any = None, note: str = "") -> BulkResult:
    """县级审批 of many cases whose notice period has closed; the approver's own proposals are skipped."""
    require(actor, Capability.APPROVE_CASE)
    date = business_date(date)
    rows = _lock_cases(cases, actor)
    ok, skipped = _bulk(
        rows,
        StepKind.APPROVE,
        skip_reasons={
            _("审批人不能是发起人"): lambda c: c.created_by_id == actor.pk,
            _("公示期未满"): lambda c: c.state in NOTICE_STATES and c.notice is not None and date <= c.notice.end_date,
            _("日期早于上一环节"): lambda c: date < c.last_step_on,
            _("需逐件确认（将变更户状态）"): lambda c: next_state(c, StepKind.APPROVE) == CaseState.DONE,
        },
    )
    for state in {c.state for c in ok}:
        group = [c for c in ok if c.state == state]
        events.bulk_steps(
            group,
            StepKind.APPROVE,
            actor=actor,
            date=date,
            from_state=state,
            to_state=CaseState.APPROVED,
            decision=Decision.APPROVE,
            note=note,
        )
    _advance(ok, CaseState.APPROVED, date, notice=None)
    result = BulkResult(done=[c.pk for c in ok], skipped=skipped)
    _bulk_audit(actor, "bulk_approve", ok, result, "批量县级审批")
    return result


@transaction.atomic
def bulk_complete(cases: Iterable[Case], *, actor: Any, date: Any = None) -> BulkResult:
    """办结 of many announced cases: the case rows set-based, each household through the registry."""
    require(actor, Capability.HANDLE_CASE)
    date = business_date(date)
    rows = _lock_cases(Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("household"), actor)
    ok, skipped = _bulk(rows, StepKind.COMPLETE, skip_reasons={_("日期早于上一环节"): lambda c: date < c.last_step_on})
    finished = {}
    for c in ok:
        finished[c.pk] = _finish(c, actor=actor, date=date).pk
    for state in {c.state for c in ok}:
        group = [c for c in ok if c.state == state]
        events.bulk_steps(group, StepKind.COMPLETE, actor=actor, date=date, from_state=state, to_state=CaseState.DONE)
    _advance(ok, CaseState.DONE, date)
    for c in ok:
        if c.household_id is None:
            Case.objects.filter(pk=c.pk).update(household_id=finished[c.pk], applicant_enc="")
    result = BulkResult(done=[c.pk for c in ok], skipped=skipped)
    _bulk_audit(actor, "bulk_complete", ok, result, "批量办结")
    return result


def _bulk_audit(actor: Any, verb: str, rows: list[Case], result: BulkResult, label: str) -> None:
    region = _common_prefix([c.village_id for c in rows]) if rows else ""
    audit.record(
        actor,
        f"case.{verb}",
        object_type="cases.case",
        object_id=",".join(map(str, result.done[:20])),
        region_code=region,
        summary=f"{label}：{result.count}件，跳过{sum(result.skipped.values())}件",
        changes={"cases": result.done, "skipped": result.skipped},
    )


def _common_prefix(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    i = 0
    while i < len(first) and first[i] == last[i]:
        i += 1
    return first[:i].ljust(12, "0") if i < 12 else first
