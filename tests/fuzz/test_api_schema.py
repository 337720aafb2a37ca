"""R1 — schemathesis over the whole OpenAPI schema, in-process (WSGI): no 5xx, responses match the schema.

Every operation of /api/schema/ gets generated requests (valid and invalid bodies, odd strings,
huge numbers, unknown ids) as village A's clerk, over a small registry. The default run tries
``TUOPIN_FUZZ_EXAMPLES`` (5) examples per operation to stay fast in CI; the long run is

    TUOPIN_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/fuzz -p no:randomly

Checks: ``not_a_server_error``, ``content_type_conformance``, ``response_schema_conformance``.
"""

from __future__ import annotations

import base64
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.assessment.conftest import GOOD_YEAR, standards  # noqa: F401 - fixture
from tests.conftest import PASSWORD
from tests.helpers import household
from tuopin.registry import actions
from tuopin.wsgi import application

EXAMPLES = int(os.environ.get("TUOPIN_FUZZ_EXAMPLES", "5"))
AUTH = {"Authorization": "Basic " + base64.b64encode(f"clerk_a:{PASSWORD}".encode()).decode()}


@pytest.fixture
def api_schema(actors, regions, standards):  # noqa: F811
    clerk = actors["clerk_a"]
    h = household(clerk, regions["a"])
    actions.set_household_year(h, actor=clerk, year=2019, **GOOD_YEAR)
    # Requests go straight to the WSGI application, not through Django's test client, so the
    # connection-closing signal handlers must be detached as the test client does — otherwise the
    # first request closes the test's transaction (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=AUTH)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# schemathesis' own pytest plugin does not run under pytest 9 yet (it reads a private pytest attribute),
# so each operation's strategy is driven by hypothesis directly — same generation, same checks.
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


def _fuzz(operation, mode, failures: list[str]) -> int:
    """Run one operation in one generation mode; failures are collected, not raised."""
    tried = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        nonlocal tried
        tried += 1
        case.validate_response(case.call(headers=AUTH), checks=CHECKS)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - report every operation's failure together at the end
        failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:400]}")
    return tried


def test_api_never_fails_and_matches_its_schema(api_schema):
    from schemathesis import GenerationMode

    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    tried = sum(
        _fuzz(op, mode, failures) for op in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    )
    print(f"\nR1: {tried} requests over {len(operations)} operations, {len(failures)} failures")
    assert not failures, "\n".join(failures)
