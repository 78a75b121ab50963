# SPDX-License-Identifier: EUPL-1.2
"""Production: every secret from the environment, the demo switched off for good."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOG_LEVEL, SECRET_KEY, env, logging_settings

if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 32 random characters.")

LEERLUS_DEMO = False
# LOGGING is built from LOG_FORMAT, so it is built again here with the production default.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL)
