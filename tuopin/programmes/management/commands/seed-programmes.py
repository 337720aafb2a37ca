"""``tuopin seed-programmes``: the Liaoyuan 2019 programme records on top of the registry scenario."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tuopin.programmes.scenario import ScenarioError, seed_programmes_liaoyuan_2019


class Command(BaseCommand):
    """Generate the programme records whose totals equal the Liaoyuan 2019 report (one audit row)."""

    help = "生成辽源市2019帮扶项目演示数据（须先运行 tuopin seed）。"

    def handle(self, *args, **options):
        try:
            seed_programmes_liaoyuan_2019(stdout=self.stdout)
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
