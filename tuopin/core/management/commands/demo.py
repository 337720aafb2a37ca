"""``tuopin demo``: create the database, load the Liaoyuan 2019 scenario, print the demo accounts, serve.

The demo accounts exist only because this command creates them (demo mode); a production
installation has no default accounts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.core import audit
from tuopin.geo.models import Region

# (username, role, jurisdiction code, full name): one of each kind of user, in the report's places.
DEMO_ACCOUNTS = [
    ("clerk", Role.CLERK, "220422101201", "渭津镇大榆村信息员"),
    ("neighbour", Role.CLERK, "220422101202", "邻村信息员"),
    ("reviewer", Role.REVIEWER, "220422101000", "渭津镇审核员"),
    ("approver", Role.APPROVER, "220422000000", "东辽县扶贫办审批员"),
    ("leader", Role.LEADER, "220400000000", "辽源市领导"),
    ("inspector", Role.INSPECTOR, "220400000000", "市巡察组"),
    ("sysadmin", Role.SYSADMIN, "220400000000", "系统管理员"),
    ("secadmin", Role.SECADMIN, "220400000000", "安全管理员"),
    ("auditadmin", Role.AUDITADMIN, "220400000000", "审计管理员"),
]
DEMO_PASSWORD = "tuopin-demo-2019"  # noqa: S105 - printed to the operator; demo mode only


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; returns (username, role label, region name) rows."""
    rows = []
    with transaction.atomic():
        for username, role, code, full_name in DEMO_ACCOUNTS:
            region = (
                Region.objects.filter(code=code).first()
                or Region.objects.filter(code__startswith=code[:9], level=5).order_by("code").first()
            )
            if region is None:
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, role=role, jurisdiction=region, full_name=full_name)
                user.set_password(DEMO_PASSWORD)
                user.save()
                audit.record(
                    None,
                    "account.create_demo",
                    obj=user,
                    region_code=region.code,
                    summary=f"演示账户 {username}（{role.label}）",
                )
            rows.append((username, Role(user.role).label, user.jurisdiction.full_name() if user.jurisdiction else ""))
    return rows


class Command(BaseCommand):
    help = "启动演示：建库、载入辽源市2019年演示数据、打印演示账户、在 http://127.0.0.1:8000 提供服务。"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--scale", type=int, default=1, help="演示数据规模倍数（默认1，约6000户）")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args, port: int, scale: int, no_serve: bool, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据目录：{settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        from tuopin.registry.models import Household

        if not Household.objects.exists():
            self.stdout.write("正在生成辽源市2019年演示数据（全部为虚构数据）……")
            call_command("seed", scenario="liaoyuan-2019", scale=scale, stdout=self.stdout)
            call_command("policy", "load", stdout=self.stdout)
            self.stdout.write("正在生成2019年帮扶项目与资金记录……")
            call_command("seed-programmes", stdout=self.stdout)
            self.stdout.write("正在评估2014—2019年各年度……")
            for year in range(2014, 2020):
                call_command("assess", "--year", str(year), stdout=self.stdout)
            self.stdout.write("正在生成2019年识别退出程序、结对帮扶与巡察整改记录……")
            call_command("seed-procedures", stdout=self.stdout)
        else:
            self.stdout.write("演示数据已存在，跳过生成。")
        rows = ensure_demo_accounts()
        self.stdout.write(f"\n演示账户（密码均为 {DEMO_PASSWORD}）：")
        if not settings.TWO_FACTOR_ROLES:
            self.stdout.write("（演示模式：管理员和审批员登录无需动态口令；生产环境默认要求双因素认证。）")
        for username, role, region in rows:
            self.stdout.write(f"  {username:<11} {role:<10} {region}")
        if no_serve:
            return
        self.stdout.write(f"\n打开 http://127.0.0.1:{port}/ 登录。按 Ctrl+C 停止。\n")
        # --insecure serves our static files without DEBUG; fine for a demo on one machine.
        call_command("runserver", f"127.0.0.1:{port}", "--insecure", "--noreload")
