"""``tuopin restore DIR [--verify]``: put a backup back; with --verify, prove nothing was lost or changed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuopin.core import audit
from tuopin.core.backup import compare, restore, table_digests


class Command(BaseCommand):
    help = "从备份恢复数据库（须先停止服务）；--verify 核对各表行数与内容哈希及审计链（恢复演练）。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="tuopin backup 生成的备份目录")
        parser.add_argument("--verify", action="store_true", help="恢复后核对清单与审计链")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接覆盖当前数据库")

    def handle(self, *args, source: str, verify: bool, yes: bool, **options):
        path = Path(source)
        if not (path / "manifest.json").exists():
            raise CommandError(f"{path} 不是 tuopin 备份目录（缺少 manifest.json）。")
        if not yes and input("恢复将覆盖当前数据库的全部数据，输入 yes 继续：").strip() != "yes":
            raise CommandError("已取消。")
        manifest = restore(path)
        self.stdout.write(f"已从 {path} 恢复。")
        if verify:
            problems = compare(manifest["tables"], table_digests())
            chain = audit.verify()
            for p in problems + chain.problems:
                self.stderr.write(p)
            if problems or not chain.ok:
                raise CommandError("恢复演练未通过：数据与备份清单不一致或审计链被破坏。")
            self.stdout.write(
                self.style.SUCCESS(f"恢复演练通过：{len(manifest['tables'])} 张表行数与内容哈希一致，审计链完整。")
            )
