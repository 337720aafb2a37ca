"""Programme models (design.md §5 ``programmes.*``), split by area; every model is jurisdiction-scoped
except the policy packages, which are policy data."""

from .care import CLAIM_LAYERS, HousingCase, Institution, MedicalClaim, WaterProblem
from .credit import EcommerceSale, EcommerceSite, Loan, Repayment, RiskCompensation
from .industry import Beneficiary, Dividend, Project, ProjectFund, ProjectProfit
from .people import EducationSubsidy, Employment, PolicyPackage, SafetyNetBenefit, SchoolProject

__all__ = [
    "CLAIM_LAYERS",
    "Beneficiary",
    "Dividend",
    "EcommerceSale",
    "EcommerceSite",
    "EducationSubsidy",
    "Employment",
    "HousingCase",
    "Institution",
    "Loan",
    "MedicalClaim",
    "PolicyPackage",
    "Project",
    "ProjectFund",
    "ProjectProfit",
    "Repayment",
    "RiskCompensation",
    "SafetyNetBenefit",
    "SchoolProject",
    "WaterProblem",
]
