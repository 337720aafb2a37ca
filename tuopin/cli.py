"""The ``tuopin`` command: Django's management commands with tuopin's settings preset.

``tuopin demo``, ``tuopin seed``, ``tuopin audit verify``, ``tuopin migrate``, ``tuopin runserver`` …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["demo"]:
        # Demo mode: the printed demo accounts work, and the privileged ones log in without an
        # authenticator app (production keeps TOTP on; see settings.TWO_FACTOR_ROLES).
        os.environ.setdefault("TUOPIN_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tuopin", *args])


if __name__ == "__main__":
    main()
