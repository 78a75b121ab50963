# SPDX-License-Identifier: EUPL-1.2
"""Staff pages of the patterns app, one module per entity."""
