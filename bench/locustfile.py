"""R14 — the officials of the bounded load run (run by bench/load_run.py; see its docstring).

Each simulated official signs in with an account of their own (``TUOPIN_LOAD_USERS``, written by
load_run.py): village clerks, township reviewers and county approvers (who pass the TOTP second factor,
as in production) work their jurisdiction; city and county leaders read. Between actions an official
pauses 1–4 s. The mix per official: search the household list 3, open a household page 4, edit a
household 2 (roles that may edit; through the API with the version they read — optimistic locking),
export the list of one village or township 1.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

with open(os.environ["TUOPIN_LOAD_USERS"], encoding="utf-8") as fh:
    ACCOUNTS = json.load(fh)
_next = itertools.count()
_lock = threading.Lock()
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMES: dict[str, list[tuple[float, bool]]] = {}  # request type → (ms, failed), for exact percentiles


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    TIMES.setdefault(name, []).append((response_time, exception is not None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["TUOPIN_LOAD_TIMES"], "w", encoding="utf-8") as out:
        json.dump(TIMES, out)


def _totp(key_hex: str) -> str:
    from django_otp.oath import totp  # the same RFC 6238 code the server checks with

    return f"{totp(bytes.fromhex(key_hex)):06d}"


class Official(HttpUser):
    """One official working in their own jurisdiction."""

    wait_time = between(1, 4)

    def on_start(self) -> None:
        with _lock:
            self.account = ACCOUNTS[next(_next) % len(ACCOUNTS)]
        self.rng = random.Random(self.account["username"])
        page = self.client.get("/accounts/login/", name="login")
        token = CSRF_INPUT.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.account["username"], "password": self.account["password"], "csrfmiddlewaretoken": token},
            name="login",
        )
        if self.account.get("totp_key"):
            page = self.client.get("/accounts/otp/", name="login")
            token = CSRF_INPUT.search(page.text).group(1)
            self.client.post(
                "/accounts/otp/",
                {"token": _totp(self.account["totp_key"]), "csrfmiddlewaretoken": token},
                name="login",
            )

    def _household(self) -> int:
        return self.rng.choice(self.account["households"])

    @task(3)
    def search(self) -> None:
        term = self.rng.choice(self.account["terms"])
        with self.client.get("/households/", params={"q": term}, name="search", catch_response=True) as r:
            if r.status_code != 200 or "户编号" not in r.text:
                r.failure(f"search: {r.status_code}")

    @task(4)
    def view(self) -> None:
        with self.client.get(f"/households/{self._household()}/", name="view", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"view: {r.status_code}")

    @task(2)
    def edit(self) -> None:
        if not self.account["can_edit"]:
            return self.view()
        pk = self._household()
        current = self.client.get(f"/api/households/{pk}/", name="edit: read")
        if current.status_code != 200:
            return None
        body = {
            "address": f"{self.account['username']} 修改 {self.rng.randint(1, 10**6)}",
            "version": current.json()["version"],
        }
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        with self.client.patch(
            f"/api/households/{pk}/", json=body, headers=headers, name="edit: save", catch_response=True
        ) as r:
            # 409: someone saved the household between our read and our write — the refusal is correct.
            if r.status_code not in (200, 409):
                r.failure(f"edit: {r.status_code} {r.text[:200]}")
        return None

    @task(1)
    def export(self) -> None:
        region = self.rng.choice(self.account["export_regions"])
        with self.client.get(
            "/households/export.csv", params={"region": region}, name="export", stream=True, catch_response=True
        ) as r:
            size = sum(len(chunk) for chunk in r.iter_content(65536))
            if r.status_code != 200 or size < 100:
                r.failure(f"export: {r.status_code}, {size} bytes")
