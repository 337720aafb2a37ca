"""The records behind each figure of the annual report, for the one generic trace page.

A ``Trace`` gives, for a figure key, the records the figure counts or sums (with the same conditions
as the app query that computes the figure), the columns a clerk needs to check them, and the
``measure`` that turns those records back into the figure (count of rows, count of distinct
households or people, or a sum). The trace page reads ``records(...)`` through
``visible_to(user)``; tests check that the measure over the listed records equals the figure.
Ratios and changes list the records of their numerator, or none (``derived`` figures link to the
figures they are computed from).
"""

from __future__ import annotations

from .trace_base import Column, Trace, measure
from .traces_duty import DUTY_TRACES
from .traces_programmes import PROGRAMME_TRACES

__all__ = ["Column", "Trace", "TRACES", "measure"]

TRACES: dict[str, Trace] = {**DUTY_TRACES, **PROGRAMME_TRACES}
