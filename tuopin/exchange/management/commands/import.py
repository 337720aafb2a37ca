"""``tuopin import FILE --user NAME [--schema households|claims|loans] [--commit] [--valid-only]``: stage,
validate and (optionally) commit a file."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuopin.exchange import actions
from tuopin.exchange.models import BatchStatus, CommitMode, ImportSchema


class Command(BaseCommand):
    help = "导入贫困户登记表、医疗费用结算或小额信贷明细（.xlsx/.csv）：上传、校验，加 --commit 时写入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="文件路径")
        parser.add_argument("--user", required=True, help="以哪个账户的身份和管辖范围导入")
        parser.add_argument(
            "--schema", default="households", choices=ImportSchema.values, help="数据类型（默认贫困户登记表）"
        )
        parser.add_argument("--commit", action="store_true", help="校验后写入（默认只校验）")
        parser.add_argument("--valid-only", action="store_true", help="只导入无错误的户（默认全部正确才导入）")
        parser.add_argument("--report", help="把问题报告（.xlsx）写到此路径")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"账户不存在：{opts['user']}")
        batch = actions.stage_import(actor=user, source=path, filename=path.name, schema=opts["schema"])
        if batch.status == BatchStatus.REFUSED:
            raise CommandError(f"文件被拒绝：{batch.message}")
        batch = actions.validate_batch(batch, actor=user)
        self.stdout.write(
            f"批次{batch.pk}：{batch.rows}行，{batch.households}户，问题{batch.error_count}处，用时{batch.seconds}秒"
        )
        for note in batch.notes:
            self.stdout.write(f"  说明：{note}")
        for issue in batch.issues.all()[:20]:
            self.stdout.write(f"  第{issue.rownum}行 {issue.column}：{issue.message}")
        if opts["report"] and batch.error_count:
            from tuopin.exchange.report import problem_report
            from tuopin.exchange.views import batch_issues

            Path(opts["report"]).write_bytes(problem_report(batch, actions.staged_path(batch), batch_issues(batch)))
        if batch.message:
            raise CommandError(batch.message)
        if opts["commit"]:
            mode = CommitMode.VALID_ONLY if opts["valid_only"] else CommitMode.ALL
            try:
                batch = actions.commit_batch(batch, actor=user, mode=mode)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            done = (
                f"新增{batch.created_households}户{batch.created_members}人，年度记录{batch.year_rows}条"
                if batch.schema == ImportSchema.HOUSEHOLDS
                else f"新增记录{batch.created_records}条"
            )
            self.stdout.write(f"已导入：{done}，用时{batch.seconds}秒")
