"""R13 — restore drill: back up, change and lose data, restore, and prove every table matches."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.helpers import household
from tuopin.core.backup import table_digests
from tuopin.registry.models import Household


@pytest.mark.django_db(transaction=True)
def test_restore_drill(regions, actors, tmp_path, capsys):
    clerk = actors["clerk_a"]
    keep = household(clerk, regions["a"])
    household(clerk, regions["a"])
    before = table_digests()
    call_command("backup", "--dir", str(tmp_path))
    backup_dir = next(tmp_path.iterdir())
    assert (backup_dir / "manifest.json").exists()

    # disaster: a household deleted behind the application's back, another changed
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET address = 'x' WHERE id = %s", [keep.pk])
    Household.objects.exclude(pk=keep.pk).update(group="丢失")
    assert table_digests()["registry_household"] != before["registry_household"]

    call_command("restore", str(backup_dir), "--verify", "--yes")
    assert "恢复演练通过" in capsys.readouterr().out
    after = table_digests()
    assert after["registry_household"] == before["registry_household"]
    assert after["registry_member"] == before["registry_member"]
    keep.refresh_from_db()
    assert keep.address == ""


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path), "--yes")
