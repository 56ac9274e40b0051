"""Addresses of what listings show many of, without a reverse() for each.

reverse() costs some 25 microseconds, and a page of 20 teasers with their sections,
the header's sections and the footer's links asked for about 60 of them: a fifth of
the time of the page. Here each address is reversed once per value and script prefix
and remembered; an article's address is its section's with its own slug added, quoted
as reverse() quotes; a joke's is the jokes' prefix with its id. Tests compare every
kind with reverse().
"""

from functools import lru_cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from portal import rendering

SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted in a path


@lru_cache(maxsize=4096)
def _reversed(script_prefix, name, kwargs):
    return reverse(name, kwargs=dict(kwargs))


def reversed_url(name, **kwargs):
    return _reversed(rendering.script_prefix(), name, tuple(sorted(kwargs.items())))


def section(slug):
    return reversed_url("bulletin:section-detail", section=slug)


def article(section_slug, slug):
    return f"{section(section_slug)}{quote(slug, safe=SAFE)}/"


def category(slug):
    return reversed_url("jokes:category-detail", slug=slug)


def _with_id(name, pk):
    zero = reversed_url(name, pk=0)  # ".../0/" or ".../0/vote/"
    before, _zero, after = zero.rpartition("/0/")
    return f"{before}/{int(pk)}/{after}"


def joke(pk):
    return _with_id("jokes:joke-detail", pk)


def joke_vote(pk):
    return _with_id("jokes:joke-vote", pk)


@receiver(setting_changed)
def forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
