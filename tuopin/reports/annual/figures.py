"""The figures of the annual report (脱贫答卷), each a definition with a stable key.

A ``Figure`` names its key (``industry.projects``), Chinese label and unit, how its value is read
from ``Sources`` and, when the value cannot be given (no finished assessment, no standard, a zero
denominator), why. Sections follow the order of the 《吉林日报》 report on Liaoyuan: the year's
headline, responsibility, industry, the guarantees (两不愁三保障) and finance. The keys are a public
interface (the JSON export and the README table): rename one only with a new ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from .figure_base import CHANGE, COUNT, MONEY, RATIO, SCHEMA_VERSION, STANDARD, TABLE, Figure, Section, money_text
from .figures_duty import OVERVIEW, RESPONSIBILITY
from .figures_programmes import FINANCE, GUARANTEES, INDUSTRY

__all__ = [
    "SCHEMA_VERSION",
    "Figure",
    "Section",
    "SECTIONS",
    "FIGURES",
    "COUNT",
    "MONEY",
    "RATIO",
    "CHANGE",
    "STANDARD",
    "TABLE",
    "money_text",
]

SECTIONS: tuple[Section, ...] = (OVERVIEW, RESPONSIBILITY, INDUSTRY, GUARANTEES, FINANCE)
FIGURES: dict[str, Figure] = {f.key: f for section in SECTIONS for f in section.figures}
