"""Vectorised synthetic personal numbers: 公民身份号码, bank accounts, mobile phones.

The ID check digit is ISO 7064 MOD 11-2 exactly as ``stdnum.cn.ric.calc_check_digit`` computes it
(the tests compare the two); order codes are handed out per (address code, birth date, sex) by a
counter that lives for the whole run, so numbers are unique at any scale.
"""

from __future__ import annotations

import numpy as np

# Weights 2^(17-i) mod 11 of the 17 body digits, most significant first.
_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_CHECK_CHARS = np.array(list("10X98765432"))
_POW10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)

# Birth dates are counted in days from this epoch; the counter covers 1900–2019.
EPOCH = np.datetime64("1900-01-01")
N_DAYS = int((np.datetime64("2020-01-01") - EPOCH).astype(np.int64))


def id_check_chars(body: np.ndarray) -> np.ndarray:
    """Check characters ('0'–'9' or 'X') of 17-digit ID bodies given as int64."""
    digits = (body[:, None] // _POW10) % 10
    return _CHECK_CHARS[(digits * _ID_WEIGHTS).sum(axis=1) % 11]


class OrderCounter:
    """Hands out the 3-digit order code (顺序码) per (county, birth date, sex), run-wide.

    Men get odd codes (1, 3, … 999), women even ones (2, 4, … 998), as GB 11643 requires.
    """

    def __init__(self, n_counties: int) -> None:
        self.used = np.zeros((n_counties, N_DAYS, 2), dtype=np.int32)

    def assign(self, county_idx: np.ndarray, day: np.ndarray, male: np.ndarray) -> np.ndarray:
        """Order codes for a batch; consecutive batches continue where the last one stopped."""
        sex = np.where(male, 0, 1)
        key = (county_idx.astype(np.int64) * N_DAYS + day) * 2 + sex
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1]
        run_len = np.diff(np.r_[starts, len(key)])
        rank_sorted = np.arange(len(key)) - np.repeat(starts, run_len)
        rank = np.empty_like(rank_sorted)
        rank[order] = rank_sorted
        flat = self.used.reshape(-1)
        k = flat[key] + rank
        if len(k) and k.max() > 498:
            raise OverflowError("more than 499 people of one sex born on one day in one county")
        np.add.at(flat, key, 1)
        return np.where(male, 2 * k + 1, 2 * k + 2)


def id_numbers(address: np.ndarray, birth_ymd: np.ndarray, order: np.ndarray) -> list[str]:
    """18-character ID numbers from address codes (6 digits), birth YYYYMMDD and order codes."""
    body = address.astype(np.int64) * 10**11 + birth_ymd.astype(np.int64) * 1000 + order
    checks = id_check_chars(body).tolist()
    return [f"{b:017d}{c}" for b, c in zip(body.tolist(), checks, strict=True)]


def luhn_accounts(prefix: np.ndarray, serial: np.ndarray) -> list[str]:
    """19-digit card numbers: 6-digit bank prefix + 12-digit serial + Luhn check digit."""
    body = prefix.astype(np.int64) * 10**12 + serial.astype(np.int64)
    digits = (body[:, None] // 10 ** np.arange(17, -1, -1, dtype=np.int64)) % 10  # 18 digits
    # Luhn: from the right of the body, every first digit is doubled (the check digit follows).
    doubled = digits[:, 1::2] * 2
    total = digits[:, 0::2].sum(axis=1) + (doubled // 10 + doubled % 10).sum(axis=1)
    check = (10 - total % 10) % 10
    return [f"{b:018d}{c}" for b, c in zip(body.tolist(), check.tolist(), strict=True)]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    """Plausible (synthetic) mobile numbers."""
    prefix = rng.choice(
        np.array(
            [
                130,
                131,
                132,
                135,
                136,
                137,
                138,
                139,
                150,
                151,
                152,
                155,
                157,
                158,
                159,
                186,
                187,
                188,
                189,
                176,
                177,
                135,
            ]
        ),
        n,
    )
    rest = rng.integers(0, 10**8, n)
    return [f"{p}{r:08d}" for p, r in zip(prefix.tolist(), rest.tolist(), strict=True)]
