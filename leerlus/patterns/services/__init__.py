# SPDX-License-Identifier: EUPL-1.2
"""Writes of the patterns app, one module per entity."""
