"""Server-rendered pages: the registry (户籍管理), assessment (脱贫评估), policy standards (政策标准)
and region pages (收入分布与多维贫困; the dashboard is in ``tuopin.reports``)."""

from .assessment import run_detail, run_list, run_progress, run_replay
from .edit import check_id, household_create, household_edit, household_year, member_add, member_edit, member_remove
from .export import export_csv, export_xlsx
from .households import home, household_detail, household_list
from .policy import ruleset_compare, ruleset_diff, ruleset_list, standard_add, standard_detail, standard_list
from .regions import region_detail, region_home
from .reveal import member_reveal

__all__ = [
    "check_id",
    "export_csv",
    "export_xlsx",
    "home",
    "household_create",
    "household_detail",
    "household_edit",
    "household_list",
    "household_year",
    "member_add",
    "member_edit",
    "member_remove",
    "member_reveal",
    "region_detail",
    "region_home",
    "ruleset_compare",
    "ruleset_diff",
    "ruleset_list",
    "run_detail",
    "run_list",
    "run_progress",
    "run_replay",
    "standard_add",
    "standard_detail",
    "standard_list",
]
