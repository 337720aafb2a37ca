"""Server-rendered pages of the registry (户籍管理)."""

from .edit import check_id, household_create, household_edit, household_year, member_add, member_edit, member_remove
from .export import export_csv, export_xlsx
from .households import home, household_detail, household_list
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
]
