"""``tuopin seed --scenario liaoyuan-2019 [--scale N] [--seed S] [--reset]``: load the demo city."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.registry.scenario import SCENARIOS, ScenarioExists
from tuopin.registry.scenario import params as p


class Command(BaseCommand):
    """Generate a deterministic synthetic scenario in bulk (one transaction, one audit row)."""

    help = "生成确定性的演示数据（默认：辽源市2019，约6000户）。"

    def add_arguments(self, parser):
        parser.add_argument("--scenario", default=p.SCENARIO, choices=sorted(SCENARIOS), help="场景名称")
        parser.add_argument("--scale", type=int, default=1, help=f"规模倍数（1–{p.MAX_SCALE}，每倍约6000户）")
        parser.add_argument("--seed", type=int, default=2019, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--households", type=int, default=None, help="每倍户数（默认6000，测试用）")
        parser.add_argument("--reset", action="store_true", help="先清空已有的登记数据再生成")
        parser.add_argument("--no-parallel", action="store_true", help="不使用第二个进程生成数据")

    def handle(self, *args, **options):
        try:
            SCENARIOS[options["scenario"]](
                scale=options["scale"],
                seed=options["seed"],
                stdout=self.stdout,
                reset=options["reset"],
                households=options["households"],
                parallel=False if options["no_parallel"] else None,
            )
        except ScenarioExists as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
