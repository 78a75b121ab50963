# SPDX-License-Identifier: EUPL-1.2
"""The filters of the list pages and the API, one definition per entity."""
