# SPDX-License-Identifier: EUPL-1.2
"""The engine is a library of its own: importing it loads no Django and no other Leerlus package."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import leerlus.engine

MODULES = sorted(
    f"leerlus.engine.{info.name}"
    for info in pkgutil.iter_modules([str(Path(leerlus.engine.__file__).parent)])
)


def test_every_engine_module_loads_without_django_or_another_leerlus_package():
    check = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery')"
        " or (m.startswith('leerlus.') and not m.startswith('leerlus.engine'))))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own code
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
    assert "leerlus.engine.tables" in MODULES
