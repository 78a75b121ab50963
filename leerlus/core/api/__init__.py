# SPDX-License-Identifier: EUPL-1.2
"""The API toolkit every capability app may use: fields, pagination, serializers, token
authentication and problem+json errors. URL wiring lives in ``leerlus.api``."""
