"""The ``tuopin`` command: Django's management commands with tuopin's settings preset.

``tuopin demo``, ``tuopin seed``, ``tuopin audit verify``, ``tuopin migrate``, ``tuopin runserver`` …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuopin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tuopin", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
