"""How often one client may call the API: API_REQUESTS_PER_MINUTE, counted in the cache
by jokes/ratelimit.py like votes and reports (shared by every worker with Redis)."""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from jokes import ratelimit

PERIOD = 60


def refusal(detail, status, retry_after):
    # Written like the API's own answers (same content type, letters unescaped).
    return JsonResponse(
        {"detail": detail},
        status=status,
        headers={"Retry-After": str(retry_after)},
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def rate_limited(view):
    """Wrap an API view: every request counts, valid or not, before any other work."""

    @wraps(view)
    def limited_view(request, *args, **kwargs):
        limit = settings.API_REQUESTS_PER_MINUTE
        try:
            over = ratelimit.hit(request, "api", limit, PERIOD)
        except ratelimit.CounterUnavailable:
            # Reads fail open, as the pages do: an outage of the cache must not take
            # the API down with it (jokes/ratelimit.py logged it). Forms that write
            # still refuse without their counter.
            over = False
        if over:
            wait = ratelimit.seconds_left(PERIOD)
            detail = _(
                "Too many requests: at most %(limit)s a minute. Try again in %(wait)s seconds."
            ) % {"limit": limit, "wait": wait}
            return refusal(detail, 429, wait)
        return view(request, *args, **kwargs)

    return limited_view
