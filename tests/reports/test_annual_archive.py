"""存档: an archived annual report keeps its figures with a SHA-256 checksum, is audited, detects
tampering, and tells whether today's records still give the same numbers."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from tests.assessment.conftest import standards  # noqa: F401  (fixture)
from tests.helpers import login_quietly
from tests.reports.annual_city import YEAR, city  # noqa: F401  (fixture)
from tuopin.core.models import AuditEvent
from tuopin.programmes import actions as prog
from tuopin.reports.annual.actions import freeze_annual_report
from tuopin.reports.annual.archive import canonical, compare
from tuopin.reports.annual.models import AnnualReportArchive

pytestmark = pytest.mark.django_db

CITY = "220400000000"


def freeze(client, user, code=CITY, note="年终存档"):
    login_quietly(client, user)
    return client.post(f"/reports/annual/{code}/{YEAR}/archive/", {"note": note})


def test_freezing_stores_the_figures_with_their_checksum(city, client):  # noqa: F811
    leader = city.actors["leader"]
    before = AuditEvent.objects.count()
    response = freeze(client, leader)
    archive = AnnualReportArchive.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/annual/archives/{archive.pk}/"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor_name, event.changes["sha256"]) == (
        "reports.annual_freeze",
        "leader",
        archive.sha256,
    )
    assert archive.sha256 == hashlib.sha256(canonical(archive.content)).hexdigest()
    assert archive.ruleset is not None and archive.content["assessment"]["ruleset_version"] == archive.ruleset.version
    assert (archive.created_by, archive.note, archive.schema) == (leader, "年终存档", archive.content["schema"])
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and archive.sha256 in body
    assert "校验值一致" in body and "当前记录得出完全相同的报告" in body
    download = json.loads(client.get(response["Location"], {"format": "json"}).content)
    assert download.pop("archive")["sha256"] == archive.sha256
    assert hashlib.sha256(canonical(download)).hexdigest() == archive.sha256


def test_a_changed_record_shows_in_the_comparison(city, client):  # noqa: F811
    freeze(client, city.actors["leader"])
    archive = AnnualReportArchive.objects.get()
    archived = archive.content["figures"]["housing.households"]["value"]
    prog.open_housing_case(
        actor=city.actors["clerk_a"],
        household=city.households["a3"],
        year=YEAR,
        kind="steel",
        subsidy="30000",
        planned_on="2019-03-01",
    )
    result = compare(archive)
    assert result.intact and not result.same_values and not result.same_content
    changed = {c["key"]: c for c in result.changed}
    assert set(changed) == {"housing.households", "housing.steel"}
    assert changed["housing.households"]["archived"] == f"{archived}户"
    assert changed["housing.households"]["today"] == f"{archived + 1}户"
    body = client.get(f"/reports/annual/archives/{archive.pk}/").content.decode()
    assert "2 个数字已变化" in body and "housing.households" in body
    archive.refresh_from_db()
    assert archive.content["figures"]["housing.households"]["value"] == archived  # the archive itself never changes


def test_tampering_is_detected(city, tmp_path):  # noqa: F811
    archive = freeze_annual_report(actor=None, region=city.regions["city"], year=YEAR)
    content = dict(archive.content)
    content["figures"] = {
        **content["figures"],
        "industry.funds": {**content["figures"]["industry.funds"], "value": "1"},
    }
    AnnualReportArchive.objects.filter(pk=archive.pk).update(content=content)
    archive.refresh_from_db()
    result = compare(archive)
    assert not result.intact and "industry.funds" in {c["key"] for c in result.changed}
    with pytest.raises(CommandError, match="存档内容已被改动"):
        call_command("report", "archive", str(archive.pk))


def test_cli_freeze_and_check(city, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "r.json"
    call_command(
        "report",
        "annual",
        "--year",
        str(YEAR),
        "--region",
        "220422",
        "--format",
        "json",
        "--output",
        str(out),
        "--user",
        "approver",
        "--freeze",
    )
    archive = AnnualReportArchive.objects.get()
    assert archive.region_id == "220422000000" and archive.created_by == city.actors["approver"]
    assert json.loads(out.read_text(encoding="utf-8"))["figures"] == archive.content["figures"]
    capsys.readouterr()
    call_command("report", "archive", str(archive.pk), "--user", "approver")
    doc = json.loads(capsys.readouterr().out)
    assert doc["intact"] and doc["same_values"] and doc["sha256"] == archive.sha256
    with pytest.raises(CommandError, match="不在该用户的管辖范围内"):
        call_command("report", "archive", str(archive.pk), "--user", "clerk_c")


def test_archives_are_scoped(city, client):  # noqa: F811
    freeze(client, city.actors["clerk_a"], code="220422101201")
    archive = AnnualReportArchive.objects.get()
    login_quietly(client, city.actors["outsider"])
    assert client.get(f"/reports/annual/archives/{archive.pk}/").status_code == 404
    assert client.get(f"/reports/annual/archives/{archive.pk}/", {"format": "json"}).status_code == 404
    login_quietly(client, city.actors["approver"])
    assert client.get(f"/reports/annual/archives/{archive.pk}/").status_code == 200
    listed = client.get("/reports/annual/").content.decode()
    assert f"/reports/annual/archives/{archive.pk}/" in listed


def test_the_action_checks_role_and_jurisdiction(city):  # noqa: F811
    from django.core.exceptions import PermissionDenied, ValidationError

    from tests.reports.annual_city import user
    from tuopin.accounts.roles import Role

    village_a = city.regions["a"]
    before = AuditEvent.objects.count()
    for actor in (user("a_cadre", Role.CADRE, village_a.code), city.actors["outsider"], city.actors["sysadmin"]):
        with pytest.raises(PermissionDenied):
            freeze_annual_report(actor=actor, region=village_a, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        freeze_annual_report(actor=city.actors["clerk_a"], region=village_a, year=YEAR, note="长" * 201)
    assert "note" in exc.value.message_dict
    assert AuditEvent.objects.count() == before and not AnnualReportArchive.objects.exists()
