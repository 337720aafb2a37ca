"""R9 — retention purge keeps the chain verifiable and never removes young rows; on PostgreSQL the
application's database role cannot change or delete audit rows once locked down."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tests.helpers import household
from tuopin.core import audit
from tuopin.core.models import AuditEvent


@pytest.fixture
def aged_log(clerk_a, regions):
    household(clerk_a, regions["a"])
    household(clerk_a, regions["a"])
    old = timezone.now() - dt.timedelta(days=400)
    first_two = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[:2])
    # Age two rows directly (their hash covers `at`, so re-hash them to keep the chain intact).
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET at = %s WHERE seq IN (%s, %s)", [old, *first_two])
    _rehash()
    assert audit.verify().ok
    return first_two


def _rehash():
    prev = audit.GENESIS
    for ev in AuditEvent.objects.order_by("seq"):
        digest = audit._row_digest(prev, audit._hashed_fields(ev))
        AuditEvent.objects.filter(pk=ev.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    from tuopin.core.models import AuditHead

    AuditHead.objects.filter(pk=1).update(hash=prev)


def test_purge_old_rows_keeps_chain_verifiable(aged_log, capsys):
    total = AuditEvent.objects.count()
    call_command("audit", "purge", "--before", (timezone.localdate() - dt.timedelta(days=380)).isoformat())
    assert "已清理 2 条" in capsys.readouterr().out
    assert AuditEvent.objects.count() == total - 2 + 1  # two purged, the purge recorded
    result = audit.verify()
    assert result.ok, result.problems


def test_purge_refuses_rows_younger_than_retention(aged_log):
    with pytest.raises(CommandError) as err:
        call_command("audit", "purge", "--before", (timezone.localdate() - dt.timedelta(days=30)).isoformat())
    assert "至少保留" in str(err.value)


def test_tampering_after_purge_still_detected(aged_log):
    call_command("audit", "purge", "--before", (timezone.localdate() - dt.timedelta(days=380)).isoformat())
    row = AuditEvent.objects.order_by("seq").first()
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET summary = 'x' WHERE id = %s", [row.pk])
    assert not audit.verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are a PostgreSQL feature")
@pytest.mark.django_db(transaction=True)
def test_locked_down_role_cannot_update_or_delete_audit_rows(regions, actors, capsys):
    import psycopg

    household(actors["clerk_a"], regions["a"])
    settings_dict = connection.settings_dict
    with connection.cursor() as cur:
        cur.execute("DROP ROLE IF EXISTS tuopin_app_test")
        cur.execute("CREATE ROLE tuopin_app_test LOGIN")
        cur.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tuopin_app_test")
        cur.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO tuopin_app_test")
    try:
        call_command("audit", "lockdown", "--role", "tuopin_app_test", "--apply")
        conn = psycopg.connect(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            dbname=settings_dict["NAME"],
            user="tuopin_app_test",
            autocommit=True,
        )
        with conn.cursor() as cur:
            for statement in ("UPDATE core_auditevent SET summary = 'x'", "DELETE FROM core_auditevent"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cur.execute(statement)
            cur.execute("SELECT count(*) FROM core_auditevent")
            assert cur.fetchone()[0] > 0
        conn.close()
    finally:
        with connection.cursor() as cur:
            cur.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM tuopin_app_test")
            cur.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM tuopin_app_test")
            cur.execute("DROP ROLE IF EXISTS tuopin_app_test")
