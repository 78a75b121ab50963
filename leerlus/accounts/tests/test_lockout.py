# SPDX-License-Identifier: EUPL-1.2
"""Password spraying: a few guesses on each of many accounts from one address."""

from ipaddress import ip_network

import pytest
from django.test import Client

from leerlus.organisations.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login"
SPRAYER = "198.51.100.66"


WRONG = "guess-guess-guess"


def _guess(client: Client, username: str, password: str = WRONG, forwarded_for: str = ""):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def accounts(make_user) -> list[User]:
    return [make_user(username=f"medewerker{n}") for n in range(6)]


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LEERLUS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20


def test_four_guesses_on_each_of_many_accounts_lock_the_address(
    accounts, make_user, password, limits
):
    newcomer = make_user(username="nieuwkomer")
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for account in accounts:  # 6 x 4 = 24 failures, never 5 on one account
        for _ in range(4):
            _guess(sprayer, account.username)

    right_password = _guess(sprayer, accounts[0].username, password)
    untouched_account = _guess(sprayer, newcomer.username, password)
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    _guess(elsewhere, accounts[0].username, password)

    assert right_password.status_code == 429
    assert untouched_account.status_code == 429
    assert not _logged_in(sprayer)
    assert _logged_in(elsewhere)  # the lock is on the address, not on the accounts


def test_fewer_failures_than_the_address_limit_lock_nothing(accounts, password, limits):
    client = Client(REMOTE_ADDR=SPRAYER)
    for account in accounts[:4]:  # 16 failures
        for _ in range(4):
            _guess(client, account.username)

    response = _guess(client, accounts[0].username, password)

    assert response.status_code == 302
    assert _logged_in(client)


def test_logging_in_to_an_own_account_does_not_reset_the_address_count(accounts, password, limits):
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for account in accounts[1:]:  # 5 x 4 = 20 failures
        for _ in range(4):
            _guess(sprayer, account.username)
    own = Client(REMOTE_ADDR=SPRAYER)

    response = _guess(own, accounts[0].username, password)

    assert response.status_code == 429
    assert not _logged_in(own)


def test_a_spoofed_forwarded_for_from_a_client_changes_nothing(analyst, password, settings):
    settings.LEERLUS_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    client = Client(REMOTE_ADDR=SPRAYER)
    for n in range(5):
        _guess(client, "analist", forwarded_for=f"203.0.113.{n}")

    locked = _guess(client, "analist", password, forwarded_for="203.0.113.99")

    assert locked.status_code == 429
    assert not _logged_in(client)


def test_forwarded_for_from_a_trusted_proxy_names_the_client(analyst, password, settings):
    settings.LEERLUS_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    proxy = "10.0.0.2"
    for _ in range(5):
        _guess(Client(REMOTE_ADDR=proxy), "analist", forwarded_for="203.0.113.7")
    locked_client, other_client = Client(REMOTE_ADDR=proxy), Client(REMOTE_ADDR=proxy)

    locked = _guess(locked_client, "analist", password, forwarded_for="203.0.113.7")
    other = _guess(other_client, "analist", password, forwarded_for="203.0.113.8")

    assert locked.status_code == 429
    assert other.status_code == 302
    assert _logged_in(other_client)
