# SPDX-License-Identifier: EUPL-1.2
"""What the API's tests check on every refusal."""


def problem(response, status: int) -> dict:
    """The problem+json body of a refusal with ``status``."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    return response.json()
