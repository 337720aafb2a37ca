"""The kinds of file the import framework takes (``ImportBatch.schema``) and what each does at each step.

A layout names its columns (labels as the form prints them, synonyms) and its four steps: validate the
cells (nothing from the registry but regions, so the preview's result can be kept for the commit),
check against the registry (always again inside the commit), preview the first rows masked, and write.
Staging, the problem report, all-or-nothing / valid-rows-only, idempotence, progress and crash safety
are the framework's (``actions``), the same for every layout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tuopin.core.idnumber import mask_id
from tuopin.registry import choices as c

from . import households as hs
from . import records
from .commit import write_plan
from .lookups import check_registry
from .schema import Bound, Column

__all__ = ["Layout", "LAYOUTS", "layout_of"]

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Layout:
    """One kind of import file."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    validate_cells: Callable[..., Any]  # (bound, problems, *, actor, progress) → plan
    check_registry: Callable[[Any, Any], None]  # (plan, actor), adds problems, marks the bad groups
    write: Callable[..., dict[str, int]]  # (plan, *, batch, actor, only_valid, progress) → counts
    preview: Callable[[Any], list[dict[str, Any]]]
    counts: Callable[[Any], dict[str, int]]  # rows, households (groups), valid ones, already registered
    cacheable: Callable[[Any], Any]  # the plan as stored for the commit (what the commit needs)
    describe: Callable[[dict[str, int]], str]  # the commit's counts in a sentence (audit summary, page)
    example: dict[str, str]  # the template's example row
    sheet: Any = ""  # the template's sheet name
    code_lists: tuple[tuple[str, type], ...] = ()  # (column key, choices) listed on the template's code sheet

    @property
    def labels(self) -> dict[str, str]:
        return {col.key: col.label for col in self.columns}


def _household_preview(plan: hs.Plan) -> list[dict[str, Any]]:
    """The first rows as the registry will hold them — the ID masked, never in clear."""
    out = []
    cols = plan.bound.columns
    pos = {h: k for k, h in enumerate(plan.households)}
    for i in range(min(plan.n, PREVIEW_ROWS)):
        k = pos.get(plan.number[i])
        out.append(
            {
                "行号": plan.bound.rownums[i],
                "户编号": plan.number[i],
                "姓名": cols["name"][i],
                "公民身份号码": mask_id(plan.ids[i]) if plan.ids[i] else "（无效）",
                "与户主关系": plan.member_values["relation"][i],
                "行政村": (plan.hh["village"][k] if k is not None else None) or "",
            }
        )
    return out


def _household_counts(plan: hs.Plan) -> dict[str, int]:
    return {
        "rows": plan.n,
        "households": len(plan.households),
        "valid_households": len(plan.valid_households()),
        "existing_households": len(plan.existing),
    }


def _household_cacheable(plan: hs.Plan) -> hs.Plan:
    # The commit reads only the names of the raw columns; the rest is in the plan's cleaned values.
    bound: Bound = dataclasses.replace(plan.bound, columns={"name": plan.bound.columns.get("name", [])})
    return dataclasses.replace(plan, bound=bound)


HOUSEHOLDS = Layout(
    key="households",
    title=_("贫困户登记表（户、成员、年度信息）"),
    columns=hs.COLUMNS,
    validate_cells=hs.validate_cells,
    check_registry=check_registry,
    write=write_plan,
    preview=_household_preview,
    counts=_household_counts,
    cacheable=_household_cacheable,
    describe=lambda n: f"新增{n['households']}户{n['members']}人，年度记录{n['years']}条",
    example=hs.TEMPLATE_EXAMPLE,
    sheet=_("贫困户登记表"),
    code_lists=(
        ("relation", c.Relation),
        ("identification_standard", c.IdentificationStandard),
        ("category", c.HouseholdCategory),
        ("main_cause", c.PovertyCause),
        ("ethnicity", c.Ethnicity),
        ("education", c.Education),
        ("school_status", c.SchoolStatus),
        ("health", c.Health),
        ("labour", c.LabourSkill),
        ("migrant_work", c.MigrantWork),
        ("disability_category", c.DisabilityCategory),
        ("disability_grade", c.DisabilityGrade),
        ("housing_structure", c.HousingStructure),
        ("housing_safety", c.HousingSafety),
        ("water_source", c.WaterSource),
        ("fuel", c.Fuel),
        ("road_type", c.RoadType),
    ),
)


def _records_layout(key: str, title: Any, columns, validate, check, example, sheet: Any) -> Layout:
    return Layout(
        key=key,
        title=title,
        columns=columns,
        validate_cells=validate,
        check_registry=check,
        write=records.write_records,
        preview=records.preview,
        counts=records.counts,
        cacheable=lambda plan: plan,
        describe=lambda n: f"新增记录{n['records']}条，跳过{n['skipped']}行（已登记或有问题）",
        example=example,
        sheet=sheet,
    )


CLAIMS = _records_layout(
    "claims",
    _("医疗费用结算（一站式结算导出）"),
    records.CLAIM_COLUMNS,
    records.validate_claims,
    records.check_claims,
    records.CLAIM_EXAMPLE,
    _("医疗费用结算"),
)
LOANS = _records_layout(
    "loans",
    _("扶贫小额信贷发放明细"),
    records.LOAN_COLUMNS,
    records.validate_loans,
    records.check_loans,
    records.LOAN_EXAMPLE,
    _("扶贫小额信贷"),
)

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (HOUSEHOLDS, CLAIMS, LOANS)}


def layout_of(schema: str) -> Layout:
    """The layout of a batch's schema."""
    return LAYOUTS[schema]
