"""等保 8.1.5 — the admin interface (and any 三员 request) only from the administration networks, the proxy
header believed only from a configured proxy, and every admin action audited."""

from __future__ import annotations

import base64

import pytest
from django.contrib import admin
from django.core.checks import run_checks
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD
from tests.helpers import login_quietly
from tuopin.accounts.models import User
from tuopin.accounts.roles import ADMIN_ROLES
from tuopin.core.admin import RoleAdmin
from tuopin.core.models import AuditEvent

ADMIN_NET = "10.1.0.0/16"
INSIDE, OUTSIDE = "10.1.2.3", "198.51.100.7"


@pytest.fixture
def restricted(settings):
    settings.ADMIN_NETWORKS = ADMIN_NET
    settings.TRUSTED_PROXY_HEADER = ""
    return settings


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        login_quietly(c, user)
    return c


def test_loopback_only_by_default(settings, actors):
    assert settings.ADMIN_NETWORKS == "127.0.0.1/32,::1/128"  # not the demo: closed to the network
    c = _client(actors["sysadmin"])
    assert c.get("/admin/").status_code == 200  # the test client calls from 127.0.0.1
    assert c.get("/admin/", REMOTE_ADDR="192.168.1.20").status_code == 403


def test_admin_interface_refused_outside_the_networks(restricted, actors):
    refused_before = AuditEvent.objects.filter(action="security.admin_network_refused").count()
    sysadmin = _client(actors["sysadmin"])
    assert sysadmin.get("/admin/", REMOTE_ADDR=INSIDE).status_code == 200
    assert sysadmin.get("/admin/accounts/user/", REMOTE_ADDR=OUTSIDE).status_code == 403
    # the login page too, for anybody, and a business user asking for it
    assert _client().get("/admin/login/", REMOTE_ADDR=OUTSIDE).status_code == 403
    assert _client(actors["clerk_a"]).get("/admin/", REMOTE_ADDR=OUTSIDE).status_code == 403
    rows = AuditEvent.objects.filter(action="security.admin_network_refused").order_by("seq")
    assert rows.count() == refused_before + 3
    last = rows.last()
    assert last.ip == OUTSIDE and last.actor_name == "clerk_a" and last.result == "refused"


def test_an_administrator_has_nothing_to_do_outside_the_networks(restricted, actors):
    for name in sorted(ADMIN_ROLES):
        c = _client(actors[name])
        assert c.get("/households/", REMOTE_ADDR=OUTSIDE).status_code == 403
        assert c.get("/api/households/", REMOTE_ADDR=OUTSIDE).status_code == 403
        assert c.post("/accounts/logout/", REMOTE_ADDR=OUTSIDE).status_code == 302  # leaving is always allowed
    # business users work from anywhere
    assert _client(actors["clerk_a"]).get("/households/", REMOTE_ADDR=OUTSIDE).status_code == 200


def test_basic_auth_of_an_administrator_refused_outside(restricted, actors):
    auth = "Basic " + base64.b64encode(f"auditadmin:{PASSWORD}".encode()).decode()
    assert Client().get("/api/regions/", HTTP_AUTHORIZATION=auth, REMOTE_ADDR=OUTSIDE).status_code == 401
    assert Client().get("/api/regions/", HTTP_AUTHORIZATION=auth, REMOTE_ADDR=INSIDE).status_code != 401


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(restricted, actors):
    c = _client(actors["sysadmin"])
    # not configured: the header is whatever the client wrote
    assert c.get("/admin/", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR=INSIDE).status_code == 403
    restricted.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    restricted.TRUSTED_PROXIES = "127.0.0.1/32"
    restricted.ADMIN_NETWORKS = f"{ADMIN_NET},127.0.0.1/32"
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert c.get("/admin/", HTTP_X_FORWARDED_FOR=INSIDE, **via_proxy).status_code == 200
    assert c.get("/admin/", HTTP_X_FORWARDED_FOR=OUTSIDE, **via_proxy).status_code == 403
    # the client prepends an inside address; the proxy appends the real one: the right-most counts
    assert c.get("/admin/", HTTP_X_FORWARDED_FOR=f"{INSIDE}, {OUTSIDE}", **via_proxy).status_code == 403
    # a proxy that sent no header (or garbage) does not lend the client its own loopback address
    assert c.get("/admin/", **via_proxy).status_code == 403
    assert c.get("/admin/", HTTP_X_FORWARDED_FOR="not-an-ip", **via_proxy).status_code == 403
    # the header from a host that is not the proxy is ignored
    assert c.get("/admin/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR=INSIDE).status_code == 403


def test_the_audit_trail_records_the_forwarded_client(restricted, actors):
    restricted.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    restricted.TRUSTED_PROXIES = "127.0.0.1/32"
    Client().post(
        "/accounts/login/",
        {"username": "clerk_a", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    row = AuditEvent.objects.filter(action="auth.login").order_by("-seq").first()
    assert row is not None and row.ip == "203.0.113.5"


def test_deploy_check_warns_when_the_admin_interface_is_open(settings, db):
    settings.ADMIN_NETWORKS = "0.0.0.0/0,::/0"
    ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
    assert "tuopin.W002" in ids
    settings.ADMIN_NETWORKS = "10.0.0.0/8"
    ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
    assert "tuopin.W002" not in ids


# --- every admin action is an audit row ----------------------------------------------------------------


def test_every_admin_page_is_role_gated_and_audited(actors):
    """Each registered admin either is a RoleAdmin (role-gated, every action audited) or grants no 三员 anything."""
    factory = RequestFactory()
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, RoleAdmin):
            continue
        for name in ADMIN_ROLES:
            request = factory.get("/admin/")
            request.user = actors[name]
            grants = [
                model_admin.has_view_permission(request),
                model_admin.has_add_permission(request),
                model_admin.has_change_permission(request),
                model_admin.has_delete_permission(request),
            ]
            assert not any(grants), f"{model._meta.label} admin is not a RoleAdmin but grants {name} access"


def test_admin_add_change_and_password_change_each_write_one_audit_row(actors, regions):
    c = _client(actors["sysadmin"])
    before = AuditEvent.objects.count()
    r = c.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "password1": "Liaoyuan-Clerk-2019!",
            "password2": "Liaoyuan-Clerk-2019!",
            "full_name": "新信息员",
            "role": "clerk",
            "jurisdiction": regions["a"].code,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    user = User.objects.get(username="newclerk")
    added = AuditEvent.objects.filter(seq__gt=0).order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1 and added.action == "admin.add" and added.actor_name == "sysadmin"
    assert "Liaoyuan-Clerk-2019!" not in str(added.changes) and "pbkdf2" not in str(added.changes)

    r = c.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "newclerk",
            "full_name": "新信息员",
            "unit": "",
            "role": "clerk",
            "jurisdiction": regions["b"].code,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2019-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    changed = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 2 and changed.action == "admin.change"
    assert changed.changes.get("jurisdiction") == str(regions["b"])

    r = c.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Liaoyuan-New-2020!", "password2": "Liaoyuan-New-2020!"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    pw = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 3 and pw.action == "admin.change" and pw.object_id == str(user.pk)
    assert "Liaoyuan-New-2020!" not in str(pw.changes) + pw.summary
    user.refresh_from_db()
    assert user.check_password("Liaoyuan-New-2020!")
