"""Reducing a department's ID column to keyed hashes, in a second process when the list is large.

This module needs neither Django settings nor the database, so a ``forkserver`` worker can import it
cheaply: the caller passes the HMAC key. The rules are those of ``core.idnumber.parse_id_number``
(same normalisation, 15-digit upgrade, check digit, birth date, division code) without building a
Chinese error message per bad number: a department list may hold hundreds of thousands of numbers of
people who are not ours, and an unusable one only means "match by name and birth date instead".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_context

import numpy as np
from stdnum.cn import ric

from tuopin.core.idnumber import _known_division, mask_id, upgrade_15

from .idcolumn import plain_matrix

__all__ = ["usable_id", "digest_ids"]

PARALLEL_MIN = 50_000  # below this a second process costs more than it saves
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@lru_cache(maxsize=8192)
def _division(code: str) -> bool:
    return _known_division(code)


def usable_id(value: str, today: dt.date) -> tuple[str, dt.date] | None:
    """(normalised 18-character number, birth date) when ``parse_id_number`` would accept ``value``."""
    number = value
    if len(number) != 18 or not number[:17].isdigit():
        number = ric.compact(value or "").replace("x", "X")
        if len(number) == 15 and number.isdigit():
            number = upgrade_15(number)
        if len(number) != 18 or not number[:17].isdigit():
            return None
    elif number[17] == "x":
        number = number[:17] + "X"
    if _CHECK[sum(w * (ord(c) - 48) for w, c in zip(_WEIGHTS, number, strict=False)) % 11] != number[17]:
        return None
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if birth > today or birth.year < 1890 or not _division(number[:6]):
        return None
    return number, birth


Digests = tuple[list[str], list[str], list[dt.date | None]]


def _digest(ids: list[str], key: bytes, today: dt.date) -> Digests:
    """Keyed hash (hex, '' when unusable), default mask and birth date of each ID cell.

    The plain 18-character numbers are judged as a matrix (``idcolumn.plain_matrix``: check digit,
    birth date, address code for the whole column at once); only the others (spaces, a lower-case x,
    15 digits, junk) go through :func:`usable_id` one by one."""
    n = len(ids)
    if n == 0:
        return [], [], []
    accepted, decided, births, _body = plain_matrix(ids, today)
    numbers: list[str | None] = list(ids)
    for i in np.flatnonzero(~accepted).tolist():
        parsed = None if decided[i] or not ids[i] else usable_id(ids[i], today)
        numbers[i], births[i] = parsed if parsed is not None else (None, None)
    base = hmac.new(key, digestmod=hashlib.sha256)  # copying the keyed state skips the key setup per value
    hashes, masks = [""] * n, [""] * n
    for i, number in enumerate(numbers):
        if number is not None:
            h = base.copy()
            h.update(number.encode("ascii"))
            hashes[i] = h.hexdigest()
            masks[i] = mask_id(number)
    return hashes, masks, births


def digest_ids(ids: list[str], key: bytes, today: dt.date) -> Digests:
    """Hash a whole ID column: the first half in a worker process while this one does the second."""
    if len(ids) < PARALLEL_MIN:
        return _digest(ids, key, today)
    half = len(ids) // 2
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("forkserver")) as pool:
        future = pool.submit(_digest, ids[:half], key, today)
        tail = _digest(ids[half:], key, today)
        head = future.result()
    return head[0] + tail[0], head[1] + tail[1], head[2] + tail[2]
