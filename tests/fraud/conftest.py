"""Fixtures of the R15 city: the shipped standards (the assessment run) and a media folder per test."""

from tests.assessment.conftest import standards  # noqa: F401
from tests.exchange.conftest import media  # noqa: F401
