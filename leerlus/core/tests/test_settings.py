# SPDX-License-Identifier: EUPL-1.2
import json
import os
import subprocess
import sys

import pytest

CHECK = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "s.LEERLUS_DEMO)"
)


def _run(module: str, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"DEBUG", "DATABASE_URL", "LOG_FORMAT"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _settings_of(module: str, **env: str) -> str:
    result = _run(module, CHECK, **env)
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_production_is_safe_by_default():
    printed = _settings_of("leerlus.settings.production", SECRET_KEY="k" * 50)

    assert printed == "False True True 31536000 False"


def test_production_refuses_to_start_without_a_secret_key():
    printed = _settings_of("leerlus.settings.production", SECRET_KEY="")

    assert "SECRET_KEY must be set" in printed


def test_production_never_allows_the_demo_even_when_asked():
    printed = _settings_of("leerlus.settings.production", SECRET_KEY="k" * 50, LEERLUS_DEMO="true")

    assert printed.endswith("False")


@pytest.mark.parametrize("module", ["leerlus.settings.local", "leerlus.settings.production"])
def test_debug_is_off_unless_asked(module, tmp_path):
    printed = _settings_of(module, SECRET_KEY="k" * 50, LEERLUS_VAR_DIR=str(tmp_path))

    assert printed.startswith("False")


def test_production_logs_one_json_object_a_line():
    emit = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('leerlus.check').warning('started')"
    )

    result = _run("leerlus.settings.production", emit, SECRET_KEY="k" * 50)

    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.stderr
    event = json.loads(lines[-1])
    assert (event["event"], event["level"], event["logger"]) == (
        "started",
        "warning",
        "leerlus.check",
    )


def test_the_old_forwarded_for_switch_without_trusted_proxies_refuses_to_start():
    printed = _settings_of(
        "leerlus.settings.production", SECRET_KEY="k" * 50, USE_X_FORWARDED_FOR="true"
    )

    assert "USE_X_FORWARDED_FOR is replaced by TRUSTED_PROXIES" in printed
