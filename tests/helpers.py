"""Test helpers: synthetic ID numbers and households built through the actions (never raw ORM)."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import ric

from tuopin.registry import actions

_seq = itertools.count(1)


def make_id(
    birth: dt.date | str = "1960-05-01", *, address: str = "220422", male: bool = True, seq: int | None = None
) -> str:
    """A valid synthetic 18-digit ID number (checksum computed by python-stdnum)."""
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    n = next(_seq) if seq is None else seq
    order = (n * 2 + (1 if male else 0)) % 1000
    body = f"{address}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def member(name: str, relation: str = "01", *, birth: str = "1960-05-01", male: bool = True, **extra) -> dict:
    """Member input as a form or import row would give it."""
    return {"name": name, "id_number": make_id(birth, male=male), "relation": relation, **extra}


def household(actor, village, *, year: int = 2019, members: list[dict] | None = None, **fields):
    """A registered household via ``create_household`` with sensible defaults."""
    members = members or [member("赵家星"), member("赵家宝", "99", birth="1965-03-02")]
    return actions.create_household(
        actor=actor,
        village=village,
        identification_year=fields.pop("identification_year", 2016),
        year=year,
        main_cause=fields.pop("main_cause", "1"),
        members=members,
        **fields,
    )


def login_quietly(client, user) -> None:
    """Log a test client in without the login audit row.

    ``force_login`` stands for a login made before the test began; tests that count the audit rows
    an action writes must not see it. Login auditing itself is tested in ``tests/accounts``.
    """
    from django.contrib.auth import user_logged_in

    from tuopin.accounts import security

    user_logged_in.disconnect(security._logged_in)
    try:
        client.force_login(user)
    finally:
        user_logged_in.connect(security._logged_in)
