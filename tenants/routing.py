"""Host -> village resolution with an in-process cache.

A warm request resolves its host from a dict, without a database query. Entries expire
after BALAI_ROUTING_CACHE_SECONDS so that suspension, reactivation and new domains made
by another process are seen within that time; the process that makes the change clears
its own cache at once (``routing_cache_clear``). Unknown hosts are cached too, so a flood
of requests for made-up subdomains does not become a flood of queries.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings

from tenants.models import Domain, Village

MAX_ENTRIES = 20_000
_UNKNOWN = object()


@dataclass(frozen=True)
class RoutedVillage:
    """What routing keeps of a village: enough to route and tag, nothing personal."""

    village: Village
    expires_at: float


class _RoutingCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[object, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, host: str) -> object | None:
        entry = self._entries.get(host)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, host: str, value: object) -> None:
        expires = time.monotonic() + settings.BALAI_ROUTING_CACHE_SECONDS
        with self._lock:
            self._entries[host] = (value, expires)
            self._entries.move_to_end(host)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _RoutingCache()


def routing_cache_clear() -> None:
    _cache.clear()


def village_for_host(host: str) -> Village | None:
    """The village a host belongs to, or None. Cached per process."""
    cached = _cache.get(host)
    if cached is _UNKNOWN:
        return None
    if cached is not None:
        return cached  # type: ignore[return-value]
    domain = Domain.objects.select_related("tenant", "tenant__region").filter(domain=host).first()
    village = domain.tenant if domain is not None else None
    _cache.put(host, village if village is not None else _UNKNOWN)
    return village


def village_host(slug: str) -> str:
    return f"{slug}.{settings.BALAI_BASE_DOMAIN}"
