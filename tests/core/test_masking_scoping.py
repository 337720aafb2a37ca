"""Masking of free text and logs; prefix ranges behind jurisdiction scoping."""

import logging

import pytest

from tests.helpers import household, make_id
from tuopin.core.masking import MaskPIIFilter, mask_account, mask_name, mask_phone, scrub
from tuopin.core.scoping import next_prefix, prefix_range_q
from tuopin.geo.models import Region
from tuopin.registry.models import Household, Member


def test_scrub_masks_ids_accounts_and_phones():
    pid = make_id("1961-02-03")
    text = f"身份证{pid}，账号6217000012345678901，电话13812345678"
    out = scrub(text)
    assert pid not in out and pid[:6] + "********" + pid[-4:] in out
    assert "6217000012345678901" not in out and "8901" in out
    assert "138****5678" in out


def test_log_filter_scrubs_records():
    pid = make_id()
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad member %s", (pid,), None)
    MaskPIIFilter().filter(record)
    assert pid not in record.getMessage()


def test_simple_masks():
    assert mask_account("6217 0000 1234 5678") == "************5678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧**娜"


@pytest.mark.parametrize(("prefix", "upper"), [("2204", "2205"), ("2209", "221"), ("22049", "2205"), ("99", None)])
def testnext_prefix(prefix, upper):
    assert next_prefix(prefix) == upper


def test_prefix_range_selects_exactly_the_subtree(db):
    inside = set(Region.objects.filter(prefix_range_q("code", "220422")).values_list("code", flat=True))
    expected = {c for c in Region.objects.values_list("code", flat=True) if c.startswith("220422")}
    assert inside == expected and "220422101000" in inside and "220421102000" not in inside


def test_visible_to_by_role_and_level(actors, regions):
    h_a = household(actors["clerk_a"], regions["a"])
    h_c = household(actors["clerk_c"], regions["c"])
    seen = {name: set(Household.objects.visible_to(u).values_list("pk", flat=True)) for name, u in actors.items()}
    assert seen["clerk_a"] == {h_a.pk}
    assert seen["outsider"] == set()
    assert seen["reviewer"] == {h_a.pk} and seen["approver"] == {h_a.pk}
    assert seen["leader"] == {h_a.pk, h_c.pk}
    assert seen["sysadmin"] == seen["secadmin"] == seen["auditadmin"] == set()
    assert Member.objects.visible_to(actors["outsider"]).count() == 0
    assert Member.objects.visible_to(actors["clerk_a"]).count() == h_a.member_count


def test_inactive_user_sees_nothing(actors, regions):
    household(actors["clerk_a"], regions["a"])
    actors["leader"].is_active = False
    assert Household.objects.visible_to(actors["leader"]).count() == 0
