"""Who a visitor is, without an account: a random id in a signed cookie.

Votes and reports store a keyed hash of that id, never an IP address or the raw
cookie value. Safe mode (flagged jokes hidden) is on unless the visitor turned it off.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

VISITOR_COOKIE = "visitor"
SAFE_MODE_COOKIE = "safe_mode"
LAST_RANDOM_COOKIE = "last_random"
COOKIE_AGE = 2 * 365 * 24 * 3600


def visitor_id(request):
    """The visitor's id from the signed cookie, or a new one (set by `remember`)."""
    value = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt="jokes.visitor")
    if not value:
        value = getattr(request, "_new_visitor_id", None) or secrets.token_hex(16)
        request._new_visitor_id = value
    return value


def voter_key(request):
    """What is stored for this visitor: a keyed hash of their id."""
    return salted_hmac("jokes.voter", visitor_id(request)).hexdigest()


def remember(request, response):
    """Set the visitor cookie on `response` if this request made a new id."""
    new_id = getattr(request, "_new_visitor_id", None)
    if new_id:
        response.set_signed_cookie(
            VISITOR_COOKIE,
            new_id,
            salt="jokes.visitor",
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def safe_mode(request):
    return request.COOKIES.get(SAFE_MODE_COOKIE) != "off"


def set_safe_mode(response, on):
    if on:
        response.delete_cookie(SAFE_MODE_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            SAFE_MODE_COOKIE,
            "off",
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def last_random(request):
    """The id of the joke /jokes/random/ last sent this visitor to ("" if none)."""
    return request.COOKIES.get(LAST_RANDOM_COOKIE, "")


def set_last_random(response, pk):
    # A browser-session cookie: it only keeps the next random pick from repeating.
    response.set_cookie(
        LAST_RANDOM_COOKIE,
        str(pk),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
