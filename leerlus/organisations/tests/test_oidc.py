# SPDX-License-Identifier: EUPL-1.2
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

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


@pytest.fixture
def oidc_login(settings, monkeypatch, administrator):
    """Logs the administrator in through the identity provider's callback; the provider's
    answer (its token endpoint and ID token) is given here instead of fetched."""
    from leerlus.organisations.oidc import LeerlusOIDCBackend

    for name, value in OIDC.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "leerlus.organisations.oidc.LeerlusOIDCBackend",
    ]
    settings.ROOT_URLCONF = "leerlus.organisations.tests.oidc_urls"
    settings.LEERLUS_REQUIRE_SECOND_FACTOR = True

    def login(**id_token_claims: object) -> Client:
        claims = {
            "sub": "b1",
            "preferred_username": administrator.username,
            "email": "beheerder@eendorp.nl",
            "nonce": "n1",
        }
        monkeypatch.setattr(
            LeerlusOIDCBackend,
            "get_token",
            lambda self, payload: {"id_token": "i", "access_token": "a"},
        )
        monkeypatch.setattr(
            LeerlusOIDCBackend,
            "verify_token",
            lambda self, token, **kw: {**claims, **id_token_claims},
        )
        monkeypatch.setattr(LeerlusOIDCBackend, "get_userinfo", lambda self, *args: claims)
        client = Client()
        session = client.session
        session["oidc_states"] = {"s1": {"nonce": "n1", "code_verifier": None}}
        session.save()
        response = client.get("/oidc/callback/", {"code": "c1", "state": "s1"})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(administrator.pk)
        return client

    return login


PEOPLE_CSV = "/organisation/people?format=csv"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("claims", "verified"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["hwk"]}, True),
        ({"amr": ["pwd"]}, False),
        ({}, False),
        ({"acr": "urn:example:loa3"}, True),
        ({"acr": "urn:example:loa1"}, False),
    ],
)
def test_an_identity_provider_login_with_mfa_counts_as_the_second_factor(
    oidc_login, settings, claims, verified
):
    settings.OIDC_MFA_ACR_VALUES = ["urn:example:loa3"]

    response = oidc_login(**claims).get(PEOPLE_CSV)

    assert response.status_code == (200 if verified else 302)
