"""Revealing a full ID number: only VIEW_PLAINTEXT_ID roles, with a reason, audited, never cached."""

from __future__ import annotations

import pytest

from tuopin.core.models import AuditEvent

from .conftest import FULL_ID


def test_approver_reveals_with_reason(client_for, approver, house_a, head_id):
    c = client_for(approver)
    head = house_a.members.get(relation="01")
    page = c.get(f"/households/{house_a.pk}/").content.decode()
    assert "查看完整号码" in page and head_id not in page
    reveal = f"/members/{head.pk}/reveal/"
    before = AuditEvent.objects.count()
    response = c.post(reveal, {"reason": "核对低保申请材料"})
    assert response.status_code == 200 and head_id in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "member.reveal_id" and "核对低保申请材料" in event.summary
    assert head_id not in event.summary and head_id not in str(event.changes)
    # htmx gets the fragment only.
    fragment = c.post(reveal, {"reason": "再次核对"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and head_id in fragment.content.decode()
    # The revealed number shows on the household page afterwards? No: the page stays masked.
    assert head_id not in c.get(f"/households/{house_a.pk}/").content.decode()


def test_reason_required(client_for, approver, house_a, head_id):
    head = house_a.members.get(relation="01")
    before = AuditEvent.objects.count()
    response = client_for(approver).post(f"/members/{head.pk}/reveal/", {"reason": " x "})
    assert "须填写事由" in response.content.decode() and head_id not in response.content.decode()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("name", "status"), [("clerk_a", 403), ("reviewer", 403), ("leader", 403), ("sysadmin", 404), ("auditadmin", 404)]
)
def test_others_are_refused_and_see_no_button(client_for, actors, house_a, name, status):
    """Roles that see the member but may not reveal get 403; the 三员, who see no member, get 404."""
    c = client_for(actors[name])
    head = house_a.members.get(relation="01")
    page = c.get(f"/households/{house_a.pk}/")
    assert "查看完整号码" not in page.content.decode() and not FULL_ID.search(page.content)
    for response in (c.get(f"/members/{head.pk}/reveal/"), c.post(f"/members/{head.pk}/reveal/", {"reason": "查看"})):
        assert response.status_code == status and not FULL_ID.search(response.content)
