# SPDX-License-Identifier: EUPL-1.2
"""The client's address, the one helper for the audit log, the login lockout and rate limits.

``X-Forwarded-For`` is written by whoever sends the request, so it counts only on a request
from one of ``LEERLUS_TRUSTED_PROXIES``. Each proxy appends the address it received the
request from, so, read from the right, the first address that is not a trusted proxy is the
client; whatever stands left of it the client may have written itself.
"""

from ipaddress import IPv4Address, IPv6Address, ip_address

from django.conf import settings
from django.http import HttpRequest

Address = IPv4Address | IPv6Address


def _parsed(value: str) -> Address | None:
    """An address as proxies write it: bare, IPv4 with a port, or IPv6 in brackets."""
    value = value.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ip_address(value)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in settings.LEERLUS_TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str | None:
    """The address of whoever sent ``request``; None where the server gave no usable one."""
    nearest = _parsed(request.META.get("REMOTE_ADDR", ""))
    if nearest is None:
        return None
    if _trusted(nearest):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _parsed(hop)
            if address is None:
                break  # nothing left of an unreadable entry can be believed
            nearest = address
            if not _trusted(address):
                break
    return str(nearest)
