"""The deterministic Liaoyuan 2019 demo scenario (``tuopin seed --scenario liaoyuan-2019``).

A synthetic 辽源市: villages under the real rural towns of its four counties/districts, about
6,000 registered households and 13,000 people per scale unit with six years of facts
(2014–2019), status histories, valid (synthetic) ID numbers stored encrypted, and the rural
population that poverty incidence divides by. The same seed gives the same city every run.
"""

from .loader import ScenarioExists, seed_liaoyuan_2019

__all__ = ["seed_liaoyuan_2019", "ScenarioExists", "SCENARIOS"]

SCENARIOS = {"liaoyuan-2019": seed_liaoyuan_2019}
