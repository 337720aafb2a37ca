"""``tuopin createadmin USERNAME --role sysadmin``: the first administrators of a new installation."""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuopin.accounts.actions import create_user
from tuopin.accounts.roles import ADMIN_ROLES
from tuopin.geo.models import Region


class Command(BaseCommand):
    help = "创建系统管理员、安全管理员或审计管理员账户（三员分立，每个账户只有一个角色）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument("--region", default="220400000000", help="管辖地区代码（12位）")
        parser.add_argument("--password-file", help="从文件读取密码（否则交互输入）")

    def handle(self, *args, username, role, region, password_file, **options):
        jurisdiction = Region.objects.filter(code=region).first()
        if jurisdiction is None:
            raise CommandError(f"地区代码 {region} 不存在。")
        if password_file:
            with open(password_file, encoding="utf-8") as fh:
                password = fh.read().strip()
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致。")
        try:
            user = create_user(actor=None, username=username, password=password, role=role, jurisdiction=jurisdiction)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已创建 {user.username}（{user.get_role_display()}）。"))
