# SPDX-License-Identifier: EUPL-1.2
import os
import subprocess
import sys

CHECK = """
import sys
import leerlus.wsgi
assert callable(leerlus.wsgi.application)
print("leerlus.patterns.views.themes" in sys.modules, "leerlus.feedback.api" in sys.modules)
"""


def test_a_web_worker_loads_every_view_before_its_first_request():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "leerlus.settings.test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["True", "True"]
