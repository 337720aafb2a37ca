"""Every change to programme records (design.md §4.2): one function per change, taking ``actor=``,
checking capability and jurisdiction, validating with Chinese messages, writing one audit row in
the same transaction. Split by area; import them from here."""

from .care import (
    add_institution,
    advance_housing_case,
    fix_water_problem,
    open_housing_case,
    record_claim,
    record_water_problem,
)
from .credit import (
    add_ecommerce_site,
    draw_risk_compensation,
    issue_loan,
    record_ecommerce_sale,
    record_repayment,
    set_loan_status,
)
from .industry import add_beneficiaries, add_fund, compute_dividends, create_project, dividend_plan, record_profit
from .people import (
    create_package,
    record_education_subsidy,
    record_employment,
    record_safety_net,
    record_school_project,
)

__all__ = [
    "add_beneficiaries",
    "add_ecommerce_site",
    "add_fund",
    "add_institution",
    "advance_housing_case",
    "compute_dividends",
    "create_package",
    "create_project",
    "dividend_plan",
    "draw_risk_compensation",
    "fix_water_problem",
    "issue_loan",
    "open_housing_case",
    "record_claim",
    "record_ecommerce_sale",
    "record_education_subsidy",
    "record_employment",
    "record_profit",
    "record_repayment",
    "record_safety_net",
    "record_school_project",
    "record_water_problem",
    "set_loan_status",
]
