# SPDX-License-Identifier: EUPL-1.2
from ipaddress import ip_network

import pytest
from django.test import RequestFactory

from leerlus.core.addresses import client_address

PROXIES = [ip_network("10.0.0.0/24"), ip_network("2001:db8::/64")]


def _address(remote: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


@pytest.fixture(autouse=True)
def _proxies(settings):
    settings.LEERLUS_TRUSTED_PROXIES = PROXIES


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Not from a trusted proxy: the header is the client's own words.
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),
        ("198.51.100.9", None, "198.51.100.9"),
        # From a trusted proxy: the right-most address that is not a trusted proxy.
        ("10.0.0.2", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.2", "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.7", "203.0.113.5"),
        ("10.0.0.2", "203.0.113.5:51234", "203.0.113.5"),
        ("2001:db8::2", "[2001:db8:1::5]:443", "2001:db8:1::5"),
        ("::ffff:10.0.0.2", "::ffff:203.0.113.5", "203.0.113.5"),
        # Only trusted proxies in the chain: the farthest of them.
        ("10.0.0.2", "10.0.0.8, 10.0.0.7", "10.0.0.8"),
        # A trusted proxy without the header, or with nothing usable right of garbage.
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "203.0.113.5, not-an-address", "10.0.0.2"),
        ("10.0.0.2", "not-an-address, 10.0.0.7", "10.0.0.7"),
    ],
)
def test_client_address_believes_forwarded_for_only_from_trusted_proxies(remote, forwarded, client):
    assert _address(remote, forwarded) == client


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.LEERLUS_TRUSTED_PROXIES = []

    assert _address("10.0.0.2", "203.0.113.5") == "10.0.0.2"


def test_an_unusable_remote_address_is_none():
    assert _address("", "203.0.113.5") is None
