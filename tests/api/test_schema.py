"""The OpenAPI schema generates cleanly and never describes a secret field; CSRF applies to session writes."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from tests.helpers import household, login_quietly

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    ops = {op["operationId"] for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)}
    assert {
        "regions_list",
        "regions_retrieve",
        "regions_children",
        "households_list",
        "households_create",
        "households_retrieve",
        "households_partial_update",
        "households_change_status",
        "households_set_year",
        "households_audit",
        "members_list",
        "members_create",
        "members_retrieve",
        "members_partial_update",
        "members_remove",
        "members_reveal_id",
    } <= ops
    components = schema["components"]["schemas"]
    for name, component in components.items():
        props = set(component.get("properties", {}))
        assert not {p for p in props if p.endswith(("_enc", "_hash"))}, name
        if not name.endswith("Request") and name != "RevealResult":
            assert "id_number" not in props and "phone" not in props and "bank_account" not in props, name


def test_schema_endpoint(api, actors):
    r = api("clerk_a").get("/api/schema/")
    assert r.status_code == 200 and b"households_list" in r.content


def test_session_writes_need_csrf_token(actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    client = Client(enforce_csrf_checks=True)
    login_quietly(client, actors["clerk_a"])
    r = client.patch(
        f"/api/households/{h.pk}/", json.dumps({"version": 1, "address": "x"}), content_type="application/json"
    )
    assert r.status_code == 403
    h.refresh_from_db()
    assert h.address == "" and h.version == 1
