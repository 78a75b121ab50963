# SPDX-License-Identifier: EUPL-1.2
"""The ``leerlus`` command as an operator types it, on a fresh SQLite database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

LEERLUS = str(Path(sys.executable).with_name("leerlus"))


def _leerlus(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The timeout only ends a hung command: the demo takes about 3 minutes alone on 2 cores,
    # and longer beside the other test process.
    return subprocess.run(  # noqa: S603
        [LEERLUS, *args], env=env, capture_output=True, text=True, check=False, timeout=1200
    )


def test_leerlus_migrate_demo_and_token_on_a_fresh_database(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "LEERLUS_VAR_DIR": str(tmp_path),
    }

    migrate = _leerlus("migrate", "--noinput", env=env)
    demo = _leerlus("demo", env=env)
    again = _leerlus("demo", env=env)
    token = _leerlus("token", "create", "analist", env=env)
    unknown = _leerlus("token", "create", "nobody", env=env)

    assert migrate.returncode == 0, migrate.stderr
    assert "Loaded Gemeente Voorbeeldstad" in demo.stdout
    assert "analist" in demo.stdout
    assert "voorbeeldstad-demo" in demo.stdout
    assert "Already present" in again.stdout
    assert token.returncode == 0
    assert len(token.stdout.strip()) == 40
    assert unknown.returncode != 0
    assert "No person with username 'nobody'" in unknown.stderr


@pytest.mark.django_db
def test_token_create_for_switched_off_account_is_refused(analyst):
    analyst.is_active = False
    analyst.save()

    with pytest.raises(CommandError, match="switched off"):
        call_command("token", "create", "analist")
