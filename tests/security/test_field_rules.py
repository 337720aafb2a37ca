"""R6, field level — what each role receives (BOPLA, ASVS 8.2.3) and what no write accepts (mass
assignment, ASVS 15.3.3), both generated from the URL configuration and the OpenAPI schema.

**Fields per role.** Every API endpoint that answers GET is requested by one official of each role over
the synthetic city (an object that official sees, for object endpoints). The field paths that carry a
value (``results[].members[].years[].disability_grade``) make the role's field set. Three rules hold
whatever the snapshot says:

* a labelled field (``accounts.roles.FIELD_CAPABILITIES``) never carries a value for a role without its
  capability, at any depth (audit ``changes`` included);
* ciphertexts, keyed hashes and full ID numbers never leave, for any role;
* the one role holding every capability (the county approver) does receive every labelled field, so the
  first rule is tested against data that is there.

The field sets are kept in ``field_snapshots.json``; a path a role receives that the snapshot does not
list fails the test — a new field reaching a role is a decision someone reviews, not an accident. After
review, ``TUOPIN_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/security/test_field_rules.py``
rewrites the file (paths no longer sent are dropped then too).

**Mass assignment.** Every write operation of ``/api/schema/`` (POST, PUT, PATCH) is sent, on an object
the writer sees, a body of fields a client must never set — jurisdiction, status, money, approvers,
versions, audit columns — minus those the operation's own schema documents as input. Each must be
refused with 400 naming the field (``不能设置或修改此字段``); nothing may be written.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve

from tests.helpers import login_quietly
from tests.security.urlmap import PLAIN_PARAMS, build, make_user, model_of, params, slugs, url_patterns
from tuopin.accounts.roles import FIELD_CAPABILITIES, ROLE_CAPABILITIES, Role, withheld_fields
from tuopin.core.masking import PII_PATTERNS
from tuopin.core.models import AuditEvent

SNAPSHOTS = Path(__file__).with_name("field_snapshots.json")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"
# Keys that never leave, whoever asks: ciphertexts, keyed hashes of people and accounts, plaintext IDs.
NEVER = re.compile(r"(_enc|^id_hash|account_hash|applicant_hash|^id_number)$")
# Where each role's official sits: a village, a township, a county or the city.
SEATS = {
    Role.CLERK: "220422101201",
    Role.CADRE: "220422101201",
    Role.REVIEWER: "220422101000",
    Role.APPROVER: "220422000000",
    Role.LEADER: "220400000000",
    Role.INSPECTOR: "220400000000",
    Role.SYSADMIN: "220400000000",
    Role.SECADMIN: "220400000000",
    Role.AUDITADMIN: "220400000000",
}


def _key(name: str) -> str:
    """A JSON key as a path component: years, ids and codes inside keys are data, not field names."""
    return re.sub(r"\d+", "#", name)


def field_paths(data: Any, prefix: str = "", *, with_null: bool = False) -> set[str]:
    """Paths of every leaf that carries a value (not null, not empty), or of every leaf ``with_null``."""
    out: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            out |= field_paths(v, f"{prefix}.{_key(str(k))}" if prefix else _key(str(k)), with_null=with_null)
    elif isinstance(data, list):
        for v in data:
            out |= field_paths(v, prefix + "[]", with_null=with_null)
    elif with_null or data not in (None, ""):
        out.add(prefix)
    return out


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].removesuffix("[]")


def _object_for(label: str, user, slug: str | None):
    if label.endswith(".<slug>"):
        from tuopin.programmes.kinds import KINDS

        model = KINDS[slug].model
    else:
        model = apps.get_model(label)
    qs = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects.all()
    return qs.order_by("pk").first()


def api_get_paths(user) -> list[tuple[str, str]]:
    """(route, concrete path) of every API pattern answering GET, on an object ``user`` sees."""
    out = []
    for route, pattern in url_patterns():
        if not route.startswith("api/") or "schema" in route:
            continue
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if cls is not None and actions and "get" not in actions:
            continue
        names = [p for p in params(pattern) if p not in PLAIN_PARAMS]
        for slug in slugs() if "slug" in names else [None]:
            values = dict(PLAIN_PARAMS, **({"slug": slug} if slug else {}))
            object_names = [n for n in names if n != "slug"]
            if object_names:
                obj = _object_for(model_of(route, pattern), user, slug)
                if obj is None:
                    continue
                values[object_names[0]] = str(obj.pk)
            out.append((route if slug is None else f"{route} [{slug}]", build(route, values)))
    return out


@pytest.fixture
def officials(city):
    """One official of every role, each seated where the city has data for it; the first household and
    member each one sees hold a bank account and a disability, so withheld fields have values to withhold."""
    from tuopin.registry import actions as reg
    from tuopin.registry.models import Household, Member

    users = {role: make_user(f"f_{role}", role, SEATS[role]) for role in Role.values}
    planter = make_user("f_planter", Role.APPROVER, "220400000000")
    for user in users.values():
        if not user.sees_business_data:
            continue
        home = Household.objects.visible_to(user).order_by("pk").first()
        reg.update_household(home, actor=planter, bank_name="农村信用社", bank_account="6222021234567890123")
        for m in {home.members.order_by("pk").first(), Member.objects.visible_to(user).order_by("pk").first()}:
            reg.set_member_year(m, actor=planter, year=2019, health="4", disability_category="4", disability_grade="2")
    return users


def test_each_role_receives_only_the_fields_it_may(city, officials, settings):
    seen: dict[str, dict[str, list[str]]] = {}
    present: dict[str, set[str]] = {}
    problems: list[str] = []
    requests = 0
    for role, user in officials.items():
        client = Client()
        login_quietly(client, user)
        hidden = withheld_fields(ROLE_CAPABILITIES[role])
        seen[role], present[role] = {}, set()
        for route, path in api_get_paths(user):
            response = client.get(path)
            requests += 1
            if response.status_code >= 500:
                problems.append(f"{role} GET {path}: {response.status_code}")
            if response.status_code != 200 or response["Content-Type"] != "application/json":
                continue  # files (notices, reports) are the export tests' concern
            text = response.content.decode()
            if PII_PATTERNS["id"].search(text):
                problems.append(f"{role} GET {path}: a full ID number in the response")
            paths = field_paths(response.json())
            seen[role][route] = sorted(paths)
            present[role] |= {_leaf(p) for p in field_paths(response.json(), with_null=True)}
            for p in paths:
                if _leaf(p) in hidden:
                    problems.append(f"{role} GET {path}: withheld field {p} carries a value")
                if NEVER.search(_leaf(p)):
                    problems.append(f"{role} GET {path}: {p} must never leave the server")
    assert not problems, "\n".join(problems[:60])

    # Not vacuous: the approver, holding every capability, receives a value for every labelled field,
    # and every other role that reads the registry receives each labelled field it may not see — as null.
    approver_fields = {_leaf(p) for paths in seen[Role.APPROVER].values() for p in paths}
    assert not set(FIELD_CAPABILITIES) - approver_fields, "the city holds no value for some labelled fields"
    for role, user in officials.items():
        if user.sees_business_data:
            assert withheld_fields(ROLE_CAPABILITIES[role]) <= present[role], f"{role}: withheld fields never sent"

    if os.environ.get("TUOPIN_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.write_text(json.dumps(seen, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    snapshot = json.loads(SNAPSHOTS.read_text(encoding="utf-8"))
    new = [
        f"{role} {route}: {p}"
        for role, routes in seen.items()
        for route, paths in routes.items()
        for p in sorted(set(paths) - set(snapshot.get(role, {}).get(route, [])))
    ]
    fields = sum(len(paths) for routes in seen.values() for paths in routes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "R6-fields.json").write_text(
        json.dumps({"roles": len(seen), "requests": requests, "role_endpoint_fields": fields, "new": len(new)}),
        encoding="utf-8",
    )
    print(
        f"\nR6 fields: {len(seen)} roles × API GET endpoints = {requests} requests, {fields} role·endpoint·field cells"
    )
    assert not new, (
        "fields now reaching a role that the snapshot does not list (review, then rerun with TUOPIN_UPDATE_SNAPSHOTS=1):\n"
        + "\n".join(new[:80])
    )


# --- mass assignment ---------------------------------------------------------------------------------

# Fields no client may set through any write: who/where/state/money/approval/versioning/audit columns.
EXTRAS = {
    "village": "220421102201",
    "region": "220421000000",
    "jurisdiction": "220421000000",
    "status": "exited",
    "state": "approved",
    "amount": "99999.00",
    "total_amount": "99999.00",
    "approved_by": 1,
    "approver": 1,
    "checker": 1,
    "maker": 1,
    "created_by": 1,
    "is_approved": True,
    "version": 999,
    "id_hash": "0" * 64,
    "bank_account_hash": "0" * 64,
    "seq": 1,
    "actor": 1,
}
WRITERS = (Role.APPROVER, Role.CLERK, Role.REVIEWER, Role.INSPECTOR, Role.SYSADMIN)


def _write_operations(schema: dict) -> list[tuple[str, str, set[str]]]:
    """(templated path, method, documented input fields) of every write operation in the schema."""
    out = []
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            op = item.get(method)
            if op is None:
                continue
            documented: set[str] = set()
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                documented |= set(_properties(media.get("schema") or {}, schema))
            out.append((path, method, documented))
    return out


def _properties(node: dict, schema: dict) -> dict:
    if "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    props = dict(node.get("properties") or {})
    for sub in node.get("allOf", []) + node.get("oneOf", []) + node.get("anyOf", []):
        props |= _properties(sub, schema)
    return props


def _concrete(template: str, user) -> str | None:
    """The templated schema path with its parameters filled by an object ``user`` sees."""
    names = re.findall(r"{(\w+)}", template)
    if not names:
        return template
    trial = template
    for n in names:
        trial = trial.replace("{" + n + "}", PLAIN_PARAMS.get(n, "1"))
    match = resolve(trial)
    found = [(route, p) for route, p in url_patterns() if route.replace("/^", "/") == match.route]
    label = model_of(*found[0]) if found else None
    if label is None:
        return None
    obj = _object_for(label, user, match.kwargs.get("slug"))
    if obj is None:
        return None
    path = template
    for n in names:
        path = path.replace("{" + n + "}", PLAIN_PARAMS.get(n) or str(obj.pk))
    return path


def test_no_write_accepts_fields_a_client_must_not_set(city, officials):
    clients = {}
    for role in WRITERS:
        clients[role] = Client()
        login_quietly(clients[role], officials[role])
    schema = clients[Role.APPROVER].get("/api/schema/?format=json").json()
    operations = _write_operations(schema)
    assert len(operations) > 20
    tested, problems, unexercised = 0, [], []
    audit_before = AuditEvent.objects.count()
    for template, method, documented in operations:
        extras = {k: v for k, v in EXTRAS.items() if k not in documented}
        outcome = None
        for role in WRITERS:
            path = _concrete(template, officials[role])
            if path is None:
                continue
            response = getattr(clients[role], method)(path, data=json.dumps(extras), content_type="application/json")
            if response.status_code in (403, 404, 405):
                outcome = outcome or f"{response.status_code} for every writer"
                continue  # this official may not write here; try the next
            if response.status_code != 400:
                problems.append(
                    f"{method.upper()} {path} as {role}: {response.status_code} for a body of forbidden fields"
                )
            else:
                body = response.json()
                unnamed = sorted(k for k in extras if k not in body)
                if unnamed:
                    problems.append(
                        f"{method.upper()} {path} as {role}: 400 without naming {unnamed}: {str(body)[:200]}"
                    )
            outcome = "tested"
            tested += 1
            break
        if outcome != "tested":
            unexercised.append(f"{method.upper()} {template}: {outcome or 'no object in the city'}")
    assert AuditEvent.objects.count() == audit_before, "a refused write left an audit row (it wrote something)"
    print(f"\nR6 mass assignment: {tested} of {len(operations)} write operations refused every forbidden field")
    print("\n".join(unexercised))
    assert not problems, "\n".join(problems)


# --- pages and exports apply the same table ------------------------------------------------------------


def test_pages_and_exports_apply_the_field_rules(regions, actors, client):
    from tests.helpers import household, member
    from tuopin.payments import actions as pay
    from tuopin.registry import actions as reg

    clerk = actors["clerk_a"]
    home = household(
        clerk,
        regions["a"],
        bank_account="6222021234567890123",
        members=[member("户主甲", birth="1958-07-19"), member("妻乙", "02", birth="1961-02-03", male=False)],
    )
    wife = home.members.get(relation="02")
    reg.set_member_year(wife, actor=clerk, year=2019, health="4", disability_category="4", disability_grade="2")
    batch = pay.create_batch(
        actor=actors["reviewer"],
        kind="yulu",
        programme="yulu",
        period="2019-2",
        region=regions["town"],
        title="雨露计划",
        lines=[{"household": home, "amount": "1500.00"}],
    )
    officials = {**actors, "cadre": make_user("p_cadre", Role.CADRE, "220422101201")}
    officials["inspector"] = make_user("p_inspector", Role.INSPECTOR, "220400000000")
    shown = {  # what each labelled field looks like on a page or in a file
        "bank_account_mask": home.bank_account_mask,
        "account_mask": home.bank_account_mask,
        "birth_date": "1961-02-03",
        "disability_category": "肢体残疾",
    }
    checked = 0
    for name in ("clerk_a", "reviewer", "approver", "leader", "cadre", "inspector"):
        user = officials[name]
        login_quietly(client, user)
        hidden = user.withheld_fields
        export = client.get("/households/export.csv")
        pages = {
            "household page": client.get(f"/households/{home.pk}/?year=2019"),
            "household export": export,
            "batch page": client.get(f"/payments/{batch.pk}/"),
        }
        pages = {
            where: (b"".join(r.streaming_content) if r.streaming else r.content).decode("utf-8-sig")
            for where, r in pages.items()
            if r.status_code == 200  # a page this role may not open at all is the access matrix's concern
        }
        for where, text in pages.items():
            for field, value in shown.items():
                if (
                    field == "account_mask"
                    and where != "batch page"
                    or field != "account_mask"
                    and where == "batch page"
                ):
                    continue
                if field in ("birth_date", "disability_category") and where != "household page":
                    continue
                checked += 1
                assert (value in text) == (field not in hidden), (
                    f"{name}, {where}: {field} {'shown' if value in text else 'missing'}"
                )
    assert checked > 20
