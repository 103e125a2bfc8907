"""The cached public "village home" data: its key and its invalidation.

Kept apart from the selector (services.village.home) so that the writers in news, budget
and village can forget the cache without importing each other.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

# Short on purpose: a scheduled article becomes visible at its time without any write, and
# the selector shortens this further when the next scheduled item is due sooner.
HOME_CACHE_SECONDS = 60


def home_cache_key(schema_name: str) -> str:
    return f"village-home:{schema_name}"


def home_cache_forget() -> None:
    """Forget the active village's cached home data, now and again after commit.

    Now, so this process's next read sees the change; after commit as well, because a
    reader that ran between now and the commit may have cached the old rows again.
    """
    key = home_cache_key(connection.schema_name)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
