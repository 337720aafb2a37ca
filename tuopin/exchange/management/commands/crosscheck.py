"""``tuopin crosscheck --user NAME (--department KIND FILE | --internal)``: run a cross-check."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuopin.exchange import crosscheck
from tuopin.exchange.models import Department


class Command(BaseCommand):
    help = "部门数据比对：按身份证号（密钥哈希）和姓名+出生日期匹配登记簿；或运行内部比对"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="部门数据文件（.xlsx/.csv）")
        parser.add_argument("--user", required=True)
        parser.add_argument("--department", choices=Department.values, default=Department.OTHER)
        parser.add_argument(
            "--internal",
            action="store_true",
            help="内部比对（共用账号、重复登记、已死亡仍在册，以及死亡仍领取、分户后识别、倒签、评估前集中改收入、制单审核同一人）",
        )

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"账户不存在：{opts['user']}")
        try:
            if opts["internal"]:
                run = crosscheck.run_internal(actor=user)
            else:
                if not opts["file"]:
                    raise CommandError("请给出部门数据文件，或使用 --internal")
                path = Path(opts["file"])
                run = crosscheck.run_department(
                    actor=user, path=path, filename=path.name, department=opts["department"]
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"比对{run.pk}：{run.rows}行，按身份证号命中{run.matched_by_id}，按姓名和出生日期命中{run.matched_by_name}，"
            f"疑点{run.hits}个，用时{run.seconds}秒"
        )
