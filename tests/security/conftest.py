"""The security tests' synthetic city (tests/city.py)."""

from tests.city import city  # noqa: F401 - a fixture
