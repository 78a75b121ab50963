# SPDX-License-Identifier: EUPL-1.2
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerlus.settings.local")

application = get_wsgi_application()

# Import every view (and what they import, the engine among it) as the worker starts, not on
# its first request: that request otherwise waited 2-3 s (docs/benchmarks.md, Patterns).
from django.urls import get_resolver  # noqa: E402 - only after the application is set up

get_resolver().url_patterns  # noqa: B018 - the attribute loads the URL configuration
