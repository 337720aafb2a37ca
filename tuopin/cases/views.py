"""Pages of the procedures: case list and page with its timeline and step forms, notices (print and .docx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuopin.accounts.roles import Capability
from tuopin.registry.models import Household

from . import actions, bulk
from .choices import NOTICE_FOR_STATE, TRANSITIONS, CaseKind, CaseState, MonitorCategory, Source
from .documents import notice_context, notice_docx
from .models import Attachment, Case
from .queries import filter_cases, visible_cases, visible_notices, waiting_for

STEP_FORMS = {  # step → (capability, label)
    "appraise": (Capability.HANDLE_CASE, gettext_lazy("民主评议")),
    "review": (Capability.REVIEW_CASE, gettext_lazy("乡镇审核")),
    "verify": (Capability.REVIEW_CASE, gettext_lazy("入户核实")),
    "approve": (Capability.APPROVE_CASE, gettext_lazy("县级审批")),
    "objection": (Capability.HANDLE_CASE, gettext_lazy("登记异议")),
    "complete": (Capability.HANDLE_CASE, gettext_lazy("办结")),
}


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.error(request, str(exc) or _("您无权进行此操作。"))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases in the user's jurisdiction with filters; the user's waiting cases first."""
    qs = filter_cases(visible_cases(request.user), request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "kinds": CaseKind.choices,
            "states": CaseState.choices,
            "params": request.GET,
            "waiting": waiting_for(request.user)[:20],
            "title": _("程序办理"),
        },
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: where it stands, its timeline with documents, and the forms of the next steps."""
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    steps = actions.timeline(case)
    possible = TRANSITIONS[case.kind].get(case.state, {})
    forms = [k for k in STEP_FORMS if k in possible and request.user.can(STEP_FORMS[k][0])]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "steps": steps,
            "forms": forms,
            "can_notice": (case.kind, case.state) in NOTICE_FOR_STATE,
            "can_withdraw": case.is_open and request.user.can(Capability.HANDLE_CASE),
            "title": str(case),
            "is_exit": case.kind == CaseKind.EXIT,
        },
    )


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take a step from the case page's form (the action validates everything)."""
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    p, files = request.POST, request.FILES.getlist("files")
    common = {"date": p.get("date") or None}
    try:
        if step == "appraise":
            actions.appraise(
                case,
                actor=request.user,
                attendees=p.get("attendees"),
                votes_for=p.get("votes_for"),
                votes_against=p.get("votes_against"),
                abstain=p.get("abstain"),
                note=p.get("note", ""),
                files=files,
                **common,
            )
        elif step == "review":
            actions.review(
                case, actor=request.user, decision=p.get("decision"), note=p.get("note", ""), files=files, **common
            )
        elif step == "verify":
            agrees = {"1": True, "0": False}.get(p.get("household_agrees", ""))
            actions.verify(
                case,
                actor=request.user,
                verifiers=p.get("verifiers", "").replace("，", ",").split(","),
                decision=p.get("decision"),
                household_agrees=agrees,
                note=p.get("note", ""),
                files=files,
                **common,
            )
        elif step == "approve":
            actions.approve(
                case, actor=request.user, decision=p.get("decision"), note=p.get("note", ""), files=files, **common
            )
        elif step == "objection":
            actions.object_to_notice(case, actor=request.user, note=p.get("note", ""), files=files, **common)
        elif step == "complete":
            actions.complete(case, actor=request.user, **common)
        elif step == "withdraw":
            actions.withdraw(case, actor=request.user, note=p.get("note", ""), **common)
        else:
            raise Http404
        messages.success(request, _("已办理。"))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("cases:detail", pk=case.pk)


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    """Open an exit proposal or a monitoring/relapse report for a household; or the bulk exit of a region."""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("what") == "bulk":
                result = bulk.bulk_propose_exit(
                    p.get("region", ""), actor=request.user, year=p.get("year"), date=p.get("date") or None
                )
                messages.success(request, _("已批量提出退出%(n)d户。") % {"n": result.count})
                return redirect("cases:list")
            household = get_object_or_404(Household.objects.visible_to(request.user), number=p.get("household", ""))
            if p.get("what") == "exit":
                case = actions.propose_exit(
                    household,
                    actor=request.user,
                    year=p.get("year"),
                    date=p.get("date") or None,
                    note=p.get("note", ""),
                )
            else:
                case = actions.report_risk(
                    household,
                    actor=request.user,
                    kind=p.get("what"),
                    year=p.get("year"),
                    source=p.get("source"),
                    category=p.get("category", ""),
                    reason=p.get("note", ""),
                    date=p.get("date") or None,
                )
            return redirect("cases:detail", pk=case.pk)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    return render(
        request,
        "cases/propose.html",
        {
            "sources": Source.choices,
            "categories": MonitorCategory.choices,
            "title": _("发起程序"),
            "kinds": [
                (CaseKind.EXIT, _("提出退出")),
                (CaseKind.MONITORING_ENTRY, CaseKind.MONITORING_ENTRY.label),
                (CaseKind.MONITORING_EXIT, CaseKind.MONITORING_EXIT.label),
                (CaseKind.RELAPSE, CaseKind.RELAPSE.label),
            ],
        },
    )


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices posted in the user's jurisdiction; the form to post one for selected cases."""
    if request.method == "POST":
        p = request.POST
        ids = [int(x) for x in p.getlist("cases") if x.isdigit()]
        try:
            notice = bulk.post_notice(
                [Case(pk=i) for i in ids],
                actor=request.user,
                region=p.get("region", ""),
                start_date=p.get("start_date") or None,
                end_date=p.get("end_date") or None,
                contact=p.get("contact", ""),
                address=p.get("address", ""),
            )
            return redirect("cases:notice_print", pk=notice.pk)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    ready = (
        visible_cases(request.user)
        .filter(state__in=[CaseState.APPRAISED, CaseState.REVIEWED, CaseState.VERIFIED, CaseState.APPROVED])
        .exclude(kind__in=[CaseKind.MONITORING_ENTRY, CaseKind.MONITORING_EXIT, CaseKind.RELAPSE])[:500]
    )
    return render(
        request,
        "cases/notice_list.html",
        {
            "notices": visible_notices(request.user)[:200],
            "ready": ready,
            "title": _("公示公告"),
        },
    )


@login_required
def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as an A4 page for printing (names and ID numbers with the public mask)."""
    notice = get_object_or_404(visible_notices(request.user), pk=pk)
    return render(request, "cases/notice_print.html", notice_context(notice))


@login_required
def notice_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as a Word document."""
    notice = get_object_or_404(visible_notices(request.user), pk=pk)
    resp = HttpResponse(
        notice_docx(notice), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    resp["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.docx"'
    return resp


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download a step's document (scoped; served as an attachment with a safe name)."""
    att = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=f"attachment-{att.pk}.{att.extension}",
        content_type=att.content_type,
    )
