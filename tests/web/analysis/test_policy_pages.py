"""Standards and rule-set pages: the table, applicable values, approver forms (add, change with
reason, overlap and jurisdiction refused in Chinese), 403 for others, history, diff and comparison."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_token
from tuopin.core.models import AuditEvent
from tuopin.policy.actions import add_standard, freeze_ruleset, replace_standard
from tuopin.policy.models import Standard

NEW = "/policy/standards/new/"


def add_data(**over):
    data = {
        "name": "dibao_standard",
        "region_prefix": "220422",
        "effective_year": "2019",
        "value": "3900",
        "source": "东辽县文件",
        "confidence": "sourced",
    }
    return {**data, **over}


def test_everyone_in_business_reads_the_table(client_for, clerk_a, standards):
    body = client_for(clerk_a).get("/policy/standards/").content.decode()
    assert "扶贫标准（贫困线）" in body and "3218" in body and "全国" in body
    assert "元/人·年" in body and "有出处" in body
    assert NEW not in body  # read-only for a clerk


def test_applicable_values_for_a_village_in_2019(client_for, clerk_a, approver, standards):
    add_standard(actor=approver, name="dibao_standard", region_prefix="220422", effective_year=2019, value="3900")
    body = client_for(clerk_a).get("/policy/standards/?year=2019&region=220422101201").content.decode()
    table = body[body.index("适用取值查询") : body.index("现行标准")]
    assert "大榆村2019年适用的取值" in table
    row = table[table.index("农村低保标准") :]
    assert row.index("3900") < row.index("东辽县") < row.index("</tr>")
    line = table[table.index("扶贫标准（贫困线）") :]
    assert line.index("3218") < line.index("全国") < line.index("</tr>")


def test_approver_adds_within_the_jurisdiction(csrf_client_for, approver, standards):
    client = csrf_client_for(approver)
    token = csrf_token(client, NEW)
    response = client.post(NEW, {**add_data(), "csrfmiddlewaretoken": token})
    row = Standard.objects.get(name="dibao_standard", region_prefix="220422")
    assert response.status_code == 302 and response["Location"] == f"/policy/standards/{row.pk}/"
    assert row.value == "3900" and row.created_by == "approver"
    assert AuditEvent.objects.filter(action="standard.add", object_id=str(row.pk)).count() == 1


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({}, "effective_year", "在该地区2019年已有取值"),
        ({"value": "很多"}, "value", "不是农村低保标准的有效取值"),
        ({"region_prefix": "220421"}, "region_prefix", "只能维护本辖区（220422）范围内的标准"),
        ({"region_prefix": "22042"}, "region_prefix", "地区代码前缀应为2、4、6、9或12位数字"),
    ],
)
def test_refusals_are_shown_next_to_the_field(client_for, approver, standards, over, field, message):
    add_standard(actor=approver, name="dibao_standard", region_prefix="220422", effective_year=2019, value="3900")
    before = Standard.objects.count()
    response = client_for(approver).post(NEW, add_data(**over))
    assert response.status_code == 200 and Standard.objects.count() == before
    body = response.content.decode()
    field_html = body[body.index(f'name="{field}"') :]
    errors = field_html[: field_html.find('<div class="field', 1)]
    assert "errorlist" in errors and message in errors


def test_clerk_and_leader_get_403(client_for, clerk_a, actors, standards):
    row = Standard.objects.filter(retired_at__isnull=True).first()
    for user in (clerk_a, actors["leader"]):
        client = client_for(user)
        assert client.get(NEW).status_code == 403
        assert client.post(NEW, add_data()).status_code == 403
        assert client.post(f"/policy/standards/{row.pk}/", {"value": "1", "reason": "x"}).status_code == 403
        assert "修改取值" not in client.get(f"/policy/standards/{row.pk}/").content.decode()
    assert not Standard.objects.filter(region_prefix="220422").exists()


def test_approver_changes_a_value_with_reason_and_history_shows_it(client_for, approver, standards):
    old = add_standard(actor=approver, name="dibao_standard", region_prefix="220422", effective_year=2019, value="3900")
    client = client_for(approver)
    response = client.post(f"/policy/standards/{old.pk}/", {"value": "4100", "source": "", "reason": "县政府调整低保"})
    new = Standard.objects.get(name="dibao_standard", region_prefix="220422", retired_at__isnull=True)
    assert response.status_code == 302 and response["Location"] == f"/policy/standards/{new.pk}/"
    assert new.value == "4100" and new.source == old.source
    body = client.get(f"/policy/standards/{new.pk}/").content.decode()
    history = body[body.index("取值历史") :]
    assert history.index("3900") < history.index("4100")
    assert "县政府调整低保" in history and "approver" in history and "首次录入" in history
    # The old row's page says it is history and links to the current one.
    assert f"/policy/standards/{new.pk}/" in client.get(f"/policy/standards/{old.pk}/").content.decode()


def test_change_needs_a_reason_and_stays_in_jurisdiction(client_for, approver, standards):
    own = add_standard(actor=approver, name="dibao_standard", region_prefix="220422", effective_year=2019, value="3900")
    client = client_for(approver)
    body = client.post(f"/policy/standards/{own.pk}/", {"value": "4100", "reason": " "}).content.decode()
    reason = body[body.index('name="reason"') :]
    assert "errorlist" in reason[: reason.find("</div>\n</div>")]
    assert Standard.objects.get(pk=own.pk).retired_at is None
    national = Standard.objects.get(name="poverty_line", region_prefix="", effective_year=2019, retired_at__isnull=True)
    assert "修改取值" not in client.get(f"/policy/standards/{national.pk}/").content.decode()
    body = client.post(f"/policy/standards/{national.pk}/", {"value": "5000", "reason": "试图修改"}).content.decode()
    assert "只能维护本辖区（220422）范围内的标准" in body
    national.refresh_from_db()
    assert national.retired_at is None and national.value == "3218"


def test_ruleset_diff_shows_the_changed_value(client_for, clerk_a, approver, standards):
    row = add_standard(actor=approver, name="dibao_standard", region_prefix="220422", effective_year=2019, value="3900")
    freeze_ruleset(2019, actor=None)
    replace_standard(row, actor=approver, value="4100", reason="调整")
    freeze_ruleset(2019, actor=None)
    client = client_for(clerk_a)
    listing = client.get("/policy/rulesets/").content.decode()
    assert "第2版" in listing and "/policy/rulesets/diff/?year=2019&amp;old=1&amp;new=2" in listing
    body = client.get("/policy/rulesets/diff/?year=2019&old=1&new=2").content.decode()
    table = body[body.index("<table") :]
    assert "农村低保标准" in table and "东辽县" in table
    assert "<del>3900</del>" in table and "<ins>4100</ins>" in table
    assert "请选择该年度已有的版本：1、2" in client.get("/policy/rulesets/diff/?year=2019&old=1&new=9").content.decode()


def test_compare_on_cohort(client_for, approver, actors, cohort):
    freeze_ruleset(2019, actor=None)
    add_standard(actor=approver, name="poverty_line", region_prefix="220422", effective_year=2019, value="20000")
    freeze_ruleset(2019, actor=None)
    client = client_for(approver)
    query = "?year=2019&region=220422101201&old=1&new=2"
    body = client.get("/policy/rulesets/compare/" + query).content.decode()
    assert "评估户数" in body
    changed = body[body.index("结果变化的户") :]
    for key in ("ok1", "ok2", "d_house"):
        assert cohort[key].number in changed
    assert cohort["b"].number not in changed  # village B is not in the cohort asked for
    assert "<del>达标</del> → <ins>未达标</ins>" in changed
    # Versions that do not exist are reported next to the field.
    missing = client.get("/policy/rulesets/compare/?year=2019&region=220422101201&old=1&new=7").content.decode()
    assert "该年度没有这个版本" in missing
    assert client_for(actors["leader"]).get("/policy/rulesets/compare/" + query).status_code == 403
