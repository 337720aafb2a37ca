"""The audit trail: one row per action, hash-chained, tamper detected by `tuopin audit verify`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tests.helpers import household, member
from tuopin.core import audit
from tuopin.core.models import AuditEvent
from tuopin.registry import actions


@pytest.fixture
def chain(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    actions.update_household(h, actor=clerk_a, address="大榆村1组")
    actions.set_household_year(h, actor=clerk_a, year=2019, wage_income=6000, transfer_income="1300.50")
    return h


def _verify_fails(capsys) -> str:
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    return capsys.readouterr().err


def test_intact_chain_verifies(chain, capsys):
    call_command("audit", "verify")
    assert "审计链完整" in capsys.readouterr().out
    assert audit.verify().checked == AuditEvent.objects.count() >= 3


def test_each_action_writes_exactly_one_row(chain, clerk_a):
    before = AuditEvent.objects.count()
    actions.update_household(chain, actor=clerk_a, group="2组")
    assert AuditEvent.objects.count() == before + 1
    last = AuditEvent.objects.order_by("-seq").first()
    assert (last.action, last.actor_name, last.object_id) == ("household.update", "clerk_a", str(chain.pk))
    assert last.changes["group"] == ["", "2组"]


def test_unchanged_edit_writes_nothing(chain, clerk_a):
    before = AuditEvent.objects.count()
    actions.update_household(chain, actor=clerk_a, address="大榆村1组")
    assert AuditEvent.objects.count() == before


def test_modified_row_detected(chain, capsys):
    row = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["改过的摘要", row.pk])
    err = _verify_fails(capsys)
    assert f"seq {row.seq}: content does not match" in err


def test_deleted_row_detected(chain, capsys):
    row = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [row.pk])
    assert "missing" in _verify_fails(capsys)


def test_deleted_last_row_detected(chain, capsys):
    row = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [row.pk])
    assert "cut off the end" in _verify_fails(capsys)


def test_inserted_row_detected(chain, capsys):
    first = AuditEvent.objects.order_by("seq").first()
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET seq = seq + 1000 WHERE seq > %s", [first.seq])
        cur.execute(
            "INSERT INTO core_auditevent (seq, at, actor_name, actor_role, action, object_type, object_id, region_code,"
            " summary, changes, result, ip, request_id, prev_hash, hash) VALUES"
            " (%s, %s, 'forger', '', 'household.update', '', '', '', '', '{}', 'ok', '', '', %s, %s)",
            [first.seq + 1, first.at, first.hash, "f" * 64],
        )
    err = _verify_fails(capsys)
    assert "modified" in err or "inserted" in err


def test_application_cannot_update_or_delete_rows(chain):
    row = AuditEvent.objects.first()
    row.summary = "x"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_refused(regions):
    with pytest.raises(RuntimeError):
        audit.record(None, "x.y", object_type="t", object_id="1")


def test_audit_failure_rolls_back_business_write(chain, clerk_a, monkeypatch):
    """Fail closed: when the audit row cannot be written, the change does not happen."""

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        actions.update_household(chain, actor=clerk_a, address="别处")
    chain.refresh_from_db()
    assert chain.address == "大榆村1组"


def test_audit_rows_hold_no_plaintext_identity(chain):
    from tuopin.core.crypto import decrypt

    plain = [decrypt(m.id_enc) for m in chain.members.all()]
    dump = " ".join(f"{e.summary} {e.changes}" for e in AuditEvent.objects.all())
    assert plain and not any(p in dump for p in plain)


@pytest.mark.django_db(transaction=True)
def test_chain_survives_rollback_of_failed_action(regions, actors):
    """A failed action leaves no audit row and no gap in the chain."""
    clerk = actors["clerk_a"]
    household(clerk, regions["a"])
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        household(clerk, regions["a"], members=[member("无户主", "02")])
    assert audit.verify().ok


def test_audit_never_holds_mask_and_birth_date_together(chain, clerk_a):
    """The default mask hides exactly the birth date; the two together would be the whole number."""
    member = chain.members.first()
    actions.update_member(member, actor=clerk_a, name="改名")
    for event in AuditEvent.objects.all():
        assert member.birth_date.isoformat() not in str(event.changes)


def test_batch_writes_the_head_once_and_keeps_the_chain(chain, clerk_a):
    """Many actions in one transaction under ``audit.batch()``: the chain verifies, the head names the
    last row, and an action rolled back with its savepoint leaves no gap and no dangling link."""
    from tuopin.core.models import AuditHead

    before = AuditEvent.objects.count()
    with transaction.atomic(), audit.batch():
        for group in range(1, 6):
            actions.update_household(chain, actor=clerk_a, group=f"{group}组")
        with pytest.raises(RuntimeError), transaction.atomic():  # an action failing inside the batch
            actions.update_household(chain, actor=clerk_a, group="99组")
            raise RuntimeError("refused after its audit row was written")
        actions.update_household(chain, actor=clerk_a, group="7组")
        head_inside = AuditHead.objects.get(pk=1)
    assert AuditEvent.objects.count() == before + 6
    last = AuditEvent.objects.order_by("-seq").first()
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (last.seq, last.hash)
    assert head_inside.seq < last.seq  # written once, when the batch ended
    result = audit.verify()
    assert result.ok, result.problems


def test_batch_outside_a_transaction_refused(transactional_db):
    with pytest.raises(RuntimeError), audit.batch():
        pass
