"""Drop indexes no query needs, which every insert pays for (a bulk import most of all).

Each dropped index is covered by another that leads with the same column: household.status by
(status, village), household.village by (village, status), householdyear.household by the (household,
year) unique constraint, memberyear.member by the (member, year) one. The keyed hashes keep a plain
index but lose PostgreSQL's LIKE index (``varchar_pattern_ops``): a hash is never matched by prefix.

The database side is written out, not left to AlterField: Django would also drop the partial unique
index ``uniq_current_member_id`` on ``member.id_hash`` (one current household per person) and not
recreate it. The names are those Django gave the indexes in 0001 (the same on SQLite and PostgreSQL;
the ``_like`` ones exist on PostgreSQL only, hence IF EXISTS).
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {
    "registry_household_bank_account_hash_895c0ce3": ("registry_household", "bank_account_hash"),
    "registry_household_status_aa66f502": ("registry_household", "status"),
    "registry_household_village_id_79724fcd": ("registry_household", "village_id"),
    "registry_householdyear_household_id_04d99e81": ("registry_householdyear", "household_id"),
    "registry_member_id_hash_b4057518": ("registry_member", "id_hash"),
    "registry_memberyear_member_id_c4d07bb8": ("registry_memberyear", "member_id"),
}
LIKE = (
    "registry_household_bank_account_hash_895c0ce3",
    "registry_household_status_aa66f502",
    "registry_household_village_id_79724fcd",
    "registry_member_id_hash_b4057518",
)
CREATED = {
    "registry_household_acct_hash": ("registry_household", "bank_account_hash"),
    "registry_member_id_hash": ("registry_member", "id_hash"),
}


def forwards(apps, schema_editor):
    q = schema_editor.quote_name
    for name in [*DROPPED, *(f"{n}_like" for n in LIKE)]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(name)}")
    for name, (table, column) in CREATED.items():
        schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)})")


def backwards(apps, schema_editor):
    q = schema_editor.quote_name
    for name in CREATED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(name)}")
    for name, (table, column) in DROPPED.items():
        schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(table)} ({q(column)})")
    if schema_editor.connection.vendor == "postgresql":
        for name in LIKE:
            table, column = DROPPED[name]
            schema_editor.execute(f"CREATE INDEX {q(name + '_like')} ON {q(table)} ({q(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_reference_regions"),
        ("registry", "0002_rigid_spending"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="bank_account_hash",
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("poor", "未脱贫"),
                            ("exited", "已脱贫"),
                            ("relapsed", "返贫"),
                            ("monitored", "监测对象"),
                            ("risk_cleared", "风险已消除"),
                            ("cancelled", "已销户"),
                        ],
                        default="poor",
                        max_length=16,
                        verbose_name="状态",
                    ),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="households",
                        to="geo.region",
                        verbose_name="行政村",
                    ),
                ),
                migrations.AlterField(
                    model_name="householdyear",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="years",
                        to="registry.household",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="id_hash",
                    field=models.CharField(editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name="memberyear",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="years",
                        to="registry.member",
                    ),
                ),
                migrations.AddIndex(
                    model_name="household",
                    index=models.Index(fields=["bank_account_hash"], name="registry_household_acct_hash"),
                ),
                migrations.AddIndex(
                    model_name="member",
                    index=models.Index(fields=["id_hash"], name="registry_member_id_hash"),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
