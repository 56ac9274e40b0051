"""A Redis cache that fails open: while Redis is down, pages are still served.

Reads that cannot reach Redis are misses and writes are dropped, so every page falls
back to the database. Counting (`add`, `incr`) still raises: a rate limit that cannot
count must say "try again in a moment" rather than let a flood through
(jokes/ratelimit.py).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
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


class FailOpenRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _unavailable(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _unavailable(error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            _unavailable(error)
            return False

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().get_or_set(key, default, timeout, version)
        except RedisError as error:
            _unavailable(error)
            return default() if callable(default) else default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            _unavailable(error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _unavailable(error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            _unavailable(error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            _unavailable(error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            _unavailable(error)

    def clear(self):
        try:
            super().clear()
        except RedisError as error:
            _unavailable(error)
