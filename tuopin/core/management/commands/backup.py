"""``tuopin backup [--dir DIR]``: copy the database (SQLite or PostgreSQL) with a manifest of every table."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tuopin.core import audit
from tuopin.core.backup import backup


class Command(BaseCommand):
    help = "备份数据库（含每张表的行数和内容哈希清单），供恢复演练核对。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.DATA_DIR / "backups"), help="备份目录")

    def handle(self, *args, dir: str, **options):  # noqa: A002 - the option's name
        target = backup(Path(dir))
        with transaction.atomic():
            audit.record(
                None, "system.backup", object_type="backup", object_id=target.name, summary=f"数据库备份 {target}"
            )
        self.stdout.write(self.style.SUCCESS(f"备份完成：{target}"))
