"""``leerlus``: Django's management commands with Leerlus's settings, plus its own.

``leerlus migrate``, ``leerlus demo``, ``leerlus serve``, ``leerlus token create USERNAME``...
``DJANGO_SETTINGS_MODULE`` picks the settings (default: ``leerlus.settings.local``, one
machine); ``DATABASE_URL`` picks the database.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerlus.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["leerlus", *sys.argv[1:]])


if __name__ == "__main__":
    main()
