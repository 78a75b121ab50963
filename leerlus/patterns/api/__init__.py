# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/themes``, ``/api/v1/alerts`` and ``/api/v1/events``, one module per entity."""
