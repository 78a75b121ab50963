# SPDX-License-Identifier: EUPL-1.2
"""The analysis engine: pure functions over strings and arrays. It imports no Django."""
