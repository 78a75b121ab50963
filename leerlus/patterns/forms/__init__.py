# SPDX-License-Identifier: EUPL-1.2
"""Forms of the patterns pages, one module per entity (filters: :mod:`..filters`)."""
