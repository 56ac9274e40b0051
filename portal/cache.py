"""A Redis cache that fails open: while Redis is down, pages are still served.

Reads that cannot reach Redis are misses and writes are dropped, so every page falls
back to the database. Counting (`add`, `incr`) still raises: a rate limit that cannot
count must say "try again in a moment" rather than let a flood through
(jokes/ratelimit.py).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_last_warning = 0.0


def _unavailable(error):
    """Log the outage at most every ten seconds, not once per request."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 10:
        _last_warning = now
        logger.warning("cache unavailable, serving without it: %s", error)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call, and each one
    fills a table of some 170 reply handlers: a tenth of a millisecond a call, most of
    the cost of serving a page from the cache. One client per connection pool, shared
    by the process's threads (redis-py clients are thread-safe), does the same."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """After a call that fails, the next AWAY_SECONDS of reads and writes do without
    Redis at once instead of each waiting REDIS_TIMEOUT for it: a page rendered while
    Redis is unreachable asks it several things (the page, the generation, the
    header's sections, storing them), and each would have waited. Counting (`add`,
    `incr`) always tries, and raises."""

    AWAY_SECONDS = 2.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._away_until = 0.0

    def _attempt(self, call, fallback):
        if time.monotonic() < self._away_until:
            return fallback()
        try:
            return call()
        except RedisError as error:
            self._away_until = time.monotonic() + self.AWAY_SECONDS
            _unavailable(error)
            return fallback()

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: super(FailOpenRedisCache, self).get(key, default, version),
                             lambda: default)  # fmt: skip

    def get_many(self, keys, version=None):
        return self._attempt(lambda: super(FailOpenRedisCache, self).get_many(keys, version),
                             dict)  # fmt: skip

    def has_key(self, key, version=None):
        return self._attempt(lambda: super(FailOpenRedisCache, self).has_key(key, version),
                             lambda: False)  # fmt: skip

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: super(FailOpenRedisCache, self).get_or_set(key, default, timeout, version),
            lambda: default() if callable(default) else default,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version),
                      lambda: None)  # fmt: skip

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
            lambda: list(data),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), lambda: False
        )

    def delete(self, key, version=None):
        return self._attempt(lambda: super(FailOpenRedisCache, self).delete(key, version),
                             lambda: False)  # fmt: skip

    def delete_many(self, keys, version=None):
        self._attempt(lambda: super(FailOpenRedisCache, self).delete_many(keys, version),
                      lambda: None)  # fmt: skip

    def clear(self):
        self._attempt(lambda: super(FailOpenRedisCache, self).clear(), lambda: None)
