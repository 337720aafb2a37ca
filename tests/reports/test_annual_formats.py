"""The annual report's three formats (web page / CLI HTML, xlsx, JSON) carry the same values; exports
name who and when, neutralise formulas and are audited; the CLI respects ``--user``'s jurisdiction."""

from __future__ import annotations

import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from tests.assessment.conftest import standards  # noqa: F401  (fixture)
from tests.helpers import login_quietly
from tests.reports.annual_city import YEAR, city  # noqa: F401  (fixture)
from tuopin.core.models import AuditEvent
from tuopin.programmes import actions as prog
from tuopin.reports.annual.figures import FIGURES, TABLE

pytestmark = pytest.mark.django_db

CITY = "220400000000"


def web_json(client, user, code=CITY) -> dict:
    login_quietly(client, user)
    response = client.get(f"/reports/annual/{code}/{YEAR}/", {"format": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def cli(tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"report.{fmt}"
    call_command(
        "report", "annual", "--year", str(YEAR), "--region", "220400", "--format", fmt, "--output", str(out), *extra
    )
    return out


def xlsx_values(body: bytes) -> tuple[list[list], dict[str, object]]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("年度报告").to_python()
    header = rows.index(next(r for r in rows if r and r[0] == "章节"))
    return rows, {r[1]: r[3] for r in rows[header + 1 :] if r and r[1]}


def same(json_value, cell) -> bool:
    if json_value is None:
        return cell in ("", None)
    return Decimal(str(json_value)) == Decimal(str(cell)).quantize(Decimal(str(json_value)))


def test_web_and_cli_json_carry_the_same_figures(city, client, tmp_path):  # noqa: F811
    web = web_json(client, city.actors["leader"])
    doc = json.loads(cli(tmp_path, "json").read_text(encoding="utf-8"))
    strip = ("generated_at", "generated_by", "stamp")
    assert {k: v for k, v in web.items() if k not in strip} == {k: v for k, v in doc.items() if k not in strip}
    assert web["generated_by"] == "leader（leader）" and doc["generated_by"] == "系统（命令行）"
    assert set(web["figures"]) == {
        k for k, f in FIGURES.items() if f.applies is None or f.applies(city.regions["city"])
    }
    f = web["figures"]["housing.households"]
    assert f == {**f, "unit": "户", "label": "解决住房安全问题的建档立卡户", "kind": "count"}
    assert f["trace"] == f"/reports/annual/{CITY}/{YEAR}/trace/housing.households/"
    assert isinstance(web["figures"]["industry.funds"]["value"], str)  # exact decimals, never floats


def test_xlsx_carries_the_same_values_as_json(city, client, tmp_path):  # noqa: F811
    doc = web_json(client, city.actors["leader"])
    body = cli(tmp_path, "xlsx").read_bytes()
    rows, values = xlsx_values(body)
    assert rows[1][0].startswith("导出人：系统（命令行）　导出时间：")
    figures = {k: f for k, f in doc["figures"].items() if f["kind"] != TABLE}
    assert set(values) == set(figures)
    for key, f in figures.items():
        assert same(f["value"], values[key]), key
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("项目分红").to_python()
    names = [r[0] for r in sheet[4:]]
    assert sorted(names) == sorted(row["name"] for row in doc["figures"]["industry.dividends_by_project"]["value"])


def test_html_shows_every_figure_with_the_same_display(city, client, tmp_path):  # noqa: F811
    doc = web_json(client, city.actors["leader"])
    text = cli(tmp_path, "html").read_text(encoding="utf-8")
    assert "<style>" in text and "@page" in text  # standalone, printable
    login_quietly(client, city.actors["leader"])
    page = client.get(f"/reports/annual/{CITY}/{YEAR}/").content.decode()
    for body in (text, page):
        shown = {k: html.unescape(v) for k, v in re.findall(r'data-key="([^"]+)"[^>]*>([^<]+)<', body)}
        for key, f in doc["figures"].items():
            if f["kind"] == TABLE:
                continue
            assert shown.get(key) == (f["display"] if f["value"] is not None else "无法计算"), key


def test_formulas_are_neutralised_in_xlsx(city, client):  # noqa: F811
    approver = city.actors["approver"]
    p = prog.create_project(
        actor=approver,
        name='=HYPERLINK("http://x")',
        kind="planting",
        region="220422000000",
        dividend_rule="fixed",
        dividend_fixed="100",
    )
    prog.add_beneficiaries(p, actor=approver, households=[city.households["a3"]], linkage="dividend", since_year=YEAR)
    login_quietly(client, city.actors["leader"])
    body = client.get(f"/reports/annual/{CITY}/{YEAR}/", {"format": "xlsx"}).content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_name("项目分红").to_python()
    assert '\'=HYPERLINK("http://x")' in [r[0] for r in sheet]


def test_exports_are_audited(city, client, tmp_path):  # noqa: F811
    before = AuditEvent.objects.filter(action="reports.annual_export").count()
    web_json(client, city.actors["leader"])
    cli(tmp_path, "json")
    rows = AuditEvent.objects.filter(action="reports.annual_export").order_by("seq")
    assert rows.count() == before + 2
    assert [r.actor_name for r in rows][-2:] == ["leader", "system"]


def test_cli_scoped_to_a_user(city, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="不在用户“outsider”的管辖范围内"):
        cli(tmp_path, "json", "--user", "outsider")
    out = tmp_path / "b.json"
    call_command(
        "report",
        "annual",
        "--year",
        "2019",
        "--region",
        "220422101202",
        "--format",
        "json",
        "--output",
        str(out),
        "--user",
        "outsider",
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["region"]["code"] == "220422101202" and doc["generated_by"] == "outsider（outsider）"
    with pytest.raises(CommandError, match="没有名为"):
        cli(tmp_path, "json", "--user", "nobody")
    with pytest.raises(CommandError, match="无权查看业务数据"):
        cli(tmp_path, "json", "--user", "sysadmin")


def test_readme_documents_every_json_key():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [key for key in FIGURES if f"`{key}`" not in readme]
    assert not missing, "figure keys missing from the README table: " + ", ".join(missing)
