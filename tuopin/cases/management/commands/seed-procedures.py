"""``tuopin seed-procedures``: record the Liaoyuan 2019 procedures, responsibility and supervision scenario."""

from django.core.management.base import BaseCommand, CommandError

from tuopin.cases.scenario import ScenarioExists, seed_procedures_liaoyuan_2019


class Command(BaseCommand):
    help = "在已生成辽源2019登记数据的数据库上，生成2019年度程序、帮扶责任、遍访和巡察问责记录。"

    def handle(self, *args, **options):
        try:
            result = seed_procedures_liaoyuan_2019(stdout=self.stdout)
        except ScenarioExists as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"完成：{result}"))
