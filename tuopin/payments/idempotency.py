"""``Idempotency-Key`` handling for payment requests (security.md §4, after Apache Fineract).

The first request with a key runs its action and stores the response in the same transaction; a
replay (same key, same user, same endpoint, same body) gets the stored response and changes nothing.
The unique index on the key settles a race between two copies of the same request: the second
insert fails, its transaction (with its action) is rolled back, and the stored response is returned.
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
            response = fn()
            if response.status_code < 500:
                with transaction.atomic():
                    IdempotencyKey.objects.create(
                        key=key,
                        actor=request.user,
                        scope=scope,
                        request_hash=body_hash,
                        status_code=response.status_code,
                        response=response.data,
                    )
    except IntegrityError:
        row = IdempotencyKey.objects.filter(key=key).first()
        if row is None:
            raise
        return stored(row)
    return response
