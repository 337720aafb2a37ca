"""公民身份号码 (GB 11643-1999) validation, built on python-stdnum's ``stdnum.cn.ric``.

stdnum's own ``validate`` also requires the address code to have existed in the person's birth
year; real numbers keep the code of the county where they were *issued* (often after the birth
year, sometimes since abolished), so we require only that the code is a known division code of
any period (domain.md §6.2). 15-digit legacy numbers are converted to 18 digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

__all__ = ["ParsedID", "parse_id_number", "mask_id", "mask_id_public", "upgrade_15"]


@dataclass(frozen=True)
class ParsedID:
    """A validated 18-character ID number with what it tells about its holder."""

    number: str
    birth_date: dt.date
    gender: str  # GB/T 2261.1: "1" male, "2" female
    address_code: str


def upgrade_15(number: str) -> str:
    """Convert a 15-digit legacy number: insert '19' before the year and add the check digit."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def _known_division(code: str) -> bool:
    results = numdb.get("cn/loc").info(code)
    return any(props for _part, props in results[1:])


def parse_id_number(value: str, *, today: dt.date | None = None) -> ParsedID:
    """Validate an ID number and return it parsed; raise ``ValidationError`` in Chinese otherwise."""
    number = ric.compact(value or "").replace("x", "X")
    if not number:
        raise ValidationError(_("请填写公民身份号码。"), code="required")
    if len(number) == 15 and number.isdigit():
        number = upgrade_15(number)
    if len(number) != 18:
        raise ValidationError(
            _("公民身份号码应为18位（旧15位号码会自动升位），现为%(n)d位。"),
            code="id_length",
            params={"n": len(number)},
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("公民身份号码只能由数字组成，最后一位可为X。"), code="id_format")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(_("公民身份号码校验位错误，请核对号码是否录入有误。"), code="id_checksum")
    try:
        birth = ric.get_birth_date(number)
    except InvalidComponent:
        raise ValidationError(_("公民身份号码中的出生日期不存在。"), code="id_birth_date") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1890:
        raise ValidationError(_("公民身份号码中的出生日期不合理。"), code="id_birth_date")
    if not _known_division(number[:6]):
        raise ValidationError(_("公民身份号码前6位不是有效的行政区划代码。"), code="id_address")
    gender = "1" if int(number[16]) % 2 == 1 else "2"
    return ParsedID(number=number, birth_date=birth, gender=gender, address_code=number[:6])


def mask_id(number: str) -> str:
    """Default mask (security.md §2.3): first 6 and last 4 kept, the birth date hidden."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def mask_id_public(number_or_mask: str) -> str:
    """Stricter mask for public notices (公示): first and last character only."""
    s = number_or_mask
    return s[0] + "*" * (len(s) - 2) + s[-1] if len(s) > 2 else "*" * len(s)
