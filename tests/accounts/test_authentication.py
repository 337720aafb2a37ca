"""R7 — authentication and session (等保 身份鉴别 a–d): password policy, lockout, idle timeout,
second factor for privileged roles, CSRF, no default accounts, dormant accounts, check --deploy."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tuopin.accounts.security import disable_dormant_accounts
from tuopin.core.models import AuditEvent


@pytest.mark.parametrize("password", ["short1!", "alllowercaseletters", "ALLUPPER12345", "password123", "Abcdefghij"])
def test_weak_passwords_refused(password, actors):
    with pytest.raises(ValidationError):
        validate_password(password, actors["clerk_a"])


def test_strong_password_accepted(actors):
    validate_password("Liaoyuan-2019!", actors["clerk_a"])


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.5")


def test_login_logout_and_failures_are_audited(actors):
    client = Client()
    assert _login(client, "clerk_a", "wrong").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id="clerk_a").count() == 1
    assert _login(client, "clerk_a", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor_name="clerk_a").count() == 1
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="auth.logout", actor_name="clerk_a").count() == 1


@override_settings(AXES_FAILURE_LIMIT=5)
def test_account_locked_after_five_failures_even_with_the_right_password(actors):
    client = Client()
    for _ in range(5):
        _login(client, "clerk_a", "wrong")
    locked = _login(client, "clerk_a", PASSWORD)
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    # another account from another address is unaffected
    other = Client()
    assert (
        other.post(
            "/accounts/login/", {"username": "reviewer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        == 302
    )


@override_settings(AXES_FAILURE_LIMIT=5)
def test_address_locked_after_failures_across_usernames(actors):
    client = Client()
    for name in ["clerk_a", "reviewer", "approver", "leader", "outsider"]:
        _login(client, name, "wrong")
    assert _login(client, "clerk_c", PASSWORD).status_code == 429


def test_idle_session_expires(actors, settings):
    client = Client()
    _login(client, "clerk_a", PASSWORD)
    assert client.get("/households/").status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 30 * 60
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # idle past the timeout
    response = client.get("/households/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logout_invalidates_the_server_side_session(actors):
    client = Client()
    _login(client, "clerk_a", PASSWORD)
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/households/").status_code == 302


def test_login_requires_csrf_token(actors):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "clerk_a", "password": PASSWORD}).status_code == 403


@override_settings(TWO_FACTOR_ROLES=frozenset({"approver", "sysadmin"}))
def test_privileged_role_needs_totp_before_anything(actors):
    client = Client()
    assert _login(client, "approver", PASSWORD).status_code == 302
    page = client.get("/households/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/otp/")
    assert client.get("/api/households/").status_code == 403
    enrol = client.get("/accounts/otp/")
    assert enrol.status_code == 200 and "<svg" in enrol.content.decode()
    assert client.post("/accounts/otp/", {"token": "000000"}).status_code == 400
    device = TOTPDevice.objects.get(user=actors["approver"])
    # right after a wrong code even the right one is refused (throttling doubles the wait each time)
    assert client.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # stands for waiting out the throttle
    ok = client.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}", "next": "/households/"})
    assert ok.status_code == 302 and ok["Location"] == "/households/"
    assert client.get("/households/").status_code == 200
    assert client.get("/api/households/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_enrolled", actor_name="approver").count() == 1
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor_name="approver").count() == 2


@override_settings(TWO_FACTOR_ROLES=frozenset({"approver"}))
def test_basic_auth_refused_for_privileged_role(actors):
    import base64

    token = base64.b64encode(f"approver:{PASSWORD}".encode()).decode()
    assert Client().get("/api/households/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 401
    token = base64.b64encode(f"clerk_a:{PASSWORD}".encode()).decode()
    assert Client().get("/api/households/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200


@override_settings(TWO_FACTOR_ROLES=frozenset({"approver"}))
def test_other_roles_need_no_second_factor(actors):
    client = Client()
    _login(client, "clerk_a", PASSWORD)
    assert client.get("/households/").status_code == 200


def test_dormant_accounts_disabled(actors):
    old = actors["leader"]
    old.last_login = timezone.now() - dt.timedelta(days=120)
    old.save()
    recent = actors["clerk_a"]
    recent.last_login = timezone.now() - dt.timedelta(days=3)
    recent.save()
    disabled = disable_dormant_accounts()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert "leader" in disabled and not old.is_active and recent.is_active


def test_demo_accounts_flagged_by_deploy_check(regions, capsys):
    from tuopin.accounts.checks import no_demo_accounts
    from tuopin.core.management.commands.demo import ensure_demo_accounts

    assert no_demo_accounts(None) == []
    ensure_demo_accounts()
    warnings = no_demo_accounts(None)
    assert warnings and warnings[0].id == "tuopin.W001"


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        **os.environ,
        "TUOPIN_PRODUCTION": "1",
        "TUOPIN_HOME_DIR": str(tmp_path),
        "TUOPIN_SECRET_KEY": "x" * 20 + "Production-Secret-Key-For-Check-0123456789abcdef",
        "TUOPIN_ALLOWED_HOSTS": "tuopin.example.gov.cn",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "tuopin", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
