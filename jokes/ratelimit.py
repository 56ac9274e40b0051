"""A per-client limit on how often a form can be sent (votes, reports, submissions),
kept in the cache framework.

Counts live in the default cache (Redis in production: shared by every worker, with
atomic increments). A client is a keyed hash of its address, never the address.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


def client_address(request):
    """The client's address: the connection's, or behind our proxy the one it saw."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        # The proxy appends the address it saw; the last entry is the one we can trust.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    return address


def client_key(request):
    return salted_hmac("portal.ratelimit", client_address(request)).hexdigest()[:32]


class CounterUnavailable(Exception):
    """The cache that keeps the counts cannot be reached: the form says "try again in
    a moment" rather than letting a flood through or failing."""


def hit(request, scope, limit, period):
    """Count one attempt of `scope` by this client; True when it is over the limit
    of `limit` attempts per `period` seconds (a fixed window)."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_key(request)}:{window}"
    try:
        if cache.add(key, 1, timeout=period + 1):
            return limit < 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
    except Exception as error:  # the cache server is down or unreachable
        logger.warning("rate limit counter unavailable: %s", error)
        raise CounterUnavailable from error
    return count > limit


def seconds_left(period):
    """Until the current window ends (for Retry-After)."""
    return int(period - time.time() % period) + 1


def too_many(request, retry_after, unavailable=False):
    """429 when this client sent too much; 503 when the counter itself is down."""
    status = 503 if unavailable else 429
    response = render(request, "rate_limited.html", {"unavailable": unavailable}, status=status)
    response["Retry-After"] = str(retry_after)
    return response


def limited(request, scope, limit, period=3600):
    """None when this attempt is within the limit, else the page that says wait."""
    try:
        over = hit(request, scope, limit, period)
    except CounterUnavailable:
        return too_many(request, retry_after=30, unavailable=True)
    return too_many(request, retry_after=seconds_left(period)) if over else None
