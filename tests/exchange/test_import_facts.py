"""The yearly housing, water, land and living facts of the 贫困户登记表: columns, per-cell problems, and the
committed rows equal to what ``set_household_year`` records for the same facts."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.exchange.conftest import HEADER, family, write_csv, write_xlsx
from tests.helpers import household, member
from tuopin.exchange import actions
from tuopin.exchange.households import FACT_KEYS, LABELS
from tuopin.exchange.report import template_xlsx
from tuopin.registry import actions as registry
from tuopin.registry.models import HouseholdYear

# The facts as a clerk writes them (labels, spellings, units in the header) and as the action takes them.
FACTS = {
    "住房面积（平方米）": ("72.5", "housing_area", "72.5"),
    "住房结构": ("砖混", "housing_structure", "2"),
    "建房年份": ("2008", "housing_built_year", 2008),
    "危房等级": ("C级", "housing_safety", "C"),
    "无房但已妥善安置": ("否", "housed_otherwise", False),
    "易地扶贫搬迁": ("否", "relocated", False),
    "饮水来源": ("受保护的井水和泉水", "water_source", "2"),
    "人均日供水量（升）": ("６０", "water_litres_per_day", 60),  # full-width digits
    "水质达标": ("达标", "water_quality_ok", True),
    "自来水入户": ("否", "water_piped", False),
    "取水往返时间（分钟）": ("25", "water_trip_minutes", 25),
    "取水水平距离（米）": ("800", "water_horizontal_m", 800),
    "取水垂直距离（米）": ("60", "water_vertical_m", 60),
    "年缺水天数": ("12", "water_shortage_days", 12),
    "耕地面积": ("8.5", "arable_land_mu", "8.5"),
    "有效灌溉面积（亩）": ("3", "irrigated_land_mu", "3"),
    "林地面积（亩）": ("1.25", "forest_land_mu", "1.25"),
    "牧草地面积（亩）": ("0", "grassland_mu", "0"),
    "水面面积（亩）": ("0.4", "water_surface_mu", "0.4"),
    "通生活用电": ("是", "has_electricity", True),
    "主要燃料": ("煤炭", "fuel", "3"),
    "入户路类型": ("砂石路", "road_type", "1"),
    "卫生厕所": ("无", "sanitary_toilet", False),
    "距村主干路（公里）": ("1.5", "km_to_main_road", "1.5"),
    "刚性支出": ("3000", "rigid_spending", "3000"),
    "吃穿不愁": ("是", "food_clothing_secure", True),
}
FACT_HEADER = [*HEADER, *FACTS]


def stage(user, path):
    batch = actions.stage_import(actor=user, source=path, filename=path.name)
    assert batch.status == "uploaded", batch.message
    return actions.validate_batch(batch, actor=user)


def with_facts(rows: list[dict], **override: str) -> list[dict]:
    """The household's facts on its first row only: the rows below are blank, "as above"."""
    rows[0].update({k: v[0] for k, v in FACTS.items()})
    rows[0].update(override)
    return rows


def problems(batch) -> list[tuple[int, str, str]]:
    return list(batch.issues.values_list("rownum", "column", "message"))


def test_every_fact_column_is_in_the_layout_and_the_template():
    keys = {key for _v, key, _a in FACTS.values()}
    assert keys == set(FACT_KEYS)  # every yearly fact of the model but the five incomes
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx())).get_sheet_by_index(0).to_python()
    assert {LABELS[k] for k in FACT_KEYS} <= set(sheet[0])
    codes = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx())).get_sheet_by_index(1).to_python()
    assert {LABELS["housing_safety"], LABELS["water_source"], LABELS["road_type"]} <= {r[0] for r in codes}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_facts_committed_as_set_household_year_records_them(media, clerk_a, regions, fmt):
    rows = with_facts(family("2204221012018001"))
    path = (write_xlsx if fmt == "xlsx" else write_csv)(media / f"facts.{fmt}", rows, FACT_HEADER)
    batch = stage(clerk_a, path)
    assert batch.error_count == 0, problems(batch)
    actions.commit_batch(batch, actor=clerk_a)
    imported = HouseholdYear.objects.get(household__number="2204221012018001", year=2019)
    ref = household(clerk_a, regions["a"], members=[member("甲"), member("乙", "02", male=False), member("丙", "03")])
    registry.set_household_year(
        ref,
        actor=clerk_a,
        year=2019,
        wage_income="12000",
        transfer_income="1500.5",
        **{key: action_value for _v, key, action_value in FACTS.values()},
    )
    expected = HouseholdYear.objects.get(household=ref, year=2019)
    for key in (*FACT_KEYS, "net_income", "net_income_per_capita", "size"):
        assert getattr(imported, key) == getattr(expected, key), key


def test_blank_facts_take_the_defaults_the_action_leaves(media, clerk_a):
    batch = stage(clerk_a, write_csv(media / "blank.csv", family("2204221012018002"), FACT_HEADER))
    assert batch.error_count == 0, problems(batch)
    actions.commit_batch(batch, actor=clerk_a)
    row = HouseholdYear.objects.get(household__number="2204221012018002")
    blank = HouseholdYear()
    for key in FACT_KEYS:
        assert getattr(row, key) == getattr(blank, key), key


def test_fact_errors_are_reported_per_cell(media, clerk_a):
    cases = [
        ("危房等级", "E级", "不在国家代码表"),  # bad grade
        ("人均日供水量（升）", "-5", "不能为负数"),  # negative litres
        ("取水往返时间（分钟）", "半小时", "应为整数"),  # text in a number cell
        ("耕地面积", "八亩", "应为数字"),
        ("人均日供水量（升）", "40000", "超出合理范围"),
        ("建房年份", "1800", "1900年"),
        ("年缺水天数", "400", "366天"),
        ("自来水入户", "大概", "应填“是”或“否”"),
        ("水质达标", "也许", "应填“是”或“否”"),
        ("住房面积（平方米）", "NaN", "应为数字"),
    ]
    rows, expected = [], []
    for k, (column, value, fragment) in enumerate(cases):
        house = with_facts(family(f"22042210120181{k:02d}", size=2), **{column: value})
        expected.append((len(rows) + 2, column, fragment))
        rows += house
    # 无房 with a house area: the rule across facts of set_household_year
    nohouse = with_facts(family("2204221012018199", size=1), **{"危房等级": "无房", "住房面积（平方米）": "30"})
    expected.append((len(rows) + 2, "住房面积（平方米）", "无房户的住房面积应填0"))
    rows += nohouse
    # a different value on a later member row of the same household
    clash = with_facts(family("2204221012018198", size=2))
    clash[1]["住房结构"] = "彩钢"
    expected.append((len(rows) + 3, "住房结构", "前后不一致"))
    rows += clash
    good = with_facts(family("2204221012018197", size=2))
    rows += good
    batch = stage(clerk_a, write_xlsx(media / "bad.xlsx", rows, FACT_HEADER))
    found = problems(batch)
    text = "\n".join(f"{r}|{c}|{m}" for r, c, m in found)
    for row, column, fragment in expected:
        assert any(r == row and c == LABELS_BY_HEADER[column] and fragment in m for r, c, m in found), (
            row,
            column,
            text,
        )
    assert len(found) == len(expected), text  # nothing else: the good household and the blanks pass
    assert batch.valid_households == 1


LABELS_BY_HEADER = {header: LABELS[key] for header, (_v, key, _a) in FACTS.items()}


def test_merged_and_number_cells_of_facts_are_understood(media, clerk_a):
    """A fact merged down the household's rows, numbers typed as Excel numbers: understood, nothing guessed."""
    rows = family("2204221012018300", size=3)
    header = [*HEADER, "住房面积（平方米）", "人均日供水量（升）", "住房安全等级"]
    path = media / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for j, key in enumerate(HEADER):
            sheet.write_string(r, j, str(row[key]))
    area, litres, grade = len(HEADER), len(HEADER) + 1, len(HEADER) + 2
    sheet.merge_range(1, area, 3, area, None)
    sheet.write_number(1, area, 64.5)
    sheet.write_number(1, litres, 80)  # only on the first row: the rows below are "as above"
    sheet.merge_range(1, grade, 3, grade, "a级")
    book.close()
    batch = stage(clerk_a, path)
    assert batch.error_count == 0, problems(batch)
    assert any("合并单元格" in n for n in batch.notes)
    actions.commit_batch(batch, actor=clerk_a)
    row = HouseholdYear.objects.get(household__number="2204221012018300")
    assert (str(row.housing_area), row.water_litres_per_day, row.housing_safety) == ("64.50", 80, "A")


def test_commit_reuses_the_preview_only_while_its_inputs_hold(media, clerk_a, regions):
    """The preview's validated cells are reused; a change to the regions makes the commit validate again."""
    from tuopin.core.models import AuditEvent
    from tuopin.geo.actions import create_region

    first = stage(clerk_a, write_csv(media / "a.csv", with_facts(family("2204221012018400"))))
    actions.commit_batch(first, actor=clerk_a)
    assert AuditEvent.objects.filter(action="import.commit").latest("seq").changes["cells_validated"] == "preview"
    second = stage(clerk_a, write_csv(media / "b.csv", with_facts(family("2204221012018401"))))
    create_region(actor=None, parent=regions["town"], code="220422101299", name="新设村", is_synthetic=True)
    actions.commit_batch(second, actor=clerk_a)
    assert AuditEvent.objects.filter(action="import.commit").latest("seq").changes["cells_validated"] == "commit"


def test_a_tampered_plan_cache_is_refused_not_unpickled(media, clerk_a):
    from tuopin.core.models import AuditEvent
    from tuopin.exchange import plancache

    batch = stage(clerk_a, write_csv(media / "a.csv", with_facts(family("2204221012018500"))))
    cache = actions.staged_path(batch).with_name(actions.staged_path(batch).name + ".plan")
    data = bytearray(cache.read_bytes())
    data[-5] ^= 0xFF  # one flipped byte in the pickled plan
    cache.write_bytes(bytes(data))
    key = plancache.fingerprint(batch, clerk_a)
    assert plancache.load(actions.staged_path(batch), key) is None
    actions.commit_batch(batch, actor=clerk_a)
    assert AuditEvent.objects.filter(action="import.commit").latest("seq").changes["cells_validated"] == "commit"
    assert not cache.exists()  # removed with the staged file
