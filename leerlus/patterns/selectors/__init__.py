# SPDX-License-Identifier: EUPL-1.2
"""Reads of the patterns app, one module per entity, always within one organisation."""
