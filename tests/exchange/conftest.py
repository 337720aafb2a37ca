"""Files the exchange tests make: member rows in the national layout, written as xlsx (xlsxwriter) or CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import xlsxwriter

from tests.api.conftest import api  # noqa: F401  (the leak-checking JSON client)
from tests.helpers import make_id

HEADER = [
    "县",
    "乡镇",
    "行政村",
    "村民小组",
    "户编号",
    "户主姓名",
    "识别标准",
    "贫困户属性",
    "主要致贫原因",
    "其他致贫原因",
    "识别年度",
    "数据年度",
    "姓名",
    "性别",
    "公民身份号码",
    "与户主关系",
    "民族",
    "文化程度",
    "健康状况",
    "劳动能力",
    "务工状况",
    "务工时间",
    "低保",
    "参加医保",
    "工资性收入",
    "转移性收入",
]


def family(
    number: str, *, village: str = "大榆村", town: str = "渭津镇", county: str = "东辽县", size: int = 3, seq: int = 0
):
    """Rows of one household: a head, a spouse and children, each with a fresh valid ID number."""
    rows = []
    for k in range(size):
        relation = ["户主", "配偶", "之子", "之女"][min(k, 3)]
        male = k in (0, 2)
        birth = ["1960-05-01", "1962-03-08", "1990-07-15", "1993-11-30"][min(k, 3)]
        rows.append(
            {
                "县": county,
                "乡镇": town,
                "行政村": village,
                "村民小组": "一组",
                "户编号": number,
                "户主姓名": f"成员{number[-4:]}0",
                "识别标准": "国家标准",
                "贫困户属性": "一般贫困户",
                "主要致贫原因": "因病",
                "其他致贫原因": "缺技术",
                "识别年度": "2016",
                "数据年度": "2019",
                "姓名": f"成员{number[-4:]}{k}",
                "性别": "男" if male else "女",
                "公民身份号码": make_id(birth, male=male),
                "与户主关系": relation,
                "民族": "汉族",
                "文化程度": "初中",
                "健康状况": "健康",
                "劳动能力": "普通劳动力",
                "务工状况": "省外务工",
                "务工时间": "6",
                "低保": "否",
                "参加医保": "是",
                "工资性收入": "12000",
                "转移性收入": "1500.5",
            }
        )
    return rows


def write_xlsx(
    path: Path, rows: list[dict], header: list[str] | None = None, *, before: list[list] | None = None
) -> Path:
    header = header or HEADER
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("贫困户登记表")
    r = 0
    for extra in before or []:
        sheet.write_row(r, 0, extra)
        r += 1
    sheet.write_row(r, 0, header)
    for row in rows:
        r += 1
        for j, key in enumerate(header):
            value = row.get(key, "")
            if isinstance(value, (int, float)):
                sheet.write_number(r, j, value)
            else:
                sheet.write_string(r, j, str(value))
    book.close()
    return path


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, *, encoding: str = "utf-8") -> Path:
    header = header or HEADER
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for row in rows:
        w.writerow([row.get(k, "") for k in header])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path
