"""Jurisdiction scoping: the only way business data is read (design.md §4.1).

Region codes are hierarchical by prefix (``22`` → ``2204`` → ``220422`` → ``220422101`` →
``220422101201``), so "inside my jurisdiction" is a range test on an indexed code column:
``prefix <= code < next(prefix)``. A range (rather than ``LIKE 'prefix%'``) uses the B-tree index
on both SQLite and PostgreSQL whatever the column's collation.

Every scoped model uses :class:`ScopedQuerySet` as its manager and names, in ``region_path``,
the lookup that reaches its 12-digit region code (``"village_id"`` on a household,
``"household__village_id"`` on a member). Views, API, exports, reports and jobs read through
``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

__all__ = [
    "ScopedQuerySet",
    "prefix_range_q",
    "next_prefix",
    "code_prefix",
    "user_prefix",
    "check_in_jurisdiction",
    "code_in_prefix",
]

# Where each level's segment of a 12-digit 统计用区划代码 ends (province 2, city 4, county 6, township 9,
# village 12 digits; see ``geo.choices.PREFIX_LENGTH``).
SEGMENT_ENDS = (2, 4, 6, 9, 12)


def next_prefix(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def code_prefix(code: str) -> str:
    """The significant prefix of a region code (``220400000000`` → ``2204``), read segment by segment.

    Shorter digit strings are taken as prefixes already. Stripping trailing zeros would be wrong: the
    village ``220422101210`` would become ``22042210121`` and take in its neighbours up to ``…219``.
    """
    if len(code) != 12:
        return code
    end = 0
    for start, stop in zip((0, *SEGMENT_ENDS), SEGMENT_ENDS, strict=False):
        if code[start:stop].strip("0"):
            end = stop
    return code[:end]


def prefix_range_q(field: str, prefix: str) -> Q:
    """``Q`` selecting rows whose ``field`` (a digit code) starts with ``prefix``."""
    if not prefix:
        return Q()
    q = Q(**{f"{field}__gte": prefix})
    upper = next_prefix(prefix)
    if upper is not None:
        q &= Q(**{f"{field}__lt": upper})
    return q


def user_prefix(user: Any) -> str | None:
    """The region prefix a user may see business data in, or ``None`` for nothing at all.

    Anonymous users and the three system-administration roles (三员) see no business data.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not getattr(user, "sees_business_data", False):
        return None
    return getattr(user, "region_prefix", None)


def code_in_prefix(code: str, prefix: str | None) -> bool:
    return prefix is not None and code.startswith(prefix)


def check_in_jurisdiction(actor: Any, region_code: str) -> None:
    """Refuse a write that would place an object outside the actor's jurisdiction."""
    if not code_in_prefix(region_code, user_prefix(actor)):
        raise PermissionDenied(_("该地区不在您的管辖范围内，无权操作。"))


class ScopedQuerySet(models.QuerySet):
    """QuerySet whose ``visible_to(user)`` limits rows to the user's jurisdiction."""

    def visible_to(self, user: Any) -> ScopedQuerySet:
        prefix = user_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(prefix_range_q(self.model.region_path, prefix))

    def in_region(self, prefix: str) -> ScopedQuerySet:
        """Rows inside a region prefix (for reports that drill down inside a visible scope)."""
        return self.filter(prefix_range_q(self.model.region_path, prefix))
