"""``tuopin dashboard refresh --year 2019``: recompute the dashboard's rollup table for a year.

Views keep the table current by themselves (they redo the regions changed since the last audit row
the table reflects); this command redoes every region at once — after a bulk load, or nightly so that
nothing but the day's changes is ever redone during a view. Running it twice changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.assessment.models import Run
from tuopin.reports.dashboard_figures import ensure_current


class Command(BaseCommand):
    help = "地区看板：重新汇总帮扶资金和走访数据（refresh），不加 --year 时汇总所有已评估年度。"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["refresh"], help="refresh 重新汇总")
        parser.add_argument("--year", type=int, action="append", help="年度（可重复）；默认所有已完成评估的年度")

    def handle(self, *args, subcommand, year=None, **options):
        years = year or sorted(set(Run.objects.filter(status="done").values_list("year", flat=True)))
        if not years:
            raise CommandError("没有已完成评估的年度，请用 --year 指定。")
        for y in years:
            state = ensure_current(y, full=True)
            self.stdout.write(f"{y}年：汇总 {state.regions} 个地区，用时 {state.seconds} 秒。")
