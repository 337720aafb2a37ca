"""``tuopin report annual --year 2019 --region 220400 [--format html|xlsx|json] [--output FILE]
[--user NAME] [--freeze [--note TEXT]]`` and ``tuopin report archive ID``.

The report is computed from records when asked for, in the same way as the web page; without
``--user`` it runs as the system (every region), with ``--user`` only for a region inside that
official's jurisdiction. Every file written is audited; ``--freeze`` also archives the report
(checksum, rule-set version) and prints the archive's number.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tuopin.accounts.models import User
from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.geo.models import Region
from tuopin.reports.annual import formats
from tuopin.reports.annual.actions import freeze_annual_report
from tuopin.reports.annual.archive import check_year, compare
from tuopin.reports.annual.models import AnnualReportArchive
from tuopin.reports.annual.report import build_report


class Command(BaseCommand):
    help = "年度脱贫攻坚报告：annual 生成某地区某年度的报告（html/xlsx/json，可存档）；archive 核对一份存档。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["annual", "archive"], help="annual：生成报告；archive：核对存档")
        parser.add_argument("archive_id", nargs="?", type=int, help="存档编号（archive 时）")
        parser.add_argument("--year", type=int, help="年度，如 2019")
        parser.add_argument("--region", help="区划代码，如 220400（辽源市）")
        parser.add_argument("--format", choices=formats.FORMATS, default="html", help="输出格式（默认 html）")
        parser.add_argument("--output", help="输出文件（默认写到标准输出；xlsx 必须指定）")
        parser.add_argument("--user", help="以该用户的身份和管辖范围生成（默认：系统）")
        parser.add_argument("--freeze", action="store_true", help="同时存档（保存数字及其 SHA-256 校验值）")
        parser.add_argument("--note", default="", help="存档说明")

    def handle(self, *args, kind, **options):
        user = self._user(options["user"])
        if kind == "archive":
            self._archive(options["archive_id"], user)
            return
        region = self._region(options["region"], user)
        try:
            year = check_year(options["year"])
        except ValidationError:
            raise CommandError("请用 --year 指定2013—2100之间的年度。") from None
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and not output:
            raise CommandError("xlsx 格式请用 --output 指定文件。")
        report = build_report(region, year, user=user)
        if fmt == "json":
            body = formats.as_json_bytes(report)
        elif fmt == "xlsx":
            body = formats.as_xlsx_bytes(report)
        else:
            body = formats.as_html(report).encode("utf-8")
        with transaction.atomic():
            audit.record(
                user,
                "reports.annual_export",
                object_type="reports.annual",
                object_id=f"{region.code}/{year}",
                region_code=region.code,
                summary=f"命令行导出{region.name}{year}年度脱贫攻坚报告（{fmt}）",
                changes={"format": fmt, "region": region.code, "year": year, "output": bool(output)},
            )
        if output:
            Path(output).write_bytes(body)
            self.stderr.write(f"已写入 {output}（{len(body)} 字节）")
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
        if options["freeze"]:
            try:
                archive = freeze_annual_report(actor=user, region=region, year=year, note=options["note"])
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
            self.stderr.write(f"已存档 #{archive.pk}，SHA-256 {archive.sha256}")

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的有效用户。")
        if not user.can(Capability.VIEW_REGISTRY):
            raise CommandError(f"用户“{username}”的角色无权查看业务数据。")
        return user

    def _region(self, code: str | None, user: User | None) -> Region:
        code = (code or "").strip()
        if not code.isdigit() or len(code) > 12:
            raise CommandError("请用 --region 指定区划代码，如 220400。")
        qs = Region.objects.visible_to(user) if user is not None else Region.objects.all()
        region = qs.filter(code=code.ljust(12, "0")).first()
        if region is None:
            if user is not None and Region.objects.filter(code=code.ljust(12, "0")).exists():
                raise CommandError(f"地区 {code} 不在用户“{user.username}”的管辖范围内。")
            raise CommandError(f"没有区划代码为 {code} 的地区。")
        return region

    def _archive(self, pk: int | None, user: User | None) -> None:
        if pk is None:
            raise CommandError("请给出存档编号：tuopin report archive 编号")
        qs = AnnualReportArchive.objects.visible_to(user) if user is not None else AnnualReportArchive.objects
        archive = qs.select_related("region").filter(pk=pk).first()
        if archive is None:
            raise CommandError(f"没有编号为 {pk} 的存档（或不在该用户的管辖范围内）。")
        result = compare(archive)
        doc = {
            "archive": archive.pk,
            "region": archive.region_id,
            "year": archive.year,
            "sha256": archive.sha256,
            "intact": result.intact,
            "same_content": result.same_content,
            "same_values": result.same_values,
            "changed": result.changed,
        }
        self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1))
        if not result.intact:
            raise CommandError("存档校验值不一致：存档内容已被改动。")
