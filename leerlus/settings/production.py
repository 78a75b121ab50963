# SPDX-License-Identifier: EUPL-1.2
"""Production: every secret from the environment, the demo switched off for good."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY

if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 32 random characters.")

LEERLUS_DEMO = False
LOG_FORMAT = "json"
