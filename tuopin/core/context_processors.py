"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from tuopin.accounts.roles import FIELD_CAPABILITIES


def field_rules(request: Any) -> dict[str, Any]:
    """``withheld``: the labelled fields (``roles.FIELD_CAPABILITIES``) this user may not see on a page."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return {"withheld": user.withheld_fields}
    return {"withheld": frozenset(FIELD_CAPABILITIES)}
