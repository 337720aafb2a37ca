"""Pages of the programmes (/programmes/): an index, and list, detail and create pages per record type.

Every read starts from ``visible_to(request.user)`` (out of scope is a 404); every write calls the
record type's action, whose Chinese ``ValidationError`` messages are put back on the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuopin.accounts.roles import Capability
from tuopin.registry.models import Household

from . import actions as a
from . import choices as c
from .kinds import KINDS, field_value
from .queries import household_support


def _kind(slug: str):
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404
    return kind


def _form_class(kind) -> type[forms.Form]:
    return type("KindForm", (forms.Form,), dict(kind.inputs))


@login_required
def index(request):
    """Every programme record type with how many records the user can see."""
    rows = [(k, k.model.objects.visible_to(request.user).count()) for k in KINDS.values()]
    return render(request, "programmes/index.html", {"title": _("帮扶项目和措施"), "rows": rows})


@login_required
def kind_list(request, slug: str):
    """A page of records of one type inside the user's jurisdiction."""
    kind = _kind(slug)
    qs = kind.model.objects.visible_to(request.user).select_related(*kind.select).order_by("-id")
    year = request.GET.get("year", "")
    if year.isdigit() and any(f.name == "year" for f in kind.model._meta.fields):
        qs = qs.filter(year=int(year))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    fields = {f.name: f for f in kind.model._meta.fields}
    headers = [str(fields[n].verbose_name) for n in kind.columns]
    rows = [(obj, [field_value(obj, n) for n in kind.columns]) for obj in page.object_list]
    can_edit = request.user.can(Capability.EDIT_PROGRAMMES) and kind.create is not None
    return render(
        request,
        "programmes/list.html",
        {
            "title": kind.title,
            "kind": kind,
            "page": page,
            "headers": headers,
            "rows": rows,
            "can_edit": can_edit,
            "year": year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kind_detail(request, slug: str, pk: int):
    """One record; projects can compute a year's dividends, housing cases move a step on."""
    kind = _kind(slug)
    obj = get_object_or_404(kind.model.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        try:
            if slug == "projects":
                batch = a.compute_dividends(obj, actor=request.user, year=request.POST.get("year"))
                messages.success(request, _("已生成分红发放批次：%(t)s") % {"t": batch.title})
                return redirect("payments:batch_detail", batch.pk)
            if slug == "housing":
                a.advance_housing_case(
                    obj, actor=request.user, status=request.POST.get("status"), on=request.POST.get("on")
                )
                messages.success(request, _("住房项目进度已更新。"))
            return redirect("programmes:detail", slug, pk)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    fields = [
        (str(f.verbose_name), field_value(obj, f.name))
        for f in kind.model._meta.fields
        if not f.name.endswith(("_enc", "_hash")) and f.name != "id"
    ]
    ctx = {
        "title": str(obj),
        "kind": kind,
        "obj": obj,
        "fields": fields,
        "housing_next": _next_housing(obj) if slug == "housing" else None,
    }
    return render(request, "programmes/detail.html", ctx)


def _next_housing(case):
    order = [str(s) for s in c.HOUSING_ORDER]
    i = order.index(case.status)
    return c.HousingStatus(order[i + 1]) if i + 1 < len(order) else None


@login_required
@require_http_methods(["GET", "POST"])
def kind_create(request, slug: str):
    """Create a record through the type's action; the action's errors appear on the form."""
    kind = _kind(slug)
    if kind.create is None or not request.user.can(Capability.EDIT_PROGRAMMES):
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    form = _form_class(kind)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            obj = kind.create(actor=request.user, **data)
            messages.success(request, _("已保存。"))
            return redirect("programmes:detail", slug, obj.pk)
        except ValidationError as exc:
            for name, errs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(name if name in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(
        request, "programmes/form.html", {"title": _("新增%(k)s") % {"k": kind.title}, "kind": kind, "form": form}
    )


@login_required
def support(request, household_id: int, year: int):
    """For each guarantee, what was done for a household in a year (the household page embeds this)."""
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=household_id)
    data = household_support(household, year)
    groups = [(c.Indicator(k).label, v) for k, v in data.items()]
    return render(
        request,
        "programmes/support.html",
        {"title": _("帮扶措施"), "household": household, "year": year, "groups": groups},
    )
