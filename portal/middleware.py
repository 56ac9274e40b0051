"""Middleware for what no single view can answer: bad addresses, a database that is down."""

import functools
import logging
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import links

logger = logging.getLogger(__name__)


class RejectNulBytesMiddleware:
    """Refuse requests that carry a NUL byte in the path or the query string.

    No page needs one, and PostgreSQL refuses NUL in any query, so a NUL reaching a
    lookup (an admin search, an autocomplete term, a filter) would be a server error.
    Form bodies are not checked here: Django's form fields refuse NUL with a message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """413 for a request body larger than any form here takes, before Django reads it.

    Django limits the fields of a form (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files,
    which it spools to disk whatever their size, even for a form that has no file
    field: a public form would read a 60 MB upload in full to answer a 400. Public
    addresses take PUBLIC_REQUEST_MAX_BYTES; the admin, where editors upload images,
    its fields and one image (ADMIN_REQUEST_MAX_BYTES).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        admin = request.path.startswith("/admin/")
        limit = settings.ADMIN_REQUEST_MAX_BYTES if admin else settings.PUBLIC_REQUEST_MAX_BYTES
        if length > limit:
            return HttpResponse(
                _("Request too large: this address takes at most %(limit)s.")
                % {"limit": filesizeformat(limit)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A page in the site's look with a 503 when the database cannot be reached, instead
    of a 500 with a traceback in the log for every visitor.

    Django closes a connection that failed, so the next request connects afresh: the
    site recovers by itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("database unavailable: %s", exception)
            return database_unavailable(request)
        return None


def unless_database_down(handler):
    """An error page handler (handler404, 403, 400) that answers the 503 page when the
    database is down: the error pages show the header's sections, and Django would
    turn a failure while rendering one into a 500, after this middleware's turn."""

    @functools.wraps(handler)
    def wrapped(request, exception, **kwargs):
        try:
            return handler(request, exception, **kwargs)
        except (OperationalError, InterfaceError) as error:
            logger.error("database unavailable: %s", error)
            return database_unavailable(request)

    return wrapped


def database_unavailable(request):
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (CONTENT_SECURITY_POLICY), widened for the admin only.

    CKEditor 4 wires its toolbar with inline event handlers (onclick="CKEDITOR.tools.
    callFunction(9, this)", numbered as the page builds them, so no hash can list
    them), styles its toolbar and dialogs inline, shows pasted images as blob:
    addresses and reads its upload answer in a frame. Public pages keep the strict
    policy; in the admin, stored content is still sanitised by nh3 on every save
    (README, "The editor")."""

    ADMIN_EXTRA = {
        "script-src": ["'unsafe-inline'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["blob:"],
    }
    ADMIN_REPLACE = {"frame-ancestors": ["'self'"]}

    # What a view may set on its response to change its own policy (django-csp).
    PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace",
                    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")  # fmt: skip

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(self.admin_prefix()):
            parts.update = {**self.ADMIN_EXTRA, **(parts.update or {})}
            parts.replace = {**self.ADMIN_REPLACE, **(parts.replace or {})}
        return parts

    @staticmethod
    def admin_prefix():
        return links.reversed_url("admin:index")

    def process_response(self, request, response):
        """Most answers use no nonce and no policy of their own: theirs is the site's
        (or the admin's) policy, built once instead of for every answer (django-csp
        builds it from the settings each time: a third of the cost of a page from
        the cache). Everything else goes through django-csp as it is."""
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        admin = request.path.startswith(self.admin_prefix())
        policies = _fixed_policies.get(admin)
        if policies is None:
            policies = _fixed_policies[admin] = (
                build_policy(**asdict(self.get_policy_parts(request, response))),
                build_policy(
                    **asdict(self.get_policy_parts(request, response, report_only=True)),
                    report_only=True,
                ),
            )
        for header, policy, exempt, setting in (
            (HEADER, policies[0], "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, policies[1], "_csp_exempt_ro",
             "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):  # fmt: skip
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(excluded))
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# The built policies by "is it the admin", until the settings change (tests).
_fixed_policies = {}


@receiver(setting_changed)
def forget_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _fixed_policies.clear()
