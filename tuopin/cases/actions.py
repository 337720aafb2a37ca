"""Every change to a case (design.md §4.2): open, appraise, review, verify, approve, object, complete.

Each function takes the acting user explicitly, checks the role and the jurisdiction, validates with
Chinese messages keyed by field, writes the timeline through ``events`` and exactly one audit row
in the same transaction. The final step calls the registry's own action (``create_household`` or
``change_status``), which appends its own audit row for the household: the registry's change is
then recorded where the household's history is read, and the case's where the case's is.

Notices (posting, the period rule) and the bulk operations are in ``cases.notices_actions`` and
``cases.bulk``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.assessment.explain import latest_determination
from tuopin.core import audit
from tuopin.core.crypto import decrypt, encrypt
from tuopin.core.idnumber import mask_id
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry import actions as registry
from tuopin.registry.models import Household, Member
from tuopin.registry.validation import check_causes, check_member_identity

from . import events
from .choices import (
    NOTICE_STATES,
    START_STATUSES,
    TARGET_STATUS,
    TRANSITIONS,
    CaseKind,
    CaseState,
    Decision,
    MonitorCategory,
    Source,
    StepKind,
)
from .models import Case, Step
from .rules import business_date, fmt, later_than, require, standard
from .uploads import CheckedFile, attach, check_upload

__all__ = [
    "apply_identification",
    "propose_exit",
    "report_risk",
    "appraise",
    "review",
    "verify",
    "approve",
    "object_to_notice",
    "complete",
    "withdraw",
    "check_files",
    "exit_eligibility_error",
    "next_state",
]


# ---------------------------------------------------------------- shared checks


def next_state(case: Case, step: str) -> str:
    """The state ``step`` leads to from the case's state, or a Chinese refusal naming where it stands."""
    target = TRANSITIONS[case.kind].get(case.state, {}).get(step)
    if target is None:
        raise ValidationError(
            {
                "state": _("案件当前为“%(s)s”，不能进行“%(k)s”。")
                % {"s": CaseState(case.state).label, "k": StepKind(step).label}
            },
            code="bad_step",
        )
    return target


def _lock(case: Case, actor: Any) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("notice", "household").get(pk=case.pk)
    check_in_jurisdiction(actor, locked.village_id)
    return locked


def _notice_closed(case: Case, date: dt.date) -> None:
    """A step after a 公示 may be taken only after the notice period ends; say from when."""
    if case.state in NOTICE_STATES and case.notice is not None and date <= case.notice.end_date:
        opens = case.notice.end_date + dt.timedelta(days=1)
        raise ValidationError(
            {
                "date": _("公示期至%(end)s结束，%(open)s（%(iso)s）起方可办理此环节。")
                % {"end": fmt(case.notice.end_date), "open": fmt(opens), "iso": opens.isoformat()}
            },
            code="too_early",
        )


def _save(case: Case, to_state: str, date: dt.date, **extra: Any) -> None:
    case.state = to_state
    case.last_step_on = date
    fields = ["state", "last_step_on", "version", "updated_at", *extra]
    for k, v in extra.items():
        setattr(case, k, v)
    if to_state in (CaseState.DONE, CaseState.REJECTED, CaseState.WITHDRAWN):
        case.closed_on = date
        fields.append("closed_on")
    case.version = F("version") + 1
    case.save(update_fields=fields)
    case.refresh_from_db(fields=["version"])


def _audit(actor: Any, verb: str, case: Case, summary: str, **changes: Any) -> None:
    audit.record(actor, f"case.{verb}", obj=case, summary=summary[:500], changes=changes)


def check_files(files: list[Any] | None, region_code: str, year: int) -> list[CheckedFile]:
    """Check every upload before anything is written (size limit from the ``upload_max_mb`` standard)."""
    if not files:
        return []
    max_bytes = int(standard("upload_max_mb", region_code, year)) * 2**20
    return [check_upload(f, max_bytes=max_bytes) for f in files]


def _decision(value: Any) -> str:
    if value in (Decision.APPROVE, Decision.REJECT):
        return value
    if value is True or value in ("1", "true", "yes"):
        return Decision.APPROVE
    if value is False or value in ("0", "false", "no"):
        return Decision.REJECT
    raise ValidationError({"decision": _("请选择审核意见（同意或不同意）。")})


def _village(value: Any) -> Region:
    code = value.code if isinstance(value, Region) else str(value or "")
    region = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if region is None:
        raise ValidationError({"village": _("请选择行政村。")})
    return region


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("请填写年度，如 2019。")}) from None
    if not 2013 <= year <= 2100:
        raise ValidationError({"year": _("年度超出范围。")})
    return year


def _create(case: Case) -> Case:
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            {"household": _("该户已有一件办理中的“%(k)s”程序，不能重复发起。") % {"k": CaseKind(case.kind).label}},
            code="duplicate_case",
        ) from None
    return case


# ---------------------------------------------------------------- opening a case


@transaction.atomic
def apply_identification(
    *,
    actor: Any,
    village: Region | str,
    year: int,
    applicant: dict[str, Any],
    date: Any = None,
    note: str = "",
    files: list[Any] | None = None,
) -> Case:
    """农户申请: open an identification case carrying the applicant household's data.

    ``applicant`` is what ``registry.actions.create_household`` takes (main_cause, other_causes,
    members with name/id_number/relation…, group, address). It is validated now with the registry's
    validation and stored encrypted until registration, with a masked summary for pages and notices.
    """
    require(actor, Capability.HANDLE_CASE)
    region = _village(village)
    check_in_jurisdiction(actor, region.code)
    year, date = _year(year), business_date(date)
    members = applicant.get("members") or []
    if not members:
        raise ValidationError({"members": _("请至少登记一名家庭成员（户主）。")})
    heads = [m for m in members if str(m.get("relation")) == "01"]
    if len(heads) != 1:
        raise ValidationError({"members": _("每户必须有且只有一名户主。")})
    check_causes(applicant.get("main_cause"), applicant.get("other_causes") or [])
    hashes = []
    for i, m in enumerate(members):
        _parsed, digest = check_member_identity(m, field_prefix=f"members[{i}].")
        hashes.append(digest)
    if len(set(hashes)) != len(hashes):
        raise ValidationError({"members": _("同一人在申请中重复登记。")})
    if Member.objects.filter(id_hash__in=hashes, is_current=True).exists():
        # Do not name the other household: it may be outside the clerk's jurisdiction.
        raise ValidationError(
            {"members": _("申请人家庭中有成员已是建档立卡户成员，不能重复识别。")}, code="already_registered"
        )
    checked = check_files(files, region.code, year)
    head = heads[0]
    summary = {
        "head_name": str(head["name"]).strip(),
        "head_id_mask": mask_id(str(head["id_number"]).strip().upper()),
        "size": len(members),
        "main_cause": str(applicant.get("main_cause")),
        "group": str(applicant.get("group") or "")[:32],
    }
    case = Case(
        kind=CaseKind.IDENTIFICATION,
        state=CaseState.APPLIED,
        year=year,
        village=region,
        applicant_enc=encrypt(json.dumps(applicant, ensure_ascii=False, default=str)),
        applicant_summary=summary,
        applicant_hash=hashes[members.index(head)],
        reason=note[:300],
        opened_on=date,
        last_step_on=date,
        created_by=actor,
    )
    try:
        _create(case)
    except ValidationError:
        raise ValidationError({"members": _("该户主已有一件办理中的识别申请。")}, code="duplicate_case") from None
    step = events.case_opened(case, actor=actor, date=date, kind=StepKind.APPLY, note=note, data={"size": len(members)})
    attach(step, checked)
    _audit(actor, "apply", case, f"受理贫困户识别申请（{region.name}，{len(members)}人）", year=year)
    return case


def exit_eligibility_error(household: Household, year: int) -> str | None:
    """Why ``household`` may not be proposed for exit in ``year`` (None when it may)."""
    det = latest_determination(household, year)
    if det is None:
        return _("%(y)d年度尚无已完成的评估，不能提出退出。") % {"y": year}
    if not det.exit_eligible:
        return _("该户在%(y)d年度最近一次评估（第%(run)d次）中未达到退出标准，不能提出退出。") % {
            "y": year,
            "run": det.run_id,
        }
    return None


@transaction.atomic
def propose_exit(household: Household, *, actor: Any, year: int, date: Any = None, note: str = "") -> Case:
    """村两委提出退出: only a household exit-eligible in the latest done assessment run for the year."""
    require(actor, Capability.HANDLE_CASE)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    year, date = _year(year), business_date(date)
    if household.status not in START_STATUSES[CaseKind.EXIT]:
        raise ValidationError(
            {"household": _("该户当前状态为“%(s)s”，不能提出退出。") % {"s": household.get_status_display()}}
        )
    error = exit_eligibility_error(household, year)
    if error:
        raise ValidationError({"household": error}, code="not_eligible")
    case = _create(
        Case(
            kind=CaseKind.EXIT,
            state=CaseState.PROPOSED,
            year=year,
            village_id=household.village_id,
            household=household,
            reason=note[:300],
            opened_on=date,
            last_step_on=date,
            created_by=actor,
        )
    )
    events.case_opened(case, actor=actor, date=date, kind=StepKind.PROPOSE, note=note)
    _audit(actor, "propose", case, f"提出贫困户退出：户 {household.number}", year=year)
    return case


@transaction.atomic
def report_risk(
    household: Household,
    *,
    actor: Any,
    kind: str,
    year: int,
    source: str,
    reason: str,
    category: str = "",
    date: Any = None,
) -> Case:
    """发现登记 of a monitoring entry, a risk cleared, or a relapse (declaration, screening or alert)."""
    require(actor, Capability.HANDLE_CASE)
    if kind not in (CaseKind.MONITORING_ENTRY, CaseKind.MONITORING_EXIT, CaseKind.RELAPSE):
        raise ValidationError({"kind": _("程序类型不对。")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_in_jurisdiction(actor, household.village_id)
    year, date = _year(year), business_date(date)
    if source not in Source.values:
        raise ValidationError({"source": _("请选择发现途径（农户自主申报、基层干部排查或部门筛查预警）。")})
    if kind == CaseKind.MONITORING_ENTRY and category not in MonitorCategory.values:
        raise ValidationError({"category": _("请选择监测对象类型。")})
    if not str(reason).strip():
        raise ValidationError({"reason": _("请填写事由。")})
    if household.status not in START_STATUSES[kind]:
        raise ValidationError(
            {
                "household": _("该户当前状态为“%(s)s”，不能发起“%(k)s”。")
                % {"s": household.get_status_display(), "k": CaseKind(kind).label}
            }
        )
    case = _create(
        Case(
            kind=kind,
            state=CaseState.PROPOSED,
            year=year,
            village_id=household.village_id,
            household=household,
            source=source,
            monitor_category=category if kind == CaseKind.MONITORING_ENTRY else "",
            reason=str(reason).strip()[:300],
            opened_on=date,
            last_step_on=date,
            created_by=actor,
        )
    )
    events.case_opened(
        case,
        actor=actor,
        date=date,
        kind=StepKind.REPORT,
        note=case.reason,
        data={"source": source, "category": case.monitor_category},
    )
    _audit(actor, "report", case, f"{CaseKind(kind).label}：户 {household.number}（{Source(source).label}）", year=year)
    return case


# ---------------------------------------------------------------- steps


@transaction.atomic
def appraise(
    case: Case,
    *,
    actor: Any,
    attendees: Any,
    votes_for: Any,
    votes_against: Any,
    abstain: Any,
    date: Any = None,
    note: str = "",
    files: list[Any] | None = None,
) -> Case:
    """民主评议 with its vote record; passes with more than half of the attendees in favour."""
    require(actor, Capability.HANDLE_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    target = next_state(case, StepKind.APPRAISE)
    later_than(date, case.last_step_on)
    counts: dict[str, int] = {}
    errors: dict[str, str] = {}
    for field, value in (
        ("attendees", attendees),
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("abstain", abstain),
    ):
        try:
            counts[field] = int(value)
            if counts[field] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[field] = _("请填写评议表决人数（非负整数）。")
    if errors:
        raise ValidationError(errors, code="vote_required")
    if counts["attendees"] == 0:
        raise ValidationError({"attendees": _("请填写参会人数。")}, code="vote_required")
    if counts["votes_for"] + counts["votes_against"] + counts["abstain"] != counts["attendees"]:
        raise ValidationError({"attendees": _("赞成、反对、弃权人数之和应等于参会人数。")})
    checked = check_files(files, case.village_id, case.year)
    passed = counts["votes_for"] * 2 > counts["attendees"]
    from_state = case.state
    _save(case, target if passed else CaseState.REJECTED, date)
    step = events.appraisal_held(
        case,
        actor=actor,
        date=date,
        from_state=from_state,
        attendees=counts["attendees"],
        votes_for=counts["votes_for"],
        votes_against=counts["votes_against"],
        abstain=counts["abstain"],
        passed=passed,
        note=note,
    )
    attach(step, checked)
    _audit(actor, "appraise", case, f"民主评议：参会{counts['attendees']}人，赞成{counts['votes_for']}人", **counts)
    return case


@transaction.atomic
def review(
    case: Case, *, actor: Any, decision: Any, date: Any = None, note: str = "", files: list[Any] | None = None
) -> Case:
    """乡镇审核 after the first notice closed, or after an objection sent the case back."""
    require(actor, Capability.REVIEW_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    target = next_state(case, StepKind.REVIEW)
    _notice_closed(case, date)
    later_than(date, case.last_step_on)
    decision = _decision(decision)
    if decision == Decision.REJECT and not note.strip():
        raise ValidationError({"note": _("不同意时请说明理由。")})
    checked = check_files(files, case.village_id, case.year)
    from_state = case.state
    _save(case, target if decision == Decision.APPROVE else CaseState.REJECTED, date, notice=None)
    step = events.case_reviewed(case, actor=actor, date=date, from_state=from_state, decision=decision, note=note)
    attach(step, checked)
    _audit(actor, "review", case, f"乡镇审核：{Decision(decision).label}", decision=decision)
    return case


@transaction.atomic
def verify(
    case: Case,
    *,
    actor: Any,
    verifiers: list[str],
    decision: Any,
    household_agrees: bool | None = None,
    date: Any = None,
    note: str = "",
    files: list[Any] | None = None,
) -> Case:
    """入户核实. For an exit: at least ``township_verifiers_min`` people and the household's agreement."""
    require(actor, Capability.REVIEW_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    target = next_state(case, StepKind.VERIFY)
    later_than(date, case.last_step_on)
    decision = _decision(decision)
    names = sorted({str(v).strip() for v in verifiers or [] if str(v).strip()})
    minimum = int(standard("township_verifiers_min", case.village_id, case.year)) if case.kind == CaseKind.EXIT else 1
    if len(names) < minimum:
        raise ValidationError(
            {"verifiers": _("入户核实须由不少于%(n)d人进行（已填%(k)d人）。") % {"n": minimum, "k": len(names)}},
            code="too_few_verifiers",
        )
    agrees: bool | None = None
    if case.kind == CaseKind.EXIT:
        if household_agrees is None:
            raise ValidationError({"household_agrees": _("请记录拟退出户是否认可。")})
        agrees = bool(household_agrees)
        if decision == Decision.APPROVE and not agrees:
            raise ValidationError({"household_agrees": _("拟退出户不认可退出，核实不能通过。")}, code="no_agreement")
    if decision == Decision.REJECT and not note.strip():
        raise ValidationError({"note": _("不同意时请说明理由。")})
    checked = check_files(files, case.village_id, case.year)
    from_state = case.state
    _save(case, target if decision == Decision.APPROVE else CaseState.REJECTED, date)
    step = events.household_verified(
        case,
        actor=actor,
        date=date,
        from_state=from_state,
        decision=decision,
        verifiers=names,
        household_agrees=agrees,
        note=note,
    )
    attach(step, checked)
    _audit(actor, "verify", case, f"入户核实（{len(names)}人）：{Decision(decision).label}", verifiers=len(names))
    return case


def _finish(case: Case, *, actor: Any, date: dt.date) -> Household:
    """The registry change that ends a procedure (the registry's action writes its own audit row)."""
    if case.kind == CaseKind.IDENTIFICATION:
        data = json.loads(decrypt(case.applicant_enc))
        household = registry.create_household(
            actor=actor,
            village=case.village_id,
            identification_year=case.year,
            year=case.year,
            main_cause=data.get("main_cause"),
            members=data.get("members") or [],
            other_causes=data.get("other_causes") or [],
            **{k: data[k] for k in ("group", "address", "category", "identification_standard", "phone") if k in data},
        )
        return household
    label = {
        CaseKind.EXIT: _("经两公示一公告退出"),
        CaseKind.MONITORING_ENTRY: _("县级确认纳入监测"),
        CaseKind.MONITORING_EXIT: _("县级确认风险消除"),
        CaseKind.RELAPSE: _("县级确认返贫"),
    }[case.kind]
    return registry.change_status(
        case.household,
        actor=actor,
        to_status=TARGET_STATUS[case.kind],
        year=case.year,
        reason=f"{label}（案件{case.pk}）",
        date=date,
    )


@transaction.atomic
def approve(
    case: Case, *, actor: Any, decision: Any, date: Any = None, note: str = "", files: list[Any] | None = None
) -> Case:
    """县级审批/确认, by someone other than the proposer, after the notice period (if any) closed.

    Monitoring and relapse cases end here: the household's status changes on approval.
    """
    require(actor, Capability.APPROVE_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    target = next_state(case, StepKind.APPROVE)
    if case.created_by_id == actor.pk:
        raise ValidationError({"actor": _("审批人不能是本案发起人，请由其他人员审批。")}, code="same_person")
    _notice_closed(case, date)
    later_than(date, case.last_step_on)
    decision = _decision(decision)
    if decision == Decision.REJECT and not note.strip():
        raise ValidationError({"note": _("不同意时请说明理由。")})
    checked = check_files(files, case.village_id, case.year)
    from_state = case.state
    if decision == Decision.APPROVE and target == CaseState.DONE:
        _finish(case, actor=actor, date=date)
    _save(case, target if decision == Decision.APPROVE else CaseState.REJECTED, date, notice=None)
    step = events.case_approved(case, actor=actor, date=date, from_state=from_state, decision=decision, note=note)
    attach(step, checked)
    _audit(actor, "approve", case, f"县级审批：{Decision(decision).label}", decision=decision)
    return case


@transaction.atomic
def object_to_notice(case: Case, *, actor: Any, note: str, date: Any = None, files: list[Any] | None = None) -> Case:
    """Record an objection received during a notice: the case goes back to review (or re-verification).

    Refused once the notice period is over, or before it starts.
    """
    require(actor, Capability.HANDLE_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    if case.state not in NOTICE_STATES or case.notice is None:
        raise ValidationError({"state": _("案件不在公示期内，不能登记异议。")}, code="not_in_notice")
    notice = case.notice
    if date > notice.end_date:
        raise ValidationError(
            {"date": _("公示期已于%(end)s结束，不再受理异议。") % {"end": fmt(notice.end_date)}}, code="notice_closed"
        )
    if date < notice.start_date:
        raise ValidationError({"date": _("公示期自%(s)s开始，此前不能登记异议。") % {"s": fmt(notice.start_date)}})
    if not str(note).strip():
        raise ValidationError({"note": _("请填写异议内容。")})
    target = next_state(case, StepKind.OBJECTION)
    checked = check_files(files, case.village_id, case.year)
    from_state = case.state
    _save(case, target, date, notice=None)
    step = events.objection_raised(case, actor=actor, date=date, from_state=from_state, note=note, notice=notice)
    attach(step, checked)
    _audit(actor, "object", case, f"公示异议：{str(note)[:60]}", notice=notice.pk)
    return case


@transaction.atomic
def complete(case: Case, *, actor: Any, date: Any = None) -> Case:
    """办结 after the 公告: register the identified household, or mark the household exited."""
    require(actor, Capability.HANDLE_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    target = next_state(case, StepKind.COMPLETE)
    later_than(date, case.last_step_on)
    from_state = case.state
    household = _finish(case, actor=actor, date=date)
    extra: dict[str, Any] = {"household": household}
    if case.kind == CaseKind.IDENTIFICATION:
        extra["applicant_enc"] = ""  # the registry now holds the data, protected its own way
    _save(case, target, date, **extra)
    events.case_completed(case, actor=actor, date=date, from_state=from_state, household_id=household.pk)
    _audit(actor, "complete", case, f"办结：户 {household.number}", household=household.pk)
    return case


@transaction.atomic
def withdraw(case: Case, *, actor: Any, note: str, date: Any = None) -> Case:
    """撤回 an open case (e.g. the household withdraws its application)."""
    require(actor, Capability.HANDLE_CASE)
    case = _lock(case, actor)
    date = business_date(date)
    if not case.is_open:
        raise ValidationError({"state": _("案件已办结，不能撤回。")})
    if not str(note).strip():
        raise ValidationError({"note": _("请填写撤回原因。")})
    later_than(date, case.last_step_on)
    from_state = case.state
    _save(case, CaseState.WITHDRAWN, date, notice=None, applicant_enc="")
    events.case_withdrawn(case, actor=actor, date=date, from_state=from_state, note=note)
    _audit(actor, "withdraw", case, f"撤回：{str(note)[:60]}")
    return case


def timeline(case: Case) -> list[Step]:
    """The case's steps in order, with their documents (for pages and the API)."""
    return list(case.steps.select_related("notice").prefetch_related("attachments").order_by("date", "id"))
