"""The home page of each role (我的工作): the work waiting for this person, each item linking to where
it is done, and nothing outside their jurisdiction.

Each role's page is a list of sections; a section is a count and the first few items of one
queryset read through ``visible_to(user)`` (or the apps' own "my work" queries, which are), so a page
costs two queries per section whatever the jurisdiction's size. The three administrators (三员) see
their administration work — accounts, security events, the audit chain — and no business data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tuopin.accounts.models import User
from tuopin.accounts.roles import ADMIN_ROLES, Capability, Role
from tuopin.assessment.choices import RunStatus
from tuopin.assistance.models import Pairing, Visit
from tuopin.assistance.queries import households_to_visit
from tuopin.cases.choices import NOTICE_STATES
from tuopin.cases.queries import visible_cases, waiting_for
from tuopin.core import audit
from tuopin.core.models import AuditEvent, AuditHead
from tuopin.core.scoping import prefix_range_q, user_prefix
from tuopin.payments.choices import BatchStatus
from tuopin.payments.models import Batch
from tuopin.registry.choices import HouseholdStatus
from tuopin.registry.models import Household, HouseholdYear
from tuopin.supervision.choices import FindingStatus
from tuopin.supervision.models import Finding
from tuopin.supervision.queries import overdue_findings
from tuopin.web.views.assessment import latest_data_year, visible_runs
from tuopin.web.views.households import ACTION_LABELS

from .dashboard import yearly_rollups
from .dashboard_figures import NOT_DATA

SHOWN = 8  # items listed per section; the count says how many there are in all
SOON = 7  # days: a notice period or a deadline ending within this is flagged
WEEK = dt.timedelta(days=7)
SECURITY_ACTIONS = ("auth.login_failed", "auth.locked_out")
ACCOUNT_LABELS = {
    "account.create_demo": gettext_lazy("创建演示账户"),
    "account.disable_dormant": gettext_lazy("停用长期未登录账户"),
    "admin.add": pgettext_lazy("审计动作", "新增"),
    "admin.change": gettext_lazy("修改"),
    "admin.delete": gettext_lazy("删除"),
    "auth.login_failed": gettext_lazy("登录失败"),
    "auth.locked_out": gettext_lazy("连续失败被锁定"),
}


@dataclass
class Item:
    """One line of work: what, where to do it, and when (a date or a deadline)."""

    text: str
    url: str = ""
    when: Any = None
    note: str = ""
    css: str = ""


@dataclass
class Section:
    """A count of work of one kind with its first items and the page listing them all."""

    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""
    empty: str = ""


def _section(title: str, qs: QuerySet, item, *, more_url: str = "", empty: str = "") -> Section:
    """Count the queryset and render its first items (two queries)."""
    rows = list(qs[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else qs.count()
    return Section(title, count, [item(row) for row in rows], more_url, empty)


def _deadline(end: dt.date | None, today: dt.date) -> tuple[str, str]:
    if end is None:
        return "", ""
    if end < today:
        return _("公示期已于%(d)s结束") % {"d": end.isoformat()}, "due-over"
    if (end - today).days <= SOON:
        return _("公示期至%(d)s") % {"d": end.isoformat()}, "due-soon"
    return _("公示期至%(d)s") % {"d": end.isoformat()}, ""


# --- sections ------------------------------------------------------------------------------------


def _cases_waiting(user: Any, today: dt.date) -> Section:
    def item(case) -> Item:
        note, css = _deadline(case.notice.end_date if case.notice_id else None, today)
        who = case.household.number if case.household_id else _("申请人")
        return Item(
            f"{case.get_kind_display()} · {who} {case.display_name} · {case.get_state_display()}",
            reverse("cases:detail", args=[case.pk]),
            case.last_step_on,
            note,
            css,
        )

    return _section(
        _("待我办理的识别退出程序"),
        waiting_for(user, today=today),
        item,
        more_url=f"{reverse('cases:list')}?open=1",
        empty=_("没有等待您办理的程序。"),
    )


def _notices_running(user: Any, today: dt.date) -> Section:
    qs = (
        visible_cases(user)
        .filter(state__in=sorted(NOTICE_STATES), notice__end_date__gte=today)
        .order_by("notice__end_date", "id")
    )

    def item(case) -> Item:
        note, css = _deadline(case.notice.end_date, today)
        return Item(
            f"{case.get_kind_display()} · {case.display_name} · {case.get_state_display()}",
            reverse("cases:detail", args=[case.pk]),
            None,
            note,
            css,
        )

    return _section(
        _("公示中的程序（公示期满后待审核审批）"),
        qs,
        item,
        more_url=reverse("cases:notices"),
        empty=_("没有正在公示的程序。"),
    )


def _to_visit(user: Any, year: int) -> Section:
    title = (
        _("我结对的、%(y)s年尚未走访的贫困户") if user.role == Role.CADRE else _("%(y)s年尚未由结对干部走访的贫困户")
    )
    return _section(
        title % {"y": year},
        households_to_visit(user, year),
        lambda h: Item(f"{h.number} {h.head_name}", reverse("household_detail", args=[h.pk]), None, h.village.name),
        more_url=f"{reverse('assistance:overview')}?year={year}",
        empty=_("本年度需走访的贫困户都已走访。"),
    )


def _missing_year(user: Any, year: int) -> Section:
    has_year = HouseholdYear.objects.filter(household=OuterRef("pk"), year=year)
    qs = (
        Household.objects.visible_to(user)
        .filter(identification_year__lte=year)
        .exclude(status=HouseholdStatus.CANCELLED)
        .exclude(Exists(has_year))
        .select_related("village")
        .order_by("number")
    )
    return _section(
        _("缺少%(y)s年度信息的户") % {"y": year},
        qs,
        lambda h: Item(f"{h.number} {h.head_name}", reverse("household_year", args=[h.pk]), None, h.village.name),
        more_url=reverse("household_list"),
        empty=_("本辖区各户的%(y)s年度信息都已录入。") % {"y": year},
    )


# Object types with a page of their own: a recent change links to it (the page checks the scope again).
OBJECT_PAGES = {
    "registry.household": "household_detail",
    "cases.case": "cases:detail",
    "supervision.finding": "supervision:finding",
    "payments.batch": "payments:batch_detail",
    "assessment.run": "run_detail",
}


def _recent_changes(user: Any) -> Section:
    """The latest changes recorded in the user's jurisdiction in the last week: the audit trail's own
    rows, by their (already masked) summaries."""
    qs = (
        AuditEvent.objects.filter(prefix_range_q("region_code", user_prefix(user) or "-"))
        .filter(at__gte=timezone.now() - WEEK)
        .exclude(NOT_DATA)
        .order_by("-seq")
    )
    rows = list(qs[:SHOWN])
    items = []
    for e in rows:
        page = OBJECT_PAGES.get(e.object_type)
        url = reverse(page, args=[int(e.object_id)]) if page and e.object_id.isdigit() else ""
        text = e.summary or str(ACTION_LABELS.get(e.action, e.action))
        items.append(Item(text, url, timezone.localtime(e.at), e.actor_name))
    count = len(rows) if len(rows) < SHOWN else qs.count()
    return Section(_("本辖区最近的变动（近7天）"), count, items, "", _("近7天没有变动。"))


def _runs(user: Any) -> Section:
    qs = visible_runs(user).select_related("region").order_by("-id")

    def item(run) -> Item:
        css = "due-soon" if run.status in (RunStatus.QUEUED, RunStatus.RUNNING) else ""
        text = _("%(y)s年 %(r)s 评估") % {"y": run.year, "r": run.region.name}
        return Item(
            text, reverse("run_detail", args=[run.pk]), run.finished_at or run.created_at, run.get_status_display(), css
        )

    return _section(_("评估批次"), qs, item, more_url=reverse("run_list"), empty=_("尚无评估批次。"))


def _batches(user: Any) -> Section:
    drafts = (
        Batch.objects.visible_to(user)
        .filter(status=BatchStatus.DRAFT)
        .select_related("region")
        .order_by("created_at", "id")
    )
    if user.can(Capability.CHECK_PAYMENTS):
        qs, title = drafts.exclude(maker=user), _("待我审核的资金发放批次（制单人不能审核自己的批次）")
    else:
        qs, title = drafts.filter(maker=user), _("我制作、等待审核的资金发放批次")

    def item(b) -> Item:
        return Item(
            _("%(title)s · %(n)s笔 ¥%(amount)s")
            % {"title": b.title, "n": b.payment_count, "amount": f"{b.total_amount:,.2f}"},
            reverse("payments:batch_detail", args=[b.pk]),
            timezone.localtime(b.created_at),
            b.region.name,
        )

    return _section(title, qs, item, more_url=reverse("payments:batch_list"), empty=_("没有待审核的批次。"))


def _findings(user: Any, today: dt.date) -> list[Section]:
    def item(f) -> Item:
        late = (today - f.deadline).days
        note = _("逾期%(n)s天") % {"n": late} if late > 0 else _("整改期限%(d)s") % {"d": f.deadline.isoformat()}
        text = f"{f.region.name} · {f.get_category_display()} · {f.responsible_unit}"
        return Item(text, reverse("supervision:finding", args=[f.pk]), f.found_on, note, "due-over" if late > 0 else "")

    overview = reverse("supervision:overview")
    due_soon = (
        Finding.objects.visible_to(user)
        .exclude(status=FindingStatus.CLOSED)
        .filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=2 * SOON))
        .select_related("region")
        .order_by("deadline", "id")
    )
    return [
        _section(
            _("逾期未整改的问题"),
            overdue_findings(user, today),
            item,
            more_url=f"{overview}?overdue=1",
            empty=_("没有逾期未整改的问题。"),
        ),
        _section(_("两周内到期的整改"), due_soon, item, more_url=overview, empty=_("两周内没有到期的整改。")),
    ]


def _own_visits(user: Any) -> Section:
    qs = Visit.objects.filter(cadre__user=user).select_related("household").order_by("-date", "-id")
    return _section(
        _("我最近的走访"),
        qs,
        lambda v: Item(
            f"{v.household.number} {v.household.head_name}", reverse("household_detail", args=[v.household_id]), v.date
        ),
        empty=_("尚无走访记录。"),
    )


# --- the three administrators (三员): no business data ---------------------------------------------


def _accounts() -> dict[str, Any]:
    users = User.objects.all()
    dormant_from = timezone.now() - dt.timedelta(days=settings.DORMANT_DAYS - SOON)
    by_role = dict(users.filter(is_active=True).values_list("role").annotate(n=Count("id")))
    counts = users.aggregate(
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
        never=Count("id", filter=Q(is_active=True, last_login__isnull=True)),
        dormant_soon=Count("id", filter=Q(is_active=True, last_login__lt=dormant_from)),
    )
    roles = [(label, by_role.get(value, 0)) for value, label in Role.choices]
    events = AuditEvent.objects.filter(Q(object_type="accounts.user") | Q(action__startswith="account.")).exclude(
        action__in=("auth.login", "auth.logout", *SECURITY_ACTIONS)
    )
    recent = [
        Item(
            f"{ACCOUNT_LABELS.get(e.action, e.action)} {e.object_id}",
            "",
            timezone.localtime(e.at),
            e.actor_name,
        )
        for e in events.order_by("-seq")[:SHOWN]
    ]
    return {"counts": counts, "roles": roles, "recent": recent, "users_url": reverse("admin:accounts_user_changelist")}


def _security() -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=30)
    events = AuditEvent.objects.filter(action__in=SECURITY_ACTIONS, at__gte=since)
    counts = dict(events.values_list("action").annotate(n=Count("id")))
    recent = [
        Item(
            f"{ACCOUNT_LABELS[e.action]}：{e.object_id}",
            "",
            timezone.localtime(e.at),
            e.summary[e.summary.rfind("（") :],
        )
        for e in events.order_by("-seq")[:SHOWN]
    ]
    policy = [
        (
            _("连续登录失败锁定"),
            _("%(n)s次，锁定%(m)s分钟")
            % {"n": settings.AXES_FAILURE_LIMIT, "m": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        ),
        (
            _("须动态口令的角色"),
            "、".join(str(Role(r).label) for r in sorted(settings.TWO_FACTOR_ROLES) if r in Role.values)
            or _("无（演示模式）"),
        ),
        (_("空闲自动退出"), _("%(n)s分钟") % {"n": settings.SESSION_COOKIE_AGE // 60}),
        (_("停用长期未登录账户"), _("%(n)s天") % {"n": settings.DORMANT_DAYS}),
    ]
    return {
        "failed": counts.get("auth.login_failed", 0),
        "locked": counts.get("auth.locked_out", 0),
        "recent": recent,
        "policy": policy,
    }


def _audit_status(verify: bool) -> dict[str, Any]:
    """The chain's cheap checks (head against the log's end and row count) and, on request, a full
    verification — a full one reads every row, so it is not run on every page view."""
    head = AuditHead.objects.filter(pk=1).first()
    stats = AuditEvent.objects.aggregate(n=Count("id"), last=Count("id", filter=Q(at__gte=timezone.now() - WEEK)))
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    base = head.base_seq if head else 0
    problems = []
    if head is not None and last is not None and (head.seq != last[0] or head.hash != last[1]):
        problems.append(_("链头记录的序号与日志末尾不一致（末尾的记录可能被删除）。"))
    if head is not None and stats["n"] != head.seq - base:
        problems.append(
            _("日志中有%(n)s条记录，按序号应有%(m)s条（可能有记录被删除或插入）。")
            % {"n": stats["n"], "m": head.seq - base}
        )
    result = audit.verify() if verify else None
    return {"head": head, "rows": stats["n"], "week": stats["last"], "problems": problems, "verified": result}


def _cadre_year(user: Any, today: dt.date) -> int:
    """The newest year with facts of the cadre's own paired households (a cadre's jurisdiction may be
    a whole county: its newest year would cost a scan of every household-year there)."""
    paired = Pairing.objects.filter(cadre__user=user).values("household_id")
    year = HouseholdYear.objects.filter(household_id__in=paired).aggregate(y=Max("year"))["y"]
    return year or today.year


# --- the page ----------------------------------------------------------------------------------------


def _headline(user: Any) -> dict[str, Any] | None:
    """The leader's view of their region: the dashboard's headline for the latest assessed year."""
    region = user.jurisdiction
    if region is None:
        return None
    by_year = yearly_rollups(region)
    if not by_year:
        return {"region": region, "r": None}
    year = max(by_year)
    return {"region": region, "r": by_year[year], "year": year, "prev": by_year.get(year - 1)}


def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's work, by role."""
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"title": _("我的工作"), "today": today, "sections": []}
    role = user.role
    if role in ADMIN_ROLES:
        context["admin"] = role
        if role == Role.SYSADMIN:
            context["accounts"] = _accounts()
        elif role == Role.SECADMIN:
            context["security"] = _security()
        else:
            context["audit"] = _audit_status(request.method == "POST" and request.POST.get("op") == "verify")
        return render(request, "reports/home/home.html", context)

    sections: list[Section] = []
    if role == Role.CLERK:
        year = context["year"] = latest_data_year(user)  # a village: a few hundred rows
        sections = [
            _cases_waiting(user, today),
            _to_visit(user, year),
            _missing_year(user, year),
            _recent_changes(user),
        ]
    elif role in (Role.REVIEWER, Role.APPROVER):
        sections = [_cases_waiting(user, today), _notices_running(user, today), _batches(user), _runs(user)]
    elif role == Role.LEADER:
        context["headline"] = _headline(user)
        sections = _findings(user, today)
    elif role == Role.INSPECTOR:
        sections = _findings(user, today)
        context["open_findings"] = Finding.objects.visible_to(user).exclude(status=FindingStatus.CLOSED).count()
    elif role == Role.CADRE:
        year = context["year"] = _cadre_year(user, today)
        sections = [_to_visit(user, year), _own_visits(user)]
    context["sections"] = sections
    if user.jurisdiction_id and user.sees_business_data:
        context["dashboard_url"] = reverse("reports:dashboard", args=[user.jurisdiction_id])
    return render(request, "reports/home/home.html", context)
