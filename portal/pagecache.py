"""Whole public pages for visitors without an account, from the cache.

A page is cached when a visitor who has no session (staff), no visitor id (whose own
votes a page shows) and no pending message asks for it with GET; the cache key holds
the address and the safe-mode switch. Every change to what pages show (an article, a
joke, a vote, a tag, a section...) moves a generation number, so the next request
renders afresh; content whose time comes without a save (a scheduled article) shows
within PAGE_CACHE_SECONDS. With Redis the generation is shared by every worker; with
the local-memory cache, another worker may show its copy for up to those seconds.
Each worker also keeps its own copies of the pages it served last (LocalCopies), and
sees a change made through another worker within PAGE_CACHE_LOCAL_SECONDS.

Forms on cached pages still carry a CSRF token of the visitor's own: the cached copy
holds a marker where the token was, and each answer puts the visitor's token there.
Answers carry an ETag of the cached copy, so a browser revalidating gets a 304.
"""

import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.utils.cache import cc_delim_re, patch_cache_control
from django.utils.http import parse_etags

from jokes import visitors

from .negotiation import wants_json

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
MARKER = b"\x00csrf\x00"
# Addresses never served from the cache: staff, forms that write, the API (counted per
# client), moving targets (a random joke), and health checks.
NEVER = ("/admin/", "/submit/", "/api/", "/jokes/random/", "/healthz", "/readyz")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Link", "X-Robots-Tag")


class LocalCopies:
    """This worker's own copies of the pages it served last, and the generation it
    last read from the shared cache.

    A page from Redis cost a round trip and unpickling the page: most of the time a
    page from the cache took, though the generation seldom moves. For up to
    PAGE_CACHE_LOCAL_SECONDS after reading the generation, a worker trusts it and
    serves its own copies (at most LOCAL_PAGES of them, the least recently served
    dropped first); a change made through this worker shows at once, one made
    through another worker within those seconds. Only a generation read from the
    shared cache is trusted: while the cache is down, nothing is kept here."""

    LOCAL_PAGES = 128

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.pages = OrderedDict()
            self.generation = None
            self.read_at = 0.0
            self.epoch = 0

    def trusted_generation(self):
        if time.monotonic() - self.read_at < settings.PAGE_CACHE_LOCAL_SECONDS:
            return self.generation
        return None

    def learn(self, generation, epoch):
        """Trust `generation`, read from the shared cache since `epoch` (self.epoch when
        the read began): unless content changed in this process meanwhile."""
        with self.lock:
            if epoch == self.epoch:
                self.generation, self.read_at = generation, time.monotonic()

    def forget_generation(self):
        with self.lock:
            self.generation, self.read_at = None, 0.0
            self.epoch += 1

    def get(self, key):
        with self.lock:
            kept = self.pages.get(key)
            if kept is None:
                return None
            stored, deadline = kept
            if time.monotonic() >= deadline:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return stored

    def keep(self, key, stored, seconds):
        """Keep `stored` for `seconds` at most (what is left of the shared copy's time)."""
        with self.lock:
            self.pages[key] = (stored, time.monotonic() + seconds)
            self.pages.move_to_end(key)
            while len(self.pages) > self.LOCAL_PAGES:
                self.pages.popitem(last=False)


local = LocalCopies()


@receiver(setting_changed)
def forget_local_copies(setting, **kwargs):
    if setting in ("CACHES", "PAGE_CACHE_SECONDS", "PAGE_CACHE_LOCAL_SECONDS"):
        local.clear()


def content_changed(**kwargs):
    """Connected to the saves and deletes of everything public pages show
    (portal/apps.py): cached pages are from then on out of date.

    The generation moves now and again when the change is committed: a page rendered
    in between, from what the database still showed, is stored under the first move
    and so goes out of date with the second."""
    move_generation()
    transaction.on_commit(move_generation)


def move_generation():
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet, or it expired
            if not cache.add(GENERATION_KEY, 1, timeout=None):
                cache.incr(GENERATION_KEY)  # a request added it meanwhile
    except Exception as error:  # noqa: BLE001 - the cache is down: nothing is served from it
        logger.warning("page cache generation not moved: %s", error)
    # After the move: a request that read the old generation before it cannot make
    # this worker trust that generation again (LocalCopies.learn).
    local.forget_generation()


def start_generation():
    """A generation for a cache that has none (a new or emptied Redis), so that the
    workers have one to trust: added only if still missing, and, through the
    fail-open cache's get_or_set, not tried while the cache is away."""
    cache.get_or_set(GENERATION_KEY, 0, timeout=None)


def lookup(key):
    """(What the shared cache holds under `key`, the generation to check it against).

    While this worker trusts the generation it read last (LocalCopies), one read of
    the key; otherwise the key and the generation in one round trip, and the
    generation is trusted from then on. A cache without a generation is given one."""
    generation = local.trusted_generation()
    if generation is not None:
        return cache.get(key), generation
    epoch = local.epoch
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY)
    if generation is None:  # no change yet, or the cache is down
        start_generation()
        return found.get(key), 0
    local.learn(generation, epoch)
    return found.get(key), generation


def shared(key, build):
    """What `build()` returns, kept in the cache for FRAGMENT_CACHE_SECONDS under the
    current generation: for what every page shows alike (the header's sections), so
    that a rendered page does not ask the database for it again. Out of date, like the
    cached pages, as soon as content changes; FRAGMENT_CACHE_SECONDS = 0 builds it
    every time. Each worker keeps its own copy too, as it does pages (LocalCopies), for
    no longer than the shared copy lasts."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return build()
    key = f"shared:{key}"
    # This worker's own copy while it trusts the generation, as for pages (LocalCopies):
    # reading the header's sections from Redis had been a sixteenth of an article's time.
    generation = local.trusted_generation()
    stored = local.get(key) if generation is not None else None
    if stored is not None and stored[0] == generation:
        return stored[1]
    stored, generation = lookup(key)
    if stored is None or stored[0] != generation:
        seconds = settings.FRAGMENT_CACHE_SECONDS
        # Under the generation read before building, as pages are (AnonymousPageCacheMiddleware).
        stored = (generation, build(), time.time() + seconds)
        cache.set(key, stored, seconds)
    if local.trusted_generation() == generation:
        # No longer than the shared copy lasts: what changes by the clock alone shows
        # within FRAGMENT_CACHE_SECONDS here too.
        left = stored[2] - time.time()
        if left > 0:
            local.keep(key, stored, left)
    return stored[1]


def random_chars(length):
    """`length` characters of CSRF_ALLOWED_CHARS from one read of the system's random
    source. Django's get_random_string reads it once per character: for a visitor
    without a cookie, 64 reads were a third of the time a page from the cache took.
    Bytes from 248 up are dropped, so that every character is equally likely."""
    alphabet = CSRF_ALLOWED_CHARS
    usable = 256 - 256 % len(alphabet)
    chars = []
    while len(chars) < length:
        chars += [alphabet[b % len(alphabet)] for b in os.urandom(length + 8) if b < usable]
    return "".join(chars[:length])


def csrf_token(request):
    """What django.middleware.csrf.get_token(request) returns (after the CSRF
    middleware's process_request), made with random_chars: the visitor's secret
    (a new one, and the cookie to carry it, when they have none), masked afresh."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    alphabet, size = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    mask = random_chars(CSRF_SECRET_LENGTH)
    # Django's masking (each character's place in the alphabet, added), with the places
    # looked up in a table: searching the alphabet 64 times had been a sixth of a page
    # from the cache.
    cipher = "".join(
        [alphabet[(PLACES[s] + PLACES[m]) % size] for s, m in zip(secret, mask, strict=True)]
    )
    return mask + cipher


PLACES = {char: place for place, char in enumerate(CSRF_ALLOWED_CHARS)}


def cacheable_request(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(NEVER)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and visitors.VISITOR_COOKIE not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_key(request):
    """The address, the safe-mode switch and the representation asked for: a joke's
    page answers in JSON to a client that prefers it (and says `Vary: Accept`)."""
    safe = "safe" if visitors.safe_mode(request) else "all"
    # Parsing Accept costs more than the rest of a cached answer: only when it might
    # prefer JSON (browsers and most clients do not mention it).
    maybe_json = "json" in request.headers.get("Accept", "")
    kind = "json" if maybe_json and wants_json(request) else "html"
    address = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"page:{safe}:{kind}:{address}"


def keyed_headers():
    """The request headers a stored page may vary on: cache_key tells them apart
    (Accept), or a visitor they would change is never served from the cache (Cookie),
    or they change nothing while the site has one language (Accept-Language)."""
    headers = {"accept", "cookie"}
    if len(settings.LANGUAGES) == 1:
        headers.add("accept-language")
    return headers


def cacheable_response(response):
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not any(word in control for word in ("private", "no-cache", "no-store"))
        and all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)
        and set(cc_delim_re.split(response.get("Vary", "").lower())) - {""} <= keyed_headers()
    )


class AnonymousPageCacheMiddleware:
    """High in the middleware list, so that a page from the cache costs one round
    trip to the cache and little else: sessions, the user, messages and the rest are
    not needed to replay it. The CSRF middleware runs below, for rendered pages; a
    replayed page with a form gets its token from the same middleware here."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not cacheable_request(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and not request.path.startswith("/admin/"):
                # Someone logged in, or a page of one visitor's own: no shared copy.
                patch_cache_control(response, private=True)
            return response
        key = cache_key(request)
        # This worker's own copy, or the shared one: a copy stored under an older
        # generation is out of date.
        generation = local.trusted_generation()
        stored = local.get(key) if generation is not None else None
        if stored is None or stored["generation"] != generation:
            stored, generation = lookup(key)
        if stored is not None and stored["generation"] == generation:
            self.keep_locally(key, generation, stored)
            return self.replay(request, stored)
        response = self.get_response(request)
        if cacheable_response(response):
            # Stored under the generation read before rendering: if content changed
            # meanwhile (or the page saved something itself, as the day's first visit
            # does choosing the joke of the day), the next visitor renders afresh.
            stored = self.store(key, generation, response)
            self.keep_locally(key, generation, stored)
            response["ETag"] = stored["etag"]
            patch_cache_control(response, max_age=0, must_revalidate=True)
        return response

    @staticmethod
    def keep_locally(key, generation, stored):
        """This worker's own copy, while it trusts the generation the copy is under and
        for no longer than the shared copy lasts (its expiry, on this host's clock,
        capped at PAGE_CACHE_SECONDS)."""
        if local.trusted_generation() == generation:
            left = min(stored.get("expires", 0) - time.time(), settings.PAGE_CACHE_SECONDS)
            if left > 0:
                local.keep(key, stored, left)

    def store(self, key, generation, response):
        body = TOKEN_FIELD.sub(rb"\1" + MARKER + rb"\2", response.content)
        stored = {
            "generation": generation,
            # When the shared copy runs out, so do the workers' own (LocalCopies).
            "expires": time.time() + settings.PAGE_CACHE_SECONDS,
            # The body cut where each form's token goes: a visitor's token joins the
            # pieces (replacing the marker in a list of twenty jokes' forms had taken
            # 34 µs, a seventh of a page from the cache).
            "parts": body.split(MARKER),
            "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
            "etag": f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
        }
        cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        return stored

    def replay(self, request, stored):
        if stored["etag"] in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            # A copy stored before the parts were kept has its body whole.
            parts = stored["parts"] if "parts" in stored else stored["body"].split(MARKER)
            if len(parts) > 1:
                # The visitor's own token, and its cookie when they have none yet.
                self.csrf.process_request(request)
                body = csrf_token(request).encode().join(parts)
            else:
                body = parts[0]
            response = HttpResponse(body)
            for header, value in stored["headers"].items():
                response[header] = value
            self.csrf.process_response(request, response)
        response["ETag"] = stored["etag"]
        patch_cache_control(response, max_age=0, must_revalidate=True)
        return response
