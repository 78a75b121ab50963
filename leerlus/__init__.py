# SPDX-License-Identifier: EUPL-1.2
"""Leerlus: digital transformation as a learning loop for public organisations.

Importing this package loads nothing else: the engine (``leerlus.engine``) is usable without
Django or Celery. The Celery app is ``leerlus.celery`` (``celery -A leerlus.celery worker``);
Django processes load it in ``leerlus.core.apps.CoreConfig.ready``.
"""
