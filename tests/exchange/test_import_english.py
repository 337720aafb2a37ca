"""An import does not depend on the clerk's interface language: the file is in the national form's Chinese
spelling whatever the language, and the problems are reported in the clerk's language."""

from __future__ import annotations

import io

from django.utils import translation
from python_calamine import CalamineWorkbook

from tests.exchange.conftest import family, write_xlsx
from tuopin.exchange import actions
from tuopin.exchange.models import BatchStatus
from tuopin.exchange.report import template_xlsx
from tuopin.registry.models import Member


def test_a_clerk_in_english_imports_the_chinese_national_form(media, clerk_a):
    rows = family("2204221012019101") + family("2204221012019102", size=2, seq=7)
    rows[1]["与户主关系"] = "之子之妻"  # not a relation: reported, in English
    with translation.override("en"):
        path = write_xlsx(media / "en.xlsx", rows)
        batch = actions.stage_import(actor=clerk_a, source=path, filename=path.name)
        assert batch.status == BatchStatus.UPLOADED, batch.message
        batch = actions.validate_batch(batch, actor=clerk_a)
    issues = list(batch.issues.values_list("rownum", "column", "message"))
    # Only the bad relation: the code tables' Chinese names (国家标准, 一般贫困户, 户主, 汉族 …) were understood.
    assert [(r, c) for r, c, _m in issues] == [(3, "与户主关系")], issues
    assert "is not in the national code table" in issues[0][2]
    rows[1]["与户主关系"] = "配偶"
    with translation.override("en"):
        path = write_xlsx(media / "en2.xlsx", rows)
        batch = actions.validate_batch(
            actions.stage_import(actor=clerk_a, source=path, filename=path.name), actor=clerk_a
        )
        assert batch.error_count == 0
        actions.commit_batch(batch, actor=clerk_a)
    assert Member.objects.filter(household__number="2204221012019101").count() == 3


def test_the_template_code_lists_stay_chinese_in_english():
    with translation.override("en"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx()))
    codes = book.get_sheet_by_index(1).to_python()
    names = {row[2] for row in codes[1:]}
    assert {"户主", "一般贫困户", "国家标准", "汉族"} <= names, sorted(names)[:20]
