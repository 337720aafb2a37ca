"""``tuopin audit verify``: check the audit trail's hash chain; exit status 1 when it is broken."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，发现被修改、删除或插入的记录。"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"], help="verify: 校验整条哈希链")

    def handle(self, *args, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共校验 {result.checked} 条记录。"))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"审计链被破坏：发现 {len(result.problems)} 处问题（已校验 {result.checked} 条）。")
