"""Models of the reports app: each report keeps its models in its own module."""

from .annual.models import AnnualReportArchive

__all__ = ["AnnualReportArchive"]
