# SPDX-License-Identifier: EUPL-1.2
"""A fixed-window counter and single-use marks in the shared cache, for forms anybody may post."""

from django.core.cache import cache


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one attempt for ``key``; False once ``limit`` attempts fell in the window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit


def first_use(key: str, *, timeout_seconds: int) -> bool:
    """True the first time ``key`` is used within ``timeout_seconds``, False every time after:
    for what may be used once (a form's stamp)."""
    return bool(cache.add(f"once:{key}", 1, timeout=timeout_seconds))
