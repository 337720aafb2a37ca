"""Pages of payments (/payments/): batch list, batch detail with approve/send/reconcile/retry, batch form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tuopin.accounts.roles import Capability

from . import actions
from .choices import Programme
from .models import Batch, Payment


def _errors(request, exc) -> None:
    messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))


@login_required
def batch_list(request):
    """Batches in the user's jurisdiction, newest first."""
    qs = Batch.objects.visible_to(request.user).select_related("region", "maker", "checker")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/batch_list.html",
        {"title": _("资金发放批次"), "page": page, "can_make": request.user.can(Capability.MAKE_PAYMENTS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_detail(request, pk: int):
    """A batch, its payments (accounts masked) and the step its status allows."""
    batch = get_object_or_404(Batch.objects.visible_to(request.user).select_related("maker", "checker"), pk=pk)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "approve":
                actions.approve_batch(
                    batch,
                    actor=request.user,
                    control_count=request.POST.get("control_count"),
                    control_total=request.POST.get("control_total"),
                )
            elif op == "send":
                actions.send_batch(batch, actor=request.user)
            elif op == "cancel":
                actions.cancel_batch(batch, actor=request.user, reason=request.POST.get("reason", ""))
            elif op == "reconcile":
                upload = request.FILES.get("file")
                text = upload.read().decode("utf-8-sig") if upload else request.POST.get("csv", "")
                rec = actions.reconcile(batch, actor=request.user, csv_text=text)
                if rec.mismatches:
                    messages.warning(request, _("对账发现%(n)d处不符，请逐项核实。") % {"n": len(rec.mismatches)})
            elif op == "retry":
                payment = get_object_or_404(
                    Payment.objects.visible_to(request.user), pk=request.POST.get("payment"), batch=batch
                )
                actions.retry_payment(payment, actor=request.user)
            elif op == "bank_file":
                text = actions.bank_file(batch, actor=request.user)
                response = HttpResponse(text, content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.csv"'
                return response
            messages.success(request, _("操作已完成。"))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("payments:batch_detail", batch.pk)
    payments = Payment.objects.filter(batch=batch).select_related("household", "member").order_by("id")
    page = Paginator(payments, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/batch_detail.html",
        {
            "title": batch.title,
            "batch": batch,
            "page": page,
            "reconciliations": batch.reconciliations.all()[:10],
            "can_check": request.user.can(Capability.CHECK_PAYMENTS),
            "can_make": request.user.can(Capability.MAKE_PAYMENTS),
        },
    )


class BatchForm(forms.Form):
    """A batch made by hand: one line per payee, ``户ID,金额`` or ``户ID,成员编号,金额``."""

    kind = forms.ChoiceField(label=gettext_lazy("资金类别"), choices=Programme.choices)
    programme = forms.CharField(label=gettext_lazy("项目/政策代码"), max_length=40)
    period = forms.CharField(label=gettext_lazy("发放期间"), max_length=16, help_text=gettext_lazy("如 2019 或 2019-1"))
    region = forms.CharField(label=gettext_lazy("所属地区代码"), max_length=12)
    title = forms.CharField(label=gettext_lazy("批次名称"), max_length=120, required=False)
    lines = forms.CharField(
        label=gettext_lazy("发放明细"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("每行一笔：户ID,金额 或 户ID,成员编号,金额"),
    )

    def clean_lines(self):
        out = []
        for n, raw in enumerate(self.cleaned_data["lines"].splitlines(), 1):
            parts = [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
            if not parts:
                continue
            if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts[:-1]):
                raise forms.ValidationError(_("第%(n)d行格式应为“户ID,金额”或“户ID,成员编号,金额”。") % {"n": n})
            out.append(
                {"household": int(parts[0]), "member": int(parts[1]) if len(parts) == 3 else None, "amount": parts[-1]}
            )
        return out


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request):
    """Make a draft batch (``create_batch``); flagged lines are shown on the batch page."""
    if not request.user.can(Capability.MAKE_PAYMENTS):
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = actions.create_batch(actor=request.user, **form.cleaned_data)
            return redirect("payments:batch_detail", batch.pk)
        except ValidationError as exc:
            for name, errs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(name if name in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "payments/batch_form.html", {"title": _("编制发放批次"), "form": form})
