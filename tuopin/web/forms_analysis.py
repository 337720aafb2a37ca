"""Forms of the assessment, standards and region pages.

As on the registry pages, these only collect and type-convert input: ``start_run``, ``add_standard``
and ``replace_standard`` validate it (year range, overlap, value by kind, jurisdiction) and the
views put the actions' Chinese messages on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuopin.policy.definitions import DEFINITIONS
from tuopin.policy.models import Confidence

from .forms import YearField


class StartRunForm(forms.Form):
    """Start an assessment of a region (inside the user's jurisdiction) for a year."""

    year = YearField(_("评估年度"))
    region = forms.ChoiceField(label=_("评估范围"))

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices


class StandardAddForm(forms.Form):
    """A new standard row. Name, prefix and year are checked by ``add_standard`` (overlap included)."""

    name = forms.ChoiceField(label=_("标准"))
    region_prefix = forms.CharField(
        label=_("适用地区代码前缀"),
        required=False,
        max_length=12,
        help_text=_("2、4、6、9或12位数字，如 220422 东辽县；只能是本辖区内的地区"),
    )
    effective_year = forms.CharField(label=_("起始年度"), max_length=4)
    value = forms.CharField(label=_("取值"), max_length=64)
    source = forms.CharField(label=_("依据/出处"), required=False, max_length=300)
    confidence = forms.ChoiceField(label=_("可信度"), choices=Confidence.choices, initial=Confidence.TO_CONFIRM)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [
            (k, _("%(label)s（%(unit)s）") % {"label": d.label, "unit": d.unit} if d.unit else d.label)
            for k, d in DEFINITIONS.items()
        ]
        for name in ("region_prefix", "effective_year"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class StandardChangeForm(forms.Form):
    """A new value for an existing standard, with the reason recorded in the audit trail."""

    value = forms.CharField(label=_("新取值"), max_length=64)
    source = forms.CharField(label=_("依据/出处"), required=False, max_length=300, help_text=_("留空则沿用原出处"))
    reason = forms.CharField(label=_("修改原因"), max_length=200, widget=forms.TextInput())


class ApplicableForm(forms.Form):
    """Which values apply to a region in a year (read-only)."""

    year = YearField(_("年度"))
    region = forms.ChoiceField(label=_("地区"))

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices


class CompareForm(forms.Form):
    """Evaluate one cohort under two versions of a year's rule set."""

    year = YearField(_("年度"))
    region = forms.ChoiceField(label=_("范围"))
    old = forms.IntegerField(label=_("原版本"), min_value=1)
    new = forms.IntegerField(label=_("新版本"), min_value=1)

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices
