from django.db import migrations


def forwards(apps, schema_editor):
    from tuopin.geo.actions import load_reference_regions

    load_reference_regions(apps)


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
