"""``tuopin policy load FILE`` / ``export`` / ``show --year Y --region CODE`` / ``diff --year Y``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuopin.policy.actions import diff_rulesets, dump_standards, freeze_ruleset, load_standards
from tuopin.policy.definitions import DEFINITIONS
from tuopin.policy.models import RuleSet, Standard
from tuopin.policy.resolve import Resolver

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "standards.json"


class Command(BaseCommand):
    help = "政策标准：load 导入标准文件；export 导出；show 查看某地某年适用的标准；diff 比较规则集版本。"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["load", "export", "show", "diff", "freeze"])
        parser.add_argument("file", nargs="?", help=f"标准文件（默认 {DEFAULT_FILE.name}）")
        parser.add_argument("--year", type=int)
        parser.add_argument("--region", default="220400000000")

    def handle(self, *args, subcommand, file, year, region, **options):
        if subcommand == "load":
            path = Path(file) if file else DEFAULT_FILE
            try:
                counts = load_standards(json.loads(path.read_text(encoding="utf-8")), actor=None)
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"读取标准文件失败：{exc}") from None
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            self.stdout.write(
                f"新增 {counts['added']} 条，修改 {counts['replaced']} 条，未变 {counts['unchanged']} 条。"
            )
        elif subcommand == "export":
            text = json.dumps(dump_standards(), ensure_ascii=False, indent=1)
            (Path(file).write_text(text, encoding="utf-8") if file else sys.stdout.write(text + "\n"))
        elif subcommand == "show":
            if not year:
                raise CommandError("请用 --year 指定年度。")
            rows = Standard.objects.filter(retired_at__isnull=True).values(
                "name", "region_prefix", "effective_year", "value"
            )
            resolver = Resolver(rows)
            for name, definition in DEFINITIONS.items():
                found = resolver.row(name, region, year)
                where = "—" if found is None else f"{found[2]}（{found[0] or '全国'}，{found[1]}年起）"
                self.stdout.write(f"{definition.label}：{where}")
        elif subcommand == "freeze":
            if not year:
                raise CommandError("请用 --year 指定年度。")
            self.stdout.write(str(freeze_ruleset(year, actor=None).label))
        else:
            if not year:
                raise CommandError("请用 --year 指定年度。")
            versions = list(RuleSet.objects.filter(year=year).order_by("-version")[:2])
            if len(versions) < 2:
                raise CommandError(f"{year}年只有{len(versions)}版规则集，无可比较。")
            for row in diff_rulesets(versions[1], versions[0]):
                self.stdout.write(
                    f"{row['label']}（{row['region_prefix'] or '全国'}，{row['effective_year']}年起）："
                    f"{row['old']} → {row['new']}"
                )
