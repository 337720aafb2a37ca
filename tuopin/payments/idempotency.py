"""``Idempotency-Key`` handling for payment requests (security.md §4, after Apache Fineract).

The first request with a key claims it (inserts its row) *before* running its action, and stores the
response in the same transaction; a replay (same key, same user, same endpoint, same body) gets the
stored response and changes nothing. The unique index on the key settles a race between copies of the
same request sent at once: a copy's insert waits for the first transaction and then fails, so it never
runs the action beside the first one (which would lose to it on some other constraint and answer with
that error instead), and it returns the stored response. R10 sends 16 copies at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_once(request, scope: str, fn: Callable[[], Response]) -> Response:
    """Run ``fn`` once per ``Idempotency-Key``; without a key, run it and add a warning header."""
    key = (request.META.get(HEADER) or "").strip()
    if not key:
        response = fn()
        response["Warning"] = '199 tuopin "建议使用 Idempotency-Key 请求头以防重复提交"'
        return response
    if len(key) > 100:
        return Response({"detail": _("Idempotency-Key 过长。")}, status=status.HTTP_400_BAD_REQUEST)
    body_hash = _hash(request.data)

    def stored(row: IdempotencyKey) -> Response:
        if row.actor_id != request.user.pk or row.scope != scope or row.request_hash != body_hash:
            return Response(
                {"detail": _("此 Idempotency-Key 已用于另一个请求。")}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        response = Response(row.response, status=row.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    existing = IdempotencyKey.objects.filter(key=key).first()
    if existing is not None:
        return stored(existing)
    try:
        with transaction.atomic():
            with transaction.atomic():  # the claim: a concurrent copy blocks here until we commit
                row = IdempotencyKey.objects.create(
                    key=key, actor=request.user, scope=scope, request_hash=body_hash, status_code=0
                )
            response = fn()
            if response.status_code >= 500:
                raise _Unstored(response)  # roll back the claim with the action: a retry may run again
            row.status_code, row.response = response.status_code, response.data
            row.save(update_fields=["status_code", "response"])
    except _Unstored as unstored:
        return unstored.response
    except IntegrityError:
        row = IdempotencyKey.objects.filter(key=key).first()
        if row is None:
            raise
        return stored(row)
    return response


class _Unstored(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Carries a response that must not be stored out of the transaction that claimed the key."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response
