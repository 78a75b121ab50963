# SPDX-License-Identifier: EUPL-1.2
"""``leerlus``: Django's management commands with Leerlus's settings, plus its own.

``leerlus migrate``, ``leerlus demo``, ``leerlus serve``, ``leerlus token create USERNAME``...
``leerlus patterns ...`` runs the pattern engine on an export file (see
:mod:`leerlus.engine.cli`) without Django: it starts fast and needs no database.
``DJANGO_SETTINGS_MODULE`` picks the settings (default: ``leerlus.settings.local``, one
machine); ``DATABASE_URL`` picks the database.
"""

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "patterns":
        from leerlus.engine.cli import main as patterns

        sys.exit(patterns(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerlus.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["leerlus", *sys.argv[1:]])


if __name__ == "__main__":
    main()
