"""``tuopin hygiene [--purge-sessions]``: residual personal data left in files or sessions (tuopin/core/hygiene.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.core import hygiene


class Command(BaseCommand):
    help = "剩余信息检查：遗留的导入暂存文件和上传临时文件、过期会话；发现遗留文件时退出码为1。"

    def add_arguments(self, parser):
        parser.add_argument("--purge-sessions", action="store_true", help="删除已过期的会话记录")

    def handle(self, *args, purge_sessions=False, **options):
        found = hygiene.scan(purge_sessions=purge_sessions)
        for line in found.warnings:
            self.stdout.write(self.style.WARNING(line))
        sessions = f"过期会话 {found.expired_sessions} 条" + (
            f"，已删除 {found.purged_sessions} 条" if purge_sessions else ""
        )
        if found.ok:
            self.stdout.write(self.style.SUCCESS(f"未发现遗留文件；{sessions}。"))
            return
        for line in found.leftovers:
            self.stderr.write(line)
        raise CommandError(f"发现 {len(found.leftovers)} 处遗留文件；{sessions}。")
