"""``tuopin keys status|rotate|verify``: field-encryption keys (see tuopin/core/keys.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.accounts.roles import Capability
from tuopin.core import keys
from tuopin.core.crypto import configured_key_ids, current_key_id


class Command(BaseCommand):
    help = "字段加密密钥：status 按密钥统计密文；rotate 用最新密钥重新加密；verify 用当前配置逐一解密校验。"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["status", "rotate", "verify"])
        parser.add_argument("--dry-run", action="store_true", help="rotate：只统计各密钥下待重新加密的值")
        parser.add_argument("--batch-size", type=int, default=1000, help="rotate：每批重新加密的值数（默认1000）")
        parser.add_argument("--pause", type=float, default=0.0, help="rotate：两批之间暂停的秒数（给在线业务让路）")
        parser.add_argument("--user", help="rotate：操作人账号（安全管理员），记入审计日志")

    def handle(self, *args, subcommand, dry_run=False, batch_size=1000, pause=0.0, user=None, **options):
        if subcommand == "verify":
            return self._verify()
        if subcommand == "status" or dry_run:
            return self._status()
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数。")
        actor = self._actor(user)

        def progress(label: str, done: int, todo: int) -> None:
            # One line per batch, flushed: an operator (or a test) can follow a long run.
            self.stdout.write(f"{label}：已重新加密 {done}/{todo}")
            self.stdout.flush()

        try:
            result = keys.rotate(actor=actor, batch_size=batch_size, pause=pause, progress=progress)
        except keys.RotationRefused as exc:
            raise CommandError(str(exc)) from None
        note = f"，{result.skipped_changed}个值在轮换期间被修改（已是新密钥）" if result.skipped_changed else ""
        self.stdout.write(self.style.SUCCESS(f"完成：{result.total}个值已改用密钥 {result.to_key}{note}。"))

    def _actor(self, username):
        if not username:
            return None
        from tuopin.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用。")
        if not user.can(Capability.MANAGE_POLICIES):
            raise CommandError("只有安全管理员可以轮换密钥。")
        return user

    def _status(self):
        current = current_key_id()
        self.stdout.write(f"当前密钥：{current}；已配置：{', '.join(configured_key_ids())}")
        stale = 0
        for label, counts in keys.key_counts().items():
            parts = "，".join(f"{k}: {n}" for k, n in counts.items()) or "无数据"
            self.stdout.write(f"{label}　{parts}")
            stale += sum(n for k, n in counts.items() if k != current)
        self.stdout.write(f"待重新加密：{stale}")

    def _verify(self):
        result = keys.verify()
        by_key = "，".join(f"{k}: {n}" for k, n in sorted(result.by_key.items())) or "无数据"
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"全部 {result.checked} 个密文可用当前密钥解密（{by_key}）。"))
            return
        for line in result.failures:
            self.stderr.write(line)
        raise CommandError(f"{result.failed} 个密文无法解密（其余 {result.checked} 个正常：{by_key}）。")
