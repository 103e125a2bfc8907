"""Host -> village resolution with an in-process cache.

A warm request resolves its host from a dict, without a database query. A change to a
village's routing (onboarding, suspension, deletion) calls ``routing_cache_clear``, which
clears this process's cache and bumps a generation number in Redis; every process reads
that number at most once per BALAI_ROUTING_SYNC_SECONDS and drops its cache when it moved,
so a suspended or deleted village stops being served everywhere within about a second.
Entries also expire after BALAI_ROUTING_CACHE_SECONDS, the bound that holds if Redis is
unreachable. Unknown hosts are cached too, so a flood of requests for made-up subdomains
does not become a flood of queries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tenants.models import Domain, Village

logger = logging.getLogger(__name__)
MAX_ENTRIES = 20_000
GENERATION_KEY = "routing:generation"
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
        self._generation: int | None = None
        self._synced_at = 0.0

    def note_generation(self, generation: int) -> None:
        self._generation = generation

    def sync(self) -> None:
        """Drop the cache when another process changed routing (checked ~once a second)."""
        now = time.monotonic()
        if now - self._synced_at < settings.BALAI_ROUTING_SYNC_SECONDS:
            return
        self._synced_at = now
        try:
            generation = cache.get(GENERATION_KEY, 0)
        except Exception:  # noqa: BLE001 - Redis down: the entries' own expiry still holds
            return
        if generation != self._generation:
            self.clear()
            self._generation = generation

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
    """Forget every cached host here, and tell the other processes to do the same."""
    _cache.clear()
    try:
        generation = 1 if cache.add(GENERATION_KEY, 1, timeout=None) else cache.incr(GENERATION_KEY)
        # This process is already clean: it need not drop its cache again at the next sync.
        _cache.note_generation(generation)
    except Exception as error:  # noqa: BLE001 - Redis down: others catch up on entry expiry
        logger.warning("routing change not broadcast", extra={"error": str(error)})


def village_for_host(host: str) -> Village | None:
    """The village a host belongs to, or None. Cached per process."""
    _cache.sync()
    cached = _cache.get(host)
    if cached is _UNKNOWN:
        return None
    if cached is not None:
        return cached  # type: ignore[return-value]
    connection.set_schema_to_public()  # the domain table lives in the public schema
    domain = Domain.objects.select_related("tenant", "tenant__region").filter(domain=host).first()
    village = domain.tenant if domain is not None else None
    _cache.put(host, village if village is not None else _UNKNOWN)
    return village


def village_host(slug: str) -> str:
    return f"{slug}.{settings.BALAI_BASE_DOMAIN}"
