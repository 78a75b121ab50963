# SPDX-License-Identifier: EUPL-1.2
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from leerlus.organisations.models import AuditEntry

OIDC = {
    "OIDC_RP_CLIENT_ID": "leerlus",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/jwks",
    "OIDC_RP_SIGN_ALGO": "RS256",
}


def test_oidc_is_switched_on_by_configuration_alone():
    check = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import reverse; "
        "print(settings.OIDC_ENABLED, settings.AUTHENTICATION_BACKENDS[-1], "
        "reverse('oidc_authentication_init'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "leerlus.settings.test", **OIDC}

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=False
    )

    assert result.stdout.split() == [
        "True",
        "leerlus.organisations.oidc.LeerlusOIDCBackend",
        "/oidc/authenticate/",
    ], result.stderr


@pytest.mark.django_db
@override_settings(**OIDC, OIDC_DEFAULT_ORGANISATION="eendorp")
def test_new_oidc_user_joins_the_default_organisation_without_a_role(organisation):
    from leerlus.organisations.oidc import LeerlusOIDCBackend

    backend = LeerlusOIDCBackend()
    claims = {
        "sub": "x1",
        "preferred_username": "p.jansen",
        "email": "p@eendorp.nl",
        "given_name": "Pim",
        "family_name": "Jansen",
    }

    user = backend.create_user(claims)

    assert user.username == "p.jansen"
    assert user.organisation == organisation
    assert user.role_names == []
    assert not user.has_usable_password()
    assert list(backend.filter_users_by_claims(claims)) == [user]
    assert AuditEntry.objects.filter(action="person.create_via_oidc").exists()
