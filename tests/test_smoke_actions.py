import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Household


def test_create_household_writes_one_audit_row(clerk_a, regions):
    before = AuditEvent.objects.count()
    h = household(clerk_a, regions["a"])
    assert h.member_count == 2 and h.head_name == "赵家星"
    assert AuditEvent.objects.count() == before + 1
    assert Household.objects.visible_to(clerk_a).filter(pk=h.pk).exists()


def test_outsider_cannot_create_in_village_a(outsider, regions):
    with pytest.raises(PermissionDenied):
        household(outsider, regions["a"])
    assert not Household.objects.exists()


def test_person_in_two_households_refused(clerk_a, regions):
    pid = make_id("1950-01-01")
    household(clerk_a, regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    with pytest.raises(ValidationError) as err:
        household(clerk_a, regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    assert "members[0].id_number" in err.value.message_dict
    assert Household.objects.count() == 1


def test_no_head_refused(clerk_a, regions):
    with pytest.raises(ValidationError):
        household(clerk_a, regions["a"], members=[member("乙", "02")])
