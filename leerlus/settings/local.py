# SPDX-License-Identifier: EUPL-1.2
"""One machine, one command (``make run``): SQLite, the embedded worker, plain HTTP on localhost.

Still DEBUG off and the full Content-Security-Policy; only what plain HTTP on localhost cannot
do (secure cookies, HSTS) is relaxed, and the demo organisation may be loaded.
"""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

LEERLUS_DEMO = env.bool("LEERLUS_DEMO", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# The demo's people log in with a password only (make run); production asks for more.
LEERLUS_REQUIRE_SECOND_FACTOR = env.bool(
    "LEERLUS_REQUIRE_SECOND_FACTOR",
    default=env.bool("LEERLUS_REQUIRE_2FA_FOR_ADMIN", default=False),
)


def _local_secret_key() -> str:
    """A key made once per installation and kept beside the database, never in the code."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
