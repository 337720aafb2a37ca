"""Password rules of 等保 2.0 level 3 (身份鉴别 a): length is Django's validator; composition here."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", set(string.ascii_lowercase)),
    ("upper", set(string.ascii_uppercase)),
    ("digit", set(string.digits)),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _count(self, password: str) -> int:
        found = {name for name, chars in CLASSES if any(ch in chars for ch in password)}
        if any(not (ch.isascii() and ch.isalnum()) for ch in password):
            found.add("other")
        return len(found)

    def validate(self, password: str, user=None) -> None:
        if self._count(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、其他符号中的至少%(n)d类。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、其他符号中的至少%(n)d类。") % {"n": self.min_classes}
