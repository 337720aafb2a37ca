"""The only writers of a case's timeline: one typed constructor per kind of step (Saleor-style).

Each constructor records who acted, the business date, the clock time, the decision, the note and
the structured record of that kind of step (the vote of a democratic appraisal, the verifiers and
the household's agreement, the notice). ``actions`` decides *whether* a step may happen; these only
write it, so the timeline has one shape however the step was taken (page, API, bulk, scenario).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from .choices import Decision, StepKind
from .models import Case, Notice, Step

__all__ = [
    "case_opened",
    "appraisal_held",
    "notice_posted",
    "objection_raised",
    "case_reviewed",
    "household_verified",
    "case_approved",
    "case_completed",
    "case_withdrawn",
    "bulk_steps",
]


def _step(
    case: Case,
    kind: str,
    to_state: str,
    *,
    actor: Any,
    date: dt.date,
    from_state: str = "",
    decision: str = Decision.NONE,
    note: str = "",
    data: dict[str, Any] | None = None,
    notice: Notice | None = None,
) -> Step:
    return Step.objects.create(
        case=case,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        date=date,
        at=timezone.now(),
        actor=actor,
        actor_name=getattr(actor, "full_name", "") or actor.username,
        decision=decision,
        note=note,
        data=data or {},
        notice=notice,
    )


def case_opened(case: Case, *, actor: Any, date: dt.date, kind: str, note: str = "", data: dict | None = None) -> Step:
    """The first step: an application (申请), an exit proposal (提出) or a risk report (发现登记)."""
    return _step(case, kind, case.state, actor=actor, date=date, note=note, data=data)


def appraisal_held(
    case: Case,
    *,
    actor: Any,
    date: dt.date,
    from_state: str,
    attendees: int,
    votes_for: int,
    votes_against: int,
    abstain: int,
    passed: bool,
    note: str = "",
) -> Step:
    """民主评议 with its vote record (村民代表大会: attendees, for, against, abstain)."""
    return _step(
        case,
        StepKind.APPRAISE,
        case.state,
        actor=actor,
        date=date,
        from_state=from_state,
        decision=Decision.APPROVE if passed else Decision.REJECT,
        note=note,
        data={"attendees": attendees, "for": votes_for, "against": votes_against, "abstain": abstain},
    )


def notice_posted(cases: Sequence[Case], notice: Notice, *, actor: Any, from_state: str, to_state: str) -> list[Step]:
    """One 张贴公示/公告 step on every case listed on ``notice`` (one INSERT)."""
    return bulk_steps(
        cases,
        StepKind.POST_NOTICE,
        actor=actor,
        date=notice.start_date,
        from_state=from_state,
        to_state=to_state,
        data={"notice": notice.pk, "start": notice.start_date.isoformat(), "end": notice.end_date.isoformat()},
        notice=notice,
    )


def objection_raised(case: Case, *, actor: Any, date: dt.date, from_state: str, note: str, notice: Notice) -> Step:
    """An objection received during a notice period; the case goes back to review."""
    return _step(
        case, StepKind.OBJECTION, case.state, actor=actor, date=date, from_state=from_state, note=note, notice=notice
    )


def case_reviewed(case: Case, *, actor: Any, date: dt.date, from_state: str, decision: str, note: str = "") -> Step:
    """乡镇审核."""
    return _step(
        case, StepKind.REVIEW, case.state, actor=actor, date=date, from_state=from_state, decision=decision, note=note
    )


def household_verified(
    case: Case,
    *,
    actor: Any,
    date: dt.date,
    from_state: str,
    decision: str,
    verifiers: list[str],
    household_agrees: bool | None,
    note: str = "",
) -> Step:
    """入户核实 by named verifiers, with the household's agreement (拟退出户认可) where the procedure needs it."""
    data: dict[str, Any] = {"verifiers": verifiers}
    if household_agrees is not None:
        data["household_agrees"] = household_agrees
    return _step(
        case,
        StepKind.VERIFY,
        case.state,
        actor=actor,
        date=date,
        from_state=from_state,
        decision=decision,
        note=note,
        data=data,
    )


def case_approved(case: Case, *, actor: Any, date: dt.date, from_state: str, decision: str, note: str = "") -> Step:
    """县级审批 / 确认."""
    return _step(
        case, StepKind.APPROVE, case.state, actor=actor, date=date, from_state=from_state, decision=decision, note=note
    )


def case_completed(case: Case, *, actor: Any, date: dt.date, from_state: str, household_id: int) -> Step:
    """办结: the household registered (识别) or its status changed (退出)."""
    return _step(
        case,
        StepKind.COMPLETE,
        case.state,
        actor=actor,
        date=date,
        from_state=from_state,
        data={"household": household_id},
    )


def case_withdrawn(case: Case, *, actor: Any, date: dt.date, from_state: str, note: str) -> Step:
    """撤回 by the proposing side."""
    return _step(case, StepKind.WITHDRAW, case.state, actor=actor, date=date, from_state=from_state, note=note)


def bulk_steps(
    cases: Sequence[Case],
    kind: str,
    *,
    actor: Any,
    date: dt.date,
    from_state: str,
    to_state: str,
    decision: str = Decision.NONE,
    note: str = "",
    data: dict[str, Any] | None = None,
    notice: Notice | None = None,
) -> list[Step]:
    """The same step on many cases in one INSERT (bulk exit, notices)."""
    now = timezone.now()
    name = getattr(actor, "full_name", "") or actor.username
    return Step.objects.bulk_create(
        [
            Step(
                case=case,
                kind=kind,
                from_state=from_state,
                to_state=to_state,
                date=date,
                at=now,
                actor=actor,
                actor_name=name,
                decision=decision,
                note=note,
                data=data or {},
                notice=notice,
            )
            for case in cases
        ],
        batch_size=1000,
    )
