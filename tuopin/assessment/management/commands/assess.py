"""``tuopin assess --year 2019 [--region CODE]``, ``tuopin assess explain HOUSEHOLD --year 2019``,
``tuopin assess replay RUN``, ``tuopin assess compare --year 2019 --old V --new V``."""

from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from tuopin.geo.models import Region
from tuopin.policy.models import RuleSet


class Command(BaseCommand):
    help = "评估：按年度和地区评估全部建档立卡户；explain 解释单户结果；replay 重放；compare 比较两版规则集。"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", nargs="?", default="run", choices=["run", "explain", "replay", "compare"])
        parser.add_argument("target", nargs="?", help="explain：户编号或户ID；replay：评估批次ID")
        parser.add_argument("--year", type=int)
        parser.add_argument("--region", default="220400000000", help="地区代码（默认辽源市）")
        parser.add_argument("--old", type=int, help="compare：旧规则集版本")
        parser.add_argument("--new", type=int, help="compare：新规则集版本")
        parser.add_argument("--json", action="store_true", help="以JSON输出")

    def _region(self, code: str) -> Region:
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise CommandError(f"地区代码 {code} 不存在。")
        return region

    def handle(self, *args, subcommand, target, year, region, old, new, **options):
        as_json = options["json"]
        from tuopin.assessment import actions, explain

        if subcommand == "run":
            if not year:
                raise CommandError("请用 --year 指定年度。")
            run = actions.start_run(actor=None, year=year, region=self._region(region), enqueue=False)
            run = actions.execute_run(run.pk)
            self._out(
                as_json,
                run.counts,
                f"评估批次 #{run.pk}（{run.ruleset.label}）：{run.counts['households']} 户，"
                f"可退出 {run.counts['exit_eligible']} 户，无法评估 {run.counts['cannot_assess']} 户，"
                f"用时 {run.counts['seconds']['total']} 秒。",
            )
        elif subcommand == "explain":
            if not (target and year):
                raise CommandError("用法：tuopin assess explain 户编号 --year 2019")
            text = explain.explain_text(target, year)
            if text is None:
                raise CommandError(f"没有找到户 {target} 在 {year} 年的评估结果，请先运行评估。")
            self.stdout.write(text)
        elif subcommand == "replay":
            from tuopin.assessment.models import Run

            original = Run.objects.filter(pk=target).first() if target and target.isdigit() else None
            if original is None:
                raise CommandError("请给出要重放的评估批次ID。")
            replay, summary = actions.replay_run(original, actor=None)
            self._out(as_json, summary, f"重放批次 #{replay.pk}（按 {original.ruleset.label}）：{summary}")
            if summary["results_differ_with_same_inputs"]:
                raise CommandError("输入未变而结果不同：评估不可重现！")
        else:
            if not (year and old and new):
                raise CommandError("用法：tuopin assess compare --year 2019 --old 1 --new 2")
            rs = {r.version: r for r in RuleSet.objects.filter(year=year, version__in=[old, new])}
            if len(rs) != 2:
                raise CommandError("找不到指定的规则集版本。")
            result = actions.compare_rulesets(
                actor=None, year=year, region=self._region(region), old=rs[old], new=rs[new]
            )
            self._out(
                as_json,
                {"households": result.households, "by_indicator": result.by_indicator, "changed": result.changed},
                f"{result.households} 户中结果变化：{result.by_indicator}",
            )

    def _out(self, as_json: bool, data, text: str) -> None:
        self.stdout.write(jsonlib.dumps(data, ensure_ascii=False, indent=1, default=str) if as_json else text)
