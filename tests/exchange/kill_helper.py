"""Run in a subprocess by test_crash.py: set up a scratch database, import a file, report counts.

``python kill_helper.py setup|import FILE|counts|commit BATCH`` with DATABASE_URL and TUOPIN_HOME_DIR
set by the test. Kept outside pytest so the import can be killed with SIGKILL part-way.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main() -> None:
    from tuopin.accounts.models import User
    from tuopin.exchange import actions
    from tuopin.exchange.models import ImportBatch
    from tuopin.geo.actions import create_region, load_reference_regions
    from tuopin.geo.models import Region
    from tuopin.registry.models import Household, HouseholdYear, Member, MemberYear

    cmd = sys.argv[1]
    if cmd == "setup":
        call_command("migrate", verbosity=0)
        load_reference_regions()
        if not Region.objects.filter(code="220422101201").exists():
            create_region(
                actor=None,
                parent=Region.objects.get(code="220422101000"),
                code="220422101201",
                name="大榆村",
                is_synthetic=True,
            )
        User.objects.get_or_create(username="clerk_a", defaults={"role": "clerk", "jurisdiction_id": "220422101201"})
    elif cmd == "import":
        user = User.objects.get(username="clerk_a")
        path = Path(sys.argv[2])
        batch = actions.validate_batch(actions.stage_import(actor=user, source=path, filename=path.name), actor=user)
        print(batch.pk, flush=True)
        actions.commit_batch(batch, actor=user)
    elif cmd == "commit":
        user = User.objects.get(username="clerk_a")
        actions.commit_batch(ImportBatch.objects.get(pk=int(sys.argv[2])), actor=user)
    elif cmd == "counts":
        print(
            json.dumps(
                {
                    "households": Household.objects.count(),
                    "members": Member.objects.count(),
                    "member_years": MemberYear.objects.count(),
                    "household_years": HouseholdYear.objects.count(),
                    "statuses": list(ImportBatch.objects.values_list("status", flat=True)),
                }
            )
        )


if __name__ == "__main__":
    main()
