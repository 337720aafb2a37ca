"""The admin site by role (三员分立): who may enter, what each may touch, and that changes are audited."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuopin.accounts.models import User
from tuopin.core.models import AuditEvent


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("sysadmin", "/admin/", 200),
        ("sysadmin", "/admin/accounts/user/", 200),
        ("sysadmin", "/admin/geo/region/", 200),
        ("sysadmin", "/admin/core/auditevent/", 403),
        ("auditadmin", "/admin/core/auditevent/", 200),
        ("auditadmin", "/admin/accounts/user/", 403),
        ("secadmin", "/admin/core/auditevent/", 403),
        ("secadmin", "/admin/accounts/user/", 403),
        ("clerk_a", "/admin/", 302),
        ("approver", "/admin/accounts/user/", 302),
    ],
)
def test_admin_access_by_role(actors, client_for, who, url, status):
    assert client_for(actors[who]).get(url).status_code == status


def test_audit_rows_cannot_be_changed_in_admin(actors, client_for, regions):
    row = AuditEvent.objects.order_by("seq").first()
    client = client_for(actors["auditadmin"])
    assert client.get(f"/admin/core/auditevent/{row.pk}/change/").status_code == 200
    assert client.post(f"/admin/core/auditevent/{row.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{row.pk}/change/", {"summary": "x"}).status_code == 403


def test_region_change_in_admin_is_audited(actors, client_for, regions):
    client = client_for(actors["sysadmin"])
    before = AuditEvent.objects.count()
    resp = client.post(f"/admin/geo/region/{regions['a'].code}/change/", {"name": "大榆树村", "is_synthetic": "on"})
    assert resp.status_code == 302
    regions["a"].refresh_from_db()
    assert regions["a"].name == "大榆树村"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-seq").first().actor_name == "sysadmin"


def test_createadmin_enforces_password_policy_and_unique_names(db, tmp_path):
    weak = tmp_path / "weak"
    weak.write_text("12345678")
    with pytest.raises(CommandError):
        call_command("createadmin", "sec1", role="secadmin", password_file=str(weak))
    good = tmp_path / "good"
    good.write_text("Liaoyuan-Sec-2019!")
    call_command("createadmin", "sec1", role="secadmin", password_file=str(good))
    assert User.objects.get(username="sec1").role == "secadmin"
    with pytest.raises(CommandError):
        call_command("createadmin", "SEC1", role="auditadmin", password_file=str(good))
