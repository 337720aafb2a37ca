"""公民身份号码 for a whole column: numpy checks for plain 18-digit numbers, ``parse_id_number`` for the rest.

A file of a million members holds a million different numbers, so the ID column cannot be validated
once per distinct value like the code columns. Its plain cases are checked as a matrix of digits: the
GB 11643 check digit (weighted sum mod 11) for every row at once, the birth date once per distinct date
and the address code once per distinct code. A row the matrix does not accept outright (a legacy
15-digit number, separators, a lower-case x, any error) goes through ``parse_id_number`` itself, so
every message is the action's own and the matrix only ever accepts what the action accepts, with the
same result (a Hypothesis test holds them together).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.core.exceptions import ValidationError

from tuopin.core.idnumber import _known_division, parse_id_number

__all__ = ["IdColumn", "id_column", "plain_matrix"]

_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_YMD = 10 ** np.arange(7, -1, -1, dtype=np.int64)
_ADDRESS = 10 ** np.arange(5, -1, -1, dtype=np.int64)


@lru_cache(maxsize=65536)
def _birth(ymd: int, today: dt.date) -> dt.date | None:
    try:
        birth = dt.date(ymd // 10000, ymd // 100 % 100, ymd % 100)
    except ValueError:
        return None
    return birth if birth <= today and birth.year >= 1890 else None


@lru_cache(maxsize=8192)
def _division(code: int) -> bool:
    return _known_division(f"{code:06d}")


@dataclass
class IdColumn:
    """The column's numbers (18 characters), birth dates and genders; ``None``/"" where invalid."""

    numbers: list[str | None]
    births: list[dt.date | None]
    genders: list[str]
    problems: dict[int, str] = field(default_factory=dict)  # row → the action's message


def plain_matrix(values: list[str], today: dt.date) -> tuple[np.ndarray, np.ndarray, list[dt.date | None], np.ndarray]:
    """The matrix test of a whole column: (accepted, decided, birth date per row, the 17 body digits).

    A row is *decided* when it is 18 plain characters, 17 digits then a digit or an upper-case X: for
    it the matrix's answer is final. It is *accepted* when also the check digit is right, the birth
    date possible and the address code known. Undecided rows are left to the caller's own rule
    (``parse_id_number``, ``digest.usable_id``), which may still accept them (a lower-case x, spaces,
    a legacy 15-digit number)."""
    n = len(values)
    blank = "?" * 18  # fails the digit test: such rows go to the caller's rule
    joined = "".join(values) if set(map(len, values)) == {18} else ""
    if not joined.isascii() or not joined:  # some value is not 18 plain characters: mask it out
        joined = "".join(v if len(v) == 18 and v.isascii() else blank for v in values)
    digits = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(n, 18).astype(np.int16) - 48
    body = digits[:, :17]
    plain = ((body >= 0) & (body <= 9)).all(axis=1)
    body = body.clip(0, 9).astype(np.int64)
    check = _CHECK[(body @ _WEIGHTS) % 11] == (digits[:, 17] + 48)
    dates, date_at = np.unique(body[:, 6:14] @ _YMD, return_inverse=True)
    born = [_birth(int(d), today) for d in dates]
    has_birth = np.array([b is not None for b in born], dtype=bool)[date_at]
    codes, code_at = np.unique(body[:, :6] @ _ADDRESS, return_inverse=True)
    known = np.array([_division(int(c)) for c in codes], dtype=bool)[code_at]
    births: list[dt.date | None] = [born[k] for k in date_at.tolist()]
    last = digits[:, 17]
    decided = plain & (((last >= 0) & (last <= 9)) | (last == ord("X") - 48))
    return plain & check & has_birth & known, decided, births, body


def id_column(values: list[str], today: dt.date, *, skip: set[int] | frozenset = frozenset()) -> IdColumn:
    """Validate every value of ``values`` (rows in ``skip`` already have a problem and are left out)."""
    n = len(values)
    out = IdColumn([None] * n, [None] * n, [""] * n)
    if n == 0:
        return out
    fast, _decided, births, body = plain_matrix(values, today)
    # Fill every row as if valid (C-level list building), then redo the rows the matrix did not accept.
    numbers: list[str | None] = list(values)
    genders = list(map(("2", "1").__getitem__, (body[:, 16] % 2).tolist()))  # two shared strings, not n
    for i in np.flatnonzero(~fast).tolist():
        numbers[i], births[i], genders[i] = None, None, ""
        if i in skip:
            continue
        try:
            p = parse_id_number(values[i], today=today)
        except ValidationError as exc:
            out.problems[i] = " ".join(exc.messages)
            continue
        numbers[i], births[i], genders[i] = p.number, p.birth_date, p.gender
    for i in skip:
        numbers[i], births[i], genders[i] = None, None, ""
    out.numbers, out.births, out.genders = numbers, births, genders
    return out
