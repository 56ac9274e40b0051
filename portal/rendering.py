"""What a public page's render reads again and again, read once per render.

Django keeps the script prefix, the active language and the current time zone in
asgiref Locals, and each read costs 4 to 9 microseconds (a lock, a context variable
and, for a time zone never activated, an exception caught). A tag's page read them
about 240 times while it rendered (an address, a date, a translated message each read
one): about a tenth of the time it took. None of them can change while a template
renders, so the Jinja2 backend (portal/templating.py) reads them once when a render
starts and these functions answer from that; outside a render they ask Django.
"""

import contextvars
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import NamedTuple

from django.conf import settings
from django.urls import get_script_prefix
from django.utils.timezone import get_current_timezone, is_naive, template_localtime
from django.utils.translation import get_language


class _Read(NamedTuple):
    script_prefix: str
    language: str | None
    timezone: tzinfo


_read = contextvars.ContextVar("portal.rendering", default=None)


@contextmanager
def render():
    """Read them now, for what runs inside."""
    token = _read.set(_Read(get_script_prefix(), get_language(), get_current_timezone()))
    try:
        yield
    finally:
        _read.reset(token)


def script_prefix():
    read = _read.get()
    return get_script_prefix() if read is None else read.script_prefix


def language():
    read = _read.get()
    return get_language() if read is None else read.language


def localtime(value):
    """Django's template_localtime(): `value` in the current time zone when it is an
    aware datetime that asks to be converted, else `value` itself."""
    read = _read.get()
    if read is None:
        return template_localtime(value)
    if (
        isinstance(value, datetime)
        and settings.USE_TZ
        and not is_naive(value)
        and getattr(value, "convert_to_local_time", True)
    ):
        return value.astimezone(read.timezone)
    return value
