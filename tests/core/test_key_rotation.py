"""Field-key rotation (`tuopin keys`): every protected column re-encrypted under the newest key, in
batches, idempotent, resumable after a kill, never a lost update, never a plaintext in the output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.exchange.test_crash import scratch_db  # noqa: F401 - fixture: a database for subprocesses
from tests.helpers import household, member
from tuopin.assistance.actions import add_cadre
from tuopin.cases.actions import apply_identification
from tuopin.core import keys
from tuopin.core.crypto import decrypt
from tuopin.core.masking import PHONE_RE, PII_PATTERNS
from tuopin.core.models import AuditEvent
from tuopin.payments import actions as pay
from tuopin.registry import actions as reg

OLD, NEW = "k1:old-secret-for-tests", "k2:new-secret-for-tests"


def _plaintexts() -> dict[tuple[str, int], str]:
    """Every protected value, decrypted with the keys configured now."""
    out = {}
    for col in keys.protected_columns():
        for pk, token in col.nonempty().values_list("pk", col.field):
            out[(col.label, pk)] = decrypt(token)
    return out


def _leaks(text: str, plaintexts: set[str]) -> list[str]:
    """Plaintext values (or the numbers inside them) and anything shaped like an ID or mobile number."""
    numbers = {n for p in plaintexts for n in re.findall(r"\d{11,}", p)}
    return [n for n in numbers if n in text] + PII_PATTERNS["id"].findall(text) + PHONE_RE.findall(text)


@pytest.fixture
def protected(settings, regions, actors):
    """One record of every kind that holds an encrypted value, written under the old key."""
    settings.FIELD_ENCRYPTION_KEYS = OLD
    clerk, reviewer = actors["clerk_a"], actors["reviewer"]
    homes = [
        household(clerk, regions["a"], phone="13812345678", bank_account=f"62220210000000{i:04d}") for i in range(7)
    ]
    pay.create_batch(
        actor=reviewer,
        kind="yulu",
        programme="yulu",
        period="2019-2",
        region=regions["town"],
        title="雨露计划",
        lines=[{"household": h, "amount": "1500.00"} for h in homes[:3]],
    )
    apply_identification(
        actor=clerk,
        village=regions["a"],
        year=2019,
        applicant={"main_cause": "1", "members": [member("申请人"), member("申请人妻", "02", male=False)]},
    )
    add_cadre(
        actor=reviewer,
        region=regions["town"],
        name="帮扶干部",
        unit="县农业局",
        unit_level="county",
        phone="13900001111",
    )
    empty = [col.label for col in keys.protected_columns() if not col.nonempty().exists()]
    assert not empty, f"build a record for every protected column in this fixture: {empty}"
    return homes


def test_rotate_reencrypts_every_protected_column(protected, settings, capsys, caplog):
    before = _plaintexts()
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"

    call_command("keys", "rotate", "--dry-run")
    dry = capsys.readouterr().out
    expected = keys.key_counts()
    for label, counts in expected.items():
        assert f"{label}　k1: {counts['k1']}" in dry  # per column, per key id
    assert f"待重新加密：{len(before)}" in dry
    assert not AuditEvent.objects.filter(action="keys.rotate").exists()  # a dry run changes nothing

    call_command("keys", "rotate", "--batch-size", "3")
    out = capsys.readouterr().out
    assert f"完成：{len(before)}个值已改用密钥 k2" in out
    assert all(set(c) == {"k2"} for c in keys.key_counts().values())
    rows = list(AuditEvent.objects.filter(action="keys.rotate"))
    assert len(rows) == 1 and rows[0].changes["planned"] == {k: {"k1": v["k1"]} for k, v in expected.items()}

    # The old key can go: everything reads with the new key alone, and reads the same as before.
    settings.FIELD_ENCRYPTION_KEYS = NEW
    call_command("keys", "verify")
    assert f"全部 {len(before)} 个密文可用当前密钥解密（k2: {len(before)}）" in capsys.readouterr().out
    assert _plaintexts() == before
    member_row = protected[0].members.first()
    assert (
        reg.reveal_id_number(member_row, actor=_approver(), reason="核对身份信息")
        == before[("registry.member.id_enc", member_row.pk)]
    )

    text = out + dry + caplog.text + str([(r.summary, r.changes) for r in AuditEvent.objects.all()])
    assert not _leaks(text, set(before.values()))


def _approver():
    from tuopin.accounts.models import User

    return User.objects.get(username="approver")


def test_rotation_is_idempotent(protected, settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    call_command("keys", "rotate")
    tokens = {
        col.label: list(col.nonempty().order_by("pk").values_list(col.field, flat=True))
        for col in keys.protected_columns()
    }
    call_command("keys", "rotate")
    assert "完成：0个值" in capsys.readouterr().out
    again = {
        col.label: list(col.nonempty().order_by("pk").values_list(col.field, flat=True))
        for col in keys.protected_columns()
    }
    assert again == tokens  # nothing re-encrypted twice
    assert AuditEvent.objects.filter(action="keys.rotate").count() == 2  # one row per run


def test_a_value_changed_mid_rotation_is_not_overwritten(protected, settings, monkeypatch):
    """An official saves a new account while the rotation holds the old ciphertext in memory."""
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    target = protected[5]  # not in the payment batch, whose lines copy the account ciphertext
    real_decrypt, fired = keys.decrypt, []

    def decrypt_then_edit(token):
        if not fired and token == target.bank_account_enc:
            fired.append(True)
            reg.update_household(
                target, actor=_clerk(), expected_version=target.version, bank_account="6222029999999999999"
            )
        return real_decrypt(token)

    monkeypatch.setattr(keys, "decrypt", decrypt_then_edit)
    result = keys.rotate(batch_size=100)
    assert fired and result.skipped_changed == 1
    target.refresh_from_db()
    assert decrypt(target.bank_account_enc) == "6222029999999999999"
    assert target.bank_account_enc.startswith("k2$")


def _clerk():
    from tuopin.accounts.models import User

    return User.objects.get(username="clerk_a")


def test_rotation_refuses_values_under_a_key_that_is_not_configured(protected, settings):
    settings.FIELD_ENCRYPTION_KEYS = NEW  # k1 dropped before rotating: nothing must be touched
    with pytest.raises(CommandError, match="未配置的密钥（k1）"):
        call_command("keys", "rotate")
    assert not AuditEvent.objects.filter(action="keys.rotate").exists()
    with pytest.raises(CommandError, match="无法解密"):
        call_command("keys", "verify")


def test_rotation_stops_at_a_damaged_ciphertext_and_names_only_the_row(protected, settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    h = protected[1]
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE registry_household SET phone_enc = %s WHERE id = %s", ["k1$AAAAAAAAAAAAAAAAAAAAAAAAAAAA", h.pk]
        )
    with pytest.raises(CommandError, match=rf"registry.household.phone_enc 主键 {h.pk} 的密文无法解密"):
        call_command("keys", "rotate")


def test_only_the_security_administrator_may_be_named_as_operator(protected, settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
    with pytest.raises(CommandError, match="只有安全管理员"):
        call_command("keys", "rotate", "--user", "sysadmin")
    call_command("keys", "rotate", "--user", "secadmin")
    assert AuditEvent.objects.get(action="keys.rotate").actor_name == "secadmin"


# --- killed part-way, then resumed (a real process, SIGKILL) ---------------------------------------------


@pytest.fixture
def scratch_env(scratch_db):  # noqa: F811 - the fixture imported above
    """Environment for `tuopin` subprocesses with a database of their own, data under the old key."""
    return {**scratch_db, "TUOPIN_FIELD_KEYS": OLD}


def _tuopin(env, *args, keys_spec=None, check=True):
    run_env = {**env, "TUOPIN_FIELD_KEYS": keys_spec or env["TUOPIN_FIELD_KEYS"]}
    out = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tuopin.cli", *args], env=run_env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert out.returncode == 0, out.stderr[-3000:]
    return out


def _status(env, keys_spec) -> dict[str, int]:
    text = _tuopin(env, "keys", "status", keys_spec=keys_spec).stdout
    totals: dict[str, int] = {}
    for kid, n in re.findall(r"(k\d): (\d+)", text):
        totals[kid] = totals.get(kid, 0) + int(n)
    return totals


def test_rotation_killed_part_way_resumes_and_finishes(scratch_env):
    env, both = scratch_env, f"{NEW},{OLD}"
    _tuopin(env, "migrate", "-v0")
    _tuopin(env, "seed", "--households", "150")
    start = _status(env, OLD)
    assert set(start) == {"k1"} and start["k1"] > 300

    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tuopin.cli", "keys", "rotate", "--batch-size", "25", "--pause", "0.3"],
        env={**env, "TUOPIN_FIELD_KEYS": both},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline()  # the first batch is committed when its progress line appears
    assert "已重新加密 25/" in first, first + proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_output = first + proc.stdout.read() + proc.stderr.read()

    mixed = _status(env, both)
    assert mixed.get("k2", 0) >= 25 and mixed.get("k1", 0) > 0  # part done, part not
    assert sum(mixed.values()) == start["k1"]
    assert "k2: " in _tuopin(env, "keys", "verify", keys_spec=both).stdout  # nothing unreadable mid-way

    resumed = _tuopin(env, "keys", "rotate", "--batch-size", "100", keys_spec=both)
    assert f"完成：{mixed['k1']}个值已改用密钥 k2" in resumed.stdout
    assert _status(env, NEW) == {"k2": start["k1"]}
    final = _tuopin(env, "keys", "verify", keys_spec=NEW)  # the new key alone reads everything
    assert f"全部 {start['k1']} 个密文可用当前密钥解密" in final.stdout
    assert not _leaks(killed_output + resumed.stdout + resumed.stderr + final.stdout, set())


def test_every_encrypted_value_lives_in_a_protected_column(protected):
    """A token (``keyid$base64``) in a column not named ``*_enc`` would never be rotated: there is none."""
    from django.apps import apps
    from django.db import models

    token = re.compile(r"(?<![\w$])k\d+\$[A-Za-z0-9+/]{30,}")
    protected_labels = {c.label for c in keys.protected_columns()}
    stray = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            label = f"{model._meta.label_lower}.{f.name}"
            if label in protected_labels or not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            for value in model._base_manager.values_list(f.name, flat=True):
                if value and token.search(str(value)):
                    stray.append(label)
                    break
    assert protected_labels >= {"registry.member.id_enc", "payments.payment.account_enc", "cases.case.applicant_enc"}
    assert not stray
