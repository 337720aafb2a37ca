"""Masking of personal information in text, logs and errors (PIPL art. 28/51, GB/T 35273 §7.2).

Pages and the API never receive plaintext ID numbers for roles without permission: models keep
a precomputed mask. This module is the net under that: it scrubs anything that looks like an
ID number, bank account or mobile number from log lines and error text.
"""

from __future__ import annotations

import logging
import re

__all__ = ["scrub", "mask_account", "mask_phone", "mask_name", "MaskPIIFilter", "PII_PATTERNS"]

# 18-character ID numbers (17 digits + digit/X), 12–19 digit account numbers, 11-digit mobiles.
ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
ACCOUNT_RE = re.compile(r"(?<!\d)\d{8,15}(\d{4})(?!\d)")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
PII_PATTERNS = {"id": re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])"), "account": re.compile(r"(?<!\d)\d{12,19}(?!\d)")}


def scrub(text: str) -> str:
    """Replace ID numbers, account numbers and mobile numbers in free text with masks."""
    text = ID_RE.sub(lambda m: m.group(1) + "********" + m.group(2)[-4:], text)
    text = ACCOUNT_RE.sub(lambda m: "*" * 8 + m.group(1), text)
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_account(number: str) -> str:
    """Bank account: only the last four digits."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "*" * max(len(digits) - 4, 4) + digits[-4:] if digits else ""


def mask_phone(number: str) -> str:
    """Mobile: 138****5678."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "*" * len(digits)


def mask_name(name: str) -> str:
    """Public-posting name mask: 张* or 张*三."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class MaskPIIFilter(logging.Filter):
    """Logging filter that scrubs personal numbers from every record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            return True
        record.msg = scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
