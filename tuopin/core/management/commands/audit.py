"""``tuopin audit verify``: check the audit trail's hash chain; exit status 1 when it is broken."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，发现被修改、删除或插入的记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "subcommand",
            choices=["verify", "purge", "lockdown"],
            help="verify 校验哈希链；purge 按保留期清理；lockdown 收回数据库角色的改删权限",
        )
        parser.add_argument("--before", help="purge：清理此日期（YYYY-MM-DD）之前的记录")
        parser.add_argument("--role", help="lockdown：应用程序使用的 PostgreSQL 角色")
        parser.add_argument("--apply", action="store_true", help="lockdown：直接执行（否则只打印SQL）")

    def handle(self, *args, subcommand, before=None, role=None, apply=False, **options):
        if subcommand == "purge":
            return self._purge(before)
        if subcommand == "lockdown":
            return self._lockdown(role, apply)
        result = audit.verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：共校验 {result.checked} 条记录。"))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"审计链被破坏：发现 {len(result.problems)} 处问题（已校验 {result.checked} 条）。")

    def _purge(self, before):
        import datetime as dt

        from django.utils import timezone

        if not before:
            raise CommandError("请用 --before YYYY-MM-DD 指定清理截止日期。")
        try:
            cutoff = timezone.make_aware(dt.datetime.fromisoformat(before))
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        try:
            count = audit.purge(before=cutoff)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已清理 {count} 条审计记录。")

    def _lockdown(self, role, apply):
        from django.db import connection

        if connection.vendor != "postgresql":
            raise CommandError("lockdown 仅适用于 PostgreSQL。")
        if not role or not role.replace("_", "").isalnum():
            raise CommandError("请用 --role 指定应用程序的数据库角色名（字母、数字、下划线）。")
        # The application appends audit rows and updates only the chain head; it never needs to change
        # or remove audit rows, so its role loses those rights (等保 安全审计 c).
        sql = [
            f'REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM "{role}"',
            f'REVOKE DELETE, TRUNCATE ON core_audithead FROM "{role}"',
        ]
        if apply:
            with connection.cursor() as cur:
                for statement in sql:
                    cur.execute(statement)
            self.stdout.write(f"已收回角色 {role} 对审计表的修改和删除权限。")
        else:
            self.stdout.write(";\n".join(sql) + ";")
